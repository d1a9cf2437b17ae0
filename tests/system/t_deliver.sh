#!/bin/bash
# t_deliver.sh -- quail-deliver, quail-users and quail-newaliases against a
# temporary config dir (no xinetd, no quail-send):
#   users via quail-users (modes of users / users.cdb / passwd.cdb, list,
#   passwd, del, rebuild), aliases via quail-newaliases (postmaster/abuse
#   required, errors name file:line), delivery checked byte for byte
#   (Return-Path, Delivered-To, body, S= and W= in the file name), +extension,
#   unknown user (100, 5.1.1), loops (Delivered-To, > 100 Received: 100,
#   5.4.6), an unwritable Maildir (111), alias forwarding into the queue
#   (skipped with a message when quail-queue is not built).
# As root, mail is delivered as "nobody" (vmail_user/queue_user), which the
# test checks.
set -u
. "$(dirname "$0")/lib.sh"

B=$QUAIL_BUILD
for p in quail-deliver quail-users quail-newaliases; do
	[ -x "$B/$p" ] || skip "$B/$p not built"
done

t=$(mktemp -d /tmp/quail-deliver-t.XXXXXX) || fail "mktemp"
trap 'rm -rf "$t"' EXIT
chmod 0755 "$t"
mkdir -p "$t/etc" "$t/mail" "$t/queue/tmp" "$t/queue/mess" "$t/queue/state" "$t/log"
mkfifo -m 0600 "$t/queue/trigger"
root=0
if [ "$(id -u)" = 0 ]; then
	root=1
	run_user=nobody
	touch "$t/log/quail.log"
	chown nobody "$t/mail" "$t/log" "$t/log/quail.log"
	chown -R nobody "$t/queue"
	chmod 0700 "$t/queue"
else
	run_user=$(id -un)
fi
cat > "$t/etc/quail.conf" <<EOF
hostname = mx.example.com
local_domains = example.com, example.net
mail_dir = $t/mail
queue_dir = $t/queue
libexec_dir = $B
log = $t/log/quail.log
system_users = no
vmail_user = $run_user
queue_user = $run_user
EOF

ok=0
check() { # description, then a command that must succeed
	local what=$1
	shift
	"$@" || fail "$what"
	ok=$((ok + 1))
}

# ---- quail-users ------------------------------------------------------------
out=$("$B/quail-users" -C "$t/etc" add Me@Example.COM -p 'secret one' -c 2>&1) ||
	fail "quail-users add: $out"
out=$(printf 'pw2\n' | "$B/quail-users" -C "$t/etc" add other@example.com 2>&1) ||
	fail "quail-users add from stdin: $out"
out=$("$B/quail-users" -C "$t/etc" add me@example.com -p x 2>&1)
check "duplicate user refused" [ $? -ne 0 ]
out=$("$B/quail-users" -C "$t/etc" add 'a+b@example.com' -p x 2>&1)
check "delimiter in local part refused" [ $? -ne 0 ]
out=$("$B/quail-users" -C "$t/etc" add 'x@example.com' -p x -u 0 -g 0 2>&1)
check "uid 0 refused" [ $? -ne 0 ]
check "users is 0600" [ "$(stat -c %a "$t/etc/users")" = 600 ]
check "passwd.cdb is 0600" [ "$(stat -c %a "$t/etc/passwd.cdb")" = 600 ]
check "users.cdb is 0644" [ "$(stat -c %a "$t/etc/users.cdb")" = 644 ]
check "users.cdb holds no hash" bash -c "! grep -q 'y\\$' '$t/etc/users.cdb'"
check "address lowercased in users" grep -q "^me@example.com:\\\$" "$t/etc/users"
md=$t/mail/example.com/me/Maildir
check "-c created the Maildir" [ -d "$md/new" ] && [ -d "$md/tmp" ] && [ -d "$md/cur" ]
if [ "$root" = 1 ]; then
	check "-c gave the Maildir to the vmail user" [ "$(stat -c %U "$md/new")" = nobody ]
fi
check "no Maildir without -c" [ ! -e "$t/mail/example.com/other" ]
list=$("$B/quail-users" -C "$t/etc" list) || fail "quail-users list"
check "list shows both users" [ "$(printf '%s\n' "$list" | wc -l)" = 2 ]
check "list has no hashes" bash -c "! printf '%s' '$list' | grep -q '\\\$y\\\$\\|\\\$6\\\$'"
h1=$(grep '^other@' "$t/etc/users" | cut -d: -f2)
"$B/quail-users" -C "$t/etc" passwd other@example.com -p newpw >/dev/null 2>&1 ||
	fail "quail-users passwd"
h2=$(grep '^other@' "$t/etc/users" | cut -d: -f2)
check "passwd changed the hash" [ -n "$h1" ] && [ "$h1" != "$h2" ]
check "hash is yescrypt or sha512" bash -c "case '$h2' in '\$y\$'*|'\$6\$'*) true;; *) false;; esac"
"$B/quail-users" -C "$t/etc" add gone@example.com -p x >/dev/null 2>&1 || fail "add gone"
"$B/quail-users" -C "$t/etc" del gone@example.com >/dev/null 2>&1 || fail "quail-users del"
check "del removed the entry" bash -c "! grep -q '^gone@' '$t/etc/users'"
rm -f "$t/etc/users.cdb"
"$B/quail-users" -C "$t/etc" rebuild >/dev/null 2>&1 || fail "quail-users rebuild"
check "rebuild recreated users.cdb" [ -s "$t/etc/users.cdb" ]

