# SMTP smuggling: only CRLF.CRLF ends DATA. "\n.\n", "\r.\r" and
# "\n.\r\n" are message content; the commands hidden after them are not
# executed; the message is refused after the real end (bare LF/CR) and
# nothing is queued.
@conf error_limit = 50
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
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C-RAW: Subject: one\r\n\r\nhi\r\n\n.\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n
S: 550 5\.5\.2 Error: bare <LF> received
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C-RAW: Subject: two\r\n\r\nhi\r.\rMAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n
S: 550 5\.5\.2 Error: bare <CR> received
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C-RAW: Subject: three\r\n\r\nhi\n.\r\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n
S: 550 5\.5\.2 Error: bare <LF> received
# "\r\n.\n" neither: the dot line must end in CRLF
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C-RAW: Subject: four\r\n\r\nhi\r\n.\nMAIL FROM:<evil@example.org>\r\n.\r\n
S: 550 5\.5\.2 Error: bare <LF> received
C: NOOP
S: 250 2\.0\.0 Ok
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 0
