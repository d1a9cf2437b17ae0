#!/usr/bin/env python3
"""t_queue_kill_steps.py -- SIGKILL at every step of quail-queue and of the
Maildir delivery; only the states of mail-queue(7) may remain.

Part 1, quail-queue: for each system call that matters (openat, read,
write, fsync, close, renameat2) and each N, quail-queue runs under
`strace -e inject=<call>:signal=SIGKILL:when=N` until a run gets through N
calls without being killed. After every run: a "K<id>" answer means
mess/<id> exists; every file in mess/ is complete (envelope END, then
exactly S message bytes). Then quail-send starts (with the tmp/ leftovers
aged past 36 hours, plus one fresh tmp/ file that must stay) and must
deliver exactly the messages in mess/, each once, and nothing else, and
remove the aged tmp/ files.

Part 2, the delivery child of quail-send's launcher: strace attaches to
the launcher (-f: its helpers and delivery children) and kills the helper
at its open of the queue file (the launcher must then answer "Z" for it,
or the recipient would wait for a restart of quail-send), and the
delivery child at its Nth write (the Maildir file, the log, the result
line), at its first fsync (the message in tmp/), at the rename into new/
and at the fsync of new/. After each kill nothing partial may be in new/
(every file there is complete, its ,S= equals its size); a flush then
must deliver the message: exactly once in all, or twice when the file was
already in new/ at the kill.

Part 3: with the delivery child held at its first fsync (strace
delay_enter), /proc shows it runs as the mailbox owner, holds no
descriptor besides 0-2, its log and the Maildir file, and ignores or
blocks no signal that a fresh program would not. A virtual user's child
has no supplementary groups. Part 4 (root): the same for a system user
(system_users = yes) with a supplementary group, which the child must
carry (initgroups).

Exit 0 pass, 77 skip, 1 fail. Bounded by TOTAL_SECS.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOTAL_SECS = 300
MAX_N = 60                 # writes of one delivery child, at most
MAX_N_TOTAL = 2000         # calls of one kind in one quail-queue run
STALE_SECS = 37 * 3600     # older than quail-send's 36 h limit
SEND_WAIT_SECS = 30
BIG_BYTES = 600 * 1024     # above quail-queue's 512 KiB in-memory limit

SRC = os.environ.get("QUAIL_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("QUAIL_BUILD") or os.path.join(SRC, "build", "san")
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1")
START = time.monotonic()
SENDER = "me@mycompany.com"
RCPT = "myuser@mycompany.com"


class Fail(Exception):
    pass


def skip(why):
    print("SKIP:", why)
    sys.exit(77)


def check_time(what):
    if time.monotonic() - START > TOTAL_SECS:
        raise Fail("out of time (%ds) during %s" % (TOTAL_SECS, what))


def wait_for(pred, secs, what):
    deadline = time.monotonic() + secs
    while not pred():
        if time.monotonic() > deadline:
            raise Fail("timeout (%ds) waiting for %s" % (secs, what))
        time.sleep(0.02)


def body_for(tag, big=False):
    text = "Subject: %s\n\nstart %s\n" % (tag, tag)
    if big:
        line = "%s filler line to make the message big enough\n" % tag
        text += line * (BIG_BYTES // len(line) + 1)
    return (text + "end %s\n" % tag).encode()


def queue_once(inst, body, prefix=(), rcpt=RCPT):
    """quail-queue as lib/qsubmit.c runs it, maybe under strace.
    Returns (returncode, reply bytes)."""
    a, b = socket.socketpair()
    p = subprocess.Popen(list(prefix) + [os.path.join(inst, "libexec", "quail-queue"),
                                         "-C", os.path.join(inst, "etc")],
                         stdin=subprocess.PIPE, stdout=b.fileno(),
                         stderr=subprocess.DEVNULL)
    b.close()
    a.settimeout(30)
    reply = b""
    try:
        try:
            p.stdin.write(body)
            p.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            a.sendall(("F%s\nR%s\nE\n" % (SENDER, rcpt)).encode())
            a.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            try:
                d = a.recv(4096)
            except ConnectionResetError:
                break
            if not d:
                break
            reply += d
    finally:
        a.close()
        try:
            p.stdin.close()
        except OSError:
            pass
    return p.wait(timeout=30), reply


def parse_queue_file(path):
    """Checks the file is complete; returns its message bytes."""
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    size = None
    first = True
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            raise Fail("%s: no END record" % path)
        rec = data[pos:nl]
        pos = nl + 1
        if first and rec != b"V1":
            raise Fail("%s: first record %r" % (path, rec))
        first = False
        if rec.startswith(b"S"):
            size = int(rec[1:])
        if rec == b"E":
            break
    if size is None or len(data) - pos != size:
        raise Fail("%s: %d message bytes, S says %r (partial file in mess/)"
                   % (path, len(data) - pos, size))
    return data[pos:]


def tags_in(data):
    m = re.search(rb"^Subject: (\S+)$", data, re.M)
    return m.group(1).decode() if m else None


def maildir_check(new, rcpt=RCPT):
    """Every file in new/ complete; returns {tag: count}."""
    counts = {}
    for name in os.listdir(new):
        path = os.path.join(new, name)
        with open(path, "rb") as f:
            data = f.read()
        m = re.search(r",S=(\d+),W=(\d+)$", name)
        if m is None or int(m.group(1)) != len(data):
            raise Fail("new/%s: size %d does not match its name" % (name, len(data)))
        if int(m.group(2)) != len(data) + data.count(b"\n"):
            raise Fail("new/%s: wrong W=" % name)
        tag = tags_in(data)
        if tag is None or not data.endswith(("end %s\n" % tag).encode()):
            raise Fail("new/%s: partial or foreign message" % name)
        if not data.startswith(("Return-Path: <%s>\nDelivered-To: %s\n"
                                % (SENDER, rcpt)).encode()):
            raise Fail("new/%s: trace header missing" % name)
        counts[tag] = counts.get(tag, 0) + 1
    return counts


def log_text(inst):
    try:
        with open(os.path.join(inst, "log", "quail.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


class Send:
    """quail-send in the foreground (no pidfile: its rename would count)."""

    def __init__(self, inst, out):
        before = log_text(inst).count("quail-send")
        self.p = subprocess.Popen([os.path.join(inst, "libexec", "quail-send"),
                                   "-C", os.path.join(inst, "etc")],
                                  stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        wait_for(lambda: self.p.poll() is not None
                 or re.search(r"started: queue", log_text(inst)[-4096:]) is not None
                 and log_text(inst).count("quail-send") > before,
                 10, "quail-send to start")
        if self.p.poll() is not None:
            raise Fail("quail-send exited %d at start" % self.p.returncode)

    def launcher(self):
        """The launcher is the first child quail-send forks."""
        path = "/proc/%d/task/%d/children" % (self.p.pid, self.p.pid)
        with open(path) as f:
            kids = f.read().split()
        if not kids:
            raise Fail("quail-send has no launcher child")
        return int(kids[0])

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
                raise Fail("quail-send did not stop on SIGTERM")


def poke(queue, byte=b"x"):
    fd = os.open(os.path.join(queue, "trigger"), os.O_WRONLY | os.O_NONBLOCK)
    try:
        os.write(fd, byte)
    finally:
        os.close(fd)


def count_calls(inst, call, body):
    """How many <call>s one quail-queue run makes (strace, no injection);
    the message it queues is removed again."""
    with tempfile.NamedTemporaryFile() as trace:
        rc, reply = queue_once(inst, body, ["strace", "-f", "-o", trace.name,
                                            "-e", "trace=" + call])
        if rc != 0 or not reply.startswith(b"K"):
            raise Fail("counting %s calls: exit %d reply %r" % (call, rc, reply))
        os.unlink(os.path.join(inst, "queue", "mess", reply[1:].strip().decode()))
        n = sum(1 for line in open(trace.name, errors="replace")
                if re.match(r"^(\d+ +)?%s\(" % call, line))
    if n == 0 or n > MAX_N_TOTAL:
        raise Fail("quail-queue made %d %s calls" % (n, call))
    return n


def part1(inst, queue, new, out):
    mess = os.path.join(queue, "mess")
    tmpdir = os.path.join(queue, "tmp")
    seen_k = set()
    runs = 0
    n_msg = 0
    for big in (False, True):
        calls = ["openat", "read", "write", "fsync", "close", "renameat2"] \
            if not big else ["openat", "write", "fsync"]
        for call in calls:
            limit = count_calls(inst, call, body_for("count", big)) + 1
            for n in range(1, limit + 1):
                check_time("quail-queue %s #%d" % (call, n))
                n_msg += 1
                tag = "q%d-%s%d%s" % (os.getpid(), call, n, "-big" if big else "")
                before = set(os.listdir(mess))
                rc, reply = queue_once(inst, body_for(tag, big), [
                    "strace", "-f", "-o", "/dev/null", "-e", "trace=" + call,
                    "-e", "inject=%s:signal=SIGKILL:when=%d" % (call, n)])
                runs += 1
                after = set(os.listdir(mess))
                for qid in after - before:
                    parse_queue_file(os.path.join(mess, qid))
                if reply.startswith(b"K"):
                    qid = reply[1:].strip().decode()
                    if qid not in after:
                        raise Fail("%s #%d: K%s but no mess/%s" % (call, n, qid, qid))
                    seen_k.add(tag)
                if rc == 0:
                    if not reply.startswith(b"K"):
                        raise Fail("%s #%d: exit 0 without K: %r" % (call, n, reply))
                    break           # fewer than n such calls: all steps done
                if rc not in (-9, 137, 111):
                    raise Fail("%s #%d: exit %d reply %r" % (call, n, rc, reply))
            else:
                raise Fail("quail-queue still killed at %s #%d, after the %d "
                           "calls of a clean run" % (call, limit, limit - 1))
    committed = {}
    for qid in os.listdir(mess):
        committed[tags_in(parse_queue_file(os.path.join(mess, qid)))] = qid
    if not seen_k <= set(committed):
        raise Fail("answered K but not in mess/: %s" % (seen_k - set(committed)))
    leftovers = os.listdir(tmpdir)
    print("part 1: %d killed/complete runs, %d committed, %d tmp/ leftovers"
          % (runs, len(committed), len(leftovers)))
    old = time.time() - STALE_SECS
    for name in leftovers:
        os.utime(os.path.join(tmpdir, name), (old, old))
    fresh = os.path.join(tmpdir, "fresh.%d" % os.getpid())
    with open(fresh, "wb") as f:
        f.write(b"being written")
    s = Send(inst, out)
    try:
        wait_for(lambda: not os.listdir(mess), SEND_WAIT_SECS, "mess/ to empty")
    finally:
        s.stop()
    counts = maildir_check(new)
    for tag in committed:
        if counts.get(tag) != 1:
            raise Fail("committed %s delivered %r times" % (tag, counts.get(tag)))
    extra = set(counts) - set(committed)
    if extra:
        raise Fail("delivered but never committed: %s" % sorted(extra))
    left = sorted(os.listdir(tmpdir))
    if left != [os.path.basename(fresh)]:
        raise Fail("tmp/ after quail-send: %s (want only the fresh file)" % left)
    os.unlink(fresh)
    for name in os.listdir(new):
        os.unlink(os.path.join(new, name))


def attach(pid, args):
    """strace -f -p pid with args; returns once it is attached."""
    errf = tempfile.TemporaryFile()
    st = subprocess.Popen(["strace", "-f", "-o", "/dev/null", "-p", str(pid)] + args,
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                          stderr=errf)

    def attached():
        errf.seek(0)
        return b"attached" in errf.read() or st.poll() is not None
    wait_for(attached, 10, "strace to attach")
    if st.poll() is not None:
        raise Fail("strace -p failed")
    return st


def detach(st):
    if st.poll() is None:
        st.send_signal(signal.SIGINT)
        try:
            st.wait(timeout=10)
        except subprocess.TimeoutExpired:
            st.kill()
            st.wait()


def state_has_z(queue, qid):
    try:
        with open(os.path.join(queue, "state", qid), "rb") as f:
            return re.search(rb"^Z0 ", f.read(), re.M) is not None
    except FileNotFoundError:
        return False


def part2(inst, queue, new, out):
    mess = os.path.join(queue, "mess")
    # openat #1 is the helper's open of mess/<id>: the helper dies before
    # the delivery child exists, and the launcher must answer for it
    steps = [("openat", 1), ("fsync", 1), ("rename", 1), ("renameat2", 1),
             ("fsync", 2)]
    steps += [("write", n) for n in range(1, MAX_N + 1)]
    s = Send(inst, out)
    total = kills = dups = 0
    try:
        launcher = s.launcher()
        for call, n in steps:
            check_time("delivery %s #%d" % (call, n))
            tag = "d%d-%s%d" % (os.getpid(), call, n)
            st = attach(launcher, ["-e", "trace=" + call, "-e",
                                   "inject=%s:signal=SIGKILL:when=%d" % (call, n)])
            try:
                rc, reply = queue_once(inst, body_for(tag, big=True))
                if rc != 0:
                    raise Fail("queueing %s: %d %r" % (tag, rc, reply))
                qid = reply[1:].strip().decode()
                wait_for(lambda: not os.path.exists(os.path.join(mess, qid))
                         or state_has_z(queue, qid), SEND_WAIT_SECS,
                         "the delivery of %s (%s #%d)" % (tag, call, n))
            finally:
                detach(st)
            killed = os.path.exists(os.path.join(mess, qid))
            at_kill = maildir_check(new).get(tag, 0)
            if killed:
                if re.search(r"id=%s .*killed by signal 9" % qid, log_text(inst)) is None:
                    raise Fail("%s #%d: deferred, but not by the kill" % (call, n))
                poke(queue, b"F")
                wait_for(lambda: not os.path.exists(os.path.join(mess, qid)),
                         SEND_WAIT_SECS, "the retry of %s" % tag)
            got = maildir_check(new).get(tag, 0)
            want = at_kill + 1 if killed else 1
            if got != want:
                raise Fail("%s #%d: delivered %d times, want %d (in new/ at the "
                           "kill: %d)" % (call, n, got, want, at_kill))
            total += 1
            kills += killed
            dups += at_kill
            if not killed and call == "write":
                break               # the child made fewer than n writes
        else:
            raise Fail("the delivery child made more than %d writes" % MAX_N)
    finally:
        s.stop()
    # the helper, fsync #1, rename, fsync #2 and the Maildir writes
    if kills < 7 or dups < 1:
        raise Fail("only %d kills (%d after the rename) in the delivery child"
                   % (kills, dups))
    print("part 2: %d kill points in the delivery child, %d killed it, %d of "
          "them after the rename (delivered twice)" % (total, kills, dups))


def part3(inst, queue, new, out, rcpt=RCPT, groups=()):
    """groups: () for a virtual user (no supplementary groups), else gids
    that must all be among the child's (initgroups of a system user)."""
    mess = os.path.join(queue, "mess")
    maildir = os.path.dirname(new)
    owner = os.stat(maildir).st_uid
    s = Send(inst, out)
    try:
        st = attach(s.launcher(), ["-e", "trace=fsync", "-e",
                                   "inject=fsync:delay_enter=4000000:when=1"])
        try:
            tag = "p%d-inspect" % os.getpid()
            rc, reply = queue_once(inst, body_for(tag), rcpt=rcpt)
            if rc != 0:
                raise Fail("queueing %s: %d %r" % (tag, rc, reply))
            child = []

            def find_child():
                for pid in filter(str.isdigit, os.listdir("/proc")):
                    try:
                        for fd in os.listdir("/proc/%s/fd" % pid):
                            link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
                            if link.startswith(os.path.join(maildir, "tmp") + "/"):
                                child.append(int(pid))
                                return True
                    except OSError:
                        continue
                return False
            wait_for(find_child, SEND_WAIT_SECS, "the delivery child")
            pid = child[0]
            with open("/proc/%d/status" % pid) as f:
                status = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
            uids = status["Uid"].split()
            if any(int(u) != owner for u in uids):
                raise Fail("delivery child uids %s, Maildir owner %d" % (uids, owner))
            have = {int(g) for g in status["Groups"].split()}
            if os.geteuid() == 0 and not groups and have:
                # a virtual user: no supplementary groups at all
                raise Fail("delivery child groups %r" % status["Groups"])
            if not set(groups) <= have:
                raise Fail("delivery child groups %r, want %s among them"
                           % (status["Groups"], sorted(groups)))
            if int(status["SigBlk"], 16) != 0:
                raise Fail("delivery child blocks signals: %s" % status["SigBlk"])
            ign = int(status["SigIgn"], 16)
            for name in ("SIGHUP", "SIGPIPE", "SIGTERM", "SIGINT", "SIGCHLD"):
                if ign & (1 << (getattr(signal, name) - 1)):
                    raise Fail("delivery child ignores %s (SigIgn %s)"
                               % (name, status["SigIgn"]))
            fds = {}
            for fd in os.listdir("/proc/%d/fd" % pid):
                fds[int(fd)] = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            allowed_extra = [l for fd, l in fds.items() if fd > 2]
            for link in allowed_extra:
                if not (link.startswith(os.path.join(maildir, "tmp") + "/")
                        or link == os.path.join(inst, "log", "quail.log")):
                    raise Fail("delivery child holds an inherited fd: %s" % fds)
            with open("/proc/%d/status" % pid) as f:
                umask = [l for l in f if l.startswith("Umask:")]
            if umask and int(umask[0].split()[1], 8) & 0o077 != 0o077:
                raise Fail("delivery child umask %s" % umask[0].strip())
        finally:
            detach(st)
        wait_for(lambda: not os.listdir(mess), SEND_WAIT_SECS, "delivery of %s" % tag)
    finally:
        s.stop()
    if maildir_check(new, rcpt).get(tag) != 1:
        raise Fail("the inspected message was not delivered once")
    print("part 3: delivery child for %s: uid %d, groups %s, fds %s"
          % (rcpt, owner, status["Groups"].strip() or "none", sorted(fds)))


