# Implicit TLS (-t, port 993, RFC 8314): TLS from the first byte, then the
# greeting without STARTTLS; login and a session over TLS (as root the
# child stays on as the TLS proxy).
@args -t
@remote 192.0.2.7
@conf auth_fail_delay = 0
@tls
S: \* OK \[CAPABILITY IMAP4rev1 LITERAL\+ SASL-IR ID ENABLE IDLE AUTH=PLAIN AUTH=LOGIN\] quail IMAP ready\.
C: a STARTTLS
S: a BAD TLS is already active\.
C: b LOGIN myuser@mycompany.com mypassword
S: b OK \[CAPABILITY IMAP4rev1 .*\] Logged in
C: c SELECT INBOX
S: \* FLAGS \(.*\)
S: \* OK \[PERMANENTFLAGS \(.*\)\] Flags permitted\.
S: \* 0 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 1\] Predicted next UID
S: c OK \[READ-WRITE\] Select completed\.
C: d LOGOUT
S: \* BYE Logging out
S: d OK Logout completed\.
@expect-close
