# A configured but unreadable certificate is an error at start (421 and
# exit 111, the file named in the log), never a silent plaintext service.
@conf tls_cert = /nonexistent/cert.pem
@exit-status 111
S: 421 4\.3\.0 Service temporarily unavailable
@expect-close
@log TLS: cannot read certificate /nonexistent/cert\.pem: No such file
