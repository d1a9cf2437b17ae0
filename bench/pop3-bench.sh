#!/bin/bash
# pop3-bench.sh -- the POP3 benchmark of quail (see bench/README.md).
#
#   bench/pop3-bench.sh [--with-dovecot[=SETUP]] [--no-setup] [--messages N]
#                       [--retr N] [--logins N] [--rounds N] [--new]
#                       [--no-build] [--keep] [--timeout SECS]
#
# On a Maildir of N (default 100000) small messages, the same files for
# quail-pop3d and, with --with-dovecot, for Debian's dovecot-pop3d (the
# reference stack of setup-reference.sh: bench@example.test on
# 127.0.0.1:10110, POP3S 10995), measured one after the other in the same
# run on the same disk:
#  1. login + STAT the first time (a fresh Maildir: no UID list, no index)
#     and the second time;
#  2. UIDL of the whole maildrop;
#  3. RETR of --retr (default 1000) messages spread over the maildrop;
#  4. the cost of a login (connect -> +OK after PASS; quail: including the
#     privilege-separation fork when run as root), --logins (default 50)
#     times, plain and over implicit TLS, on a small mailbox.
# The Maildirs are written fresh for every round, into cur/ as mail a
# client has already seen (--new: into new/, as just delivered; the first
# login then also moves every file to cur/). The client is the same python
# poplib for both (bench/pop3_bench.py). Binaries come from $QUAIL_BUILD
# (default: `make` into build/release first, unless --no-build). The quail
# instance lives in a fresh directory under $BENCH_TMPDIR (default
# /var/tmp, the disk of /srv/ref) and is removed at the end (--keep keeps
# it). Raw results go to bench/results/pop3-<date>/ (gitignored).
#
# Exit: 0 when every measurement completed, 1 when one failed, 64 usage.
set -eu
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
prog=pop3-bench.sh
helper="$top/bench/pop3_bench.py"

MESSAGES=100000
RETR=1000
LOGINS=50
ROUNDS=1
TIMEOUT=1800            # seconds for each step (generation, one server's run)
DOVECOT_PORT=10110
DOVECOT_TLS_PORT=10995
DOVECOT_USER=bench@example.test
DOVECOT_PASSWORD=benchpw
DOVECOT_LOGIN_USER=bob@example.test     # the small mailbox of the login loop
DOVECOT_LOGIN_PASSWORD=bobpw
DOVECOT_MAILDIR=/srv/ref/mail/example.test/bench/Maildir
DOVECOT_CERT=/srv/ref/tls/cert.pem
QUAIL_USER=myuser@mycompany.com
QUAIL_LOGIN_USER=me@mycompany.com
QUAIL_PASSWORD=mypassword

with_dovecot=0
dovecot_setup=""
run_setup=1
do_build=1
keep=0
in_cur=1

die() { echo "$prog: $*" >&2; exit 1; }
usage() {
	sed -n '3,6p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 64
}
num() { # value name
	case $1 in ''|*[!0-9]*) echo "$prog: $2 must be a positive number: $1" >&2; exit 64;; esac
	[ "$1" -gt 0 ] || { echo "$prog: $2 must be a positive number: $1" >&2; exit 64; }
}

while [ $# -gt 0 ]; do
	case $1 in
	--with-dovecot) with_dovecot=1;;
	--with-dovecot=*) with_dovecot=1; dovecot_setup=${1#*=};;
	--no-setup) run_setup=0;;
	--messages) [ $# -ge 2 ] || usage; MESSAGES=$2; shift;;
	--retr) [ $# -ge 2 ] || usage; RETR=$2; shift;;
	--logins) [ $# -ge 2 ] || usage; LOGINS=$2; shift;;
	--rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift;;
	--timeout) [ $# -ge 2 ] || usage; TIMEOUT=$2; shift;;
	--new) in_cur=0;;
	--no-build) do_build=0;;
	--keep) keep=1;;
	-h|--help) usage;;
	*) usage;;
	esac
	shift
