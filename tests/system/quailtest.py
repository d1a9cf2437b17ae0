"""quailtest.py -- helpers for the Python system tests (imported, not run
by run-all.sh; its name does not start with t_).

  Instance(ports)      temp instance under real xinetd (scripts/instance.sh),
                       a context manager that always stops and removes it
  free_port()          a free TCP port on 127.0.0.1
  wait_maildir(...)    polls (bounded) for delivered files
  split_delivery(b)    splits a delivered file into the headers quail
                       prepended and the message as it was sent
  Dialogue(port)       line-by-line SMTP as a telnet user types it

As a program: `python3 quailtest.py seed PORT` runs the SMTP walkthrough of
the lab handout (seeds/000) against PORT and prints the queue id.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("QUAIL_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("QUAIL_BUILD") or os.path.join(SRC, "build", "release")
os.environ.setdefault("QUAIL_SRC", SRC)
os.environ.setdefault("QUAIL_BUILD", BUILD)
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1")

SKIP = 77
POLL_SECS = 0.05
IO_TIMEOUT_SECS = 20


class TestFailure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise TestFailure(msg)


def free_port():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


class Instance:
    """scripts/instance.sh create+start in a temp dir; stop+remove on exit."""

    def __init__(self, **ports):
        for tool in ("xinetd", "openssl", "ss"):
            if shutil.which(tool) is None:
                print("SKIP: %s not installed" % tool)
                sys.exit(SKIP)
        self.ports = {"smtp": free_port()}
        self.ports.update(ports)
        self.dir = tempfile.mkdtemp(prefix="quail-t.", dir="/tmp")
        os.chmod(self.dir, 0o755)  # root instances are read by the quail users
        self.script = os.path.join(SRC, "scripts", "instance.sh")

    def __enter__(self):
        try:
            args = [self.script, "create", self.dir]
            for name, port in self.ports.items():
                args += ["--%s-port" % name, str(port)]
            subprocess.run(args, check=True)
            subprocess.run([self.script, "start", self.dir], check=True)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        subprocess.run([self.script, "stop", self.dir], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
        return False

    @property
    def smtp_port(self):
        return self.ports["smtp"]

    def maildir(self, address):
        local, domain = address.split("@")
        return os.path.join(self.dir, "mail", domain, local, "Maildir")

    def dump_logs(self):
        logdir = os.path.join(self.dir, "log")
        for name in sorted(os.listdir(logdir)) if os.path.isdir(logdir) else []:
            path = os.path.join(logdir, name)
            with open(path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            print("---- %s (last 40 lines)" % path)
            print("\n".join(lines[-40:]))

    def log_text(self):
        try:
            with open(os.path.join(self.dir, "log", "quail.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""


def maildir_files(maildir):
    new = os.path.join(maildir, "new")
    try:
        return sorted(os.path.join(new, n) for n in os.listdir(new)
                      if not n.startswith("."))
    except FileNotFoundError:
        return []


def wait_maildir(maildir, count, secs=10):
    """Waits until new/ holds at least count files; returns their contents
    (sorted by name) or raises TestFailure."""
    deadline = time.monotonic() + secs
    while True:
        files = maildir_files(maildir)
        if len(files) >= count:
            out = []
            for p in files:
                with open(p, "rb") as f:
                    out.append(f.read())
            return out
        if time.monotonic() > deadline:
            raise TestFailure("%s/new: %d file(s) after %ds, want %d"
                              % (maildir, len(files), secs, count))
        time.sleep(POLL_SECS)


def wait_for(pred, secs, what):
    deadline = time.monotonic() + secs
    while not pred():
        if time.monotonic() > deadline:
            raise TestFailure("timeout (%ds) waiting for %s" % (secs, what))
        time.sleep(POLL_SECS)


def split_delivery(data):
    """A delivered file is Return-Path, Delivered-To(s), then quail-smtpd's
    Received header (maybe folded), then the message exactly as sent.
    Returns (dict name -> list of unfolded values, message bytes)."""
    lines = data.split(b"\n")
    prepended = {}
    i = 0
    expect = [b"return-path", b"delivered-to", b"received"]
    while i < len(lines):
        line = lines[i]
        name = line.split(b":", 1)[0].lower()
        if name not in expect:
            break
        value = line.split(b":", 1)[1].strip() if b":" in line else b""
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            value += b" " + lines[i].strip()
            i += 1
        prepended.setdefault(name.decode(), []).append(value.decode("utf-8", "replace"))
        if name == b"received":
            break  # only the first Received is ours; the rest is the message
        # order: Return-Path first, then Delivered-To..., then Received
        expect = [b"delivered-to", b"received"]
    return prepended, b"\n".join(lines[i:])


def check_delivery(data, sender, rcpt, sent, extra_delivered_to=()):
    """Checks the prepended headers and the message bytes. sent: the
    message as given to SMTP (CRLF or LF); stored with LF line ends."""
    check(data.startswith(b"Return-Path: <%s>\n" % sender.encode()),
          "file does not start with Return-Path <%s>: %r" % (sender, data[:200]))
    hdrs, body = split_delivery(data)
    dts = hdrs.get("delivered-to", [])
    check(dts and dts[0] == rcpt, "first Delivered-To %r, want %s" % (dts, rcpt))
    for d in extra_delivered_to:
        check(d in dts, "Delivered-To %s missing in %r" % (d, dts))
    rcv = hdrs.get("received", [])
    check(len(rcv) == 1, "no Received header from quail-smtpd: %r" % data[:400])
    check(rcv[0].lower().startswith("from "), "Received does not start with from: %r" % rcv)
    check("by mail.mycompany.com" in rcv[0], "Received lacks 'by mail.mycompany.com': %r" % rcv)
    check("127.0.0.1" in rcv[0], "Received lacks the client address: %r" % rcv)
    want = sent.replace(b"\r\n", b"\n")
    check(body == want, "message differs from what was sent:\n got  %r\n want %r" % (body, want))


class Dialogue:
    """SMTP over a plain socket, one line at a time, like telnet."""

    def __init__(self, port, host="127.0.0.1"):
        self.sock = socket.create_connection((host, port), timeout=IO_TIMEOUT_SECS)
        self.f = self.sock.makefile("rb")

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def reply(self):
        """Reads one (multi-line) reply; returns (code, [lines])."""
        lines = []
        while True:
            raw = self.f.readline(4096)
            check(raw.endswith(b"\r\n"), "reply line not CRLF-terminated: %r" % raw)
            line = raw[:-2].decode("utf-8", "replace")
            lines.append(line)
            check(len(line) >= 3 and line[:3].isdigit(), "bad reply line %r" % line)
            if len(line) == 3 or line[3] == " ":
                return int(line[:3]), lines
            check(line[3] == "-", "bad reply line %r" % line)
            check(len(lines) < 100, "reply too long")

    def expect(self, code, line=None):
        if line is not None:
            self.send(line)
        got, lines = self.reply()
        check(got == code, "after %r: want %d, got %r" % (line, code, lines))
        return lines

    def close(self):
        self.f.close()
        self.sock.close()


SEED_MESSAGE = (b"Subject: Test Email\r\n"
                b"From: Me a name I call myself\r\n"
                b"Date: 7/4/2021\r\n"
                b"\r\n"
                b"My Test Email from me!\r\n")


def seed_walkthrough(port):
    """The SMTP part of the lab handout, typed as written. Returns the id."""
    d = Dialogue(port)
    try:
        banner = d.expect(220)
        check(banner[0].startswith("220 mail.mycompany.com") or
              banner[0].startswith("220-mail.mycompany.com"), "banner %r" % banner)
        ehlo = d.expect(250, "ehlo mycompany.com")
        check(ehlo[0].startswith("250-mail.mycompany.com") or ehlo[0] == "250 mail.mycompany.com",
              "EHLO first line %r" % ehlo[0])
        words = [l[4:].split(" ")[0].upper() for l in ehlo[1:]]
        for ext in ("PIPELINING", "SIZE", "8BITMIME", "ENHANCEDSTATUSCODES"):
            check(ext in words, "EHLO lacks %s: %r" % (ext, ehlo))
        r = d.expect(250, "mail from: me@mycompany.com")
        check(r[0].startswith("250 2.1.0"), "MAIL reply %r" % r)
        r = d.expect(250, "rcpt to: myuser@mycompany.com")
        check(r[0].startswith("250 2.1."), "RCPT reply %r" % r)
        r = d.expect(354, "data")
        for line in SEED_MESSAGE.decode().split("\r\n")[:-1]:
            d.send(line)
        r = d.expect(250, ".")
        check(r[0].startswith("250 2.0.0 Ok: queued as "), "end of DATA %r" % r)
        qid = r[0].split()[-1]
        d.expect(221, "quit")
        return qid
    finally:
        d.close()


def main_wrapper(test):
    """Runs test(); exit 0 pass, 1 fail (TestFailure or any error)."""
    try:
        test()
    except TestFailure as e:
        print("FAIL:", e)
        sys.exit(1)
    print("PASS")
    sys.exit(0)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "seed":
        try:
            print(seed_walkthrough(int(sys.argv[2])))
        except (TestFailure, OSError) as e:
            print("FAIL:", e)
            sys.exit(1)
        sys.exit(0)
    print("usage: quailtest.py seed PORT", file=sys.stderr)
    sys.exit(64)
