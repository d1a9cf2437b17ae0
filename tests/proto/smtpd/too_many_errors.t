# error_limit protocol errors end the session with 421.
@conf error_limit = 3
S: 220 .*
C: HELO client.example.org
S: 250 mail\.mycompany\.com
C: BOGUS1
S: 502 5\.5\.2 Error: command not recognized
C: NOOP
S: 250 2\.0\.0 Ok
C: RCPT TO:<me@mycompany.com>
S: 503 5\.5\.1 Error: need MAIL command
C: BOGUS3
S: 502 5\.5\.2 Error: command not recognized
S: 421 4\.7\.0 mail\.mycompany\.com Error: too many errors
@expect-close
@log too many errors
