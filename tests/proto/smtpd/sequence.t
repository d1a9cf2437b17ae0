# Commands out of order: 503 5.5.1, and the session goes on.
@conf error_limit = 50
S: 220 .*
C: MAIL FROM:<me@mycompany.com>
S: 503 5\.5\.1 Error: send HELO/EHLO first
C: RCPT TO:<me@mycompany.com>
S: 503 5\.5\.1 Error: send HELO/EHLO first
C: DATA
S: 503 5\.5\.1 Error: send HELO/EHLO first
C: HELO client.example.org
S: 250 mail\.mycompany\.com
C: RCPT TO:<me@mycompany.com>
S: 503 5\.5\.1 Error: need MAIL command
C: DATA
S: 503 5\.5\.1 Error: need RCPT command
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: MAIL FROM:<me@mycompany.com>
S: 503 5\.5\.1 Error: nested MAIL command
C: DATA
S: 503 5\.5\.1 Error: need RCPT command
# a rejected recipient is not a valid one
C: RCPT TO:<nosuchuser@mycompany.com>
S: 550 5\.1\.1 .*
C: DATA
S: 503 5\.5\.1 Error: need RCPT command
C: RCPT TO:<me@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA extra
S: 501 5\.5\.4 Syntax: DATA
C: RSET
S: 250 2\.0\.0 Ok
C: DATA
S: 503 5\.5\.1 Error: need RCPT command
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 0
