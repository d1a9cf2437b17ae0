#!/usr/bin/env python3
"""t_imap_fetch_sizes.py -- quail-imapd FETCH under real xinetd, for what a
proto script cannot set up (file names without W= or with a wrong one, a
second session, a client that hangs up):
  - a message stored without a final LF and without S=/W= in its name is
    sent with an added CR LF (lib/maildir_list's convention): BODY[],
    RFC822 and BODY[TEXT] end with it, RFC822.SIZE equals the length of
    BODY[] as sent, BODYSTRUCTURE's size equals BODY[1]'s; with an exact
    W= (as quail-deliver and APPEND write it) it is sent as stored;
  - names with a wrong W= (impossible, a little too large, a little too
    small): every literal carries exactly the bytes it announces and
    RFC822.SIZE equals the length of BODY[] in the same response, with
    every combination of data items (streamed from the file or from
    memory), and the server logs the damaged name;
  - INTERNALDATE, BODY[], ENVELOPE of a message another session expunged:
    the message is skipped and FETCH ends NO [EXPUNGEISSUED], nothing is
    logged as "FETCH failed"; STORE skips it too but ends OK
    [EXPUNGEISSUED] (as Dovecot), COPY ends NO;
  - a client that hangs up during a big FETCH: no "out of memory" and no
    LOG_ERR line, but the lost connection at info level.
Exit 0 pass, 1 fail, 77 skip.
"""
import os
import re
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quailtest as qt  # noqa: E402
from quailtest import check  # noqa: E402

USER = qt.IMAP_USER
HOST = "mail.mycompany.com"
BIG_MESSAGE_BYTES = 4 << 20
LOG_WAIT_SECS = 20
HANGUPS = 3

NO_LF = b"Subject: no final LF\nFrom: a@b.example\n\nline one\nlast line"
ITEM_SETS = [
    "(RFC822.SIZE BODY.PEEK[])",
    "(BODY.PEEK[] RFC822.SIZE)",
    "(RFC822.SIZE BODY.PEEK[] ENVELOPE)",
    "(RFC822.SIZE BODY.PEEK[] BODYSTRUCTURE)",
    "(RFC822.SIZE BODY.PEEK[HEADER] BODY.PEEK[])",
    "(RFC822.SIZE BODY.PEEK[]<0.10>)",
]


def vsize(data):
    return len(data) + data.count(b"\n") - data.count(b"\r\n")


def put(maildir, seq, data, sizes):
    """Stores data in cur/ under a name with the given ",S=..,W=.." text."""
    name = "%d.M%dP1.%s%s:2," % (1700000000 + seq, seq, HOST, sizes)
    path = os.path.join(maildir, "cur", name)
    st = os.stat(maildir)
    with open(path, "wb") as f:
        f.write(data)
    os.chown(path, st.st_uid, st.st_gid)
    os.utime(path, (1700000000, 1700000000))
    return name


def literals(resp):
    """name -> bytes of every "NAME {n}" literal in one FETCH response
    (Imap.response() inlined them with exactly n bytes)."""
    out, pos = {}, 0
    for m in re.finditer(rb"([A-Z0-9.]+(?:\[[^\]]*\])?(?:<\d+>)?) \{(\d+)\}\r\n", resp):
        if m.start() < pos:
            continue
        n = int(m.group(2))
        out[m.group(1).decode()] = resp[m.end():m.end() + n]
        pos = m.end() + n
    return out


def fetch1(c, seq, items):
    u, t = c.cmd("FETCH %d %s" % (seq, items))
    resp = [x for x in u if x.startswith(b"* %d FETCH" % seq)]
    check(len(resp) == 1, "FETCH %d %s: %r" % (seq, items, u))
    r = resp[0]
    check(r.endswith(b")"), "FETCH %d %s: not closed: %r" % (seq, items, r[-80:]))
    return r


def rfc822_size(resp):
    m = re.search(rb"RFC822\.SIZE (\d+)", resp)
    return int(m.group(1)) if m else None


