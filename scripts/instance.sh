#!/bin/bash
# instance.sh -- self-contained quail instances for the lab and system tests.
#
#   scripts/instance.sh create DIR [--smtp-port N] [--<service>-port N]... [--trace]
#                       [--auth-fail-delay SECS] [--conf 'key = value']...
#   scripts/instance.sh start DIR     # real xinetd + quail-send, waits for the ports
#   scripts/instance.sh stop DIR      # idempotent
#   scripts/instance.sh status DIR    # exit 0 when xinetd and quail-send run
#
# Layout and users: HACKING.md "Instances". Binaries are copied from
# $QUAIL_BUILD (default <repo>/build/release) into DIR/libexec on every
# create, so a rebuilt tree is picked up by `create` + `stop` + `start`.
# `create` on an existing instance keeps its config, users, aliases and
# certificate (only missing pieces are made: a quail.conf of an older
# instance gains the keys below that it lacks) and rewrites DIR/run/ and
# DIR/bin/.
#
# Services: every xinetd service is one `service` call in services() below
# (smtp, submission, smtps, pop3, pop3s, imap, imaps).
# smtp defaults to port 2525; every other service is configured only when
# its --<name>-port is given and its server binary exists (so the lab can
# ask for all of its ports while the tree is still growing).
#
# quail.conf: plaintext_auth_networks = 127.0.0.0/8 ::1 (logins without TLS
# from loopback, so telnet works in the lab), auth_backends = cdb (as root:
# cdb pam; PAM needs root). --conf 'key = value' (repeatable) sets a key on
# every create: the key's line is replaced, or the line appended; e.g.
# --conf 'smtp_routes = example.org=[127.0.0.1]:2626'. --auth-fail-delay N
# is --conf 'auth_fail_delay = N' (tests use 0; the default is 2 s).
#
# DIR/bin/: the admin tools with this instance's config dir preset
# (quail-users, quail-newaliases, quail-qctl, and sendmail running
# quail-inject), each only when its program is built.
#
# As root: the system users quaild/quailq/quailv (config.mk defaults, or
# $DAEMON_USER/$QUEUE_USER/$VMAIL_USER) are created if missing, the queue
# belongs to the queue user, the Maildirs to the vmail user, quail-queue is
# setuid to the queue user, and xinetd starts quail-smtpd as root, which
# drops to the daemon user itself. DIR must be traversable by those users.
# Otherwise everything runs as the invoking user.
#
# Exit: 0 ok, 1 error (message on stderr), 64 usage.
set -eu
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
prog=instance.sh
DAEMON_USER=${DAEMON_USER:-quaild}
QUEUE_USER=${QUEUE_USER:-quailq}
VMAIL_USER=${VMAIL_USER:-quailv}
# Bounds of the waits in start/stop, in tenths of a second.
WAIT_PORT_TENTHS=100
WAIT_PID_TENTHS=50
WAIT_STOP_TENTHS=50

die() { echo "$prog: $*" >&2; exit 1; }
usage() {
	echo "usage: $prog create DIR [--smtp-port N] [--<service>-port N]... [--trace]" >&2
	echo "                   [--auth-fail-delay SECS] [--conf 'key = value']..." >&2
	echo "       $prog start|stop|status DIR" >&2
	exit 64
}
is_root() { [ "$(id -u)" -eq 0 ]; }

# ---- services --------------------------------------------------------------
# service NAME PROGRAM [ARGS...]: one xinetd service on port PORT_<NAME>
# running DIR/libexec/PROGRAM -C DIR/etc ARGS... Add new daemons here.
# e.g. `service imap quail-imapd` gives --imap-port N and "imap N" in run/ports.
services() {
	service smtp quail-smtpd
	service submission quail-smtpd -s
	service smtps quail-smtpd -s -t      # RFC 8314: submission over implicit TLS
	service pop3 quail-pop3d
	service pop3s quail-pop3d -t
	service imap quail-imapd
	service imaps quail-imapd -t         # RFC 8314: IMAP over implicit TLS
}

