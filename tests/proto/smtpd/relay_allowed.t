# From 127.0.0.1 (relay_networks) any domain is accepted; IPv6 ::1 too
# (see relay_allowed_v6.t).
@remote 127.0.0.1
S: 220 .*
C: HELO localhost
S: 250 mail\.mycompany\.com
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<friend@example.org>
S: 250 2\.1\.5 Ok
C: RCPT TO:<other@example.net>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: outbound
C:
C: hi
C: .
S: 250 2\.0\.0 Ok: queued as \S+
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 1
# two recipients: no "for" clause, the date follows the id
@queue-contains \tby mail.mycompany.com (quail) with SMTP id 
@log to=<friend@example\.org>,<other@example\.net>
