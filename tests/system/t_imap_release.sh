#!/bin/sh
# t_imap_release.sh -- the IMAP tests again, against the release build.
# make check runs every other test with the sanitizer build (build/san),
# where quail-imapd-session is linked with glibc; the release build links
# it statically against musl (Makefile MUSL), a different C library under
# the same code. So the IMAP dialogue tests (tests/proto/imapd/*.t) and
# the IMAP system tests that use real clients run here once more with
# QUAIL_BUILD=build/release. Skips (77) without a release build.
# Exit 0 pass, 1 fail, 77 skip.
set -u
top=${QUAIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
rel=$top/build/release
if [ ! -x "$rel/quail-imapd-session" ]; then
	echo "SKIP: no release build in $rel (make)"
	exit 77
fi
QUAIL_BUILD=$rel QUAIL_SRC=$top
export QUAIL_BUILD QUAIL_SRC
if readelf -l "$rel/quail-imapd-session" | grep -q INTERP; then
	echo "quail-imapd-session: dynamically linked"
else
	echo "quail-imapd-session: static (musl)"
fi
fail=0 n=0
for t in "$top"/tests/proto/imapd/*.t; do
	n=$((n + 1))
	if ! out=$(timeout 300 python3 "$top/tests/proto/run.py" "$t" 2>&1); then
		echo "FAIL $t"; echo "$out" | tail -n 20; fail=1
	fi
done
echo "$n dialogue tests run"
for t in t_imap_imaplib.py t_imap_multisession.py t_imap_session.py \
	 t_imap_mbsync.sh t_imap_curl.sh; do
	timeout 600 "$top/tests/system/$t" >/tmp/t_imap_release.$$ 2>&1
	rc=$?
	case $rc in
	0) echo "ok   $t";;
	77) echo "skip $t";;
	*) echo "FAIL $t (exit $rc)"; tail -n 20 /tmp/t_imap_release.$$; fail=1;;
	esac
done
rm -f /tmp/t_imap_release.$$
[ "$fail" = 0 ] && echo "all passed"
exit "$fail"
