#!/bin/bash
# lab.sh -- the classroom lab: one quail instance on fixed loopback ports
# under real xinetd (DESIGN.md "The lab"). Called by `make lab` / `make lab-stop`.
#
#   scripts/lab.sh start    # (re)create what is missing, restart, print the walkthrough
#   scripts/lab.sh stop
#
# Where: $LAB_DIR, else ./lab in the checkout; as root, when the checkout is
# not traversable by the quail system users, /var/tmp/quail-lab.
# Ports: $LAB_SMTP_PORT (2525), $LAB_SUBMISSION_PORT (2587), $LAB_SMTPS_PORT
# (2465), $LAB_POP3_PORT (2110), $LAB_POP3S_PORT (2995), $LAB_IMAP_PORT
# (2143), $LAB_IMAPS_PORT (2993); a service whose program is not built yet
# is left out (instance.sh says so).
# Binaries: $QUAIL_BUILD (build/release). The admin tools, with the lab's
# config preset, are in <lab>/bin (see the banner).
# Running start twice is harmless: config, users and mail are kept, the
# binaries are refreshed and the services restarted.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd -P)
LAB_SMTP_PORT=${LAB_SMTP_PORT:-2525}
LAB_SUBMISSION_PORT=${LAB_SUBMISSION_PORT:-2587}
LAB_SMTPS_PORT=${LAB_SMTPS_PORT:-2465}
LAB_POP3_PORT=${LAB_POP3_PORT:-2110}
LAB_POP3S_PORT=${LAB_POP3S_PORT:-2995}
LAB_IMAP_PORT=${LAB_IMAP_PORT:-2143}
LAB_IMAPS_PORT=${LAB_IMAPS_PORT:-2993}
export QUAIL_BUILD=${QUAIL_BUILD:-$top/build/release}

# Can a user that owns none of the path reach it? (The quail users own none.)
others_can_traverse() { # dir
	local p=$1
	while :; do
		setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$p" || return 1
		[ "$p" = / ] && return 0
		p=$(dirname "$p")
	done
}

lab_dirs() { # every place a lab may live, for stop
	if [ -n "${LAB_DIR:-}" ]; then
		echo "$LAB_DIR"
	else
		echo "$top/lab"
		[ "$(id -u)" -eq 0 ] && echo /var/tmp/quail-lab
	fi
	return 0
}

pick_dir() {
	if [ -n "${LAB_DIR:-}" ]; then
		echo "$LAB_DIR"
	elif [ "$(id -u)" -eq 0 ] && ! others_can_traverse "$top"; then
		echo /var/tmp/quail-lab
	else
		echo "$top/lab"
	fi
}

cmd_stop() {
	local d
	for d in $(lab_dirs); do
		if [ -f "$d/run/xinetd.conf" ]; then
			"$top/scripts/instance.sh" stop "$d"
			echo "lab in $d stopped"
		fi
	done
}

port_of() { # service -> its port in the running lab, or ""
	awk -v n="$1" '$1 == n { print $2 }' "$dir/run/ports"
}

