#!/usr/bin/env python3
"""t_imap_multisession.py -- two IMAP sessions (raw sockets) on the same
INBOX of quail-imapd under real xinetd:
  - flags stored by A show up in B as "* n FETCH (FLAGS (...))" after NOOP;
  - a message expunged by A shows up in B as "* n EXPUNGE" after NOOP
    (and the sequence numbers in B shift accordingly);
  - a new delivery by SMTP shows up as "* n EXISTS" in both after NOOP;
  - B in IDLE reports a message delivered by SMTP ("* n EXISTS") less than
    1 second after the SMTP server's 250 to the end of DATA (measured);
  - B in IDLE reports A's flag change and expunge without a NOOP;
  - when B expunges a message that is \Recent in A, A's next NOOP says
    the new RECENT count.
Exit 0 pass, 1 fail, 77 skip.
"""
import os
import re
import smtplib
import sys
import time
from email.message import EmailMessage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quailtest as qt  # noqa: E402
from quailtest import check  # noqa: E402

USER = qt.IMAP_USER
# The IDLE notification must come within this long after the SMTP 250.
IDLE_LATENCY_MAX_SECS = 1.0
IDLE_WAIT_SECS = 10


def smtp_send(inst, subject):
    """Sends one message; returns time.monotonic() at the 250 to DATA."""
    m = EmailMessage()
    m["From"] = "me@mycompany.com"
    m["To"] = USER
    m["Subject"] = subject
    m.set_content("Body of %s\n" % subject)
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=qt.IO_TIMEOUT_SECS) as s:
        s.ehlo("test.invalid")
        s.send_message(m, "me@mycompany.com", [USER])
        t = time.monotonic()
    return t


def session(port):
    c = qt.Imap(port)
    check(c.greeting.startswith(b"* OK"), "greeting %r" % c.greeting)
    c.login()
    u, t = c.cmd("SELECT INBOX")
    return c, u


def exists_of(untagged):
    n = [int(m.group(1)) for m in (re.match(rb"\* (\d+) EXISTS$", x) for x in untagged) if m]
    return n[-1] if n else None


def idle_start(c):
    tag = c.tag()
    c.send("%s IDLE\r\n" % tag)
    r = c.response()
    check(r.startswith(b"+"), "IDLE: %r" % r)
    return tag


def idle_done(c, tag):
    c.send("DONE\r\n")
    r, seen = c.wait_untagged(lambda x: x.startswith(tag.encode() + b" "), 10)
    check(r.startswith(tag.encode() + b" OK"), "IDLE end: %r" % r)
    return seen


