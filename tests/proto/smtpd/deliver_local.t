# End to end with quail-send running: the seed message reaches the
# Maildir of myuser@mycompany.com.
@send
S: 220 .*
C: ehlo mycompany.com
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250 SMTPUTF8
C: mail from: me@mycompany.com
S: 250 2\.1\.0 Ok
C: rcpt to: myuser@mycompany.com
S: 250 2\.1\.5 Ok
C: data
S: 354 .*
C: Subject: Test Email
C:
C: My Test Email from me!
C: .
S: 250 2\.0\.0 Ok: queued as \S+
C: quit
S: 221 2\.0\.0 Bye
@expect-close
@timeout 20
@maildir myuser@mycompany.com count 1
@queue count 0
