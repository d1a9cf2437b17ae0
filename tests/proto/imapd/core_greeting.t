# Greeting with the pre-login capabilities (plaintext allowed from
# 127.0.0.1 in the test instance: AUTH= offered; STARTTLS since a
# certificate is set), CAPABILITY, NOOP, LOGOUT.
S: \* OK \[CAPABILITY IMAP4rev1 LITERAL\+ SASL-IR ID ENABLE IDLE STARTTLS AUTH=PLAIN AUTH=LOGIN\] quail IMAP ready\.
C: a CAPABILITY
S: \* CAPABILITY IMAP4rev1 LITERAL\+ SASL-IR ID ENABLE IDLE STARTTLS AUTH=PLAIN AUTH=LOGIN
S: a OK Capability completed\.
C: b noop
S: b OK NOOP completed\.
C: c LOGOUT
S: \* BYE Logging out
S: c OK Logout completed\.
@expect-close
