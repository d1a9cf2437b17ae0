#!/bin/bash
# End to end with swaks: a message sent over SMTP to a real instance under
# xinetd lands in myuser's Maildir with Return-Path, Delivered-To and
# quail-smtpd's Received line prepended, and the message byte for byte as
# sent (LF line ends; dot-stuffing undone).
set -u
. "$(dirname "$0")/lib.sh"
need_cmd swaks

instance_up

msg=$inst/sent.eml
# No '%' or backslash in the text: swaks expands %TOKENS% and \n in
# --data; no lone "." line: swaks takes it as the end of the data.
printf '%s\r\n' \
	"From: Me <me@mycompany.com>" \
	"To: My User <myuser@mycompany.com>" \
	"Subject: swaks end to end" \
	"Message-ID: <swaks.$$@client.example>" \
	"" \
	"Hello from swaks." \
	".a line that starts with a dot" \
	"..two dots" \
	"trailing blanks   " \
	"	a tab" \
	"" \
	"last line" >"$msg"
# swaks adds CRLF "." after the data unless the data ends with the dot.
{ cat "$msg"; printf '.\r\n'; } >"$msg.data"

out=$(swaks --server "127.0.0.1:$smtp_port" --helo client.example \
	--from me@mycompany.com --to myuser@mycompany.com \
	--data "@$msg.data" --timeout 20 2>&1) || { echo "$out"; fail "swaks failed"; }
echo "$out" | grep -q '250 2.0.0 Ok: queued as ' || { echo "$out"; fail "no 250 queued"; }

maildir=$inst/mail/mycompany.com/myuser/Maildir
got=$(wait_for_file "$maildir/new/*" 10) || fail "nothing in $maildir/new after 10s"

python3 - "$got" "$msg" <<'EOF' || fail "delivered file does not match"
import sys
sys.path.insert(0, __import__("os").environ["QUAIL_SRC"] + "/tests/system")
from quailtest import check_delivery, TestFailure
got = open(sys.argv[1], "rb").read()
sent = open(sys.argv[2], "rb").read()
try:
    check_delivery(got, "me@mycompany.com", "myuser@mycompany.com", sent)
except TestFailure as e:
    print(e)
    sys.exit(1)
EOF

# Exactly one file, and nothing left in tmp/.
n=$(find "$maildir/new" -type f | wc -l)
[ "$n" -eq 1 ] || fail "$n files in new/, want 1"
[ -z "$(find "$maildir/tmp" -type f)" ] || fail "files left in $maildir/tmp"
echo "PASS"
