# SEARCH on header fields (RFC 2047 decoded, unfolded, case-folded also
# for Latin-1), HEADER, BODY over decoded text parts only (quoted-
# printable Latin-1, base64 HTML; a base64 attachment is not searched,
# neither raw nor decoded), TEXT, the date keys, CHARSET and literals.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur:S From: =?ISO-8859-1?Q?Andr=E9?= Smith <andre@example.com>\nTo: Bob <bob@example.org>,\n  Carol <carol@example.net>\nCc: dave@example.com\nSubject: =?UTF-8?B?w4l0w6k=?= report\nDate: Tue, 1 Feb 1994 23:30:00 -0500\nX-Tag: alpha\n\nHello ZEBRA world\n
@mail myuser@mycompany.com INBOX cur:S From: bob@example.org\nSubject: mime\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="BB"\n\npreamble\n--BB\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nCaf=E9 au lait\n--BB\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\nPGI+QmFzZTY0IGh0bWw8L2I+\n--BB\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nU2VjcmV0QXR0YWNobWVudA==\n--BB--\n
@mail myuser@mycompany.com INBOX cur:S From: carol@example.net\nSubject: plain\nX-Tag:\n\nnothing here\n
S: \* OK .*
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b EXAMINE INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 3 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 4\] .*
S: b OK \[READ-ONLY\] .*
C: h1 SEARCH FROM andre
S: \* SEARCH 1
S: h1 OK Search completed\.
C-RAW: h2 SEARCH CHARSET UTF-8 FROM "ANDR\xc3\x89 sMITH"\r\n
S: \* SEARCH 1
S: h2 OK Search completed\.
C: h3 SEARCH FROM =?ISO
S: \* SEARCH
S: h3 OK Search completed\.
C: h4 SEARCH TO carol
S: \* SEARCH 1
S: h4 OK Search completed\.
C: h5 SEARCH CC DAVE@EXAMPLE
S: \* SEARCH 1
S: h5 OK Search completed\.
C: h6 SEARCH BCC x
S: \* SEARCH
S: h6 OK Search completed\.
C-RAW: h7 SEARCH SUBJECT "\xc3\xa9T\xc3\x89 rep"\r\n
S: \* SEARCH 1
S: h7 OK Search completed\.
C: h8 SEARCH FROM example
S: \* SEARCH 1 2 3
S: h8 OK Search completed\.
C: h9 SEARCH HEADER X-Tag ""
S: \* SEARCH 1 3
S: h9 OK Search completed\.
C: h10 SEARCH HEADER x-tag ALPHA
S: \* SEARCH 1
S: h10 OK Search completed\.
C: h11 SEARCH HEADER Content-Type MULTIPART
S: \* SEARCH 2
S: h11 OK Search completed\.
C: b1 SEARCH BODY zebra
S: \* SEARCH 1
S: b1 OK Search completed\.
C: b2 SEARCH BODY andre
S: \* SEARCH
S: b2 OK Search completed\.
C-RAW: b3 SEARCH BODY "CAF\xc3\x89 au"\r\n
S: \* SEARCH 2
S: b3 OK Search completed\.
C: b4 SEARCH BODY "base64 html"
S: \* SEARCH 2
S: b4 OK Search completed\.
C: b5 SEARCH OR BODY SecretAttachment BODY U2VjcmV0
S: \* SEARCH
S: b5 OK Search completed\.
C: b6 SEARCH BODY preamble
S: \* SEARCH
S: b6 OK Search completed\.
C: b7 SEARCH BODY {5+}
C: ZEBRA
S: \* SEARCH 1
S: b7 OK Search completed\.
C: b8 SEARCH BODY {4}
S: \+ .*
C: here
S: \* SEARCH 3
S: b8 OK Search completed\.
C: t1 SEARCH TEXT andre
S: \* SEARCH 1
S: t1 OK Search completed\.
C: t2 SEARCH TEXT "subject: mime"
S: \* SEARCH 2
S: t2 OK Search completed\.
C: t3 SEARCH TEXT here
S: \* SEARCH 3
S: t3 OK Search completed\.
C: t4 SEARCH TEXT ""
S: \* SEARCH 1 2 3
S: t4 OK Search completed\.
# Date: of message 1 is 1 Feb in its own zone (2 Feb in UTC); 2 and 3
# have none and use INTERNALDATE (now)
C: d1 SEARCH SENTON 1-Feb-1994
S: \* SEARCH 1
S: d1 OK Search completed\.
C: d2 SEARCH SENTON 2-Feb-1994
S: \* SEARCH
S: d2 OK Search completed\.
C: d3 SEARCH SENTBEFORE "2-Feb-1994"
S: \* SEARCH 1
S: d3 OK Search completed\.
C: d4 SEARCH SENTSINCE 1-Jan-2020
S: \* SEARCH 2 3
S: d4 OK Search completed\.
C: d5 SEARCH SINCE 1-Jan-2020
S: \* SEARCH 1 2 3
S: d5 OK Search completed\.
C: d6 SEARCH OR BEFORE 1-Jan-2020 ON 1-Feb-1994
S: \* SEARCH
S: d6 OK Search completed\.
C: c1 SEARCH CHARSET us-ascii FROM andre
S: \* SEARCH 1
S: c1 OK Search completed\.
C: c2 SEARCH CHARSET ISO-8859-1 FROM andre
S: c2 NO \[BADCHARSET \(UTF-8 US-ASCII\)\] .*
C: z LOGOUT
S: \* BYE .*
S: z OK .*
@expect-close
