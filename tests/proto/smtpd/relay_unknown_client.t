# No TCPREMOTEIP and not a TCP socket: the client is "unknown", which is
# in no relay network.
@remote none
S: 220 .*
C: HELO localhost
S: 250 mail\.mycompany\.com
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<friend@example.org>
S: 554 5\.7\.1 <friend@example\.org>: Relay access denied
C: RCPT TO:<me@mycompany.com>
S: 250 2\.1\.5 Ok
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
