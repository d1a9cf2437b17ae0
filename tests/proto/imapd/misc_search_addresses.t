# FROM, TO, CC and BCC match the envelope's address structure (RFC 3501
# 6.4.4; imaptest search-addresses): comments, quotes and white space
# inside an address are no part of it, so "<user (c)@ (c) domain.org>"
# is found as user-from@domain.org, and a comment after an address is
# its name. The field text itself still matches too. HEADER searches the
# text only. s2 repeats s1 (answered from the header cache once the
# first search has filled it).
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur:S From: <user-from (comment)@ (comment) domain.org>\nTo: "Doe, John" <john (x) . doe @ example . com>,\n plain@example.net (Plain Name)\nCc: Team: a@x.org, b@y.org;\nSubject: one\n\nbody\n
@mail myuser@mycompany.com INBOX cur:S From: Other <other@domain.org>\nTo: user-from@domain.org\nBcc: =?UTF-8?Q?J=C3=B6rg?= <joerg (j) @example.de>\nSubject: two\n\nbody\n
S: \* OK .*
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b EXAMINE INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 2 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 3\] .*
S: b OK \[READ-ONLY\] .*
C: s1 SEARCH FROM user-from@domain.org
S: \* SEARCH 1
S: s1 OK Search completed\.
C: s2 UID SEARCH FROM user-from@domain.org
S: \* SEARCH 1
S: s2 OK Search completed\.
C: s3 SEARCH FROM USER-FROM@DOMAIN.ORG
S: \* SEARCH 1
S: s3 OK Search completed\.
C: s4 SEARCH FROM comment
S: \* SEARCH 1
S: s4 OK Search completed\.
C: s5 SEARCH TO user-from@domain.org
S: \* SEARCH 2
S: s5 OK Search completed\.
C: s6 SEARCH TO john.doe@example.com
S: \* SEARCH 1
S: s6 OK Search completed\.
C: s7 SEARCH TO "plain name <plain@example.net>"
S: \* SEARCH 1
S: s7 OK Search completed\.
C: s8 SEARCH CC "team: a@x.org, b@y.org;"
S: \* SEARCH 1
S: s8 OK Search completed\.
C-RAW: s9 SEARCH CHARSET UTF-8 BCC "J\xc3\xb6rg <joerg@example.de>"\r\n
S: \* SEARCH 2
S: s9 OK Search completed\.
C: s10 SEARCH FROM @domain.org
S: \* SEARCH 1 2
S: s10 OK Search completed\.
C: s11 SEARCH OR FROM nobody@x.org NOT FROM user-from@domain.org
S: \* SEARCH 2
S: s11 OK Search completed\.
C: s12 SEARCH HEADER From user-from@domain.org
S: \* SEARCH
S: s12 OK Search completed\.
C: s13 SEARCH FROM nobody@domain.org
S: \* SEARCH
S: s13 OK Search completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
