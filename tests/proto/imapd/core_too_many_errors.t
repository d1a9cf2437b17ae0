# error_limit BAD replies end the session with BYE (counted before login
# and, afresh, after it).
@conf error_limit = 3
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a XYZZY
S: a BAD Error in IMAP command XYZZY: Unknown command\.
C: b SELECT INBOX
S: b BAD Error in IMAP command SELECT: Login first\.
C: c NOOP (
S: c BAD .*
S: \* BYE Too many invalid IMAP commands\.
@expect-close
@log too many errors \(3\) from 127\.0\.0\.1
