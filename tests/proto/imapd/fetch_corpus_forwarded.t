# FETCH of a real-world-shaped message (corpus/forwarded.eml): a forwarded
# message: multipart/mixed with a message/rfc822 part (ENVELOPE, BODY and
# line count of the inner message, Content-Description, disposition without
# parameters) that holds its own multipart/alternative; sections inside it;
# parts that do not exist are empty strings.
# ENVELOPE, BODYSTRUCTURE and BODY were compared byte for byte with
# Dovecot 2.3's answers for the same file; they differ only where both
# are valid: Dovecot keeps the case of an RFC 2231 charset and of
# Content-Language tags, sends a string with quotes as a literal, and
# returns the leaf itself for BODY[2.1.1].
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail-file myuser@mycompany.com INBOX cur corpus/forwarded.eml
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
S: \* 1 FETCH \(UID 1 RFC822\.SIZE 865 FLAGS \(\) ENVELOPE \("Wed, 4 Nov 2026 08:15:00 -0500" "Fwd: Quarterly report" \(\("Bob" NIL "bob" "example\.net"\)\) \(\("Bob" NIL "bob" "example\.net"\)\) \(\("Bob" NIL "bob" "example\.net"\)\) \(\("Alice Example" NIL "alice" "example\.org"\)\) NIL NIL NIL "<fwd\.1@example\.net>"\)\)
S: a3 OK Fetch completed\.
C: a4 FETCH 1 BODYSTRUCTURE
S: \* 1 FETCH \(BODYSTRUCTURE \(\("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 34 1 NIL NIL NIL NIL\)\("message" "rfc822" NIL NIL "Forwarded message" "7bit" 410 \("Tue, 3 Nov 2026 17:00:00 -0800" "Quarterly report" \(\("Carol" NIL "carol" "example\.com"\)\) \(\("Carol" NIL "carol" "example\.com"\)\) \(\("Carol" NIL "carol" "example\.com"\)\) \(\("Bob" NIL "bob" "example\.net"\)\) NIL NIL NIL "<q3\.report@example\.com>"\) \(\("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 17 1 NIL NIL NIL NIL\)\("text" "html" \("charset" "us-ascii"\) NIL NIL "7bit" 31 1 NIL NIL NIL NIL\) "alternative" \("boundary" "inner"\) NIL NIL NIL\) 19 NIL \("inline" NIL\) NIL NIL\) "mixed" \("boundary" "outer"\) NIL NIL NIL\)\)
S: a4 OK Fetch completed\.
C: a5 FETCH 1 BODY
S: \* 1 FETCH \(BODY \(\("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 34 1\)\("message" "rfc822" NIL NIL "Forwarded message" "7bit" 410 \("Tue, 3 Nov 2026 17:00:00 -0800" "Quarterly report" \(\("Carol" NIL "carol" "example\.com"\)\) \(\("Carol" NIL "carol" "example\.com"\)\) \(\("Carol" NIL "carol" "example\.com"\)\) \(\("Bob" NIL "bob" "example\.net"\)\) NIL NIL NIL "<q3\.report@example\.com>"\) \(\("text" "plain" \("charset" "us-ascii"\) NIL NIL "7bit" 17 1\)\("text" "html" \("charset" "us-ascii"\) NIL NIL "7bit" 31 1\) "alternative"\) 19\) "mixed"\)\)
S: a5 OK Fetch completed\.
C: a6 FETCH 1 (BODY.PEEK[2.HEADER] BODY.PEEK[2.1.MIME] BODY.PEEK[2.TEXT]<10.20>)
S: \* 1 FETCH \(BODY\[2\.HEADER\] \{238\}
S: From: Carol <carol@example\.com>
S: To: Bob <bob@example\.net>
S: Subject: Quarterly report
S: Date: Tue, 3 Nov 2026 17:00:00 -0800
S: Message-ID: <q3\.report@example\.com>
S: MIME-Version: 1\.0
S: Content-Type: multipart/alternative; boundary="inner"
S: 
S:  BODY\[2\.1\.MIME\] \{46\}
S: Content-Type: text/plain; charset=us-ascii
S: 
S:  BODY\[2\.TEXT\]<10> \{20\}
S: ontent-Type: text/pl\)
S: a6 OK Fetch completed\.
C: a7 FETCH 1 (BODY.PEEK[2.2] BODY.PEEK[2.1.1] BODY.PEEK[3] BODY.PEEK[1.HEADER])
S: \* 1 FETCH \(BODY\[2\.2\] \{31\}
S: <p>Numbers are <b>up</b>\.</p>
S:  BODY\[2\.1\.1\] \{0\}
S:  BODY\[3\] \{0\}
S:  BODY\[1\.HEADER\] \{0\}
S: \)
S: a7 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