done
num "$MESSAGES" --messages; num "$RETR" --retr; num "$LOGINS" --logins
num "$ROUNDS" --rounds; num "$TIMEOUT" --timeout
[ "$ROUNDS" -le 20 ] || die "--rounds at most 20"
[ "$MESSAGES" -le 10000000 ] || die "--messages at most 10000000"
command -v python3 >/dev/null || die "python3 is required"
command -v xinetd >/dev/null || die "xinetd is required (apt-get install xinetd)"

# ---- where things go ---------------------------------------------------------
stamp=$(date +%Y%m%d-%H%M%S)
results="$top/bench/results/pop3-$stamp"
mkdir -p "$results"
summary="$results/summary.txt"
: >"$summary"
note() { echo "$*" | tee -a "$results/progress.log" >&2; }

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ---- binaries ------------------------------------------------------------------
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
[ -x "$QUAIL_BUILD/quail-pop3d" ] || die "no quail-pop3d in $QUAIL_BUILD (run make)"

# ---- the Dovecot reference -------------------------------------------------------
if [ "$with_dovecot" = 1 ]; then
	[ "$(id -u)" -eq 0 ] || die "--with-dovecot needs root (it writes Dovecot's Maildir)"
	if [ "$run_setup" = 1 ]; then
		if [ -z "$dovecot_setup" ]; then
			dovecot_setup="$top/../shared/reference/setup-reference.sh"
			[ -f "$dovecot_setup" ] ||
				die "no reference setup script at $dovecot_setup; pass --with-dovecot=PATH" \
					"(or --no-setup for an already running Dovecot on $DOVECOT_PORT)"
		fi
		[ -f "$dovecot_setup" ] || die "no such file: $dovecot_setup"
		note "setting up the Dovecot reference ($dovecot_setup) ..."
		timeout 900 bash "$dovecot_setup" >"$results/dovecot-setup.log" 2>&1 ||
			die "reference setup failed, see $results/dovecot-setup.log"
	fi
	timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$DOVECOT_PORT" 2>/dev/null ||
		die "Dovecot does not answer on 127.0.0.1:$DOVECOT_PORT"
	[ -f "$DOVECOT_CERT" ] || die "no Dovecot certificate $DOVECOT_CERT"
	vmail_uid=$(id -u vmail) && vmail_gid=$(id -g vmail) ||
		die "no user vmail (the reference setup creates it)"
	mkdir -p "$(dirname "$DOVECOT_MAILDIR")"
	chown "$vmail_uid:$vmail_gid" "$(dirname "$DOVECOT_MAILDIR")"
fi

# ---- the quail instance ------------------------------------------------------------
inst=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	[ -n "$inst" ] || return 0
	"$top/scripts/instance.sh" stop "$inst" >/dev/null 2>&1 || true
	if [ -d "$inst/log" ]; then
		cp "$inst/log/quail.log" "$results/quail.log" 2>/dev/null || true
		cp "$inst/log/xinetd.log" "$results/xinetd.log" 2>/dev/null || true
	fi
	if [ "$keep" = 1 ]; then
		echo "$prog: instance kept in $inst (stop: scripts/instance.sh stop $inst)" >&2
	else
		rm -rf "$inst"
	fi
	# The big Dovecot Maildir is ours alone; it goes too.
	[ "$with_dovecot" = 0 ] || [ "$keep" = 1 ] || rm -rf "$DOVECOT_MAILDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

inst=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/quail-bench.XXXXXX")
# SECURITY: as root the quail users must traverse it; nothing secret inside.
chmod 0755 "$inst"
smtp_port=$(free_port) pop3_port=$(free_port) pop3s_port=$(free_port)
note "quail instance: $inst (pop3 127.0.0.1:$pop3_port, pop3s $pop3s_port, binaries $QUAIL_BUILD)"
timeout 120 "$top/scripts/instance.sh" create "$inst" --smtp-port "$smtp_port" \
	--pop3-port "$pop3_port" --pop3s-port "$pop3s_port" \
	>"$results/instance-create.log" 2>&1 ||
	die "instance create failed: $(tail -3 "$results/instance-create.log")"
grep -q '^pop3s ' "$inst/run/ports" || die "instance has no POP3 services: $(cat "$inst/run/ports")"
timeout 60 "$top/scripts/instance.sh" start "$inst" >"$results/instance-start.log" 2>&1 ||
	die "instance start failed: $(tail -3 "$results/instance-start.log")"
