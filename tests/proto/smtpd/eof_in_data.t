# The client goes away in the middle of DATA: nothing is queued.
S: 220 .*
C: HELO client.example.org
S: 250 mail\.mycompany\.com
C: MAIL FROM:<me@mycompany.com>
S: 250 2\.1\.0 Ok
C: RCPT TO:<myuser@mycompany.com>
S: 250 2\.1\.5 Ok
C: DATA
S: 354 .*
C: Subject: never finished
C:
C-RAW: some text\r\n.
@client-close
@queue count 0
@log lost connection in DATA
