#!/bin/bash
# Every port of the lab (scripts/lab.sh in a temp LAB_DIR, all ports free
# ones) answers: SMTP 2525 and submission 2587 with 220 and STARTTLS, SMTPS
# 2465 with implicit TLS, POP3 2110 with +OK and STLS, POP3S 2995 with
# implicit TLS. The certificate of the lab verifies (openssl s_client and
# python ssl) for mail.mycompany.com. The POP3 ports are required once
# quail-pop3d is built; the banner names every configured port.
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

"$QUAIL_SRC/scripts/lab.sh" stop >/dev/null || fail "lab.sh stop"
for s in $want; do
	p=$(port_of "$s")
	[ -z "$(ss -Hltn "sport = :$p")" ] || fail "port $p ($s) still listening after stop"
done
echo PASS
