# Seed 000 "Lab K": the telnet dialogue exactly as the students type it:
# lower-case commands, "mail from:" without brackets and with a space.
S: 220 mail\.mycompany\.com ESMTP quail
C: ehlo mycompany.com
S: 250-mail\.mycompany\.com
S: 250-PIPELINING
S: 250-SIZE 10485760
S: 250-8BITMIME
S: 250-STARTTLS
S: 250-AUTH PLAIN LOGIN
S: 250-ENHANCEDSTATUSCODES
S: 250 SMTPUTF8
C: mail from: me@mycompany.com
S: 250 2\.1\.0 Ok
C: rcpt to: myuser@mycompany.com
S: 250 2\.1\.5 Ok
C: data
S: 354 End data with <CR><LF>\.<CR><LF>
C: Subject: Test Email
C: From: Me a name I call myself
C: Date: 7/4/2021
C:
C: My Test Email from me!
C: .
S: 250 2\.0\.0 Ok: queued as [A-Za-z0-9]+
C: quit
S: 221 2\.0\.0 Bye
@expect-close
@queue count 1
# Our Received: line first, then the message with LF line ends.
@queue-contains Received: from mycompany.com (unknown [127.0.0.1])\n\tby mail.mycompany.com (quail) with ESMTP id 
@queue-contains \tfor <myuser@mycompany.com>; 
@queue-contains \nSubject: Test Email\nFrom: Me a name I call myself\nDate: 7/4/2021\n\nMy Test Email from me!\n
@queue-lacks \r
@log id=\S+ from=<me@mycompany\.com> to=<myuser@mycompany\.com> size=\d+ client=127\.0\.0\.1
