# From outside plaintext_auth_networks, AUTH is neither advertised nor
# accepted without TLS (538 5.7.11, RFC 4954 6), and relaying stays
# closed.
@conf plaintext_auth_networks = 127.0.0.0/8
@remote 192.0.2.7
S: 220 .*
C: EHLO client.example.org
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE .*
S: 250-8BITMIME
S: 250-STARTTLS
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: 538 5\.7\.11 Encryption required for requested authentication mechanism
C: AUTH LOGIN
S: 538 5\.7\.11 Encryption required for requested authentication mechanism
@log reject: AUTH without TLS from unknown\[192\.0\.2\.7\]
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<someone@example.org>
S: 554 5\.7\.1 <someone@example\.org>: Relay access denied
C: QUIT
S: 221 .*
@expect-close
