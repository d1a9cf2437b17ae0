# SASL-IR (RFC 4959): AUTHENTICATE PLAIN with the initial response on the
# command line logs in at once; commands pipelined behind it are run by
# the session.
@conf auth_fail_delay = 0
S: \* OK \[CAPABILITY .*SASL-IR.*\] quail IMAP ready\.
C-RAW: a AUTHENTICATE PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=\r\nb NOOP\r\n
S: a OK \[CAPABILITY IMAP4rev1 .*\] Logged in
S: b OK NOOP completed\.
C: c LOGOUT
S: \* BYE Logging out
S: c OK Logout completed\.
@expect-close
