# FETCH of a real-world-shaped message (corpus/extensions.eml): every
# BODYSTRUCTURE extension field of a single part: Content-ID, -Description,
# -MD5, -Disposition with parameters, -Language (two), -Location.
# ENVELOPE, BODYSTRUCTURE and BODY were compared byte for byte with
# Dovecot 2.3's answers for the same file; they differ only where both
# are valid: Dovecot keeps the case of an RFC 2231 charset and of
# Content-Language tags, sends a string with quotes as a literal, and
# returns the leaf itself for BODY[2.1.1].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail-file myuser@mycompany.com INBOX cur corpus/extensions.eml
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
S: \* 1 FETCH \(UID 1 RFC822\.SIZE 473 FLAGS \(\) ENVELOPE \("Fri, 6 Nov 2026 18:30:00 \+0000" "Content extension fields" \(\(NIL NIL "web" "example\.com"\)\) \(\(NIL NIL "web" "example\.com"\)\) \(\(NIL NIL "web" "example\.com"\)\) \(\(NIL NIL "me" "mycompany\.com"\)\) NIL NIL NIL NIL\)\)
S: a3 OK Fetch completed\.
C: a4 FETCH 1 BODYSTRUCTURE
S: \* 1 FETCH \(BODYSTRUCTURE \("text" "plain" \("charset" "iso-8859-1"\) "<part1\.body@example\.com>" "the body" "7bit" 13 1 "Q2hlY2sgSW50ZWdyaXR5IQ==" \("inline" \("filename" "body\.txt" "size" "42"\)\) \("en" "fr"\) "http://example\.com/body\.txt"\)\)
S: a4 OK Fetch completed\.
C: a5 FETCH 1 BODY
S: \* 1 FETCH \(BODY \("text" "plain" \("charset" "iso-8859-1"\) "<part1\.body@example\.com>" "the body" "7bit" 13 1\)\)
S: a5 OK Fetch completed\.
C: a6 FETCH 1 (BODY.PEEK[1.MIME] BODY.PEEK[1])
S: \* 1 FETCH \(BODY\[1\.MIME\] \{460\}
S: From: web@example\.com
S: To: me@mycompany\.com
S: Subject: Content extension fields
S: Date: Fri, 6 Nov 2026 18:30:00 \+0000
S: MIME-Version: 1\.0
S: Content-Type: text/plain; charset="iso-8859-1"
S: Content-Transfer-Encoding: 7bit
S: Content-ID: <part1\.body@example\.com>
S: Content-Description: the body
S: Content-Language: en, fr
S: Content-Location: http://example\.com/body\.txt
S: Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
S: Content-Disposition: inline; filename="body\.txt"; size=42
S: 
S:  BODY\[1\] \{13\}
S: Short body\.
S: \)
S: a6 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
