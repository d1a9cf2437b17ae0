# Limits of STYLE.md 5: before login a command may have 8192 bytes (CRLF
# included); one over is BAD [TOOBIG] and the end of the session. After
# login the line may have 64 KiB: one over is BAD [TOOBIG] and the session
# goes on; a synchronising literal over message_size_limit is refused
# before the client sends it: NO [TOOBIG] for APPEND (RFC 7889 3),
# BAD [TOOBIG] for any other command.
@conf auth_fail_delay = 0
@conf message_size_limit = 1000
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C-EVAL: b"a NOOP " + b"x" * 8183 + b"\r\n"
S: a OK NOOP completed\.
C: b LOGIN myuser@mycompany.com mypassword
S: b OK \[CAPABILITY .*\] Logged in
C-EVAL: b"c NOOP " + b"x" * 65536 + b"\r\n"
S: c BAD \[TOOBIG\] .*
C: d NOOP
S: d OK NOOP completed\.
C: e APPEND INBOX {1001}
S: e NO \[TOOBIG\] .*
C: e2 LIST "" {1001}
S: e2 BAD \[TOOBIG\] Literal too large
C: f NOOP
S: f OK NOOP completed\.
C: g LOGOUT
S: \* BYE Logging out
S: g OK Logout completed\.
@expect-close
