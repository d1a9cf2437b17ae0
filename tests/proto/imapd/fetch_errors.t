# FETCH refuses what RFC 3501 does not allow, with BAD and no untagged
# data: missing arguments, an empty list, unknown items (BINARY is not
# offered), the macros inside a list, BODY.PEEK without a section, bad
# sections (part 0, MIME without a part, unknown words, an empty field
# list, junk), a partial without its length or of length 0, strings or
# lists as items, a message number past the end; FETCH without a
# selected mailbox.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@conf error_limit = 100
@mail myuser@mycompany.com INBOX cur Subject: one\n\nbody1\n
@mail myuser@mycompany.com INBOX cur Subject: two\n\nbody2\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: n FETCH 1 FLAGS
S: n BAD .*
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 2 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 1\] .*
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 3\] .*
S: b OK \[READ-WRITE\] .*
C: e1 FETCH
S: e1 BAD .*
C: e2 FETCH 1
S: e2 BAD .*
C: e3 FETCH 1 ()
S: e3 BAD Empty FETCH data item list\.
C: e4 FETCH 1 FOO
S: e4 BAD Unknown FETCH data item\.
C: e5 FETCH 1 (FLAGS ALL)
S: e5 BAD Unknown FETCH data item\.
C: e6 FETCH 1 BINARY[1]
S: e6 BAD Unknown FETCH data item\.
C: e7 FETCH 1 BINARY.SIZE[1]
S: e7 BAD Unknown FETCH data item\.
C: e8 FETCH 1 BODY.PEEK
S: e8 BAD Unknown FETCH data item\.
C: e9 FETCH 1 BODY[0]
S: e9 BAD Invalid BODY\[\.\.\] section\.
C: e10 FETCH 1 BODY[MIME]
S: e10 BAD Invalid BODY\[\.\.\] section\.
C: e11 FETCH 1 BODY.PEEK[1.FOO]
S: e11 BAD Invalid BODY\[\.\.\] section\.
C: e12 FETCH 1 BODY.PEEK[HEADER.FIELDS ()]
S: e12 BAD Empty header field list\.
C: e13 FETCH 1 BODY.PEEK[HEADER.FIELDS]
S: e13 BAD Missing header field list\.
C: e14 FETCH 1 BODY.PEEK[TEXT ]
S: e14 BAD Invalid BODY\[\.\.\] section\.
C: e15 FETCH 1 BODY.PEEK[]<1>
S: e15 BAD .*
C: e16 FETCH 1 BODY.PEEK[]<0.0>
S: e16 BAD .*
C: e17 FETCH 1 BODY<0.1>
S: e17 BAD .*
C: e18 FETCH 1 (FLAGS "UID")
S: e18 BAD Invalid FETCH data item\.
C: e19 FETCH 1 (FLAGS (UID))
S: e19 BAD Invalid FETCH data item\.
C: e20 FETCH 1 FLAGS UID
S: e20 BAD .*
C: e21 FETCH 3 FLAGS
S: e21 BAD Invalid messageset\.
C: e22 FETCH 0 FLAGS
S: e22 BAD .*
C: e23 FETCH 1 "FLAGS"
S: e23 BAD Invalid FETCH data items\.
# nothing was sent and nothing was marked \Seen by the refused BODY[0]
C: f1 FETCH 1:2 FLAGS
S: \* 1 FETCH \(FLAGS \(\)\)
S: \* 2 FETCH \(FLAGS \(\)\)
S: f1 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
