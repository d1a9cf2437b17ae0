# STLS command injection (RFC 2595 4, CVE-2011-0411): commands pipelined
# behind STLS in the same write are plaintext and must be dropped, not run
# inside the TLS session; a USER given before STLS is forgotten too. The
# first reply under TLS is the one to our NOOP, and PASS finds no user.
S: \+OK quail POP3 ready\.
C: USER myuser@mycompany.com
S: \+OK
C-RAW: STLS\r\nUSER me@mycompany.com\r\nCAPA\r\n
S: \+OK Begin TLS negotiation
@tls
C: NOOP
S: \+OK
C: PASS mypassword
S: -ERR No username given\.
C: QUIT
S: \+OK Logging out\.
@expect-close
