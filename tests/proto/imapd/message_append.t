# APPEND (RFC 3501 6.3.11, UIDPLUS APPENDUID, LITERAL+): with and without
# flags and date, synchronising and non-synchronising literals, keywords,
# then the messages are checked through SELECT and FETCH.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
# no flags, no date, LITERAL+
C-RAW: b1 APPEND INBOX {23+}\r\nSubject: one\r\n\r\nbody1\r\n\r\n
S: b1 OK \[APPENDUID (\d+) 1\] Append completed\.
# flags (system and keywords, in any case) and a date, synchronising
C: b2 APPEND inbox (\Seen \fLAGGED $Label1 Work) "17-Jul-1996 02:44:25 -0700" {23}
S: \+ OK
C-RAW: Subject: two\r\n\r\nbody2\r\n\r\n
S: b2 OK \[APPENDUID \d+ 2\] Append completed\.
# an empty flag list, a day with a leading space
C-RAW: b3 APPEND INBOX () " 1-Feb-1994 00:00:00 +0000" {25+}\r\nSubject: three\r\n\r\nbody3\r\n\r\n
S: b3 OK \[APPENDUID \d+ 3\] Append completed\.
# a date without flags; the same keyword twice is stored once
C-RAW: b4 APPEND INBOX (work WORK \\Draft) {24+}\r\nSubject: four\r\n\r\nbody4\r\n\r\n
S: b4 OK \[APPENDUID \d+ 4\] Append completed\.
C-RAW: b5 APPEND Sent "01-Jan-2020 12:00:00 +0000" {24+}\r\nSubject: five\r\n\r\nbody5\r\n\r\n
S: b5 OK \[APPENDUID \d+ 1\] Append completed\.
# the mailbox name as a quoted string and as a literal
C-RAW: b6 APPEND "Sent" {23+}\r\nSubject: six\r\n\r\nbody6\r\n\r\n
S: b6 OK \[APPENDUID \d+ 2\] Append completed\.
C-RAW: b7 APPEND {4+}\r\nSent {25+}\r\nSubject: seven\r\n\r\nbody7\r\n\r\n
S: b7 OK \[APPENDUID \d+ 3\] Append completed\.
C: c1 SELECT INBOX
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \$Label1 Work\)
S: \* OK \[PERMANENTFLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \$Label1 Work \\\*\)\] Flags permitted\.
S: \* 4 EXISTS
S: \* \d+ RECENT
S: \* OK \[UNSEEN 1\] First unseen\.
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 5\] Predicted next UID
S: c1 OK \[READ-WRITE\] Select completed\.
C: c2 FETCH 1:4 (UID FLAGS INTERNALDATE RFC822.SIZE)
S: \* 1 FETCH \(UID 1 FLAGS \((\\Recent)?\) INTERNALDATE "\d\d-\w\w\w-\d{4} \d\d:\d\d:\d\d [-+]\d{4}" RFC822.SIZE 23\)
S: \* 2 FETCH \(UID 2 FLAGS \(\\Flagged \\Seen (\\Recent )?\$Label1 Work\) INTERNALDATE "17-Jul-1996 \d\d:\d\d:25 [-+]\d{4}" RFC822.SIZE 23\)
S: \* 3 FETCH \(UID 3 FLAGS \((\\Recent)?\) INTERNALDATE "(01-Feb-1994|31-Jan-1994) \d\d:\d\d:00 [-+]\d{4}" RFC822.SIZE 25\)
S: \* 4 FETCH \(UID 4 FLAGS \(\\Draft (\\Recent )?Work\) INTERNALDATE "\d\d-\w\w\w-\d{4} \d\d:\d\d:\d\d [-+]\d{4}" RFC822.SIZE 24\)
S: c2 OK Fetch completed\.
C: c3 FETCH 2 BODY.PEEK[]
S: \* 2 FETCH \(BODY\[\] \{23\}
S: Subject: two
S: 
S: body2
S: \)
S: c3 OK Fetch completed\.
C: c4 STATUS Sent (MESSAGES UIDNEXT)
S: \* STATUS Sent \(MESSAGES 3 UIDNEXT 4\)
S: c4 OK Status completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
