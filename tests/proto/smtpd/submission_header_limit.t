# Submission holds the header section, so it is bounded: over 1 MiB of
# header is refused (552) after the end of data, and nothing is queued.
@args -s
@conf auth_fail_delay = 0
@conf plaintext_auth_networks = 127.0.0.0/8
@conf message_size_limit = 4M
S: 220 .*
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250 SMTPUTF8
C: AUTH PLAIN AG15dXNlckBteWNvbXBhbnkuY29tAG15cGFzc3dvcmQ=
S: 235 2\.7\.0 Authentication successful
C: MAIL FROM:<myuser@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<me@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C-EVAL: b"X-Filler: " + b"y" * 70 + b"\r\n" + b" " + b"z" * 77 + b"\r\n"
C-EVAL: (b" " + b"z" * 77 + b"\r\n") * 13500
C: 
C: body
C: .
S: 552 5\.3\.4 Error: message header too big
@queue count 0
C: QUIT
S: 221 .*
@expect-close
