# FETCH of a real-world-shaped message (corpus/related.eml):
# multipart/related with a type parameter, an inline image with Content-ID,
# a last part whose line end belongs to the boundary (0 lines).
# ENVELOPE, BODYSTRUCTURE and BODY were compared byte for byte with
# Dovecot 2.3's answers for the same file; they differ only where both
# are valid: Dovecot keeps the case of an RFC 2231 charset and of
# Content-Language tags, sends a string with quotes as a literal, and
# returns the leaf itself for BODY[2.1.1].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail-file myuser@mycompany.com INBOX cur corpus/related.eml
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
S: \* 1 FETCH \(UID 1 RFC822\.SIZE 594 FLAGS \(\) ENVELOPE \("Sat, 7 Nov 2026 09:00:00 \+0200" "Logo preview" \(\("Designer" NIL "design" "example\.com"\)\) \(\("Designer" NIL "design" "example\.com"\)\) \(\("Designer" NIL "design" "example\.com"\)\) \(\(NIL NIL "me" "mycompany\.com"\)\) NIL NIL NIL NIL\)\)
S: a3 OK Fetch completed\.
C: a4 FETCH 1 BODYSTRUCTURE
S: \* 1 FETCH \(BODYSTRUCTURE \(\("text" "html" \("charset" "utf-8"\) NIL NIL "7bit" 58 0 NIL NIL NIL NIL\)\("image" "png" \("name" "logo\.png"\) "<logo@example\.com>" NIL "base64" 98 NIL \("inline" \("filename" "logo\.png"\)\) NIL NIL\) "related" \("boundary" "rel" "type" "text/html"\) NIL NIL NIL\)\)
S: a4 OK Fetch completed\.
C: a5 FETCH 1 BODY
S: \* 1 FETCH \(BODY \(\("text" "html" \("charset" "utf-8"\) NIL NIL "7bit" 58 0\)\("image" "png" \("name" "logo\.png"\) "<logo@example\.com>" NIL "base64" 98\) "related"\)\)
S: a5 OK Fetch completed\.
C: a6 FETCH 1 (BODY.PEEK[2.MIME] BODY.PEEK[1])
S: \* 1 FETCH \(BODY\[2\.MIME\] \{161\}
S: Content-Type: image/png; name="logo\.png"
S: Content-Transfer-Encoding: base64
S: Content-ID: <logo@example\.com>
S: Content-Disposition: inline; filename="logo\.png"
S: 
S:  BODY\[1\] \{58\}
S: <html><body><img src="cid:logo@example\.com"></body></html>\)
S: a6 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
