# STARTTLS command injection (CVE-2011-0411, RFC 3207 4.2): commands
# pipelined behind STARTTLS in the same write are plaintext and must be
# dropped, not run inside the TLS session. The NOOP must not be answered:
# the first reply after the handshake is the one to our EHLO.
S: 220 .*
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-STARTTLS
S: 250-.*
S: 250-.*
S: 250 SMTPUTF8
C-RAW: STARTTLS\r\nNOOP\r\n
S: 220 2\.0\.0 Ready to start TLS
@tls
C: EHLO again.example.org
S: 250-mail\.mycompany\.com
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-AUTH PLAIN LOGIN
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: QUIT
S: 221 .*
@expect-close
