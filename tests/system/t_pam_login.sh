#!/bin/bash
# Login of a system user through the real libpam: a throwaway account
# (useradd + chpasswd) and a second one with the same password but an
# expired account (pam_acct_mgmt must refuse it), the PAM service
# /etc/pam.d/quail-test copied from etc/pam.d/quail; then
# $QUAIL_BUILD/tests/test_login_pam checks the PAM backend, login through
# the root monitor (protocol child as nobody) and the handover that makes
# the session the system user. Everything created is removed on exit.
# Root only (it creates users); skipped otherwise.
set -u
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "not root"
need_cmd useradd userdel chpasswd chage
prog=$QUAIL_BUILD/tests/test_login_pam
[ -x "$prog" ] || skip "$prog not built (make SAN=1 unit)"
[ -f /lib/x86_64-linux-gnu/security/pam_unix.so ] ||
	[ -f /usr/lib/x86_64-linux-gnu/security/pam_unix.so ] ||
	compgen -G '/usr/lib/*/security/pam_unix.so' >/dev/null ||
	compgen -G '/lib/*/security/pam_unix.so' >/dev/null ||
	skip "pam_unix.so not found"

svc=quail-test
user=qtpam$$
expired=qtpamx$$
pass="pw-$$-$RANDOM-Quail"
[ -e /etc/pam.d/$svc ] && skip "/etc/pam.d/$svc exists (another run?)"

cleanup() {
	userdel "$user" >/dev/null 2>&1
	userdel "$expired" >/dev/null 2>&1
	rm -f /etc/pam.d/$svc
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Home directories are not needed: the Maildir path is only computed.
useradd -M -d "/nonexistent/$user" -s /usr/sbin/nologin "$user" ||
	fail "useradd $user"
useradd -M -d "/nonexistent/$expired" -s /usr/sbin/nologin "$expired" ||
	fail "useradd $expired"
printf '%s:%s\n%s:%s\n' "$user" "$pass" "$expired" "$pass" | chpasswd ||
	fail "chpasswd"
chage -E 0 "$expired" || fail "chage"
install -m 0644 "$QUAIL_SRC/etc/pam.d/quail" /etc/pam.d/$svc ||
	fail "installing /etc/pam.d/$svc"

[ "$(id -u "$user")" -ge 1000 ] || skip "useradd gave a system uid"

out=$(QUAIL_PAM_SERVICE=$svc QUAIL_PAM_USER=$user QUAIL_PAM_PASS=$pass \
	QUAIL_PAM_EXPIRED_USER=$expired timeout 120 "$prog" 2>&1)
rc=$?
echo "$out" | grep -v "^quail\[" | tail -n 20
[ $rc -eq 0 ] || fail "test_login_pam exited $rc"
# Both tests must have run, not been skipped.
echo "$out" | grep -q "PASSED  \] 2 test" || fail "PAM tests did not all run"
echo "$out" | grep -q "SKIPPED" && fail "PAM tests were skipped"
# The log says who failed, never the password.
echo "$out" | grep -q "login failed user=$user" || fail "no failure log line"
echo "$out" | grep -qF -- "$pass" && fail "the password reached the log"
exit 0
