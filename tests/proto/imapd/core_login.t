# LOGIN (RFC 3501 6.2.3): a wrong password and an unknown user get the
# same NO [AUTHENTICATIONFAILED]; a good login answers OK with the
# post-login capabilities (as root: after the handover to the mailbox
# owner's process, with the tag carried across); commands pipelined
# behind LOGIN are answered by the session; CAPABILITY after login.
@conf auth_fail_delay = 0
S: \* OK \[CAPABILITY .*\] quail IMAP ready\.
C: a1 LOGIN myuser@mycompany.com wrong
S: a1 NO \[AUTHENTICATIONFAILED\] Authentication failed\.
C: a2 LOGIN nobody@mycompany.com mypassword
S: a2 NO \[AUTHENTICATIONFAILED\] Authentication failed\.
C: a3 LOGIN
S: a3 BAD Invalid arguments\.
C-RAW: a4 LOGIN "myuser@mycompany.com" {10}\r\n
S: \+ OK
C-RAW: mypassword\r\na5 CAPABILITY\r\na6 NOOP\r\n
S: a4 OK \[CAPABILITY IMAP4rev1 LITERAL\+ SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS MOVE SPECIAL-USE UNSELECT CHILDREN LIST-EXTENDED LIST-STATUS ESEARCH\] Logged in
S: \* CAPABILITY IMAP4rev1 LITERAL\+ SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS MOVE SPECIAL-USE UNSELECT CHILDREN LIST-EXTENDED LIST-STATUS ESEARCH
S: a5 OK Capability completed\.
S: a6 OK NOOP completed\.
C: a7 LOGIN myuser@mycompany.com mypassword
S: a7 BAD Error in IMAP command LOGIN: Already logged in\.
C: a8 logout
S: \* BYE Logging out
S: a8 OK Logout completed\.
@expect-close
@log login of myuser@mycompany\.com from 127\.0\.0\.1
@log-lacks mypassword
