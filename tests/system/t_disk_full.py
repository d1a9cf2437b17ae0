#!/usr/bin/env python3
"""t_disk_full.py -- a full queue file system: 452 4.3.1, and nothing lost.

The queue of a real instance (scripts/instance.sh, xinetd, quail-send) lives
on a small tmpfs mounted over DIR/queue before `instance.sh create`, which
then lays out and owns the queue on it exactly as it always does.

  1. quail-send running: a few small messages get 250 and are delivered.
  2. quail-send stopped: more messages get 250 and stay in mess/ (these are
     the "already accepted" messages a full disk must not touch).
  3. A filler file leaves little or no room; for each case of CASES a
     message that cannot be stored must get 452 with 4.3.1 (RFC 3463
     "mail system full"), never 250 and never another code, and the session
     must go on (RSET 250, QUIT 221). Afterwards mess/ holds exactly the
     accepted files with unchanged contents, tmp/ and state/ are empty and
     the free space is what it was (no spool left behind).
  4. Filler removed: a message gets 250 again.
  5. quail-send started again: every message that got a 250 is in the
     Maildir exactly once, none that got a 452 is, and the queue drains.

Needs root (mount) and xinetd: exit 77 otherwise. Every wait is bounded.
Exit 0 pass, 1 fail, 77 skip.
"""
import hashlib
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import time

