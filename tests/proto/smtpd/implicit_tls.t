# -t (SMTPS, port 465): TLS before the greeting; no STARTTLS offered.
@args -t
@tls
S: 220 mail\.mycompany\.com .*
C: EHLO client.example.org
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE .*
S: 250-8BITMIME
S: 250-AUTH PLAIN LOGIN
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: QUIT
S: 221 .*
@expect-close
