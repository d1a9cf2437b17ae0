# Without tls_cert/tls_key, STARTTLS is neither offered nor accepted.
@conf tls_cert =
@conf tls_key =
@remote 192.0.2.7
S: 220 .*
C: EHLO client.example.org
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE .*
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: STARTTLS
S: 502 5\.5\.1 Error: command not implemented
C: QUIT
S: 221 .*
@expect-close
