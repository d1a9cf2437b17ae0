# -v logs the protocol: client lines "< ...", replies "> ...", and the
# accepted message with its queue id.
@args -v
S: 220 .*
C: HELO client.example.org
S: 250 mail\.mycompany\.com
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: traced
C:
C: secret body text
C: .
S: 250 2\.0\.0 Ok: queued as \S+
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@log < MAIL FROM:<me@mycompany\.com>
@log > 250 2\.1\.0 Ok
@log > 220 mail\.mycompany\.com ESMTP quail
@log id=\S+ > 250 2\.0\.0 Ok: queued as
@log id=\S+ < QUIT
