# A client outside relay_networks may relay once authenticated (on every
# port), and not before.
@conf auth_fail_delay = 0
@conf plaintext_auth_networks = 192.0.2.0/24
@remote 192.0.2.7
S: 220 .*
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-STARTTLS
S: 250-AUTH PLAIN LOGIN
S: 250-.*
S: 250 SMTPUTF8
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<someone@example.org>
S: 554 5\.7\.1 <someone@example\.org>: Relay access denied
C: RSET
S: 250 2\.0\.0 Ok
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: 235 2\.7\.0 Authentication successful
C: MAIL FROM:<myuser@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<someone@example.org>
S: 250 2\.1\.5 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: relayed
C:
C: hi
C: .
S: 250 2\.0\.0 Ok: queued as [0-9A-F]+
@queue count 1
@queue-contains \nRsomeone@example.org\n
@queue-contains \nAmyuser@mycompany.com\n
C: QUIT
S: 221 .*
@expect-close
