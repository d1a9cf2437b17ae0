#!/usr/bin/env python3
"""pop3_bench.py -- the pieces of bench/pop3-bench.sh (see bench/README.md).

  pop3_bench.py gen --count N --maildir DIR[:UID:GID] [--maildir ...] [--cur]
      Writes the same N small messages into every given Maildir (created
      fresh: the directory must not exist). File names carry ",S=<bytes>"
      and ",W=<bytes with CRLF>" as quail-deliver and Dovecot write them;
      in new/ (as delivered) or, with --cur, in cur/ with ":2,". Each file
      is chowned to UID:GID when given. Prints JSON: count, bytes, crlf_bytes.

  pop3_bench.py run --label L --port P --tls-port P2 --user U --password PW
                    --login-user U2 --login-password PW2 --cafile F
                    --count N --crlf-bytes B --retr N --logins N --json OUT
      One server: login + STAT on the big mailbox twice (the first one is the
      first access to a fresh Maildir), UIDL, RETR of --retr messages spread
      over the mailbox, then --logins logins (connect -> +OK after PASS) on
      the small mailbox of U2, plain and over implicit TLS, alternating.
      STAT must report exactly --count messages and --crlf-bytes octets,
      UIDL --count distinct ids. Writes JSON; exit 0 when every step
      completed.

  pop3_bench.py table --rounds R RESULTS_DIR LABEL...
      The table of medians over rounds, from RESULTS_DIR/LABEL-<round>.json.

One client (python poplib, one connection at a time) for every server.
Every socket operation is bounded (--io-timeout, default 300 s).
"""
import argparse
import json
import os
import poplib
import socket
import ssl
import statistics
import sys
import time

IO_TIMEOUT_SECS = 300
# Message files written between two progress notes.
PROGRESS_EVERY = 20000


# ---- gen ---------------------------------------------------------------------

def message(i):
    """The i-th message (LF line ends), 300..700 bytes, unique Message-ID."""
    pad = "x" * (i * 37 % 300)
    lines = [
        "Return-Path: <sender%d@example.org>" % (i % 97),
        "Delivered-To: bench@example.test",
        "Received: from client.example.org (client.example.org [192.0.2.%d])" % (i % 250 + 1),
        "\tby mail.mycompany.com with ESMTP id B%08X; Mon, 23 Nov 2026 12:00:00 +0000" % i,
        "From: Sender %d <sender%d@example.org>" % (i % 97, i % 97),
        "To: bench@example.test",
        "Subject: bench message %d" % i,
        "Date: Mon, 23 Nov 2026 12:00:00 +0000",
        "Message-ID: <bench.%d@example.org>" % i,
        "",
        "This is benchmark message number %d." % i,
        pad,
        "",
    ]
    return "\n".join(lines).encode()


