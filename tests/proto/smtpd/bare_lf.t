# Command lines may end in a bare LF (some telnets, nc without -C); in
# DATA a bare LF rejects the message after the real end.
S: 220 .*
C-RAW: HELO client.example.org\n
S: 250 mail\.mycompany\.com
C-RAW: MAIL FROM:<me@mycompany.com>\n
S: 250 2\.1\.0 Ok
C-RAW: RCPT TO:<myuser@mycompany.com>\n
S: 250 2\.1\.5 Ok
C-RAW: DATA\n
S: 354 .*
C-RAW: Subject: bare\r\n\r\nline one\nline two\r\n.\r\n
S: 550 5\.5\.2 Error: bare <LF> received
C-RAW: MAIL FROM:<me@mycompany.com>\r\nRCPT TO:<myuser@mycompany.com>\r\nDATA\r\n
S: 250 2\.1\.0 Ok
S: 250 2\.1\.5 Ok
S: 354 .*
C-RAW: Subject: ok\r\n\r\nline one\r\nline two\r\n.\r\n
S: 250 2\.0\.0 Ok: queued as \S+
C-RAW: QUIT\n
S: 221 2\.0\.0 Bye
@expect-close
@queue count 1
@queue-contains \nline one\nline two\n
@queue-lacks Subject: bare
