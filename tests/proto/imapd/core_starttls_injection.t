# STARTTLS command injection (RFC 3501 6.2.1, CVE-2011-0411): commands
# pipelined behind STARTTLS in the same write are plaintext and must be
# dropped, not run inside the TLS session. The first reply under TLS is
# the one to our own NOOP.
S: \* OK \[CAPABILITY .*STARTTLS.*\] quail IMAP ready\.
C-RAW: a STARTTLS\r\nb NOOP\r\nc LOGIN myuser@mycompany.com mypassword\r\n
S: a OK Begin TLS negotiation now\.
@tls
C: d NOOP
S: d OK NOOP completed\.
C: e LOGOUT
S: \* BYE Logging out
S: e OK Logout completed\.
@expect-close
