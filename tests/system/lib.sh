# lib.sh -- shared by the shell system tests (sourced, not run).
#
# Sets QUAIL_SRC/QUAIL_BUILD defaults, and gives:
#   skip MSG / fail MSG        exit 77 / exit 1
#   free_port                  a free TCP port on 127.0.0.1
#   instance_up [ARGS...]      creates+starts an instance in a temp dir:
#                              $inst (dir), $smtp_port; stopped and removed at exit
#   wait_for_file GLOB SECS    polls (tenths) until GLOB matches; prints the file
#   wait_count DIR N SECS      polls (tenths) until DIR holds >= N files
#   need_cmd CMD...            skips when a tool is missing
#   need_prog PROG...          skips when a quail program is not in $QUAIL_BUILD
#   send_mail PORT FROM TO SUBJECT   one message by SMTP (python smtplib);
#                              the body is "Body of SUBJECT"
#   port_of NAME               port of service NAME of $inst (run/ports)
# shellcheck shell=bash

QUAIL_SRC=${QUAIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
QUAIL_BUILD=${QUAIL_BUILD:-$QUAIL_SRC/build/release}
export QUAIL_SRC QUAIL_BUILD
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export ASAN_OPTIONS

skip() { echo "SKIP: $*"; exit 77; }
fail() {
	echo "FAIL: $*"
	if [ -n "${inst:-}" ] && [ -d "$inst/log" ]; then
		for f in "$inst"/log/*; do
			[ -f "$f" ] || continue
			echo "---- $f (last 30 lines)"; tail -n 30 "$f"
		done
	fi
	exit 1
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c not installed"
	done
}

need_prog() {
	local p
	for p in "$@"; do
		[ -x "$QUAIL_BUILD/$p" ] || skip "$p not built in $QUAIL_BUILD"
	done
}

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_instance_cleanup() {
	if [ -n "${inst:-}" ]; then
		"$QUAIL_SRC/scripts/instance.sh" stop "$inst" >/dev/null 2>&1 || true
		rm -rf "$inst"
	fi
}

instance_up() {
	need_cmd xinetd python3 openssl ss
	inst=$(mktemp -d /tmp/quail-t.XXXXXX) || fail "mktemp"
	# Root instances are read by the quail users.
	chmod 0755 "$inst"
	trap _instance_cleanup EXIT
	smtp_port=$(free_port)
	"$QUAIL_SRC/scripts/instance.sh" create "$inst" --smtp-port "$smtp_port" "$@" ||
		fail "instance.sh create"
	"$QUAIL_SRC/scripts/instance.sh" start "$inst" || fail "instance.sh start"
}

wait_for_file() { # glob secs
	local i=0 f
	while [ "$i" -lt $(( $2 * 10 )) ]; do
		for f in $1; do
			if [ -f "$f" ]; then echo "$f"; return 0; fi
		done
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

wait_count() { # dir n secs
	local i=0
	while [ "$(find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l)" -lt "$2" ]; do
		[ "$i" -lt $(( $3 * 10 )) ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

send_mail() { # port from to subject
	python3 "$QUAIL_SRC/tests/system/quailtest.py" send "$@"
}

port_of() { # service name -> port of $inst, or ""
	awk -v n="$1" '$1 == n { print $2 }' "$inst/run/ports"
}
