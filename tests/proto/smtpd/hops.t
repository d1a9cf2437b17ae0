# More than 100 Received: fields is a mail loop: 554 5.4.6 after the
# final dot, nothing queued. Exactly 100 is fine.
S: 220 .*
C: HELO client.example.org
S: 250 mail\.mycompany\.com
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C-REPEAT: 101 Received: from a.example by b.example; Mon, 1 Jan 2024 00:00:00 +0000
C: Subject: looping
C:
C: round and round
C: .
S: 554 5\.4\.6 Error: too many hops
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C-REPEAT: 100 Received: from a.example by b.example; Mon, 1 Jan 2024 00:00:00 +0000
C: Subject: long way
C:
C: almost a loop
C: .
S: 250 2\.0\.0 Ok: queued as \S+
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 1
@queue-lacks round and round
