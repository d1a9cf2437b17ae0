# Literals (RFC 3501 4.3): a synchronising literal gets "+ OK" before the
# client sends it; a LITERAL+ literal (RFC 7888) {n+} none. Before login a
# non-synchronising literal may have at most 4096 bytes (LITERAL-
# semantics), more cannot be resynchronised: BAD and BYE.
@conf auth_fail_delay = 0
S: \* OK \[CAPABILITY .*LITERAL\+.*\] quail IMAP ready\.
C-RAW: a ID ("name" {4}\r\n
S: \+ OK
C-RAW: sodr)\r\n
S: \* ID \("name" "quail"\)
S: a OK ID completed\.
C-RAW: b ID ("name" {5+}\r\nsodr2)\r\n
S: \* ID \("name" "quail"\)
S: b OK ID completed\.
C-RAW: c LOGIN {20+}\r\nmyuser@mycompany.com {10}\r\n
S: \+ OK
C-RAW: mypassword\r\n
S: c OK \[CAPABILITY .*\] Logged in
C-RAW: d LOGOUT\r\n
S: \* BYE Logging out
S: d OK Logout completed\.
@expect-close
