#!/bin/bash
# relay-bench.sh -- relay throughput of quail, side by side with Postfix.
#
#   bench/relay-bench.sh [--with-postfix[=SETUP]] [--no-setup] [--messages N]
#                        [--size BYTES] [--conns N] [--dest-concurrency N]
#                        [--no-build] [--keep] [--timeout SECS]
#
# N messages (default 2000) of BYTES bytes (default 4096) are accepted from
# a relay client (bench/smtp_load.py, one message per connection over CONNS
# parallel connections, default 8) for bench@sink.test and relayed to
# Postfix's smtp-sink on loopback. The clock runs from the first connect
# until the sink has written N messages (smtp-sink -d, one file each).
# quail routes sink.test with smtp_routes; with --with-postfix the same
# load goes through Debian's Postfix (the reference stack of
# setup-reference.sh on 127.0.0.1:10025) with transport_maps pointing
# sink.test at a second smtp-sink; transport_maps is restored afterwards.
#
# --dest-concurrency N sets quail's remote_destination_concurrency; the
# default is Postfix's smtp_destination_concurrency_limit with
# --with-postfix (like for like), else quail's own default. Both values
# are printed with the figures.
#
# Binaries come from $QUAIL_BUILD (default: `make` into build/release first,
# unless --no-build). Raw results go to bench/results/<date>-relay/.
# Exit: 0 when every run completed, 1 when one failed, 64 usage.
set -eu
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
prog=relay-bench.sh
load="$top/bench/smtp_load.py"

MESSAGES=2000
SIZE=4096
CONNS=8
TIMEOUT=600             # seconds for each timed run
WARMUP=50               # untimed messages through each MTA first
POSTFIX_PORT=10025
SENDER=me@mycompany.com
RCPT=bench@sink.test

with_postfix=0
postfix_setup=""
run_setup=1
do_build=1
keep=0
dest_conc=""

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
	--with-postfix) with_postfix=1;;
	--with-postfix=*) with_postfix=1; postfix_setup=${1#*=};;
	--no-setup) run_setup=0;;
	--messages) [ $# -ge 2 ] || usage; MESSAGES=$2; shift;;
	--size) [ $# -ge 2 ] || usage; SIZE=$2; shift;;
	--conns) [ $# -ge 2 ] || usage; CONNS=$2; shift;;
	--dest-concurrency) [ $# -ge 2 ] || usage; dest_conc=$2; shift;;
	--timeout) [ $# -ge 2 ] || usage; TIMEOUT=$2; shift;;
	--no-build) do_build=0;;
	--keep) keep=1;;
	-h|--help) usage;;
	*) usage;;
	esac
	shift
done
num "$MESSAGES" --messages; num "$SIZE" --size; num "$CONNS" --conns
num "$TIMEOUT" --timeout
[ -z "$dest_conc" ] || num "$dest_conc" --dest-concurrency
command -v python3 >/dev/null || die "python3 is required"
command -v xinetd >/dev/null || die "xinetd is required (apt-get install xinetd)"
SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
[ -x "$SINK" ] || die "smtp-sink is required (it comes with the postfix package)"

# ---- where things go ---------------------------------------------------------------
stamp=$(date +%Y%m%d-%H%M%S)
results="$top/bench/results/$stamp-relay"
mkdir -p "$results"
summary="$results/summary.txt"
: >"$summary"
note() { echo "$*" | tee -a "$results/progress.log" >&2; }

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ---- binaries ------------------------------------------------------------------------
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
for p in quail-smtpd quail-send quail-remote; do
	[ -x "$QUAIL_BUILD/$p" ] || die "no $p in $QUAIL_BUILD (run make)"
done

