# IDLE (RFC 2177): "+ idling", DONE ends it with OK (in any case); any
# other line ends it with BAD; IDLE also works in the authenticated
# state without a mailbox; IDLE takes no arguments.
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur:S Subject: one\n\n1\n
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK \[CAPABILITY .*\] Logged in
C: b IDLE
S: \+ idling
C: done
S: b OK Idle completed\.
C: c SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*\] Flags permitted\.
S: \* 1 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 2\] Predicted next UID
S: c OK \[READ-WRITE\] Select completed\.
C: d IDLE
S: \+ idling
C: DONE
S: d OK Idle completed\.
C: e IDLE
S: \+ idling
C: f NOOP
S: e BAD Expected DONE\.
C: g IDLE now
S: g BAD IDLE takes no arguments\.
C-RAW: h IDLE\r\nDONE\r\ni NOOP\r\n
S: \+ idling
S: h OK Idle completed\.
S: i OK NOOP completed\.
C: j LOGOUT
S: \* BYE Logging out
S: j OK Logout completed\.
@expect-close
