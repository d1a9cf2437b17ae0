# STATUS (RFC 3501 6.3.10): every item, any case, in a fixed order; the
# selected mailbox answers from the session (its \Recent messages are
# this session's); a missing mailbox is NO [NONEXISTENT]; bad or missing
# items and arguments are BAD; an invalid name is NO. LIST-STATUS skips
# mailboxes that do not exist.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@folder myuser@mycompany.com Box
@mail myuser@mycompany.com INBOX cur:S Subject: one\n\nbody\n
@mail myuser@mycompany.com INBOX new Subject: two\n\nbody\n
@mail myuser@mycompany.com INBOX new Subject: three\n\nbody\n
@mail myuser@mycompany.com Box cur:FS Subject: b\n\nbody\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b STATUS INBOX (uidnext MESSAGES unseen RECENT UIDVALIDITY)
S: \* STATUS INBOX \(MESSAGES 3 RECENT 2 UIDNEXT 4 UIDVALIDITY \d+ UNSEEN 2\)
S: b OK Status completed\.
C: c STATUS inbox (MESSAGES)
S: \* STATUS INBOX \(MESSAGES 3\)
S: c OK Status completed\.
C: d STATUS Box (MESSAGES RECENT UNSEEN UIDNEXT)
S: \* STATUS Box \(MESSAGES 1 RECENT 0 UIDNEXT 2 UNSEEN 0\)
S: d OK Status completed\.
C: e STATUS nosuch (MESSAGES)
S: e NO \[NONEXISTENT\] Mailbox doesn't exist: nosuch
C: f STATUS Box ()
S: f BAD .*
C: g STATUS Box (MESSAGES BOGUS)
S: g BAD .*
C: h STATUS Box MESSAGES
S: h BAD .*
C: i STATUS Box
S: i BAD .*
C: j STATUS "a*" (MESSAGES)
S: j NO .*
C: k SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 3 EXISTS
S: \* 2 RECENT
S: \* OK \[UNSEEN 2\] .*
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 4\] .*
S: k OK \[READ-WRITE\] .*
C: l STATUS INBOX (MESSAGES RECENT UNSEEN)
S: \* STATUS INBOX \(MESSAGES 3 RECENT 2 UNSEEN 2\)
S: l OK Status completed\.
C: m SUBSCRIBE Gone
S: m OK .*
C: n LIST (SUBSCRIBED) "" "*" RETURN (STATUS (MESSAGES))
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." INBOX
S: \* STATUS INBOX \(MESSAGES 3\)
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Drafts
S: \* STATUS Drafts \(MESSAGES 0\)
S: \* LIST \(\\Subscribed \\NonExistent \\HasNoChildren\) "\." Gone
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Junk
S: \* STATUS Junk \(MESSAGES 0\)
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Sent
S: \* STATUS Sent \(MESSAGES 0\)
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Trash
S: \* STATUS Trash \(MESSAGES 0\)
S: n OK List completed\.
C: zz LOGOUT
S: \* BYE .*
S: zz OK .*
@expect-close
