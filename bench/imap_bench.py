#!/usr/bin/env python3
"""imap_bench.py -- the helper of bench/imap-bench.sh (see bench/README.md).

  imap_bench.py gen --count N --seed S DIR
      writes N messages (2-6 KB, plain and multipart/mixed, varied From and
      Subject; every 50th body has the word WORD, every 40th message is from
      FROM) into DIR/cur as Maildir files with S= and W= in their names, and
      DIR/new, DIR/tmp; prints a JSON summary.
  imap_bench.py run --label L --port P --user U --password PW --count N
                    [--smtp-port P | --drop-dir MAILDIR[:UID:GID]] [--tls-port P]
                    --proc quail-imapd|dovecot [--confdir DIR] --json FILE
      runs the measurements against one server, over plain IMAP on
      127.0.0.1 (a raw-socket client, the same for both servers) and
      writes the results (seconds, PSS in KB) to FILE.
  imap_bench.py table --n N quail.json dovecot.json
      prints the comparison table with the targets.

Every socket operation is bounded (--io-timeout, default 300 s).
"""
import argparse
import json
import os
import random
import re
import smtplib
import socket
import ssl
import statistics
import sys
import time

WORD = "zanzibarquux"          # in every 50th body
FROM = "carla.benchmark@example.org"   # every 40th message
IO_TIMEOUT_SECS = 300
BATCH = 1000                   # STORE, EXPUNGE and APPEND sizes
IDLE_ROUNDS = 5
WARM_SELECTS = 5               # SELECT, second: median of this many sessions
IDLE_WAIT_SECS = 10

NAMES = ["Alice Archer", "Bob Baker", "Chen Wei", "Dana Scully", "Emil Nolde",
         "Fatima Zahra", "Gustav Mahler", "Hana Sato", "Ivan Petrov", "Julia Roberts",
         "Kofi Annan", "Lena Meyer", "Mario Rossi", "Nina Simone", "Olaf Scholz",
         "Priya Patel", "Quentin Blake", "Rosa Parks", "Sven Hedin", "Tara Brach"]
TOPICS = ["quarterly report", "lunch on friday", "build failure", "invoice",
          "meeting notes", "holiday plans", "server outage", "new hire",
          "release candidate", "budget review", "travel booking", "code review"]
WORDS = ("the of and to in is that for it as was with be by on not he this are or "
         "his from at which but have an they you were her she there been one all "
         "we their has would when if so no will can more about said out up them "
         "into some could time these two may then do first any my now such like "
         "other how its our over only new also after most made many before must "
         "through back years where much your way well down should because each "
         "just those people how too little state good very make world still own "
         "see men work long get here between both life being under never day same "
         "another know while last might us great old year off come since against "
         "go came right used take three").split()


def body_text(rnd, size):
    out = []
    n = 0
    while n < size:
        line = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 13)))
        out.append(line)
        n += len(line) + 1
    return "\n".join(out) + "\n"


def message(i, rnd):
    name = NAMES[i % len(NAMES)]
    addr = (FROM if i % 40 == 7 else
            "%s@%s.example" % (name.split()[0].lower(), ["corp", "mail", "lists"][i % 3]))
    subject = "Re: %s #%d" % (TOPICS[i % len(TOPICS)], i)
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(1600000000 + i * 37))
    size = rnd.randint(1600, 5200)
    text = body_text(rnd, size)
    if i % 50 == 3:
        text = text[:200] + " %s " % WORD + text[200:]
    head = ("Return-Path: <%s>\nDelivered-To: bench@example.test\n"
            "Received: from client.example (client.example [192.0.2.%d])\n"
            "\tby mail.example.test with ESMTP id %08X\n\tfor <bench@example.test>; %s\n"
            "From: %s <%s>\nTo: Bench <bench@example.test>\nSubject: %s\nDate: %s\n"
            "Message-ID: <%d.%08x@bench.example>\nMIME-Version: 1.0\n"
            % (addr, i % 250 + 1, i, date, name, addr, subject, date, i, rnd.getrandbits(32)))
    if i % 3 == 0:
        b = "=_bench_%d" % i
        att = "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                      for _ in range(rnd.randint(400, 1200)))
        att = "\n".join(att[k:k + 76] for k in range(0, len(att), 76))
        data = (head + 'Content-Type: multipart/mixed; boundary="%s"\n\n'
                "This is a multi-part message in MIME format.\n\n--%s\n"
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n"
                "%s\n--%s\nContent-Type: application/octet-stream; name=\"data%d.bin\"\n"
                "Content-Transfer-Encoding: base64\n"
                "Content-Disposition: attachment; filename=\"data%d.bin\"\n\n%s\n--%s--\n"
                % (b, b, text, b, i, i, att, b))
    else:
        data = head + "Content-Type: text/plain; charset=utf-8\n\n" + text
    return data.encode()


