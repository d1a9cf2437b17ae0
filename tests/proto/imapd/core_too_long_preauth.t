# Before login a command of 8193 bytes is BAD [TOOBIG], then BYE.
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C-EVAL: b"a NOOP " + b"x" * 8184 + b"\r\n"
S: a BAD \[TOOBIG\] Command line too long
S: \* BYE Too long command\.
@expect-close
@log command too long from 127\.0\.0\.1
