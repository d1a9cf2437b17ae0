# MOVE and UID MOVE (RFC 6851): "* OK [COPYUID ...] Moved UIDs." first,
# then one "* n EXPUNGE" per message (descending, each valid when sent),
# then the tagged OK; [TRYCREATE]; no messages found; a move within the
# selected mailbox; a read-only source is refused; bad arguments.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@conf error_limit = 100
@folder myuser@mycompany.com Archive
@mail myuser@mycompany.com INBOX cur Subject: one\n\nbody1\n
@mail myuser@mycompany.com INBOX cur:S Subject: two\n\nbody2\n
@mail myuser@mycompany.com INBOX cur:F Subject: three\n\nbody3\n
@mail myuser@mycompany.com INBOX cur Subject: four\n\nbody4\n
@mail myuser@mycompany.com INBOX cur Subject: five\n\nbody5\n
@mail myuser@mycompany.com INBOX cur Subject: six\n\nbody6\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 6 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 1\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 7\] Predicted next UID
S: b OK \[READ-WRITE\] Select completed\.
C: m1 MOVE 2:3 Archive
S: \* OK \[COPYUID \d+ 2:3 1:2\] Moved UIDs\.
S: \* 3 EXPUNGE
S: \* 2 EXPUNGE
S: m1 OK Move completed\.
# INBOX now holds UIDs 1 4 5 6
C: m2 UID MOVE 5,1 Archive
S: \* OK \[COPYUID \d+ 1,5 3:4\] Moved UIDs\.
S: \* 3 EXPUNGE
S: \* 1 EXPUNGE
S: m2 OK Move completed\.
C: m3 MOVE 1 Missing
S: m3 NO \[TRYCREATE\] Mailbox doesn't exist: Missing
C: m4 UID MOVE 99 Archive
S: m4 OK No messages found\.
C: f1 FETCH 1:* (UID FLAGS)
S: \* 1 FETCH \(UID 4 FLAGS \(\)\)
S: \* 2 FETCH \(UID 6 FLAGS \(\)\)
S: f1 OK Fetch completed\.
# within the selected mailbox: expunged, then the new message
C: m5 MOVE 1 INBOX
S: \* OK \[COPYUID \d+ 4 7\] Moved UIDs\.
S: \* 1 EXPUNGE
S: \* 2 EXISTS
S: \* \d RECENT
S: m5 OK Move completed\.
C: f2 UID FETCH 1:* (FLAGS)
S: \* 1 FETCH \(UID 6 FLAGS \(\)\)
S: \* 2 FETCH \(UID 7 FLAGS \((\\Recent)?\)\)
S: f2 OK Fetch completed\.
# bad arguments
C: x1 MOVE
S: x1 BAD .*
C: x2 MOVE 1
S: x2 BAD .*
C: x3 MOVE 1:x Archive
S: x3 BAD .*
C: x4 UID MOVE 1 Archive Sent
S: x4 BAD .*
C: x5 MOVE 9 Archive
S: x5 BAD .*
C: f3 STATUS Archive (MESSAGES UIDNEXT)
S: \* STATUS Archive \(MESSAGES 4 UIDNEXT 5\)
S: f3 OK Status completed\.
# the moved messages kept their flags
C: e EXAMINE Archive
S: \* OK \[CLOSED\] .*
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS \(\)\] .*
S: \* 4 EXISTS
S: \* 4 RECENT
S: \* OK \[UNSEEN 2\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 5\] Predicted next UID
S: e OK \[READ-ONLY\] Examine completed\.
C: f4 FETCH 1:4 (UID FLAGS BODY.PEEK[HEADER.FIELDS (Subject)])
S: \* 1 FETCH \(UID 1 FLAGS \(\\Seen \\Recent\) BODY\[HEADER.FIELDS \(SUBJECT\)\] \{16\}
S: Subject: two
S: 
S: \)
S: \* 2 FETCH \(UID 2 FLAGS \(\\Flagged \\Recent\) BODY\[HEADER.FIELDS \(SUBJECT\)\] \{18\}
S: Subject: three
S: 
S: \)
S: \* 3 FETCH \(UID 3 FLAGS \(\\Recent\) BODY\[HEADER.FIELDS \(SUBJECT\)\] \{16\}
S: Subject: one
S: 
S: \)
S: \* 4 FETCH \(UID 4 FLAGS \(\\Recent\) BODY\[HEADER.FIELDS \(SUBJECT\)\] \{17\}
S: Subject: five
S: 
S: \)
S: f4 OK Fetch completed\.
# a read-only source cannot lose messages
C: r1 MOVE 1 INBOX
S: r1 NO .*read-only.*
C: r2 UID MOVE 1 INBOX
S: r2 NO .*read-only.*
C: z LOGOUT
S: \* BYE .*
S: z OK .*
