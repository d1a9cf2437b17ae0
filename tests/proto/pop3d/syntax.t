# Malformed and unknown commands get -ERR and the session goes on;
# a 512-byte line is the limit (510 + CRLF), one more byte is too long.
S: \+OK quail POP3 ready\.
C: HELO
S: -ERR Unknown command\.
C: 
S: -ERR Unknown command\.
C: NOOP x
S: -ERR Noise after command\.
C-RAW: NOOP\x00\r\n
S: -ERR Invalid characters in command\.
C-EVAL: b"NOOP" + b" " * 506 + b"\r\n"
S: \+OK
C-EVAL: b"NOOP" + b" " * 507 + b"\r\n"
S: -ERR Line too long\.
C-EVAL: b"USER " + b"u" * 5000 + b"\r\n"
S: -ERR Line too long\.
C-RAW: NOOP\n
S: \+OK
C: STLS
S: \+OK Begin TLS negotiation
@client-close
