# Injection with a whole transaction behind STARTTLS: nothing of it may
# take effect (no queue file, no reply).
S: 220 .*
C: EHLO client.example.org
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-.*
S: 250-STARTTLS
S: 250-.*
S: 250-.*
S: 250 SMTPUTF8
C-RAW: STARTTLS\r\nEHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<myuser@mycompany.com>\r\nDATA\r\nSubject: injected\r\n\r\n.\r\n
S: 220 2\.0\.0 Ready to start TLS
@tls
C: RCPT TO:<myuser@mycompany.com>
S: 503 5\.5\.1 Error: send HELO/EHLO first
C: QUIT
S: 221 .*
@expect-close
@queue count 0
