# BODY[section]<partial> (RFC 3501 6.4.5): part numbers, HEADER, TEXT,
# MIME, HEADER.FIELDS and .NOT (names in any case or quoted, answered
# upper-case, fields in message order with their continuation lines, the
# blank line included), a missing part is an empty string, partial
# windows at the edges (the answer names only the offset), and BODY[]
# streamed from the file gives the same bytes as BODY[] cut from the
# parsed message. The message is stored with LF: everything is sent with
# CR LF and the literal sizes count them.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur From: a@example.com\nX-Fold: one\n two\nSubject: parts\nContent-Type: multipart/mixed; boundary=zz\n\npreamble\n--zz\nContent-Type: text/plain\n\nfirst\n--zz\nContent-Type: text/html\nContent-ID: <h@x>\n\n<b>second</b>\n--zz--\nepilogue\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b EXAMINE INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 1 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 1\] .*
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 2\] .*
S: b OK \[READ-ONLY\] .*
C: s1 FETCH 1 (BODY[1] BODY[2] BODY[2.MIME] BODY[3] BODY[1.1] BODY[2.HEADER])
S: \* 1 FETCH \(BODY\[1\] \{5\}
S: first BODY\[2\] \{13\}
S: <b>second</b> BODY\[2\.MIME\] \{46\}
S: Content-Type: text/html
S: Content-ID: <h@x>
S: 
S:  BODY\[3\] \{0\}
S:  BODY\[1\.1\] \{0\}
S:  BODY\[2\.HEADER\] \{0\}
S: \)
S: s1 OK Fetch completed\.
C: s2 FETCH 1 (BODY[HEADER.FIELDS (x-fold "From")] BODY[HEADER.FIELDS.NOT (X-FOLD content-type)])
S: \* 1 FETCH \(BODY\[HEADER\.FIELDS \(X-FOLD FROM\)\] \{42\}
S: From: a@example\.com
S: X-Fold: one
S:  two
S: 
S:  BODY\[HEADER\.FIELDS\.NOT \(X-FOLD CONTENT-TYPE\)\] \{39\}
S: From: a@example\.com
S: Subject: parts
S: 
S: \)
S: s2 OK Fetch completed\.
C: s3 FETCH 1 (BODY[HEADER] BODY[TEXT]<0.10>)
S: \* 1 FETCH \(BODY\[HEADER\] \{102\}
S: From: a@example\.com
S: X-Fold: one
S:  two
S: Subject: parts
S: Content-Type: multipart/mixed; boundary=zz
S: 
S:  BODY\[TEXT\]<0> \{10\}
S: preamble
S: \)
S: s3 OK Fetch completed\.
# windows: at the end, past the end, across a line end, one byte
C: s4 FETCH 1 (BODY[1]<3.100> BODY[1]<5.1> BODY[1]<99.1> BODY[TEXT]<8.3> BODY[2]<0.1>)
S: \* 1 FETCH \(BODY\[1\]<3> \{2\}
S: st BODY\[1\]<5> \{0\}
S:  BODY\[1\]<99> \{0\}
S:  BODY\[TEXT\]<8> \{3\}
S: 
S: - BODY\[2\]<0> \{1\}
S: <\)
S: s4 OK Fetch completed\.
# streamed from the file (BODY[] alone) and cut from memory (with BODY[1])
C: s5 FETCH 1 BODY[]<100.30>
S: \* 1 FETCH \(BODY\[\]<100> \{30\}
S: 
S: preamble
S: --zz
S: Content-Type\)
S: s5 OK Fetch completed\.
C: s6 FETCH 1 (BODY[]<100.30> BODY[1])
S: \* 1 FETCH \(BODY\[\]<100> \{30\}
S: 
S: preamble
S: --zz
S: Content-Type BODY\[1\] \{5\}
S: first\)
S: s6 OK Fetch completed\.
C: s7 FETCH 1 (RFC822.SIZE BODY[]<228.100>)
S: \* 1 FETCH \(RFC822\.SIZE 238 BODY\[\]<228> \{10\}
S: epilogue
S: \)
S: s7 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
