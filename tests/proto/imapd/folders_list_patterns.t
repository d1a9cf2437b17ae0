# LIST patterns (RFC 3501 6.3.8): "%" stops at the separator, "*" does
# not, INBOX matches in any case; a pattern that would make a
# backtracking matcher explode ("*a*a*...*b" against a 200-byte name of
# "a"s) is answered at once; a pattern given as a literal; modified UTF-7
# names (RFC 3501 5.1.3) are listed as they are.
@conf plaintext_auth_networks = 127.0.0.0/8
@conf auth_fail_delay = 0
@folder myuser@mycompany.com aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
@folder myuser@mycompany.com x.y.z
@folder myuser@mycompany.com Entw&APw-rfe
@timeout 5
S: \* OK .* ready\.
C: a LOGIN myuser@mycompany.com mypassword
S: a OK .*
C: b LIST "" "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"
S: b OK List completed\.
C: c LIST "" "*aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
S: \* LIST \(\\HasNoChildren\) "\." aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
S: c OK List completed\.
C: d LIST "" %.%
S: \* LIST \(\\Noselect \\HasChildren\) "\." x\.y
S: d OK List completed\.
C: e LIST "" x*
S: \* LIST \(\\Noselect \\HasChildren\) "\." x
S: \* LIST \(\\Noselect \\HasChildren\) "\." x\.y
S: \* LIST \(\\HasNoChildren\) "\." x\.y\.z
S: e OK List completed\.
C: f LIST "" InBoX
S: \* LIST \(\\HasNoChildren\) "\." INBOX
S: f OK List completed\.
C: g LIST "" "in%"
S: g OK List completed\.
C-RAW: h LIST "" {4+}\r\nEnt*\r\n
S: \* LIST \(\\HasNoChildren\) "\." Entw&APw-rfe
S: h OK List completed\.
C: i LIST "x." "%"
S: \* LIST \(\\Noselect \\HasChildren\) "\." x\.y
S: i OK List completed\.
C: j LIST "" "x.y.z.*"
S: j OK List completed\.
C: zz LOGOUT
S: \* BYE .*
S: zz OK .*
@expect-close
