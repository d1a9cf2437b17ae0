# \Recent of APPENDed and COPYed messages (RFC 3501 2.3.2, 6.4.7): they
# are \Recent for the first session that selects the folder read-write
# (or has it selected); EXAMINE and STATUS count them without claiming.
# A folder whose 26 keyword letters are taken refuses another keyword
# with [LIMIT].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@folder myuser@mycompany.com Work
@mail myuser@mycompany.com Work cur:S Subject: old\n\nbody\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
# the message there before gets UID 1 (not \Recent: in cur/)
C: a2 STATUS Work (MESSAGES RECENT)
S: \* STATUS Work \(MESSAGES 1 RECENT 0\)
S: a2 OK .*
C-RAW: b1 APPEND Work {23+}\r\nSubject: new\r\n\r\nbody2\r\n\r\n
S: b1 OK \[APPENDUID \d+ 2\] .*
C: b2 STATUS Work (MESSAGES RECENT)
S: \* STATUS Work \(MESSAGES 2 RECENT 1\)
S: b2 OK .*
# EXAMINE reports it without claiming it
C: c1 EXAMINE Work
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 2 EXISTS
S: \* 1 RECENT
S: .*
S: .*
S: .*
S: c1 OK \[READ-ONLY\] .*
C: c2 FETCH 1:2 (FLAGS)
S: \* 1 FETCH \(FLAGS \(\\Seen\)\)
S: \* 2 FETCH \(FLAGS \(\\Recent\)\)
S: c2 OK .*
# the first SELECT claims it, the next one does not see it as \Recent
C: d1 SELECT Work
S: \* OK \[CLOSED\] .*
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 2 EXISTS
S: \* 1 RECENT
S: .*
S: .*
S: .*
S: d1 OK \[READ-WRITE\] .*
C: d2 FETCH 2 (FLAGS)
S: \* 2 FETCH \(FLAGS \(\\Recent\)\)
S: d2 OK .*
# COPY into the selected folder: \Recent for this session
C: d3 COPY 1 Work
S: \* 3 EXISTS
S: \* 2 RECENT
S: d3 OK \[COPYUID \d+ 1 3\] .*
C: d4 FETCH 3 (FLAGS)
S: \* 3 FETCH \(FLAGS \(\\Seen \\Recent\)\)
S: d4 OK .*
C: e1 SELECT Work
S: \* OK \[CLOSED\] .*
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 3 EXISTS
S: \* 0 RECENT
S: .*
S: .*
S: .*
S: e1 OK \[READ-WRITE\] .*
C: e2 STATUS Work (RECENT)
S: \* STATUS Work \(RECENT 0\)
S: e2 OK .*
# COPY into a folder not selected: STATUS counts it
C: f1 COPY 1:2 INBOX
S: f1 OK \[COPYUID \d+ 1:2 1:2\] .*
C: f2 STATUS INBOX (MESSAGES RECENT)
S: \* STATUS INBOX \(MESSAGES 2 RECENT 2\)
S: f2 OK .*
C: f3 SELECT INBOX
S: \* OK \[CLOSED\] .*
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 2 EXISTS
S: \* 2 RECENT
S: .*
S: .*
S: .*
S: f3 OK \[READ-WRITE\] .*
# 26 keywords fill the folder's letters; one more is refused
C-RAW: g1 APPEND Work (k00 k01 k02 k03 k04 k05 k06 k07 k08 k09 k10 k11 k12 k13 k14 k15 k16 k17 k18 k19 k20 k21 k22 k23 k24 k25) {3+}\r\nx\r\n\r\n
S: g1 OK \[APPENDUID \d+ 4\] .*
C-RAW: g2 APPEND Work (extra) {3+}\r\nx\r\n\r\n
S: g2 NO \[LIMIT\] .*
C: g3 NOOP
S: g3 OK .*
C: z LOGOUT
S: \* BYE .*
S: z OK .*
