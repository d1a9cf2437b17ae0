# The TLS files are read at start but OpenSSL is set up only at STARTTLS
# (lib/tls.h: lazy setup). A certificate that does not belong to the key
# passes the checks at start; STARTTLS then answers NO [UNAVAILABLE] (no
# "OK Begin TLS"), the log names both files, the session goes on.
@conf tls_cert = /etc/ssl/certs/ISRG_Root_X1.pem
S: \* OK \[CAPABILITY .*STARTTLS.*\] quail IMAP ready\.
C: a STARTTLS
S: a NO \[UNAVAILABLE\] TLS not available\.
@log TLS certificate: key .*/key\.pem does not match certificate /etc/ssl/certs/ISRG_Root_X1\.pem
C: b NOOP
S: b OK NOOP completed\.
C: c LOGOUT
S: \* BYE Logging out
S: c OK Logout completed\.
@expect-close
