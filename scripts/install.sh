#!/bin/bash
# install.sh -- `make install` and `make install-users`, driven by etc/layout.
#
#   scripts/install.sh DESTDIR BUILDDIR   # programs, man pages, samples, units
#   scripts/install.sh --users            # system users, queue and mail dirs
#
# Paths and users come from config.mk, as make sees it: variables given on
# the make command line (make install PREFIX=/usr) or in the environment
# override its defaults. DOCDIR ($PREFIX/share/doc/quail) and SYSTEMDDIR
# ($PREFIX/lib/systemd/system) are ours and may be set in the environment.
#
# Config files (type conf) are never overwritten. Ownership is set only
# when run as root; a setuid/setgid bit is applied only together with its
# owner (never left on a file owned by someone else). A program whose
# sources are not in the tree (the Makefile's PROGS_PRESENT) is skipped
# with a note. Links (type link, e.g. $SBINDIR/sendmail -> quail-inject)
# never replace a file that is not already that link, unless
# REPLACE_LINKS=yes is in the environment.
# Exit: 0 ok, 1 error, 64 usage.
set -eu
umask 022

top=$(cd "$(dirname "$0")/.." && pwd -P)
prog=install.sh
die() { echo "$prog: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

VARS="PREFIX SBINDIR BINDIR LIBEXECDIR MANDIR SYSCONFDIR CONFDIR QUEUEDIR
MAILDIR_BASE DAEMON_USER QUEUE_USER VMAIL_USER"

# ---- settings from config.mk ---------------------------------------------------
load_settings() {
	local out name value
	out=$(cd "$top" && make -s --no-print-directory -f config.mk -f - quail-print-vars <<'MK'
quail-print-vars:
	@$(foreach v,PREFIX SBINDIR BINDIR LIBEXECDIR MANDIR SYSCONFDIR CONFDIR QUEUEDIR MAILDIR_BASE DAEMON_USER QUEUE_USER VMAIL_USER,echo '$(v)=$($(v))';)
MK
	) || die "cannot read config.mk through make"
	while IFS='=' read -r name value; do
		case " $(echo $VARS) " in
		*" $name "*) printf -v "$name" '%s' "$value";;
		esac
	done <<<"$out"
	for name in $VARS; do
		[ -n "${!name:-}" ] || die "config.mk does not set $name"
	done
	DOCDIR=${DOCDIR:-$PREFIX/share/doc/quail}
	SYSTEMDDIR=${SYSTEMDDIR:-$PREFIX/lib/systemd/system}
	ALLVARS="$VARS DOCDIR SYSTEMDDIR"
}

# The programs the Makefile builds in this tree (PROGS_PRESENT).
load_present_progs() {
	PRESENT=$(cd "$top" && make -s --no-print-directory -f Makefile -f - quail-print-progs <<'MK'
quail-print-progs:
	@echo $(PROGS_PRESENT)
MK
	) || die "cannot read PROGS_PRESENT from the Makefile"
	PRESENT=" $(echo $PRESENT) "
}
is_present() { case $PRESENT in *" $1 "*) return 0;; esac; return 1; }

# $NAME in a layout field -> value. Only the known names; nothing is eval'd.
expand() {
	local s=$1 name
	for name in $ALLVARS; do
		s=${s//\$$name/${!name}}
	done
	case $s in *'$'*) die "etc/layout: unknown variable in '$1'";; esac
	printf '%s' "$s"
}