# ---- quail-newaliases -----------------------------------------------------------
printf 'abuse: me\n' > "$t/etc/aliases"
out=$("$B/quail-newaliases" -C "$t/etc" 2>&1)
check "postmaster required" [ $? -ne 0 ]
check "postmaster message" grep -q "no entry for postmaster (RFC 5321 4.5.1 requires it)" <<<"$out"
printf 'postmaster: me\nabuse: me\n\nbad: |/bin/sh\n' > "$t/etc/aliases"
out=$("$B/quail-newaliases" -C "$t/etc" 2>&1)
check "pipe target refused" [ $? -ne 0 ]
check "error names aliases:4" grep -q "aliases:4:" <<<"$out"
cat > "$t/etc/aliases" <<EOF
# test aliases
postmaster: me
abuse: me@example.com
Info: me,
  other@example.com
looper: looper
EOF
out=$("$B/quail-newaliases" -C "$t/etc" 2>&1) || fail "quail-newaliases: $out"
check "aliases.cdb written" [ -s "$t/etc/aliases.cdb" ]

# ---- delivery ----------------------------------------------------------------------
msg=$(printf 'From: a@example.org\nSubject: test\n\nline one\n.\n..two\n\nlast\n'; echo x)
msg=${msg%x}
deliver() { # stdin: message; args: rcpt; sets rc and out
	out=$("$B/quail-deliver" -C "$t/etc" -f sender@example.org -q TESTQ "$@")
	rc=$?
}
count_new() { find "$md/new" -type f | wc -l; }

deliver Me@example.com < <(printf '%s' "$msg")
check "delivered (rc=$rc, $out)" [ "$rc" = 0 ]
check "ok line" grep -q "^ok: delivered to $md\$" <<<"$out"
check "one message in new/" [ "$(count_new)" = 1 ]
f=$(find "$md/new" -type f)
want=$(printf 'Return-Path: <sender@example.org>\nDelivered-To: Me@example.com\n%sx' "$msg")
want=${want%x}
got=$(cat "$f"; echo x)
got=${got%x}
check "file content byte for byte" [ "$got" = "$want" ]
size=$(stat -c %s "$f")
lfs=$(tr -cd '\n' < "$f" | wc -c)
check "S= and W= in the name" grep -q ",S=$size,W=$((size + lfs))\$" <<<"$f"
if [ "$root" = 1 ]; then
	check "delivered as nobody" [ "$(stat -c %U "$f")" = nobody ]
fi
check "log line with the queue id" grep -q "qid=TESTQ.*delivered" "$t/log/quail.log"

deliver me+lists@example.com < <(printf 'Subject: ext\n\nx\n')
check "+extension delivered ($out)" [ "$rc" = 0 ]
check "two messages" [ "$(count_new)" = 2 ]

deliver other@example.com < <(printf 'Subject: x\n\nx\n')
check "Maildir created on first delivery ($out)" [ "$rc" = 0 ]
check "other has a message" [ "$(find "$t/mail/example.com/other/Maildir/new" -type f | wc -l)" = 1 ]

deliver nosuchuser@example.com < <(printf 'x\n')
check "unknown user exits 100" [ "$rc" = 100 ]
check "unknown user says 5.1.1" grep -q '^5\.1\.1 ' <<<"$out"

deliver me@example.com < <(printf 'Delivered-To: ME@example.com\nSubject: loop\n\nx\n')
check "Delivered-To loop exits 100" [ "$rc" = 100 ]
check "loop says 5.4.6" grep -q '^5\.4\.6 ' <<<"$out"
check "loop delivered nothing" [ "$(count_new)" = 2 ]

hops() { local i; for ((i = 0; i < $1; i++)); do echo "Received: from h$i"; done; printf '\nbody\n'; }
deliver me@example.com < <(hops 101)
check "101 hops exits 100" [ "$rc" = 100 ] && grep -q '^5\.4\.6 ' <<<"$out"
deliver me@example.com < <(hops 100)
check "100 hops delivered" [ "$rc" = 0 ]

out=$(printf 'x\n' | "$B/quail-deliver" -C "$t/etc" -f $'a\nb@x' me@example.com)
check "sender with a newline refused" [ $? = 100 ]

# an unwritable Maildir defers (111), never bounces
if [ "$root" = 1 ]; then chown root "$md/tmp"; chmod 0755 "$md/tmp"; else chmod 0500 "$md/tmp"; fi
deliver me@example.com < <(printf 'x\n')
check "unwritable Maildir exits 111 ($out)" [ "$rc" = 111 ]
check "temporary reason starts with 4." grep -q '^4\.' <<<"$out"
if [ "$root" = 1 ]; then chown nobody "$md/tmp"; fi
chmod 0700 "$md/tmp"

# ---- aliases -------------------------------------------------------------------------
deliver info@example.com < <(printf 'Delivered-To: info@example.com\n\nx\n')
check "alias loop exits 100" [ "$rc" = 100 ]
if [ -x "$B/quail-queue" ]; then
	deliver INFO@example.com < <(printf "Subject: to info\n\nhello\n")
	check "alias forwarded (rc=$rc, $out)" [ "$rc" = 0 ]
	check "forward ok line" grep -q '^ok: forwarded to 2 ' <<<"$out"
	q=$(find "$t/queue/mess" -type f | head -n 1)
	check "queue file exists" [ -n "$q" ]
	check "queue file has Delivered-To" grep -aq '^Delivered-To: INFO@example.com$' "$q"
	check "queue file has the body" grep -aq '^hello$' "$q"
	check "queue file names both targets" grep -aq 'other@example.com' "$q"
else
	echo "NOTE: $B/quail-queue not built: alias forwarding part skipped"
fi

echo "t_deliver: $ok checks passed"
exit 0
