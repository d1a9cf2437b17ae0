# The idle timeout (pop3_timeout) ends the session with -ERR.
@conf pop3_timeout = 1
S: \+OK quail POP3 ready\.
C: NOOP
S: \+OK
S: -ERR Disconnected for inactivity\.
@expect-close
@log idle timeout for 127\.0\.0\.1
