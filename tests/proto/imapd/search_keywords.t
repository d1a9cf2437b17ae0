# KEYWORD / UNKEYWORD (a keyword the folder does not know matches nothing,
# its UNKEYWORD everything), and UID SEARCH answering UIDs, not sequence
# numbers, once an expunge made them differ.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur:S Subject: 1\n\nx\n
@mail myuser@mycompany.com INBOX cur:S Subject: 2\n\nx\n
@mail myuser@mycompany.com INBOX cur:S Subject: 3\n\nx\n
@mail myuser@mycompany.com INBOX cur:S Subject: 4\n\nneedle\n
S: \* OK .*
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 4 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 5\] .*
S: b OK \[READ-WRITE\] .*
C: k0 SEARCH KEYWORD $Work
S: \* SEARCH
S: k0 OK Search completed\.
C: k1 SEARCH UNKEYWORD $Work
S: \* SEARCH 1 2 3 4
S: k1 OK Search completed\.
C: s1 STORE 2,4 +FLAGS.SILENT ($Work)
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: s1 OK .*
C: k2 SEARCH KEYWORD $work
S: \* SEARCH 2 4
S: k2 OK Search completed\.
C: k3 SEARCH UNKEYWORD $WORK
S: \* SEARCH 1 3
S: k3 OK Search completed\.
C: k4 SEARCH KEYWORD $Other
S: \* SEARCH
S: k4 OK Search completed\.
C: s2 STORE 1 +FLAGS.SILENT (\Deleted)
S: s2 OK .*
C: x CLOSE
S: x OK .*
C: y SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 3 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 5\] .*
S: y OK \[READ-WRITE\] .*
C: u1 UID SEARCH KEYWORD $Work
S: \* SEARCH 2 4
S: u1 OK Search completed\.
C: u2 SEARCH KEYWORD $Work
S: \* SEARCH 1 3
S: u2 OK Search completed\.
C: u3 UID SEARCH RETURN (MIN MAX COUNT ALL) BODY needle
S: \* ESEARCH \(TAG "u3"\) UID MIN 4 MAX 4 COUNT 1 ALL 4
S: u3 OK Search completed\.
C: u4 SEARCH 1:2 UID 3:4
S: \* SEARCH 2
S: u4 OK Search completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
@expect-close
