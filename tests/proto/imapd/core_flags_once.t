# "* FLAGS" is sent once per change of the keyword list: STORE announces a
# keyword it creates itself (before its FETCH lines), and neither the
# untagged updates of the same command (UID STORE is followed by a sync)
# nor those of a later command (EXPUNGE, NOOP) repeat it.
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur:S Subject: one\n\n1\n
@mail myuser@mycompany.com INBOX cur:S Subject: two\n\n2\n
@mail myuser@mycompany.com INBOX cur:S Subject: three\n\n3\n
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK \[CAPABILITY .*\] Logged in
C: b SELECT INBOX
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft\)
S: \* OK \[PERMANENTFLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \\\*\)\] Flags permitted\.
S: \* 3 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 4\] Predicted next UID
S: b OK \[READ-WRITE\] Select completed\.
C: c STORE 1 +FLAGS (\Deleted $Foo)
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \$Foo\)
S: \* OK \[PERMANENTFLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \$Foo \\\*\)\] Flags permitted\.
S: \* 1 FETCH \(FLAGS \(\\Deleted \\Seen \$Foo\)\)
S: c OK Store completed\.
C: d STORE 2 +FLAGS.SILENT (\Deleted)
S: d OK Store completed\.
C: e EXPUNGE
S: \* 2 EXPUNGE
S: \* 1 EXPUNGE
S: e OK Expunge completed\.
C: f UID STORE 3 +FLAGS ($Bar)
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \$Foo \$Bar\)
S: \* OK \[PERMANENTFLAGS \(.* \$Bar \\\*\)\] Flags permitted\.
S: \* 1 FETCH \(UID 3 FLAGS \(\\Seen \$Bar\)\)
S: f OK Store completed\.
C: g NOOP
S: g OK NOOP completed\.
C: h UID STORE 3 +FLAGS ($Foo)
S: \* 1 FETCH \(UID 3 FLAGS \(\\Seen \$Foo \$Bar\)\)
S: h OK Store completed\.
C: i NOOP
S: i OK NOOP completed\.
C: p LOGOUT
S: \* BYE Logging out
S: p OK Logout completed\.
@expect-close
