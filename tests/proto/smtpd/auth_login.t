# AUTH LOGIN: the "Username:"/"Password:" challenges, and the variant with
# the user name as initial response; a wrong password is 535 after the
# same exchange, and the failure is logged with the client address.
@conf auth_fail_delay = 0
@conf plaintext_auth_networks = 127.0.0.0/8
@conf trace = yes
@remote 127.0.0.1
S: 220 .*
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-AUTH PLAIN LOGIN
S: 250-.*
S: 250 SMTPUTF8
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: bXl1c2VyQG15Y29tcGFueS5jb20=
S: 334 UGFzc3dvcmQ6
C: d3Jvbmc=
S: 535 5\.7\.8 Error: authentication failed
@log auth failed: user=myuser@mycompany\.com mech=LOGIN client=unknown\[127\.0\.0\.1\]
@log < \*\*\*\*$
@log-lacks d3Jvbmc
C: AUTH LOGIN bXl1c2VyQG15Y29tcGFueS5jb20=
S: 334 UGFzc3dvcmQ6
C: bXlwYXNzd29yZA==
S: 235 2\.7\.0 Authentication successful
@log auth ok: user=myuser@mycompany\.com mech=LOGIN
@log-lacks bXlwYXNzd29yZA
C: QUIT
S: 221 .*
@expect-close
