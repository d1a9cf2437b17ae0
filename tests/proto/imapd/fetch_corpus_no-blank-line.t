# FETCH of a real-world-shaped message (corpus/no-blank-line.eml): a message
# that is only a header without the blank line and without a final line end:
# the header is all of it (RFC 3501 6.4.5: HEADER.FIELDS then has no blank
# line), BODY[TEXT] is empty.
# ENVELOPE, BODYSTRUCTURE and BODY were compared byte for byte with
# Dovecot 2.3's answers for the same file; they differ only where both
# are valid: Dovecot keeps the case of an RFC 2231 charset and of
# Content-Language tags, sends a string with quotes as a literal, and
# returns the leaf itself for BODY[2.1.1].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail-file myuser@mycompany.com INBOX cur corpus/no-blank-line.eml
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
S: \* 1 FETCH \(UID 1 RFC822\.SIZE 75 FLAGS \(\) ENVELOPE \(NIL "header only, no blank line" \(\(NIL NIL "a" "example\.com"\)\) \(\(NIL NIL "a" "example\.com"\)\) \(\(NIL NIL "a" "example\.com"\)\) \(\(NIL NIL "b" "example\.com"\)\) NIL NIL NIL NIL\)\)
S: a3 OK Fetch completed\.
C: a4 FETCH 1 BODYSTRUCTURE
S: \* 1 FETCH \(BODYSTRUCTURE \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 0 0 NIL NIL NIL NIL\)\)
S: a4 OK Fetch completed\.
C: a5 FETCH 1 BODY
S: \* 1 FETCH \(BODY \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 0 0\)\)
S: a5 OK Fetch completed\.
C: a6 FETCH 1 (BODY.PEEK[HEADER] BODY.PEEK[TEXT] BODY.PEEK[HEADER.FIELDS (SUBJECT)])
S: \* 1 FETCH \(BODY\[HEADER\] \{75\}
S: From: a@example\.com
S: To: b@example\.com
S: Subject: header only, no blank line BODY\[TEXT\] \{0\}
S:  BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{37\}
S: Subject: header only, no blank line
S: \)
S: a6 OK Fetch completed\.
C: a7 FETCH 1 BODY.PEEK[]
S: \* 1 FETCH \(BODY\[\] \{75\}
S: From: a@example\.com
S: To: b@example\.com
S: Subject: header only, no blank line\)
S: a7 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