def check_sizes(c, seq, label):
    for items in ITEM_SETS:
        r = fetch1(c, seq, items)
        lits = literals(r)
        size = rfc822_size(r)
        check(size is not None, "%s %s: no RFC822.SIZE" % (label, items))
        if "BODY[]" in lits:
            check(len(lits["BODY[]"]) == size,
                  "%s %s: RFC822.SIZE %d, BODY[] %d bytes"
                  % (label, items, size, len(lits["BODY[]"])))
        # The response must be followed by the tagged OK (checked by
        # cmd()): a literal with more or fewer bytes breaks the parse.


def test_sizes(inst, c, maildir):
    exact = NO_LF.replace(b"\n", b"\r\n")
    # 1: no S=/W=, no final LF: the CR LF is added.
    put(maildir, 1, NO_LF, "")
    # 2: exact W= (APPEND, quail-deliver): sent as stored.
    put(maildir, 2, NO_LF, ",S=%d,W=%d" % (len(NO_LF), vsize(NO_LF)))
    # 3: impossible W= (far larger than the file could give).
    put(maildir, 3, b"Subject: x\n\nbody\n", ",W=999999999")
    # 4, 5: W= one too large / one too small (plausible but wrong).
    m45 = b"Subject: y\n\nbody body\n"
    put(maildir, 4, m45, ",W=%d" % (vsize(m45) + 1))
    put(maildir, 5, m45, ",W=%d" % (vsize(m45) - 1))
    # 6: impossible W= too small (less than the file size).
    put(maildir, 6, m45, ",W=3")
    c.cmd("SELECT INBOX")

    r = fetch1(c, 1, "(RFC822.SIZE BODY.PEEK[] BODY.PEEK[TEXT] RFC822.TEXT)")
    lits = literals(r)
    check(rfc822_size(r) == len(exact) + 2, "1: RFC822.SIZE %r" % r)
    check(lits.get("BODY[]") == exact + b"\r\n", "1: BODY[] %r" % lits)
    check(lits.get("BODY[TEXT]") == b"line one\r\nlast line\r\n", "1: TEXT %r" % lits)
    check(lits.get("RFC822.TEXT") == b"line one\r\nlast line\r\n", "1: RFC822.TEXT %r" % lits)
    r = fetch1(c, 1, "(BODYSTRUCTURE BODY.PEEK[1])")
    m = re.search(rb'"7bit" (\d+) (\d+)', r)
    check(m is not None and int(m.group(1)) == 21 and int(m.group(2)) == 2,
          "1: BODYSTRUCTURE %r" % r)
    check(literals(r).get("BODY[1]") == b"line one\r\nlast line\r\n", "1: BODY[1] %r" % r)
    # RFC822 alone is streamed from the file (no parse).
    r = fetch1(c, 1, "(RFC822.SIZE RFC822)")
    check(literals(r).get("RFC822") == exact + b"\r\n", "1: RFC822 %r" % r)

    r = fetch1(c, 2, "(RFC822.SIZE BODY.PEEK[] BODY.PEEK[TEXT])")
    lits = literals(r)
    check(rfc822_size(r) == len(exact), "2: RFC822.SIZE %r" % r)
    check(lits.get("BODY[]") == exact, "2: BODY[] %r" % lits)
    check(lits.get("BODY[TEXT]") == b"line one\r\nlast line", "2: TEXT %r" % lits)

    for seq in range(1, 7):
        check_sizes(c, seq, "message %d" % seq)
    r = fetch1(c, 3, "(RFC822.SIZE BODY.PEEK[])")
    check(literals(r).get("BODY[]") == b"Subject: x\r\n\r\nbody\r\n", "3: %r" % r)
    r = fetch1(c, 6, "(RFC822.SIZE BODY.PEEK[])")
    check(literals(r).get("BODY[]") == m45.replace(b"\n", b"\r\n"), "6: %r" % r)
    qt.wait_for(lambda: "impossible size" in inst.log_text(), LOG_WAIT_SECS,
                "the impossible W= logged")
    qt.wait_for(lambda: "padded with spaces" in inst.log_text(), LOG_WAIT_SECS,
                "the padded message logged")
    qt.wait_for(lambda: "truncated" in inst.log_text(), LOG_WAIT_SECS,
                "the truncated message logged")
    c.cmd("STORE 1:* +FLAGS.SILENT (\\Deleted)")
    c.cmd("EXPUNGE")


