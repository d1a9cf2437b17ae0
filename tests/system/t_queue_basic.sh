#!/bin/bash
# t_queue_basic.sh -- the queue end to end: quail-queue (driven directly
# through its fd 0 pipe + fd 1 socketpair), quail-send and the real
# quail-deliver in an instance made by scripts/instance.sh.
#   A  a message is delivered to a Maildir and leaves the queue
#   B  a permanent failure comes back as an RFC 3464 bounce to the sender
#   C  a temporary failure is retried (backoff), then delivered
#   D  a failed null-sender message goes to the postmaster (double bounce)
#   E  a remote recipient whose MX cannot be reached stays queued (deferred)
#   F  bad envelopes: permanent refusal, nothing queued; no END: temporary
#   G  SIGTERM stops quail-send with exit 0
#   H  (before G) alias forwarding, Delivered-To and alias loops bounce 5.4.6
# Exit 0 pass, 77 skip, 1 fail. Every wait is bounded.
set -u
SRC=${QUAIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${QUAIL_BUILD:-$SRC/build/san}
WAIT_TENTHS=300     # 30 s per condition

skip() { echo "SKIP: $*"; exit 77; }
for p in quail-queue quail-send quail-deliver quail-users quail-newaliases quail-smtpd; do
	[ -x "$BUILD/$p" ] || skip "$BUILD/$p not built"
done
[ -x "$SRC/scripts/instance.sh" ] || skip "scripts/instance.sh missing"
command -v python3 >/dev/null || skip "python3 missing"

tmp=$(mktemp -d /tmp/quail-tqb.XXXXXX) || exit 1
chmod 0755 "$tmp"   # as root the quail users must traverse it
I=$tmp/inst
send_pid=""
cleanup() {
	[ -n "$send_pid" ] && kill -KILL "$send_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	echo "--- quail.log (tail)"; tail -n 40 "$I/log/quail.log" 2>/dev/null
	echo "--- send.out"; tail -n 20 "$tmp/send.out" 2>/dev/null
	exit 1
}
# wait_for DESCRIPTION COMMAND...: polls every 0.1 s, at most WAIT_TENTHS.
wait_for() {
	local what=$1 i=0
	shift
	until "$@"; do
		i=$((i + 1))
		[ "$i" -le "$WAIT_TENTHS" ] || fail "timed out waiting for: $what"
		sleep 0.1
	done
}

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
QUAIL_BUILD=$BUILD "$SRC/scripts/instance.sh" create "$I" --smtp-port "$port" \
	>"$tmp/create.log" 2>&1 || { cat "$tmp/create.log"; fail "instance.sh create"; }
# Fast retries for the test; the size limit for F; remote.example is
# routed to a port nobody listens on (E).
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'retry_min = 1s\nretry_max = 2s\nmessage_size_limit = 100000\nsmtp_routes = remote.example=[127.0.0.1]:%s\n' \
	"$closed" >>"$I/etc/quail.conf"
Q=$I/queue
LOG=$I/log/quail.log

# The injector: quail-queue exactly as lib/qsubmit.c runs it.
cat >"$tmp/inject.py" <<'EOF'
import socket, subprocess, sys
# usage: inject.py quail-queue confdir sender rcpt... < message
# prints the reply line; exits with quail-queue's exit code.
# "-" as the only recipient: close the envelope socket without END.
prog, conf, sender, rcpts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
a, b = socket.socketpair()
p = subprocess.Popen([prog, "-C", conf], stdin=subprocess.PIPE, stdout=b.fileno())
b.close()
try:
    p.stdin.write(sys.stdin.buffer.read())
    p.stdin.close()
except BrokenPipeError:
    pass
try:
    if rcpts != ["-"]:
        env = "F%s\n" % sender + "".join("R%s\n" % r for r in rcpts) + "E\n"
        a.sendall(env.encode())
    else:
        a.sendall(("F%s\n" % sender).encode())
    a.shutdown(socket.SHUT_WR)
except OSError:
    pass
reply = b""
a.settimeout(60)
while True:
    d = a.recv(4096)
    if not d:
        break
    reply += d
print(reply.decode(errors="replace").strip())
sys.exit(p.wait(timeout=60))
EOF
inject() { # sender rcpt... ; message on stdin; sets $id
	local out
	out=$(python3 "$tmp/inject.py" "$I/libexec/quail-queue" "$I/etc" "$@") ||
		fail "quail-queue refused: $out"
	case $out in K*) id=${out#K};; *) fail "bad reply: $out";; esac
}

"$I/libexec/quail-send" -C "$I/etc" -p "$I/run/quail-send.pid" </dev/null >"$tmp/send.out" 2>&1 &
send_pid=$!
wait_for "quail-send pidfile" test -s "$I/run/quail-send.pid"
[ "$(cat "$I/run/quail-send.pid")" = "$send_pid" ] || fail "pidfile does not hold quail-send's pid"
wait_for "queue layout" test -p "$Q/trigger"
for d in tmp mess state; do [ -d "$Q/$d" ] || fail "queue dir $d missing"; done
[ -s "$tmp/send.out" ] && fail "quail-send wrote to stdout/stderr: $(cat "$tmp/send.out")"

maildir() { find "$I/mail" -type d -path "*/$1/Maildir" | head -n 1; }
MY=$(maildir myuser)
ME=$(maildir me)
[ -d "$MY/new" ] && [ -d "$ME/new" ] || fail "user Maildirs missing"
has_mail() { grep -lq -- "$2" "$1"/new/* 2>/dev/null; }
gone() { [ ! -e "$Q/mess/$1" ] && [ ! -e "$Q/state/$1" ]; }
logged() { grep -q -- "$1" "$LOG"; }

# A: plain delivery.
inject me@mycompany.com myuser@mycompany.com < <(printf 'Subject: test A\nFrom: me@mycompany.com\n\nmarker-A-%s\n' $$)
wait_for "A delivered" has_mail "$MY" "marker-A-$$"
wait_for "A removed from the queue" gone "$id"
logged "id=$id to=<myuser@mycompany.com> status=sent" || fail "A: no status=sent line"
grep -l "marker-A-$$" "$MY"/new/* | xargs grep -q '^Delivered-To: myuser@mycompany.com' ||
	fail "A: no Delivered-To"

# B: permanent failure -> bounce to the sender.
inject me@mycompany.com nosuch@mycompany.com < <(printf 'Subject: test B %s\nFrom: me@mycompany.com\n\nbody-B-%s\n' $$ $$)
idB=$id
wait_for "B bounce" has_mail "$ME" "X-Quail-Queue-ID: $idB"
b=$(grep -l "X-Quail-Queue-ID: $idB" "$ME"/new/* | head -n 1)
for want in 'report-type=delivery-status' 'Content-Type: message/delivery-status' \
	'Final-Recipient: rfc822; nosuch@mycompany.com' 'Action: failed' 'Status: 5.' \
	'Diagnostic-Code: ' 'Arrival-Date: ' 'Reporting-MTA: dns; ' \
	'Content-Type: text/rfc822-headers' "Subject: test B $$" \
	'From: Mail Delivery System <MAILER-DAEMON@' '^Return-Path: <>'; do
	grep -q -- "$want" "$b" || fail "B: bounce lacks '$want'"
done
grep -q "body-B-$$" "$b" && fail "B: bounce carries the original body"
wait_for "B removed" gone "$idB"
logged "id=$idB to=<nosuch@mycompany.com> status=bounced" || fail "B: no status=bounced line"

# C: temporary failure (the Maildir's tmp/ is not a directory), retried,
# then delivered once repaired.
mv "$MY/tmp" "$MY/tmp.saved"
: >"$MY/tmp"
inject me@mycompany.com myuser@mycompany.com < <(printf 'Subject: test C\n\nmarker-C-%s\n' $$)
idC=$id
deferred_twice() { [ "$(grep -c "id=$idC to=<myuser@mycompany.com> status=deferred" "$LOG")" -ge 2 ]; }
wait_for "C deferred twice (retry)" deferred_twice
has_mail "$MY" "marker-C-$$" && fail "C: delivered while the Maildir was broken"
[ -e "$Q/mess/$idC" ] || fail "C: message left the queue after a temporary failure"
rm -f "$MY/tmp"
mv "$MY/tmp.saved" "$MY/tmp"
wait_for "C delivered after repair" has_mail "$MY" "marker-C-$$"
wait_for "C removed" gone "$idC"

# D: null sender, permanent failure -> double bounce to the postmaster
# (the instance aliases postmaster to myuser).
inject "" nosuchD@mycompany.com < <(printf 'Subject: test D\n\nbody-D\n')
idD=$id
wait_for "D double bounce" has_mail "$MY" "X-Quail-Queue-ID: $idD"
grep -l "X-Quail-Queue-ID: $idD" "$MY"/new/* | xargs grep -q 'Final-Recipient: rfc822; nosuchD@mycompany.com' ||
	fail "D: double bounce lacks the failed recipient"
wait_for "D removed" gone "$idD"

# E: remote recipient, MX unreachable: deferred by quail-remote, kept.
inject me@mycompany.com someone@remote.example < <(printf 'Subject: test E\n\nx\n')
idE=$id
wait_for "E log line" logged "id=$idE to=<someone@remote.example> status=deferred"
[ -e "$Q/mess/$idE" ] || fail "E: remote message left the queue"

# F: refusals. Permanent (exit 100, "D") and nothing queued.
count_mess() { find "$Q/mess" -type f | wc -l; }
before=$(count_mess)
out=$(printf 'x\n' | python3 "$tmp/inject.py" "$I/libexec/quail-queue" "$I/etc" me@mycompany.com nodomain)
rc=$?; [ $rc -eq 100 ] && [ "${out#D}" != "$out" ] || fail "F: no-domain recipient: rc=$rc out=$out"
out=$(printf 'x\n' | python3 "$tmp/inject.py" "$I/libexec/quail-queue" "$I/etc" me@mycompany.com)
rc=$?; [ $rc -eq 100 ] || fail "F: no recipients: rc=$rc out=$out"
out=$(head -c 200000 /dev/zero | tr '\0' 'x' | python3 "$tmp/inject.py" "$I/libexec/quail-queue" "$I/etc" me@mycompany.com myuser@mycompany.com)
rc=$?; [ $rc -eq 100 ] || fail "F: oversized message: rc=$rc out=$out"
out=$(printf 'x\n' | python3 "$tmp/inject.py" "$I/libexec/quail-queue" "$I/etc" me@mycompany.com -)
rc=$?; [ $rc -eq 111 ] && [ "${out#Z}" != "$out" ] || fail "F: envelope without END: rc=$rc out=$out"
[ "$(count_mess)" -eq "$before" ] || fail "F: a refused message was queued"
[ -z "$(find "$Q/tmp" -type f)" ] || fail "F: files left in tmp/"

# H: through quail-send's launcher (local delivery in a forked child):
# an alias is forwarded with its Delivered-To; a Delivered-To loop and an
# alias loop are permanent failures (5.4.6) and bounce to the sender.
printf 'fwdh: me\nlooph1: looph2\nlooph2: looph1\n' >>"$I/etc/aliases"
"$I/libexec/quail-newaliases" -C "$I/etc" >"$tmp/newaliases.log" 2>&1 ||
	fail "H: quail-newaliases: $(cat "$tmp/newaliases.log")"
inject myuser@mycompany.com fwdh@mycompany.com < <(printf 'Subject: test H1\n\nmarker-H1-%s\n' $$)
wait_for "H1 forwarded" has_mail "$ME" "marker-H1-$$"
h=$(grep -l "marker-H1-$$" "$ME"/new/* | head -n 1)
grep -q '^Delivered-To: fwdh@mycompany.com$' "$h" || fail "H1: no Delivered-To of the alias"
grep -q '^Delivered-To: me@mycompany.com$' "$h" || fail "H1: no Delivered-To of the user"
inject me@mycompany.com myuser@mycompany.com < <(printf 'Delivered-To: MyUser@mycompany.com\nSubject: test H2\n\nmarker-H2-%s\n' $$)
idH2=$id
wait_for "H2 loop bounce" has_mail "$ME" "X-Quail-Queue-ID: $idH2"
grep -l "X-Quail-Queue-ID: $idH2" "$ME"/new/* | xargs grep -q 'Status: 5.4.6' ||
	fail "H2: bounce lacks Status: 5.4.6"
has_mail "$MY" "marker-H2-$$" && fail "H2: a looping message was delivered"
wait_for "H2 removed" gone "$idH2"
inject me@mycompany.com looph1@mycompany.com < <(printf 'Subject: test H3\n\nmarker-H3-%s\n' $$)
wait_for "H3 alias loop bounce" logged "to=<looph1@mycompany.com> status=bounced"
wait_for "H3 bounce delivered" has_mail "$ME" "Final-Recipient: rfc822; looph1@mycompany.com"
grep -l "Final-Recipient: rfc822; looph1@mycompany.com" "$ME"/new/* | xargs grep -q 'Status: 5.4.6' ||
	fail "H3: alias loop bounce lacks Status: 5.4.6"

# G: SIGTERM.
kill -TERM "$send_pid"
i=0
while kill -0 "$send_pid" 2>/dev/null; do
	i=$((i + 1)); [ $i -le 100 ] || fail "G: quail-send ignores SIGTERM"
	sleep 0.1
done
wait "$send_pid"; rc=$?
send_pid=""
[ $rc -eq 0 ] || fail "G: quail-send exit $rc after SIGTERM"
echo "PASS"
exit 0
