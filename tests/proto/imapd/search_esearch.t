# RFC 4731 ESEARCH: SEARCH RETURN (MIN MAX ALL COUNT) with and without UID,
# "RETURN ()" meaning ALL, sequence sets compressed to ranges, MIN/MAX/ALL
# left out when nothing matched (COUNT 0 stays), bad options refused.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur:S Subject: 1\n\nx\n
@mail myuser@mycompany.com INBOX cur Subject: 2\n\nx\n
@mail myuser@mycompany.com INBOX cur Subject: 3\n\nx\n
@mail myuser@mycompany.com INBOX cur Subject: 4\n\nx\n
@mail myuser@mycompany.com INBOX cur:S Subject: 5\n\nx\n
@mail myuser@mycompany.com INBOX cur Subject: 6\n\nx\n
@mail myuser@mycompany.com INBOX cur:S Subject: 7\n\nx\n
S: \* OK .*
C: a LOGIN myuser@mycompany.com mypassword
S: a OK \[CAPABILITY .* ESEARCH.*\] .*
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 7 EXISTS
S: \* 0 RECENT
S: \* OK \[UNSEEN 2\] .*
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 8\] .*
S: b OK \[READ-WRITE\] .*
C: e1 SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN
S: \* ESEARCH \(TAG "e1"\) MIN 2 MAX 6 COUNT 4 ALL 2:4,6
S: e1 OK Search completed\.
C: e2 UID SEARCH RETURN (MIN MAX COUNT ALL) SEEN
S: \* ESEARCH \(TAG "e2"\) UID MIN 1 MAX 7 COUNT 3 ALL 1,5,7
S: e2 OK Search completed\.
C: e3 SEARCH RETURN () ALL
S: \* ESEARCH \(TAG "e3"\) ALL 1:7
S: e3 OK Search completed\.
C: e4 SEARCH RETURN (count) DELETED
S: \* ESEARCH \(TAG "e4"\) COUNT 0
S: e4 OK Search completed\.
C: e5 SEARCH RETURN (MIN MAX ALL) DELETED
S: \* ESEARCH \(TAG "e5"\)
S: e5 OK Search completed\.
C: e6 UID SEARCH RETURN (MAX) ALL
S: \* ESEARCH \(TAG "e6"\) UID MAX 7
S: e6 OK Search completed\.
C: e7 SEARCH RETURN (MIN) CHARSET UTF-8 7
S: \* ESEARCH \(TAG "e7"\) MIN 7
S: e7 OK Search completed\.
C: e8 SEARCH RETURN (ALL) 1,3,4,5,7
S: \* ESEARCH \(TAG "e8"\) ALL 1,3:5,7
S: e8 OK Search completed\.
C: x1 SEARCH RETURN (SAVE) ALL
S: x1 BAD .*
C: x2 SEARCH RETURN MIN ALL
S: x2 BAD .*
C: x3 SEARCH RETURN (MIN)
S: x3 BAD .*
C: z LOGOUT
S: \* BYE .*
S: z OK .*
@expect-close
