# Tracing (-v) and STARTTLS: a LOGIN pipelined behind STARTTLS in the same
# write is dropped unparsed, so neither it nor its password reaches the
# log; under TLS a LOGIN with the password as a literal, an AUTHENTICATE
# PLAIN with its response on a continuation line and a LOGIN with too
# many arguments show no secret either. The dropped LOGIN did not log in:
# the session under TLS starts without a login.
@args -v
@conf auth_fail_delay = 0
S: \* OK \[CAPABILITY .*STARTTLS.*\] quail IMAP ready\.
C-RAW: a STARTTLS\r\nb LOGIN myuser@mycompany.com pipelinedpw\r\n
S: a OK Begin TLS negotiation now\.
@tls
C: c SELECT INBOX
S: c BAD Error in IMAP command SELECT: Login first\.
C: d LOGIN myuser@mycompany.com extrapw1 extrapw2
S: d BAD Invalid arguments\.
C: e AUTHENTICATE PLAIN
S: \+ 
C: AG15dXNlckBteWNvbXBhbnkuY29tAHdyb25ncGxhaW4=
S: e NO \[AUTHENTICATIONFAILED\] Authentication failed\.
C: f LOGIN myuser@mycompany.com {10}
S: \+ OK
C: mypassword
S: f OK \[CAPABILITY .*\] Logged in
C: g LOGOUT
S: \* BYE Logging out
S: g OK Logout completed\.
@expect-close
@log < a STARTTLS
@log < d LOGIN myuser@mycompany\.com \*\*\*
@log < \(hidden\)
@log < f LOGIN myuser@mycompany\.com \*\*\*
@log > g OK Logout completed\.
@log-lacks pipelinedpw
@log-lacks < b LOGIN
@log-lacks extrapw
@log-lacks AHdyb25ncGxhaW4
@log-lacks mypassword