# Collected from the command line: "name port" lines.
port_args=""
port_of() { # name -> port or ""
	printf '%s\n' "$port_args" | awk -v n="$1" '$1 == n { p = $2 } END { print p }'
}

service_mode="write"
service() { # called by services() while writing xinetd.conf
	local name=$1 program=$2 port
	shift 2
	if [ "$service_mode" = list ]; then
		echo "$name"
		return 0
	fi
	port=$(port_of "$name")
	[ -n "$port" ] || return 0
	if [ ! -x "$dir/libexec/$program" ]; then
		echo "$prog: note: $program not built, service $name (port $port) not configured" >&2
		return 0
	fi
	local args="-C $dir/etc"
	[ $# -gt 0 ] && args="$args $*"
	cat >>"$dir/run/xinetd.conf.tmp" <<EOF

service quail-$name
{
	type        = UNLISTED
	port        = $port
	bind        = 127.0.0.1
	socket_type = stream
	protocol    = tcp
	wait        = no
	user        = $xinetd_user
	server      = $dir/libexec/$program
	server_args = $args
}
EOF
	echo "$name $port" >>"$dir/run/ports.tmp"
}

# ---- helpers ----------------------------------------------------------------
abs_dir() { # creates and prints the absolute path
	mkdir -p "$1" && (cd "$1" && pwd -P)
}

valid_port() {
	case $1 in ''|*[!0-9]*) return 1;; esac
	[ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}

# Prints the pid in FILE if it names a live process whose command line
# contains WORD (guards against recycled pids); else nothing.
live_pid() { # file word
	local pid
	[ -f "$1" ] || return 0
	pid=$(tr -dc '0-9' <"$1")
	[ -n "$pid" ] || return 0
	[ -r "/proc/$pid/cmdline" ] || return 0
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2" || return 0
	echo "$pid"
}

listening() { # port
	[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

ensure_system_user() { # name comment
	if ! getent passwd "$1" >/dev/null; then
		useradd -r -M -d /nonexistent -s /usr/sbin/nologin -c "$2" "$1" ||
			die "cannot create system user $1"
	fi
}

# SECURITY: as root, the daemons run as the quail users and must reach
# their files through every component of DIR.
check_traversable() { # dir
	local u p uid gid
	for u in "$DAEMON_USER" "$QUEUE_USER" "$VMAIL_USER"; do
		uid=$(id -u "$u") gid=$(id -g "$u")
		p=$1
		while :; do
			if ! setpriv --reuid="$uid" --regid="$gid" --clear-groups test -x "$p"; then
				die "$p is not traversable by user $u; use an instance dir" \
					"outside it (e.g. /var/tmp/quail-...) or chmod o+x it"
			fi
			[ "$p" = / ] && break
			p=$(dirname "$p")
		done
	done
}

copy_binaries() {
	local f n found=0
	[ -d "$QUAIL_BUILD" ] || die "QUAIL_BUILD=$QUAIL_BUILD does not exist (run make)"
	for f in "$QUAIL_BUILD"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		n=$(basename "$f")
		# Copy then rename: a running binary is replaced, not overwritten.
		cp "$f" "$dir/libexec/.$n.tmp"
		chmod 0755 "$dir/libexec/.$n.tmp"
		mv -f "$dir/libexec/.$n.tmp" "$dir/libexec/$n"
		found=1
	done
	[ "$found" = 1 ] || die "no programs in $QUAIL_BUILD (run make)"
	for n in quail-smtpd quail-queue quail-send quail-deliver quail-users quail-newaliases; do
		[ -x "$dir/libexec/$n" ] || die "$QUAIL_BUILD/$n missing (run make)"
	done
	if is_root; then
		chown root:root "$dir"/libexec/*
		# SECURITY: quail-queue is the only way into the queue.
		chown "$QUEUE_USER:$QUEUE_USER" "$dir/libexec/quail-queue"
		chmod 4711 "$dir/libexec/quail-queue"
	fi
}

write_conf() {
	local trace=$1
	cat >"$dir/etc/quail.conf.tmp" <<EOF
# quail.conf for the instance in $dir (written by scripts/instance.sh;
# edit freely, \`instance.sh create\` never overwrites it). See quail.conf(5).
hostname       = mail.mycompany.com
local_domains  = mycompany.com localhost
relay_networks = 127.0.0.0/8 ::1/128
queue_dir      = $dir/queue
libexec_dir    = $dir/libexec
mail_dir       = $dir/mail
log            = $dir/log/quail.log
trace          = $trace
system_users   = no
tls_cert       = $dir/etc/tls/cert.pem
tls_key        = $dir/etc/tls/key.pem
EOF
	mv "$dir/etc/quail.conf.tmp" "$dir/etc/quail.conf"
}

# Keys that every instance has; added to an older quail.conf that lacks them.
default_conf_keys() { # prints "key = value" lines
	echo "plaintext_auth_networks = 127.0.0.0/8 ::1"
	if is_root; then
		echo "auth_backends = cdb pam"
	else
		echo "auth_backends = cdb"
	fi
}

conf_key_of() { # "key = value" -> key (trimmed), or "" when malformed
	local line=$1 key
	case $line in *=*) ;; *) return 0;; esac
	key=${line%%=*}
	key=$(printf '%s' "$key" | tr -d ' \t')
	case $key in ''|*[!a-z0-9_]*) return 0;; esac
	echo "$key"
}

# set_conf_key KEY LINE MODE: MODE replace: the (uncommented) line of KEY
# becomes LINE, appended when there is none; MODE missing: only appended
# when there is none. quail.conf refuses duplicate keys, so there is only
# ever one such line. Atomic (temp file + rename).
set_conf_key() {
	local key=$1 line=$2 mode=$3 f=$dir/etc/quail.conf
	if awk -v k="$key" '{ sub(/^[ \t]+/, "") }
		/^[^#]/ && index($0, "=") { x = substr($0, 1, index($0, "=") - 1)
			gsub(/[ \t]/, "", x); if (x == k) found = 1 }
		END { exit !found }' "$f"; then
		[ "$mode" = replace ] || return 0
		awk -v k="$key" -v l="$line" '{ t = $0; sub(/^[ \t]+/, "", t) }
			t ~ /^[^#]/ && index(t, "=") { x = substr(t, 1, index(t, "=") - 1); gsub(/[ \t]/, "", x)
				if (x == k) { print l; next } }
			{ print }' "$f" >"$f.tmp"
	else
		{ cat "$f"; echo "$line"; } >"$f.tmp"
	fi
	mv "$f.tmp" "$f"
}

# DIR/bin/NAME: runs DIR/libexec/PROGRAM with this instance's config dir.
# The config dir is given both ways (-C and QUAIL_CONFDIR): sendmail's
# callers pass their own options, so quail-inject gets only the variable.
write_wrapper() { # name program with_C
	local name=$1 program=$2 c=""
	[ -x "$dir/libexec/$program" ] || return 0
	[ "$3" = yes ] && c=" -C '$dir/etc'"
	cat >"$dir/bin/.$name.tmp" <<EOF
#!/bin/sh
# $name of the quail instance in $dir (written by scripts/instance.sh).
QUAIL_CONFDIR='$dir/etc'
export QUAIL_CONFDIR
exec '$dir/libexec/$program'$c "\$@"
EOF
	chmod 0755 "$dir/bin/.$name.tmp"
	mv -f "$dir/bin/.$name.tmp" "$dir/bin/$name"
}

write_wrappers() {
	rm -rf "$dir/bin"
	mkdir -p "$dir/bin"
	write_wrapper quail-users quail-users yes
	write_wrapper quail-newaliases quail-newaliases yes
	write_wrapper quail-qctl quail-qctl yes
	write_wrapper sendmail quail-inject no
}

make_cert() {
	mkdir -p "$dir/etc/tls"
	# SECURITY: the key is written 0600 from the start.
	(umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 3650 -subj "/CN=mail.mycompany.com" \
		-addext "subjectAltName=DNS:mail.mycompany.com,DNS:localhost,IP:127.0.0.1" \
		-keyout "$dir/etc/tls/key.pem.tmp" -out "$dir/etc/tls/cert.pem.tmp" \
		>"$dir/log/openssl.out" 2>&1) || die "openssl failed: $(cat "$dir/log/openssl.out")"
	chmod 0644 "$dir/etc/tls/cert.pem.tmp"
	mv "$dir/etc/tls/key.pem.tmp" "$dir/etc/tls/key.pem"
	mv "$dir/etc/tls/cert.pem.tmp" "$dir/etc/tls/cert.pem"
	rm -f "$dir/log/openssl.out"
}

make_users() {
	local u out
	for u in myuser@mycompany.com me@mycompany.com; do
		out=$("$dir/libexec/quail-users" -C "$dir/etc" add "$u" -p mypassword -c 2>&1) ||
			die "quail-users add $u failed: $out"
	done
}

make_aliases() {
	cat >"$dir/etc/aliases" <<EOF
# aliases(5) of this instance; run quail-newaliases -C $dir/etc after editing.
postmaster: myuser@mycompany.com
abuse: myuser@mycompany.com
EOF
}

# Modes of HACKING.md's config table; owners as root.
fix_modes() {
	local f
	chmod 0755 "$dir" "$dir/etc" "$dir/etc/tls" "$dir/libexec" "$dir/log" "$dir/run" "$dir/bin"
	for f in quail.conf users.cdb aliases aliases.cdb tls/cert.pem; do
		[ -e "$dir/etc/$f" ] && chmod 0644 "$dir/etc/$f"
	done
	for f in users passwd.cdb tls/key.pem; do
		[ -e "$dir/etc/$f" ] && chmod 0600 "$dir/etc/$f"
	done
	chmod 0700 "$dir/queue/tmp" "$dir/queue/mess" "$dir/queue/state"
	# Every program appends to the one log file, each as its own user.
	touch "$dir/log/quail.log"
	if is_root; then
		chown -R root:root "$dir/etc" "$dir/run" "$dir/bin"
		chown root:root "$dir" "$dir/log"
		chown -R "$QUEUE_USER:$QUEUE_USER" "$dir/queue"
		chmod 0750 "$dir/queue"
		chown -R "$VMAIL_USER:$VMAIL_USER" "$dir/mail"
		chmod 0755 "$dir/mail"
		# SECURITY: a lab/test instance only: the daemons of several users
		# append here. A real install logs to syslog.
		chmod 0666 "$dir/log/quail.log"
	else
		chmod 0700 "$dir/queue"
		chmod 0644 "$dir/log/quail.log"
	fi
}

# ---- commands -----------------------------------------------------------------
cmd_create() {
	local trace=no opt name known line conf_lines=""
	[ $# -ge 1 ] || usage
	dir=$1
	shift
	while [ $# -gt 0 ]; do
		opt=$1
		case $opt in
		--trace) trace=yes; shift; continue;;
		--conf|--auth-fail-delay)
			[ $# -ge 2 ] || usage
			line=$2
			if [ "$opt" = --auth-fail-delay ]; then
				case $2 in ''|*[!0-9]*) die "bad --auth-fail-delay: $2";; esac
				line="auth_fail_delay = $2"
			fi
			case $line in *"
"*) die "--conf: one line only";; esac
			[ -n "$(conf_key_of "$line")" ] || die "--conf: not 'key = value': $line"
			conf_lines="$conf_lines$line
"
			shift 2; continue;;
		--*-port) name=${opt#--}; name=${name%-port};;
		--*-port=*) name=${opt%%=*}; name=${name#--}; name=${name%-port}
			set -- "$opt" "${opt#*=}" "${@:2}";;
		*) usage;;
		esac
		[ $# -ge 2 ] || usage
		valid_port "$2" || die "bad port for $name: $2"
		port_args="$port_args$name $2
"
		shift 2
	done
	[ -n "$(port_of smtp)" ] || port_args="${port_args}smtp 2525
"
	known=" $(service_mode=list; services | tr '\n' ' ')"
	for name in $(printf '%s' "$port_args" | awk '{ print $1 }'); do
		case $known in
		*" $name "*) ;;
		*) die "unknown service $name (known:$known)";;
		esac
	done
	QUAIL_BUILD=${QUAIL_BUILD:-$top/build/release}
	case $QUAIL_BUILD in /*) ;; *) QUAIL_BUILD=$top/$QUAIL_BUILD;; esac

	dir=$(abs_dir "$dir") || die "cannot create $1"
	if is_root; then
		ensure_system_user "$DAEMON_USER" "quail network daemons"
		ensure_system_user "$QUEUE_USER" "quail queue owner"
		ensure_system_user "$VMAIL_USER" "quail virtual mail owner"
		check_traversable "$dir"
		xinetd_user=root
	else
		xinetd_user=$(id -un)
	fi
	mkdir -p "$dir/etc" "$dir/mail" "$dir/log" "$dir/run" "$dir/libexec" "$dir/bin"
	# mail-queue(7): tmp/ (being written), mess/ (committed), state/
	# (per-recipient results), the trigger FIFO (pokes quail-send).
	mkdir -p "$dir/queue/tmp" "$dir/queue/mess" "$dir/queue/state"
	[ -p "$dir/queue/trigger" ] || mkfifo -m 0600 "$dir/queue/trigger"
	copy_binaries

	[ -f "$dir/etc/quail.conf" ] || write_conf "$trace"
	while IFS= read -r line; do
		set_conf_key "$(conf_key_of "$line")" "$line" missing
	done < <(default_conf_keys)
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		set_conf_key "$(conf_key_of "$line")" "$line" replace
	done <<<"$conf_lines"
	[ -f "$dir/etc/tls/cert.pem" ] && [ -f "$dir/etc/tls/key.pem" ] || make_cert
	fix_modes
	[ -f "$dir/etc/users" ] || make_users
	if [ ! -f "$dir/etc/aliases" ]; then
		make_aliases
		rm -f "$dir/etc/aliases.cdb"
	fi
	if [ ! -f "$dir/etc/aliases.cdb" ] || [ "$dir/etc/aliases" -nt "$dir/etc/aliases.cdb" ]; then
		out=$("$dir/libexec/quail-newaliases" -C "$dir/etc" 2>&1) ||
			die "quail-newaliases failed: $out"
	fi

	# Runtime files: always rewritten. The servers get PATH and the
	# sanitizer options of the environment create ran in.
	passenv=PATH
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		if [ -n "${!v:-}" ]; then passenv="$passenv $v"; fi
	done
	rm -f "$dir/run/xinetd.conf.tmp" "$dir/run/ports.tmp"
	: >"$dir/run/ports.tmp"
	cat >"$dir/run/xinetd.conf.tmp" <<EOF
# xinetd configuration of the quail instance in $dir
# (written by scripts/instance.sh create; rewritten on every create).
defaults
{
	log_type       = FILE $dir/log/xinetd.log
	log_on_success = PID HOST DURATION EXIT
	log_on_failure = HOST
	instances      = 50
	per_source     = UNLIMITED
	cps            = 1000 1
	passenv        = $passenv
}
EOF
	services
	mv "$dir/run/xinetd.conf.tmp" "$dir/run/xinetd.conf"
	mv "$dir/run/ports.tmp" "$dir/run/ports"
	write_wrappers
	fix_modes
}

cmd_start() {
	local pid port i n
	[ $# -eq 1 ] || usage
	dir=$(cd "$1" 2>/dev/null && pwd -P) || die "no instance in $1"
	[ -f "$dir/run/xinetd.conf" ] || die "no instance in $dir (run create first)"

	if [ -z "$(live_pid "$dir/run/xinetd.pid" xinetd)" ]; then
		rm -f "$dir/run/xinetd.pid"
		while read -r _ port; do
			if listening "$port"; then
				die "port $port is already in use"
			fi
		done <"$dir/run/ports"
		xinetd -f "$dir/run/xinetd.conf" -pidfile "$dir/run/xinetd.pid" \
			-filelog "$dir/log/xinetd.log" -stayalive ||
			die "xinetd failed to start, see $dir/log/xinetd.log"
	fi
	while read -r _ port; do
		i=0
		until listening "$port"; do
			i=$((i + 1))
			[ "$i" -le "$WAIT_PORT_TENTHS" ] ||
				die "port $port not listening, see $dir/log/xinetd.log"
			sleep 0.1
		done
	done <"$dir/run/ports"

	if [ -z "$(live_pid "$dir/run/quail-send.pid" quail-send)" ]; then
		rm -f "$dir/run/quail-send.pid"
		setsid "$dir/libexec/quail-send" -C "$dir/etc" -p "$dir/run/quail-send.pid" \
			</dev/null >>"$dir/log/quail-send.out" 2>&1 &
		n=$!
		i=0
		until [ -n "$(live_pid "$dir/run/quail-send.pid" quail-send)" ]; do
			i=$((i + 1))
			if [ "$i" -gt "$WAIT_PID_TENTHS" ] || ! kill -0 "$n" 2>/dev/null; then
				kill "$n" 2>/dev/null || true
				die "quail-send did not start, see $dir/log/quail-send.out and quail.log"
			fi
			sleep 0.1
		done
	fi
}

# TERM to both daemons at once, a bounded wait, then KILL. quail-send runs
# as a session leader with its helpers in its process group: what is left
# of that group is killed too.
cmd_stop() {
	local xpid spid i=0 p
	[ $# -eq 1 ] || usage
	[ -d "$1" ] || return 0
	dir=$(cd "$1" && pwd -P)
	xpid=$(live_pid "$dir/run/xinetd.pid" xinetd)
	spid=$(live_pid "$dir/run/quail-send.pid" quail-send)
	for p in $xpid $spid; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $xpid $spid; do
		while kill -0 "$p" 2>/dev/null; do
			i=$((i + 1))
			if [ "$i" -gt "$WAIT_STOP_TENTHS" ]; then
				kill -KILL "$p" 2>/dev/null || true
				break
			fi
			sleep 0.1
		done
	done
	if [ -n "$spid" ] && pgrep -g "$spid" >/dev/null 2>&1; then
		kill -KILL -- "-$spid" 2>/dev/null || true
	fi
	rm -f "$dir/run/xinetd.pid" "$dir/run/quail-send.pid"
}

cmd_status() {
	[ $# -eq 1 ] || usage
	dir=$(cd "$1" 2>/dev/null && pwd -P) || die "no instance in $1"
	local rc=0
	if [ -n "$(live_pid "$dir/run/xinetd.pid" xinetd)" ]; then
		echo "xinetd running (pid $(cat "$dir/run/xinetd.pid"))"
	else
		echo "xinetd not running"; rc=1
	fi
	if [ -n "$(live_pid "$dir/run/quail-send.pid" quail-send)" ]; then
		echo "quail-send running (pid $(cat "$dir/run/quail-send.pid"))"
	else
		echo "quail-send not running"; rc=1
	fi
	return $rc
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
create) cmd_create "$@";;
start) cmd_start "$@";;
stop) cmd_stop "$@";;
status) cmd_status "$@";;
*) usage;;
esac
