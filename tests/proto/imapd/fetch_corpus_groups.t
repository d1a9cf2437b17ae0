# FETCH of a real-world-shaped message (corpus/groups.eml): group syntax
# (undisclosed-recipients:; and a named group with members), Sender and
# Reply-To of their own, Bcc, a Subject with quotes and a backslash, a non-
# MIME message (default text/plain; charset=us-ascii).
# ENVELOPE, BODYSTRUCTURE and BODY were compared byte for byte with
# Dovecot 2.3's answers for the same file; they differ only where both
# are valid: Dovecot keeps the case of an RFC 2231 charset and of
# Content-Language tags, sends a string with quotes as a literal, and
# returns the leaf itself for BODY[2.1.1].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail-file myuser@mycompany.com INBOX cur corpus/groups.eml
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
S: \* 1 FETCH \(UID 1 RFC822\.SIZE 393 FLAGS \(\) ENVELOPE \("5 Nov 2026 12:00 GMT" "Monthly \\"news\\" \\\\ update" \(\("Newsletter" NIL "news" "example\.com"\)\) \(\(NIL NIL "bounces\+123" "lists\.example\.com"\)\) \(\("Support Team" NIL "support" "example\.com"\)\) \(\(NIL NIL "undisclosed-recipients" NIL\)\(NIL NIL NIL NIL\)\) \(\(NIL NIL "Team" NIL\)\(NIL NIL "ann" "example\.com"\)\("Ben B\." NIL "ben" "example\.com"\)\(NIL NIL NIL NIL\)\(NIL NIL "zed" "example\.com"\)\) \(\(NIL NIL "hidden" "example\.com"\)\) NIL "<news-2026-11@example\.com>"\)\)
S: a3 OK Fetch completed\.
C: a4 FETCH 1 BODYSTRUCTURE
S: \* 1 FETCH \(BODYSTRUCTURE \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 37 1 NIL NIL NIL NIL\)\)
S: a4 OK Fetch completed\.
C: a5 FETCH 1 BODY
S: \* 1 FETCH \(BODY \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 37 1\)\)
S: a5 OK Fetch completed\.
C: a6 FETCH 1 (BODY.PEEK[1] BODY.PEEK[HEADER.FIELDS.NOT (Sender Reply-To To Cc Bcc Subject Date Message-ID)])
S: \* 1 FETCH \(BODY\[1\] \{37\}
S: Plain body, no MIME headers at all\.
S:  BODY\[HEADER\.FIELDS\.NOT \(SENDER REPLY-TO TO CC BCC SUBJECT DATE MESSAGE-ID\)\] \{41\}
S: From: "Newsletter" <news@example\.com>
S: 
S: \)
S: a6 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
