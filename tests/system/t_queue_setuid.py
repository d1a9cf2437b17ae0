#!/usr/bin/env python3
"""t_queue_setuid.py -- quail-queue installed setuid, run by a hostile
unprivileged caller (quail-queue(8) SECURITY).

Root only (skip otherwise): an instance is created (its quail-queue is
setuid to the queue user) and quail-queue is run as the daemon user with:

  - RLIMIT_FSIZE below the queue file's size, for a small (in-memory) and
    a large (spooled) message: a temporary failure "Z..." with exit 111,
    nothing new in mess/ and nothing left in tmp/ (not death by SIGXFSZ
    halfway through the write);
  - every signal blocked and SIGHUP/SIGTERM ignored, and an environment
    with TZ and QUAIL_CONFDIR: while it waits for the envelope, /proc shows
    no blocked signal and SIGHUP/SIGTERM not ignored; the caller's TZ does
    not reach the log's time stamps;
  - fd 2 closed: the message is queued normally;
  - -C with a config dir the caller owns: refused, temporary, nothing queued.

Exit 0 pass, 77 skip, 1 fail.
"""
import os
import pwd
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("QUAIL_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("QUAIL_BUILD") or os.path.join(SRC, "build", "san")
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1")
FSIZE_LIMIT = 4096
BIG_BYTES = 700 * 1024          # above quail-queue's in-memory 512 KiB
WAIT_SECS = 20


class Fail(Exception):
    pass


def caller(user, fsize=None, hostile_signals=False, close_stderr=False):
    pw = pwd.getpwnam(user)

    def pre():
        os.setgroups([])
        os.setgid(pw.pw_gid)
        os.setuid(pw.pw_uid)
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        if hostile_signals:
            signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals)
                                   - {signal.SIGKILL, signal.SIGSTOP})
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if close_stderr:
            os.close(2)
    return pre


def start(inst, pre, confdir=None, env=None):
    a, b = socket.socketpair()
    p = subprocess.Popen([os.path.join(inst, "libexec", "quail-queue"),
                          "-C", confdir or os.path.join(inst, "etc")],
                         stdin=subprocess.PIPE, stdout=b.fileno(),
                         stderr=subprocess.DEVNULL, preexec_fn=pre, env=env)
    b.close()
    return p, a


def finish(p, a, body):
    a.settimeout(WAIT_SECS)
    try:
        p.stdin.write(body)
        p.stdin.close()
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        a.sendall(b"Fme@mycompany.com\nRmyuser@mycompany.com\nE\n")
        a.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    reply = b""
    while True:
        try:
            d = a.recv(4096)
        except ConnectionResetError:
            break
        if not d:
            break
        reply += d
    a.close()
    return p.wait(timeout=WAIT_SECS), reply


def listing(queue):
    return {d: sorted(os.listdir(os.path.join(queue, d))) for d in ("mess", "tmp")}


