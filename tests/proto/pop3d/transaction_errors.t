# TRANSACTION state on an empty maildrop: bad message numbers, missing
# and extra arguments.
@conf auth_fail_delay = 0
S: \+OK quail POP3 ready\.
C: USER myuser@mycompany.com
S: \+OK
C: PASS mypassword
S: \+OK Logged in\.
C: LIST 1
S: -ERR There's no message 1\.
C: UIDL 4294967295
S: -ERR There's no message 4294967295\.
C: RETR 0
S: -ERR Invalid message number\.
C: RETR 4294967296
S: -ERR Invalid number\.
C: TOP 1
S: -ERR Missing argument\.
C: DELE
S: -ERR Missing argument\.
C: DELE 1 2
S: -ERR Too many arguments\.
C: RSET
S: \+OK
C: STLS
S: -ERR Command not valid in TRANSACTION state\.
C: QUIT
S: \+OK Logging out, 0 messages deleted\.
@expect-close
