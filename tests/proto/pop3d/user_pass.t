# USER/PASS as typed in telnet (lower case, a space typed after the user
# name), PASS without USER, a wrong password, then the right one. The
# password is not traced.
@conf auth_fail_delay = 0
@conf trace = yes
S: \+OK quail POP3 ready\.
C: PASS mypassword
S: -ERR No username given\.
C: user myuser@mycompany.com
S: \+OK
C: pass wrong
S: -ERR \[AUTH\] Authentication failed\.
C: PASS mypassword
S: -ERR No username given\.
C: STAT
S: -ERR Not logged in\.
C-RAW: USER myuser@mycompany.com \r\n
S: \+OK
C: PASS mypassword
S: \+OK Logged in\.
C: USER x
S: -ERR Command not valid in TRANSACTION state\.
C: quit
S: \+OK Logging out, 0 messages deleted\.
@expect-close
@log < PASS \*\*\*