def cmd_gen(a):
    dirs = []
    for spec in a.maildir:
        parts = spec.split(":")
        path = parts[0]
        owner = (int(parts[1]), int(parts[2])) if len(parts) == 3 else None
        if os.path.exists(path):
            sys.exit("gen: %s exists (the bench makes it fresh)" % path)
        for sub in ("", "tmp", "new", "cur"):
            os.makedirs(os.path.join(path, sub), mode=0o700)
            if owner:
                os.chown(os.path.join(path, sub), *owner)
        dirs.append((path, owner))
    base = 1795400000
    total = crlf_total = 0
    for i in range(1, a.count + 1):
        data = message(i)
        size = len(data)
        crlf = size + data.count(b"\n")
        total += size
        crlf_total += crlf
        name = "%d.M%06dP%dQ%d.bench.example.test,S=%d,W=%d" % (
            base + i // 100, i % 1000000, 4242, i, size, crlf)
        sub = "cur" if a.cur else "new"
        if a.cur:
            name += ":2,S"
        for path, owner in dirs:
            fn = os.path.join(path, sub, name)
            fd = os.open(fn, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, data)
                if owner:
                    os.fchown(fd, *owner)
            finally:
                os.close(fd)
        if i % PROGRESS_EVERY == 0:
            print("  %d messages written" % i, file=sys.stderr)
    print(json.dumps({"count": a.count, "bytes": total, "crlf_bytes": crlf_total}))


# ---- run ---------------------------------------------------------------------

class Failure(Exception):
    pass


def connect(port, tls, cafile, timeout):
    if tls:
        ctx = ssl.create_default_context(cafile=cafile)
        # Both certificates name mail.mycompany.com; we connect to the IP.
        ctx.check_hostname = False
        return poplib.POP3_SSL("127.0.0.1", port, context=ctx, timeout=timeout)
    return poplib.POP3("127.0.0.1", port, timeout=timeout)


def login(p, user, password):
    p.user(user)
    p.pass_(password)


def timed_login_stat(a):
    t0 = time.monotonic()
    p = connect(a.port, False, a.cafile, a.io_timeout)
    login(p, a.user, a.password)
    count, size = p.stat()
    t1 = time.monotonic()
    p.quit()
    return t1 - t0, count, size, time.monotonic() - t1


def session(a):
    p = connect(a.port, False, a.cafile, a.io_timeout)
    login(p, a.user, a.password)
    return p


def cmd_run(a):
    out = {"label": a.label, "count": a.count, "crlf_bytes": a.crlf_bytes,
           "complete": False, "errors": []}

    def save():
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)

    try:
        for n in (1, 2):
            secs, count, size, quit_secs = timed_login_stat(a)
            out["login_stat_%d_s" % n] = secs
            out["quit_%d_s" % n] = quit_secs
            out["stat_%d" % n] = [count, size]
            if count != a.count or size != a.crlf_bytes:
                raise Failure("STAT %d: %d messages, %d octets; want %d, %d"
                              % (n, count, size, a.count, a.crlf_bytes))
            print("  %s: login+STAT %d: %.3f s" % (a.label, n, secs), file=sys.stderr)

        p = session(a)
        t0 = time.monotonic()
        resp, lines, _ = p.uidl()
        out["uidl_s"] = time.monotonic() - t0
        ids = set(l.split()[1] for l in lines)
        if len(lines) != a.count or len(ids) != a.count:
            raise Failure("UIDL: %d lines, %d distinct ids; want %d"
                          % (len(lines), len(ids), a.count))
        p.quit()
        print("  %s: UIDL: %.3f s" % (a.label, out["uidl_s"]), file=sys.stderr)

        n = min(a.retr, a.count)
        step = max(1, a.count // n)
        which = [1 + k * step for k in range(n)]
        p = session(a)
        got = 0
        t0 = time.monotonic()
        for m in which:
            resp, lines, octets = p.retr(m)
            if not resp.startswith(b"+OK"):
                raise Failure("RETR %d: %r" % (m, resp))
            got += octets
        out["retr_s"] = time.monotonic() - t0
        out["retr_count"] = n
        out["retr_octets"] = got
        p.quit()
        print("  %s: RETR x%d: %.3f s" % (a.label, n, out["retr_s"]), file=sys.stderr)

        # Plain and TLS alternate, so that a change of the machine's load
        # hits both alike.
        out["login_plain_ms"], out["login_tls_ms"] = [], []
        for _ in range(a.logins):
            for tls in (False, True):
                t0 = time.monotonic()
                p = connect(a.tls_port if tls else a.port, tls, a.cafile, a.io_timeout)
                login(p, a.login_user, a.login_password)
                ms = (time.monotonic() - t0) * 1000
                p.quit()
                out["login_tls_ms" if tls else "login_plain_ms"].append(ms)
        for key, what in (("login_plain_ms", "plain"), ("login_tls_ms", "TLS")):
            print("  %s: login %s: median %.1f ms" % (a.label, what,
                  statistics.median(out[key])), file=sys.stderr)
        out["complete"] = True
    except (Failure, poplib.error_proto, OSError, ssl.SSLError, EOFError) as e:
        out["errors"].append("%s: %s" % (type(e).__name__, e))
        print("  %s: FAILED: %s" % (a.label, e), file=sys.stderr)
    save()
    return 0 if out["complete"] else 1


# ---- table -------------------------------------------------------------------

def cmd_table(a):
    def load(label, r):
        try:
            with open(os.path.join(a.results, "%s-%d.json" % (label, r))) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    runs = {l: [x for x in (load(l, r) for r in range(1, a.rounds + 1)) if x]
            for l in a.labels}

    def med(label, key, scale=1.0):
        v = [x[key] * scale for x in runs[label] if x.get("complete") and key in x]
        return statistics.median(v) if v else None

    def med_list(label, key):
        v = [statistics.median(x[key]) for x in runs[label]
             if x.get("complete") and x.get(key)]
        return statistics.median(v) if v else None

    first = next((x for l in a.labels for x in runs[l]), {})
    print()
    print("POP3 on a Maildir of %s messages (%s octets as CRLF), python poplib, "
          "one connection at a time%s" % (first.get("count"), first.get("crlf_bytes"),
                                         ", median of %d rounds" % a.rounds
                                         if a.rounds > 1 else ""))
    print("%-30s" % "" + "".join("%12s" % l for l in a.labels))

    def row(name, vals, fmt):
        print("%-30s" % name + "".join("%12s" % (fmt % v if v is not None else "-")
                                       for v in vals))

    rows = [("login + STAT, 1st (s)", "login_stat_1_s"),
            ("login + STAT, 2nd (s)", "login_stat_2_s"),
            ("UIDL (s)", "uidl_s"),
            ("RETR x%s (s)" % first.get("retr_count", "?"), "retr_s")]
    for name, key in rows:
        row(name, [med(l, key) for l in a.labels], "%.3f")
    row("login plain, median (ms)", [med_list(l, "login_plain_ms") for l in a.labels], "%.1f")
    row("login TLS, median (ms)", [med_list(l, "login_tls_ms") for l in a.labels], "%.1f")
    if len(a.labels) == 2:
        q, d = a.labels
        print()
        print("time %s / %s (below 1: %s faster)" % (q, d, q))
        for name, key in rows:
            x, y = med(q, key), med(d, key)
            row(name, [x / y if x is not None and y else None], "%.2f")
        for name, key in (("login plain", "login_plain_ms"), ("login TLS", "login_tls_ms")):
            x, y = med_list(q, key), med_list(d, key)
            row(name, [x / y if x is not None and y else None], "%.2f")
    bad = 0
    for l in a.labels:
        for x in runs[l]:
            for e in x.get("errors", [])[:3]:
                print("  %s error: %s" % (l, e))
            bad += not x.get("complete")
        if len(runs[l]) < a.rounds:
            print("  %s: %d of %d rounds have no results" % (l, a.rounds - len(runs[l]), a.rounds))
            bad += 1
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--count", type=int, required=True)
    g.add_argument("--maildir", action="append", required=True)
    g.add_argument("--cur", action="store_true")
    r = sub.add_parser("run")
    r.add_argument("--label", required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--tls-port", type=int, required=True)
    r.add_argument("--user", required=True)
    r.add_argument("--password", required=True)
    r.add_argument("--login-user", required=True)
    r.add_argument("--login-password", required=True)
    r.add_argument("--cafile", required=True)
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--crlf-bytes", type=int, required=True)
    r.add_argument("--retr", type=int, default=1000)
    r.add_argument("--logins", type=int, default=50)
    r.add_argument("--io-timeout", type=float, default=IO_TIMEOUT_SECS)
    r.add_argument("--json", required=True)
    t = sub.add_parser("table")
    t.add_argument("--rounds", type=int, default=1)
    t.add_argument("results")
    t.add_argument("labels", nargs="+")
    a = ap.parse_args()
    if a.cmd == "gen":
        if a.count < 1:
            sys.exit("gen: --count must be positive")
        cmd_gen(a)
        return 0
    if a.cmd == "run":
        return cmd_run(a)
    return cmd_table(a)


if __name__ == "__main__":
    sys.exit(main())
