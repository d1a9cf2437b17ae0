# CLOSE (RFC 3501 6.4.2) removes the \Deleted messages of a read-write
# mailbox without a single EXPUNGE response; UNSELECT (RFC 3691) and the
# CLOSE of an EXAMINE'd mailbox remove nothing.
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur:S Subject: one\n\n1\n
@mail myuser@mycompany.com INBOX cur:ST Subject: two\n\n2\n
@mail myuser@mycompany.com INBOX cur:T Subject: three\n\n3\n
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK \[CAPABILITY .*\] Logged in
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*\] Flags permitted\.
S: \* 3 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 3\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 4\] Predicted next UID
S: b OK \[READ-WRITE\] Select completed\.
C: c UNSELECT
S: c OK Unselect completed\.
C: d EXAMINE INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS \(\)\] Read-only mailbox\.
S: \* 3 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 3\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 4\] Predicted next UID
S: d OK \[READ-ONLY\] Examine completed\.
C: e CLOSE
S: e OK Close completed\.
C: f SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*\] Flags permitted\.
S: \* 3 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 3\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 4\] Predicted next UID
S: f OK \[READ-WRITE\] Select completed\.
C: g CLOSE
S: g OK Close completed\.
C: h EXAMINE INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS \(\)\] Read-only mailbox\.
S: \* 1 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 4\] Predicted next UID
S: h OK \[READ-ONLY\] Examine completed\.
C: i LOGOUT
S: \* BYE Logging out
S: i OK Logout completed\.
@expect-close
