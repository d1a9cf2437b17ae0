# SELECT and EXAMINE (RFC 3501 6.3.1-2) answer as Dovecot does: FLAGS,
# PERMANENTFLAGS (none when read-only), EXISTS, RECENT (messages in new/),
# UNSEEN (the first message without \Seen), UIDVALIDITY, UIDNEXT. EXAMINE
# moves nothing; SELECT takes new/ into cur/ (\Recent for this session
# only, so a second SELECT sees none). Selecting again closes the old
# mailbox first ([CLOSED], RFC 7162 3.2.11), even when the new one does
# not exist: the state is then "authenticated".
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur:S Subject: one\n\nbody one\n
@mail myuser@mycompany.com INBOX new Subject: two\n\nbody two\n
@mail myuser@mycompany.com INBOX new Subject: three\n\nbody three\n
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK \[CAPABILITY .*\] Logged in
C: b EXAMINE inbox
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft\)
S: \* OK \[PERMANENTFLAGS \(\)\] Read-only mailbox\.
S: \* 3 EXISTS
S: \* 2 RECENT
S: \* OK \[UNSEEN 2\] First unseen\.
S: \* OK \[UIDVALIDITY [1-9][0-9]*\] UIDs valid
S: \* OK \[UIDNEXT 4\] Predicted next UID
S: b OK \[READ-ONLY\] Examine completed\.
C: c SELECT "INBOX"
S: \* OK \[CLOSED\] Previous mailbox closed\.
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft\)
S: \* OK \[PERMANENTFLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \\\*\)\] Flags permitted\.
S: \* 3 EXISTS
S: \* 2 RECENT
S: \* OK \[UNSEEN 2\] First unseen\.
S: \* OK \[UIDVALIDITY [1-9][0-9]*\] UIDs valid
S: \* OK \[UIDNEXT 4\] Predicted next UID
S: c OK \[READ-WRITE\] Select completed\.
C: d SELECT Inbox
S: \* OK \[CLOSED\] Previous mailbox closed\.
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft\)
S: \* OK \[PERMANENTFLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \\\*\)\] Flags permitted\.
S: \* 3 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 2\] First unseen\.
S: \* OK \[UIDVALIDITY [1-9][0-9]*\] UIDs valid
S: \* OK \[UIDNEXT 4\] Predicted next UID
S: d OK \[READ-WRITE\] Select completed\.
C: e SELECT nosuch
S: \* OK \[CLOSED\] Previous mailbox closed\.
S: e NO \[NONEXISTENT\] Mailbox doesn't exist: nosuch
C: f CHECK
S: f BAD Error in IMAP command CHECK: No mailbox selected\.
C: g SELECT ../etc
S: g NO .*
C: h SELECT INBOX.sub
S: h NO Mailboxes cannot be children of INBOX\.
C: i SELECT
S: i BAD Invalid arguments\.
C: j LOGOUT
S: \* BYE Logging out
S: j OK Logout completed\.
@expect-close
