# RFC 2920: the whole transaction in one write; every reply in order.
# Commands after the final dot in the same packet are handled next.
S: 220 .*
C-RAW: EHLO client.example.org\r\nMAIL FROM:<me@mycompany.com>\r\nRCPT TO:<myuser@mycompany.com>\r\nRCPT TO:<nosuchuser@mycompany.com>\r\nRCPT TO:<me@mycompany.com>\r\nDATA\r\nSubject: pipelined\r\n\r\nbody\r\n.\r\nMAIL FROM:<me@mycompany.com>\r\nRCPT TO:<myuser@mycompany.com>\r\nDATA\r\nSubject: second\r\n\r\nbody 2\r\n.\r\nQUIT\r\n
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE \d+
S: 250-8BITMIME
S: 250-STARTTLS
S: 250-AUTH PLAIN LOGIN
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
S: 250 2\.1\.0 Ok
S: 250 2\.1\.5 Ok
S: 550 5\.1\.1 .*
S: 250 2\.1\.5 Ok
S: 354 End data with <CR><LF>\.<CR><LF>
S: 250 2\.0\.0 Ok: queued as \S+
S: 250 2\.1\.0 Ok
S: 250 2\.1\.5 Ok
S: 354 End data with <CR><LF>\.<CR><LF>
S: 250 2\.0\.0 Ok: queued as \S+
S: 221 2\.0\.0 Bye
@expect-close
@queue count 2
@queue-contains Subject: pipelined\n\nbody\n
@queue-contains Subject: second\n\nbody 2\n
