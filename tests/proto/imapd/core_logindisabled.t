# From outside plaintext_auth_networks and without TLS: LOGINDISABLED, no
# AUTH= (RFC 3501 6.2.3, 7.2.1); LOGIN and AUTHENTICATE get NO
# [PRIVACYREQUIRED] (RFC 5530). After STARTTLS the login is allowed and
# STARTTLS is no longer offered.
@remote 192.0.2.7
@conf auth_fail_delay = 0
S: \* OK \[CAPABILITY IMAP4rev1 LITERAL\+ SASL-IR ID ENABLE IDLE STARTTLS LOGINDISABLED\] quail IMAP ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a NO \[PRIVACYREQUIRED\] Plaintext authentication disallowed on non-secure \(SSL/TLS\) connections\.
C: b AUTHENTICATE PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: b NO \[PRIVACYREQUIRED\] Plaintext authentication disallowed on non-secure \(SSL/TLS\) connections\.
C: c STARTTLS
S: c OK Begin TLS negotiation now\.
@tls
C: d CAPABILITY
S: \* CAPABILITY IMAP4rev1 LITERAL\+ SASL-IR ID ENABLE IDLE AUTH=PLAIN AUTH=LOGIN
S: d OK Capability completed\.
C: e STARTTLS
S: e BAD TLS is already active\.
C: f LOGIN myuser@mycompany.com mypassword
S: f OK \[CAPABILITY IMAP4rev1 .*\] Logged in
C: g LOGOUT
S: \* BYE Logging out
S: g OK Logout completed\.
@expect-close
@log login of myuser@mycompany\.com from 192\.0\.2\.7 \(TLS\)
