#!/bin/bash
# lab.sh -- the classroom lab: one quail instance on fixed loopback ports
# under real xinetd (DESIGN.md "The lab"). Called by `make lab` / `make lab-stop`.
#
#   scripts/lab.sh start    # (re)create what is missing, restart, print the walkthrough
#   scripts/lab.sh stop
#
# Where: $LAB_DIR, else ./lab in the checkout; as root, when the checkout is
# not traversable by the quail system users, /var/tmp/quail-lab.
# Ports: $LAB_SMTP_PORT (2525). Binaries: $QUAIL_BUILD (build/release).
# Running start twice is harmless: config, users and mail are kept, the
# binaries are refreshed and the services restarted.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd -P)
LAB_SMTP_PORT=${LAB_SMTP_PORT:-2525}
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

cmd_start() {
	local dir
	dir=$(pick_dir)
	if [ -f "$dir/run/xinetd.conf" ]; then
		"$top/scripts/instance.sh" stop "$dir"
	fi
	"$top/scripts/instance.sh" create "$dir" --trace --smtp-port "$LAB_SMTP_PORT"
	"$top/scripts/instance.sh" start "$dir"
	dir=$(cd "$dir" && pwd -P)
	cat <<EOF

quail lab is running in $dir
  config      $dir/etc/quail.conf   (users, aliases: quail-users(8), quail-newaliases(8))
  log         $dir/log/quail.log   (xinetd: $dir/log/xinetd.log)
  queue       $dir/queue
  Maildirs    $dir/mail/<domain>/<user>/Maildir
  programs    $dir/libexec
  ports       $(tr '\n' ' ' <"$dir/run/ports")
  users       myuser@mycompany.com, me@mycompany.com (password: mypassword)

Send a mail by hand (type the lines after "telnet"; the server answers each):

  telnet 127.0.0.1 $LAB_SMTP_PORT
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

Stop the lab with: make lab-stop
EOF
}

case ${1:-} in
start) cmd_start;;
stop) cmd_stop;;
*) echo "usage: lab.sh start|stop" >&2; exit 64;;
esac
