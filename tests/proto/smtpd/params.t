# Unknown MAIL/RCPT parameters: 555 5.5.4 (RFC 5321 4.1.1.11).
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
C: MAIL FROM:<me@mycompany.com> RET=HDRS
S: 555 5\.5\.4 Unsupported option: RET
# AUTH= (RFC 4954 5) is accepted, and ignored without AUTH; its value
# must be xtext or <>.
C: MAIL FROM:<me@mycompany.com> AUTH=a=b
S: 501 5\.5\.4 Bad AUTH parameter
C: MAIL FROM:<me@mycompany.com> AUTH=me+2Bx+3D
S: 250 2\.1\.0 Ok
C: RSET
S: 250 2\.0\.0 Ok
C: MAIL FROM:<me@mycompany.com> AUTH=<>
S: 250 2\.1\.0 Ok
C: RSET
S: 250 2\.0\.0 Ok
C: mail from: <me@mycompany.com> size=100 body=8bitmime
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com> NOTIFY=NEVER
S: 555 5\.5\.4 Unsupported option: NOTIFY
C: rcpt to: <myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
