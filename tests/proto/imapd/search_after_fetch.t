# FETCH ENVELOPE (and BODYSTRUCTURE) store SEARCH's header record when
# they parse a header: the searches after them are answered from it and
# must find exactly what a search on the files finds (search_text.t,
# misc_search_addresses.t): encoded words decoded, repeated fields,
# addresses as the envelope shows them, SENTON from the Date field, a
# field outside the record (HEADER X-Tag) still from the file. The second
# FETCH ENVELOPE comes from the cache and is the same.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@mail myuser@mycompany.com INBOX cur:S From: "Carla B." <carla.benchmark@example.org>\nTo: a@x.org\nTo: b@y.org\nSubject: =?UTF-8?Q?caf=C3=A9_menu?=\nDate: Mon, 06 Mar 2023 23:50:00 -0200\nX-Tag: alpha\n\nbody one\n
@mail myuser@mycompany.com INBOX cur:S From: Other <other@example.org>\nCc: carla.benchmark@example.org\nSubject: plain\n\nbody two\n
@mail myuser@mycompany.com INBOX cur:S From: <user-from (comment)@ (comment) domain.org>\nBcc: Team: c@z.org;\nSubject: three\nX-Tag: beta\n\nbody three\n
S: \* OK .*
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b SELECT INBOX
S: \* FLAGS .*
S: \* OK \[PERMANENTFLAGS .*
S: \* 3 EXISTS
S: \* 0 RECENT
S: \* OK \[UIDVALIDITY \d+\] .*
S: \* OK \[UIDNEXT 4\] .*
S: b OK \[READ-WRITE\] .*
C: f1 FETCH 1:2 (ENVELOPE)
S: \* 1 FETCH \(ENVELOPE \("Mon, 06 Mar 2023 23:50:00 -0200" "=\?UTF-8\?Q\?caf=C3=A9_menu\?=" \(\("Carla B\." NIL "carla\.benchmark" "example\.org"\)\) .*\)\)
S: \* 2 FETCH \(ENVELOPE \(NIL "plain" \(\("Other" NIL "other" "example\.org"\)\) .*\)\)
S: f1 OK Fetch completed\.
C: f2 FETCH 3 (BODYSTRUCTURE)
S: \* 3 FETCH \(BODYSTRUCTURE \("text" "plain" .*\)\)
S: f2 OK Fetch completed\.
C: s1 SEARCH FROM carla.benchmark@example.org
S: \* SEARCH 1
S: s1 OK Search completed\.
C: s2 SEARCH FROM "carla b."
S: \* SEARCH 1
S: s2 OK Search completed\.
C: s3 SEARCH SUBJECT "CAFÉ MENU"
S: \* SEARCH 1
S: s3 OK Search completed\.
C: s4 SEARCH TO b@y.org
S: \* SEARCH 1
S: s4 OK Search completed\.
C: s5 SEARCH CC carla.benchmark
S: \* SEARCH 2
S: s5 OK Search completed\.
C: s6 SEARCH FROM user-from@domain.org
S: \* SEARCH 3
S: s6 OK Search completed\.
C: s7 SEARCH BCC "team: c@z.org;"
S: \* SEARCH 3
S: s7 OK Search completed\.
C: s8 SEARCH SENTON 6-Mar-2023
S: \* SEARCH 1
S: s8 OK Search completed\.
C: s9 SEARCH HEADER X-Tag beta
S: \* SEARCH 3
S: s9 OK Search completed\.
C: s10 SEARCH NOT SUBJECT e
S: \* SEARCH 2
S: s10 OK Search completed\.
C: f3 FETCH 1:2 (ENVELOPE)
S: \* 1 FETCH \(ENVELOPE \("Mon, 06 Mar 2023 23:50:00 -0200" "=\?UTF-8\?Q\?caf=C3=A9_menu\?=" \(\("Carla B\." NIL "carla\.benchmark" "example\.org"\)\) .*\)\)
S: \* 2 FETCH \(ENVELOPE \(NIL "plain" \(\("Other" NIL "other" "example\.org"\)\) .*\)\)
S: f3 OK Fetch completed\.
C: z LOGOUT
S: \* BYE .*
S: z OK .*