QUAIL_MAILDIR=$inst/mail/${QUAIL_USER#*@}/${QUAIL_USER%@*}/Maildir
QUAIL_CERT=$inst/etc/tls/cert.pem
if [ "$(id -u)" -eq 0 ]; then
	vmail=$(awk -F' *= *' '$1 == "vmail_user" { print $2 }' "$inst/etc/quail.conf")
	vmail=${vmail:-${VMAIL_USER:-quailv}}
	quail_owner=":$(id -u "$vmail"):$(id -g "$vmail")"
else
	quail_owner=""
fi

# The small mailbox of the login loop must exist (it has no mail yet).
login_maildir=$inst/mail/${QUAIL_LOGIN_USER#*@}/${QUAIL_LOGIN_USER%@*}/Maildir
mkdir -p "$login_maildir/tmp" "$login_maildir/new" "$login_maildir/cur"
[ -z "$quail_owner" ] || chown -R "${quail_owner#:}" "$(dirname "$login_maildir")"

# ---- rounds --------------------------------------------------------------------------
failed=0
gen_opts=()
[ "$in_cur" = 1 ] && gen_opts=(--cur)
r=1
while [ "$r" -le "$ROUNDS" ]; do
	note "round $r: writing $MESSAGES messages into each Maildir ..."
	rm -rf "$QUAIL_MAILDIR"
	maildirs=(--maildir "$QUAIL_MAILDIR$quail_owner")
	if [ "$with_dovecot" = 1 ]; then
		rm -rf "$DOVECOT_MAILDIR"
		maildirs+=(--maildir "$DOVECOT_MAILDIR:$vmail_uid:$vmail_gid")
	fi
	timeout "$TIMEOUT" python3 "$helper" gen --count "$MESSAGES" "${gen_opts[@]}" \
		"${maildirs[@]}" >"$results/gen-$r.json" 2>>"$results/progress.log" ||
		die "writing the Maildirs failed, see $results/progress.log"
	crlf=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["crlf_bytes"])' \
		"$results/gen-$r.json")
	sync
	note "round $r: quail ..."
	timeout "$TIMEOUT" python3 "$helper" run --label quail --port "$pop3_port" \
		--tls-port "$pop3s_port" --user "$QUAIL_USER" --password "$QUAIL_PASSWORD" \
		--login-user "$QUAIL_LOGIN_USER" --login-password "$QUAIL_PASSWORD" \
		--cafile "$QUAIL_CERT" --count "$MESSAGES" --crlf-bytes "$crlf" \
		--retr "$RETR" --logins "$LOGINS" --json "$results/quail-$r.json" \
		2>>"$results/progress.log" || { failed=1; note "  quail run incomplete"; }
	if [ "$with_dovecot" = 1 ]; then
		note "round $r: dovecot ..."
		timeout "$TIMEOUT" python3 "$helper" run --label dovecot --port "$DOVECOT_PORT" \
			--tls-port "$DOVECOT_TLS_PORT" --user "$DOVECOT_USER" \
			--password "$DOVECOT_PASSWORD" --login-user "$DOVECOT_LOGIN_USER" \
			--login-password "$DOVECOT_LOGIN_PASSWORD" --cafile "$DOVECOT_CERT" \
			--count "$MESSAGES" --crlf-bytes "$crlf" --retr "$RETR" --logins "$LOGINS" \
			--json "$results/dovecot-$r.json" 2>>"$results/progress.log" ||
			{ failed=1; note "  dovecot run incomplete"; }
	fi
	r=$((r + 1))
done

# ---- the table ------------------------------------------------------------------------
labels=(quail)
[ "$with_dovecot" = 1 ] && labels+=(dovecot)
python3 "$helper" table --rounds "$ROUNDS" "$results" "${labels[@]}" >"$summary" || failed=1
{
	echo
	echo "quail as $(id -un)$([ "$(id -u)" -eq 0 ] && echo ' (privilege separation on)');" \
		"messages in $([ "$in_cur" = 1 ] && echo cur/ || echo new/); binaries $QUAIL_BUILD"
	echo "raw results: $results"
} >>"$summary"
cat "$summary"
exit "$failed"
