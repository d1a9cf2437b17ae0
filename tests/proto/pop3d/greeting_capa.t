# Greeting, CAPA before login (plaintext allowed from 127.0.0.1 in the
# test instance: USER and SASL advertised; STLS since a cert is set), QUIT.
S: \+OK quail POP3 ready\.
C: CAPA
S: \+OK Capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: USER
S: SASL PLAIN LOGIN
S: STLS
S: IMPLEMENTATION quail
S: \.
C: QUIT
S: \+OK Logging out\.
@expect-close
