#!/usr/bin/env python3
"""t_imap_stress.py -- 20 IMAP sessions at once on the same INBOX of
quail-imapd under real xinetd, for at most STRESS_SECS seconds, each in a
loop: APPEND a "keep" and a "drop" message (APPENDUID recorded), SELECT,
FETCH 1:* (UID FLAGS), UID FETCH of its own last message (content
checked), STORE +FLAGS \\Flagged on it, STORE \\Deleted on its drop
messages, EXPUNGE; meanwhile a few messages come by SMTP. Afterwards:
  - every "keep" message is there exactly once, under the UID its APPEND
    reported, with its content; no "drop" message is left;
  - UIDs are unique and strictly increasing with the sequence numbers, and
    below UIDNEXT; UIDVALIDITY never changed;
  - quail-pop3d's UIDL of every message is "%08X%08X" % (uid, uidvalidity)
    (and the POP3 message count equals the IMAP one);
  - no session failed (a tagged NO/BAD or a dropped connection).
Exit 0 pass, 1 fail, 77 skip.
"""
import os
import poplib
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quailtest as qt  # noqa: E402
from quailtest import check  # noqa: E402

SESSIONS = 20
STRESS_SECS = 20        # the whole parallel phase, wall time
ITERATIONS_MAX = 200    # per session, a bound besides the time
SMTP_MESSAGES = 5


def message(worker, i, kind):
    return ("From: w%d@stress.invalid\r\nTo: myuser@mycompany.com\r\n"
            "Subject: %s %d-%d\r\nX-Stress: %s-%d-%d\r\n\r\n"
            "Body of %s message %d of worker %d.\r\n"
            % (worker, kind, worker, i, kind, worker, i, kind, i, worker)).encode()


class Worker(threading.Thread):
    def __init__(self, port, n, deadline):
        super().__init__(daemon=True)
        self.port, self.n, self.deadline = port, n, deadline
        self.kept = {}       # X-Stress id -> (uid, bytes)
        self.uidvalidity = set()
        self.error = None
        self.iterations = 0

    def append(self, c, data):
        _, t = c.cmd("APPEND INBOX (\\Seen) {%d}" % len(data), literal=data)
        mo = re.search(rb"\[APPENDUID (\d+) (\d+)\]", t)
        check(mo, "APPEND without APPENDUID: %r" % t)
        self.uidvalidity.add(int(mo.group(1)))
        return int(mo.group(2))

    def run(self):
        try:
            c = qt.Imap(self.port)
            c.login()
            drops = []
            for i in range(ITERATIONS_MAX):
                if time.monotonic() > self.deadline:
                    break
                keep = message(self.n, i, "keep")
                uid = self.append(c, keep)
                self.kept["keep-%d-%d" % (self.n, i)] = (uid, keep)
                drops.append(self.append(c, message(self.n, i, "drop")))
                u, t = c.cmd("SELECT INBOX")
                mo = re.search(rb"\[UIDVALIDITY (\d+)\]", b" ".join(u))
                check(mo, "SELECT without UIDVALIDITY: %r" % u)
                self.uidvalidity.add(int(mo.group(1)))
                u, _ = c.cmd("FETCH 1:* (UID FLAGS)")
                by_seq = {}
                for x in u:
                    mo = re.match(rb"\* (\d+) FETCH \(.*UID (\d+)", x)
                    if mo:
                        by_seq[int(mo.group(1))] = int(mo.group(2))
                uids = [by_seq[k] for k in sorted(by_seq)]
                check(uids == sorted(set(uids)), "FETCH 1:* UIDs not increasing: %r" % uids)
                if uid not in uids:
                    u, _ = c.cmd("UID SEARCH HEADER X-Stress keep-%d-%d" % (self.n, i))
                    raise qt.TestFailure(
                        "APPEND said [APPENDUID %d %d] for keep-%d-%d, but FETCH 1:* "
                        "(UID FLAGS) after SELECT lacks UID %d; UID SEARCH HEADER "
                        "X-Stress finds it as %r" % (min(self.uidvalidity), uid, self.n,
                                                     i, uid, b" ".join(u)))
                u, _ = c.cmd("UID FETCH %d (BODY.PEEK[])" % uid)
                body = [x for x in u if b" FETCH " in x and b"BODY[]" in x]
                check(len(body) == 1 and keep in body[0],
                      "UID FETCH %d: %r, want the appended message" % (uid, u[:3]))
                c.cmd("UID STORE %d +FLAGS (\\Flagged)" % uid)
                c.cmd("UID STORE %s +FLAGS.SILENT (\\Deleted)" % ",".join(map(str, drops)))
                c.cmd("EXPUNGE")
                drops = []
                self.iterations += 1
            c.cmd("LOGOUT")
            c.close()
        except Exception as e:  # reported by the main thread
            self.error = "worker %d, iteration %d: %s: %s" % (
                self.n, self.iterations, type(e).__name__, e)


