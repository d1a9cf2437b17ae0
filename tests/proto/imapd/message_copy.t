# COPY and UID COPY (RFC 3501 6.4.7, 6.4.8) with COPYUID (RFC 4315):
# uid-sets compressed and in corresponding order, flags and keywords
# kept (\Recent set: RFC 3501 6.4.7), [TRYCREATE], no messages found, a copy into the
# selected mailbox itself (EXISTS with the reply), bad arguments.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@conf error_limit = 100
@folder myuser@mycompany.com Archive
@mail myuser@mycompany.com INBOX cur Subject: one\n\nbody1\n
@mail myuser@mycompany.com INBOX cur:S Subject: two\n\nbody2\n
@mail myuser@mycompany.com INBOX cur:RS Subject: four\n\nbody4\n
@mail myuser@mycompany.com INBOX new Subject: five\n\nbody5\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
# message 5 carries a keyword, appended before SELECT (a sync after a
# STORE that created a keyword may announce the keyword list again);
# STATUS first gives the delivered messages their UIDs 1..4
C: a1 STATUS INBOX (UIDNEXT)
S: \* STATUS INBOX \(UIDNEXT 5\)
S: a1 OK .*
C-RAW: a2 APPEND INBOX (\\Flagged $Work) {25+}\r\nSubject: three\r\n\r\nbody3\r\n\r\n
S: a2 OK \[APPENDUID \d+ 5\] Append completed\.
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 5 EXISTS
S: \* 1 RECENT
S: \* OK \[UNSEEN 1\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 6\] Predicted next UID
S: b OK \[READ-WRITE\] Select completed\.
C: c1 COPY 1:2 Archive
S: c1 OK \[COPYUID \d+ 1:2 1:2\] Copy completed\.
C: c2 UID COPY 5,1,3:4 Archive
S: c2 OK \[COPYUID \d+ 1,3:5 3:6\] Copy completed\.
C: c3 uid copy 2 "Archive"
S: c3 OK \[COPYUID \d+ 2 7\] Copy completed\.
C: c4 COPY 1 Missing
S: c4 NO \[TRYCREATE\] Mailbox doesn't exist: Missing
C: c5 UID COPY 99 Archive
S: c5 OK No messages found\.
C: c6 UID COPY 6:* Archive
S: c6 OK \[COPYUID \d+ 5 8\] Copy completed\.
# into the selected mailbox: the new message comes with the reply
C: c7 COPY 2 INBOX
S: \* 6 EXISTS
S: \* \d RECENT
S: c7 OK \[COPYUID \d+ 2 6\] Copy completed\.
C: c8 STATUS Archive (MESSAGES UIDNEXT)
S: \* STATUS Archive \(MESSAGES 8 UIDNEXT 9\)
S: c8 OK Status completed\.
# bad arguments
C: x1 COPY
S: x1 BAD .*
C: x2 COPY 1
S: x2 BAD .*
C: x3 COPY x Archive
S: x3 BAD .*
C: x4 COPY 1 Archive Sent
S: x4 BAD .*
C: x5 COPY 1 (Archive)
S: x5 BAD .*
C: x6 COPY 99 Archive
S: x6 BAD .*
C: x7 COPY 1 ../etc
S: x7 NO .*
# the copies keep flags and keywords, and are \Recent (EXAMINE: unclaimed)
C: e EXAMINE Archive
S: \* OK \[CLOSED\] .*
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \$Work\)
S: \* OK \[PERMANENTFLAGS \(\)\] .*
S: \* 8 EXISTS
S: \* 8 RECENT
S: \* OK \[UNSEEN 1\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 9\] Predicted next UID
S: e OK \[READ-ONLY\] Examine completed\.
C: f FETCH 1:8 (UID FLAGS)
S: \* 1 FETCH \(UID 1 FLAGS \(\\Recent\)\)
S: \* 2 FETCH \(UID 2 FLAGS \(\\Seen \\Recent\)\)
S: \* 3 FETCH \(UID 3 FLAGS \(\\Recent\)\)
S: \* 4 FETCH \(UID 4 FLAGS \(\\Answered \\Seen \\Recent\)\)
S: \* 5 FETCH \(UID 5 FLAGS \(\\Recent\)\)
S: \* 6 FETCH \(UID 6 FLAGS \(\\Flagged \\Recent \$Work\)\)
S: \* 7 FETCH \(UID 7 FLAGS \(\\Seen \\Recent\)\)
S: \* 8 FETCH \(UID 8 FLAGS \(\\Flagged \\Recent \$Work\)\)
S: f OK Fetch completed\.
C: g FETCH 6 BODY.PEEK[]
S: \* 6 FETCH \(BODY\[\] \{25\}
S: Subject: three
S: 
S: body3
S: \)
S: g OK Fetch completed\.
# copying out of a read-only mailbox is fine
C: h COPY 1 INBOX
S: h OK \[COPYUID \d+ 1 7\] Copy completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
