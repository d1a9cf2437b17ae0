#!/bin/bash
# t_inject.sh -- quail-inject (the sendmail interface) against a real
# instance (scripts/instance.sh: xinetd, quail-send, quail-deliver):
#   A  -t: recipients from To:/Bcc:, Bcc: removed, Received/Date/
#      Message-ID/From added when missing, kept when present
#   B  -f sender -F name rcpt: Return-Path and From
#   C  a "." line ends the input without -i; -i and -oi keep it
#   D  CR LF input is stored with LF
#   E  mail(1) (bsd-mailx, `set sendmail=` in a MAILRC) through quail-inject
#   F  errors: no recipients (64), bad address (65), -t without To: (64);
#      nothing queued
#   G  a bare recipient is completed with the hostname
#   H  -bs: an SMTP session on stdin/stdout
#   I  as root: an ordinary user injects (quail-queue setuid), default sender
#   J  the config dir from $QUAIL_CONFDIR
# Exit 0 pass, 77 skip, 1 fail. Every wait is bounded.
set -u
. "$(dirname "$0")/lib.sh"

for p in quail-inject quail-queue quail-send quail-deliver quail-smtpd; do
	[ -x "$QUAIL_BUILD/$p" ] || skip "$QUAIL_BUILD/$p not built"
done
WAIT_TENTHS=300     # 30 s per condition

instance_up
I=$inst
ETC=$I/etc
INJ=$I/libexec/quail-inject
LOG=$I/log/quail.log
MY=$I/mail/mycompany.com/myuser/Maildir
ME=$I/mail/mycompany.com/me/Maildir
tag=$$.$RANDOM

