# A web browser pointed at the SMTP port is sent away at once.
S: 220 .*
C-RAW: GET / HTTP/1.1\r\nHost: mail.mycompany.com:25\r\nUser-Agent: test\r\n\r\n
S: 221 2\.7\.0 Error: I can break rules, too\. Goodbye\.
@expect-close
@log non-SMTP command