def run(inst):
    ports = inst.configured()
    check("imap" in ports and "pop3" in ports, "services: %r" % ports)
    port = ports["imap"]
    # The first session creates the INBOX (and the UID list).
    c = qt.Imap(port)
    c.login()
    u, _ = c.cmd("SELECT INBOX")
    uv0 = int(re.search(rb"\[UIDVALIDITY (\d+)\]", b" ".join(u)).group(1))
    c.cmd("LOGOUT")
    c.close()

    t0 = time.monotonic()
    deadline = t0 + STRESS_SECS * 0.75  # leave time for the last round
    workers = [Worker(port, n, deadline) for n in range(SESSIONS)]
    for w in workers:
        w.start()
    smtp_sent = 0
    for i in range(SMTP_MESSAGES):
        qt.send_message(inst.smtp_port, "me@mycompany.com", qt.IMAP_USER, "smtp %d" % i)
        smtp_sent += 1
    for w in workers:
        w.join(max(0.1, t0 + STRESS_SECS - time.monotonic()))
    elapsed = time.monotonic() - t0
    stuck = [w.n for w in workers if w.is_alive()]
    check(not stuck, "sessions %r still running after %ds" % (stuck, STRESS_SECS))
    errors = [w.error for w in workers if w.error]
    check(not errors, "%d session(s) failed:\n  %s" % (len(errors), "\n  ".join(errors)))
    total = sum(w.iterations for w in workers)
    print("%d sessions, %d iterations in %.1f s" % (SESSIONS, total, elapsed))
    check(all(w.iterations > 0 for w in workers), "a session did no iteration: %r"
          % [w.iterations for w in workers])
    uvs = set().union(*(w.uidvalidity for w in workers))
    check(uvs == {uv0}, "UIDVALIDITY changed during the run: %r (first %d)" % (uvs, uv0))

    # wait for the SMTP messages, then check everything
    c = qt.Imap(port)
    c.login()
    kept = {}
    for w in workers:
        kept.update(w.kept)

    def state():
        u, _ = c.cmd("EXAMINE INBOX")
        u2, _ = c.cmd("FETCH 1:* (UID BODY.PEEK[])") if any(
            re.match(rb"\* [1-9]\d* EXISTS", x) for x in u) else ([], None)
        return u, u2
    deadline = time.monotonic() + 20
    while True:
        u, fetched = state()
        smtp_seen = sum(1 for x in fetched if b"Subject: smtp " in x)
        if smtp_seen >= SMTP_MESSAGES or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    check(smtp_seen == SMTP_MESSAGES, "%d of %d SMTP messages in INBOX" % (smtp_seen, SMTP_MESSAGES))
    text = b" ".join(u)
    uv = int(re.search(rb"\[UIDVALIDITY (\d+)\]", text).group(1))
    uidnext = int(re.search(rb"\[UIDNEXT (\d+)\]", text).group(1))
    exists = int(re.search(rb"\* (\d+) EXISTS", text).group(1))
    check(uv == uv0, "UIDVALIDITY %d, was %d" % (uv, uv0))
    seqs, uids, ids = [], [], {}
    for x in fetched:
        mo = re.match(rb"\* (\d+) FETCH \(.*?UID (\d+)", x)
        if not mo:
            continue
        seq, uid = int(mo.group(1)), int(mo.group(2))
        seqs.append(seq)
        uids.append(uid)
        sid = re.search(rb"X-Stress: (\S+)", x)
        if sid:
            ids.setdefault(sid.group(1).decode(), []).append((uid, x))
    check(seqs == list(range(1, exists + 1)), "FETCH sequence numbers %r.. (EXISTS %d)"
          % (seqs[:10], exists))
    check(uids == sorted(set(uids)), "UIDs not unique and increasing: %r" % uids)
    check(not uids or uids[-1] < uidnext, "UID %d >= UIDNEXT %d" % (uids[-1], uidnext))
    drops = [k for k in ids if k.startswith("drop-")]
    check(not drops, "%d drop message(s) left: %r" % (len(drops), drops[:5]))
    missing = [k for k in kept if k not in ids]
    check(not missing, "%d appended message(s) lost: %r" % (len(missing), missing[:5]))
    dup = [k for k, v in ids.items() if len(v) != 1]
    check(not dup, "messages present more than once: %r" % dup[:5])
    for k, (uid, data) in kept.items():
        got_uid, x = ids[k][0]
        check(got_uid == uid, "%s: UID %d, APPENDUID said %d" % (k, got_uid, uid))
        check(data in x, "%s: content differs: %r" % (k, x[:300]))
    check(exists == len(kept) + SMTP_MESSAGES, "EXISTS %d, want %d kept + %d SMTP"
          % (exists, len(kept), SMTP_MESSAGES))
    u, _ = c.cmd("UID SEARCH FLAGGED")
    flagged = set(int(x) for x in b" ".join(u).split()[2:])
    check(flagged == set(v[0] for v in kept.values()),
          "\\Flagged set %d, want the %d kept messages" % (len(flagged), len(kept)))
    c.cmd("LOGOUT")
    c.close()

    p = poplib.POP3("127.0.0.1", ports["pop3"], timeout=qt.IO_TIMEOUT_SECS)
    p.user(qt.IMAP_USER)
    p.pass_(qt.IMAP_PASSWORD)
    listing = [l.decode().split() for l in p.uidl()[1]]
    p.quit()
    got = [u for _, u in listing]
    want = [qt.imap_uidl(x, uv) for x in uids]
    check(got == want, "POP3 UIDL (%d) differ from IMAP UIDs (%d): first difference %r"
          % (len(got), len(want), next(((a, b) for a, b in zip(got, want) if a != b),
                                      (len(got), len(want)))))
    print("PASS t_imap_stress: %d messages kept, UIDs %d..%d" % (exists, uids[0], uids[-1]))
    return 0


def main():
    try:
        with qt.imap_instance() as inst:
            try:
                return run(inst)
            except (qt.TestFailure, OSError, poplib.error_proto) as e:
                print("FAIL: %s: %s" % (type(e).__name__, e))
                inst.dump_logs()
                return 1
    except qt.TestFailure as e:
        print("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