# ---- cleanup: instance, sinks, Postfix's transport_maps -------------------------------------
work=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/quail-relay.XXXXXX")
# SECURITY: as root the quail users must traverse it; nothing secret inside.
chmod 0755 "$work"
inst=""
sink_pids=""
pf_restore=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	local p
	if [ -n "$inst" ]; then
		"$top/scripts/instance.sh" stop "$inst" >/dev/null 2>&1 || true
		cp "$inst/log/quail.log" "$results/quail.log" 2>/dev/null || true
	fi
	for p in $sink_pids; do kill "$p" 2>/dev/null || true; done
	for p in $sink_pids; do wait "$p" 2>/dev/null || true; done
	if [ -n "$pf_restore" ]; then
		if [ "$pf_restore" = "-" ]; then
			postconf -X transport_maps || true
		else
			postconf -e "transport_maps = $pf_restore" || true
		fi
		postfix reload >/dev/null 2>&1 || true
	fi
	if [ "$keep" = 1 ]; then
		echo "$prog: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_sink NAME: an smtp-sink writing one file per message to
# $work/NAME/new/; sets sink_port. (Not in a $(...) subshell: sink_pids
# must reach the cleanup.)
start_sink() {
	local name=$1 sport i
	sport=$(free_port)
	mkdir -p "$work/$name/new"
	# -u: smtp-sink refuses to run as root without a user to become.
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody "$work/$name" "$work/$name/new"
		"$SINK" -u nobody -d "$work/$name/new/" "127.0.0.1:$sport" 256 \
			>"$results/$name.log" 2>&1 &
	else
		"$SINK" -d "$work/$name/new/" "127.0.0.1:$sport" 256 \
			>"$results/$name.log" 2>&1 &
	fi
	sink_pids="$sink_pids $!"
	i=0
	until timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$sport" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le 50 ] || die "smtp-sink did not start: $(cat "$results/$name.log")"
		sleep 0.1
	done
	sink_port=$sport
}

# ---- the Postfix reference ------------------------------------------------------------------
if [ "$with_postfix" = 1 ]; then
	[ "$(id -u)" -eq 0 ] || die "--with-postfix needs root (it configures Postfix)"
	if [ "$run_setup" = 1 ]; then
		if [ -z "$postfix_setup" ]; then
			postfix_setup="$top/../shared/reference/setup-reference.sh"
			[ -f "$postfix_setup" ] ||
				die "no reference setup script at $postfix_setup; pass --with-postfix=PATH"
		fi
		note "setting up the Postfix reference ($postfix_setup) ..."
		timeout 900 bash "$postfix_setup" >"$results/postfix-setup.log" 2>&1 ||
			die "reference setup failed, see $results/postfix-setup.log"
	fi
	timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$POSTFIX_PORT" 2>/dev/null ||
		die "Postfix does not answer on 127.0.0.1:$POSTFIX_PORT"
	start_sink sink-postfix
	psink=$sink_port
	if postconf -n | grep -q '^transport_maps ='; then
		pf_restore=$(postconf -h transport_maps)
		[ -n "$pf_restore" ] || pf_restore="-"
	else
		pf_restore="-"
	fi
	postconf -e "transport_maps = inline:{sink.test=smtp:[127.0.0.1]:$psink}"
	postfix reload >"$results/postfix-reload.log" 2>&1 || die "postfix reload failed"
	pf_conc=$(postconf -h smtp_destination_concurrency_limit)
	case $pf_conc in \$*) pf_conc=$(postconf -h "${pf_conc#\$}");; esac
	note "postfix: sink.test -> smtp-sink 127.0.0.1:$psink (destination concurrency $pf_conc)"
fi

# ---- the quail instance ------------------------------------------------------------------
[ -n "$dest_conc" ] || [ "$with_postfix" = 0 ] || dest_conc=$pf_conc
start_sink sink-quail
qsink=$sink_port
inst="$work/quail"
mkdir "$inst"
chmod 0755 "$inst"
port=$(free_port)
set -- --conf "smtp_routes = sink.test=[127.0.0.1]:$qsink"
[ -z "$dest_conc" ] || set -- "$@" --conf "remote_destination_concurrency = $dest_conc"
note "quail instance: $inst (smtp 127.0.0.1:$port, sink 127.0.0.1:$qsink, binaries $QUAIL_BUILD)"
timeout 120 "$top/scripts/instance.sh" create "$inst" --smtp-port "$port" "$@" \
	>"$results/instance-create.log" 2>&1 ||
	die "instance create failed: $(tail -3 "$results/instance-create.log")"
timeout 60 "$top/scripts/instance.sh" start "$inst" >"$results/instance-start.log" 2>&1 ||
	die "instance start failed: $(tail -3 "$results/instance-start.log")"
