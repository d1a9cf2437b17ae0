# HELO/EHLO arguments: a bare IP, an address literal, any case; the
# argument is required; EHLO may be repeated and resets the transaction.
S: 220 .*
C: EHLO 127.0.0.1
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE \d+
S: 250-8BITMIME
S: 250-STARTTLS
S: 250-AUTH PLAIN LOGIN
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: eHlO [127.0.0.1]
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE \d+
S: 250-8BITMIME
S: 250-STARTTLS
S: 250-AUTH PLAIN LOGIN
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: helo localhost
S: 250 mail\.mycompany\.com
# Windows host names are not valid domains, and are accepted (Postfix too)
C: helo my_pc
S: 250 mail\.mycompany\.com
C: EHLO
S: 501 5\.5\.4 Syntax: EHLO hostname
C: HELO
S: 501 5\.5\.4 Syntax: HELO hostname
C: HELO two words
S: 501 5\.5\.4 Syntax: HELO hostname
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
# EHLO resets the transaction: RCPT now needs a new MAIL
C: EHLO client.example.org
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE \d+
S: 250-8BITMIME
S: 250-STARTTLS
S: 250-AUTH PLAIN LOGIN
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: RCPT TO:<me@mycompany.com>
S: 503 5\.5\.1 Error: need MAIL command
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
