#!/bin/bash
# t_qctl.sh -- quail-qctl against a real instance whose route for
# nowhere.test points at a closed port, so a message there stays deferred:
#   A  list: id, age, size, sender, the recipient deferred with its last
#      error (the connect failure; needs quail-remote), summary line
#   B  flush: quail-send retries at once (log line, one more attempt)
#   C  an unreadable queue file is listed as such, not guessed at
#   D  remove: bad ids refused (nothing removed), the message and its
#      state file go, quail-send logs it, a second remove fails
#   E  as root: another user is told to run as root or the queue user
#   F  flush without quail-send running: exit 111, says so
# Exit 0 pass, 77 skip, 1 fail. Every wait is bounded.
set -u
. "$(dirname "$0")/lib.sh"

for p in quail-qctl quail-inject quail-queue quail-send quail-deliver quail-smtpd; do
	[ -x "$QUAIL_BUILD/$p" ] || skip "$QUAIL_BUILD/$p not built"
done
need_cmd xinetd python3 openssl ss
WAIT_TENTHS=300     # 30 s per condition

# The instance by hand (lib.sh's instance_up starts it at once): the
# route and the retry times go into quail.conf before quail-send starts.
inst=$(mktemp -d /tmp/quail-t.XXXXXX) || fail "mktemp"
chmod 0755 "$inst"
trap _instance_cleanup EXIT
I=$inst
"$QUAIL_SRC/scripts/instance.sh" create "$I" --smtp-port "$(free_port)" >"$I/create.log" 2>&1 ||
	{ cat "$I/create.log"; fail "instance.sh create"; }
closed=$(free_port)     # nothing listens there
# Long retry times: only a flush makes quail-send try again.
printf 'smtp_routes = nowhere.test=[127.0.0.1]:%s\nretry_min = 1h\nretry_max = 2h\nremote_connect_timeout = 5s\n' \
	"$closed" >>"$I/etc/quail.conf"
"$QUAIL_SRC/scripts/instance.sh" start "$I" || fail "instance.sh start"
ETC=$I/etc
Q=$I/queue
LOG=$I/log/quail.log
QCTL=$I/libexec/quail-qctl

wait_for() {
	local what=$1 i=0
	shift
	until "$@"; do
		i=$((i + 1))
		[ "$i" -le "$WAIT_TENTHS" ] || fail "timed out waiting for: $what"
		sleep 0.1
	done
}
list() { "$QCTL" -C "$ETC" list; }
list_has() { list 2>/dev/null | grep -q -- "$1"; }
logged() { grep -q -- "$1" "$LOG"; }

out=$(list) || fail "list on an empty queue: exit $?"
[ "$out" = "0 messages in queue" ] || fail "empty list: $out"

printf 'Subject: qctl\n\nbody\n' |
	"$I/libexec/quail-inject" -C "$ETC" -f me@mycompany.com someone@nowhere.test ||
	fail "quail-inject exit $?"
id=$(ls "$Q/mess")
[ -n "$id" ] || fail "nothing queued"

# A: the first attempt fails (connection refused) and is recorded.
wait_for "first attempt recorded" list_has "deferred (1 attempt, last"
out=$(list) || fail "list: exit $?"
echo "$out" | grep -Eq "^$id  [0-9]+[smhd][0-9hm]*  [0-9]+ bytes  from <me@mycompany.com>\$" ||
	fail "A: message line: $out"
echo "$out" | grep -q '^  <someone@nowhere.test>  deferred (1 attempt, last [0-9]*s ago): 4\.[0-9]*\.[0-9]* ' ||
	fail "A: recipient line: $out"
echo "$out" | tail -n 1 | grep -qx '1 message in queue' || fail "A: summary: $out"
if [ -x "$I/libexec/quail-remote" ]; then
	echo "$out" | grep -F '<someone@nowhere.test>' | grep -q "127.0.0.1" ||
		fail "A: last error does not name the unreachable host: $out"
else
	echo "note: quail-remote not built: the last-error text (connect to 127.0.0.1:$closed) is not checked"
fi

# B: flush -> an immediate second attempt.
"$QCTL" -C "$ETC" flush >"$I/flush.out" 2>&1 || fail "B: flush exit $?: $(cat "$I/flush.out")"
grep -q 'flush requested' "$I/flush.out" || fail "B: flush output: $(cat "$I/flush.out")"
wait_for "quail-send logs the flush" logged 'flush'
wait_for "second attempt after flush" list_has "deferred (2 attempts, last"

# C: a queue file that does not parse.
bad=0123456789ABCDEF
owner=$(stat -c %u:%g "$Q")
printf 'garbage\n' >"$I/bad.tmp"
install -m 0600 -o "${owner%:*}" -g "${owner#*:}" "$I/bad.tmp" "$Q/mess/$bad" || fail "C: install"
out=$(list) || fail "C: list exit $?"
echo "$out" | grep -q "^$bad  unreadable: " || fail "C: corrupt file not shown: $out"
echo "$out" | tail -n 1 | grep -qx '2 messages in queue' || fail "C: summary: $out"

# D: remove.
out=$("$QCTL" -C "$ETC" remove "$id" ../etc 2>&1); rc=$?
[ $rc -eq 100 ] && echo "$out" | grep -q 'not a queue id' || fail "D: bad id: exit $rc ($out)"
[ -e "$Q/mess/$id" ] || fail "D: removed although an id was bad"
out=$("$QCTL" -C "$ETC" remove "$id" "$bad" 2>&1) || fail "D: remove exit $? ($out)"
echo "$out" | grep -qx "removed $id" || fail "D: output: $out"
[ ! -e "$Q/mess/$id" ] && [ ! -e "$Q/state/$id" ] && [ ! -e "$Q/mess/$bad" ] ||
	fail "D: files left: $(ls "$Q/mess" "$Q/state")"
wait_for "quail-send logs the removal" logged "id=$id .*removed by admin"
logged "id=$id removed by quail-qctl (uid $(id -u))" || fail "D: no quail-qctl log line"
out=$(list) || fail "D: list exit $?"
[ "$out" = "0 messages in queue" ] || fail "D: list after remove: $out"
out=$("$QCTL" -C "$ETC" remove "$id" 2>&1); rc=$?
[ $rc -eq 100 ] && echo "$out" | grep -q 'no such message' || fail "D: second remove: exit $rc ($out)"

# E: another user.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && getent passwd nobody >/dev/null; then
	out=$(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups \
		"$QCTL" -C "$ETC" list 2>&1); rc=$?
	[ $rc -eq 100 ] && echo "$out" | grep -q 'permission denied: run as root or ' ||
		fail "E: as nobody: exit $rc ($out)"
else
	echo "note: not root, part E (permission message) not run"
fi

# F: no quail-send.
"$QUAIL_SRC/scripts/instance.sh" stop "$I" || fail "F: instance.sh stop"
out=$("$QCTL" -C "$ETC" flush 2>&1); rc=$?
[ $rc -eq 111 ] && echo "$out" | grep -q 'quail-send is not running' || fail "F: exit $rc ($out)"
echo "PASS"
exit 0
