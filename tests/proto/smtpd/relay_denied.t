# A client outside relay_networks may only send to local domains.
@remote 192.0.2.7
S: 220 .*
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250 SMTPUTF8
C: MAIL FROM:<someone@example.org>
S: 250 2\.1\.0 Ok
C: RCPT TO:<victim@example.net>
S: 554 5\.7\.1 <victim@example\.net>: Relay access denied
C: RCPT TO:<victim@[192.0.2.1]>
S: 554 5\.7\.1 <victim@\[192\.0\.2\.1\]>: Relay access denied
C: DATA
S: 503 5\.5\.1 Error: need RCPT command
C: RCPT TO:<me@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: inbound
C:
C: hello
C: .
S: 250 2\.0\.0 Ok: queued as \S+
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 1
@queue-contains Received: from client.example.org (unknown [192.0.2.7])
@log reject: relay denied to=<victim@example\.net> client=192\.0\.2\.7