def part4(inst, queue, tmp, out):
    """Root only: a system user (system_users = yes) with a supplementary
    group; the delivery child must carry that group (initgroups)."""
    for tool in ("useradd", "userdel", "groupadd", "groupdel"):
        if shutil.which(tool) is None:
            print("part 4 skipped: no %s" % tool)
            return
    group = "qtg%d" % os.getpid()
    user = "qtu%d" % os.getpid()
    home = os.path.join(tmp, "home-" + user)
    try:
        subprocess.run(["groupadd", group], check=True, capture_output=True)
        subprocess.run(["useradd", "-M", "-d", home, "-s", "/usr/sbin/nologin",
                        "-G", group, user], check=True, capture_output=True)
        import grp
        import pwd
        pw = pwd.getpwnam(user)
        if pw.pw_uid < 1000:
            print("part 4 skipped: useradd gave uid %d" % pw.pw_uid)
            return
        os.mkdir(home, 0o700)
        os.chown(home, pw.pw_uid, pw.pw_gid)
        for sub in ("", "/tmp", "/new", "/cur"):
            os.mkdir(home + "/Maildir" + sub, 0o700)
            os.chown(home + "/Maildir" + sub, pw.pw_uid, pw.pw_gid)
        conf = os.path.join(inst, "etc", "quail.conf")
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:
            f.write(text.replace("system_users   = no", "system_users = yes")
                    .replace("system_users = no", "system_users = yes"))
        part3(inst, queue, os.path.join(home, "Maildir", "new"), out,
              rcpt="%s@mycompany.com" % user, groups=(grp.getgrnam(group).gr_gid,))
    finally:
        subprocess.run(["userdel", user], capture_output=True)
        subprocess.run(["groupdel", group], capture_output=True)


