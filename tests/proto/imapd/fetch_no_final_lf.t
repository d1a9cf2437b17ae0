# Messages whose last line has no LF, stored with S= and W= in the name as
# quail-deliver and APPEND write them (W= counts no added CR LF): they
# are sent exactly as stored, and RFC822.SIZE always equals the length of
# BODY[] as sent, whether BODY[] is streamed from the file (alone) or cut
# from the parsed message (with BODYSTRUCTURE / ENVELOPE), whole or
# partial; BODYSTRUCTURE's size is BODY[1]'s. (A name without W= gets an
# added CR LF: tests/system/t_imap_fetch_sizes.py, which can write such
# names.) A multipart without its closing boundary ends in its last part.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur Subject: one\n\nline\nlast
@mail myuser@mycompany.com INBOX cur Subject: two\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nA\n--b\n\nB\nBB
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b EXAMINE INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 2 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 1\] .*
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 3\] .*
S: b OK \[READ-ONLY\] .*
C: f1 FETCH 1 (RFC822.SIZE BODY.PEEK[])
S: \* 1 FETCH \(RFC822\.SIZE 26 BODY\[\] \{26\}
S: Subject: one
S: 
S: line
S: last\)
S: f1 OK Fetch completed\.
C: f2 FETCH 1 (RFC822.SIZE BODYSTRUCTURE BODY.PEEK[] BODY.PEEK[TEXT] BODY.PEEK[1])
S: \* 1 FETCH \(RFC822\.SIZE 26 BODYSTRUCTURE \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 10 1 NIL NIL NIL NIL\) BODY\[\] \{26\}
S: Subject: one
S: 
S: line
S: last BODY\[TEXT\] \{10\}
S: line
S: last BODY\[1\] \{10\}
S: line
S: last\)
S: f2 OK Fetch completed\.
C: f3 FETCH 1 (BODY.PEEK[]<20.10> RFC822.SIZE)
S: \* 1 FETCH \(BODY\[\]<20> \{6\}
S: 
S: last RFC822\.SIZE 26\)
S: f3 OK Fetch completed\.
C: f4 FETCH 2 (RFC822.SIZE BODY.PEEK[2] BODY.PEEK[1] BODYSTRUCTURE)
S: \* 2 FETCH \(RFC822\.SIZE 81 BODY\[2\] \{5\}
S: B
S: BB BODY\[1\] \{1\}
S: A BODYSTRUCTURE \(\("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 1 0 NIL NIL NIL NIL\)\("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 5 1 NIL NIL NIL NIL\) "mixed" \("boundary" "b"\) NIL NIL NIL\)\)
S: f4 OK Fetch completed\.
C: f5 FETCH 2 (RFC822.SIZE RFC822)
S: \* 2 FETCH \(RFC822\.SIZE 81 RFC822 \{81\}
S: Subject: two
S: Content-Type: multipart/mixed; boundary=b
S: 
S: --b
S: 
S: A
S: --b
S: 
S: B
S: BB\)
S: f5 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
@expect-close
