# Command lines are limited to 2048 bytes including CRLF (500 5.5.2,
# skipped to the next LF, then the session goes on): limit-1, limit,
# limit+1, and a much longer one.
S: 220 .*
C: HELO client.example.org
S: 250 mail\.mycompany\.com
# "NOOP " + 2041 + CRLF = 2048 bytes: accepted (NOOP takes an argument)
C-EVAL: b"NOOP " + b"x" * 2040 + b"\r\n"
S: 250 2\.0\.0 Ok
C-EVAL: b"NOOP " + b"x" * 2041 + b"\r\n"
S: 250 2\.0\.0 Ok
C-EVAL: b"NOOP " + b"x" * 2042 + b"\r\n"
S: 500 5\.5\.2 Error: line too long
C-EVAL: b"MAIL FROM:<" + b"a" * 10000 + b"@mycompany.com>\r\n"
S: 500 5\.5\.2 Error: line too long
# the rest of the long line was discarded, not taken as a command
C: NOOP
S: 250 2\.0\.0 Ok
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
