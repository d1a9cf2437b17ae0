#!/bin/bash
# make install DESTDIR=tmp: every entry of etc/layout is there with its
# mode (and, as root, its owner), every program of the Makefile's PROGS is
# installed, every man page too, @NAME@ placeholders are replaced, and a
# second install keeps an edited config file.
set -u
. "$(dirname "$0")/lib.sh"

dest=$(mktemp -d /tmp/quail-inst-t.XXXXXX) || fail mktemp
trap 'rm -rf "$dest"' EXIT
cd "$QUAIL_SRC" || fail "cd $QUAIL_SRC"

# Install the binaries under test: B is QUAIL_BUILD (relative to the tree
# when inside it), SAN=1 for the sanitizer build, so make finds them up to date.
b=$QUAIL_BUILD
case $b in "$QUAIL_SRC"/*) b=${b#"$QUAIL_SRC"/};; esac
san=0
if [ "$(basename "$b")" = san ] ||
   readelf -d "$QUAIL_BUILD/quail-users" 2>/dev/null | grep -q 'libasan'; then
	san=1
fi
make_install() {
	local out
	out=$(make -s --no-print-directory SAN=$san B="$b" install DESTDIR="$dest" "$@" 2>&1) ||
		{ echo "$out"; fail "make install $*"; }
}
make_install

# The same values install.sh uses.
eval "$(make -s --no-print-directory -f config.mk -f - vars <<'MK'
vars:
	@$(foreach v,PREFIX SBINDIR LIBEXECDIR MANDIR SYSCONFDIR CONFDIR QUEUE_USER,echo '$(v)=$($(v))';)
MK
)"
DOCDIR=$PREFIX/share/doc/quail
SYSTEMDDIR=$PREFIX/lib/systemd/system

expand() {
	local s=$1 n
	for n in PREFIX SBINDIR LIBEXECDIR MANDIR SYSCONFDIR CONFDIR QUEUE_USER DOCDIR SYSTEMDDIR \
		QUEUEDIR MAILDIR_BASE VMAIL_USER DAEMON_USER BINDIR; do
		s=${s//\$$n/${!n:-}}
	done
	printf '%s' "$s"
}

user_exists() { getent passwd "$1" >/dev/null 2>&1; }
root=0; [ "$(id -u)" -eq 0 ] && root=1
checked=0
while read -r type path owner group mode src; do
	case $type in dir|prog|conf|file) ;; *) continue;; esac
	p=$dest$(expand "$path")
	owner=$(expand "$owner"); group=$(expand "$group")
	[ -e "$p" ] || fail "missing $p ($type $src)"
	want=$mode
	# setuid/setgid only with the owner, and only as root.
	if [ "$root" = 0 ] || ! user_exists "$owner"; then
		want=$(printf '%04o' $((8#$mode & ~8#6000)))
		owner=root; group=root
	fi
	got=$(stat -c '%04a' "$p")
	[ "$got" = "$want" ] || fail "$p mode $got, want $want"
	if [ "$root" = 1 ]; then
		got=$(stat -c '%U:%G' "$p")
		[ "$got" = "$owner:$group" ] || fail "$p owner $got, want $owner:$group"
	fi
	case $type in
	prog) cmp -s "$p" "$QUAIL_BUILD/$src" || fail "$p differs from $QUAIL_BUILD/$src";;
	conf|file) ! grep -q '@[A-Z_]*@' "$p" || fail "$p: placeholder left: $(grep -o '@[A-Z_]*@' "$p" | head -n 1)";;
	esac
	checked=$((checked + 1))
done <etc/layout
[ "$checked" -ge 10 ] || fail "only $checked layout entries checked"

progs=$(make -s --no-print-directory -f Makefile -f - print-progs <<'MK'
print-progs:
	@echo $(PROGS)
MK
)
[ -n "$progs" ] || fail "cannot read PROGS"
for prog in $progs; do
	grep -Eq "^prog[[:space:]]+[^[:space:]]+/${prog}[[:space:]]" etc/layout ||
		fail "$prog (PROGS) has no prog line in etc/layout"
done
for m in man/man*/*.[0-9]; do
	[ -f "$m" ] || continue
	sec=${m##*.}
	[ -f "$dest$MANDIR/man$sec/$(basename "$m")" ] || fail "man page $m not installed"
done
[ -x "$dest$LIBEXECDIR/quail-smtpd" ] || fail "quail-smtpd not in LIBEXECDIR"
grep -q "^[[:space:]]*server[[:space:]]*= $LIBEXECDIR/quail-smtpd\$" "$dest$DOCDIR/examples/xinetd.quail-smtp" ||
	fail "xinetd example does not point at $LIBEXECDIR/quail-smtpd"

# A second install keeps the admin's config, replaces programs.
echo "# edited by the admin" >>"$dest$CONFDIR/quail.conf"
make_install
grep -q "edited by the admin" "$dest$CONFDIR/quail.conf" || fail "second install overwrote quail.conf"

# install-users (root): queue dirs and FIFO for the queue user; every path
# pointed into the DESTDIR so the real system is not touched.
if [ "$root" = 1 ]; then
	out=$(PREFIX=$dest$PREFIX SBINDIR=$dest$SBINDIR LIBEXECDIR=$dest$LIBEXECDIR \
		MANDIR=$dest$MANDIR SYSCONFDIR=$dest$SYSCONFDIR CONFDIR=$dest$CONFDIR \
		QUEUEDIR=$dest/var/spool/quail MAILDIR_BASE=$dest/var/mail/quail \
		scripts/install.sh --users 2>&1) || { echo "$out"; fail "install.sh --users"; }
	qu=$QUEUE_USER
	for d in "" /tmp /mess /state; do
		[ -d "$dest/var/spool/quail$d" ] || fail "--users: no queue dir $d"
		[ "$(stat -c %U "$dest/var/spool/quail$d")" = "$qu" ] || fail "--users: queue$d not owned by $qu"
	done
	[ -p "$dest/var/spool/quail/trigger" ] || fail "--users: no trigger FIFO"
	[ "$(stat -c '%U %a' "$dest$LIBEXECDIR/quail-queue")" = "$qu 4711" ] ||
		fail "--users: quail-queue is $(stat -c '%U %a' "$dest$LIBEXECDIR/quail-queue")"
fi

# PREFIX from the make command line moves everything.
make_install PREFIX=/opt/quail
[ -x "$dest/opt/quail/sbin/quail-users" ] || fail "PREFIX=/opt/quail: no $dest/opt/quail/sbin/quail-users"
echo "PASS ($checked layout entries)"
