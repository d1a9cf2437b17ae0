@remote ::1
S: 220 .*
C: HELO localhost
S: 250 mail\.mycompany\.com
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<friend@example.org>
S: 250 2\.1\.5 Ok
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
