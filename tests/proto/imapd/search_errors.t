# SEARCH syntax errors answer BAD with a reason and change nothing; the
# session goes on after each. Nesting deeper than the limit is refused.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@conf error_limit = 0
@mail myuser@mycompany.com INBOX cur:S Subject: 1\n\nx\n
S: \* OK .*
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 1 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 2\] .*
S: b OK \[READ-WRITE\] .*
C: x1 SEARCH
S: x1 BAD Missing search keys
C: x2 SEARCH FOO
S: x2 BAD Unknown search key
C: x3 SEARCH FROM
S: x3 BAD Missing search string
C: x4 SEARCH BEFORE 31-Feb-2020
S: x4 BAD Invalid date .*
C: x5 SEARCH LARGER many
S: x5 BAD Invalid number
C: c1 SEARCH ALL
S: \* SEARCH 1
S: c1 OK Search completed\.
C: x6 SEARCH OR SEEN
S: x6 BAD Missing search key
C: x7 SEARCH ()
S: x7 BAD Empty search key list
C: x8 SEARCH 0:3
S: x8 BAD Invalid sequence set
C: x9 SEARCH UID x
S: x9 BAD Invalid UID set
C: x10 SEARCH "SEEN"
S: x10 BAD Unknown search key.*
C: x11 SEARCH CHARSET
S: x11 BAD .*
C-EVAL: b"x12 SEARCH " + b"NOT " * 64 + b"ALL\r\n"
S: x12 BAD Search keys nested too deeply
C-EVAL: b"c2 SEARCH " + b"NOT " * 62 + b"SEEN\r\n"
S: \* SEARCH 1
S: c2 OK Search completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
@expect-close
