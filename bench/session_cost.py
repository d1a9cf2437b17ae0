#!/usr/bin/env python3
"""session_cost.py -- CPU time and peak RSS of single quail-smtpd sessions.

    bench/session_cost.py PROG CONFDIR [--sessions N] [--tls] [--ip ADDR]

Starts PROG (quail-smtpd) as inetd does, once per connection, on an
accepted TCP socket on ADDR (default 127.0.0.1, so the reverse DNS path is
the real one), runs EHLO (+ STARTTLS and EHLO again with --tls), reads
VmHWM of every process of the session while it is still open, then QUIT.
The CPU time is that of the whole session (wait4() rusage of the process
inetd would see; it includes the protocol child it waited for). Prints
medians and means over N sessions. Every socket operation is bounded by a
10 s timeout.
"""
import argparse
import os
import resource
import socket
import ssl
import statistics
import subprocess
import sys
import time


def read_reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise RuntimeError("connection closed; got %r" % lines)
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            return lines


def vmhwm(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def session_pids(top):
    pids = [top]
    try:
        with open("/proc/%d/task/%d/children" % (top, top)) as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    return pids


def top_mappings(pid):
    """(Rss kB, file) per mapped file (or [heap], [anon]), largest first."""
    sums, name = {}, None
    try:
        with open("/proc/%d/smaps" % pid) as f:
            for line in f:
                parts = line.split()
                if "-" in parts[0] and len(parts[0]) > 8 and \
                        not parts[0].endswith(":"):
                    name = parts[5] if len(parts) > 5 else "[anon]"
                elif parts[0] == "Rss:":
                    sums[name] = sums.get(name, 0) + int(parts[1])
    except OSError:
        return []
    return sorted(((v, k) for k, v in sums.items()), reverse=True)


def one(prog, confdir, use_tls, lsock, addr, port, show_maps=False):
    c = socket.create_connection((addr, port), timeout=10)
    s, _ = lsock.accept()
    t0 = time.monotonic()
    p = subprocess.Popen([prog, "-C", confdir], stdin=s, stdout=s,
                         stderr=subprocess.DEVNULL, close_fds=True)
    s.close()
    f = c.makefile("rb")
    read_reply(f)
    c.sendall(b"EHLO bench.example\r\n")
    read_reply(f)
    if use_tls:
        c.sendall(b"STARTTLS\r\n")
        r = read_reply(f)
        if not r[0].startswith(b"220"):
            raise RuntimeError("STARTTLS: %r" % r)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c = ctx.wrap_socket(c, server_hostname="localhost")
        f = c.makefile("rb")
        c.sendall(b"EHLO bench.example\r\n")
        read_reply(f)
    hwm = [vmhwm(q) for q in session_pids(p.pid)]
    if show_maps:
        for q in session_pids(p.pid):
            print("pid %d (%s): VmHWM %s kB; largest mappings (Rss kB):"
                  % (q, "monitor/top" if q == p.pid else "child",
                     vmhwm(q)))
            for rss, name in top_mappings(q)[:8]:
                print("  %6d  %s" % (rss, name))
    c.sendall(b"QUIT\r\n")
    read_reply(f)
    c.close()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    return (ru.ru_utime + ru.ru_stime) * 1000.0, wall * 1000.0, \
        [h for h in hwm if h is not None]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prog")
    ap.add_argument("confdir")
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--ip", default="127.0.0.1")
    ap.add_argument("--maps", action="store_true",
                    help="print the largest mappings of the first session")
    a = ap.parse_args()
    fam = socket.AF_INET6 if ":" in a.ip else socket.AF_INET
    lsock = socket.socket(fam, socket.SOCK_STREAM)
    lsock.bind((a.ip, 0))
    lsock.listen(8)
    lsock.settimeout(10)
    port = lsock.getsockname()[1]
    cpu, wall, hw = [], [], []
    for i in range(a.sessions):
        c, w, h = one(a.prog, a.confdir, a.tls, lsock, a.ip, port,
                      a.maps and i == 0)
        cpu.append(c)
        wall.append(w)
        hw.append(sorted(h, reverse=True))
    largest = [h[0] for h in hw if h]
    second = [h[1] for h in hw if len(h) > 1]
    print("%s%s: %d sessions: CPU ms/session median %.2f mean %.2f; "
          "wall ms median %.2f; VmHWM kB largest median %d%s" % (
              a.prog, " (STARTTLS)" if a.tls else "", a.sessions,
              statistics.median(cpu), statistics.mean(cpu),
              statistics.median(wall), statistics.median(largest),
              ", other process %d" % statistics.median(second)
              if second else ""))


if __name__ == "__main__":
    sys.exit(main())
