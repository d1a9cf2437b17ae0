# Seed 003 (K-State CIS 527): HELO, upper-case commands, "MAIL FROM: x"
# with a space and no brackets, an empty line before the final dot.
S: 220 mail\.mycompany\.com ESMTP quail
C: HELO daytona.cs.ksu.edu
S: 250 mail\.mycompany\.com
C: MAIL FROM: testuser@ksu.edu
S: 250 2\.1\.0 Ok
C: RCPT TO: me@mycompany.com
S: 250 2\.1\.5 Ok
C: DATA
S: 354 End data with <CR><LF>\.<CR><LF>
C: From: "Russell Feldhausen"
C: To: "Test"
C: Date: Fri, 6 September 2018 10:00:00 -0700
C: Subject: Test Message
C:
C: This is a test! Hope it Works!
C:
C: .
S: 250 2\.0\.0 Ok: queued as [A-Za-z0-9]+
C: QUIT
S: 221 2\.0\.0 Bye
@expect-close
@queue count 1
@queue-contains Received: from daytona.cs.ksu.edu (unknown [127.0.0.1])\n\tby mail.mycompany.com (quail) with SMTP id 
@queue-contains \nThis is a test! Hope it Works!\n\n
