# PIPELINING (RFC 2449 6.6): commands in one write, including the login,
# are answered in order.
@conf auth_fail_delay = 0
S: \+OK quail POP3 ready\.
C-RAW: CAPA\r\nUSER myuser@mycompany.com\r\nPASS mypassword\r\nSTAT\r\nNOOP\r\nQUIT\r\n
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
S: \+OK
S: \+OK Logged in\.
S: \+OK 0 0
S: \+OK
S: \+OK Logging out, 0 messages deleted\.
@expect-close
