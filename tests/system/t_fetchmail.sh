#!/bin/bash
# fetchmail retrieves mail sent by SMTP from quail-pop3d under xinetd:
#  1. POP3 on the plain port with STLS required (sslproto TLS1.2+, the
#     instance certificate checked), keep + uidl: the message arrives at
#     the MDA; a second run fetches nothing; after a new message, a third
#     run fetches only that one (the UIDL list in fetchmail's idfile).
#  2. POP3S (implicit TLS), no keep: both messages are fetched and then
#     deleted on the server; a further run finds no mail.
set -u
. "$(dirname "$0")/lib.sh"
need_cmd fetchmail
need_prog quail-smtpd quail-pop3d

# Bound of one fetchmail run, in seconds.
FETCH_SECS=60

instance_up --pop3-port "$(free_port)" --pop3s-port "$(free_port)" --auth-fail-delay 0
pop3=$(port_of pop3) pop3s=$(port_of pop3s)
[ -n "$pop3" ] && [ -n "$pop3s" ] || fail "POP3 services not configured: $(cat "$inst/run/ports")"
cert=$inst/etc/tls/cert.pem
maildir=$inst/mail/mycompany.com/myuser/Maildir

work=$inst/fetchmail
mkdir -p "$work/out"
chmod 0700 "$work"
export HOME=$work
# The MDA: one file per message in out/.
cat >"$work/mda" <<EOF
#!/bin/sh
exec cat >"\$(mktemp "$work/out/msg.XXXXXX")"
EOF
chmod 0755 "$work/mda"

# fetchmail exit codes: 0 mail fetched, 1 no mail; anything else fails.
fetch() { # rcfile want-exit log
	local rc=0
	timeout "$FETCH_SECS" fetchmail -N -v -f "$1" --pidfile "$work/pid" >"$3" 2>&1 || rc=$?
	[ "$rc" = "$2" ] || { tail -n 40 "$3"; fail "fetchmail -f $1: exit $rc, want $2"; }
}
out_count() { find "$work/out" -type f | wc -l; }
subjects() { cat "$work"/out/* 2>/dev/null | grep -a '^Subject: ' | sort | tr '\n' ' '; }

# A fetchmailrc must be owned by the user and not readable by others.
rc() { # file idfile server-options user-options
	cat >"$1" <<EOF
set no syslog
set no bouncemail
set idfile "$2"
poll 127.0.0.1 $3
	user "myuser@mycompany.com" there with password "mypassword" is "$(id -un)" here
	$4 sslcertck sslcertfile "$cert" sslcommonname mail.mycompany.com
	mda "$work/mda"
EOF
	chmod 0600 "$1"
}
rc "$work/rc-stls" "$work/ids-stls" "with proto POP3 service $pop3 uidl auth password" \
	"keep sslproto TLS1.2+"
rc "$work/rc-ssl" "$work/ids-ssl" "with proto POP3 service $pop3s auth password" \
	"ssl sslproto TLS1.2+"

send_mail "$smtp_port" me@mycompany.com myuser@mycompany.com "fetch one" || fail "SMTP send 1"
wait_count "$maildir/new" 1 10 || fail "message 1 not delivered in 10s"

# 1. STLS, keep, uidl.
fetch "$work/rc-stls" 0 "$work/log1"
grep -aq 'POP3> STLS' "$work/log1" || { cat "$work/log1"; fail "fetchmail did not use STLS"; }
grep -aq 'SSL/TLS: using protocol TLSv1\.[23]' "$work/log1" || { cat "$work/log1"; fail "no TLS 1.2+ after STLS"; }
[ "$(out_count)" = 1 ] || fail "run 1 fetched $(out_count) messages, want 1"
grep -aq '^Subject: fetch one' "$work"/out/* || fail "run 1: not the message sent ($(subjects))"
grep -aq '^Body of fetch one' "$work"/out/* || fail "run 1: body missing"
grep -aq '^Return-Path: <me@mycompany.com>' "$work"/out/* || fail "run 1: no Return-Path"
[ -s "$work/ids-stls" ] || fail "fetchmail wrote no UIDL list"

fetch "$work/rc-stls" 1 "$work/log2"
[ "$(out_count)" = 1 ] || fail "run 2 (nothing new) fetched again: $(subjects)"

send_mail "$smtp_port" me@mycompany.com myuser@mycompany.com "fetch two" || fail "SMTP send 2"
i=0
until [ "$(find "$maildir/new" "$maildir/cur" -type f | wc -l)" -ge 2 ]; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "message 2 not delivered in 10s"
	sleep 0.1
done
fetch "$work/rc-stls" 0 "$work/log3"
[ "$(out_count)" = 2 ] || fail "run 3 fetched $(( $(out_count) - 1 )) messages, want 1 (the new one): $(subjects)"
[ "$(grep -al '^Subject: fetch two' "$work"/out/* | wc -l)" = 1 ] || fail "run 3 did not fetch 'fetch two'"
[ "$(grep -al '^Subject: fetch one' "$work"/out/* | wc -l)" = 1 ] || fail "run 3 fetched 'fetch one' again"

# 2. POP3S, no keep: both fetched, then gone from the server.
rm -f "$work"/out/*
fetch "$work/rc-ssl" 0 "$work/log4"
grep -aq 'SSL/TLS: using protocol TLSv1\.[23]' "$work/log4" || { cat "$work/log4"; fail "POP3S: no TLS 1.2+"; }
! grep -aq 'POP3> STLS' "$work/log4" || fail "STLS on the POP3S port"
[ "$(out_count)" = 2 ] || fail "POP3S run fetched $(out_count) messages, want 2"
[ "$(subjects)" = "Subject: fetch one Subject: fetch two " ] || fail "POP3S run got: $(subjects)"
left=$(find "$maildir/new" "$maildir/cur" -type f | wc -l)
[ "$left" = 0 ] || fail "$left message(s) left in the Maildir after fetch without keep"
fetch "$work/rc-ssl" 1 "$work/log5"
[ "$(out_count)" = 2 ] || fail "POP3S run on an empty maildrop fetched something"
echo PASS