banner() {
	local smtp sub smtps pop3 pop3s imap imaps t
	smtp=$(port_of smtp) sub=$(port_of submission) smtps=$(port_of smtps)
	pop3=$(port_of pop3) pop3s=$(port_of pop3s)
	imap=$(port_of imap) imaps=$(port_of imaps)
	cat <<EOF

quail lab is running in $dir
  config      $dir/etc/quail.conf   (users, aliases: quail-users(8), quail-newaliases(8))
  log         $dir/log/quail.log   (xinetd: $dir/log/xinetd.log)
  queue       $dir/queue
  Maildirs    $dir/mail/<domain>/<user>/Maildir
  programs    $dir/libexec
  users       myuser@mycompany.com, me@mycompany.com (password: mypassword)
  ports
EOF
	while read -r name port; do
		case $name in
		smtp) t="SMTP (STARTTLS)";;
		submission) t="submission (STARTTLS, AUTH required)";;
		smtps) t="SMTPS (implicit TLS)";;
		pop3) t="POP3 (STLS)";;
		pop3s) t="POP3S (implicit TLS)";;
		imap) t="IMAP (STARTTLS)";;
		imaps) t="IMAPS (implicit TLS)";;
		*) t=$name;;
		esac
		printf '    %-6s %s\n' "$port" "$t"
	done <"$dir/run/ports"
	echo "  admin tools (config preset; add $dir/bin to PATH)"
	for t in "$dir"/bin/*; do
		[ -x "$t" ] || continue
		printf '    %s\n' "$t"
	done
	cat <<EOF

Send a mail by hand (type the lines after "telnet"; the server answers each):

  telnet 127.0.0.1 $smtp
  ehlo mycompany.com
  mail from: me@mycompany.com
  rcpt to: myuser@mycompany.com
  data
  Subject: Test Email
  From: Me a name I call myself
  Date: 7/4/2021

  My Test Email from me!
  .
  quit

Then look at what arrived and what the server logged:

  ls $dir/mail/mycompany.com/myuser/Maildir/new/
  cat $dir/mail/mycompany.com/myuser/Maildir/new/*
  tail -f $dir/log/quail.log
EOF
	if [ -n "$pop3" ]; then
		cat <<EOF

Read it back with POP3 (the message is removed only at QUIT):

  telnet 127.0.0.1 $pop3
  USER myuser@mycompany.com
  PASS mypassword
  STAT
  LIST
  UIDL
  RETR 1
  TOP 1 0
  DELE 1
  QUIT
EOF
	fi
	if [ -n "$imap" ]; then
		cat <<EOF

Read it with IMAP, as the lab sheet does (every command starts with a
tag, here "a"; the server's tagged reply "a OK ..." ends each answer):

  telnet 127.0.0.1 $imap
  a login myuser@mycompany.com mypassword
  a list "" "*"
  a examine inbox
  a FETCH 1 BODY[]
  a logout
EOF
	fi
	cat <<EOF

TLS with the lab's certificate ($dir/etc/tls/cert.pem):

  openssl s_client -starttls smtp -connect 127.0.0.1:$smtp -CAfile $dir/etc/tls/cert.pem
EOF
	[ -z "$sub" ] ||
		echo "  openssl s_client -starttls smtp -connect 127.0.0.1:$sub -CAfile $dir/etc/tls/cert.pem"
	[ -z "$smtps" ] ||
		echo "  openssl s_client -connect 127.0.0.1:$smtps -CAfile $dir/etc/tls/cert.pem"
	[ -z "$pop3" ] ||
		echo "  openssl s_client -starttls pop3 -connect 127.0.0.1:$pop3 -CAfile $dir/etc/tls/cert.pem"
	[ -z "$pop3s" ] ||
		echo "  openssl s_client -connect 127.0.0.1:$pop3s -CAfile $dir/etc/tls/cert.pem"
	[ -z "$imap" ] ||
		echo "  openssl s_client -starttls imap -connect 127.0.0.1:$imap -CAfile $dir/etc/tls/cert.pem"
	[ -z "$imaps" ] ||
		echo "  openssl s_client -connect 127.0.0.1:$imaps -CAfile $dir/etc/tls/cert.pem"
	if [ -n "$sub" ]; then
		cat <<EOF

Send as a mail client does, on the submission port (STARTTLS, then AUTH):

  swaks --server 127.0.0.1:$sub --tls --auth PLAIN \\
    --auth-user myuser@mycompany.com --auth-password mypassword \\
    --from myuser@mycompany.com --to me@mycompany.com
EOF
	fi
	if [ -x "$dir/bin/sendmail" ]; then
		cat <<EOF

Queue a mail from a local program (sendmail-compatible):

  printf 'Subject: hello\n\nhi\n' | $dir/bin/sendmail -f me@mycompany.com myuser@mycompany.com
EOF
	fi
	[ ! -x "$dir/bin/quail-qctl" ] ||
		printf '\nThe queue: %s list\n' "$dir/bin/quail-qctl"
	cat <<EOF

Stop the lab with: make lab-stop
EOF
}

cmd_start() {
	dir=$(pick_dir)
	if [ -f "$dir/run/xinetd.conf" ]; then
		"$top/scripts/instance.sh" stop "$dir"
	fi
	"$top/scripts/instance.sh" create "$dir" --trace --smtp-port "$LAB_SMTP_PORT" \
		--submission-port "$LAB_SUBMISSION_PORT" --smtps-port "$LAB_SMTPS_PORT" \
		--pop3-port "$LAB_POP3_PORT" --pop3s-port "$LAB_POP3S_PORT" \
		--imap-port "$LAB_IMAP_PORT" --imaps-port "$LAB_IMAPS_PORT"
	"$top/scripts/instance.sh" start "$dir"
	dir=$(cd "$dir" && pwd -P)
	banner
}

case ${1:-} in
start) cmd_start;;
stop) cmd_stop;;
*) echo "usage: lab.sh start|stop" >&2; exit 64;;
esac
