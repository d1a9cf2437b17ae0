# SEARCH and UID SEARCH on flags, sequence sets, UID sets, sizes, NOT,
# OR and parenthesised lists: answered from the index alone. Message 3 is
# the only large one; message 5 arrives in new/ (\Recent).
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur:S From: a@example.com\nSubject: one\n\nbody one\n
@mail myuser@mycompany.com INBOX cur:FS From: b@example.com\nSubject: two\n\nbody two\n
@mail myuser@mycompany.com INBOX cur:T From: c@example.com\nSubject: three\n\nLarge body xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n
@mail myuser@mycompany.com INBOX cur:DR From: d@example.com\nSubject: four\n\nbody four\n
@mail myuser@mycompany.com INBOX new From: e@example.com\nSubject: five\n\nbody five\n
S: \* OK .*
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
# not in the selected state yet
C: a0 SEARCH ALL
S: a0 BAD .*
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 5 EXISTS
S: \* 1 RECENT
S: \* OK \[UNSEEN 3\] .*
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 6\] .*
S: b OK \[READ-WRITE\] .*
C: c1 SEARCH ALL
S: \* SEARCH 1 2 3 4 5
S: c1 OK Search completed\.
C: c2 SEARCH SEEN
S: \* SEARCH 1 2
S: c2 OK Search completed\.
C: c3 search unseen
S: \* SEARCH 3 4 5
S: c3 OK Search completed\.
C: c4 SEARCH FLAGGED
S: \* SEARCH 2
S: c4 OK Search completed\.
C: c5 SEARCH UNFLAGGED
S: \* SEARCH 1 3 4 5
S: c5 OK Search completed\.
C: c6 SEARCH DELETED
S: \* SEARCH 3
S: c6 OK Search completed\.
C: c7 SEARCH UNDELETED
S: \* SEARCH 1 2 4 5
S: c7 OK Search completed\.
C: c8 SEARCH ANSWERED DRAFT
S: \* SEARCH 4
S: c8 OK Search completed\.
C: c9 SEARCH UNANSWERED UNDRAFT
S: \* SEARCH 1 2 3 5
S: c9 OK Search completed\.
C: c10 SEARCH RECENT
S: \* SEARCH 5
S: c10 OK Search completed\.
C: c11 SEARCH NEW
S: \* SEARCH 5
S: c11 OK Search completed\.
C: c12 SEARCH OLD
S: \* SEARCH 1 2 3 4
S: c12 OK Search completed\.
# nothing matches: the untagged line is still sent
C: c13 SEARCH SEEN DELETED
S: \* SEARCH
S: c13 OK Search completed\.
C: d1 SEARCH NOT SEEN
S: \* SEARCH 3 4 5
S: d1 OK Search completed\.
C: d2 SEARCH OR FLAGGED DELETED
S: \* SEARCH 2 3
S: d2 OK Search completed\.
C: d3 SEARCH (SEEN FLAGGED)
S: \* SEARCH 2
S: d3 OK Search completed\.
C: d4 SEARCH OR (SEEN NOT FLAGGED) (NOT (OR SEEN DELETED) NOT RECENT)
S: \* SEARCH 1 4
S: d4 OK Search completed\.
C: d5 SEARCH NOT NOT NOT DELETED
S: \* SEARCH 1 2 4 5
S: d5 OK Search completed\.
C: e1 SEARCH 2:4
S: \* SEARCH 2 3 4
S: e1 OK Search completed\.
C: e2 SEARCH *
S: \* SEARCH 5
S: e2 OK Search completed\.
C: e3 SEARCH *:4 UNSEEN
S: \* SEARCH 4 5
S: e3 OK Search completed\.
C: e4 SEARCH 1,3,5 OR 1 2:3
S: \* SEARCH 1 3
S: e4 OK Search completed\.
C: e5 SEARCH UID 2,4:*
S: \* SEARCH 2 4 5
S: e5 OK Search completed\.
C: e6 UID SEARCH UID 9:*
S: \* SEARCH 5
S: e6 OK Search completed\.
C: e7 UID SEARCH 4:* SEEN
S: \* SEARCH
S: e7 OK Search completed\.
C: f1 SEARCH LARGER 300
S: \* SEARCH 3
S: f1 OK Search completed\.
C: f2 SEARCH SMALLER 300
S: \* SEARCH 1 2 4 5
S: f2 OK Search completed\.
C: f3 SEARCH LARGER 300 SMALLER 300
S: \* SEARCH
S: f3 OK Search completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
@expect-close
