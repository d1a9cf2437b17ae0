# Dot-stuffing (RFC 5321 4.5.2) is undone; CRLF becomes LF in the queue.
S: 220 .*
C: HELO client.example.org
S: 250 mail\.mycompany\.com
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: dots
C:
C: ..
C: ..leading dot
C: ...
C: not.a.dot .
C: .
S: 250 2\.0\.0 Ok: queued as \S+
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 1
@queue-contains \n\n.\n.leading dot\n..\nnot.a.dot .\n
@queue-lacks \n..leading dot
@queue-lacks \r
