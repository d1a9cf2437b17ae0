# FETCH of a real-world-shaped message (corpus/nodate.eml): no From and no
# Date: NIL in the ENVELOPE, Sender and Reply-To NIL too.
# ENVELOPE, BODYSTRUCTURE and BODY were compared byte for byte with
# Dovecot 2.3's answers for the same file; they differ only where both
# are valid: Dovecot keeps the case of an RFC 2231 charset and of
# Content-Language tags, sends a string with quotes as a literal, and
# returns the leaf itself for BODY[2.1.1].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail-file myuser@mycompany.com INBOX cur corpus/nodate.eml
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b EXAMINE INBOX
S: \* .*
S: \* .*
S: \* .*
S: \* .*
S: \* .*
S: \* .*
S: \* .*
S: b OK \[READ-ONLY\] .*
C: a3 FETCH 1 (UID RFC822.SIZE FLAGS ENVELOPE)
S: \* 1 FETCH \(UID 1 RFC822\.SIZE 99 FLAGS \(\) ENVELOPE \(NIL "no From and no Date" NIL NIL NIL \(\(NIL NIL "someone" "example\.com"\)\) NIL NIL NIL NIL\)\)
S: a3 OK Fetch completed\.
C: a4 FETCH 1 BODYSTRUCTURE
S: \* 1 FETCH \(BODYSTRUCTURE \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 42 1 NIL NIL NIL NIL\)\)
S: a4 OK Fetch completed\.
C: a5 FETCH 1 BODY
S: \* 1 FETCH \(BODY \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 42 1\)\)
S: a5 OK Fetch completed\.
C: a6 FETCH 1 (RFC822.HEADER BODY.PEEK[TEXT])
S: \* 1 FETCH \(RFC822\.HEADER \{57\}
S: To: someone@example\.com
S: Subject: no From and no Date
S: 
S:  BODY\[TEXT\] \{42\}
S: Body of a message without From and Date\.
S: \)
S: a6 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
