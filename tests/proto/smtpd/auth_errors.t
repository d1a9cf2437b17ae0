# Every AUTH error path (RFC 4954 4, 6): order, syntax, unknown
# mechanism, bad base64, cancel, an over-long continuation line, wrong
# password and unknown user (the same answer), AUTH inside a transaction.
@conf auth_fail_delay = 0
@conf error_limit = 0
@conf plaintext_auth_networks = 127.0.0.0/8
@remote 127.0.0.1
S: 220 .*
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: 503 5\.5\.1 Error: send HELO/EHLO first
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250 SMTPUTF8
C: AUTH
S: 501 5\.5\.4 Syntax: AUTH mechanism \[initial-response\]
C: AUTH CRAM-MD5
S: 504 5\.5\.4 Unrecognized authentication type
C: AUTH PLAIN abc def
S: 501 5\.5\.4 Syntax: AUTH mechanism \[initial-response\]
# Not base64, empty ("=" is the empty initial response), no NULs.
C: AUTH PLAIN !!!!
S: 501 5\.5\.2 Error: .*
C: AUTH PLAIN =
S: 501 5\.5\.2 Error: .*
C: AUTH PLAIN bXl1c2Vy
S: 501 5\.5\.2 Error: .*
# authzid other than the user: quail does not let one user act as another.
C: AUTH PLAIN bWVAbXljb21wYW55LmNvbQBteXVzZXJAbXljb21wYW55LmNvbQBteXBhc3N3b3Jk
S: 501 5\.5\.2 Error: .*
# Cancel at each step.
C: AUTH PLAIN
S: 334 
C: *
S: 501 5\.7\.0 Authentication aborted
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: *
S: 501 5\.7\.0 Authentication aborted
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: bXl1c2VyQG15Y29tcGFueS5jb20=
S: 334 UGFzc3dvcmQ6
C: *
S: 501 5\.7\.0 Authentication aborted
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: ====
S: 501 5\.5\.2 Error: .*
# Continuation lines: 8192 bytes with CRLF is the limit.
C: AUTH PLAIN
S: 334 
C-EVAL: b"A" * 8190 + b"\r\n"
S: 501 5\.5\.2 Error: .*
C: AUTH PLAIN
S: 334 
C-EVAL: b"A" * 8191 + b"\r\n"
S: 500 5\.5\.6 Authentication exchange line is too long
# Still in sync after the long line:
C: NOOP
S: 250 2\.0\.0 Ok
# Wrong password and unknown user: one answer.
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAHdyb25n
S: 535 5\.7\.8 Error: authentication failed
C: AUTH PLAIN AG5vc3VjaEBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: 535 5\.7\.8 Error: authentication failed
@log auth failed: user=nosuch@mycompany\.com mech=PLAIN client=unknown\[127\.0\.0\.1\]
# Not inside a transaction.
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: 503 5\.5\.1 Error: MAIL transaction in progress
C: RSET
S: 250 2\.0\.0 Ok
# None of the failures above left the session unusable.
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: 235 2\.7\.0 Authentication successful
C: QUIT
S: 221 .*
@expect-close
