#!/bin/bash
# imap-bench.sh -- the IMAP benchmark of quail vs Dovecot (see bench/README.md).
#
#   bench/imap-bench.sh [--messages N] [--no-dovecot] [--no-setup[=SETUP]]
#                       [--no-build] [--keep] [--timeout SECS]
#
# One generated Maildir of N (default 100000) small messages (2-6 KB,
# plain and multipart, bench/imap_bench.py gen) is copied fresh into the
# INBOX of quail-imapd (a new instance under xinetd, scripts/instance.sh)
# and of Debian's dovecot-imapd (the reference stack of
# ../shared/reference/setup-reference.sh: bench@example.test on
# 127.0.0.1:10143), and both are measured one after the other in the same
# run with the same raw-socket client (imap_bench.py run): SELECT cold and
# warm, UID FETCH 1:* (UID FLAGS RFC822.SIZE), FETCH 1:* (ENVELOPE) twice,
# UID SEARCH FROM, SEARCH TEXT, STORE and EXPUNGE of 1000, APPEND of 1000
# one by one, IDLE latency after a delivery, PSS of an idle session. Needs
# root (Dovecot's Maildir belongs to vmail). Binaries: $QUAIL_BUILD, else
# `make` into build/release (unless --no-build). Raw results:
# bench/results/imap-<date>/ (gitignored).
#
# Exit: 0 all measured and every target met, 2 a target missed, 1 error,
# 64 usage.
set -eu
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
prog=imap-bench.sh
helper="$top/bench/imap_bench.py"

MESSAGES=100000
TIMEOUT=3600            # seconds for each step
DOVECOT_PORT=10143
DOVECOT_TLS_PORT=10993
DOVECOT_USER=bench@example.test
DOVECOT_PASSWORD=benchpw
DOVECOT_MAILDIR=/srv/ref/mail/example.test/bench/Maildir
QUAIL_USER=myuser@mycompany.com
QUAIL_PASSWORD=mypassword

with_dovecot=1
run_setup=1
setup=""
do_build=1
keep=0

die() { echo "$prog: $*" >&2; exit 1; }
usage() {
	sed -n '3,5p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 64
}
while [ $# -gt 0 ]; do
	case $1 in
	--messages) [ $# -ge 2 ] || usage; MESSAGES=$2; shift;;
	--no-dovecot) with_dovecot=0;;
	--no-setup) run_setup=0;;
	--setup=*) setup=${1#*=};;
	--no-build) do_build=0;;
	--keep) keep=1;;
	--timeout) [ $# -ge 2 ] || usage; TIMEOUT=$2; shift;;
	*) usage;;
	esac
	shift
done
case $MESSAGES in ''|*[!0-9]*) usage;; esac
[ "$MESSAGES" -ge 3000 ] || die "--messages at least 3000 (STORE/EXPUNGE/APPEND use 1000 each)"
[ "$MESSAGES" -le 2000000 ] || die "--messages at most 2000000"
case $TIMEOUT in ''|*[!0-9]*) usage;; esac
[ "$(id -u)" -eq 0 ] || die "needs root (the quail users, Dovecot's vmail Maildir, /proc PSS)"

stamp=$(date +%Y%m%d-%H%M%S)
results="$top/bench/results/imap-$stamp"
mkdir -p "$results"
note() { echo "$*" | tee -a "$results/progress.log" >&2; }
free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

if [ -z "${QUAIL_BUILD:-}" ]; then
	if [ "$do_build" = 1 ]; then
		note "building quail (make -C $top all) ..."
		timeout 900 make -s -C "$top" all >"$results/make.log" 2>&1 ||
			die "make failed, see $results/make.log"
	fi
	QUAIL_BUILD=$top/build/release
