# FETCH sets \Seen as a side effect (RFC 3501 6.4.5) for BODY[...],
# RFC822 and RFC822.TEXT on a read-write mailbox, and then sends FLAGS
# (after UID, as Dovecot does); BODY.PEEK[...] and RFC822.HEADER do not;
# nothing is sent again for a message already seen; the flag is stored
# (a later EXAMINE sees it); an EXAMINE'd mailbox is never changed.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur Subject: one\n\nbody1\n
@mail myuser@mycompany.com INBOX cur Subject: two\n\nbody2\n
@mail myuser@mycompany.com INBOX cur:F Subject: three\n\nbody3\n
@mail myuser@mycompany.com INBOX cur Subject: four\n\nbody4\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 4 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 1\] .*
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 5\] .*
S: b OK \[READ-WRITE\] .*
C: f1 FETCH 1 (BODY.PEEK[TEXT] RFC822.HEADER)
S: \* 1 FETCH \(BODY\[TEXT\] \{7\}
S: body1
S:  RFC822\.HEADER \{16\}
S: Subject: one
S: 
S: \)
S: f1 OK Fetch completed\.
C: f2 FETCH 1 FLAGS
S: \* 1 FETCH \(FLAGS \(\)\)
S: f2 OK Fetch completed\.
C: f3 FETCH 1 BODY[TEXT]
S: \* 1 FETCH \(FLAGS \(\\Seen\) BODY\[TEXT\] \{7\}
S: body1
S: \)
S: f3 OK Fetch completed\.
C: f4 FETCH 1 BODY[TEXT]<0.4>
S: \* 1 FETCH \(BODY\[TEXT\]<0> \{4\}
S: body\)
S: f4 OK Fetch completed\.
# FLAGS asked for: sent where asked, with \Seen already in
C: f5 FETCH 2 (RFC822.SIZE FLAGS RFC822)
S: \* 2 FETCH \(RFC822\.SIZE 23 FLAGS \(\\Seen\) RFC822 \{23\}
S: Subject: two
S: 
S: body2
S: \)
S: f5 OK Fetch completed\.
C: f6 UID FETCH 3 RFC822.TEXT
S: \* 3 FETCH \(UID 3 FLAGS \(\\Flagged \\Seen\) RFC822\.TEXT \{7\}
S: body3
S: \)
S: f6 OK Fetch completed\.
C: c CLOSE
S: c OK .*
C: e EXAMINE INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS \(\)\] .*
S: \* 4 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 4\] .*
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 5\] .*
S: e OK \[READ-ONLY\] .*
C: g1 FETCH 1:4 FLAGS
S: \* 1 FETCH \(FLAGS \(\\Seen\)\)
S: \* 2 FETCH \(FLAGS \(\\Seen\)\)
S: \* 3 FETCH \(FLAGS \(\\Flagged \\Seen\)\)
S: \* 4 FETCH \(FLAGS \(\)\)
S: g1 OK Fetch completed\.
C: g2 FETCH 4 (BODY[TEXT] RFC822.TEXT)
S: \* 4 FETCH \(BODY\[TEXT\] \{7\}
S: body4
S:  RFC822\.TEXT \{7\}
S: body4
S: \)
S: g2 OK Fetch completed\.
C: g3 FETCH 4 FLAGS
S: \* 4 FETCH \(FLAGS \(\)\)
S: g3 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
