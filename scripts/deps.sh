#!/bin/sh
# deps.sh -- make sure the Debian packages needed to build and test quail
# are installed (`make deps`, run by `make check` and `make lab`).
#
# Quiet and fast (one dpkg-query) when everything is there. Otherwise, as
# root: apt-get update + install; as another user: prints the exact sudo
# command and exits 1.
set -eu

# build: compiler, sanitizers, libFuzzer runtime, libraries, musl (the
#        release build links quail-imapd-session statically against it)
# test: xinetd, clients (swaks, telnet, nc, python3, fetchmail, getmail6,
#       mail(1) from bsd-mailx, curl and mbsync from isync for IMAP),
#       man page linters, ps/pgrep/fuser/ss,
#       setpriv/useradd for the root instances.
PKGS="build-essential gcc make libc6-dev pkg-config clang libclang-rt-dev musl-tools
libssl-dev libcdb-dev tinycdb libpam0g-dev libcmocka-dev libcrypt-dev
xinetd swaks telnet netcat-openbsd openssl python3 mandoc groff-base
procps psmisc iproute2 util-linux passwd fetchmail getmail6 bsd-mailx
curl isync"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system (no dpkg-query); install by hand:" >&2
	echo "  $(echo $PKGS)" >&2
	exit 1
fi

# One line per package we know of; unknown packages print nothing here.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $PKGS 2>/dev/null |
	awk '$2 == "installed" { print $1 }') || true
inst=" $(echo $installed) "
missing=""
for p in $PKGS; do
	case $inst in
	*" $p "*) ;;
	*) missing="$missing $p";;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps.sh: missing packages:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: run as root:" >&2
	echo "  sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y$missing'" >&2
	exit 1
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
