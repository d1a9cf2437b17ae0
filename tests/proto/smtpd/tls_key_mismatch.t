# The TLS files are read at start but OpenSSL is set up only at STARTTLS
# (lib/tls.h: lazy setup). A certificate that does not belong to the key
# passes the checks at start; STARTTLS then answers 454 (nothing is sent
# in TLS and the session stays usable in plaintext), the log names both
# files, and a second STARTTLS gets the same answer.
@conf tls_cert = /etc/ssl/certs/ISRG_Root_X1.pem
@remote 192.0.2.7
S: 220 .*
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-STARTTLS
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: STARTTLS
S: 454 4\.7\.0 TLS not available due to local problem
@log TLS: key .*/key\.pem does not match certificate /etc/ssl/certs/ISRG_Root_X1\.pem
C: STARTTLS
S: 454 4\.7\.0 TLS not available due to local problem
C: NOOP
S: 250 2\.0\.0 Ok
C: QUIT
S: 221 .*
@expect-close
