# FETCH of a real-world-shaped message (corpus/alternative.eml):
# multipart/alternative (text + html, quoted-printable), To with two
# addresses, Cc with a quoted display name, In-Reply-To.
# ENVELOPE, BODYSTRUCTURE and BODY were compared byte for byte with
# Dovecot 2.3's answers for the same file; they differ only where both
# are valid: Dovecot keeps the case of an RFC 2231 charset and of
# Content-Language tags, sends a string with quotes as a literal, and
# returns the leaf itself for BODY[2.1.1].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail-file myuser@mycompany.com INBOX cur corpus/alternative.eml
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
S: \* 1 FETCH \(UID 1 RFC822\.SIZE 950 FLAGS \(\) ENVELOPE \("Mon, 2 Nov 2026 09:59:58 \+0100" "Lunch on Friday\?" \(\("Alice Example" NIL "alice" "example\.org"\)\) \(\("Alice Example" NIL "alice" "example\.org"\)\) \(\("Alice Example" NIL "alice" "example\.org"\)\) \(\("Bob" NIL "bob" "example\.net"\)\(NIL NIL "carol" "example\.com"\)\) \(\("Dave, Jr\." NIL "dave" "example\.com"\)\) NIL "<prev\.42@example\.net>" "<20261102095958\.1234@example\.org>"\)\)
S: a3 OK Fetch completed\.
C: a4 FETCH 1 BODYSTRUCTURE
S: \* 1 FETCH \(BODYSTRUCTURE \(\("text" "plain" \("charset" "utf-8"\) NIL NIL "quoted-printable" 69 5 NIL NIL NIL NIL\)\("text" "html" \("charset" "utf-8"\) NIL NIL "quoted-printable" 112 3 NIL NIL NIL NIL\) "alternative" \("boundary" "b1_alt"\) NIL NIL NIL\)\)
S: a4 OK Fetch completed\.
C: a5 FETCH 1 BODY
S: \* 1 FETCH \(BODY \(\("text" "plain" \("charset" "utf-8"\) NIL NIL "quoted-printable" 69 5\)\("text" "html" \("charset" "utf-8"\) NIL NIL "quoted-printable" 112 3\) "alternative"\)\)
S: a5 OK Fetch completed\.
C: a6 FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.MIME])
S: \* 1 FETCH \(BODY\[1\] \{69\}
S: Hi Bob,
S: 
S: shall we have lunch on Friday at the caf=C3=A9\?
S: 
S: Alice
S:  BODY\[2\.MIME\] \{87\}
S: Content-Type: text/html; charset=utf-8
S: Content-Transfer-Encoding: quoted-printable
S: 
S: \)
S: a6 OK Fetch completed\.
C: a7 FETCH 1 BODY.PEEK[HEADER.FIELDS (FROM TO CC)]
S: \* 1 FETCH \(BODY\[HEADER\.FIELDS \(FROM TO CC\)\] \{125\}
S: From: Alice Example <alice@example\.org>
S: To: Bob <bob@example\.net>, carol@example\.com
S: Cc: "Dave, Jr\." <dave@example\.com>
S: 
S: \)
S: a7 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
