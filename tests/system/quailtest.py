"""quailtest.py -- helpers for the Python system tests (imported, not run
by run-all.sh; its name does not start with t_).

  Instance(ports)      temp instance under real xinetd (scripts/instance.sh),
                       a context manager that always stops and removes it;
                       Instance(conf=["key = value"], args=[...], pop3=0)
                       adds --conf lines, other create options, and a
                       service on a free port (port 0 = pick one)
  free_port()          a free TCP port on 127.0.0.1
  wait_maildir(...)    polls (bounded) for delivered files
  split_delivery(b)    splits a delivered file into the headers quail
                       prepended and the message as it was sent
  Dialogue(port)       line-by-line SMTP as a telnet user types it
  send_message(port, sender, rcpt, subject)  one message by smtplib
  greet(port, proto, mode, cafile)  greeting, STARTTLS/STLS or implicit
                       TLS (certificate checked against cafile for
                       mail.mycompany.com), QUIT; returns the TLS version

As a program: `python3 quailtest.py seed PORT` runs the SMTP walkthrough of
the lab handout (seeds/000) against PORT and prints the queue id;
`python3 quailtest.py send PORT FROM TO SUBJECT` sends one message with
body "Body of SUBJECT"; `python3 quailtest.py greet PORT smtp|pop3
plain|starttls|tls CAFILE` runs greet() and prints what it saw;
`python3 quailtest.py imap PORT COMMAND...` logs in as myuser and runs
each IMAP COMMAND in turn (each must answer OK), printing the untagged
responses (exit 1 on the first failure).

IMAP (the t_imap_* tests):
  imap_instance(conf=(), **ports)  an Instance with imap, imaps and pop3 on
                       free ports and auth_fail_delay 0; skips (77) while
                       quail-imapd is not built or instance.sh lacks the
                       imap services
  Imap(port, tls=None) raw IMAP client: cmd() returns (untagged, tagged);
                       literals are read whole; every read bounded
  imap_uidl(uid, uidvalidity)   the POP3 UIDL of an IMAP message
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

    def __init__(self, conf=(), args=(), **ports):
        for tool in ("xinetd", "openssl", "ss"):
            if shutil.which(tool) is None:
                print("SKIP: %s not installed" % tool)
                sys.exit(SKIP)
        self.ports = {"smtp": free_port()}
        self.ports.update(ports)
        for name, port in self.ports.items():
            if not port:
                self.ports[name] = free_port()
        self.extra = list(args)
        for line in conf:
            self.extra += ["--conf", line]
        self.dir = tempfile.mkdtemp(prefix="quail-t.", dir="/tmp")
        os.chmod(self.dir, 0o755)  # root instances are read by the quail users
        self.script = os.path.join(SRC, "scripts", "instance.sh")

    def __enter__(self):
        try:
            args = [self.script, "create", self.dir]
            for name, port in self.ports.items():
                args += ["--%s-port" % name, str(port)]
            subprocess.run(args + self.extra, check=True)
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

    @property
    def cert(self):
        return os.path.join(self.dir, "etc", "tls", "cert.pem")

    def configured(self):
        """Services really configured (run/ports): name -> port."""
        out = {}
        with open(os.path.join(self.dir, "run", "ports")) as f:
            for line in f:
                name, port = line.split()
                out[name] = int(port)
        return out

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


def send_message(port, sender, rcpt, subject, body=None):
    """One message by smtplib; raises smtplib.SMTPException or OSError."""
    import smtplib
    from email.message import EmailMessage
    m = EmailMessage()
    m["From"] = sender
    m["To"] = rcpt
    m["Subject"] = subject
    m["Message-ID"] = "<%s.%d@test.invalid>" % (subject.replace(" ", "-"), os.getpid())
    m.set_content(body if body is not None else "Body of %s\n" % subject)
    with smtplib.SMTP("127.0.0.1", port, timeout=IO_TIMEOUT_SECS) as s:
        s.ehlo("test.invalid")
        s.send_message(m, sender, [rcpt])


CERT_NAME = "mail.mycompany.com"


class LineConn:
    """A socket (maybe TLS) read line by line, every read bounded."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            check(len(self.buf) < 8192, "line too long: %r" % self.buf[:100])
            data = self.sock.recv(4096)
            check(data, "connection closed; have %r" % self.buf)
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        check(line.endswith(b"\r"), "line not CRLF-terminated: %r" % line)
        return line[:-1].decode("utf-8", "replace")

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def smtp_reply(self):
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            check(len(line) >= 3 and line[:3].isdigit(), "bad SMTP reply %r" % line)
            if len(line) == 3 or line[3] == " ":
                return int(line[:3]), lines
            check(len(lines) < 100, "SMTP reply too long")

    def pop3_multiline(self):
        lines = []
        while True:
            line = self.line()
            if line == ".":
                return lines
            lines.append(line)
            check(len(lines) < 1000, "POP3 multi-line answer too long")


