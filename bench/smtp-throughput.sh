#!/bin/bash
# smtp-throughput.sh -- the SMTP benchmark of quail (see bench/README.md).
#
#   bench/smtp-throughput.sh [--with-postfix[=SETUP]] [--no-setup]
#                            [--messages N] [--size BYTES] [--conns N]
#                            [--rounds N] [--strace] [--cpu] [--no-build]
#                            [--client smtp-source|python]
#                            [--keep] [--timeout SECS] [--postfix-only]
#
# Measures, in one run and on one disk:
#  1. end-to-end rate (SMTP accept -> file in Maildir new/) of N messages
#     (default 2000) of BYTES bytes (default 4096) over CONNS (default 8)
#     parallel connections, one message per connection, for a fresh quail
#     instance and, with --with-postfix, for Debian's Postfix delivering to
#     a Maildir (the reference stack of setup-reference.sh, on 127.0.0.1:10025);
#  2. the peak RSS (VmHWM) of one quail-smtpd session receiving a 1 MB message
#     (goal: under 2 MB);
#  3. with --strace: fsync/fdatasync, execve and fork counts per message of
#     quail, from a separate traced sample of 50 messages;
#  4. with --cpu: CPU time per message of each server's own processes
#     (a cgroup per server, read before and after every timed run), which
#     other load on the machine does not distort.
#
# The same load generator (bench/smtp_load.py, driving Postfix's
# smtp-source by default) drives both servers.
# Binaries come from $QUAIL_BUILD (default: `make` into build/release first,
# unless --no-build). The quail instance lives in a fresh directory under
# $BENCH_TMPDIR (default /var/tmp, the disk of /srv/ref) and is stopped and
# removed at the end (--keep keeps it). Raw results go to
# bench/results/<date>/ (gitignored).
#
# Exit: 0 when every measurement completed, 1 when one failed, 64 usage.
set -eu
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
prog=smtp-throughput.sh
load="$top/bench/smtp_load.py"

MESSAGES=2000
SIZE=4096
CONNS=8
ROUNDS=1
TIMEOUT=600             # seconds for each timed phase
WARMUP=50               # untimed messages sent to each server first
STRACE_SAMPLE=50        # messages in the traced sample
RSS_SIZE=1048576        # bytes of the message of the RSS session
RSS_GOAL_KB=2048        # the goal: one session under 2 MB
POSTFIX_PORT=10025
POSTFIX_RCPT=smtpbench@example.test
POSTFIX_MAILDIR=/srv/ref/mail/example.test/smtpbench/Maildir
QUAIL_RCPT=myuser@mycompany.com
SENDER=me@mycompany.com

with_postfix=0
postfix_setup=""
run_setup=1
do_strace=0
do_cpu=0
client=""
do_build=1
keep=0
do_quail=1

die() { echo "$prog: $*" >&2; exit 1; }
usage() {
	sed -n '3,8p' "$0" | sed 's/^# \{0,1\}//' >&2
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
	--postfix-only) do_quail=0; with_postfix=1;;
	--messages) [ $# -ge 2 ] || usage; MESSAGES=$2; shift;;
	--size) [ $# -ge 2 ] || usage; SIZE=$2; shift;;
	--conns) [ $# -ge 2 ] || usage; CONNS=$2; shift;;
	--rounds) [ $# -ge 2 ] || usage; ROUNDS=$2; shift;;
	--timeout) [ $# -ge 2 ] || usage; TIMEOUT=$2; shift;;
	--strace) do_strace=1;;
	--cpu) do_cpu=1;;
	--client) [ $# -ge 2 ] || usage; client=$2; shift;;
	--no-build) do_build=0;;
	--keep) keep=1;;
	-h|--help) usage;;
	*) usage;;
	esac
	shift
