# APPEND refusals: a missing mailbox ([TRYCREATE]; with a synchronising
# literal before "+", so the client never sends it), a message over
# message_size_limit ([TOOBIG]), an empty message, bad arguments (BAD);
# each followed by a command that works, proving the stream stayed in
# step. Then APPEND to the selected mailbox: EXISTS comes with it.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@conf error_limit = 100
@conf message_size_limit = 1000
@mail myuser@mycompany.com INBOX cur:S Subject: old\n\nbody\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
# STATUS gives the message delivered before a UID (1)
C: a2 STATUS INBOX (MESSAGES UIDNEXT)
S: \* STATUS INBOX \(MESSAGES 1 UIDNEXT 2\)
S: a2 OK .*
# [TRYCREATE] right after the command line: no "+", no literal
C: b1 APPEND Nonexistent {23}
S: b1 NO \[TRYCREATE\] Mailbox doesn't exist: Nonexistent
C: b2 NOOP
S: b2 OK .*
C: b3 APPEND Nonexistent (\Seen) "17-Jul-1996 02:44:25 -0700" {23}
S: b3 NO \[TRYCREATE\] Mailbox doesn't exist: Nonexistent
# with LITERAL+ the literal comes anyway and is skipped
C-RAW: b4 APPEND Nonexistent {23+}\r\nSubject: one\r\n\r\nbody1\r\n\r\n
S: b4 NO \[TRYCREATE\] Mailbox doesn't exist: Nonexistent
C: b5 NOOP
S: b5 OK .*
# an invalid name is refused without "+" too
C: b6 APPEND ../x {23}
S: b6 NO .*
# the size limit: at the limit ok, one over refused before "+"
C-EVAL: b"c1 APPEND INBOX {1000+}\r\n" + b"Subject: big\r\n\r\n" + b"x" * 982 + b"\r\n\r\n"
S: c1 OK \[APPENDUID \d+ 2\] Append completed\.
C: c2 APPEND INBOX {1001}
S: c2 NO \[TOOBIG\] .*
C: c3 NOOP
S: c3 OK .*
# far over the limit (and over the largest command) the same: NO before
# "+" (RFC 7889 3, RFC 4469), not the parser's BAD
C: c4 APPEND INBOX (\Seen) {4294967295}
S: c4 NO \[TOOBIG\] .*
C: c5 NOOP
S: c5 OK .*
# a synchronising literal over the limit elsewhere is BAD [TOOBIG]
C: c6 SEARCH TEXT {1001}
S: c6 BAD \[TOOBIG\] .*
C: c7 NOOP
S: c7 OK .*
# (a non-synchronising one over the limit: core_literal_toobig.t)
# an empty message
C-RAW: d1 APPEND INBOX {0+}\r\n\r\n
S: d1 NO .*
# bad arguments
C: e1 APPEND
S: e1 BAD .*
C: e2 APPEND INBOX
S: e2 BAD .*
C: e3 APPEND INBOX (\Seen)
S: e3 BAD .*
C-RAW: e4 APPEND INBOX (\\Recent) {1+}\r\nx\r\n
S: e4 BAD .*
C-RAW: e5 APPEND INBOX (\\Unknown) {1+}\r\nx\r\n
S: e5 BAD .*
C-RAW: e6 APPEND INBOX "17-Jul-1996 02:44:25" {1+}\r\nx\r\n
S: e6 BAD Invalid internal date\.
C-RAW: e7 APPEND INBOX "31-Apr-1996 02:44:25 +0000" {1+}\r\nx\r\n
S: e7 BAD Invalid internal date\.
C-RAW: e8 APPEND INBOX {1+}\r\nx {1+}\r\ny\r\n
S: e8 BAD .*
C-RAW: e9 APPEND INBOX ("quoted") {1+}\r\nx\r\n
S: e9 BAD .*
C-RAW: e10 APPEND INBOX (key]word) {1+}\r\nx\r\n
S: e10 BAD .*
C-RAW: e11 APPEND INBOX "17-Jul-1996 02:44:25 +0000" (\\Seen) {1+}\r\nx\r\n
S: e11 BAD .*
C-RAW: e12 APPEND INBOX (\\Seen) x {1+}\r\nx\r\n
S: e12 BAD .*
C-RAW: e13 APPEND INBOX ((\\Seen)) {1+}\r\nx\r\n
S: e13 BAD .*
C: e14 NOOP
S: e14 OK .*
# to the selected mailbox: the new message is announced with the reply
C: f1 SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 2 EXISTS
S: \* 1 RECENT
S: \* OK \[UNSEEN 2\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 3\] Predicted next UID
S: f1 OK \[READ-WRITE\] Select completed\.
C-RAW: f2 APPEND INBOX (\\Seen) {23+}\r\nSubject: new\r\n\r\nbody3\r\n\r\n
S: \* 3 EXISTS
S: \* \d RECENT
S: f2 OK \[APPENDUID \d+ 3\] Append completed\.
C: f3 NOOP
S: f3 OK .*
C: f4 UID FETCH 3 (FLAGS)
S: \* 3 FETCH \(UID 3 FLAGS \(\\Seen( \\Recent)?\)\)
S: f4 OK .*
C: z LOGOUT
S: \* BYE .*
S: z OK .*