fi
case $QUAIL_BUILD in /*) ;; *) QUAIL_BUILD=$top/$QUAIL_BUILD;; esac
export QUAIL_BUILD
[ -x "$QUAIL_BUILD/quail-imapd" ] || die "no quail-imapd in $QUAIL_BUILD (run make)"

if [ "$with_dovecot" = 1 ]; then
	if [ "$run_setup" = 1 ]; then
		[ -n "$setup" ] || setup="$top/../shared/reference/setup-reference.sh"
		[ -f "$setup" ] || die "no reference setup script $setup (--setup=PATH or --no-setup)"
		note "setting up the Dovecot reference ($setup) ..."
		timeout 900 bash "$setup" >"$results/dovecot-setup.log" 2>&1 ||
			die "reference setup failed, see $results/dovecot-setup.log"
	fi
	timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$DOVECOT_PORT" 2>/dev/null ||
		die "Dovecot does not answer on 127.0.0.1:$DOVECOT_PORT"
	vmail_uid=$(id -u vmail) && vmail_gid=$(id -g vmail) || die "no user vmail"
fi

inst=""
src=""
# shellcheck disable=SC2317  # the EXIT trap
cleanup() {
	[ -z "$src" ] || rm -rf "$src"
	[ -n "$inst" ] || return 0
	"$top/scripts/instance.sh" stop "$inst" >/dev/null 2>&1 || true
	cp "$inst/log/quail.log" "$results/quail.log" 2>/dev/null || true
	if [ "$keep" = 1 ]; then
		echo "$prog: instance kept in $inst" >&2
	else
		rm -rf "$inst"
		[ "$with_dovecot" = 0 ] || rm -rf "$DOVECOT_MAILDIR"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tmpdir=${BENCH_TMPDIR:-/var/tmp}
src=$(mktemp -d "$tmpdir/imap-bench-src.XXXXXX")
note "generating $MESSAGES messages ..."
timeout "$TIMEOUT" python3 "$helper" gen --count "$MESSAGES" "$src/Maildir" >"$results/gen.json" ||
	die "generation failed"

inst=$(mktemp -d "$tmpdir/quail-bench.XXXXXX")
chmod 0755 "$inst"
smtp_port=$(free_port) imap_port=$(free_port) imaps_port=$(free_port)
timeout 120 "$top/scripts/instance.sh" create "$inst" --smtp-port "$smtp_port" \
	--imap-port "$imap_port" --imaps-port "$imaps_port" --auth-fail-delay 0 >"$results/instance-create.log" 2>&1 ||
	die "instance create failed: $(tail -3 "$results/instance-create.log")"
grep -q '^imaps ' "$inst/run/ports" || die "instance has no imap services: $(cat "$inst/run/ports")"
timeout 60 "$top/scripts/instance.sh" start "$inst" >"$results/instance-start.log" 2>&1 ||
	die "instance start failed: $(tail -3 "$results/instance-start.log")"
vmail=$(awk -F' *= *' '$1 == "vmail_user" { print $2 }' "$inst/etc/quail.conf")
vmail=${vmail:-${VMAIL_USER:-quailv}}
QUAIL_MAILDIR=$inst/mail/${QUAIL_USER#*@}/${QUAIL_USER%@*}/Maildir

copy() { # dest uid gid
	rm -rf "$1"
	mkdir -p "$(dirname "$1")"
	cp -a "$src/Maildir" "$1"
	chown -R "$2:$3" "$(dirname "$1")"
}

failed=0
note "quail: copying the Maildir ..."
copy "$QUAIL_MAILDIR" "$(id -u "$vmail")" "$(id -g "$vmail")"
sync
note "quail: measuring (127.0.0.1:$imap_port) ..."
timeout "$TIMEOUT" python3 "$helper" run --label quail --port "$imap_port" \
	--user "$QUAIL_USER" --password "$QUAIL_PASSWORD" --count "$MESSAGES" \
	--tls-port "$imaps_port" --smtp-port "$smtp_port" --proc quail-imapd --confdir "$inst/etc" --json "$results/quail.json" \
	2>>"$results/progress.log" || { failed=1; note "  quail run incomplete"; }
rm -rf "$QUAIL_MAILDIR"
if [ "$with_dovecot" = 1 ]; then
	note "dovecot: copying the Maildir ..."
	copy "$DOVECOT_MAILDIR" "$vmail_uid" "$vmail_gid"
	sync
	note "dovecot: measuring (127.0.0.1:$DOVECOT_PORT) ..."
	timeout "$TIMEOUT" python3 "$helper" run --label dovecot --port "$DOVECOT_PORT" \
		--user "$DOVECOT_USER" --password "$DOVECOT_PASSWORD" --count "$MESSAGES" \
		--tls-port "$DOVECOT_TLS_PORT" --drop-dir "$DOVECOT_MAILDIR:$vmail_uid:$vmail_gid" --proc dovecot \
		--json "$results/dovecot.json" 2>>"$results/progress.log" ||
		{ failed=1; note "  dovecot run incomplete"; }
fi
rc=0
if [ "$with_dovecot" = 1 ]; then
	python3 "$helper" table "$results/quail.json" "$results/dovecot.json" >"$results/summary.txt" || rc=$?
else
	python3 "$helper" table "$results/quail.json" >"$results/summary.txt" || rc=$?
fi
{
	echo
	echo "quail: $QUAIL_BUILD, IDLE after an SMTP 250 (quail-smtpd -> queue -> quail-send -> Maildir);"
	echo "Dovecot: IDLE after a file is renamed into Maildir/new/ (as an LDA would)"
	echo "raw results: $results"
} >>"$results/summary.txt"
cat "$results/summary.txt"
[ "$failed" = 0 ] || exit 1
[ "$rc" = 0 ] || exit 2
exit 0
