# The idle timeout (imap_timeout) ends the session with BYE (RFC 3501
# 5.4), before and after login, and during IDLE.
@conf imap_timeout = 1
@conf auth_fail_delay = 0
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a NOOP
S: a OK NOOP completed\.
S: \* BYE Disconnected for inactivity\.
@expect-close
@log idle timeout for 127\.0\.0\.1