def run(inst):
    ports = inst.configured()
    check("imap" in ports, "no imap service: %r" % ports)
    port = ports["imap"]
    md = inst.maildir(USER)
    for i in range(3):
        qt.send_message(inst.smtp_port, "me@mycompany.com", USER, "Message %d" % i)
    qt.wait_maildir(md, 3)

    a, ua = session(port)
    b, ub = session(port)
    check(exists_of(ua) == 3 and exists_of(ub) == 3, "SELECT: %r / %r" % (ua, ub))

    # flags: A stores, B sees them after NOOP
    a.cmd("STORE 2 +FLAGS (\\Flagged $Label1)")
    u, _ = b.cmd("NOOP")
    f = [x for x in u if re.match(rb"\* 2 FETCH \(", x)]
    check(len(f) == 1 and b"\\Flagged" in f[0] and b"$Label1" in f[0],
          "B after A's STORE: NOOP gave %r, want * 2 FETCH (FLAGS (\\Flagged $Label1))" % u)
    check(re.search(rb"FLAGS \([^)]*\)", f[0]), "B's FETCH has no FLAGS: %r" % f)
    u, _ = b.cmd("NOOP")
    check(not any(b"FETCH" in x for x in u), "B: the flag change reported twice: %r" % u)
    u, _ = b.cmd("FETCH 2 (FLAGS)")
    check(any(b"\\Flagged" in x for x in u), "B FETCH 2 FLAGS: %r" % u)

    # expunge: A expunges message 1, B sees "* 1 EXPUNGE"
    u, _ = a.cmd("UID FETCH 1:* (UID)")
    uids_a = [int(re.search(rb"UID (\d+)", x).group(1)) for x in u if b"FETCH" in x]
    a.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)")
    u, _ = a.cmd("EXPUNGE")
    check([x for x in u if x.endswith(b" EXPUNGE")] == [b"* 1 EXPUNGE"], "A EXPUNGE: %r" % u)
    u, _ = b.cmd("NOOP")
    check(b"* 1 EXPUNGE" in u, "B after A's EXPUNGE: NOOP gave %r, want * 1 EXPUNGE" % u)
    u, _ = b.cmd("FETCH 1:* (UID FLAGS)")
    got = [int(re.search(rb"UID (\d+)", x).group(1)) for x in u if b"FETCH" in x]
    check(got == uids_a[1:], "B's UIDs after the expunge: %r, want %r" % (got, uids_a[1:]))
    check(b"\\Flagged" in [x for x in u if x.startswith(b"* 1 FETCH")][0],
          "B: old message 2 (flagged) is not message 1 now: %r" % u)

    # a delivery: "* 3 EXISTS" in both
    smtp_send(inst, "Message 3")
    def both_exists():
        for c in (a, b):
            u, _ = c.cmd("NOOP")
            if exists_of(u) is not None:
                c.seen_exists = exists_of(u)
        return getattr(a, "seen_exists", None) and getattr(b, "seen_exists", None)
    qt.wait_for(both_exists, 10, "* n EXISTS in both sessions")
    check(a.seen_exists == 3 and b.seen_exists == 3,
          "EXISTS after a delivery: A %r, B %r (want 3)" % (a.seen_exists, b.seen_exists))

    # IDLE latency: B idles, a message comes by SMTP
    latencies = []
    for round_ in range(3):
        want = 4 + round_
        tag = idle_start(b)
        t250 = smtp_send(inst, "Idle %d" % round_)
        r, seen = b.wait_untagged(lambda x: re.match(rb"\* \d+ EXISTS$", x) is not None,
                                  IDLE_WAIT_SECS)
        lat = time.monotonic() - t250
        latencies.append(lat)
        check(r == b"* %d EXISTS" % want, "IDLE: %r, want * %d EXISTS (before: %r)" % (r, want, seen))
        idle_done(b, tag)
    print("IDLE latency after SMTP 250: %s s" % " ".join("%.3f" % x for x in latencies))
    check(max(latencies) < IDLE_LATENCY_MAX_SECS,
          "IDLE notification %.3f s after the SMTP 250 (limit %.1f s)"
          % (max(latencies), IDLE_LATENCY_MAX_SECS))

    # IDLE sees another session's flag change and expunge
    a.cmd("NOOP")
    tag = idle_start(b)
    a.cmd("STORE 1 +FLAGS (\\Seen)")
    r, seen = b.wait_untagged(lambda x: re.match(rb"\* 1 FETCH", x) is not None, IDLE_WAIT_SECS)
    check(b"\\Seen" in r, "IDLE: flag change %r" % r)
    a.cmd("STORE 2 +FLAGS.SILENT (\\Deleted)")
    a.cmd("EXPUNGE")
    r, seen = b.wait_untagged(lambda x: x.endswith(b"EXPUNGE"), IDLE_WAIT_SECS)
    check(r == b"* 2 EXPUNGE", "IDLE: expunge %r (before %r)" % (r, seen))
    idle_done(b, tag)
    u, _ = b.cmd("NOOP")
    check(not any(x.endswith(b"EXPUNGE") for x in u), "expunge reported twice: %r" % u)
    ua, _ = a.cmd("UID FETCH 1:* (UID FLAGS)")
    ub, _ = b.cmd("UID FETCH 1:* (UID FLAGS)")
    def norm(lines):  # \Recent belongs to one session only
        return [re.sub(rb" ?\\Recent", b"", x).replace(b"( ", b"(") for x in lines]
    check(norm(ua) == norm(ub), "A and B disagree:\n A %r\n B %r" % (ua, ub))

    # RECENT: B expunges a message that is \Recent in A; A's next sync
    # says the new count (as Dovecot), not only with a new EXISTS
    smtp_send(inst, "Recent here")
    seen = {}
    def a_sees_it():
        u, _ = a.cmd("NOOP")
        if exists_of(u) is None:
            return False
        seen["exists"] = exists_of(u)
        seen["recent"] = [int(x.split()[1]) for x in u if re.match(rb"\* \d+ RECENT$", x)]
        return True
    qt.wait_for(a_sees_it, 10, "the new message in A")
    check(seen["recent"] and seen["recent"][-1] >= 1,
          "A claimed no \\Recent for the new message: %r" % seen)
    r1, n = seen["recent"][-1], seen["exists"]
    qt.wait_for(lambda: exists_of(b.cmd("NOOP")[0]) == n, 10, "the new message in B")
    b.cmd("STORE %d +FLAGS.SILENT (\\Deleted)" % n)
    u, _ = b.cmd("EXPUNGE")
    check(b"* %d EXPUNGE" % n in u, "B EXPUNGE of the new message: %r" % u)
    u, _ = a.cmd("NOOP")
    check(b"* %d EXPUNGE" % n in u and b"* %d RECENT" % (r1 - 1) in u,
          "A after B expunged a message \\Recent in A: %r, want * %d EXPUNGE "
          "and * %d RECENT" % (u, n, r1 - 1))
    u, _ = a.cmd("NOOP")
    check(not any(x.endswith(b"RECENT") for x in u), "RECENT said twice: %r" % u)
    for c in (a, b):
        u, t = c.cmd("LOGOUT")
        check(any(x.startswith(b"* BYE") for x in u), "LOGOUT without BYE: %r" % u)
        c.close()
    print("PASS t_imap_multisession")
    return 0


def main():
    try:
        with qt.imap_instance() as inst:
            try:
                return run(inst)
            except (qt.TestFailure, OSError, smtplib.SMTPException) as e:
                print("FAIL: %s: %s" % (type(e).__name__, e))
                inst.dump_logs()
                return 1
    except qt.TestFailure as e:
        print("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
