# CREATE (RFC 3501 6.3.3): a trailing "." is ignored, a level above need
# not exist (Maildir++: only ".a.b" is made; "a" is then \Noselect), an
# existing name and INBOX get NO [ALREADYEXISTS], invalid names NO
# [CANNOT]. DELETE (6.3.4): INBOX is refused, a missing name gets NO
# [NONEXISTENT], a folder with children is deleted alone (its children
# stay, the level becomes \Noselect), messages go with the folder.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@folder myuser@mycompany.com Work
@mail myuser@mycompany.com Work cur:S Subject: w\n\nbody\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b CREATE Projects.
S: b OK Create completed\.
C: c CREATE "a.b"
S: c OK Create completed\.
C: d LIST "" "*"
S: \* LIST \(\\HasNoChildren\) "\." INBOX
S: \* LIST \(\\HasNoChildren \\Drafts\) "\." Drafts
S: \* LIST \(\\HasNoChildren \\Junk\) "\." Junk
S: \* LIST \(\\HasNoChildren\) "\." Projects
S: \* LIST \(\\HasNoChildren \\Sent\) "\." Sent
S: \* LIST \(\\HasNoChildren \\Trash\) "\." Trash
S: \* LIST \(\\HasNoChildren\) "\." Work
S: \* LIST \(\\Noselect \\HasChildren\) "\." a
S: \* LIST \(\\HasNoChildren\) "\." a\.b
S: d OK List completed\.
C: e CREATE projects
S: e OK Create completed\.
C: f CREATE Projects
S: f NO \[ALREADYEXISTS\] Mailbox already exists\.
C: g CREATE inbox
S: g NO \[ALREADYEXISTS\] Mailbox already exists\.
C: h CREATE "bad*name"
S: h NO \[CANNOT\] .*
C: i CREATE "a..b"
S: i NO \[CANNOT\] .*
C: j CREATE INBOX.sub
S: j NO \[CANNOT\] .*
C: k CREATE "&Jjo"
S: k NO \[CANNOT\] .*
C: l CREATE
S: l BAD .*
C: m CREATE "Sp ace" "x"
S: m BAD .*
C: n CREATE "Sp ace"
S: n OK Create completed\.
C: o LIST "" "Sp*"
S: \* LIST \(\\HasNoChildren\) "\." "Sp ace"
S: o OK List completed\.
# DELETE
C: p DELETE INBOX
S: p NO \[CANNOT\] .*
C: q DELETE nosuch
S: q NO \[NONEXISTENT\] Mailbox doesn't exist: nosuch
C: r DELETE a
S: r NO \[NONEXISTENT\] .*
C: s CREATE a
S: s OK Create completed\.
C: t LIST "" "a*"
S: \* LIST \(\\HasChildren\) "\." a
S: \* LIST \(\\HasNoChildren\) "\." a\.b
S: t OK List completed\.
C: u DELETE a
S: u OK Delete completed\.
C: v LIST "" "a*"
S: \* LIST \(\\Noselect \\HasChildren\) "\." a
S: \* LIST \(\\HasNoChildren\) "\." a\.b
S: v OK List completed\.
C: w STATUS Work (MESSAGES)
S: \* STATUS Work \(MESSAGES 1\)
S: w OK Status completed\.
C: x DELETE Work
S: x OK Delete completed\.
C: y STATUS Work (MESSAGES)
S: y NO \[NONEXISTENT\] Mailbox doesn't exist: Work
C: z CREATE Work
S: z OK Create completed\.
C: z1 STATUS Work (MESSAGES)
S: \* STATUS Work \(MESSAGES 0\)
S: z1 OK Status completed\.
C: z2 DELETE "Sp ace"
S: z2 OK Delete completed\.
C: z3 LIST "" "%"
S: \* LIST \(\\HasNoChildren\) "\." INBOX
S: \* LIST \(\\HasNoChildren \\Drafts\) "\." Drafts
S: \* LIST \(\\HasNoChildren \\Junk\) "\." Junk
S: \* LIST \(\\HasNoChildren\) "\." Projects
S: \* LIST \(\\HasNoChildren \\Sent\) "\." Sent
S: \* LIST \(\\HasNoChildren \\Trash\) "\." Trash
S: \* LIST \(\\HasNoChildren\) "\." Work
S: \* LIST \(\\Noselect \\HasChildren\) "\." a
S: \* LIST \(\\HasNoChildren\) "\." projects
S: z3 OK List completed\.
C: zz LOGOUT
S: \* BYE .*
S: zz OK .*
@expect-close
