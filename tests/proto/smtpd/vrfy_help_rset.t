# VRFY never tells who exists; HELP; NOOP; RSET forgets the transaction.
S: 220 .*
C: VRFY me@mycompany.com
S: 252 2\.0\.0 Cannot VRFY user, but will accept message and attempt delivery
C: vrfy nosuchuser
S: 252 2\.0\.0 Cannot VRFY user, but will accept message and attempt delivery
C: VRFY
S: 501 5\.5\.4 Syntax: VRFY address
C: HELP
S: 214 2\.0\.0 .*
C: help mail
S: 214 2\.0\.0 .*
C: NOOP
S: 250 2\.0\.0 Ok
C: noop with an argument
S: 250 2\.0\.0 Ok
C: HELO client.example.org
S: 250 mail\.mycompany\.com
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: rset
S: 250 2\.0\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 503 5\.5\.1 Error: need MAIL command
C: RSET
S: 250 2\.0\.0 Ok
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: quit
S: 221 2\.0\.0 Bye
@expect-close
@queue count 0
