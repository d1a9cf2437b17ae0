# Under xinetd stderr is the client's socket: nothing but the protocol
# may appear there, also after a login as root (privilege separation).
@stderr-socket
@conf auth_fail_delay = 0
S: \+OK quail POP3 ready\.
C: USER myuser@mycompany.com
S: \+OK
C: PASS mypassword
S: \+OK Logged in\.
C: QUIT
S: \+OK Logging out, 0 messages deleted\.
@expect-close
