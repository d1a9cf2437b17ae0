#!/bin/bash
# Every port of the lab (scripts/lab.sh in a temp LAB_DIR, all ports free
# ones) answers: SMTP 2525 and submission 2587 with 220 and STARTTLS, SMTPS
# 2465 with implicit TLS, POP3 2110 with +OK and STLS, POP3S 2995 with
# implicit TLS. The certificate of the lab verifies (openssl s_client and
# python ssl) for mail.mycompany.com. The POP3 ports are required once
# quail-pop3d is built; the banner names every configured port. Submission
# refuses MAIL without AUTH (530 5.7.0). The banner's POP3 walkthrough
# (USER, PASS, STAT, LIST, UIDL, RETR 1, TOP 1 0, DELE 1, QUIT) works on
# the handout's message, which is gone only after QUIT.
set -u
. "$(dirname "$0")/lib.sh"
need_cmd xinetd python3 openssl ss timeout
need_prog quail-smtpd

# Bound of one openssl s_client run, in seconds.
S_CLIENT_SECS=20

LAB_DIR=$(mktemp -d /tmp/quail-lab-t.XXXXXX) || fail mktemp
chmod 0755 "$LAB_DIR"
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
cert=$LAB_DIR/etc/tls/cert.pem
[ -f "$cert" ] || fail "no certificate $cert"

want="smtp submission smtps"
if [ -x "$QUAIL_BUILD/quail-pop3d" ]; then
	want="$want pop3 pop3s"
else
	echo "note: quail-pop3d not built, POP3 ports not checked"
fi
for s in $want; do
	p=$(port_of "$s")
	[ -n "$p" ] || { cat "$LAB_DIR/run/ports"; fail "service $s not configured"; }
	echo "$out" | grep -q "^ *$p " || { echo "$out"; fail "banner does not list port $p ($s)"; }
done

# openssl s_client: handshake and certificate check; stdin is empty, so it
# ends after the handshake.
s_client() { # port [starttls-proto]
	local port=$1 o=$LAB_DIR/s_client.out
	shift
	timeout "$S_CLIENT_SECS" openssl s_client -connect "127.0.0.1:$port" ${1:+-starttls "$1"} \
		-CAfile "$cert" -verify_return_error -verify_hostname mail.mycompany.com \
		</dev/null >"$o" 2>&1 || { tail -n 20 "$o"; fail "openssl s_client port $port ${1:-} failed"; }
	grep -aq 'Verify return code: 0 (ok)' "$o" ||
		{ tail -n 20 "$o"; fail "s_client port $port: certificate did not verify"; }
	grep -aEq 'Protocol *: *TLSv1\.[23]|^New, TLSv1\.[23]' "$o" ||
		{ tail -n 20 "$o"; fail "s_client port $port: not TLS 1.2/1.3"; }
}

greet() { # port proto mode
	local o
	o=$(python3 "$QUAIL_SRC/tests/system/quailtest.py" greet "$1" "$2" "$3" "$cert") ||
		{ echo "$o"; fail "port $1 ($2 $3)"; }
	echo "port $1 $2 $3: $o"
}

for s in $want; do
	p=$(port_of "$s")
	case $s in
	smtp|submission)
		greet "$p" smtp plain
		greet "$p" smtp starttls
		s_client "$p" smtp;;
	smtps)
		greet "$p" smtp tls
		s_client "$p";;
	pop3)
		greet "$p" pop3 plain
		greet "$p" pop3 starttls
		s_client "$p" pop3;;
	pop3s)
		greet "$p" pop3 tls
		s_client "$p";;
	esac
done

