# The queue's file system is full: quail-queue fails with ENOSPC (its
# reason carries 4.3.1) and the client gets 452 4.3.1; nothing is queued
# and the session goes on. Needs root (tmpfs mount); skipped otherwise.
@queue-tmpfs 64k
S: 220 .*
C: HELO client.example.org
S: 250 mail\.mycompany\.com
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C-EVAL: b"Subject: too big for the disk\r\n\r\n" + (b"x" * 76 + b"\r\n") * 4000 + b".\r\n"
S: 452 4\.3\.1 Insufficient system storage
C: NOOP
S: 250 2\.0\.0 Ok
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 0
