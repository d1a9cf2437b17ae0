# Local domains: only known users (users.cdb, aliases) are accepted, at
# RCPT time; unknown ones get 550 5.1.1 (no backscatter). Domains are
# case-insensitive; the relay client may still send to other domains.
@remote 192.0.2.7
S: 220 .*
C: HELO client.example.org
S: 250 mail\.mycompany\.com
C: MAIL FROM:<someone@example.org>
S: 250 2\.1\.0 Ok
C: RCPT TO:<nosuchuser@mycompany.com>
S: 550 5\.1\.1 <nosuchuser@mycompany\.com>: Recipient address rejected: User unknown in local recipient table
C: RCPT TO:<nosuchuser@MyCompany.COM>
S: 550 5\.1\.1 <nosuchuser@mycompany\.com>: Recipient address rejected: User unknown in local recipient table
C: RCPT TO:<myuser@MYCOMPANY.com>
S: 250 2\.1\.5 Ok
# an alias (postmaster -> myuser) and <postmaster> without a domain
C: RCPT TO:<postmaster@mycompany.com>
S: 250 2\.1\.5 Ok
C: RCPT TO:<postmaster>
S: 250 2\.1\.5 Ok
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@log reject: unknown user to=<nosuchuser@mycompany\.com>