# Text with @NAME@ replaced: src -> dst.
subst() {
	local expr="" name v
	for name in $ALLVARS; do
		v=${!name}
		v=${v//\\/\\\\}; v=${v//|/\\|}; v=${v//&/\\&}
		expr="$expr;s|@$name@|$v|g"
	done
	sed -e "${expr#;}" "$1" >"$2"
}

user_exists() { getent passwd "$1" >/dev/null 2>&1; }

warned_nonroot=0
# Owner and mode of path, per the rules above.
set_owner_mode() { # path owner group mode
	local path=$1 owner=$2 group=$3 mode=$4
	if is_root; then
		if user_exists "$owner" && getent group "$group" >/dev/null 2>&1; then
			chown "$owner:$group" "$path"
		else
			chown root:root "$path"
			if [ $((8#$mode & 8#6000)) -ne 0 ]; then
				echo "$prog: $owner does not exist: $path installed without" \
					"its setuid/setgid bit; run make install-users" >&2
			fi
			mode=$(printf '%04o' $((8#$mode & ~8#6000)))
		fi
	else
		if [ "$warned_nonroot" = 0 ]; then
			echo "$prog: not root: owners are not set, setuid bits are left off" >&2
			warned_nonroot=1
		fi
		mode=$(printf '%04o' $((8#$mode & ~8#6000)))
	fi
	chmod "$mode" "$path"
}

# Atomic replacement: write a temp file next to dst, then rename.
put_file() { # src dst owner group mode substitute?
	local tmp
	tmp="$(dirname "$2")/.$(basename "$2").inst.tmp"
	rm -f "$tmp"
	if [ "$6" = yes ]; then subst "$1" "$tmp"; else cp "$1" "$tmp"; fi
	set_owner_mode "$tmp" "$3" "$4" "$5"
	mv -f "$tmp" "$2"
}

# dest -> target (a name in dest's directory), atomically. Another file
# of that name is kept unless REPLACE_LINKS=yes.
put_link() { # target dest
	local target=$1 dest=$2 tmp
	case $target in */*) die "etc/layout: link target '$target' must be a plain name";; esac
	if is_present "$target" || [ -e "$(dirname "$dest")/$target" ]; then :; else
		echo "$prog: note: $target is not in this tree yet, $dest not linked"
		return 0
	fi
	if [ -e "$dest" ] || [ -L "$dest" ]; then
		if [ "$(readlink "$dest" 2>/dev/null)" != "$target" ] &&
		   [ "${REPLACE_LINKS:-no}" != yes ]; then
			echo "$prog: kept existing $dest (not a link to $target);" \
				"make install REPLACE_LINKS=yes replaces it"
			return 0
		fi
	fi
	mkdir -p "$(dirname "$dest")"
	tmp="$(dirname "$dest")/.$(basename "$dest").inst.tmp"
	rm -f "$tmp"
	ln -s "$target" "$tmp"
	mv -Tf "$tmp" "$dest"
}

# ---- the two commands -------------------------------------------------------
do_install() { # destdir builddir
	local destdir=$1 builddir=$2 type dest owner group mode src d m sec
	case $builddir in /*) ;; *) builddir=$top/$builddir;; esac
	[ -d "$builddir" ] || die "no build dir $builddir (run make)"
	while read -r type dest owner group mode src; do
		case $type in ''|'#'*) continue;; esac
		[ -n "$src" ] || die "etc/layout: short line: $type $dest"
		dest=$destdir$(expand "$dest")
		owner=$(expand "$owner"); group=$(expand "$group")
		case $type in
		dir)
			mkdir -p "$dest"
			set_owner_mode "$dest" "$owner" "$group" "$mode";;
		prog)
			if ! is_present "$src"; then
				echo "$prog: note: $src is not in this tree yet, not installed"
				continue
			fi
			[ -x "$builddir/$src" ] || die "$builddir/$src missing (run make)"
			mkdir -p "$(dirname "$dest")"
			put_file "$builddir/$src" "$dest" "$owner" "$group" "$mode" no;;
		link)
			put_link "$src" "$dest";;
		conf)
			mkdir -p "$(dirname "$dest")"
			if [ -e "$dest" ]; then
				echo "$prog: kept existing $dest (new sample: $top/$src)"
			else
				put_file "$top/$src" "$dest" "$owner" "$group" "$mode" yes
			fi;;
		file)
			mkdir -p "$(dirname "$dest")"
			put_file "$top/$src" "$dest" "$owner" "$group" "$mode" yes;;
		man)
			for m in "$top/$src"/man*/*.[0-9]; do
				[ -f "$m" ] || continue
				sec=${m##*.}
				d=$dest/man$sec
				mkdir -p "$d"
				put_file "$m" "$d/$(basename "$m")" "$owner" "$group" "$mode" yes
			done;;
		udir|ufifo) ;;
		*) die "etc/layout: unknown type $type";;
		esac
	done <"$top/etc/layout"
	echo "$prog: installed into ${destdir:-/} (PREFIX=$PREFIX CONFDIR=$CONFDIR)"
	if [ -z "$destdir" ] && is_root && ! user_exists "$QUEUE_USER"; then
		echo "$prog: next: make install-users (system users, queue)"
	fi
}

ensure_system_user() { # name comment
	if ! user_exists "$1"; then
		useradd -r -M -d /nonexistent -s /usr/sbin/nologin -c "$2" "$1" ||
			die "cannot create system user $1"
		echo "$prog: created system user $1"
	fi
}

do_users() {
	local type dest owner group mode src
	is_root || die "--users must run as root"
	ensure_system_user "$DAEMON_USER" "quail network daemons"
	ensure_system_user "$QUEUE_USER" "quail queue owner"
	ensure_system_user "$VMAIL_USER" "quail virtual mail owner"
	while read -r type dest owner group mode src; do
		case $type in ''|'#'*) continue;; esac
		dest=$(expand "$dest")
		owner=$(expand "$owner"); group=$(expand "$group")
		case $type in
		udir)
			mkdir -p "$dest"
			set_owner_mode "$dest" "$owner" "$group" "$mode";;
		ufifo)
			[ -p "$dest" ] || mkfifo "$dest"
			set_owner_mode "$dest" "$owner" "$group" "$mode";;
		link) ;;
		dir|prog|conf|file)
			# Entries installed before the users existed.
			if [ "$owner" != root ] && [ -e "$dest" ]; then
				set_owner_mode "$dest" "$owner" "$group" "$mode"
			fi;;
		esac
	done <"$top/etc/layout"
	echo "$prog: system users and queue ready ($QUEUEDIR, $MAILDIR_BASE)"
}

load_settings
case ${1:-} in
--users) [ $# -eq 1 ] || exit 64; do_users;;
*) [ $# -eq 2 ] || { echo "usage: $prog DESTDIR BUILDDIR | --users" >&2; exit 64; }
   load_present_progs
   do_install "$1" "$2";;
esac