def cmd_gen(a):
    rnd = random.Random(a.seed)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(a.dir, sub), exist_ok=True)
    total = 0
    t0 = time.monotonic()
    base = 1600000000
    for i in range(a.count):
        data = message(i, rnd)
        crlf = len(data) + data.count(b"\n")
        name = "%d.M%dP%d.bench,S=%d,W=%d:2," % (base + i, i, 4242, len(data), crlf)
        with open(os.path.join(a.dir, "cur", name), "wb") as f:
            f.write(data)
        t = base + i
        os.utime(os.path.join(a.dir, "cur", name), (t, t))
        total += len(data)
    json.dump({"count": a.count, "bytes": total, "secs": time.monotonic() - t0,
               "word": WORD, "from": FROM,
               "word_hits": len([i for i in range(a.count) if i % 50 == 3]),
               "from_hits": len([i for i in range(a.count) if i % 40 == 7])},
              sys.stdout)
    print()


class Conn:
    """Raw IMAP over a socket: the same minimal client for both servers."""

    def __init__(self, port, timeout, tls=False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls:  # no certificate check: only the cost is measured
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.sock = ctx.wrap_socket(self.sock)
        self.buf = bytearray()
        self.pos = 0
        self.n = 0
        self.line()  # greeting

    def _fill(self):
        if self.pos > 1 << 20:
            del self.buf[:self.pos]
            self.pos = 0
        data = self.sock.recv(1 << 20)
        if not data:
            raise OSError("connection closed by the server")
        self.buf += data

    def line(self):
        """One response line with its literals, as bytes (CRLF removed)."""
        out = b""
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            while i < 0:
                self._fill()
                i = self.buf.find(b"\r\n", self.pos)
            seg = bytes(self.buf[self.pos:i])
            self.pos = i + 2
            out += seg
            if seg.endswith(b"}"):
                j = seg.rfind(b"{")
                num = seg[j + 1:-1]
                if j >= 0 and num.isdigit():
                    n = int(num)
                    while len(self.buf) - self.pos < n:
                        self._fill()
                    out += b"\r\n" + bytes(self.buf[self.pos:self.pos + n])
                    self.pos += n
                    continue
            return out

    def send(self, data):
        self.sock.sendall(data)

    def cmd(self, text, collect=True):
        """Runs one command; returns (untagged lines or their count, tagged)."""
        self.n += 1
        tag = b"b%d" % self.n
        self.send(tag + b" " + text.encode() + b"\r\n")
        return self.wait(tag, collect)

    def wait(self, tag, collect=True):
        untagged = [] if collect else 0
        while True:
            r = self.line()
            if r.startswith(tag + b" "):
                if not r.startswith(tag + b" OK"):
                    raise RuntimeError("%s: %r" % (tag, r))
                return untagged, r
            if collect:
                untagged.append(r)
            else:
                untagged += 1

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def login(a, tls=False):
    c = Conn(a.tls_port if tls else a.port, a.io_timeout, tls)
    c.cmd('LOGIN "%s" "%s"' % (a.user, a.password))
    return c


def timed(fn):
    t0 = time.monotonic()
    r = fn()
    return time.monotonic() - t0, r


def pids_of(kind, confdir=None):
    """pid -> name of the server processes of this benchmark: quail-imapd
    with "-C confdir" and the quail-imapd-session programs it exec'd (from
    the libexec/ beside confdir: not other instances'), or Dovecot's imap
    and imap-login."""
    out = {}
    libexec = None
    if confdir is not None:
        libexec = os.path.join(os.path.dirname(os.path.abspath(confdir)), "libexec")
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/comm" % d) as f:
                comm = f.read().strip()
            path = os.readlink("/proc/%s/exe" % d)
        except OSError:
            continue
        exe = os.path.basename(path)
        if kind == "quail-imapd" and exe == "quail-imapd":
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if confdir is None or confdir.encode() in argv:
                out[int(d)] = comm
        elif kind == "quail-imapd" and exe == "quail-imapd-session":
            if libexec is None or os.path.dirname(path) == libexec:
                out[int(d)] = comm
        elif kind == "dovecot" and comm in ("imap", "imap-login"):
            out[int(d)] = comm
    return out


def pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def session_pss(a, select, tls=False):
    """PSS (KB) of the server processes of one idle logged-in connection
    (new processes of the kind since before the connect), after LOGIN and
    optionally SELECT INBOX, 0.5 s after the last answer; over implicit
    TLS when tls."""
    time.sleep(1)  # the servers of earlier connections are gone
    before = set(pids_of(a.proc, a.confdir))
    c = login(a, tls)
    if select:
        c.cmd("SELECT INBOX", collect=False)
    time.sleep(0.5)
    procs = {p: n for p, n in pids_of(a.proc, a.confdir).items() if p not in before}
    detail = {"%s[%d]" % (n, p): pss_kb(p) for p, n in procs.items()}
    c.cmd("LOGOUT", collect=False)
    c.close()
    total = sum(v for v in detail.values() if v)
    return total, detail


def sessions_pss(a, n):
    """PSS (KB) per connection of n idle logged-in connections open at
    once: the PSS of all new server processes of the kind, divided by n
    (shared pages are then counted once in all, as they are paid)."""
    time.sleep(1)
    before = set(pids_of(a.proc, a.confdir))
    conns = []
    try:
        for _ in range(n):
            conns.append(login(a))
        time.sleep(0.5)
        procs = [p for p in pids_of(a.proc, a.confdir) if p not in before]
        total = sum(v for v in (pss_kb(p) for p in procs) if v)
    finally:
        for c in conns:
            try:
                c.cmd("LOGOUT", collect=False)
                c.close()
            except (OSError, RuntimeError):
                pass
    return total / n


def deliver(a, i):
    """One new message; returns time.monotonic() when it is delivered
    (quail: the SMTP 250 to DATA; Dovecot: the rename into new/)."""
    data = message(10 ** 7 + i, random.Random(i))
    if a.smtp_port:
        with smtplib.SMTP("127.0.0.1", a.smtp_port, timeout=a.io_timeout) as s:
            s.ehlo("bench.invalid")
            s.sendmail("sender@example.org", [a.user], data.replace(b"\n", b"\r\n"))
            return time.monotonic()
    spec = a.drop_dir.split(":")
    d = spec[0]
    name = "%d.M%dP%d.drop,S=%d" % (time.time(), i, os.getpid(), len(data))
    tmp = os.path.join(d, "tmp", name)
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    if len(spec) == 3:
        os.chown(tmp, int(spec[1]), int(spec[2]))
    os.rename(tmp, os.path.join(d, "new", name))
    return time.monotonic()


def idle_latency(a, c):
    lat = []
    for i in range(IDLE_ROUNDS):
        c.n += 1
        tag = b"b%d" % c.n
        c.send(tag + b" IDLE\r\n")
        r = c.line()
        if not r.startswith(b"+"):
            raise RuntimeError("IDLE: %r" % r)
        t0 = deliver(a, i)
        deadline = time.monotonic() + IDLE_WAIT_SECS
        c.sock.settimeout(IDLE_WAIT_SECS)
        while True:
            r = c.line()
            if r.endswith(b" EXISTS"):
                lat.append(time.monotonic() - t0)
                break
            if time.monotonic() > deadline:
                raise RuntimeError("IDLE: no EXISTS in %d s" % IDLE_WAIT_SECS)
        c.sock.settimeout(a.io_timeout)
        c.send(b"DONE\r\n")
        c.wait(tag, collect=False)
        time.sleep(0.2)
    return lat


def cmd_run(a):
    res = {"label": a.label, "count": a.count}
    n = a.count

    def save():
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    word = WORD
    try:
        c = login(a)
        res["select_cold"], (u, _) = timed(lambda: c.cmd("SELECT INBOX"))
        exists = [int(x.split()[1]) for x in u if x.endswith(b" EXISTS")]
        if exists != [n]:
            raise RuntimeError("SELECT: EXISTS %r, want %d" % (exists, n))
        c.cmd("LOGOUT", collect=False)
        c.close()
        # SELECT of the unchanged folder by a new session: a few
        # milliseconds, so the median of WARM_SELECTS sessions (one
        # sample is at the mercy of the scheduler)
        warm = []
        for _ in range(WARM_SELECTS - 1):
            c = login(a)
            warm.append(timed(lambda: c.cmd("SELECT INBOX", collect=False))[0])
            c.cmd("LOGOUT", collect=False)
            c.close()
        c = login(a)
        warm.append(timed(lambda: c.cmd("SELECT INBOX", collect=False))[0])
        res["select_warm"] = statistics.median(warm)
        res["fetch_flags_size"], (k, _) = timed(
            lambda: c.cmd("UID FETCH 1:* (UID FLAGS RFC822.SIZE)", collect=False))
        if k != n:
            raise RuntimeError("UID FETCH: %d answers, want %d" % (k, n))
        res["fetch_envelope_1"], (k, _) = timed(lambda: c.cmd("FETCH 1:* (ENVELOPE)", collect=False))
        if k != n:
            raise RuntimeError("FETCH ENVELOPE: %d answers, want %d" % (k, n))
        res["fetch_envelope_2"], _ = timed(lambda: c.cmd("FETCH 1:* (ENVELOPE)", collect=False))
        save()
        res["search_from"], (u, _) = timed(lambda: c.cmd('UID SEARCH FROM "%s"' % FROM))
        hits = sum(len(x.split()) - 2 for x in u if x.startswith(b"* SEARCH"))
        want = len([i for i in range(n) if i % 40 == 7])
        if hits != want:
            raise RuntimeError("SEARCH FROM: %d hits, want %d" % (hits, want))
        res["search_text"], (u, _) = timed(lambda: c.cmd("SEARCH TEXT %s" % word))
        hits = sum(len(x.split()) - 2 for x in u if x.startswith(b"* SEARCH"))
        want = len([i for i in range(n) if i % 50 == 3])
        if hits != want:
            raise RuntimeError("SEARCH TEXT: %d hits, want %d" % (hits, want))
        save()
        b = min(BATCH, n // 3)
        res["batch"] = b
        res["store"], _ = timed(lambda: c.cmd("STORE 1:%d +FLAGS (\\Flagged)" % b, collect=False))
        c.cmd("STORE %d:%d +FLAGS.SILENT (\\Deleted)" % (b + 1, 2 * b), collect=False)
        res["expunge"], (k, _) = timed(lambda: c.cmd("EXPUNGE", collect=False))
        if k != b:
            raise RuntimeError("EXPUNGE: %d answers, want %d" % (k, b))
        save()
        caps = b" ".join(c.cmd("CAPABILITY")[0]).upper()
        plus = b"LITERAL+" in caps
        res["append_literal_plus"] = plus

        def append_all():
            rnd = random.Random(7)
            for i in range(b):
                data = message(n + i, rnd).replace(b"\n", b"\r\n")
                c.n += 1
                tag = b"b%d" % c.n
                if plus:
                    c.send(tag + b" APPEND INBOX (\\Seen) {%d+}\r\n" % len(data) + data + b"\r\n")
                else:
                    c.send(tag + b" APPEND INBOX (\\Seen) {%d}\r\n" % len(data))
                    r = c.line()
                    if not r.startswith(b"+"):
                        raise RuntimeError("APPEND: %r" % r)
                    c.send(data + b"\r\n")
                c.wait(tag, collect=False)
        res["append"], _ = timed(append_all)
        c.cmd("NOOP", collect=False)
        c.cmd("LOGOUT", collect=False)
        c.close()
        save()
    except (OSError, RuntimeError, smtplib.SMTPException) as e:
        res["error"] = "%s: %s" % (type(e).__name__, e)
        save()
        print("%s: %s" % (a.label, res["error"]), file=sys.stderr)
    # IDLE and PSS on their own connections, measured even after an error
    try:
        c = login(a)
        c.cmd("SELECT INBOX", collect=False)
        lat = idle_latency(a, c)
        res["idle_all"] = lat
        res["idle"] = statistics.median(lat)
        c.cmd("LOGOUT", collect=False)
        c.close()
        save()
        res["pss_login"], res["pss_login_detail"] = session_pss(a, False)
        res["pss_selected"], res["pss_selected_detail"] = session_pss(a, True)
        res["pss_login10"] = sessions_pss(a, 10)
        save()
        if a.tls_port:
            res["pss_tls"], res["pss_tls_detail"] = session_pss(a, False, True)
            save()
    except (OSError, RuntimeError, smtplib.SMTPException) as e:
        res["error"] = res.get("error", "") + " %s: %s" % (type(e).__name__, e)
        save()
        print("%s: %s" % (a.label, res["error"]), file=sys.stderr)
    return 1 if "error" in res else 0


ROWS = [
    # key, what, target kind
    ("select_cold", "SELECT INBOX, first (fresh copy, no index)", "le"),
    ("select_warm", "SELECT INBOX, second (median of 5 sessions)", "le"),
    ("fetch_flags_size", "UID FETCH 1:* (UID FLAGS RFC822.SIZE)", "le"),
    ("fetch_envelope_1", "FETCH 1:* (ENVELOPE), first", "le"),
    ("fetch_envelope_2", "FETCH 1:* (ENVELOPE), again", "le"),
    ("search_from", "UID SEARCH FROM x", "le"),
    ("search_text", "SEARCH TEXT x (target: 2x faster)", "x2"),
    ("store", "STORE +FLAGS on 1000 messages", "le"),
    ("expunge", "EXPUNGE of 1000 messages", "le"),
    ("append", "APPEND of 1000 messages, one by one (target: 3x faster)", "x3"),
    ("idle", "IDLE notification after delivery, median of 5 (target < 0.1 s)", "idle"),
    ("pss_login", "PSS of an idle logged-in session, KB (target < 300)", "pss"),
    ("pss_login10", "PSS per session of 10 idle logged-in sessions, KB", "le"),
    ("pss_tls", "PSS of an idle logged-in session over implicit TLS, KB", "le"),
    ("pss_selected", "PSS of an idle session with INBOX selected, KB", "le"),
]


def cmd_table(a):
    q = json.load(open(a.quail))
    d = json.load(open(a.dovecot)) if a.dovecot else {}
    out = ["IMAP, %d messages (seconds unless noted; client-side wall time)" % q.get("count", 0),
           "",
           "| measurement | quail | Dovecot | quail/Dovecot | target met |",
           "|---|---|---|---|---|"]
    allok = True
    for key, what, kind in ROWS:
        qv, dv = q.get(key), d.get(key)

        def fmt(v):
            if v is None:
                return "-"
            return "%d" % v if key.startswith("pss") else "%.3f" % v
        ratio = "%.2f" % (qv / dv) if qv is not None and dv else "-"
        ok = None
        if qv is not None:
            if kind == "idle":
                ok = qv < 0.1 and (dv is None or qv <= dv * 1.0 or qv < 0.1)
            elif kind == "pss":
                ok = qv < 300 and (dv is None or qv <= dv)
            elif dv is not None:
                lim = {"le": 1.0, "x2": 0.5, "x3": 1.0 / 3}[kind]
                ok = qv <= dv * lim
        if ok is False:
            allok = False
        out.append("| %s | %s | %s | %s | %s |" % (what, fmt(qv), fmt(dv), ratio,
                                                 "-" if ok is None else ("yes" if ok else "NO")))
    for r in (q, d):
        if r.get("error"):
            out.append("")
            out.append("%s: incomplete: %s" % (r["label"], r["error"]))
            allok = False
    out.append("")
    for key in ("pss_login_detail", "pss_tls_detail"):
        out.append("%s: quail %s; Dovecot %s" % (key, q.get(key), d.get(key)))
    print("\n".join(out))
    return 0 if allok else 2


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--count", type=int, required=True)
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("dir")
    r = sub.add_parser("run")
    r.add_argument("--label", required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--user", required=True)
    r.add_argument("--password", required=True)
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--tls-port", type=int, help="implicit TLS port (PSS over TLS)")
    r.add_argument("--smtp-port", type=int)
    r.add_argument("--drop-dir")
    r.add_argument("--proc", choices=("quail-imapd", "dovecot"), required=True)
    r.add_argument("--confdir", help="quail: the instance's etc/ (-C) to tell its processes")
    r.add_argument("--io-timeout", type=float, default=IO_TIMEOUT_SECS)
    r.add_argument("--json", required=True)
    t = sub.add_parser("table")
    t.add_argument("quail")
    t.add_argument("dovecot", nargs="?")
    a = ap.parse_args()
    if a.cmd == "run" and not (a.smtp_port or a.drop_dir):
        ap.error("run needs --smtp-port or --drop-dir")
    return {"gen": cmd_gen, "run": cmd_run, "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
