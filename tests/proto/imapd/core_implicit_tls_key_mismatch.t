# -t with a certificate that does not belong to the key: found when TLS
# is set up, before the greeting. Nothing is said in plaintext on a TLS
# port; the log names both files, the exit is 111.
@args -t
@conf tls_cert = /etc/ssl/certs/ISRG_Root_X1.pem
@exit-status 111
@expect-close
@log TLS certificate: key .*/key\.pem does not match certificate /etc/ssl/certs/ISRG_Root_X1\.pem
