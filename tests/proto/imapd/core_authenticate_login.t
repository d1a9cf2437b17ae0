# AUTHENTICATE LOGIN: user name and password in two continuations, or the
# user name as the initial response (SASL-IR) and the password in one.
@conf auth_fail_delay = 0
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a AUTHENTICATE LOGIN bXl1c2VyQG15Y29tcGFueS5jb20=
S: \+ UGFzc3dvcmQ6
C: d3Jvbmc=
S: a NO \[AUTHENTICATIONFAILED\] Authentication failed\.
C: b AUTHENTICATE LOGIN
S: \+ VXNlcm5hbWU6
C: bXl1c2VyQG15Y29tcGFueS5jb20=
S: \+ UGFzc3dvcmQ6
C: bXlwYXNzd29yZA==
S: b OK \[CAPABILITY IMAP4rev1 .*\] Logged in
C: c LOGOUT
S: \* BYE Logging out
S: c OK Logout completed\.
@expect-close
