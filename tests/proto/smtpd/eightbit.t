# 8BITMIME bodies pass unchanged; SMTPUTF8 addresses need the SMTPUTF8
# parameter (553 5.6.7 without it, RFC 6531 3.5).
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
C: MAIL FROM:<me@mycompany.com> BODY=8BITMIME
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C-RAW: Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln \xe2\x82\xac \xff\xfe\r\n.\r\n
S: 250 2\.0\.0 Ok: queued as \S+
C-RAW: MAIL FROM:<j\xc3\xb6ran@example.org>\r\n
S: 553 5\.6\.7 Error: SMTPUTF8 is required for this address
C-RAW: MAIL FROM:<j\xc3\xb6ran@example.org> SMTPUTF8 BODY=8BITMIME\r\n
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: utf8
C:
C: hi
C: .
S: 250 2\.0\.0 Ok: queued as \S+
C: MAIL FROM:<me@mycompany.com> BODY=7BIT
S: 250 2\.1\.0 Ok
C: MAIL FROM:<me@mycompany.com> BODY=9BIT
S: 503 5\.5\.1 Error: nested MAIL command
C: RSET
S: 250 2\.0\.0 Ok
C: MAIL FROM:<me@mycompany.com> BODY=9BIT
S: 501 5\.5\.4 Bad BODY parameter
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 2
@queue-contains \nGr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln \xe2\x82\xac \xff\xfe\n
@queue-contains with UTF8SMTP id 
