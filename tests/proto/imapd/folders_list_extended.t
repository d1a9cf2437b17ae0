# LIST-EXTENDED (RFC 5258), SPECIAL-USE (RFC 6154), LIST-STATUS (RFC
# 5819), LSUB (RFC 3501 6.3.9) and SUBSCRIBE/UNSUBSCRIBE (6.3.6, 6.3.7):
# selection SUBSCRIBED lists subscriptions (\NonExistent for a missing
# one), RECURSIVEMATCH adds parents with CHILDINFO, SPECIAL-USE selects
# and returns the special-use folders, RETURN (STATUS ...) sends a STATUS
# after each selectable LIST, pattern lists; RECURSIVEMATCH alone and
# unknown options are BAD; a reference is joined to the pattern; LSUB
# shows an unsubscribed level \Noselect only for a pattern ending in "%".
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@folder myuser@mycompany.com Fruit
@folder myuser@mycompany.com Fruit.Apple
@folder myuser@mycompany.com Fruit.Banana
@folder myuser@mycompany.com Archive
@mail myuser@mycompany.com Fruit.Apple new Subject: a\n\nbody\n
@mail myuser@mycompany.com Fruit.Apple cur:S Subject: b\n\nbody\n
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b SUBSCRIBE Fruit.Banana
S: b OK Subscribe completed\.
C: c SUBSCRIBE Vegetable
S: c OK Subscribe completed\.
C: d SUBSCRIBE "bad%"
S: d NO \[CANNOT\] .*
C: e UNSUBSCRIBE Junk
S: e OK Unsubscribe completed\.
C: f UNSUBSCRIBE Junk
S: f OK Unsubscribe completed\.
C: g LIST (SUBSCRIBED) "" "*"
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." INBOX
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Drafts
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Fruit\.Banana
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Sent
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Trash
S: \* LIST \(\\Subscribed \\NonExistent \\HasNoChildren\) "\." Vegetable
S: g OK List completed\.
C: h LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN)
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." INBOX
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Drafts
S: \* LIST \(\\HasChildren\) "\." Fruit \("CHILDINFO" \("SUBSCRIBED"\)\)
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Sent
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Trash
S: \* LIST \(\\Subscribed \\NonExistent \\HasNoChildren\) "\." Vegetable
S: h OK List completed\.
C: i LIST (RECURSIVEMATCH) "" "*"
S: i BAD .*
C: j LIST (REMOTE RECURSIVEMATCH) "" "*"
S: j BAD .*
C: k LIST (FOO) "" "*"
S: k BAD .*
C: l LIST "" "*" RETURN (FOO)
S: l BAD .*
C: m LIST (SPECIAL-USE) "" "*"
S: \* LIST \(\\HasNoChildren \\Archive\) "\." Archive
S: \* LIST \(\\HasNoChildren \\Drafts\) "\." Drafts
S: \* LIST \(\\HasNoChildren \\Junk\) "\." Junk
S: \* LIST \(\\HasNoChildren \\Sent\) "\." Sent
S: \* LIST \(\\HasNoChildren \\Trash\) "\." Trash
S: m OK List completed\.
C: n LIST () "" ("Fruit" "Fruit.%" "INBOX") RETURN (STATUS (MESSAGES UNSEEN))
S: \* LIST \(\\HasNoChildren\) "\." INBOX
S: \* STATUS INBOX \(MESSAGES 0 UNSEEN 0\)
S: \* LIST \(\\HasChildren\) "\." Fruit
S: \* STATUS Fruit \(MESSAGES 0 UNSEEN 0\)
S: \* LIST \(\\HasNoChildren\) "\." Fruit\.Apple
S: \* STATUS Fruit\.Apple \(MESSAGES 2 UNSEEN 1\)
S: \* LIST \(\\HasNoChildren\) "\." Fruit\.Banana
S: \* STATUS Fruit\.Banana \(MESSAGES 0 UNSEEN 0\)
S: n OK List completed\.
C: o LIST "" "*" RETURN (SPECIAL-USE SUBSCRIBED)
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." INBOX
S: \* LIST \(\\HasNoChildren \\Archive\) "\." Archive
S: \* LIST \(\\Subscribed \\HasNoChildren \\Drafts\) "\." Drafts
S: \* LIST \(\\HasChildren\) "\." Fruit
S: \* LIST \(\\HasNoChildren\) "\." Fruit\.Apple
S: \* LIST \(\\Subscribed \\HasNoChildren\) "\." Fruit\.Banana
S: \* LIST \(\\HasNoChildren \\Junk\) "\." Junk
S: \* LIST \(\\Subscribed \\HasNoChildren \\Sent\) "\." Sent
S: \* LIST \(\\Subscribed \\HasNoChildren \\Trash\) "\." Trash
S: o OK List completed\.
C: p LIST "Fruit." "%"
S: \* LIST \(\\HasNoChildren\) "\." Fruit\.Apple
S: \* LIST \(\\HasNoChildren\) "\." Fruit\.Banana
S: p OK List completed\.
C: q LIST "Fruit.Apple" ""
S: \* LIST \(\\Noselect\) "\." "Fruit\."
S: q OK List completed\.
C: r LSUB "" "%"
S: \* LSUB \(\) "\." INBOX
S: \* LSUB \(\) "\." Drafts
S: \* LSUB \(\\Noselect\) "\." Fruit
S: \* LSUB \(\) "\." Sent
S: \* LSUB \(\) "\." Trash
S: \* LSUB \(\) "\." Vegetable
S: r OK Lsub completed\.
C: s LSUB "" "F*"
S: \* LSUB \(\) "\." Fruit\.Banana
S: s OK Lsub completed\.
C: t LSUB "" ""
S: t OK Lsub completed\.
C: u LIST "" "nothing*"
S: u OK List completed\.
C: v LIST "" "*" RETURN (STATUS (MESSAGES BOGUS))
S: v BAD .*
C: w LIST
S: w BAD .*
C: x LIST "" "*" extra
S: x BAD .*
C: zz LOGOUT
S: \* BYE .*
S: zz OK .*
@expect-close
