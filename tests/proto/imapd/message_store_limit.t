# A folder holds at most 26 keywords (Maildir letters a..z): the 26th is
# created (PERMANENTFLAGS then lacks \*), the 27th is refused with
# NO [LIMIT] and nothing changes; 27 distinct keywords in one command
# (STORE or APPEND) are refused the same way.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur Subject: one\n\nbody1\n
@mail myuser@mycompany.com INBOX cur Subject: two\n\nbody2\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 2 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 1\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 3\] Predicted next UID
S: b OK \[READ-WRITE\] Select completed\.
C-RAW: c0 APPEND INBOX (a1 a2 a3 a4 a5 a6 a7 a8 a9 a10 a11 a12 a13 a14 a15 a16 a17 a18 a19 a20 a21 a22 a23 a24 a25 a26 a27) {1+}\r\nx\r\n
S: c0 NO \[LIMIT\] .*
C: c1 STORE 1 +FLAGS.SILENT (k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11 k12 k13 k14 k15 k16 k17 k18 k19 k20 k21 k22 k23 k24 k25)
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft k1 .* k25\)
S: \* OK \[PERMANENTFLAGS \(.* k25 \\\*\)\] Flags permitted\.
S: c1 OK Store completed\.
C: c2 STORE 2 +FLAGS (k26 \Seen)
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft k1 .* k25 k26\)
S: \* OK \[PERMANENTFLAGS \(.* k25 k26\)\] Flags permitted\.
S: \* 2 FETCH \(FLAGS \(\\Seen k26\)\)
S: c2 OK Store completed\.
C: c3 STORE 2 +FLAGS (k27 \Flagged)
S: c3 NO \[LIMIT\] .*
C: c4 STORE 2 FLAGS (K26 K1)
S: \* 2 FETCH \(FLAGS \(k1 k26\)\)
S: c4 OK Store completed\.
C: c5 STORE 1 +FLAGS (a1 a2 a3 a4 a5 a6 a7 a8 a9 a10 a11 a12 a13 a14 a15 a16 a17 a18 a19 a20 a21 a22 a23 a24 a25 a26 a27)
S: c5 NO \[LIMIT\] .*
C: f FETCH 1:2 (FLAGS)
S: \* 1 FETCH \(FLAGS \(k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11 k12 k13 k14 k15 k16 k17 k18 k19 k20 k21 k22 k23 k24 k25\)\)
S: \* 2 FETCH \(FLAGS \(k1 k26\)\)
S: f OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
