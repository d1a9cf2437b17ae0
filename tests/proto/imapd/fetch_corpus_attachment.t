# FETCH of a real-world-shaped message (corpus/attachment.eml):
# multipart/mixed with a base64 PDF whose name and filename are RFC 2231
# (continuations, UTF-8), RFC 2047 B and Q display names and Subject (left
# encoded, as IMAP wants), an 8bit UTF-8 text part (sent as a literal),
# Content-Language on the multipart.
# ENVELOPE, BODYSTRUCTURE and BODY were compared byte for byte with
# Dovecot 2.3's answers for the same file; they differ only where both
# are valid: Dovecot keeps the case of an RFC 2231 charset and of
# Content-Language tags, sends a string with quotes as a literal, and
# returns the leaf itself for BODY[2.1.1].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail-file myuser@mycompany.com INBOX cur corpus/attachment.eml
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
S: \* 1 FETCH \(UID 1 RFC822\.SIZE 1119 FLAGS \(\) ENVELOPE \("Tue, 3 Nov 2026 14:21:07 \+0100 \(CET\)" "=\?UTF-8\?Q\?Rechnung_f=C3=BCr_Oktober\?=" \(\("=\?UTF-8\?B\?SsO8cmdlbiBNw7xsbGVy\?=" NIL "juergen" "example\.de"\)\) \(\("=\?UTF-8\?B\?SsO8cmdlbiBNw7xsbGVy\?=" NIL "juergen" "example\.de"\)\) \(\("=\?UTF-8\?B\?SsO8cmdlbiBNw7xsbGVy\?=" NIL "juergen" "example\.de"\)\) \(\("=\?ISO-8859-1\?Q\?Fran=E7ois_Dupont\?=" NIL "francois" "example\.fr"\)\) NIL NIL NIL "<abc\.def@example\.de>"\)\)
S: a3 OK Fetch completed\.
C: a4 FETCH 1 BODYSTRUCTURE
S: \* 1 FETCH \(BODYSTRUCTURE \(\("text" "plain" \("charset" "UTF-8" "format" "flowed"\) NIL NIL "8bit" 74 6 NIL NIL NIL NIL\)\("application" "pdf" \("name\*" "utf-8''Rechnung%20f%C3%BCr%20Oktober\.pdf"\) NIL NIL "base64" 230 NIL \("attachment" \("filename\*" "utf-8''Rechnung%20f%C3%BCr%20Oktober\.pdf"\)\) NIL NIL\) "mixed" \("boundary" "------------0A1B2C3D4E5F"\) NIL \("de-de"\) NIL\)\)
S: a4 OK Fetch completed\.
C: a5 FETCH 1 BODY
S: \* 1 FETCH \(BODY \(\("text" "plain" \("charset" "UTF-8" "format" "flowed"\) NIL NIL "8bit" 74 6\)\("application" "pdf" \("name\*" "utf-8''Rechnung%20f%C3%BCr%20Oktober\.pdf"\) NIL NIL "base64" 230\) "mixed"\)\)
S: a5 OK Fetch completed\.
C: a6 FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[2]<0.20>)
S: \* 1 FETCH \(BODY\[1\] \{74\}
S: Hallo François,
S: 
S: anbei die Rechnung für Oktober\.
S: 
S: Grüße
S: Jürgen
S:  BODY\[2\.MIME\] \{223\}
S: Content-Type: application/pdf;
S:  name\*=UTF-8''Rechnung%20f%C3%BCr%20Oktober\.pdf
S: Content-Disposition: attachment;
S:  filename\*0\*=UTF-8''Rechnung%20f%C3%BC;
S:  filename\*1\*=r%20Oktober\.pdf
S: Content-Transfer-Encoding: base64
S: 
S:  BODY\[2\]<0> \{20\}
S: JVBERi0xLjQKJcOkw7zD\)
S: a6 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
