#!/bin/bash
# mbsync (isync) syncs ALL folders of quail-imapd (under xinetd, STARTTLS,
# certificate checked) with a local Maildir, both ways:
#  1. initial pull: the two messages sent by SMTP to INBOX and the one
#     uploaded to folder Work arrive locally, byte for byte (LF), and the
#     special-use folders are created locally;
#  2. a local flag change (file renamed to :2,S) is pushed (\Seen on the
#     server); a server flag change (\Flagged) is pulled (F in the name);
#  3. a message expunged on the server goes locally; a message deleted
#     locally is expunged on the server;
#  4. a new local message in Work is uploaded (APPEND) with the same
#     content;
#  5. a second run changes nothing, on either side.
set -u
. "$(dirname "$0")/lib.sh"
need_prog quail-smtpd quail-imapd
grep -Eq '^[[:space:]]+service imaps? ' "$QUAIL_SRC/scripts/instance.sh" ||
	skip "scripts/instance.sh has no imap service yet"
command -v mbsync >/dev/null 2>&1 || skip "mbsync not installed (apt-get install isync)"
need_cmd curl

# Bound of one mbsync run, in seconds.
SYNC_SECS=60

instance_up --imap-port "$(free_port)" --auth-fail-delay 0
imap=$(port_of imap)
[ -n "$imap" ] || fail "IMAP service not configured: $(cat "$inst/run/ports")"
work=$inst/mbsync
local=$work/mail
mkdir -p "$local"
cat >"$work/rc" <<EOF
IMAPAccount quail
Host localhost
# localhost: mbsync matches the name, not IP addresses, against the certificate
Port $imap
User myuser@mycompany.com
Pass mypassword
SSLType STARTTLS
CertificateFile $inst/etc/tls/cert.pem
AuthMechs PLAIN

IMAPStore far
Account quail

MaildirStore near
Path $local/
Inbox $local/INBOX
SubFolders Verbatim

Channel all
Far :far:
Near :near:
Patterns *
Create Both
Expunge Both
SyncState *
EOF
chmod 0600 "$work/rc"

imapcmd() { # commands...: run on the server as myuser, print untagged lines
	python3 "$QUAIL_SRC/tests/system/quailtest.py" imap "$imap" "$@" ||
		fail "IMAP $*"
}
sync() { # log
	local rc=0
	timeout "$SYNC_SECS" mbsync -V -c "$work/rc" -a >"$1" 2>&1 || rc=$?
	[ "$rc" = 0 ] || { tail -n 40 "$1"; fail "mbsync exited $rc (log $1)"; }
}
files() { # folder: local message files
	find "$local/$1/cur" "$local/$1/new" -type f 2>/dev/null | sort
}
nfiles() { files "$1" | wc -l; }
server_state() { # all folders: UID and FLAGS of every message
	local box
	for box in INBOX Work Sent Drafts Trash Junk; do
		echo "== $box"
		imapcmd "EXAMINE $box" "UID FETCH 1:* (UID FLAGS)" | grep FETCH |
			sed 's/\\Recent//; s/( /(/; s/ )/)/'
	done
}
local_state() {
	find "$local" -type f ! -name '.mbsyncstate*' ! -name '.uidvalidity' \
		! -name '.isyncuidmap*' | sort
}
# mbsync adds an X-TUID header (its own tracking) to what it stores.
no_tuid() { grep -v '^X-TUID: ' "$1"; }
send_mail "$smtp_port" me@mycompany.com myuser@mycompany.com "sync one" || fail "SMTP send 1"
send_mail "$smtp_port" me@mycompany.com myuser@mycompany.com "sync two" || fail "SMTP send 2"
wait_count "$inst/mail/mycompany.com/myuser/Maildir/new" 2 10 || fail "not delivered in 10s"
# The delivered files as they are now (IMAP sessions move them to cur/).
mkdir -p "$work/delivered"
cp "$inst"/mail/mycompany.com/myuser/Maildir/new/* "$work/delivered/"
[ "$(find "$work/delivered" -type f | wc -l)" = 2 ] || fail "delivered files: $(ls "$work/delivered")"
imapcmd "CREATE Work" >/dev/null
printf 'From: boss@example.org\r\nTo: myuser@mycompany.com\r\nSubject: work item\r\n\r\nDo the thing.\r\n' >"$work/work1"
timeout 30 curl -sS --user 'myuser@mycompany.com:mypassword' -T "$work/work1" \
	"imap://127.0.0.1:$imap/Work" >/dev/null 2>"$work/curl.err" || fail "curl APPEND: $(cat "$work/curl.err")"

# 1. initial pull
sync "$work/log1"
[ "$(nfiles INBOX)" = 2 ] || fail "INBOX: $(nfiles INBOX) local messages, want 2 ($(tail -5 "$work/log1"))"
[ "$(nfiles Work)" = 1 ] || fail "Work: $(nfiles Work) local messages, want 1"
for box in Sent Drafts Trash Junk; do
	[ -d "$local/$box/cur" ] || fail "folder $box not created locally: $(ls -a "$local")"
done
for f in $(files INBOX); do
	grep -q '^Subject: sync \(one\|two\)$' "$f" || fail "unexpected local message $f"
done
for f in "$work"/delivered/*; do
	subj=$(grep -m1 '^Subject: ' "$f")
	# shellcheck disable=SC2046  # file names without spaces (ours)
	l=$(grep -l -x -F "$subj" $(files INBOX))
	[ -n "$l" ] || fail "no local copy of '$subj'"
	no_tuid "$l" | cmp -s "$f" - || fail "local copy of '$subj' differs from the delivered file"
done
tr -d '\r' <"$work/work1" >"$work/work1.lf"
no_tuid "$(files Work)" | cmp -s "$work/work1.lf" - ||
	fail "local Work message differs from the uploaded one: $(cat -A "$(files Work)")"

# 2. flags both ways
one=$(grep -l '^Subject: sync one$' $(files INBOX))
uid_one=$(basename "$one" | sed -n 's/.*,U=\([0-9]*\).*/\1/p')
[ -n "$uid_one" ] || fail "no U= in the local name $one"
base=$(basename "$one"); base=${base%%:*}
mkdir -p "$local/INBOX/cur"
mv "$one" "$local/INBOX/cur/$base:2,S"
two=$(grep -l '^Subject: sync two$' $(files INBOX))
uid_two=$(basename "$two" | sed -n 's/.*,U=\([0-9]*\).*/\1/p')
imapcmd "SELECT INBOX" "UID STORE $uid_two +FLAGS (\\Flagged)" >/dev/null
sync "$work/log2"
imapcmd "EXAMINE INBOX" "UID FETCH $uid_one (FLAGS)" >"$work/flags1"
grep -q '\\Seen' "$work/flags1" || fail "local :2,S not pushed: $(cat "$work/flags1")"
two=$(grep -l '^Subject: sync two$' $(files INBOX))
case $(basename "$two") in *:2,*F*) ;; *) fail "server \\Flagged not pulled: $two";; esac