done
num "$MESSAGES" --messages; num "$SIZE" --size; num "$CONNS" --conns
num "$ROUNDS" --rounds; num "$TIMEOUT" --timeout
[ "$ROUNDS" -le 20 ] || die "--rounds at most 20"
command -v python3 >/dev/null || die "python3 is required"
command -v xinetd >/dev/null || die "xinetd is required (apt-get install xinetd)"
if [ "$do_strace" = 1 ]; then
	command -v strace >/dev/null || die "--strace needs strace (apt-get install strace)"
fi
case $client in
''|smtp-source|python) ;;
*) usage;;
esac

# ---- where things go ---------------------------------------------------------
stamp=$(date +%Y%m%d-%H%M%S)
results="$top/bench/results/$stamp"
mkdir -p "$results"
summary="$results/summary.txt"
: >"$summary"
note() { echo "$*" | tee -a "$results/progress.log" >&2; }

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ---- binaries ---------------------------------------------------------------------
if [ "$do_quail" = 0 ]; then
	:
elif [ -z "${QUAIL_BUILD:-}" ]; then
	if [ "$do_build" = 1 ]; then
		note "building quail (make -C $top all) ..."
		timeout 900 make -s -C "$top" all >"$results/make.log" 2>&1 ||
			die "make failed, see $results/make.log"
	fi
	QUAIL_BUILD=$top/build/release
