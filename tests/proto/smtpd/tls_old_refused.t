# TLS 1.0 and 1.1 are refused (RFC 8996): the handshake fails and the
# session ends; it is logged.
@args -t
@tls max=TLSv1_1 expect-fail
@log TLS error with unknown\[127\.0\.0\.1\]: TLS handshake failed: .*unsupported protocol
