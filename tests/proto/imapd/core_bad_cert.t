# A missing certificate is an error at start, never a silent downgrade:
# the client gets "* BYE [UNAVAILABLE]", the log says why, the exit is 111.
@conf tls_cert = /nonexistent/cert.pem
@exit-status 111
S: \* BYE \[UNAVAILABLE\] Service temporarily unavailable\.
@expect-close
@log TLS certificate: 