# 3. deletions both ways
imapcmd "SELECT Work" "STORE 1 +FLAGS.SILENT (\\Deleted)" "EXPUNGE" >/dev/null
rm -f "$two"
sync "$work/log3"
[ "$(nfiles Work)" = 0 ] || fail "server expunge not propagated: $(files Work)"
imapcmd "EXAMINE INBOX" "UID SEARCH ALL" >"$work/search3"
grep -Eqx "\* SEARCH $uid_one"$'\r''?' "$work/search3" ||
	fail "local deletion not propagated: server INBOX has $(cat "$work/search3"), want only $uid_one"

# 4. a new local message is uploaded
new="$local/Work/new/$(date +%s).P$$.testhost"
printf 'From: me@mycompany.com\nTo: boss@example.org\nSubject: local draft\n\nWritten locally.\nSecond line.\n' >"$work/draft"
cp "$work/draft" "$new"   # mbsync renames it (adds its UID)
sync "$work/log4"
python3 - "$imap" "$work/draft" <<'EOF' || fail "the uploaded message is wrong on the server"
import imaplib, re, sys
want = open(sys.argv[2], "rb").read()
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=20)
m.login("myuser@mycompany.com", "mypassword")
typ, data = m.select("Work", True)
if typ != "OK" or data[0] != b"1":
    sys.exit("Work on the server: %s %r (want 1 message)" % (typ, data))
typ, data = m.fetch("1", "(BODY.PEEK[])")
got = data[0][1]
# mbsync may add X-TUID to find an upload's UID; the rest must be the file, CRLF.
got = re.sub(rb"(?m)^X-TUID: [^\r\n]*\r\n", b"", got)
if got != want.replace(b"\n", b"\r\n"):
    sys.exit("got %r, want %r" % (got, want))
m.logout()
EOF

# 5. a second run is a no-op
sync "$work/log5"
server_state >"$work/server.before"
local_state >"$work/local.before"
sync "$work/log6"
server_state >"$work/server.after"
local_state >"$work/local.after"
cmp -s "$work/server.before" "$work/server.after" ||
	fail "a no-op run changed the server: $(diff "$work/server.before" "$work/server.after")"
cmp -s "$work/local.before" "$work/local.after" ||
	fail "a no-op run changed the local Maildir: $(diff "$work/local.before" "$work/local.after")"
if grep -Eq 'Far: \+[0-9]+ \*[0-9]+ #[0-9]+ -[0-9]+' "$work/log6"; then
	grep -Eq 'Far: \+0 \*0 #0 -0 +Near: \+0 \*0 #0 -0' "$work/log6" ||
		fail "second run did something: $(grep 'Far:' "$work/log6" | tail -1)"
fi
echo PASS