# wait_for DESCRIPTION COMMAND...: polls every 0.1 s, at most WAIT_TENTHS.
wait_for() {
	local what=$1 i=0
	shift
	until "$@"; do
		i=$((i + 1))
		[ "$i" -le "$WAIT_TENTHS" ] || fail "timed out waiting for: $what"
		sleep 0.1
	done
}
# mail_with MAILDIR MARKER: the file in MAILDIR/new holding MARKER.
mail_with() { grep -l -- "$2" "$1"/new/* 2>/dev/null | head -n 1; }
has_mail() { [ -n "$(mail_with "$1" "$2")" ]; }
count_mess() { find "$I/queue/mess" -type f | wc -l; }
# The header section of a delivered file (up to the first empty line).
header_of() { sed '/^$/q' "$1"; }

# A: -t, Bcc: removed, missing fields added.
printf 'To: My User <myuser@mycompany.com>\nBcc: "Hidden, Person" <me@mycompany.com>\nSubject: A %s\n\nmarker-A-%s\n' \
	"$tag" "$tag" | "$INJ" -C "$ETC" -t || fail "A: quail-inject -t exit $?"
wait_for "A at myuser" has_mail "$MY" "marker-A-$tag"
wait_for "A at me (Bcc)" has_mail "$ME" "marker-A-$tag"
for f in "$(mail_with "$MY" "marker-A-$tag")" "$(mail_with "$ME" "marker-A-$tag")"; do
	h=$(header_of "$f")
	echo "$h" | grep -qi '^Bcc:' && fail "A: Bcc: not removed in $f"
	echo "$h" | grep -q 'Hidden' && fail "A: Bcc: continuation left in $f"
	for want in '^Received: from [^ ]* by mail\.mycompany\.com (quail-inject, uid [0-9]*);' \
		'^Date: [A-Z][a-z][a-z], [0-9]' '^Message-ID: <[0-9]*\.[0-9]*\.[0-9a-f]*@mail\.mycompany\.com>$' \
		'^From: .*@mail\.mycompany\.com' "^Subject: A $tag\$" '^To: My User <myuser@mycompany.com>$'; do
		echo "$h" | grep -q -- "$want" || fail "A: header lacks '$want' in $f: $h"
	done
	[ "$(echo "$h" | grep -c '^Message-ID:')" -eq 1 ] || fail "A: Message-ID count"
done
# Present fields are kept, not duplicated.
printf 'From: Boss <boss@mycompany.com>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <own.%s@x>\nTo: myuser@mycompany.com\n\nmarker-A2-%s\n' \
	"$tag" "$tag" | "$INJ" -C "$ETC" -t || fail "A2: exit $?"
wait_for "A2 delivered" has_mail "$MY" "marker-A2-$tag"
h=$(header_of "$(mail_with "$MY" "marker-A2-$tag")")
[ "$(echo "$h" | grep -c '^Message-ID:')" -eq 1 ] && echo "$h" | grep -q "^Message-ID: <own.$tag@x>" ||
	fail "A2: own Message-ID not kept alone: $h"
[ "$(echo "$h" | grep -c '^From:')" -eq 1 ] && [ "$(echo "$h" | grep -c '^Date:')" -eq 1 ] ||
	fail "A2: From/Date duplicated: $h"

# B: -f and -F.
printf 'Subject: B\n\nmarker-B-%s\n' "$tag" |
	"$INJ" -C "$ETC" -f sender-b@example.org -F 'Backup Job' myuser@mycompany.com ||
	fail "B: exit $?"
wait_for "B delivered" has_mail "$MY" "marker-B-$tag"
h=$(header_of "$(mail_with "$MY" "marker-B-$tag")")
echo "$h" | grep -q '^Return-Path: <sender-b@example.org>$' || fail "B: Return-Path: $h"
echo "$h" | grep -q '^From: Backup Job <sender-b@example.org>$' || fail "B: From: $h"

# C: the "." line.
printf 'Subject: C1\n\nmarker-C1-%s\n.\nafter-dot-C1\n' "$tag" |
	"$INJ" -C "$ETC" myuser@mycompany.com || fail "C1: exit $?"
printf 'Subject: C2\n\nmarker-C2-%s\n.\nafter-dot-C2\n' "$tag" |
	"$INJ" -C "$ETC" -i myuser@mycompany.com || fail "C2: exit $?"
printf 'Subject: C3\n\nmarker-C3-%s\n.\nafter-dot-C3\n' "$tag" |
	"$INJ" -C "$ETC" -oi -oem -odi myuser@mycompany.com || fail "C3: exit $?"
wait_for "C1" has_mail "$MY" "marker-C1-$tag"
wait_for "C2" has_mail "$MY" "marker-C2-$tag"
wait_for "C3" has_mail "$MY" "marker-C3-$tag"
grep -q after-dot-C1 "$(mail_with "$MY" "marker-C1-$tag")" && fail "C1: text after the . line kept"
for c in C2 C3; do
	f=$(mail_with "$MY" "marker-$c-$tag")
	grep -q "after-dot-$c" "$f" && grep -qx '\.' "$f" || fail "$c: -i/-oi lost the . line or what follows"
done

# D: CR LF in, LF stored.
printf 'Subject: D\r\n\r\nmarker-D-%s\r\nline2\r\n' "$tag" |
	"$INJ" -C "$ETC" myuser@mycompany.com || fail "D: exit $?"
wait_for "D delivered" has_mail "$MY" "marker-D-$tag"
grep -q $'\r' "$(mail_with "$MY" "marker-D-$tag")" && fail "D: CR left in the stored message"

# E: mail(1) through quail-inject.
if command -v bsd-mailx >/dev/null 2>&1; then
	cat >"$I/run/sendmail-wrapper" <<EOF
#!/bin/sh
echo "\$*" >"$I/run/sendmail-args"
exec "$INJ" -C "$ETC" "\$@"
EOF
	chmod 0755 "$I/run/sendmail-wrapper"
	printf 'set sendmail=%s\n' "$I/run/sendmail-wrapper" >"$I/run/mailrc"
	echo "marker-E-$tag" | MAILRC=$I/run/mailrc bsd-mailx -s "subject E $tag" myuser@mycompany.com ||
		fail "E: mail(1) exit $?"
	wait_for "E delivered" has_mail "$MY" "marker-E-$tag"
	h=$(header_of "$(mail_with "$MY" "marker-E-$tag")")
	echo "$h" | grep -q "^Subject: subject E $tag\$" || fail "E: Subject: $h"
	echo "$h" | grep -q '^Message-ID: ' || fail "E: no Message-ID: $h"
	grep -q -- '-t' "$I/run/sendmail-args" || echo "note: mail(1) ran: sendmail $(cat "$I/run/sendmail-args")"
else
	echo "note: bsd-mailx not installed, part E (mail(1)) not run"
fi

# F: errors; nothing queued.
before=$(count_mess)
out=$(printf 'x\n' | "$INJ" -C "$ETC" 2>&1); rc=$?
[ $rc -eq 64 ] || fail "F: no recipients: exit $rc ($out)"
out=$(printf 'x\n' | "$INJ" -C "$ETC" 'bad address@' 2>&1); rc=$?
[ $rc -eq 65 ] && echo "$out" | grep -q 'bad address' || fail "F: bad address: exit $rc ($out)"
out=$(printf 'Subject: none\n\nx\n' | "$INJ" -C "$ETC" -t 2>&1); rc=$?
[ $rc -eq 64 ] && echo "$out" | grep -q 'no recipients' || fail "F: -t without To: exit $rc ($out)"
out=$(printf 'To: John Smith\n\nx\n' | "$INJ" -C "$ETC" -t 2>&1); rc=$?
[ $rc -eq 65 ] || fail "F: To: without address: exit $rc ($out)"
out=$(printf 'x\n' | "$INJ" -C "$ETC" -bp 2>&1); rc=$?
[ $rc -eq 64 ] || fail "F: -bp: exit $rc ($out)"
out=$(printf 'x\n' | "$INJ" -C "$I/nonexistent" root 2>&1); rc=$?
[ $rc -eq 78 ] || fail "F: missing config: exit $rc ($out)"
# envelope injection: a line break in -f or a recipient is refused, never
# split into a second envelope record or SMTP command
nl='
'
out=$(printf 'x\n' | "$INJ" -C "$ETC" -f "a@example.org${nl}Tmallory@example.org" myuser@mycompany.com 2>&1); rc=$?
[ $rc -eq 65 ] || fail "F: newline in -f: exit $rc ($out)"
out=$(printf 'x\n' | "$INJ" -C "$ETC" "myuser@mycompany.com${nl}Tmallory@example.org" 2>&1); rc=$?
[ $rc -eq 65 ] || fail "F: newline in a recipient: exit $rc ($out)"
[ "$(count_mess)" -eq "$before" ] || fail "F: a refused message was queued"

# F2: a line break in -F cannot add a header field.
printf 'Subject: F2\n\nmarker-F2-%s\n' "$tag" |
	"$INJ" -C "$ETC" -F "Evil${nl}X-Injected: yes" myuser@mycompany.com ||
	fail "F2: exit $?"
wait_for "F2 delivered" has_mail "$MY" "marker-F2-$tag"
f=$(mail_with "$MY" "marker-F2-$tag")
header_of "$f" | grep -q '^X-Injected' && fail "F2: -F injected a header field: $(header_of "$f")"
header_of "$f" | grep -q '^From: .*Evil' || fail "F2: no From: with the name: $(header_of "$f")"

# G: a bare recipient gets @hostname (the instance's hostname is not a
# local domain, so the message stays queued for remote delivery).
printf 'Subject: G\n\nx\n' | "$INJ" -C "$ETC" -f me@mycompany.com "nobody-$$" || fail "G: exit $?"
wait_for "G recipient qualified" grep -q "to=<nobody-$$@mail.mycompany.com>" "$LOG"

# H: -bs.
out=$(printf 'EHLO localhost\r\nMAIL FROM:<me@mycompany.com>\r\nRCPT TO:<myuser@mycompany.com>\r\nDATA\r\nSubject: H\r\n\r\nmarker-H-%s\r\n.\r\nQUIT\r\n' "$tag" |
	"$INJ" -C "$ETC" -bs 2>&1) || fail "H: -bs exit $? ($out)"
echo "$out" | grep -q '^250 2.0.0 .*queued' || fail "H: no 250 after DATA: $out"
wait_for "H delivered" has_mail "$MY" "marker-H-$tag"

# J: no -C, the config dir from $QUAIL_CONFDIR (how the sendmail link is
# used by programs that pass their own options).
printf 'Subject: J\n\nmarker-J-%s\n' "$tag" | QUAIL_CONFDIR=$ETC "$INJ" myuser@mycompany.com ||
	fail "J: QUAIL_CONFDIR: exit $?"
wait_for "J delivered" has_mail "$MY" "marker-J-$tag"

# I: an ordinary user (root runs the real privilege separation).
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && getent passwd nobody >/dev/null; then
	nuid=$(id -u nobody) ngid=$(id -g nobody)
	printf 'Subject: I\n\nmarker-I-%s\n' "$tag" |
		setpriv --reuid="$nuid" --regid="$ngid" --clear-groups "$INJ" -C "$ETC" myuser@mycompany.com ||
		fail "I: quail-inject as nobody: exit $?"
	wait_for "I delivered" has_mail "$MY" "marker-I-$tag"
	h=$(header_of "$(mail_with "$MY" "marker-I-$tag")")
	echo "$h" | grep -q '^Return-Path: <nobody@mail.mycompany.com>$' || fail "I: Return-Path: $h"
	echo "$h" | grep -q "^Received: from nobody by mail.mycompany.com (quail-inject, uid $nuid);" ||
		fail "I: Received: $h"
else
	echo "note: not root, part I (injection by another user) not run"
fi
echo "PASS"
exit 0
