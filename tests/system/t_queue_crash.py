#!/usr/bin/env python3
"""t_queue_crash.py -- at-least-once across a crash of quail-send.

1000 messages are queued through quail-queue, quail-send starts delivering
them with the real quail-deliver, gets SIGKILL mid-way, is restarted, and
every message must end up in the Maildir exactly once or (at worst, for
deliveries that were running at the kill) twice -- never zero times. The
queue must be empty afterwards (no orphan state files, nothing in tmp/).
Exit 0 pass, 77 skip, 1 fail. Bounded: TOTAL_SECS for the whole test.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

N_MESSAGES = 1000
KILL_AFTER = 150          # delivered messages before the SIGKILL
TOTAL_SECS = 120
INJECT_THREADS = 4

SRC = os.environ.get("QUAIL_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("QUAIL_BUILD") or os.path.join(SRC, "build", "san")
START = time.monotonic()


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def left():
    return TOTAL_SECS - (time.monotonic() - START)


class Fail(Exception):
    pass


def inject(inst, sender, rcpt, body):
    """Runs quail-queue as lib/qsubmit.c does; returns the queue id."""
    a, b = socket.socketpair()
    p = subprocess.Popen([os.path.join(inst, "libexec", "quail-queue"),
                          "-C", os.path.join(inst, "etc")],
                         stdin=subprocess.PIPE, stdout=b.fileno(),
                         stderr=subprocess.PIPE)
    b.close()
    p.stdin.write(body)
    p.stdin.close()
    a.sendall(("F%s\nR%s\nE\n" % (sender, rcpt)).encode())
    a.shutdown(socket.SHUT_WR)
    a.settimeout(60)
    reply = b""
    while True:
        d = a.recv(4096)
        if not d:
            break
        reply += d
    a.close()
    rc = p.wait(timeout=60)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if rc != 0 or not reply.startswith(b"K"):
        raise Fail("quail-queue: exit %d reply %r %s" % (rc, reply, err))
    return reply[1:].strip().decode()


def count_files(d):
    try:
        return len(os.listdir(d))
    except FileNotFoundError:
        return 0


def start_send(inst, out):
    pidfile = os.path.join(inst, "run", "quail-send.pid")
    try:
        os.unlink(pidfile)
    except FileNotFoundError:
        pass
    p = subprocess.Popen([os.path.join(inst, "libexec", "quail-send"),
                          "-C", os.path.join(inst, "etc"), "-p", pidfile],
                         stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    deadline = time.monotonic() + 10
    while not os.path.exists(pidfile):
        if time.monotonic() > deadline or p.poll() is not None:
            raise Fail("quail-send did not start")
        time.sleep(0.05)
    return p


def main():
    for prog in ("quail-queue", "quail-send", "quail-deliver", "quail-users",
                 "quail-newaliases", "quail-smtpd"):
        if not os.access(os.path.join(BUILD, prog), os.X_OK):
            skip("%s not built in %s" % (prog, BUILD))
    inst_sh = os.path.join(SRC, "scripts", "instance.sh")
    if not os.access(inst_sh, os.X_OK):
        skip("scripts/instance.sh missing")

    tmp = tempfile.mkdtemp(prefix="quail-tqc.")
    os.chmod(tmp, 0o755)        # as root the quail users traverse it
    inst = os.path.join(tmp, "inst")
    procs = []
    try:
        run(tmp, inst, inst_sh, procs)
    except Fail as e:
        print("FAIL:", e)
        try:
            with open(os.path.join(inst, "log", "quail.log"), errors="replace") as f:
                print("--- quail.log (tail)\n" + "".join(f.readlines()[-30:]))
        except OSError:
            pass
        return 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")
    return 0


def run(tmp, inst, inst_sh, procs):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    env = dict(os.environ, QUAIL_BUILD=BUILD)
    r = subprocess.run([inst_sh, "create", inst, "--smtp-port", str(port)],
                       env=env, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise Fail("instance.sh create: " + r.stdout + r.stderr)
    with open(os.path.join(inst, "etc", "quail.conf"), "a") as f:
        f.write("retry_min = 1s\nretry_max = 2s\n")
    queue = os.path.join(inst, "queue")
    out = open(os.path.join(tmp, "send.out"), "ab")

    # quail-send once to create the queue layout, then stopped: the
    # messages are all queued before delivery starts.
    p = start_send(inst, out)
    procs.append(p)
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=15) != 0:
        raise Fail("quail-send exit %d on SIGTERM" % p.returncode)

    tag = "crash-%d" % os.getpid()
    errors = []

    def worker(k):
        try:
            for n in range(k, N_MESSAGES, INJECT_THREADS):
                body = ("Subject: %s %d\n\n%s-%d-end\n" % (tag, n, tag, n)).encode()
                inject(inst, "me@mycompany.com", "myuser@mycompany.com", body)
        except Exception as e:      # noqa: BLE001 -- reported below
            errors.append(str(e))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(INJECT_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1, left()))
    if errors or any(t.is_alive() for t in threads):
        raise Fail("injection: %s" % (errors[:3] or "timed out"))
    if count_files(os.path.join(queue, "mess")) != N_MESSAGES:
        raise Fail("expected %d queued messages" % N_MESSAGES)
    print("queued %d messages after %.1fs" % (N_MESSAGES, time.monotonic() - START))

    maildir = None
    for root, dirs, _ in os.walk(os.path.join(inst, "mail")):
        if root.endswith(os.path.join("myuser", "Maildir")):
            maildir = root
    if maildir is None:
        raise Fail("myuser's Maildir not found")
    new = os.path.join(maildir, "new")

    p = start_send(inst, out)
    procs.append(p)
    while count_files(new) < KILL_AFTER:
        if left() < 60 or p.poll() is not None:
            raise Fail("deliveries too slow before the kill (%d)" % count_files(new))
        time.sleep(0.02)
    p.kill()                                    # SIGKILL mid-way
    p.wait()
    at_kill = count_files(new)
    print("killed quail-send with %d delivered" % at_kill)
    if at_kill >= N_MESSAGES:
        raise Fail("everything was delivered before the kill: not mid-way")

    p = start_send(inst, out)
    procs.append(p)
    mess = os.path.join(queue, "mess")
    while count_files(mess) > 0:
        if left() < 5 or p.poll() is not None:
            raise Fail("queue not drained: %d left" % count_files(mess))
        time.sleep(0.1)
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=15) != 0:
        raise Fail("quail-send exit %d on SIGTERM" % p.returncode)

    counts = [0] * N_MESSAGES
    pat = re.compile((r"^%s-(\d+)-end$" % re.escape(tag)).encode(), re.M)
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        for name in os.listdir(d):
            with open(os.path.join(d, name), "rb") as f:
                for m in pat.finditer(f.read()):
                    counts[int(m.group(1))] += 1
    lost = [n for n, c in enumerate(counts) if c == 0]
    many = [n for n, c in enumerate(counts) if c > 2]
    dups = sum(1 for c in counts if c == 2)
    print("delivered: %d once, %d twice" % (counts.count(1), dups))
    if lost:
        raise Fail("%d messages LOST, e.g. %s" % (len(lost), lost[:10]))
    if many:
        raise Fail("%d messages delivered more than twice, e.g. %s" % (len(many), many[:10]))
    leftovers = os.listdir(os.path.join(queue, "state")) + os.listdir(os.path.join(queue, "tmp"))
    if leftovers:
        raise Fail("left in state/ or tmp/: %s" % leftovers[:5])


if __name__ == "__main__":
    sys.exit(main())
