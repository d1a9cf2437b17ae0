# Commands of every state and the errors of the dispatcher: ID (RFC 2971)
# before and after login, commands that need a login, an unknown command,
# a command without a tag, broken syntax, NAMESPACE (RFC 2342), ENABLE
# (RFC 5161: nothing to enable, an empty ENABLED), commands that need a
# selected mailbox, UID with a command that has no UID form, CAPABILITY
# with arguments.
@conf auth_fail_delay = 0
@conf error_limit = 50
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a ID NIL
S: \* ID \("name" "quail"\)
S: a OK ID completed\.
C: b ID ("name" "sodr" "version" "19.34")
S: \* ID \("name" "quail"\)
S: b OK ID completed\.
C: c ID ("name")
S: c BAD Invalid ID arguments\.
C: d SELECT INBOX
S: d BAD Error in IMAP command SELECT: Login first\.
C: e NAMESPACE
S: e BAD Error in IMAP command NAMESPACE: Login first\.
C: f XYZZY
S: f BAD Error in IMAP command XYZZY: Unknown command\.
C: NOOP
S: NOOP BAD Missing command name
C-RAW: (x) NOOP\r\n
S: \* BAD .*
C: g NOOP "unterminated
S: g BAD .*
C: h LOGIN myuser@mycompany.com mypassword
S: h OK \[CAPABILITY .*\] Logged in
C: i NAMESPACE
S: \* NAMESPACE \(\("" "\."\)\) NIL NIL
S: i OK Namespace completed\.
C: j ENABLE CONDSTORE UTF8=ACCEPT
S: \* ENABLED
S: j OK Enabled\.
C: k ENABLE
S: k BAD ENABLE needs capability names\.
C: l ID NIL
S: \* ID \("name" "quail"\)
S: l OK ID completed\.
C: m FETCH 1 FLAGS
S: m BAD Error in IMAP command FETCH: No mailbox selected\.
C: n UID FETCH 1 FLAGS
S: n BAD Error in IMAP command UID: No mailbox selected\.
C: o EXPUNGE
S: o BAD Error in IMAP command EXPUNGE: No mailbox selected\.
C: p AUTHENTICATE PLAIN
S: p BAD Error in IMAP command AUTHENTICATE: Already logged in\.
C: q STARTTLS
S: q BAD Error in IMAP command STARTTLS: Already logged in\.
C: r CAPABILITY x
S: r BAD CAPABILITY takes no arguments\.
C: s xyzzy
S: s BAD Error in IMAP command XYZZY: Unknown command\.
C: t EXAMINE INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS \(\)\] Read-only mailbox\.
S: \* 0 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] UIDs valid
S: \* OK \[UIDNEXT 1\] Predicted next UID
S: t OK \[READ-ONLY\] Examine completed\.
C: u UID NOOP
S: u BAD Error in IMAP command UID: Unknown command\.
C: v UID
S: v BAD Error in IMAP command UID: Unknown command\.
C: w CHECK
S: w OK Check completed\.
C: x NAMESPACE x
S: x BAD NAMESPACE takes no arguments\.
C: y LOGOUT
S: \* BYE Logging out
S: y OK Logout completed\.
@expect-close
