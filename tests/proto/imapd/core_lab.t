# The class lab's "Retrieve Mail with IMAP" part, typed as the lab sheet
# types it (lower-case commands, the tag "a" every time): login, list the
# mailboxes (INBOX and the special-use folders made at the first login),
# examine the inbox with the message sent by SMTP in new/, fetch it, log
# out.
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX new Return-Path: <me@mycompany.com>\nDelivered-To: myuser@mycompany.com\nSubject: Test Email\nFrom: Me a name I call myself\nDate: 7/4/2021\n\nMy Test Email from me!\n
S: \* OK \[CAPABILITY IMAP4rev1 .*\] quail IMAP ready\.
C: a login myuser@mycompany.com mypassword
S: a OK \[CAPABILITY IMAP4rev1 .*\] Logged in
C: a list "" "*"
S: \* LIST \(.*\) "\." (INBOX|Sent|Drafts|Trash|Junk)
S: \* LIST \(.*\) "\." (INBOX|Sent|Drafts|Trash|Junk)
S: \* LIST \(.*\) "\." (INBOX|Sent|Drafts|Trash|Junk)
S: \* LIST \(.*\) "\." (INBOX|Sent|Drafts|Trash|Junk)
S: \* LIST \(.*\) "\." (INBOX|Sent|Drafts|Trash|Junk)
S: a OK List completed.*
C: a examine inbox
S: \* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft\)
S: \* OK \[PERMANENTFLAGS \(\)\] Read-only mailbox\.
S: \* 1 EXISTS
S: \* 1 RECENT
S: \* OK \[UNSEEN 1\] First unseen\.
S: \* OK \[UIDVALIDITY [1-9][0-9]*\] UIDs valid
S: \* OK \[UIDNEXT 2\] Predicted next UID
S: a OK \[READ-ONLY\] Examine completed\.
C: a FETCH 1 BODY[]
S: \* 1 FETCH \(BODY\[\] \{163\}
S: Return-Path: <me@mycompany\.com>
S: Delivered-To: myuser@mycompany\.com
S: Subject: Test Email
S: From: Me a name I call myself
S: Date: 7/4/2021
S: 
S: My Test Email from me!
S: \)
S: a OK Fetch completed.*
C: a logout
S: \* BYE Logging out
S: a OK Logout completed\.
@expect-close
