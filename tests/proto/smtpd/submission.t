# Submission (-s, RFC 6409): MAIL needs AUTH (530 5.7.0); afterwards any
# domain may be reached, and a message without Date: and Message-ID: gets
# both at the end of its header section.
@args -s
@conf auth_fail_delay = 0
@conf plaintext_auth_networks = 127.0.0.0/8
@conf relay_networks = 192.0.2.0/24
@remote 127.0.0.1
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
C: MAIL FROM:<myuser@mycompany.com>
S: 530 5\.7\.0 Authentication required
C: RCPT TO:<myuser@mycompany.com>
S: 503 5\.5\.1 Error: need MAIL command
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAHdyb25n
S: 535 5\.7\.8 Error: authentication failed
C: MAIL FROM:<myuser@mycompany.com>
S: 530 5\.7\.0 Authentication required
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: 235 2\.7\.0 Authentication successful
C: MAIL FROM:<myuser@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<friend@example.org>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: From: <myuser@mycompany.com>
C: To: <friend@example.org>
C: Subject: missing fields
C:
C: body line
C: .
S: 250 2\.0\.0 Ok: queued as [0-9A-F]+
@queue count 1
@queue-contains Subject: missing fields\nDate: 
@queue-contains \nMessage-ID: <
@queue-contains @mail.mycompany.com>\n\nbody line\n
@queue-contains \nAmyuser@mycompany.com\n
C: QUIT
S: 221 .*
@expect-close
