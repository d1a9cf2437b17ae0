#!/bin/bash
# curl(1) as an IMAP client of quail-imapd under xinetd:
#  1. imap:// lists the mailboxes (INBOX and the special-use folders);
#  2. imap://.../INBOX;UID=n fetches the message sent by SMTP, byte for
#     byte the delivered file (CRLF on the wire);
#  3. the same over imaps:// (implicit TLS, --insecure) and over STARTTLS
#     (imap:// with --ssl-reqd; the verbose log shows the STARTTLS);
#  4. imap://.../INBOX?SUBJECT%20x searches (* SEARCH n);
#  5. curl -T uploads (APPEND) a file to Sent; it is then fetched back from
#     Sent by UID with the same content, and a search finds it.
set -u
. "$(dirname "$0")/lib.sh"
need_cmd curl
need_prog quail-smtpd quail-imapd
grep -Eq '^[[:space:]]+service imaps? ' "$QUAIL_SRC/scripts/instance.sh" ||
	skip "scripts/instance.sh has no imap service yet"

# Bound of one curl run, in seconds.
CURL_SECS=30

instance_up --imap-port "$(free_port)" --imaps-port "$(free_port)" --auth-fail-delay 0
imap=$(port_of imap) imaps=$(port_of imaps)
[ -n "$imap" ] && [ -n "$imaps" ] || fail "IMAP services not configured: $(cat "$inst/run/ports")"
maildir=$inst/mail/mycompany.com/myuser/Maildir
work=$inst/curl
mkdir -p "$work"
auth=(--user 'myuser@mycompany.com:mypassword')

c() { # out-file curl-args...: runs curl, fails the test on an error
	local out=$1 rc=0
	shift
	timeout "$CURL_SECS" curl -sS --max-time "$CURL_SECS" "${auth[@]}" "$@" >"$out" 2>"$out.err" ||
		rc=$?
	[ "$rc" = 0 ] || fail "curl $* exited $rc: $(cat "$out.err")"
}

send_mail "$smtp_port" me@mycompany.com myuser@mycompany.com "curl test one" || fail "SMTP send 1"
send_mail "$smtp_port" me@mycompany.com myuser@mycompany.com "curl test two" || fail "SMTP send 2"
wait_count "$maildir/new" 2 10 || fail "messages not delivered in 10s"

# 1. LIST
c "$work/list" "imap://127.0.0.1:$imap/"
for box in INBOX Sent Drafts Trash Junk; do
	grep -Eq "^\* LIST \([^)]*\) \"\.\" \"?$box\"?"$'\r'"?\$" "$work/list" ||
		fail "LIST lacks $box: $(cat "$work/list")"
done
grep -q '\\Sent' "$work/list" || fail "LIST without special-use attributes: $(cat "$work/list")"

# 2. fetch by UID: the delivered file, CRLF
# (the file may move from new/ to cur/ meanwhile; its base name stays)
first=$(find "$maildir/new" "$maildir/cur" -type f | sort | head -n 1)
[ -n "$first" ] || fail "no delivered file"
base=$(basename "$first"); base=${base%%[:,]*}
sed 's/$/\r/' "$first" >"$work/want1"
c "$work/uid1" "imap://127.0.0.1:$imap/INBOX;UID=1"
cmp -s "$work/uid1" "$work/want1" || {
	diff <(cat -A "$work/want1") <(cat -A "$work/uid1") | head -20
	fail "INBOX;UID=1 is not the delivered message"
}
grep -q '^Subject: curl test one' "$work/uid1" || fail "UID=1 is not 'curl test one'"
c "$work/uid2" "imap://127.0.0.1:$imap/INBOX;UID=2"
grep -q '^Subject: curl test two' "$work/uid2" || fail "UID=2 is not 'curl test two': $(head -c 300 "$work/uid2")"

# 3. imaps:// and STARTTLS
c "$work/tls1" --insecure "imaps://127.0.0.1:$imaps/INBOX;UID=1"
cmp -s "$work/tls1" "$work/want1" || fail "imaps INBOX;UID=1 differs"
c "$work/stls" -v --insecure --ssl-reqd "imap://127.0.0.1:$imap/INBOX;UID=2"
cmp -s "$work/stls" "$work/uid2" || fail "STARTTLS INBOX;UID=2 differs"
grep -q '^> [A-Z0-9]* STARTTLS' "$work/stls.err" || fail "curl did not use STARTTLS: $(cat "$work/stls.err")"
grep -Eq 'SSL connection using TLSv1\.[23]' "$work/stls.err" || fail "no TLS 1.2+ after STARTTLS: $(grep -i ssl "$work/stls.err")"
c "$work/tlslist" --insecure "imaps://127.0.0.1:$imaps/"
cmp -s "$work/tlslist" "$work/list" || fail "LIST over imaps differs: $(cat "$work/tlslist")"

# 4. SEARCH
c "$work/search" "imap://127.0.0.1:$imap/INBOX?SUBJECT%20%22test%20two%22"
grep -Eq '^\* SEARCH 2'$'\r''?$' "$work/search" || fail "SEARCH SUBJECT: $(cat "$work/search")"

# 5. upload to Sent, then read it back
printf 'From: myuser@mycompany.com\r\nTo: a@example.org\r\nSubject: uploaded by curl\r\n\r\nUploaded body line.\r\n' >"$work/up"
c "$work/upload" -T "$work/up" "imap://127.0.0.1:$imap/Sent"
sent=$inst/mail/mycompany.com/myuser/Maildir/.Sent
[ "$(find "$sent/new" "$sent/cur" -type f 2>/dev/null | wc -l)" = 1 ] ||
	fail "APPEND: Sent has $(find "$sent" -type f -path '*/[nc][eu][wr]/*' | wc -l) messages, want 1"
c "$work/sent1" "imap://127.0.0.1:$imap/Sent;UID=1"
cmp -s "$work/sent1" "$work/up" || {
	diff <(cat -A "$work/up") <(cat -A "$work/sent1") | head
	fail "Sent;UID=1 is not the uploaded file"
}
c "$work/search2" "imap://127.0.0.1:$imap/Sent?SUBJECT%20uploaded"
grep -Eq '^\* SEARCH 1'$'\r''?$' "$work/search2" || fail "SEARCH in Sent: $(cat "$work/search2")"
# A missing message is an error, not an empty success
rc=0
timeout "$CURL_SECS" curl -sS --max-time "$CURL_SECS" "${auth[@]}" \
	"imap://127.0.0.1:$imap/INBOX;UID=99" >"$work/none" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "INBOX;UID=99 (no such message) succeeded: $(cat "$work/none")"
echo PASS
