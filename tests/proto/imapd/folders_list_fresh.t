# A fresh account (no Maildir yet): login creates the Maildir and the
# special-use folders Sent, Drafts, Trash, Junk, subscribed with INBOX.
# LIST "" "*" shows INBOX first, each \HasNoChildren with its special use
# (RFC 6154); LIST "" "" gives the hierarchy delimiter (RFC 3501 6.3.8);
# LSUB shows the subscriptions; a second login finds everything in place.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b LIST "" ""
S: \* LIST \(\\Noselect\) "\." ""
S: b OK List completed\.
C: c list "" "*"
S: \* LIST \(\\HasNoChildren\) "\." INBOX
S: \* LIST \(\\HasNoChildren \\Drafts\) "\." Drafts
S: \* LIST \(\\HasNoChildren \\Junk\) "\." Junk
S: \* LIST \(\\HasNoChildren \\Sent\) "\." Sent
S: \* LIST \(\\HasNoChildren \\Trash\) "\." Trash
S: c OK List completed\.
C: d LSUB "" "*"
S: \* LSUB \(\) "\." INBOX
S: \* LSUB \(\) "\." Drafts
S: \* LSUB \(\) "\." Junk
S: \* LSUB \(\) "\." Sent
S: \* LSUB \(\) "\." Trash
S: d OK Lsub completed\.
C: e LIST "" inbox
S: \* LIST \(\\HasNoChildren\) "\." INBOX
S: e OK List completed\.
C: f LIST "" "S%"
S: \* LIST \(\\HasNoChildren \\Sent\) "\." Sent
S: f OK List completed\.
C: g LOGOUT
S: \* BYE .*
S: g OK .*
@expect-close
