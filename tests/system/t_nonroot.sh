#!/bin/bash
# Non-root mode, even when the suite itself runs as root (as on CI): a whole
# instance (xinetd, quail-smtpd, quail-queue, quail-send, quail-deliver) run by
# an ordinary user. Everything must run as that user, say so in the log, and
# deliver mail into a Maildir owned by that user.
set -u
. "$(dirname "$0")/lib.sh"
need_cmd xinetd swaks python3 runuser useradd

user=quailtest
if [ "$(id -u)" -eq 0 ]; then
	id "$user" >/dev/null 2>&1 ||
		useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$user" ||
		fail "useradd $user"
	as_user() { runuser -u "$user" -- env PATH="$PATH" ASAN_OPTIONS="$ASAN_OPTIONS" "$@"; }
	uid=$(id -u "$user")
else
	as_user() { "$@"; }
	uid=$(id -u)
fi

# The user may not be able to read the checkout: give it its own copy of the
# scripts and binaries.
work=$(mktemp -d /tmp/quail-nonroot.XXXXXX) || fail "mktemp"
cleanup() {
	as_user "$work/src/scripts/instance.sh" stop "$work/inst" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/src/build" "$work/inst"
cp -r "$QUAIL_SRC/scripts" "$work/src/"
cp -r "$QUAIL_BUILD" "$work/src/build/bin"
[ "$(id -u)" -eq 0 ] && chown -R "$user" "$work"
chmod 0755 "$work"

port=$(free_port)
as_user env QUAIL_BUILD="$work/src/build/bin" \
	"$work/src/scripts/instance.sh" create "$work/inst" --smtp-port "$port" >"$work/create.log" 2>&1 ||
	{ cat "$work/create.log"; fail "instance.sh create as $user"; }
inst=$work/inst
as_user "$work/src/scripts/instance.sh" start "$inst" >"$work/start.log" 2>&1 ||
	{ cat "$work/start.log"; fail "instance.sh start as $user"; }

out=$(swaks --server "127.0.0.1:$port" --from me@mycompany.com \
	--to myuser@mycompany.com --header "Subject: non-root" --body "hello" \
	--timeout 20 2>&1) || { echo "$out"; fail "swaks"; }
echo "$out" | grep -q '250 2.0.0 Ok: queued as ' || { echo "$out"; fail "no 250"; }

got=$(wait_for_file "$inst/mail/mycompany.com/myuser/Maildir/new/*" 10) ||
	fail "not delivered within 10 s"
owner=$(stat -c %u "$got")
[ "$owner" = "$uid" ] || fail "Maildir file owned by uid $owner, want $uid"
qowner=$(stat -c %u "$inst/queue")
[ "$qowner" = "$uid" ] || fail "queue owned by uid $qowner, want $uid"

# Every quail process of the instance runs as the user.
pids=$(pgrep -f "$inst/libexec/quail-" || true)
[ -n "$pids" ] || fail "no quail process found"
for p in $pids; do
	pu=$(ps -o uid= -p "$p" | tr -d ' ')
	[ -z "$pu" ] || [ "$pu" = "$uid" ] || fail "pid $p runs as uid $pu, want $uid"
done
grep -q "unprivileged as uid $uid" "$inst/log/quail.log" ||
	fail "the log does not say it runs unprivileged as uid $uid"
echo "PASS"
