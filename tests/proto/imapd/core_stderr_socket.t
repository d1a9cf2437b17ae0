# Under xinetd stderr is the client's socket: nothing but the protocol
# may appear there, also after a login as root (privilege separation).
@stderr-socket
@conf auth_fail_delay = 0
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK \[CAPABILITY .*\] Logged in
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*\] Flags permitted\.
S: \* 0 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 1\] Predicted next UID
S: b OK \[READ-WRITE\] Select completed\.
C: c LOGOUT
S: \* BYE Logging out
S: c OK Logout completed\.
@expect-close
