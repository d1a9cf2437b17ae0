# FETCH and UID FETCH (RFC 3501 6.4.5, 6.4.8): UID, FLAGS (\Recent
# included), INTERNALDATE (the file's mtime, local time with its offset:
# TZ is UTC here), RFC822.SIZE, the FAST, ALL and FULL macros, an item
# asked twice is sent once, UID FETCH puts UID first, UIDs that do not
# exist are skipped, RFC822.SIZE equals the size of BODY[].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@env TZ=UTC
@mail myuser@mycompany.com INBOX cur Subject: one\n\nbody1\n
@mail myuser@mycompany.com INBOX cur:FS Subject: two\r\n\r\nbody2\r\n
@mail myuser@mycompany.com INBOX new Subject: three\n\nbody3\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 3 EXISTS
S: \* 1 RECENT
S: \* OK \[UNSEEN 1\] .*
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 4\] .*
S: b OK \[READ-WRITE\] .*
C: f1 FETCH 1:3 (UID FLAGS)
S: \* 1 FETCH \(UID 1 FLAGS \(\)\)
S: \* 2 FETCH \(UID 2 FLAGS \(\\Flagged \\Seen\)\)
S: \* 3 FETCH \(UID 3 FLAGS \(\\Recent\)\)
S: f1 OK Fetch completed\.
C: f2 FETCH 1 INTERNALDATE
S: \* 1 FETCH \(INTERNALDATE "14-Nov-2023 22:13:21 \+0000"\)
S: f2 OK Fetch completed\.
C: f3 FETCH 2 FAST
S: \* 2 FETCH \(FLAGS \(\\Flagged \\Seen\) INTERNALDATE "14-Nov-2023 22:13:22 \+0000" RFC822\.SIZE 23\)
S: f3 OK Fetch completed\.
C: f4 FETCH 1 all
S: \* 1 FETCH \(FLAGS \(\) INTERNALDATE "14-Nov-2023 22:13:21 \+0000" RFC822\.SIZE 23 ENVELOPE \(NIL "one" NIL NIL NIL NIL NIL NIL NIL NIL\)\)
S: f4 OK Fetch completed\.
C: f5 FETCH 1 FULL
S: \* 1 FETCH \(FLAGS \(\) INTERNALDATE "14-Nov-2023 22:13:21 \+0000" RFC822\.SIZE 23 ENVELOPE \(NIL "one" NIL NIL NIL NIL NIL NIL NIL NIL\) BODY \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 7 1\)\)
S: f5 OK Fetch completed\.
# asked twice: once; UID FETCH: UID first even when asked last
C: f6 UID FETCH 2 (FLAGS RFC822.SIZE FLAGS UID)
S: \* 2 FETCH \(UID 2 FLAGS \(\\Flagged \\Seen\) RFC822\.SIZE 23\)
S: f6 OK Fetch completed\.
C: f7 UID FETCH 2:* RFC822.SIZE
S: \* 2 FETCH \(UID 2 RFC822\.SIZE 23\)
S: \* 3 FETCH \(UID 3 RFC822\.SIZE 25\)
S: f7 OK Fetch completed\.
C: f8 UID FETCH 4:100 (FLAGS)
S: f8 OK Fetch completed\.
C: f9 UID FETCH 1,3 (UID)
S: \* 1 FETCH \(UID 1\)
S: \* 3 FETCH \(UID 3\)
S: f9 OK Fetch completed\.
# RFC822.SIZE is the size of the literal BODY[] sends (LF stored)
C: f10 FETCH 3 (RFC822.SIZE BODY.PEEK[])
S: \* 3 FETCH \(RFC822\.SIZE 25 BODY\[\] \{25\}
S: Subject: three
S: 
S: body3
S: \)
S: f10 OK Fetch completed\.
C: f11 FETCH 2 (RFC822.SIZE BODY.PEEK[])
S: \* 2 FETCH \(RFC822\.SIZE 23 BODY\[\] \{23\}
S: Subject: two
S: 
S: body2
S: \)
S: f11 OK Fetch completed\.
C: f12 FETCH 1 (BODYSTRUCTURE)
S: \* 1 FETCH \(BODYSTRUCTURE \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 7 1 NIL NIL NIL NIL\)\)
S: f12 OK Fetch completed\.
# \Recent stays for this session
C: f13 FETCH 3 FLAGS
S: \* 3 FETCH \(FLAGS \(\\Recent\)\)
S: f13 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
