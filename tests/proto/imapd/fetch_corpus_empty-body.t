# FETCH of a real-world-shaped message (corpus/empty-body.eml): a header and
# a blank line, no body: 0 octets, 0 lines, empty BODY[TEXT] and BODY[1].
# ENVELOPE, BODYSTRUCTURE and BODY were compared byte for byte with
# Dovecot 2.3's answers for the same file; they differ only where both
# are valid: Dovecot keeps the case of an RFC 2231 charset and of
# Content-Language tags, sends a string with quotes as a literal, and
# returns the leaf itself for BODY[2.1.1].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail-file myuser@mycompany.com INBOX cur corpus/empty-body.eml
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
S: \* 1 FETCH \(UID 1 RFC822\.SIZE 101 FLAGS \(\) ENVELOPE \("Sun, 8 Nov 2026 10:00:00 \+0000" "empty body" \(\(NIL NIL "a" "example\.com"\)\) \(\(NIL NIL "a" "example\.com"\)\) \(\(NIL NIL "a" "example\.com"\)\) \(\(NIL NIL "b" "example\.com"\)\) NIL NIL NIL NIL\)\)
S: a3 OK Fetch completed\.
C: a4 FETCH 1 BODYSTRUCTURE
S: \* 1 FETCH \(BODYSTRUCTURE \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 0 0 NIL NIL NIL NIL\)\)
S: a4 OK Fetch completed\.
C: a5 FETCH 1 BODY
S: \* 1 FETCH \(BODY \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 0 0\)\)
S: a5 OK Fetch completed\.
C: a6 FETCH 1 (BODY.PEEK[] BODY.PEEK[TEXT] BODY.PEEK[1])
S: \* 1 FETCH \(BODY\[\] \{101\}
S: From: a@example\.com
S: To: b@example\.com
S: Subject: empty body
S: Date: Sun, 8 Nov 2026 10:00:00 \+0000
S: 
S:  BODY\[TEXT\] \{0\}
S:  BODY\[1\] \{0\}
S: \)
S: a6 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
