#!/bin/bash
# getmail6 retrieves mail sent by SMTP from quail-pop3d under xinetd into a
# Maildir, leaving it on the server (delete = false, read_all = false):
#  1. SimplePOP3SSLRetriever (POP3S, the instance certificate checked):
#     the message arrives; a second run retrieves nothing; after a new
#     message, a third run retrieves only that one (getmail's oldmail file,
#     built from UIDL).
#  2. SimplePOP3Retriever (plain POP3 with USER/PASS, use_apop = false,
#     allowed from loopback by plaintext_auth_networks): the same.
# getmail refuses to deliver as root: as root it runs as nobody.
set -u
. "$(dirname "$0")/lib.sh"
need_cmd getmail setpriv
need_prog quail-smtpd quail-pop3d

# Bound of one getmail run, in seconds.
GETMAIL_SECS=60

instance_up --pop3-port "$(free_port)" --pop3s-port "$(free_port)" --auth-fail-delay 0
pop3=$(port_of pop3) pop3s=$(port_of pop3s)
[ -n "$pop3" ] && [ -n "$pop3s" ] || fail "POP3 services not configured: $(cat "$inst/run/ports")"
cert=$inst/etc/tls/cert.pem
maildir=$inst/mail/mycompany.com/myuser/Maildir

work=$inst/getmail
mkdir -p "$work"
runas=()
if [ "$(id -u)" -eq 0 ]; then
	runas=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
fi

rcfile() { # name retriever-type port extra-retriever-lines
	mkdir -p "$work/$1/Maildir/tmp" "$work/$1/Maildir/new" "$work/$1/Maildir/cur"
	cat >"$work/$1/getmailrc" <<EOF
[retriever]
type = $2
server = 127.0.0.1
port = $3
username = myuser@mycompany.com
password = mypassword
timeout = 20
$4

[destination]
type = Maildir
path = $work/$1/Maildir/

[options]
verbose = 2
read_all = false
delete = false
EOF
}
rcfile ssl SimplePOP3SSLRetriever "$pop3s" "ca_certs = $cert
ssl_cert_hostname = mail.mycompany.com"
rcfile plain SimplePOP3Retriever "$pop3" "use_apop = false"
[ "${#runas[@]}" -eq 0 ] || chown -R nobody "$work"

run_getmail() { # name log
	local rc=0
	timeout "$GETMAIL_SECS" "${runas[@]}" env HOME="$work/$1" \
		getmail --getmaildir "$work/$1" --rcfile "$work/$1/getmailrc" >"$2" 2>&1 || rc=$?
	[ "$rc" = 0 ] || { cat "$2"; fail "getmail ($1) exit $rc"; }
}
count() { find "$work/$1/Maildir/new" "$work/$1/Maildir/cur" -type f | wc -l; }
has_subject() { # name subject -> number of files with it
	grep -al "^Subject: $2\$" "$work/$1"/Maildir/new/* 2>/dev/null | wc -l
}
on_server() { find "$maildir/new" "$maildir/cur" -type f 2>/dev/null | wc -l; }
sent=0
send() { # subject
	send_mail "$smtp_port" me@mycompany.com myuser@mycompany.com "$1" || fail "SMTP send '$1'"
	sent=$((sent + 1))
	local i=0
	until [ "$(on_server)" -ge "$sent" ]; do
		i=$((i + 1)); [ "$i" -le 100 ] || fail "'$1' not delivered in 10s"
		sleep 0.1
	done
}

check_runs() { # name first-subject
	local n=$1 log=$work/$1.log
	run_getmail "$n" "$log.1"
	[ "$(count "$n")" = "$sent" ] || { cat "$log.1"; fail "$n run 1: $(count "$n") messages, want $sent"; }
	[ "$(has_subject "$n" "$2")" = 1 ] || fail "$n run 1: '$2' not retrieved"
	ls "$work/$n"/oldmail-* >/dev/null 2>&1 || fail "$n: no oldmail file"
	run_getmail "$n" "$log.2"
	[ "$(count "$n")" = "$sent" ] || { cat "$log.2"; fail "$n run 2 (nothing new) retrieved again"; }
	grep -q ' 0 messages .* retrieved' "$log.2" || { cat "$log.2"; fail "$n run 2 did not report 0 retrieved"; }
	send "$n new"
	run_getmail "$n" "$log.3"
	[ "$(count "$n")" = "$sent" ] || { cat "$log.3"; fail "$n run 3: $(count "$n") messages, want $sent"; }
	[ "$(has_subject "$n" "$n new")" = 1 ] || fail "$n run 3: '$n new' not retrieved"
	[ "$(has_subject "$n" "$2")" = 1 ] || fail "$n run 3 retrieved '$2' again"
	grep -q ' 1 messages .* retrieved' "$log.3" || { cat "$log.3"; fail "$n run 3 did not report 1 retrieved"; }
}

send "getmail one"
check_runs ssl "getmail one"
check_runs plain "getmail one"
# Both retrievers left everything on the server.
[ "$(on_server)" = "$sent" ] || fail "$(on_server) messages on the server, want $sent (delete = false)"
grep -aq '^Body of getmail one' "$work"/ssl/Maildir/new/* || fail "body not retrieved"
echo PASS
