# smtp_timeout of silence: 421 4.4.2 and the connection is closed.
@conf smtp_timeout = 2s
@timeout 15
S: 220 .*
C: HELO client.example.org
S: 250 mail\.mycompany\.com
S: 421 4\.4\.2 mail\.mycompany\.com Error: timeout exceeded
@expect-close
@log timeout from
