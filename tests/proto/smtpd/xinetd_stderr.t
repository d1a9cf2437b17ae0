# Under xinetd stdin = stdout = stderr = the socket: nothing but SMTP
# may reach the client, even with "log = stderr" (then syslog is used)
# and on errors.
@stderr-socket
@conf log = stderr
@conf error_limit = 2
S: 220 mail\.mycompany\.com ESMTP quail
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250 SMTPUTF8
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<nosuchuser@mycompany.com>
S: 550 5\.1\.1 .*
C: BOGUS
S: 502 5\.5\.2 Error: command not recognized
S: 421 4\.7\.0 mail\.mycompany\.com Error: too many errors
@expect-close