# Submission without AUTH: MAIL is refused with 530 5.7.0 (the issue's
# "without AUTH, submission refuses"); on port 25 it is not.
sub_mail() { # port -> the reply to MAIL FROM after EHLO, no AUTH
	python3 - "$QUAIL_SRC/tests/system" "$1" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import quailtest
d = quailtest.Dialogue(int(sys.argv[2]))
d.expect(220)
d.expect(250, "EHLO test.invalid")
d.send("MAIL FROM:<me@mycompany.com>")
code, lines = d.reply()
print(lines[0])
d.close()
PY
}
r=$(sub_mail "$(port_of submission)") || fail "submission dialogue: $r"
case $r in "530 5.7.0"*) ;; *) fail "submission port: MAIL without AUTH answered '$r', want 530 5.7.0";; esac
r=$(sub_mail "$(port_of smtp)") || fail "smtp dialogue: $r"
case $r in "250 "*) ;; *) fail "smtp port: MAIL answered '$r', want 250";; esac

# The POP3 walkthrough of the banner, typed as written, on the handout's
# message: the message is gone only after QUIT.
if [ -n "$(port_of pop3)" ]; then
	maildir=$LAB_DIR/mail/mycompany.com/myuser/Maildir
	qid=$(python3 "$QUAIL_SRC/tests/system/quailtest.py" seed "$LAB_SMTP_PORT") ||
		{ echo "$qid"; fail "SMTP walkthrough"; }
	wait_for_file "$maildir/new/*" 10 >/dev/null || fail "walkthrough mail ($qid) not delivered in 10s"
	echo "$out" | grep -q "telnet 127.0.0.1 $(port_of pop3)" || fail "banner lacks the POP3 telnet line"
	o=$(python3 - "$QUAIL_SRC/tests/system" "$(port_of pop3)" "$maildir" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[1])
from quailtest import LineConn, check, TestFailure
import socket
port, maildir = int(sys.argv[2]), sys.argv[3]
def files():
    return [n for d in ("new", "cur") for n in os.listdir(os.path.join(maildir, d))]
try:
    c = LineConn(socket.create_connection(("127.0.0.1", port), timeout=20))
    def cmd(line, multi=False):
        c.send(line)
        first = c.line()
        check(first.startswith("+OK"), "%s -> %r" % (line, first))
        return first, (c.pop3_multiline() if multi else None)
    check(c.line().startswith("+OK"), "greeting")
    cmd("USER myuser@mycompany.com")
    cmd("PASS mypassword")
    first, _ = cmd("STAT")
    n, size = first.split()[1:3]
    check(n == "1", "STAT %r, want 1 message" % first)
    _, lst = cmd("LIST", True)
    check(lst == ["1 " + size], "LIST %r, want ['1 %s']" % (lst, size))
    _, uidl = cmd("UIDL", True)
    check(len(uidl) == 1 and uidl[0].startswith("1 ") and len(uidl[0]) > 2, "UIDL %r" % uidl)
    _, msg = cmd("RETR 1", True)
    check("Subject: Test Email" in msg, "RETR 1 lacks the Subject: %r" % msg[:12])
    check(msg[-1] == "My Test Email from me!", "RETR 1 ends %r" % msg[-1:])
    check(len("".join(l + "\r\n" for l in msg)) == int(size), "RETR 1 size differs from STAT")
    _, top = cmd("TOP 1 0", True)
    check("Subject: Test Email" in top and "My Test Email from me!" not in top, "TOP 1 0: %r" % top)
    cmd("DELE 1")
    check(len(files()) == 1, "message removed before QUIT")
    cmd("QUIT")
    c.sock.close()
    check(files() == [], "message still there after DELE 1 + QUIT: %r" % files())
except (TestFailure, OSError) as e:
    print("FAIL:", e)
    sys.exit(1)
print("POP3 walkthrough ok")
PY
	) || fail "POP3 walkthrough: $o"
	echo "$o"
fi

"$QUAIL_SRC/scripts/lab.sh" stop >/dev/null || fail "lab.sh stop"
for s in $want; do
	p=$(port_of "$s")
	[ -z "$(ss -Hltn "sport = :$p")" ] || fail "port $p ($s) still listening after stop"
done
echo PASS
