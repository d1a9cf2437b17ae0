#!/usr/bin/env python3
"""smtp_load.py -- SMTP load generator and session-RSS probe for bench/.

Used by bench/smtp-throughput.sh for quail and for the Postfix reference
alike, so both servers see exactly the same client.

  smtp_load.py send --port N --rcpt ADDR --maildir DIR [--count 2000]
               [--conns 8] [--size 4096] [--json FILE]
               [--client smtp-source|python]
      COUNT messages of SIZE bytes (headers included), one message per
      connection, over CONNS parallel sessions.  The clock starts at the
      first connect and stops when DIR/new holds COUNT more files than
      before the run.  Prints one JSON object (also written to FILE).
      The client is Postfix's smtp-source (C, the default when installed:
      `smtp-source -c -m COUNT -s CONNS -F FILE`, one message per
      connection since -d is not given; HELO, MAIL, RCPT, DATA, QUIT) or
      the Python client below (EHLO instead of HELO; one thread per
      session, so it costs much more CPU on the machine under test).
      Either way both servers get exactly the same client and bytes.

  smtp_load.py rss --port N --rcpt ADDR --exe PATH [--size 1048576]
      One session with a SIZE-byte message; after its 250 (session still
      open) reads VmHWM/VmRSS from /proc/<pid>/status of every process whose
      executable is PATH (the quail-smtpd of this instance only, not of
      other instances on the machine).  Prints one JSON object.

Every wait is bounded: socket operations by --io-timeout, the whole run by
--timeout.  Exit 0 when every message was accepted and delivered in time,
1 otherwise, 2 on usage errors.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

CRLF = b"\r\n"
REPLY_LINE_MAX = 4096       # bytes; a longer reply line is a protocol error
REPLY_LINES_MAX = 100       # lines in one multi-line reply
POLL_INTERVAL = 0.01        # seconds between Maildir counts


class SMTPError(Exception):
    pass


class Conn:
    """A minimal blocking SMTP client connection (no smtplib: it adds
    commands of its own and hides the timing)."""

    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)
        self.rbuf = b""

    def _line(self):
        while b"\n" not in self.rbuf:
            if len(self.rbuf) > REPLY_LINE_MAX:
                raise SMTPError("reply line too long")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SMTPError("connection closed by server")
            self.rbuf += chunk
        line, self.rbuf = self.rbuf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def reply(self):
        lines = []
        for _ in range(REPLY_LINES_MAX):
            line = self._line()
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                break
        else:
            raise SMTPError("reply has too many lines")
        try:
            code = int(lines[-1][:3])
        except ValueError:
            raise SMTPError("malformed reply: %r" % lines[-1])
        return code, lines

    def cmd(self, text, expect):
        self.sock.sendall(text.encode() + CRLF)
        return self.expect(expect, text)

    def expect(self, expect, what):
        code, lines = self.reply()
        if code != expect:
            raise SMTPError("%s -> %s" % (what, " | ".join(lines)))
        return lines

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def make_message(size, sender, rcpt, seq):
    """A message of exactly `size` bytes on the wire (CRLF line ends, before
    the terminating '.'), body lines of 76 characters, no line starting
    with '.' so no dot-stuffing changes the size."""
    head = ("From: <%s>\r\nTo: <%s>\r\nSubject: bench message %d\r\n"
            "Message-ID: <bench.%d.%d@bench.example>\r\n"
            "Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n\r\n"
            % (sender, rcpt, seq, os.getpid(), seq)).encode()
    left = max(size - len(head), 0)
    line = (b"abcdefghijklmnopqrstuvwxyz0123456789" * 3)[:76] + CRLF
    body = bytearray()
    while left > 0:
        if left >= len(line):
            body += line
            left -= len(line)
        elif left >= 3:
            body += b"x" * (left - 2) + CRLF
            left = 0
        else:
            # too short for a line of its own: lengthen the previous one
            body[-2:-2] = b"y" * left
            left = 0
    return head + bytes(body)


def one_message(args, seq):
    c = Conn(args.host, args.port, args.io_timeout)
    try:
        c.expect(220, "greeting")
        c.cmd("EHLO bench.example", 250)
        c.cmd("MAIL FROM:<%s>" % args.sender, 250)
        c.cmd("RCPT TO:<%s>" % args.rcpt, 250)
        c.cmd("DATA", 354)
        c.sock.sendall(make_message(args.size, args.sender, args.rcpt, seq)
                       + b".\r\n")
        c.expect(250, "end of data")
        c.cmd("QUIT", 221)
    finally:
        c.close()


def count_new(maildir):
    try:
        with os.scandir(os.path.join(maildir, "new")) as it:
            return sum(1 for e in it if not e.name.startswith("."))
    except FileNotFoundError:
        return 0


def send_smtp_source(args, deadline, state):
    """Runs smtp-source for the whole load; fills state["ok"]/["errors"].
    The message file has LF line ends: smtp-source sends each line with
    CRLF and dot-stuffs, so SIZE bytes go on the wire, as with Python."""
    msg = make_message(args.size, args.sender, args.rcpt, 0)
    with tempfile.NamedTemporaryFile(prefix="smtp_load.", suffix=".eml",
                                     delete=False) as f:
        f.write(msg.replace(CRLF, b"\n"))
        path = f.name
    try:
        p = subprocess.run(
            [args.smtp_source, "-c", "-m", str(args.count), "-s",
             str(args.conns), "-F", path, "-f", args.sender, "-t", args.rcpt,
             "%s:%d" % (args.host, args.port)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=max(deadline - time.monotonic(), 1))
        out, err, rc = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out, err, rc = e.stdout or b"", b"timeout", -1
    finally:
        os.unlink(path)
    # -c prints the number of completed DATA commands, "\r"-separated.
    counts = [int(x) for x in out.replace(b"\n", b"\r").split(b"\r")
              if x.strip().isdigit()]
    state["ok"] = counts[-1] if counts else 0
    if rc != 0 or state["ok"] != args.count:
        state["errors"].append("smtp-source exit %d: %s" % (
            rc, err.decode("utf-8", "replace").strip()[:500]))


def cmd_send(args):
    base = count_new(args.maildir)
    deadline = time.monotonic() + args.timeout
    lock = threading.Lock()
    state = {"next": 0, "ok": 0, "errors": []}

    def worker():
        while True:
            with lock:
                if state["next"] >= args.count or time.monotonic() > deadline:
                    return
                seq = state["next"]
                state["next"] += 1
            try:
                one_message(args, seq)
                with lock:
                    state["ok"] += 1
            except (OSError, SMTPError) as e:
                with lock:
                    state["errors"].append("msg %d: %s" % (seq, e))

    t0 = time.monotonic()
    if args.client == "smtp-source":
        send_smtp_source(args, deadline, state)
    else:
        threads = [threading.Thread(target=worker, daemon=True)
                   for _ in range(args.conns)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(deadline - time.monotonic(), 0))
    t_smtp = time.monotonic() - t0

    want = base + state["ok"]
    n = count_new(args.maildir)
    while n < want and time.monotonic() < deadline:
        time.sleep(POLL_INTERVAL)
        n = count_new(args.maildir)
    t_end = time.monotonic() - t0
    delivered = n - base
    complete = (state["ok"] == args.count and delivered >= args.count)
    res = {
        "label": args.label,
        "client": args.client,
        "port": args.port,
        "messages": args.count,
        "size": args.size,
        "conns": args.conns,
        "accepted": state["ok"],
        "failed": args.count - state["ok"],
        "delivered": delivered,
        "complete": complete,
        "smtp_seconds": round(t_smtp, 3),
        "end_to_end_seconds": round(t_end, 3),
        "smtp_msgs_per_s": round(state["ok"] / t_smtp, 1) if t_smtp else 0,
        "msgs_per_s": (round(args.count / t_end, 1) if complete and t_end
                       else 0),
        "errors": state["errors"][:20],
    }
    out = json.dumps(res, indent=1)
    if args.json:
        with open(args.json, "w") as f:
            f.write(out + "\n")
    print(out)
    return 0 if complete else 1


def procs_of(exe):
    """pids whose /proc/<pid>/exe is exe (resolved)."""
    want = os.path.realpath(exe)
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            if os.path.realpath("/proc/%s/exe" % d) == want:
                pids.append(int(d))
        except OSError:
            pass
    return pids


def status_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def rollup_kb(pid):
    """Rss, Pss and private memory from /proc/<pid>/smaps_rollup: VmHWM
    counts the shared library pages too, these say what is the session's
    own."""
    out = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                k = line.split(":")[0]
                if k in ("Rss", "Pss", "Private_Dirty", "Private_Clean",
                         "Shared_Clean", "Anonymous"):
                    out[k + "_kB"] = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return out


def libs_kb(pid):
    """Resident kB per mapped file (the largest first)."""
    agg = {}
    cur = None
    try:
        with open("/proc/%d/smaps" % pid) as f:
            for line in f:
                fields = line.split()
                if not fields[0].endswith(":"):
                    cur = fields[5] if len(fields) > 5 else "[anon]"
                elif fields[0] == "Rss:":
                    agg[cur] = agg.get(cur, 0) + int(fields[1])
    except (OSError, ValueError, IndexError):
        pass
    return sorted(([k, v] for k, v in agg.items() if v),
                  key=lambda kv: -kv[1])


def cmd_rss(args):
    res = {"exe": args.exe, "size": args.size, "ok": False, "procs": []}
    c = Conn(args.host, args.port, args.io_timeout)
    try:
        c.expect(220, "greeting")
        c.cmd("EHLO bench.example", 250)
        # The baseline: the session before any message.
        res["idle"] = [{"pid": pid, "VmHWM_kB": status_kb(pid, "VmHWM")}
                       for pid in procs_of(args.exe)]
        c.cmd("MAIL FROM:<%s> SIZE=%d" % (args.sender, args.size), 250)
        c.cmd("RCPT TO:<%s>" % args.rcpt, 250)
        c.cmd("DATA", 354)
        c.sock.sendall(make_message(args.size, args.sender, args.rcpt, 0)
                       + b".\r\n")
        c.expect(250, "end of data")
        # The session is still open: its processes are alive.
        for pid in procs_of(args.exe):
            p = {"pid": pid,
                 "VmHWM_kB": status_kb(pid, "VmHWM"),
                 "VmRSS_kB": status_kb(pid, "VmRSS"),
                 "mappings_kB": libs_kb(pid)}
            p.update(rollup_kb(pid))
            res["procs"].append(p)
        c.cmd("QUIT", 221)
        res["ok"] = bool(res["procs"])
        if not res["procs"]:
            res["error"] = "no process running %s found" % args.exe
    except (OSError, SMTPError) as e:
        res["error"] = str(e)
    finally:
        c.close()
    hwm = [p["VmHWM_kB"] for p in res["procs"] if p["VmHWM_kB"] is not None]
    res["peak_VmHWM_kB"] = max(hwm) if hwm else None
    print(json.dumps(res, indent=1))
    return 0 if res["ok"] else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    for name in ("send", "rss"):
        p = sub.add_parser(name)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, required=True)
        p.add_argument("--from", dest="sender", default="me@mycompany.com")
        p.add_argument("--rcpt", required=True)
        p.add_argument("--io-timeout", type=float, default=60.0,
                       help="seconds per socket operation")
        p.add_argument("--timeout", type=float, default=600.0,
                       help="seconds for the whole run")
    s = sub.choices["send"]
    s.add_argument("--maildir", required=True)
    s.add_argument("--count", type=int, default=2000)
    s.add_argument("--conns", type=int, default=8)
    s.add_argument("--size", type=int, default=4096)
    s.add_argument("--label", default="")
    s.add_argument("--json")
    s.add_argument("--client", choices=("smtp-source", "python"),
                   default=None, help="load generator (default: smtp-source "
                   "when installed, else python)")
    r = sub.choices["rss"]
    r.add_argument("--exe", required=True)
    r.add_argument("--size", type=int, default=1048576)
    args = ap.parse_args()
    if args.mode == "send":
        args.smtp_source = (shutil.which("smtp-source")
                            or shutil.which("smtp-source", path="/usr/sbin"))
        if args.client is None:
            args.client = "smtp-source" if args.smtp_source else "python"
        if args.client == "smtp-source" and not args.smtp_source:
            ap.error("smtp-source not found (it comes with postfix)")
        if not (0 < args.count <= 1000000 and 0 < args.conns <= 256
                and 512 <= args.size <= 100 * 1048576):
            ap.error("count, conns or size out of range")
        return cmd_send(args)
    return cmd_rss(args)


if __name__ == "__main__":
    sys.exit(main())
