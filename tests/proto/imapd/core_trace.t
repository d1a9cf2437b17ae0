# Tracing (-v) logs the dialogue but never LOGIN's password, AUTHENTICATE
# data or continuation lines, nor APPEND's message (only its size).
@args -v
@conf auth_fail_delay = 0
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a LOGIN myuser@mycompany.com s3cretpw
S: a NO \[AUTHENTICATIONFAILED\] Authentication failed\.
C: b AUTHENTICATE PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAHdyb25n
S: b NO \[AUTHENTICATIONFAILED\] Authentication failed\.
C: c AUTHENTICATE LOGIN
S: \+ VXNlcm5hbWU6
C: bXl1c2VyQG15Y29tcGFueS5jb20=
S: \+ UGFzc3dvcmQ6
C: d3Jvbmc=
S: c NO \[AUTHENTICATIONFAILED\] Authentication failed\.
C: d LOGIN myuser@mycompany.com {10}
S: \+ OK
C: mypassword
S: d OK \[CAPABILITY .*\] Logged in
C-RAW: e APPEND INBOX {14+}\r\nSubject: zzz\r\n\r\n
S: e OK .*
C: f LOGOUT
S: \* BYE Logging out
S: f OK Logout completed\.
@expect-close
@log < a LOGIN myuser@mycompany\.com \*\*\*
@log < b AUTHENTICATE PLAIN \*\*\*
@log < \(hidden\)
@log < e APPEND INBOX \{14 bytes\}
@log > f OK Logout completed\.
@log-lacks s3cretpw
@log-lacks mypassword
@log-lacks AHdyb25n
@log-lacks d3Jvbmc
@log-lacks zzz
