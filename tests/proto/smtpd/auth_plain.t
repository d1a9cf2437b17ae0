# AUTH PLAIN (RFC 4954, RFC 4616) over plaintext from a network in
# plaintext_auth_networks: initial response, 235, the user recorded in the
# Received: line and the envelope (A record), the password never logged
# (the trace masks the AUTH line), a second AUTH refused.
@conf auth_fail_delay = 0
@conf plaintext_auth_networks = 127.0.0.0/8
@conf trace = yes
@remote 127.0.0.1
S: 220 .*
C: EHLO client.example.org
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE .*
S: 250-8BITMIME
S: 250-STARTTLS
S: 250-AUTH PLAIN LOGIN
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: 235 2\.7\.0 Authentication successful
@log auth ok: user=myuser@mycompany\.com mech=PLAIN client=unknown\[127\.0\.0\.1\]
@log < AUTH PLAIN \*\*\*\*$
@log-lacks AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ
@log-lacks mypassword
# Once authenticated, AUTH is neither offered nor accepted again.
C: EHLO client.example.org
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE .*
S: 250-8BITMIME
S: 250-STARTTLS
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: 503 5\.5\.1 Error: already authenticated
C: MAIL FROM:<myuser@mycompany.com> AUTH=myuser@mycompany.com
S: 250 2\.1\.0 Ok
C: RCPT TO:<someone@example.org>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: auth
C:
C: hello
C: .
S: 250 2\.0\.0 Ok: queued as [0-9A-F]+
@queue count 1
@queue-contains \tby mail.mycompany.com (quail) with ESMTPA id
@queue-contains (authenticated as myuser@mycompany.com)\n
@queue-contains \nAmyuser@mycompany.com\n
@log id=\S+ from=<myuser@mycompany\.com> to=<someone@example\.org> .* auth=myuser@mycompany\.com mail_auth=myuser@mycompany\.com
C: QUIT
S: 221 .*
@expect-close
