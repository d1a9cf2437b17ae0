# The idle timeout applies during IDLE too.
@conf imap_timeout = 1
@conf auth_fail_delay = 0
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK \[CAPABILITY .*\] Logged in
C: b IDLE
S: \+ idling
S: \* BYE Disconnected for inactivity\.
@expect-close
@log idle timeout for 127\.0\.0\.1
