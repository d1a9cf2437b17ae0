# USER/PASS on an empty maildrop, the TRANSACTION commands on it, CAPA
# after login, and QUIT.
S: \+OK quail POP3 ready\.
C: USER myuser@mycompany.com
S: \+OK
C: PASS mypassword
S: \+OK Logged in\.
C: STAT
S: \+OK 0 0
C: LIST
S: \+OK 0 0
S: \.
C: UIDL
S: \+OK
S: \.
C: RETR 1
S: -ERR There's no message 1\.
C: CAPA
S: \+OK Capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: IMPLEMENTATION quail
S: \.
C: NOOP
S: \+OK
C: QUIT
S: \+OK Logging out, 0 messages deleted\.
@expect-close
@log login of myuser@mycompany\.com from 127\.0\.0\.1: 0 messages
