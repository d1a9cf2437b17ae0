# STARTTLS (RFC 3207): 220, handshake, the session starts over (EHLO
# needed again, STARTTLS no longer offered, AUTH offered under TLS even
# outside plaintext_auth_networks), and the Received: line says ESMTPSA
# with the TLS version and cipher.
@conf auth_fail_delay = 0
@conf plaintext_auth_networks = 127.0.0.0/8
@conf relay_networks = 127.0.0.0/8
@remote 192.0.2.7
S: 220 .*
C: STARTTLS now
S: 501 5\.5\.4 Syntax: STARTTLS
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-STARTTLS
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: MAIL FROM:<me@example.org>
S: 250 2\.1\.0 Ok
C: STARTTLS
S: 503 5\.5\.1 Error: MAIL transaction in progress
C: RSET
S: 250 2\.0\.0 Ok
C: STARTTLS
S: 220 2\.0\.0 Ready to start TLS
@tls
@log TLS established with unknown\[192\.0\.2\.7\]: TLSv1\.3 TLS_
# Everything learnt before TLS is forgotten.
C: MAIL FROM:<me@example.org>
S: 503 5\.5\.1 Error: send HELO/EHLO first
C: EHLO client.example.org
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE .*
S: 250-8BITMIME
S: 250-AUTH PLAIN LOGIN
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: STARTTLS
S: 554 5\.5\.1 Error: TLS already active
C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: bXl1c2VyQG15Y29tcGFueS5jb20=
S: 334 UGFzc3dvcmQ6
C: bXlwYXNzd29yZA==
S: 235 2\.7\.0 Authentication successful
@log auth ok: user=myuser@mycompany\.com mech=LOGIN client=unknown\[192\.0\.2\.7\] tls
C: MAIL FROM:<myuser@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<friend@example.org>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: over TLS
C:
C: secret
C: .
S: 250 2\.0\.0 Ok: queued as [0-9A-F]+
@queue count 1
@queue-contains \n\t(using TLSv1.3 with cipher TLS_
@queue-contains (authenticated as myuser@mycompany.com)\n\tby mail.mycompany.com (quail) with ESMTPSA id
C: QUIT
S: 221 .*
@expect-close
