# recipient_limit: 452 4.5.3 for the extra recipients; the message still
# goes to the accepted ones. A duplicate recipient is accepted once.
@conf recipient_limit = 2
S: 220 .*
C: HELO client.example.org
S: 250 mail\.mycompany\.com
C: MAIL FROM:<someone@example.org>
S: 250 2\.1\.0 Ok
C: RCPT TO:<me@mycompany.com>
S: 250 2\.1\.5 Ok
C: RCPT TO:<me@mycompany.com>
S: 250 2\.1\.5 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: RCPT TO:<postmaster@mycompany.com>
S: 452 4\.5\.3 Error: too many recipients
C: DATA
S: 354 .*
C: Subject: two
C:
C: .
S: 250 2\.0\.0 Ok: queued as \S+
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 1
@log to=<me@mycompany\.com>,<myuser@mycompany\.com> size
