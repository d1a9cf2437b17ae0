# NIL as a flag keyword (RFC 3501 9: flag-keyword = atom, and NIL is an
# atom): STORE with a bare NIL and with (NIL), in any case, stores the
# keyword "NIL" (as Dovecot, FETCH answers FLAGS (NIL)); APPEND with
# (NIL) too. A quoted "NIL" is still not an atom.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur Subject: one\n\nbody1\n
@mail myuser@mycompany.com INBOX cur Subject: two\n\nbody2\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b SELECT INBOX
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft\)
S: \* OK \[PERMANENTFLAGS .*
S: \* 2 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 1\] .*
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 3\] .*
S: b OK \[READ-WRITE\] .*
C: s1 STORE 1 +FLAGS NIL
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft NIL\)
S: \* OK \[PERMANENTFLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft NIL \\\*\)\] .*
S: \* 1 FETCH \(FLAGS \(NIL\)\)
S: s1 OK Store completed\.
C: s2 STORE 2 +FLAGS (\Seen nil)
S: \* 2 FETCH \(FLAGS \(\\Seen NIL\)\)
S: s2 OK Store completed\.
C: f1 FETCH 1:2 (FLAGS)
S: \* 1 FETCH \(FLAGS \(NIL\)\)
S: \* 2 FETCH \(FLAGS \(\\Seen NIL\)\)
S: f1 OK Fetch completed\.
C: s3 STORE 1:2 -FLAGS (NIL)
S: \* 1 FETCH \(FLAGS \(\)\)
S: \* 2 FETCH \(FLAGS \(\\Seen\)\)
S: s3 OK Store completed\.
C: x1 STORE 1 +FLAGS ("NIL")
S: x1 BAD .*
C-RAW: p1 APPEND INBOX (NIL \\Flagged) {24+}\r\nSubject: three\r\n\r\nbody\r\n\r\n
S: \* 3 EXISTS
S: \* \d+ RECENT
S: p1 OK \[APPENDUID \d+ 3\] Append completed\.
C: f2 FETCH 3 (FLAGS)
S: \* 3 FETCH \(FLAGS \(\\Flagged (\\Recent )?NIL\)\)
S: f2 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