def greet(port, proto, mode, cafile, host="127.0.0.1"):
    """proto smtp|pop3; mode plain (greeting + QUIT), starttls (switch
    with STARTTLS/STLS, then EHLO/CAPA again) or tls (implicit). The
    certificate must verify against cafile for CERT_NAME. Returns
    (greeting, TLS version or None)."""
    import ssl
    ctx = ssl.create_default_context(cafile=cafile) if mode != "plain" else None
    raw = socket.create_connection((host, port), timeout=IO_TIMEOUT_SECS)
    version = None
    try:
        sock = raw
        if mode == "tls":
            sock = ctx.wrap_socket(raw, server_hostname=CERT_NAME)
            version = sock.version()
        c = LineConn(sock)
        if proto == "smtp":
            code, lines = c.smtp_reply()
            check(code == 220, "SMTP greeting %r" % lines)
            greeting = lines[0]
            if mode == "starttls":
                c.send("EHLO test.invalid")
                code, lines = c.smtp_reply()
                check(code == 250, "EHLO %r" % lines)
                check(any(l[4:].upper() == "STARTTLS" for l in lines[1:]),
                      "EHLO lacks STARTTLS: %r" % lines)
                c.send("STARTTLS")
                code, lines = c.smtp_reply()
                check(code == 220, "STARTTLS %r" % lines)
                check(not c.buf, "bytes after the STARTTLS reply: %r" % c.buf)
                sock = ctx.wrap_socket(raw, server_hostname=CERT_NAME)
                version = sock.version()
                c = LineConn(sock)
                c.send("EHLO test.invalid")
                code, lines = c.smtp_reply()
                check(code == 250, "EHLO under TLS %r" % lines)
                check(not any(l[4:].upper() == "STARTTLS" for l in lines[1:]),
                      "STARTTLS still offered under TLS: %r" % lines)
            c.send("QUIT")
            code, lines = c.smtp_reply()
            check(code == 221, "QUIT %r" % lines)
        elif proto == "pop3":
            greeting = c.line()
            check(greeting.startswith("+OK"), "POP3 greeting %r" % greeting)
            if mode == "starttls":
                c.send("CAPA")
                line = c.line()
                check(line.startswith("+OK"), "CAPA %r" % line)
                caps = [l.upper() for l in c.pop3_multiline()]
                check("STLS" in caps, "CAPA lacks STLS: %r" % caps)
                c.send("STLS")
                line = c.line()
                check(line.startswith("+OK"), "STLS %r" % line)
                check(not c.buf, "bytes after the STLS reply: %r" % c.buf)
                sock = ctx.wrap_socket(raw, server_hostname=CERT_NAME)
                version = sock.version()
                c = LineConn(sock)
                c.send("CAPA")
                line = c.line()
                check(line.startswith("+OK"), "CAPA under TLS %r" % line)
                caps = [l.upper() for l in c.pop3_multiline()]
                check("STLS" not in caps, "STLS still offered under TLS: %r" % caps)
            c.send("QUIT")
            line = c.line()
            check(line.startswith("+OK"), "QUIT %r" % line)
        else:
            raise TestFailure("unknown protocol %s" % proto)
        return greeting, version
    finally:
        raw.close()


IMAP_USER = "myuser@mycompany.com"
IMAP_PASSWORD = "mypassword"


def imap_instance(conf=(), args=(), **ports):
    """An Instance with the imap, imaps and pop3 services (plus ports);
    exits 77 while quail-imapd is not built or instance.sh does not know
    the imap services yet."""
    if not os.access(os.path.join(BUILD, "quail-imapd"), os.X_OK):
        print("SKIP: quail-imapd not built in %s" % BUILD)
        sys.exit(SKIP)
    with open(os.path.join(SRC, "scripts", "instance.sh")) as f:
        calls = [l.split()[:2] for l in f if l.startswith("\tservice ")]
    if ["service", "imap"] not in calls or ["service", "imaps"] not in calls:
        print("SKIP: scripts/instance.sh has no imap/imaps services yet")
        sys.exit(SKIP)
    want = {"imap": 0, "imaps": 0, "pop3": 0}
    want.update(ports)
    return Instance(conf=conf, args=["--auth-fail-delay", "0"] + list(args), **want)


def imap_uidl(uid, uidvalidity):
    """The POP3 UIDL of the message with this IMAP UID (HACKING.md)."""
    return "%08X%08X" % (uid, uidvalidity)


