# Submission leaves a message that has Date: and Message-ID: alone
# (folded, odd case), and adds the fields to a message that is all header
# and no body.
@args -s
@conf auth_fail_delay = 0
@conf plaintext_auth_networks = 127.0.0.0/8
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
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: 235 2\.7\.0 Authentication successful
C: MAIL FROM:<myuser@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<me@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: message-id:
C:  <given@example.org>
C: DATE: Mon, 1 Jan 2024 00:00:00 +0000
C: Subject: present
C:
C: body
C: .
S: 250 2\.0\.0 Ok: queued as [0-9A-F]+
@queue count 1
@queue-contains Subject: present\n\nbody\n
@queue-lacks @mail.mycompany.com>
C: MAIL FROM:<myuser@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<me@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: header only
C: .
S: 250 2\.0\.0 Ok: queued as [0-9A-F]+
@queue count 2
@queue-contains Subject: header only\nDate: 
@queue-contains @mail.mycompany.com>\n
C: QUIT
S: 221 .*
@expect-close
