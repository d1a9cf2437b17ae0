# From outside plaintext_auth_networks and without TLS: USER, PASS and
# AUTH are refused with [AUTH], CAPA offers neither USER nor SASL, only
# STLS (RFC 2595 4).
@remote 192.0.2.7
S: \+OK quail POP3 ready\.
C: CAPA
S: \+OK Capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: STLS
S: IMPLEMENTATION quail
S: \.
C: USER myuser@mycompany.com
S: -ERR \[AUTH\] Plaintext authentication disallowed on non-secure connections\.
C: PASS mypassword
S: -ERR \[AUTH\] Plaintext authentication disallowed on non-secure connections\.
C: AUTH PLAIN bXl1c2VyQG15Y29tcGFueS5jb20AbXl1c2VyQG15Y29tcGFueS5jb20AbXlwYXNzd29yZA==
S: -ERR \[AUTH\] Plaintext authentication disallowed on non-secure connections\.
C: APOP myuser@mycompany.com c4c9334bac560ecc979e58001b3e22fb
S: -ERR APOP not supported\.
C: QUIT
S: \+OK Logging out\.
@expect-close