SRC = os.environ.get("QUAIL_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
if not os.environ.get("QUAIL_BUILD"):
    san = os.path.join(SRC, "build", "san")
    os.environ["QUAIL_BUILD"] = san if os.path.isdir(san) else os.path.join(
        SRC, "build", "release")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import quailtest  # noqa: E402
from quailtest import TestFailure, check, maildir_files, wait_for  # noqa: E402

SKIP = 77
TMPFS_BYTES = 2 * 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")
WAIT_SECS = 20             # bound of every wait for delivery / the queue
STOP_SECS = 10             # bound of the wait for quail-send to exit
UMOUNT_TRIES = 20
SMTP_TIMEOUT_SECS = 20
N_DELIVERED_FIRST = 3      # phase 1
N_QUEUED = 3               # phase 2
SENDER = "me@mycompany.com"
RCPT = "myuser@mycompany.com"

# Phase 3: (what, free bytes left on the queue file system, message bytes,
# codes allowed). Free space is in whole pages (tmpfs counts pages).
CASES = [
    # Fails while smtpd is still streaming the message into quail-queue
    # (far more than the pipe and smtpd's buffer can hold).
    ("message much larger than the free space", 8 * PAGE, 512 * 1024, (452,)),
    # Fails at quail-queue's first write; smtpd has buffered everything.
    ("no free space at all, small message", 0, 2 * 1024, (452,)),
    # Fits once but not twice (quail-queue spools, then writes the queue
    # file): it either fits (250, then it must be delivered) or gets 452.
    ("message a bit smaller than the free space", 12 * PAGE, 9 * PAGE, (250, 452)),
]


def skip(why):
    print("SKIP:", why)
    sys.exit(SKIP)


def message(marker, size):
    """A message of at least size bytes carrying marker in a header and the
    body (CRLF line ends)."""
    head = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nX-Quail-Test: %s\r\n\r\n"
            % (SENDER, RCPT, marker, marker)).encode()
    line = (marker + " ").encode()
    line = (line * (1 + 70 // len(line)))[:70] + b"\r\n"
    n = max(1, (size - len(head)) // len(line) + 1)
    return head + line * n


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def send(port, marker, size):
    """One SMTP transaction. Returns (code, text) of the final DATA reply.
    A refused message must leave the session usable (RSET 250, QUIT 221)."""
    s = smtplib.SMTP("127.0.0.1", port, timeout=SMTP_TIMEOUT_SECS)
    try:
        code, text = s.ehlo("client.example")
        check(code == 250, "EHLO: %d %r" % (code, text))
        code, text = s.mail(SENDER)
        check(code == 250, "MAIL: %d %r" % (code, text))
        code, text = s.rcpt(RCPT)
        check(code == 250, "RCPT: %d %r" % (code, text))
        try:
            code, text = s.data(message(marker, size))
        except smtplib.SMTPDataError as e:
            code, text = e.smtp_code, e.smtp_error
        except smtplib.SMTPServerDisconnected as e:
            raise TestFailure("%s: server disconnected during DATA: %s" % (marker, e))
        code2, text2 = s.rset()
        check(code2 == 250, "%s: RSET after DATA (%d): %d %r" % (marker, code, code2, text2))
        code2, text2 = s.quit()
        check(code2 == 221, "%s: QUIT: %d %r" % (marker, code2, text2))
        return code, text.decode("utf-8", "replace")
    finally:
        s.close()


def queued_id(marker, code, text):
    check(code == 250, "%s: want 250, got %d %s" % (marker, code, text))
    check(text.startswith("2.0.0 Ok: queued as "), "%s: 250 text %r" % (marker, text))
    return text.split()[-1]


class DiskFullInstance(quailtest.Instance):
    """An instance whose queue dir is a small tmpfs; unmounted on exit."""

    def __init__(self):
        super().__init__()
        self.queue = os.path.join(self.dir, "queue")
        self.mounted = False

    def __enter__(self):
        try:
            os.mkdir(self.queue)
            r = subprocess.run(["mount", "-t", "tmpfs", "-o",
                                "size=%d,mode=0700" % TMPFS_BYTES,
                                "quail-t-diskfull", self.queue],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if r.returncode != 0:
                self.__exit__(None, None, None)
                skip("cannot mount a tmpfs: %s" % r.stdout.decode().strip())
            self.mounted = True
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return super().__enter__()

    def __exit__(self, *exc):
        subprocess.run([self.script, "stop", self.dir], check=False)
        if self.mounted:
            for _ in range(UMOUNT_TRIES):
                if subprocess.run(["umount", self.queue]).returncode == 0:
                    self.mounted = False
                    break
                time.sleep(0.1)
            if self.mounted:
                subprocess.run(["umount", "-l", self.queue], check=False)
                self.mounted = False
        shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def qdir(self, sub):
        return sorted(os.listdir(os.path.join(self.queue, sub)))

    def stop_send(self):
        """Stops quail-send (only it: xinetd keeps answering SMTP)."""
        pidfile = os.path.join(self.dir, "run", "quail-send.pid")
        with open(pidfile) as f:
            pid = int(f.read().strip())
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            check(b"quail-send" in f.read(), "pid %d in %s is not quail-send" % (pid, pidfile))
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECS
        while os.path.exists("/proc/%d" % pid) and time.monotonic() < deadline:
            time.sleep(quailtest.POLL_SECS)
        if os.path.exists("/proc/%d" % pid):
            os.kill(pid, signal.SIGKILL)
        # Its group (the root launcher) must not outlive it.
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        os.unlink(pidfile)

    def start_send(self):
        subprocess.run([self.script, "start", self.dir], check=True)

    def fill(self, room):
        """Leaves exactly room bytes (a multiple of the page size) free on
        the queue file system with a root-owned filler file."""
        path = os.path.join(self.queue, "filler")
        chunk = b"\0" * (64 * 1024)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for _ in range(TMPFS_BYTES // len(chunk) + 2):
                try:
                    os.write(fd, chunk)
                except OSError as e:
                    check(e.errno == 28, "filler: %s" % e)   # ENOSPC
                    break
            # A short write may have left a partial page free.
            while free_bytes(self.queue) > 0:
                try:
                    os.write(fd, b"\0" * PAGE)
                except OSError:
                    break
            check(free_bytes(self.queue) == 0,
                  "filler: %d bytes still free" % free_bytes(self.queue))
            size = os.fstat(fd).st_size
            os.ftruncate(fd, max(0, (size // PAGE) * PAGE - room))
        finally:
            os.close(fd)
        check(free_bytes(self.queue) == room,
              "filler: %d bytes free, want %d" % (free_bytes(self.queue), room))

    def unfill(self):
        os.unlink(os.path.join(self.queue, "filler"))


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(inst):
    port = inst.smtp_port
    md = inst.maildir(RCPT)
    tag = "dfull-%d" % os.getpid()
    accepted = []          # markers that got 250
    refused = []           # markers that got 452

    # 1. Normal operation on the tmpfs queue.
    for i in range(N_DELIVERED_FIRST):
        marker = "%s-first-%d" % (tag, i)
        code, text = send(port, marker, 1024)
        queued_id(marker, code, text)
        accepted.append(marker)
    wait_for(lambda: len(maildir_files(md)) >= len(accepted), WAIT_SECS,
             "%d deliveries into %s" % (len(accepted), md))
    wait_for(lambda: not inst.qdir("mess"), WAIT_SECS, "an empty mess/")

    # 2. quail-send stopped: accepted messages stay in the queue.
    inst.stop_send()
    ids = []
    for i in range(N_QUEUED):
        marker = "%s-queued-%d" % (tag, i)
        code, text = send(port, marker, 4096)
        ids.append(queued_id(marker, code, text))
        accepted.append(marker)
    check(inst.qdir("mess") == sorted(ids),
          "mess/ %r, want the accepted %r" % (inst.qdir("mess"), sorted(ids)))
    digests = {q: file_digest(os.path.join(inst.queue, "mess", q)) for q in ids}

    # 3. Full disk.
    for n, (what, room, size, codes) in enumerate(CASES):
        inst.fill(room)
        marker = "%s-full-%d" % (tag, n)
        code, text = send(port, marker, size)
        print("%s (%d bytes free, %d byte message): %d %s" % (what, room, size, code, text))
        check(code in codes, "%s: want %s, got %d %s"
              % (what, " or ".join(map(str, codes)), code, text))
        if code == 452:
            check(text.startswith("4.3.1"), "%s: 452 without 4.3.1: %r" % (what, text))
            refused.append(marker)
        else:
            ids.append(queued_id(marker, code, text))
            accepted.append(marker)
            digests[ids[-1]] = file_digest(os.path.join(inst.queue, "mess", ids[-1]))
        check(inst.qdir("mess") == sorted(ids),
              "%s: mess/ %r, want %r" % (what, inst.qdir("mess"), sorted(ids)))
        for q in ids:
            check(file_digest(os.path.join(inst.queue, "mess", q)) == digests[q],
                  "%s: queue file %s changed" % (what, q))
        check(inst.qdir("tmp") == [], "%s: left in tmp/: %r" % (what, inst.qdir("tmp")))
        check(inst.qdir("state") == [], "%s: state/ %r" % (what, inst.qdir("state")))
        if code == 452:
            # quail-queue has exited before the reply: its spool is gone.
            wait_for(lambda: free_bytes(inst.queue) == room, WAIT_SECS,
                     "%s: the free space to return to %d (now %d)"
                     % (what, room, free_bytes(inst.queue)))
        inst.unfill()

    # 4. Room again.
    marker = "%s-after" % tag
    code, text = send(port, marker, 4096)
    ids.append(queued_id(marker, code, text))
    accepted.append(marker)
    check(inst.qdir("mess") == sorted(ids), "mess/ %r, want %r" % (inst.qdir("mess"), sorted(ids)))

    # 5. Everything accepted is delivered, exactly once.
    inst.start_send()
    wait_for(lambda: not inst.qdir("mess"), WAIT_SECS, "quail-send to drain mess/")
    wait_for(lambda: len(maildir_files(md)) >= len(accepted), WAIT_SECS,
             "%d deliveries into %s" % (len(accepted), md))
    files = maildir_files(md)
    seen = {}
    for p in files:
        with open(p, "rb") as f:
            data = f.read()
        for line in data.split(b"\n"):
            if line.startswith(b"X-Quail-Test: "):
                m = line[len(b"X-Quail-Test: "):].strip().decode()
                seen[m] = seen.get(m, 0) + 1
                break
    for m in accepted:
        check(seen.get(m, 0) == 1, "accepted message %s delivered %d times" % (m, seen.get(m, 0)))
    for m in refused:
        check(m not in seen, "refused message %s was delivered" % m)
    check(len(files) == len(accepted),
          "%d files in the Maildir, want %d: %r" % (len(files), len(accepted), seen))
    check(inst.qdir("tmp") == [], "tmp/ not empty at the end: %r" % inst.qdir("tmp"))
    wait_for(lambda: not inst.qdir("state"), WAIT_SECS, "an empty state/")
    print("%d accepted and delivered once, %d refused with 452 4.3.1"
          % (len(accepted), len(refused)))


def main():
    if os.geteuid() != 0:
        skip("needs root to mount a tmpfs over the queue")
    for tool in ("mount", "umount"):
        if shutil.which(tool) is None:
            skip("%s not installed" % tool)
    inst = DiskFullInstance()
    # SIGTERM (run-all.sh or CI timeouts) still unmounts and stops.
    def on_term(*_):
        print("FAIL: terminated")
        sys.exit(1)
    signal.signal(signal.SIGTERM, on_term)
    with inst:
        try:
            run(inst)
        except (TestFailure, OSError, smtplib.SMTPException, subprocess.CalledProcessError) as e:
            print("FAIL:", e)
            inst.dump_logs()
            sys.exit(1)
    print("PASS")
    sys.exit(0)


if __name__ == "__main__":
    main()
