# AUTHENTICATE (RFC 3501 6.2.2) with PLAIN and LOGIN, with and without the
# SASL-IR initial response (RFC 4959): a cancel ("*") is BAD, bad base64
# is BAD, an unknown mechanism NO, a wrong password NO
# [AUTHENTICATIONFAILED]; then a PLAIN login in a continuation works.
@conf auth_fail_delay = 0
S: \* OK \[CAPABILITY .* AUTH=PLAIN AUTH=LOGIN\] quail IMAP ready\.
C: a AUTHENTICATE PLAIN
S: \+ 
C: *
S: a BAD Authentication aborted by client\.
C: b AUTHENTICATE PLAIN
S: \+ 
C: !!!notbase64
S: b BAD Invalid SASL PLAIN response\.
C: c AUTHENTICATE PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAHdyb25n
S: c NO \[AUTHENTICATIONFAILED\] Authentication failed\.
C: d AUTHENTICATE CRAM-MD5
S: d NO Unsupported authentication mechanism\.
C: e AUTHENTICATE LOGIN
S: \+ VXNlcm5hbWU6
C: bXl1c2VyQG15Y29tcGFueS5jb20=
S: \+ UGFzc3dvcmQ6
C: *
S: e BAD Authentication aborted by client\.
C: f AUTHENTICATE PLAIN =
S: f BAD Invalid SASL PLAIN response\.
C: g AUTHENTICATE
S: g BAD Invalid arguments\.
C: h AUTHENTICATE PLAIN
S: \+ 
C: AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: h OK \[CAPABILITY IMAP4rev1 .*\] Logged in
C: i LOGOUT
S: \* BYE Logging out
S: i OK Logout completed\.
@expect-close
