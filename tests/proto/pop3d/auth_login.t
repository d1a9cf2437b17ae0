# AUTH LOGIN with the user name as initial response and without; the
# password is never written to the trace.
@conf auth_fail_delay = 0
@conf trace = yes
S: \+OK quail POP3 ready\.
C: AUTH LOGIN
S: \+ VXNlcm5hbWU6
C: bXl1c2VyQG15Y29tcGFueS5jb20=
S: \+ UGFzc3dvcmQ6
C: d3Jvbmc=
S: -ERR \[AUTH\] Authentication failed\.
C: AUTH LOGIN bXl1c2VyQG15Y29tcGFueS5jb20=
S: \+ UGFzc3dvcmQ6
C: bXlwYXNzd29yZA==
S: \+OK Logged in\.
C: QUIT
S: \+OK Logging out, 0 messages deleted\.
@expect-close
@log < \(hidden\)
@log < AUTH LOGIN \*\*\*
