# STORE and UID STORE (RFC 3501 6.4.6, 6.4.8): FLAGS, +FLAGS, -FLAGS and
# .SILENT with system flags and keywords, a list or bare flag atoms;
# a new keyword is announced (FLAGS, PERMANENTFLAGS) before the FETCH;
# UID STORE answers with UID; STORE on an EXAMINE'd mailbox changes
# nothing; bad arguments get BAD.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@conf error_limit = 100
@mail myuser@mycompany.com INBOX cur Subject: one\n\nbody1\n
@mail myuser@mycompany.com INBOX cur:S Subject: two\n\nbody2\n
@mail myuser@mycompany.com INBOX new Subject: three\n\nbody3\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b SELECT INBOX
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft\)
S: \* OK \[PERMANENTFLAGS .*
S: \* 3 EXISTS
S: \* 1 RECENT
S: \* OK \[UNSEEN 1\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 4\] Predicted next UID
S: b OK \[READ-WRITE\] Select completed\.
C: s1 STORE 1 +FLAGS (\Seen)
S: \* 1 FETCH \(FLAGS \(\\Seen\)\)
S: s1 OK Store completed\.
# bare flag atoms, any case; every message of the set is answered
C: s2 STORE 1:* +FLAGS \flagged \ANSWERED
S: \* 1 FETCH \(FLAGS \(\\Answered \\Flagged \\Seen\)\)
S: \* 2 FETCH \(FLAGS \(\\Answered \\Flagged \\Seen\)\)
S: \* 3 FETCH \(FLAGS \(\\Answered \\Flagged \\Recent\)\)
S: s2 OK Store completed\.
C: s3 STORE 2 -FLAGS (\Flagged \Answered)
S: \* 2 FETCH \(FLAGS \(\\Seen\)\)
S: s3 OK Store completed\.
C: s4 store 1 flags (\Deleted)
S: \* 1 FETCH \(FLAGS \(\\Deleted\)\)
S: s4 OK Store completed\.
C: s5 STORE 1 FLAGS.SILENT (\Seen \Draft)
S: s5 OK Store completed\.
# UID STORE: UID in every FETCH
C: u1 UID STORE 2:3 +FLAGS (\Deleted)
S: \* 2 FETCH \(UID 2 FLAGS \(\\Deleted \\Seen\)\)
S: \* 3 FETCH \(UID 3 FLAGS \(\\Answered \\Flagged \\Deleted \\Recent\)\)
S: u1 OK Store completed\.
C: u2 UID STORE 3:99 -FLAGS \Deleted
S: \* 3 FETCH \(UID 3 FLAGS \(\\Answered \\Flagged \\Recent\)\)
S: u2 OK Store completed\.
C: u3 UID STORE 50:60 +FLAGS (\Seen)
S: u3 OK Store completed\.
C: u4 UID STORE 1 FLAGS.SILENT (\Seen \Draft)
S: u4 OK Store completed\.
# (every command but STORE, FETCH and SEARCH without UID ends with a
# sync, which may announce a keyword list again: after a new keyword this
# script sends only those until EXAMINE)
C: x1 STORE
S: x1 BAD .*
# a new keyword: FLAGS and PERMANENTFLAGS first
C: s6 STORE 1 +FLAGS ($Junk)
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \$Junk\)
S: \* OK \[PERMANENTFLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \$Junk \\\*\)\] Flags permitted\.
S: \* 1 FETCH \(FLAGS \(\\Seen \\Draft \$Junk\)\)
S: s6 OK Store completed\.
# a known keyword in another case: no new FLAGS
C: s7 STORE 2 +FLAGS.SILENT ($junk)
S: s7 OK Store completed\.
# removing an unknown keyword creates nothing
C: s8 STORE 2 -FLAGS (NotThere)
S: \* 2 FETCH \(FLAGS \(\\Deleted \\Seen \$Junk\)\)
S: s8 OK Store completed\.
C: s9 STORE 1 FLAGS ()
S: \* 1 FETCH \(FLAGS \(\)\)
S: s9 OK Store completed\.
C: s10 STORE 2,3 +FLAGS (Work)
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \$Junk Work\)
S: \* OK \[PERMANENTFLAGS .* \$Junk Work \\\*\)\] Flags permitted\.
S: \* 2 FETCH \(FLAGS \(\\Deleted \\Seen \$Junk Work\)\)
S: \* 3 FETCH \(FLAGS \(\\Answered \\Flagged \\Recent Work\)\)
S: s10 OK Store completed\.
C: f1 FETCH 1:3 (FLAGS)
S: \* 1 FETCH \(FLAGS \(\)\)
S: \* 2 FETCH \(FLAGS \(\\Deleted \\Seen \$Junk Work\)\)
S: \* 3 FETCH \(FLAGS \(\\Answered \\Flagged \\Recent Work\)\)
S: f1 OK Fetch completed\.
# bad arguments
C: x2 STORE 1
S: x2 BAD .*
C: x3 STORE 1 FLAGS
S: x3 BAD .*
C: x4 STORE 1 XFLAGS (\Seen)
S: x4 BAD .*
C: x5 STORE 1 FLAGS.LOUD (\Seen)
S: x5 BAD .*
C: x6 STORE 1 +FLAGS (\Recent)
S: x6 BAD .*
C: x7 STORE 1 +FLAGS (\Bogus)
S: x7 BAD .*
C: x8 STORE x FLAGS (\Seen)
S: x8 BAD .*
C: x9 STORE 1 FLAGS (\Seen) (\Draft)
S: x9 BAD .*
C: x10 STORE 1 FLAGS "\\Seen"
S: x10 BAD .*
C: x11 STORE 1 (UNCHANGEDSINCE 5) FLAGS (\Seen)
S: x11 BAD .*
C: x12 STORE 1 FLAGS (a%b)
S: x12 BAD .*
C: x13 STORE 0 FLAGS (\Seen)
S: x13 BAD .*
C: x14 STORE 1 +FLAGS (\Seen (\Draft))
S: x14 BAD .*
C-EVAL: b"x15 STORE 1 +FLAGS (" + b"k" * 129 + b")\r\n"
S: x15 BAD .*
# a keyword of the longest length is fine
C-EVAL: b"x16 STORE 1 +FLAGS.SILENT (" + b"k" * 128 + b")\r\n"
S: \* FLAGS \(.* k{128}\)
S: \* OK \[PERMANENTFLAGS .*
S: x16 OK Store completed\.
C: f2 FETCH 1:3 (FLAGS)
S: \* 1 FETCH \(FLAGS \(k{128}\)\)
S: \* 2 FETCH \(FLAGS \(\\Deleted \\Seen \$Junk Work\)\)
S: \* 3 FETCH \(FLAGS \(\\Answered \\Flagged \\Recent Work\)\)
S: f2 OK Fetch completed\.
# read-only: ignored, as Dovecot answers
C: e EXAMINE INBOX
S: \* OK \[CLOSED\] .*
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS \(\)\] .*
S: \* 3 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 1\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 4\] Predicted next UID
S: e OK \[READ-ONLY\] Examine completed\.
C: r1 STORE 1:3 FLAGS (\Deleted NewKeyword)
S: r1 OK Store ignored with read-only mailbox\.
C: r2 UID STORE 1 +FLAGS (\Seen)
S: r2 OK Store ignored with read-only mailbox\.
C: r3 STORE 1 +FLAGS (\Recent)
S: r3 BAD .*
C: r4 FETCH 1:3 (FLAGS)
S: \* 1 FETCH \(FLAGS \(k{128}\)\)
S: \* 2 FETCH \(FLAGS \(\\Deleted \\Seen \$Junk Work\)\)
S: \* 3 FETCH \(FLAGS \(\\Answered \\Flagged Work\)\)
S: r4 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