fi
if [ "$do_quail" = 1 ]; then
	case $QUAIL_BUILD in /*) ;; *) QUAIL_BUILD=$top/$QUAIL_BUILD;; esac
	export QUAIL_BUILD
	[ -x "$QUAIL_BUILD/quail-smtpd" ] || die "no quail-smtpd in $QUAIL_BUILD (run make)"
fi

# ---- the Postfix reference ---------------------------------------------------------
if [ "$with_postfix" = 1 ]; then
	[ "$(id -u)" -eq 0 ] || die "--with-postfix needs root (it configures Postfix)"
	if [ "$run_setup" = 1 ]; then
		if [ -z "$postfix_setup" ]; then
			postfix_setup="$top/../shared/reference/setup-reference.sh"
			[ -f "$postfix_setup" ] ||
				die "no reference setup script at $postfix_setup; pass --with-postfix=PATH" \
					"(or --no-setup for an already configured Postfix on $POSTFIX_PORT)"
		fi
		[ -f "$postfix_setup" ] || die "no such file: $postfix_setup"
		note "setting up the Postfix reference ($postfix_setup) ..."
		timeout 900 bash "$postfix_setup" >"$results/postfix-setup.log" 2>&1 ||
			die "reference setup failed, see $results/postfix-setup.log"
	fi
	# Our own bench mailbox: nobody else's Maildir is counted or emptied.
	vmb=/etc/postfix/vmailbox
	[ -f "$vmb" ] || die "$vmb missing: Postfix is not set up as the reference"
	if ! awk -v a="$POSTFIX_RCPT" '$1 == a { f = 1 } END { exit !f }' "$vmb"; then
		echo "$POSTFIX_RCPT example.test/smtpbench/Maildir/" >>"$vmb"
		postmap "$vmb"
	fi
	timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$POSTFIX_PORT" 2>/dev/null ||
		die "Postfix does not answer on 127.0.0.1:$POSTFIX_PORT"
fi

# ---- the quail instance --------------------------------------------------------------
inst=""
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	cg_cleanup 2>/dev/null || true
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
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$do_quail" = 1 ]; then
	inst=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/quail-bench.XXXXXX")
	# SECURITY: as root the quail users must traverse it; nothing secret inside.
	chmod 0755 "$inst"
	port=$(free_port)
	note "quail instance: $inst (smtp 127.0.0.1:$port, binaries $QUAIL_BUILD)"
	timeout 120 "$top/scripts/instance.sh" create "$inst" --smtp-port "$port" \
		>"$results/instance-create.log" 2>&1 ||
		die "instance create failed: $(tail -3 "$results/instance-create.log")"
	timeout 60 "$top/scripts/instance.sh" start "$inst" \
		>"$results/instance-start.log" 2>&1 ||
		die "instance start failed: $(tail -3 "$results/instance-start.log")"
	QUAIL_MAILDIR=$inst/mail/${QUAIL_RCPT#*@}/${QUAIL_RCPT%@*}/Maildir
fi

# ---- runs ------------------------------------------------------------------------------
failed=0

# The pids and all their current descendants (strace -f follows only the
# children started after it attached, e.g. not quail-send's launcher).
with_descendants() {
	local p
	for p in "$@"; do
		echo "$p"
		# shellcheck disable=SC2046
		with_descendants $(pgrep -P "$p")
	done
}

# send LABEL PORT RCPT MAILDIR COUNT OUTJSON: one load run; 0 when complete.
send() {
	python3 "$load" send --port "$2" --rcpt "$3" --from "$SENDER" \
		--maildir "$4" --count "$5" --conns "$CONNS" --size "$SIZE" \
		--timeout "$TIMEOUT" --label "$1" --json "$6" \
		${client:+--client "$client"} >/dev/null
}

empty_maildir() { # dir: the bench mailbox of Postfix only
	local d
	for d in new cur tmp; do
		[ -d "$1/$d" ] && find "$1/$d" -mindepth 1 -maxdepth 1 -type f -delete
	done
	return 0
}

# --cpu: each server's processes are moved into a CPU-accounting cgroup of
# their own (cgroup v1 cpuacct, or cgroup v2), which their children
# inherit; the CPU time used in a timed run is read from it before and
# after. Nothing else on the machine is counted, so other load does not
# distort the figure. The processes go back to the root group at the end.
cg_root=""
cg_kind=""
cg_groups=""
cg_setup() {
	if [ -w /sys/fs/cgroup/cpuacct/cgroup.procs ]; then
		cg_root=/sys/fs/cgroup/cpuacct cg_kind=v1
	elif [ -w /sys/fs/cgroup/cgroup.procs ] && [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		cg_root=/sys/fs/cgroup cg_kind=v2
	elif [ -w /sys/fs/cgroup/unified/cgroup.procs ]; then
		cg_root=/sys/fs/cgroup/unified cg_kind=v2
	else
		die "--cpu needs a writable cgroup v1 cpuacct or cgroup v2 hierarchy"
	fi
}
cg_join() { # NAME PID...: a new group NAME with these processes
	local g=$cg_root/smtpbench-$1.$$ p
	shift
	mkdir "$g" || die "cannot create cgroup $g"
	cg_groups="$cg_groups $g"
	for p in "$@"; do
		echo "$p" >"$g/cgroup.procs" 2>/dev/null || true
	done
}
cg_usage_ns() { # NAME: CPU time of the group so far, in nanoseconds
	local g=$cg_root/smtpbench-$1.$$
	if [ "$cg_kind" = v1 ]; then
		cat "$g/cpuacct.usage"
	else
		awk '$1 == "usage_usec" { printf "%d\n", $2 * 1000 }' "$g/cpu.stat"
	fi
}
# shellcheck disable=SC2317  # called by the EXIT trap
cg_cleanup() {
	local g p
	for g in $cg_groups; do
		[ -d "$g" ] || continue
		while read -r p; do
			echo "$p" >"$cg_root/cgroup.procs" 2>/dev/null || true
		done <"$g/cgroup.procs"
		rmdir "$g" 2>/dev/null || true
	done
	cg_groups=""
}

# timed LABEL PORT RCPT MAILDIR COUNT OUTJSON: send; with --cpu the CPU
# nanoseconds of the server's group during the run go to
# $results/LABEL.cpu (LABEL is quail-N or postfix-N). 0 when complete.
timed() {
	local rc=0 group=${1%-*} before after
	if [ "$do_cpu" = 0 ]; then
		send "$@"
		return
	fi
	before=$(cg_usage_ns "$group")
	send "$@" || rc=1
	after=$(cg_usage_ns "$group")
	echo "$((after - before))" >"$results/$1.cpu"
	return "$rc"
}

if [ "$do_cpu" = 1 ]; then
	cg_setup
	if [ "$do_quail" = 1 ]; then
		# shellcheck disable=SC2046
		cg_join quail $(with_descendants "$(cat "$inst/run/xinetd.pid")" \
			"$(cat "$inst/run/quail-send.pid")")
	fi
	if [ "$with_postfix" = 1 ]; then
		mpid=$(tr -dc '0-9' </var/spool/postfix/pid/master.pid 2>/dev/null || true)
		[ -n "$mpid" ] || die "--cpu: no Postfix master pid"
		# shellcheck disable=SC2046
		cg_join postfix $(with_descendants "$mpid")
	fi
fi

# Warm up both (page cache, Postfix's long-running processes, xinetd).
if [ "$do_quail" = 1 ]; then
	send quail-warmup "$port" "$QUAIL_RCPT" "$QUAIL_MAILDIR" "$WARMUP" \
		"$results/quail-warmup.json" ||
		die "quail warm-up failed: $(cat "$results/quail-warmup.json" 2>/dev/null)"
fi
# Postfix's bench Maildir is emptied only after the runs: files deleted
# just before a run would make every new file in that directory's block
# group slower to create (ext4 skips recently freed inodes), a handicap
# quail's fresh instance would not have. Counts are relative anyway.
if [ "$with_postfix" = 1 ]; then
	send postfix-warmup "$POSTFIX_PORT" "$POSTFIX_RCPT" "$POSTFIX_MAILDIR" \
		"$WARMUP" "$results/postfix-warmup.json" ||
		die "postfix warm-up failed: $(cat "$results/postfix-warmup.json" 2>/dev/null)"
fi

r=1
while [ "$r" -le "$ROUNDS" ]; do
	if [ "$do_quail" = 1 ]; then
		sync
		note "round $r: quail, $MESSAGES x $SIZE bytes over $CONNS connections ..."
		timed quail-$r "$port" "$QUAIL_RCPT" "$QUAIL_MAILDIR" "$MESSAGES" \
			"$results/quail-$r.json" || { failed=1; note "  quail run incomplete"; }
	fi
	if [ "$with_postfix" = 1 ]; then
		sync
		note "round $r: postfix, $MESSAGES x $SIZE bytes over $CONNS connections ..."
		timed postfix-$r "$POSTFIX_PORT" "$POSTFIX_RCPT" "$POSTFIX_MAILDIR" \
			"$MESSAGES" "$results/postfix-$r.json" ||
			{ failed=1; note "  postfix run incomplete"; }
	fi
	r=$((r + 1))
done
[ "$with_postfix" = 1 ] && empty_maildir "$POSTFIX_MAILDIR"

# ---- peak RSS of one session -----------------------------------------------------------
if [ "$do_quail" = 1 ]; then
	note "peak RSS of one quail-smtpd session with a $RSS_SIZE-byte message ..."
	python3 "$load" rss --port "$port" --rcpt "$QUAIL_RCPT" --from "$SENDER" \
		--exe "$inst/libexec/quail-smtpd" --size "$RSS_SIZE" \
		--timeout "$TIMEOUT" >"$results/rss.json" ||
		{ failed=1; note "  RSS probe failed: $(cat "$results/rss.json")"; }
fi

# ---- syscall counts (optional) -----------------------------------------------------------
# strace_sample LABEL PORT RCPT MAILDIR PID...: STRACE_SAMPLE messages with
# strace -f -c attached to the given pids (and so to every process they
# start afterwards); the counts go to $results/strace-LABEL.txt.
strace_sample() {
	local label=$1 sport=$2 rcpt=$3 mdir=$4 st i n pargs=""
	shift 4
	n=$#
	for i in "$@"; do pargs="$pargs -p $i"; done
	note "strace sample, $label: $STRACE_SAMPLE messages ..."
	# shellcheck disable=SC2086
	strace -f -c -S calls -o "$results/strace-$label.txt" \
		-e trace=fsync,fdatasync,execve,fork,vfork,clone,clone3,rename,renameat,renameat2 \
		$pargs 2>"$results/strace-$label.err" &
	st=$!
	# strace says "Process N attached" once it traces N.
	i=0
	until [ "$(grep -c 'attached' "$results/strace-$label.err" 2>/dev/null || :)" \
		-ge "$n" ] 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -gt 100 ] || ! kill -0 "$st" 2>/dev/null; then
			kill "$st" 2>/dev/null || true
			note "  strace did not attach: $(head -3 "$results/strace-$label.err")"
			failed=1
			return 0
		fi
		sleep 0.1
	done
	send "$label-strace" "$sport" "$rcpt" "$mdir" "$STRACE_SAMPLE" \
		"$results/$label-strace.json" || { failed=1; note "  traced run incomplete"; }
	kill -INT "$st" 2>/dev/null || true
	i=0
	while kill -0 "$st" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le 100 ] || { kill -KILL "$st" 2>/dev/null; break; }
		sleep 0.1
	done
	wait "$st" 2>/dev/null || true
}


if [ "$do_strace" = 1 ]; then
	if [ "$do_quail" = 1 ]; then
		# shellcheck disable=SC2046
		strace_sample quail "$port" "$QUAIL_RCPT" "$QUAIL_MAILDIR" \
			$(with_descendants "$(cat "$inst/run/xinetd.pid")" \
				"$(cat "$inst/run/quail-send.pid")")
	fi
	if [ "$with_postfix" = 1 ]; then
		# The master and its current children; new ones are followed.
		mpid=$(tr -dc '0-9' </var/spool/postfix/pid/master.pid 2>/dev/null || true)
		if [ -n "$mpid" ]; then
			# shellcheck disable=SC2046
			strace_sample postfix "$POSTFIX_PORT" "$POSTFIX_RCPT" "$POSTFIX_MAILDIR" \
				$(with_descendants "$mpid")
			empty_maildir "$POSTFIX_MAILDIR"
		else
			note "  no Postfix master pid: Postfix not traced"
		fi
	fi
fi

# ---- the table ---------------------------------------------------------------------------
python3 - "$results" "$ROUNDS" "$with_postfix" "$do_strace" "$STRACE_SAMPLE" \
	"$RSS_GOAL_KB" "$do_quail" "$do_cpu" "$MESSAGES" >>"$summary" <<'EOF'
import json, os, re, statistics, sys
res, rounds, with_pf, do_st, sample, goal, with_q, do_cpu, nmsg = sys.argv[1:10]
rounds, sample, goal, nmsg = int(rounds), int(sample), int(goal), int(nmsg)

def load(name):
    try:
        with open(os.path.join(res, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

def series(label):
    runs = [load("%s-%d.json" % (label, r)) for r in range(1, rounds + 1)]
    return [x for x in runs if x]

def med(runs, key):
    v = [x[key] for x in runs if x.get("complete")]
    return statistics.median(v) if v else None

q = series("quail") if with_q == "1" else []
p = series("postfix") if with_pf == "1" else []
first = (q + p)[0] if q + p else {}
print()
print("SMTP -> Maildir new/: %s messages x %s bytes, %s connections, "
      "one message per connection%s; client %s"
      % (first.get("messages"), first.get("size"), first.get("conns"),
         ", median of %d rounds" % rounds if rounds > 1 else "",
         first.get("client", "python")))
cols = (["quail"] if with_q == "1" else []) + (["postfix"] if with_pf == "1" else [])
print("%-26s" % "" + "".join("%14s" % c for c in cols))
def row(name, fmt, vals):
    print("%-26s" % name + "".join(
        "%14s" % (fmt % v if v is not None else "-") for v in vals))
runs = ([q] if with_q == "1" else []) + ([p] if with_pf == "1" else [])
row("accepted / failed", "%s", ["%d/%d" % (sum(x["accepted"] for x in r),
    sum(x["failed"] for x in r)) if r else None for r in runs])
row("SMTP phase (s)", "%.2f", [med(r, "smtp_seconds") for r in runs])
row("end-to-end (s)", "%.2f", [med(r, "end_to_end_seconds") for r in runs])
row("end-to-end msgs/s", "%.1f", [med(r, "msgs_per_s") for r in runs])
if with_pf == "1" and with_q == "1":
    a, b = med(q, "msgs_per_s"), med(p, "msgs_per_s")
    print("%-26s%14s" % ("ratio quail/postfix",
                         "%.2f" % (a / b) if a and b else "-"))
if do_cpu == "1":
    # CPU ms per message of each server's own processes (their cgroup).
    def cpu(label):
        v = []
        for r in range(1, rounds + 1):
            try:
                with open(os.path.join(res, "%s-%d.cpu" % (label, r))) as f:
                    v.append(int(f.read().strip()) / 1e6 / nmsg)
            except (OSError, ValueError):
                pass
        return statistics.median(v) if v else None
    row("server CPU ms/msg", "%.2f",
        ([cpu("quail")] if with_q == "1" else []) +
        ([cpu("postfix")] if with_pf == "1" else []))
for r in q + p:
    for e in r.get("errors", [])[:3]:
        print("  %s error: %s" % (r["label"], e))

rss = load("rss.json")
if with_q != "1":
    pass
elif rss and rss.get("peak_VmHWM_kB") is not None:
    hwm = rss["peak_VmHWM_kB"]
    print()
    print("peak RSS of one quail-smtpd session (%d-byte message): %d kB "
          "(VmHWM; goal < %d kB: %s)" % (rss["size"], hwm, goal,
                                          "met" if hwm < goal else "NOT met"))
    idle = dict((x["pid"], x["VmHWM_kB"]) for x in rss.get("idle", []))
    for pr in rss["procs"]:
        print("  pid %d: VmHWM %s kB (%s kB after EHLO), VmRSS %s kB"
              % (pr["pid"], pr["VmHWM_kB"], idle.get(pr["pid"], "?"),
                 pr["VmRSS_kB"]))
        print("    of which private %s kB, shared %s kB, Pss %s kB; largest:"
              % (pr.get("Private_Dirty_kB", 0) + pr.get("Private_Clean_kB", 0),
                 pr.get("Shared_Clean_kB", "?"), pr.get("Pss_kB", "?")))
        print("    " + ", ".join("%s %d" % (os.path.basename(k), v)
                                 for k, v in pr.get("mappings_kB", [])[:6]))
else:
    print()
    print("peak RSS of one quail-smtpd session: not measured (%s)"
          % (rss or {}).get("error", "probe failed"))

if do_st == "1":
    def counts_of(label):
        counts = {}
        try:
            with open(os.path.join(res, "strace-%s.txt" % label)) as f:
                for line in f:
                    m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+"
                                 r"(?:\d+\s+)?(\w+)\s*$", line)
                    if m:
                        counts[m.group(2)] = int(m.group(1))
        except OSError:
            return None
        return counts
    print()
    print("syscalls per message (strace -f -c, %d messages; "
          "the traced rate is not comparable):" % sample)
    print("%-26s" % "" + "".join("%14s" % c for c in cols))
    tc = [counts_of(c) for c in cols]
    groups = [("fsync+fdatasync", ("fsync", "fdatasync")),
              ("execve", ("execve",)),
              ("fork/clone", ("fork", "vfork", "clone", "clone3")),
              ("rename", ("rename", "renameat", "renameat2"))]
    for name, keys in groups:
        row(name, "%.2f", [sum(c.get(k, 0) for k in keys) / sample
                           if c is not None else None for c in tc])
EOF
cat "$summary"
echo "raw results: $results" >&2
exit "$failed"
