# RENAME (RFC 3501 6.3.5): a folder moves with all its children and its
# messages; subscriptions follow; NO [NONEXISTENT] for a missing source,
# NO [ALREADYEXISTS] for an existing target (also when only a child's new
# name exists) and for INBOX as target, NO [CANNOT] for a move under
# itself and invalid names. RENAME INBOX moves its messages to the new
# folder; INBOX stays, empty.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@folder myuser@mycompany.com a
@folder myuser@mycompany.com a.x
@folder myuser@mycompany.com a.x.y
@folder myuser@mycompany.com ab
@folder myuser@mycompany.com c.x
@mail myuser@mycompany.com a cur:S Subject: one\n\nbody\n
@mail myuser@mycompany.com a.x new Subject: two\n\nbody\n
@mail myuser@mycompany.com INBOX cur:F Subject: in1\n\nbody\n
@mail myuser@mycompany.com INBOX new Subject: in2\n\nbody\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b SUBSCRIBE a.x
S: b OK Subscribe completed\.
C: c RENAME nosuch b
S: c NO \[NONEXISTENT\] Mailbox doesn't exist: nosuch
C: d RENAME a Sent
S: d NO \[ALREADYEXISTS\] .*
C: e RENAME a c
S: e NO \[ALREADYEXISTS\] .*
C: f RENAME a a.z
S: f NO \[CANNOT\] .*
C: g RENAME a inbox
S: g NO \[ALREADYEXISTS\] .*
C: h RENAME a "b*"
S: h NO \[CANNOT\] .*
C: i RENAME a
S: i BAD .*
C: j RENAME a b
S: j OK Rename completed\.
C: k LIST "" "*" RETURN (SUBSCRIBED)
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." INBOX
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Drafts
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Junk
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Sent
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Trash
S: \* LIST \(\\HasNoChildren\) "\." ab
S: \* LIST \(\\HasChildren\) "\." b
S: \* LIST \(\\Subscribed \\HasChildren\) "\." b\.x
S: \* LIST \(\\HasNoChildren\) "\." b\.x\.y
S: \* LIST \(\\NonExistent \\HasChildren\) "\." c
S: \* LIST \(\\HasNoChildren\) "\." c\.x
S: k OK List completed\.
C: l STATUS b (MESSAGES UNSEEN)
S: \* STATUS b \(MESSAGES 1 UNSEEN 0\)
S: l OK Status completed\.
C: m STATUS b.x (MESSAGES RECENT UNSEEN)
S: \* STATUS b\.x \(MESSAGES 1 RECENT 1 UNSEEN 1\)
S: m OK Status completed\.
C: n RENAME b.x.y "new name"
S: n OK Rename completed\.
C: o LSUB "" "*"
S: \* LSUB \(\) "\." INBOX
S: \* LSUB \(\) "\." Drafts
S: \* LSUB \(\) "\." Junk
S: \* LSUB \(\) "\." Sent
S: \* LSUB \(\) "\." Trash
S: \* LSUB \(\) "\." b\.x
S: o OK Lsub completed\.
C: p RENAME INBOX Old
S: p OK Rename completed\.
C: q STATUS INBOX (MESSAGES RECENT UNSEEN UIDNEXT)
S: \* STATUS INBOX \(MESSAGES 0 RECENT 0 UIDNEXT \d+ UNSEEN 0\)
S: q OK Status completed\.
C: r STATUS Old (MESSAGES RECENT UNSEEN)
S: \* STATUS Old \(MESSAGES 2 RECENT 1 UNSEEN 2\)
S: r OK Status completed\.
C: s RENAME INBOX Old
S: s NO \[ALREADYEXISTS\] .*
C: t SELECT Old
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 2 EXISTS
S: \* 1 RECENT
S: \* OK \[UNSEEN 1\] .*
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 3\] .*
S: t OK \[READ-WRITE\] .*
C: v LIST "" "new*"
S: \* LIST \(\\HasNoChildren\) "\." "new name"
S: v OK List completed\.
C: zz LOGOUT
S: \* BYE .*
S: zz OK .*
@expect-close
