# FETCH of a real-world-shaped message (corpus/crlf.eml): a message stored
# with CR LF line ends: sent as it is, sizes unchanged.
# ENVELOPE, BODYSTRUCTURE and BODY were compared byte for byte with
# Dovecot 2.3's answers for the same file; they differ only where both
# are valid: Dovecot keeps the case of an RFC 2231 charset and of
# Content-Language tags, sends a string with quotes as a literal, and
# returns the leaf itself for BODY[2.1.1].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail-file myuser@mycompany.com INBOX cur corpus/crlf.eml
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
S: \* 1 FETCH \(UID 1 RFC822\.SIZE 179 FLAGS \(\) ENVELOPE \("Mon, 9 Nov 2026 11:00:00 \+0000" "CRLF line ends" \(\("Crlf Sender" NIL "crlf" "example\.com"\)\) \(\("Crlf Sender" NIL "crlf" "example\.com"\)\) \(\("Crlf Sender" NIL "crlf" "example\.com"\)\) \(\(NIL NIL "me" "mycompany\.com"\)\) NIL NIL NIL "<crlf@example\.com>"\)\)
S: a3 OK Fetch completed\.
C: a4 FETCH 1 BODYSTRUCTURE
S: \* 1 FETCH \(BODYSTRUCTURE \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 22 2 NIL NIL NIL NIL\)\)
S: a4 OK Fetch completed\.
C: a5 FETCH 1 BODY
S: \* 1 FETCH \(BODY \("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 22 2\)\)
S: a5 OK Fetch completed\.
C: a6 FETCH 1 (BODY.PEEK[] BODY.PEEK[TEXT]<0.9>)
S: \* 1 FETCH \(BODY\[\] \{179\}
S: From: Crlf Sender <crlf@example\.com>
S: To: me@mycompany\.com
S: Subject: CRLF line ends
S: Date: Mon, 9 Nov 2026 11:00:00 \+0000
S: Message-ID: <crlf@example\.com>
S: 
S: Line one\.
S: Line two\.
S:  BODY\[TEXT\]<0> \{9\}
S: Line one\.\)
S: a6 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