class Imap:
    """A raw IMAP connection. Responses are returned as bytes lines with
    every literal inlined ("{n}\\r\\n" + n octets stay in place), so a
    FETCH with a body is one item. Every read is bounded by the socket
    timeout and by IMAP_MAX_RESPONSE_BYTES."""

    IMAP_MAX_RESPONSE_BYTES = 64 << 20

    def __init__(self, port, tls=None, host="127.0.0.1", greeting=True):
        self.sock = socket.create_connection((host, port), timeout=IO_TIMEOUT_SECS)
        if tls is not None:
            self.sock = tls.wrap_socket(self.sock, server_hostname=CERT_NAME)
        self.buf = b""
        self.ntag = 0
        self.greeting = self.response() if greeting else None

    def _fill(self):
        data = self.sock.recv(65536)
        check(data, "connection closed; have %r" % self.buf[:200])
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            check(len(self.buf) < self.IMAP_MAX_RESPONSE_BYTES, "line too long")
            self._fill()
        i = self.buf.index(b"\r\n") + 2
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def response(self):
        """One response (untagged, continuation or tagged), CRLF removed."""
        out = b""
        while True:
            line = self._line()
            out += line
            check(len(out) < self.IMAP_MAX_RESPONSE_BYTES, "response too long")
            body = line[:-2]
            if body.endswith(b"}") and b"{" in body:
                n = body[body.rindex(b"{") + 1:-1].rstrip(b"+")
                if n.isdigit():
                    n = int(n)
                    while len(self.buf) < n:
                        self._fill()
                    out += self.buf[:n]
                    self.buf = self.buf[n:]
                    continue
            return out[:-2]

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def tag(self):
        self.ntag += 1
        return "t%d" % self.ntag

    def cmd(self, text, ok="OK", literal=None):
        """Sends "<tag> text" (text may contain "{n}" for one synchronising
        literal, which is sent after the "+"). Returns (untagged list,
        tagged line). ok: the status wanted ("OK", "NO", "BAD") or None."""
        t = self.tag()
        if literal is not None:
            self.send("%s %s\r\n" % (t, text))
            r = self.response()
            check(r.startswith(b"+"), "%s: no continuation for the literal: %r" % (text, r))
            self.send(literal + b"\r\n")
        else:
            self.send("%s %s\r\n" % (t, text))
        untagged = []
        for _ in range(10000000):
            try:
                r = self.response()
            except TestFailure as e:
                raise TestFailure("%s: %s (untagged so far %r)" % (text[:80], e, untagged[-5:]))
            except socket.timeout:
                raise TestFailure("%s: no answer in %ss (untagged so far %r)"
                                  % (text[:80], self.sock.gettimeout(), untagged[-5:]))
            if r.startswith(t.encode() + b" "):
                status = r.split(b" ", 2)[1].decode()
                if ok is not None:
                    check(status == ok, "%s: want %s, got %r (untagged %r)"
                          % (text[:80], ok, r, untagged[-5:]))
                return untagged, r
            untagged.append(r)
        raise TestFailure("unbounded response to %s" % text)

    def login(self, user=IMAP_USER, password=IMAP_PASSWORD):
        return self.cmd('LOGIN "%s" "%s"' % (user, password))

    def wait_untagged(self, pred, secs):
        """Reads responses until pred(line) (for IDLE); returns the line and
        the lines before it. Raises TestFailure after secs."""
        seen = []
        deadline = time.monotonic() + secs
        old = self.sock.gettimeout()
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TestFailure("timeout (%.1fs) waiting; saw %r" % (secs, seen))
                self.sock.settimeout(left)
                try:
                    r = self.response()
                except socket.timeout:
                    raise TestFailure("timeout (%.1fs) waiting; saw %r" % (secs, seen))
                if pred(r):
                    return r, seen
                seen.append(r)
        finally:
            self.sock.settimeout(old)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


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
    if len(sys.argv) == 6 and sys.argv[1] == "send":
        try:
            send_message(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
        except Exception as e:  # smtplib errors, OSError
            print("FAIL: send:", e)
            sys.exit(1)
        sys.exit(0)
    if len(sys.argv) == 6 and sys.argv[1] == "greet":
        try:
            g, v = greet(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
        except (TestFailure, OSError) as e:
            print("FAIL: greet %s: %s" % (" ".join(sys.argv[2:5]), e))
            sys.exit(1)
        print("%s %s" % (v or "plain", g))
        sys.exit(0)
    if len(sys.argv) >= 4 and sys.argv[1] == "imap":
        try:
            c = Imap(int(sys.argv[2]))
            c.login()
            for command in sys.argv[3:]:
                untagged, _ = c.cmd(command)
                for line in untagged:
                    sys.stdout.buffer.write(line + b"\n")
            c.cmd("LOGOUT")
            c.close()
        except (TestFailure, OSError) as e:
            print("FAIL: imap: %s" % e)
            sys.exit(1)
        sys.exit(0)
    if len(sys.argv) == 3 and sys.argv[1] == "seed":
        try:
            print(seed_walkthrough(int(sys.argv[2])))
        except (TestFailure, OSError) as e:
            print("FAIL:", e)
            sys.exit(1)
        sys.exit(0)
    print("usage: quailtest.py seed PORT | send PORT FROM TO SUBJECT |"
          " greet PORT smtp|pop3 plain|starttls|tls CAFILE |"
          " imap PORT COMMAND...", file=sys.stderr)
    sys.exit(64)