def run(inst, user):
    queue = os.path.join(inst, "queue")
    small = b"Subject: fsize\n\n" + b"x" * (FSIZE_LIMIT * 2) + b"\n"
    big = b"Subject: big\n\n" + (b"y" * 99 + b"\n") * (BIG_BYTES // 100)
    for name, body in (("in-memory", small), ("spooled", big)):
        before = listing(queue)
        p, a = start(inst, caller(user, fsize=FSIZE_LIMIT))
        rc, reply = finish(p, a, body)
        if rc != 111 or not reply.startswith(b"Z"):
            raise Fail("RLIMIT_FSIZE %d, %s message: exit %d reply %r (want Z, 111)"
                       % (FSIZE_LIMIT, name, rc, reply))
        if listing(queue) != before:
            raise Fail("RLIMIT_FSIZE, %s message: queue changed: %s -> %s"
                       % (name, before, listing(queue)))
        print("ok: RLIMIT_FSIZE, %s message: %s" % (name, reply.decode().strip()))

    # /proc/<pid>/environ shows the original block even after clearenv();
    # the effect is seen in the log: no real zone is 3:17 behind UTC.
    env = {"TZ": "QQQ+03:17", "QUAIL_CONFDIR": "/nonexistent", "PATH": "/bin"}
    p, a = start(inst, caller(user, hostile_signals=True), env=env)
    try:
        deadline = time.monotonic() + WAIT_SECS
        log = os.path.join(inst, "log", "quail.log")
        while True:     # until it has its log open and sleeps: past its setup
            try:
                with open("/proc/%d/status" % p.pid) as f:
                    st = dict(l.rstrip("\n").split(":\t", 1) for l in f if ":\t" in l)
                fds = [os.readlink("/proc/%d/fd/%s" % (p.pid, fd))
                       for fd in os.listdir("/proc/%d/fd" % p.pid)]
            except FileNotFoundError:
                raise Fail("quail-queue exited early (%r)" % p.poll())
            if log in fds and st.get("State", "").startswith("S"):
                break
            if time.monotonic() > deadline:
                raise Fail("quail-queue not waiting for the message (%s)" % st.get("State"))
            time.sleep(0.02)
        blk = int(st["SigBlk"], 16)
        ign = int(st["SigIgn"], 16)
    finally:
        rc, reply = finish(p, a, b"Subject: signals\n\nhello\n")
    if blk != 0:
        raise Fail("signals inherited blocked: SigBlk %s" % st["SigBlk"])
    for sig in (signal.SIGHUP, signal.SIGTERM):
        if ign & (1 << (sig - 1)):
            raise Fail("%s inherited ignored: SigIgn %s" % (sig.name, st["SigIgn"]))
    if rc != 0 or not reply.startswith(b"K"):
        raise Fail("hostile signals/environment: exit %d reply %r" % (rc, reply))
    qid = reply[1:].strip().decode()
    with open(os.path.join(inst, "log", "quail.log"), errors="replace") as f:
        line = [l for l in f if "id=%s " % qid in l and "quail-queue" in l]
    if not line:
        raise Fail("no log line for %s" % qid)
    if "-03:17 " in line[0]:
        raise Fail("the caller's TZ was used when setuid: %s" % line[0].strip())
    print("ok: signals reset, environment dropped, queued %s" % reply.decode().strip())

    p, a = start(inst, caller(user, close_stderr=True))
    rc, reply = finish(p, a, b"Subject: nostderr\n\nhello\n")
    if rc != 0 or not reply.startswith(b"K"):
        raise Fail("closed fd 2: exit %d reply %r" % (rc, reply))
    qf = os.path.join(queue, "mess", reply[1:].strip().decode())
    with open(qf, "rb") as f:
        if not f.read().endswith(b"\n\nhello\n"):
            raise Fail("closed fd 2: queue file damaged")
    print("ok: closed fd 2")

    mine = os.path.join(os.path.dirname(inst), "userconf")
    shutil.copytree(os.path.join(inst, "etc"), mine)
    pw = pwd.getpwnam(user)
    for root, dirs, files in os.walk(mine):
        for n in dirs + files + ["."]:
            os.chown(os.path.join(root, n), pw.pw_uid, pw.pw_gid)
    before = listing(queue)
    p, a = start(inst, caller(user), confdir=mine)
    rc, reply = finish(p, a, b"Subject: conf\n\nhello\n")
    if rc != 111 or not reply.startswith(b"Z") or b"not owned by root" not in reply:
        raise Fail("-C with the caller's dir: exit %d reply %r" % (rc, reply))
    if listing(queue) != before:
        raise Fail("-C with the caller's dir: something was queued")
    print("ok: -C with a dir the caller owns refused")


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root (quail-queue setuid, a second user)")
        return 77
    for prog in ("quail-queue", "quail-send", "quail-users", "quail-newaliases"):
        if not os.access(os.path.join(BUILD, prog), os.X_OK):
            print("SKIP: %s not built in %s" % (prog, BUILD))
            return 77
    tmp = tempfile.mkdtemp(prefix="quail-tqs.")
    os.chmod(tmp, 0o755)
    inst = os.path.join(tmp, "inst")
    try:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        r = subprocess.run([os.path.join(SRC, "scripts", "instance.sh"), "create",
                            inst, "--smtp-port", str(port)],
                           env=dict(os.environ, QUAIL_BUILD=BUILD),
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise Fail("instance.sh create: " + r.stdout + r.stderr)
        qq = os.stat(os.path.join(inst, "libexec", "quail-queue"))
        if not qq.st_mode & 0o4000:
            raise Fail("instance quail-queue is not setuid")
        user = "quaild"
        for line in open(os.path.join(inst, "etc", "quail.conf")):
            if line.split("=")[0].strip() == "daemon_user":
                user = line.split("=", 1)[1].strip()
        run(inst, user)
    except Fail as e:
        print("FAIL:", e)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
