#!/bin/bash
# The lab as `make lab` starts it (scripts/lab.sh, in a temp LAB_DIR on
# free ports so a running lab is not disturbed): the handout's SMTP
# walkthrough typed line by line arrives in myuser's Maildir; starting the
# lab again keeps the mail and works; stop ends every process.
set -u
. "$(dirname "$0")/lib.sh"
need_cmd xinetd python3 openssl ss

LAB_DIR=$(mktemp -d /tmp/quail-lab-t.XXXXXX) || fail mktemp
chmod 0755 "$LAB_DIR"
# Every lab port free, so a running lab on 2525/2587/2465/2110/2995 is
# never disturbed.
LAB_SMTP_PORT=$(free_port)
LAB_SUBMISSION_PORT=$(free_port)
LAB_SMTPS_PORT=$(free_port)
LAB_POP3_PORT=$(free_port)
LAB_POP3S_PORT=$(free_port)
export LAB_DIR LAB_SMTP_PORT LAB_SUBMISSION_PORT LAB_SMTPS_PORT LAB_POP3_PORT LAB_POP3S_PORT
inst=$LAB_DIR
cleanup() {
	"$QUAIL_SRC/scripts/lab.sh" stop >/dev/null 2>&1 || true
	rm -rf "$LAB_DIR"
}
trap cleanup EXIT

out=$("$QUAIL_SRC/scripts/lab.sh" start 2>&1) || { echo "$out"; fail "lab.sh start"; }
echo "$out" | grep -q "telnet 127.0.0.1 $LAB_SMTP_PORT" || { echo "$out"; fail "no telnet command printed"; }
echo "$out" | grep -q "$LAB_DIR/mail/mycompany.com/myuser/Maildir/new" || { echo "$out"; fail "Maildir not printed"; }
echo "$out" | grep -q "$LAB_DIR/log/quail.log" || { echo "$out"; fail "log not printed"; }

maildir=$LAB_DIR/mail/mycompany.com/myuser/Maildir
qid=$(python3 "$QUAIL_SRC/tests/system/quailtest.py" seed "$LAB_SMTP_PORT") || { echo "$qid"; fail "walkthrough"; }
f=$(wait_for_file "$maildir/new/*" 10) || fail "walkthrough mail ($qid) not delivered in 10s"
grep -q '^Subject: Test Email$' "$f" || fail "delivered file lacks the Subject"
tail -n 1 "$f" | grep -qx 'My Test Email from me!' || fail "delivered file lacks the body"
grep -q "$qid" "$LAB_DIR/log/quail.log" || fail "queue id $qid not in the log"

# make lab again: harmless, mail kept, still answering.
out=$("$QUAIL_SRC/scripts/lab.sh" start 2>&1) || { echo "$out"; fail "second lab.sh start"; }
[ -f "$f" ] || fail "second start lost the delivered mail"
python3 "$QUAIL_SRC/tests/system/quailtest.py" seed "$LAB_SMTP_PORT" >/dev/null || fail "walkthrough after restart"
i=0
while [ "$(find "$maildir/new" -type f | wc -l)" -lt 2 ]; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "second walkthrough mail not delivered in 10s"
	sleep 0.1
done

xpid=$(cat "$LAB_DIR/run/xinetd.pid"); spid=$(cat "$LAB_DIR/run/quail-send.pid")
"$QUAIL_SRC/scripts/lab.sh" stop >/dev/null || fail "lab.sh stop"
kill -0 "$xpid" 2>/dev/null && fail "xinetd $xpid still running after stop"
kill -0 "$spid" 2>/dev/null && fail "quail-send $spid still running after stop"
[ -z "$(ss -Hltn "sport = :$LAB_SMTP_PORT")" ] || fail "port $LAB_SMTP_PORT still listening"
"$QUAIL_SRC/scripts/lab.sh" stop >/dev/null || fail "second lab.sh stop"
echo PASS
