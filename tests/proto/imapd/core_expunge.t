# EXPUNGE (RFC 3501 6.4.3) reports "* n EXPUNGE" for each \Deleted message,
# each number valid when sent (descending); UID EXPUNGE (RFC 4315 2.1)
# removes only the given UIDs; EXPUNGE in a read-only (EXAMINE'd) mailbox
# is NO; CLOSE expunges silently (6.4.2); UNSELECT (RFC 3691) does not.
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur:S Subject: one\n\n1\n
@mail myuser@mycompany.com INBOX cur:ST Subject: two\n\n2\n
@mail myuser@mycompany.com INBOX cur:S Subject: three\n\n3\n
@mail myuser@mycompany.com INBOX cur:T Subject: four\n\n4\n
@mail myuser@mycompany.com INBOX cur:T Subject: five\n\n5\n
@mail myuser@mycompany.com INBOX cur:T Subject: six\n\n6\n
@mail myuser@mycompany.com INBOX cur:T Subject: seven\n\n7\n
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK \[CAPABILITY .*\] Logged in
C: b EXAMINE INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS \(\)\] Read-only mailbox\.
S: \* 7 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 4\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 8\] Predicted next UID
S: b OK \[READ-ONLY\] Examine completed\.
C: c EXPUNGE
S: c NO \[READ-ONLY\] Mailbox is read-only\.
C: d CLOSE
S: d OK Close completed\.
C: e SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*\] Flags permitted\.
S: \* 7 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 4\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 8\] Predicted next UID
S: e OK \[READ-WRITE\] Select completed\.
C: f UID EXPUNGE 4:5
S: \* 5 EXPUNGE
S: \* 4 EXPUNGE
S: f OK Expunge completed\.
C: g UNSELECT
S: g OK Unselect completed\.
C: h SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*\] Flags permitted\.
S: \* 5 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 4\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 8\] Predicted next UID
S: h OK \[READ-WRITE\] Select completed\.
C: i EXPUNGE
S: \* 5 EXPUNGE
S: \* 4 EXPUNGE
S: \* 2 EXPUNGE
S: i OK Expunge completed\.
C: j UID EXPUNGE
S: j BAD Invalid arguments\.
C: k EXPUNGE 1
S: k BAD Invalid arguments\.
C: l CLOSE
S: l OK Close completed\.
C: m EXAMINE INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS \(\)\] Read-only mailbox\.
S: \* 2 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 8\] Predicted next UID
S: m OK \[READ-ONLY\] Examine completed\.
C: n UNSELECT
S: n OK Unselect completed\.
C: o CLOSE
S: o BAD Error in IMAP command CLOSE: No mailbox selected\.
C: p LOGOUT
S: \* BYE Logging out
S: p OK Logout completed\.
@expect-close