q_conc=${dest_conc:-$(sed -n 's/^remote_destination_concurrency *= *//p' "$inst/etc/quail.conf")}
q_conc=${q_conc:-default (5)}

# ---- runs ------------------------------------------------------------------------------
failed=0
# send LABEL PORT SINKDIR COUNT OUTJSON: one load run; 0 when complete.
send() {
	python3 "$load" send --port "$2" --rcpt "$RCPT" --from "$SENDER" \
		--maildir "$3" --count "$4" --conns "$CONNS" --size "$SIZE" \
		--timeout "$TIMEOUT" --label "$1" --json "$5" >/dev/null
}

send quail-warmup "$port" "$work/sink-quail" "$WARMUP" "$results/quail-warmup.json" ||
	die "quail warm-up failed: $(cat "$results/quail-warmup.json" 2>/dev/null)"
if [ "$with_postfix" = 1 ]; then
	send postfix-warmup "$POSTFIX_PORT" "$work/sink-postfix" "$WARMUP" \
		"$results/postfix-warmup.json" ||
		die "postfix warm-up failed: $(cat "$results/postfix-warmup.json" 2>/dev/null)"
fi
sync
note "quail: $MESSAGES x $SIZE bytes over $CONNS connections, relayed to smtp-sink ..."
send quail "$port" "$work/sink-quail" "$MESSAGES" "$results/quail.json" ||
	{ failed=1; note "  quail run incomplete"; }
if [ "$with_postfix" = 1 ]; then
	sync
	note "postfix: $MESSAGES x $SIZE bytes over $CONNS connections, relayed to smtp-sink ..."
	send postfix "$POSTFIX_PORT" "$work/sink-postfix" "$MESSAGES" "$results/postfix.json" ||
		{ failed=1; note "  postfix run incomplete"; }
fi
# quail's connections to the sink: one quail-remote run per message and domain.
q_runs=$(grep -c 'status=sent .*via=remote' "$inst/log/quail.log" || true)

# ---- the table ----------------------------------------------------------------------------
python3 - "$results" "$with_postfix" "$q_conc" "${pf_conc:-}" "$q_runs" >>"$summary" <<'EOF'
import json, os, sys
res, with_pf, q_conc, pf_conc, q_runs = sys.argv[1:6]

def load(name):
    try:
        with open(os.path.join(res, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

q = load("quail.json")
p = load("postfix.json") if with_pf == "1" else None
first = q or p or {}
print()
print("Relay: %s messages x %s bytes from a relay client over %s connections "
      "-> MTA -> smtp-sink on loopback" % (first.get("messages"), first.get("size"),
                                            first.get("conns")))
cols = ["quail"] + (["postfix"] if with_pf == "1" else [])
runs = [q] + ([p] if with_pf == "1" else [])
print("%-30s" % "" + "".join("%14s" % c for c in cols))
def row(name, fmt, vals):
    print("%-30s" % name + "".join("%14s" % (fmt % v if v is not None else "-")
                                   for v in vals))
row("accepted / failed", "%s", ["%d/%d" % (r["accepted"], r["failed"]) if r else None
                                for r in runs])
row("SMTP phase (s)", "%.2f", [r.get("smtp_seconds") if r else None for r in runs])
row("accept -> sink (s)", "%.2f", [r.get("end_to_end_seconds") if r else None for r in runs])
row("relayed msgs/s", "%.1f", [r.get("msgs_per_s") if r and r.get("complete") else None
                              for r in runs])
row("destination concurrency", "%s", [q_conc] + ([pf_conc] if with_pf == "1" else []))
if with_pf == "1" and q and p and q.get("msgs_per_s") and p.get("msgs_per_s"):
    print("%-30s%14.2f" % ("ratio quail/postfix", q["msgs_per_s"] / p["msgs_per_s"]))
print("quail: one quail-remote run (one SMTP connection) per message and domain, "
      "%s remote deliveries logged (warm-up included); Postfix: its smtp connection cache" % q_runs)
for r in runs:
    for e in (r or {}).get("errors", [])[:3]:
        print("  %s error: %s" % (r["label"], e))
EOF
cat "$summary"
exit "$failed"