def main():
    for prog in ("quail-queue", "quail-send", "quail-deliver"):
        if not os.access(os.path.join(BUILD, prog), os.X_OK):
            skip("%s not built in %s" % (prog, BUILD))
    if shutil.which("strace") is None:
        skip("strace not installed")
    probe = subprocess.run(["strace", "-o", "/dev/null", "-e", "inject=getpid:error=EPERM",
                            "true"], capture_output=True)
    if probe.returncode != 0:
        skip("strace cannot trace here: %s" % probe.stderr.decode(errors="replace").strip())
    inst_sh = os.path.join(SRC, "scripts", "instance.sh")
    tmp = tempfile.mkdtemp(prefix="quail-tks.")
    os.chmod(tmp, 0o755)
    inst = os.path.join(tmp, "inst")
    out = open(os.path.join(tmp, "send.out"), "ab")
    try:
        env = dict(os.environ, QUAIL_BUILD=BUILD)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        r = subprocess.run([inst_sh, "create", inst, "--smtp-port", str(port)], env=env,
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise Fail("instance.sh create: " + r.stdout + r.stderr)
        with open(os.path.join(inst, "etc", "quail.conf"), "a") as f:
            f.write("retry_min = 1s\nretry_max = 2s\n")
        queue = os.path.join(inst, "queue")
        # quail-send once: queue layout and the Maildir exist afterwards
        s = Send(inst, out)
        s.stop()
        rc, reply = queue_once(inst, body_for("warmup%d" % os.getpid()))
        if rc != 0:
            raise Fail("plain quail-queue failed: %d %r" % (rc, reply))
        s = Send(inst, out)
        wait_for(lambda: not os.listdir(os.path.join(queue, "mess")), SEND_WAIT_SECS,
                 "the first delivery")
        s.stop()
        new = os.path.join(inst, "mail", "mycompany.com", "myuser", "Maildir", "new")
        for name in os.listdir(new):
            os.unlink(os.path.join(new, name))
        part1(inst, queue, new, out)
        try:
            with open("/proc/sys/kernel/yama/ptrace_scope") as f:
                scope = int(f.read())
        except (OSError, ValueError):
            scope = 0
        if os.geteuid() != 0 and scope > 0:
            # strace -p of the launcher (not our child) is not allowed
            print("parts 2 and 3 skipped: yama ptrace_scope %d" % scope)
        else:
            part2(inst, queue, new, out)
            part3(inst, queue, new, out)
            if os.geteuid() == 0:
                part4(inst, queue, tmp, out)
    except Fail as e:
        print("FAIL:", e)
        print("--- quail.log (tail)\n" + "\n".join(log_text(inst).splitlines()[-25:]))
        return 1
    finally:
        out.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("PASS (%.0fs)" % (time.monotonic() - START))
    return 0


if __name__ == "__main__":
    sys.exit(main())
