# TLS 1.0 after STARTTLS is refused as well.
S: 220 .*
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-STARTTLS
S: 250-.*
S: 250-.*
S: 250 SMTPUTF8
C: STARTTLS
S: 220 2\.0\.0 Ready to start TLS
@tls max=TLSv1 expect-fail
@log TLS error with unknown\[127\.0\.0\.1\]: TLS handshake failed: .*unsupported protocol
