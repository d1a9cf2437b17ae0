# A missing certificate is an error at start, never a silent downgrade:
# the client gets -ERR [SYS/TEMP], the log says why, the exit is 111.
@conf tls_cert = /nonexistent/cert.pem
@exit-status 111
S: -ERR \[SYS/TEMP\] Service temporarily unavailable\.
@expect-close
@log TLS certificate: 
