# The TLS files are read at start but OpenSSL is set up only at STLS
# (lib/tls.h: lazy setup). A certificate that does not belong to the key
# passes the checks at start; STLS then answers -ERR [SYS/TEMP] (no
# "+OK Begin TLS"), the log names both files, the session goes on.
@conf tls_cert = /etc/ssl/certs/ISRG_Root_X1.pem
S: \+OK quail POP3 ready\.
C: STLS
S: -ERR \[SYS/TEMP\] TLS not available\.
@log TLS certificate: key .*/key\.pem does not match certificate /etc/ssl/certs/ISRG_Root_X1\.pem
C: NOOP
S: \+OK
C: QUIT
S: \+OK Logging out\.
@expect-close
