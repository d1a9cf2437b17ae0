# Syntax errors (501), unknown commands (502), empty and NUL lines (500).
@conf error_limit = 50
S: 220 .*
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250 SMTPUTF8
C: MAIL
S: 501 5\.5\.4 Syntax: MAIL FROM:<address>
C: MAIL TO:<me@mycompany.com>
S: 501 5\.5\.4 Syntax: MAIL FROM:<address>
C: MAIL FROM:
S: 501 5\.5\.4 Syntax: MAIL FROM:<address>
C: MAIL FROM:<me@mycompany.com
S: 501 5\.1\.7 Bad sender address syntax.*
C: MAIL FROM:<me@mycompany.com>junk
S: 501 5\.1\.7 Bad sender address syntax.*
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT
S: 501 5\.5\.4 Syntax: RCPT TO:<address>
C: RCPT FROM:<me@mycompany.com>
S: 501 5\.5\.4 Syntax: RCPT TO:<address>
C: RCPT TO:<>
S: 501 5\.1\.3 Bad recipient address syntax.*
C: RCPT TO:<nodomain>
S: 501 5\.1\.3 Bad recipient address syntax.*
C: XYZZY
S: 502 5\.5\.2 Error: command not recognized
C: EXPN staff
S: 502 5\.5\.2 Error: command not recognized
C:
S: 500 5\.5\.2 Error: bad syntax
C-RAW: NOOP\x00\r\n
S: 500 5\.5\.2 Error: bad syntax
C: QUIT now
S: 501 5\.5\.4 Syntax: QUIT
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