def test_expunged(inst, port, maildir):
    for k in range(4):
        put(maildir, 10 + k, b"Subject: gone %d\n\nbody\n" % k, "")
    a = qt.Imap(port)
    a.login()
    a.cmd("SELECT INBOX")
    b = qt.Imap(port)
    b.login()
    b.cmd("SELECT INBOX")
    a.cmd("STORE 1:3 +FLAGS.SILENT (\\Deleted)")
    a.cmd("EXPUNGE")
    for items in ("INTERNALDATE", "(UID INTERNALDATE)", "BODY.PEEK[]",
                  "ENVELOPE", "(FLAGS BODY[TEXT])", "BODYSTRUCTURE", "FAST"):
        u, t = b.cmd("FETCH 1 %s" % items, ok="NO")
        check(b"[EXPUNGEISSUED]" in t, "FETCH %s: %r" % (items, t))
        check(not any(x.startswith(b"* 1 FETCH") and b"INTERNALDATE" in x
                      for x in u), "FETCH %s sent data: %r" % (items, u))
    # STORE skips the vanished messages, flags the one that remains and
    # answers OK [EXPUNGEISSUED] (as Dovecot); COPY answers NO.
    u, t = b.cmd("STORE 1:4 +FLAGS (\\Flagged)")
    check(b"[EXPUNGEISSUED]" in t, "STORE: %r" % (t,))
    check(not any(x.startswith(b"* 1 FETCH") for x in u),
          "STORE answered for an expunged message: %r" % (u,))
    check(any(x.startswith(b"* 4 FETCH") and b"\\Flagged" in x for x in u),
          "STORE skipped the message that remains: %r" % (u,))
    u, t = b.cmd("COPY 1 INBOX", ok="NO")
    check(b"[EXPUNGEISSUED]" in t, "COPY: %r" % (t,))
    b.cmd("NOOP")
    a.close()
    b.close()
    log = inst.log_text()
    check("FETCH failed" not in log, "FETCH failed logged:\n%s" % log[-2000:])


def test_hangup(inst, port, maildir):
    line = b"the quick brown fox jumps over the lazy dog again and again\n"
    body = b"Subject: big\n\n" + line * (BIG_MESSAGE_BYTES // len(line))
    put(maildir, 20, body, ",S=%d,W=%d" % (len(body), vsize(body)))
    put(maildir, 21, body, ",S=%d,W=%d" % (len(body), vsize(body)))
    for k in range(HANGUPS):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.settimeout(qt.IO_TIMEOUT_SECS)
        s.connect(("127.0.0.1", port))
        c = qt.Imap.__new__(qt.Imap)
        c.sock, c.buf, c.ntag = s, b"", 0
        c.greeting = c.response()
        c.login()
        c.cmd("SELECT INBOX")
        c.send("h1 FETCH 1:* (BODY.PEEK[] BODYSTRUCTURE)\r\n")
        c._fill()
        if k % 2 == 0:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    qt.wait_for(lambda: inst.log_text().count("lost connection to") >= HANGUPS,
                LOG_WAIT_SECS * 3, "%d lost connections logged" % HANGUPS)
    log = inst.log_text()
    check("out of memory" not in log, "out of memory logged:\n%s" % log[-2000:])
    check("FETCH failed" not in log, "FETCH failed logged:\n%s" % log[-2000:])


def test():
    with qt.imap_instance(conf=["plaintext_auth_networks = 127.0.0.0/8"]) as inst:
        try:
            port = inst.configured()["imap"]
            maildir = inst.maildir(USER)
            # The Maildir is made by the first delivery; then emptied.
            qt.send_message(inst.smtp_port, "me@mycompany.com", USER, "first", "first\n")
            qt.wait_maildir(maildir, 1)
            c = qt.Imap(port)
            c.login()
            c.cmd("SELECT INBOX")
            c.cmd("STORE 1:* +FLAGS.SILENT (\\Deleted)")
            c.cmd("EXPUNGE")
            c.cmd("UNSELECT")
            test_sizes(inst, c, maildir)
            c.close()
            test_expunged(inst, port, maildir)
            test_hangup(inst, port, maildir)
        except BaseException:
            inst.dump_logs()
            raise


if __name__ == "__main__":
    qt.main_wrapper(test)
