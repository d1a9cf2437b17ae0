# A client that stops in the middle of DATA: 421 4.4.2, nothing queued.
@conf smtp_timeout = 2s
@timeout 15
S: 220 .*
C: HELO client.example.org
S: 250 mail\.mycompany\.com
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: half a message
C:
S: 421 4\.4\.2 mail\.mycompany\.com Error: timeout exceeded
@expect-close
@queue count 0
@log timeout in DATA
