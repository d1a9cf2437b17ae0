# The null reverse-path <> (bounces, RFC 5321 4.5.5) is accepted.
S: 220 .*
C: EHLO mailer-daemon.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250 SMTPUTF8
C: MAIL FROM:<>
S: 250 2\.1\.0 Ok
C: RCPT TO:<me@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: Undelivered Mail Returned to Sender
C:
C: bounce
C: .
S: 250 2\.0\.0 Ok: queued as \S+
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 1
@log from=<> to=<me@mycompany\.com>
