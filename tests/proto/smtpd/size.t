# message_size_limit: advertised in EHLO, checked against SIZE= at MAIL
# (552 5.3.4) and against the real size after the final dot (the message
# is read to the end, nothing is queued, the session goes on).
@conf message_size_limit = 1000
S: 220 .*
C: EHLO client.example.org
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE 1000
S: 250-8BITMIME
S: 250-STARTTLS
S: 250-AUTH PLAIN LOGIN
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: MAIL FROM:<me@mycompany.com> SIZE=1001
S: 552 5\.3\.4 Message size exceeds fixed limit
C: RCPT TO:<myuser@mycompany.com>
S: 503 5\.5\.1 Error: need MAIL command
C: MAIL FROM:<me@mycompany.com> SIZE=99999999999999999999999999
S: 501 5\.5\.4 Bad SIZE parameter
C: MAIL FROM:<me@mycompany.com> SIZE=1000
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C-EVAL: b"Subject: big\r\n\r\n" + b"0123456789abcdef" * 100 + b"\r\n.\r\n"
S: 552 5\.3\.4 Error: message file too big
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: small
C:
C: fits
C: .
S: 250 2\.0\.0 Ok: queued as \S+
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 1
@queue-lacks 0123456789abcdef
