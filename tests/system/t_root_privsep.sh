#!/bin/bash
# Privilege separation of a root instance: while a client session is open,
# quail-smtpd talks to it as the daemon user (quaild), never as root;
# quail-send's scheduler runs as the queue user; delivered Maildir files
# belong to the vmail user, queue files to the queue user, quail-queue is
# setuid to the queue user.
set -u
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "not root"
need_cmd setpriv

# example.org's "MX" is a closed port: the relayed message stays queued.
instance_up --conf "smtp_routes = example.org=[127.0.0.1]:$(free_port)"
DAEMON_USER=${DAEMON_USER:-quaild}
QUEUE_USER=${QUEUE_USER:-quailq}
VMAIL_USER=${VMAIL_USER:-quailv}

[ "$(stat -c '%U %a' "$inst/libexec/quail-queue")" = "$QUEUE_USER 4711" ] ||
	fail "quail-queue is $(stat -c '%U %a' "$inst/libexec/quail-queue"), want $QUEUE_USER 4711"

# A session held open (banner read, EHLO answered) while we look at ps.
fifo=$inst/run/t.fifo
mkfifo "$fifo"
python3 - "$smtp_port" "$fifo" <<'PY' &
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
f = s.makefile("rb")
line = f.readline()
s.sendall(b"EHLO client.example\r\n")
while True:
    l = f.readline()
    if not l or l[3:4] == b" ":
        break
with open(sys.argv[2], "w") as w:   # tell the test we are in the session
    w.write(line.decode(errors="replace"))
with open(sys.argv[2]) as r:        # wait until the test is done looking
    r.read()
s.sendall(b"QUIT\r\n")
f.readline()
PY
client=$!
release() { timeout 5 sh -c 'echo . >"$1"' sh "$fifo" || true; }
banner=$(timeout 20 head -n 1 "$fifo") || fail "no session"
case $banner in 220*) ;; *) fail "banner: $banner";; esac
users=$(ps -o user= -C quail-smtpd | sort -u | tr '\n' ' ')
# Any quail-smtpd of this instance: by its command line.
sess=$(pgrep -f "quail-smtpd.* -C $inst/etc" | tr '\n' ' ')
[ -n "$sess" ] || { release; fail "no quail-smtpd process while a session is open"; }
protocol_users=""
for p in $sess; do
	protocol_users="$protocol_users $(ps -o user= -p "$p")"
done
release
wait "$client" || fail "client failed"
echo "quail-smtpd processes: $sess users:$protocol_users (all: $users)"
case " $protocol_users " in
*" $DAEMON_USER "*) ;;
*) fail "no quail-smtpd process runs as $DAEMON_USER (users:$protocol_users)";;
esac

# The scheduler as the queue user.
send_users=$(for p in $(pgrep -f "quail-send.* -C $inst/etc"); do ps -o user= -p "$p"; done | sort -u | tr '\n' ' ')
case " $send_users " in
*" $QUEUE_USER "*) ;;
*) fail "no quail-send process runs as $QUEUE_USER (users: $send_users)";;
esac

# A local delivery and a relayed message that stays in the queue.
python3 - "$smtp_port" <<'PY' || fail "smtplib"
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20) as s:
    s.sendmail("me@mycompany.com", ["myuser@mycompany.com"], b"Subject: local\r\n\r\nlocal\r\n")
    s.sendmail("me@mycompany.com", ["someone@example.org"], b"Subject: remote\r\n\r\nremote\r\n")
PY
f=$(wait_for_file "$inst/mail/mycompany.com/myuser/Maildir/new/*" 10) || fail "not delivered"
[ "$(stat -c %U "$f")" = "$VMAIL_USER" ] || fail "$f owned by $(stat -c %U "$f"), want $VMAIL_USER"
q=$(wait_for_file "$inst/queue/mess/*" 10) || fail "relayed message not in the queue"
bad=$(find "$inst/queue" -mindepth 1 ! -user "$QUEUE_USER" | head -n 5)
[ -z "$bad" ] || fail "queue entries not owned by $QUEUE_USER: $bad"
[ "$(stat -c %U "$q")" = "$QUEUE_USER" ] || fail "$q not owned by $QUEUE_USER"
bad=$(find "$inst/mail" -mindepth 1 ! -user "$VMAIL_USER" | head -n 5)
[ -z "$bad" ] || fail "mail entries not owned by $VMAIL_USER: $bad"
echo PASS
