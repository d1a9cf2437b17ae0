# AUTH PLAIN with an initial response (RFC 5034), a wrong password
# ([AUTH], the same answer as for an unknown user), a cancelled exchange,
# and PLAIN without an initial response ("+ " then the response).
@conf auth_fail_delay = 0
S: \+OK quail POP3 ready\.
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAHdyb25n
S: -ERR \[AUTH\] Authentication failed\.
C: AUTH PLAIN AG5vYm9keUBteWNvbXBhbnkuY29tAHdyb25n
S: -ERR \[AUTH\] Authentication failed\.
C: AUTH PLAIN
S: \+ 
C: *
S: -ERR Authentication cancelled\.
C: AUTH PLAIN =
S: -ERR \[AUTH\] Invalid SASL PLAIN response\.
C: AUTH PLAIN not!base64
S: -ERR \[AUTH\] Invalid SASL PLAIN response\.
C: AUTH CRAM-MD5
S: -ERR Unsupported authentication mechanism\.
C: AUTH
S: \+OK
S: PLAIN
S: LOGIN
S: \.
C: AUTH PLAIN
S: \+ 
C: bXl1c2VyQG15Y29tcGFueS5jb20AbXl1c2VyQG15Y29tcGFueS5jb20AbXlwYXNzd29yZA==
S: \+OK Logged in\.
C: STAT
S: \+OK 0 0
C: QUIT
S: \+OK Logging out, 0 messages deleted\.
@expect-close
