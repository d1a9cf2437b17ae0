#!/usr/bin/env python3
"""t_imap_sigpipe.py -- a client that hangs up while quail-imapd or
quail-pop3d is writing must not kill the server with SIGPIPE (xinetd would
log "signal=13"): the servers ignore SIGPIPE, a write then fails with
EPIPE and the session ends cleanly.

Under real xinetd: three 1 MB messages are put straight into the Maildir;
then, for each protocol, CONNECTIONS connections log in, send a command
with a big answer (IMAP: FETCH 1:* BODY[]; POP3: RETR of a big message)
and close at once without reading it (half of them with a reset, half
with a plain close). When every server process has ended (xinetd logged
its EXIT), no EXIT line may show signal=13, and every one must have
ended with a status (not a signal at all).
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
PASSWORD = qt.IMAP_PASSWORD
CONNECTIONS = 40          # per protocol
BIG_MESSAGES = 3
BIG_MESSAGE_BYTES = 1 << 20
PHASE_SECS = 120          # bound on each protocol's connection loop
EXIT_WAIT_SECS = 60       # bound on waiting for the servers to end
SMALL_RCVBUF_BYTES = 4096


def big_message(i):
    line = b"%06d the quick brown fox jumps over the lazy dog again and again\n"
    head = b"From: me@mycompany.com\nTo: %s\nSubject: big %d\n\n" % (USER.encode(), i)
    out = [head]
    size = len(head)
    n = 0
    while size < BIG_MESSAGE_BYTES:
        chunk = line % n
        out.append(chunk)
        size += len(chunk)
        n += 1
    return b"".join(out)


def put_messages(md):
    st = os.stat(md)
    now = int(time.time())
    for i in range(BIG_MESSAGES):
        data = big_message(i)
        name = "%d.M%dP%d.sigpipe,S=%d:2,S" % (now, i, os.getpid(), len(data))
        path = os.path.join(md, "cur", name)
        with open(path, "wb") as f:
            f.write(data)
        os.chown(path, st.st_uid, st.st_gid)


def hang_up(sock, reset):
    """Closes with unread data: a reset. Without reset, a FIN comes first
    (the server's socket is then in CLOSE_WAIT, where the reset makes its
    next write fail with EPIPE, the SIGPIPE case; a write after a plain
    reset fails with ECONNRESET first)."""
    if reset:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
    else:
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    sock.close()


def imap_one(port, i):
    c = qt.Imap(port)
    c.login()
    c.cmd("SELECT INBOX")
    c.send("%s FETCH 1:* BODY[]\r\n" % c.tag())
    # wait for the first bytes of the answer: the server is writing now
    c._fill()
    hang_up(c.sock, i % 2 == 0)


def pop3_one(port, i):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # a small window: the server cannot push the whole message into the
    # socket buffers before the hang-up, it is still writing then
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_RCVBUF_BYTES)
    s.settimeout(qt.IO_TIMEOUT_SECS)
    s.connect(("127.0.0.1", port))
    c = qt.LineConn(s)
    check(c.line().startswith("+OK"), "POP3 greeting")
    c.send("USER " + USER)
    check(c.line().startswith("+OK"), "POP3 USER")
    c.send("PASS " + PASSWORD)
    line = c.line()
    if not line.startswith("+OK"):
        # the previous session may still hold the maildrop: no RETR then
        check("IN-USE" in line, "POP3 PASS: %r" % line)
        hang_up(s, True)
        return False
    # message 1 is the small one sent by SMTP; 2.. are the big ones
    c.send("RETR %d" % (2 + i % BIG_MESSAGES))
    s.recv(1)
    hang_up(s, i % 2 == 0)
    return True


def exits(inst, service):
    path = os.path.join(inst.dir, "log", "xinetd.log")
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return []
    return [l for l in text.splitlines()
            if re.search(r"\bEXIT: quail-%s\b" % service, l)]


def wait_exits(inst, service, want):
    deadline = time.monotonic() + EXIT_WAIT_SECS
    while True:
        got = exits(inst, service)
        if len(got) >= want or time.monotonic() > deadline:
            return got
        time.sleep(qt.POLL_SECS)


def run(inst):
    ports = inst.configured()
    check("imap" in ports and "pop3" in ports, "services: %r" % ports)
    md = inst.maildir(USER)
    qt.send_message(inst.smtp_port, "me@mycompany.com", USER, "small", "small\n")
    qt.wait_maildir(md, 1)
    put_messages(md)

    # IMAP
    before = len(exits(inst, "imap"))
    deadline = time.monotonic() + PHASE_SECS
    n = 0
    while n < CONNECTIONS and time.monotonic() < deadline:
        imap_one(ports["imap"], n)
        n += 1
    check(n == CONNECTIONS, "only %d IMAP connections in %ss" % (n, PHASE_SECS))
    # one more session: the server still works and the messages are there
    c = qt.Imap(ports["imap"])
    c.login()
    untagged, _ = c.cmd("SELECT INBOX")
    check(any(b"* %d EXISTS" % (BIG_MESSAGES + 1) == u for u in untagged),
          "SELECT: %r" % untagged)
    c.cmd("LOGOUT")
    c.close()
    got = wait_exits(inst, "imap", before + CONNECTIONS + 1)
    check(len(got) >= before + CONNECTIONS + 1,
          "xinetd logged %d IMAP exits, want %d" % (len(got) - before, CONNECTIONS + 1))
    bad = [l for l in got if "status=" not in l or "signal=" in l]
    check(not bad, "IMAP servers killed by a signal:\n%s" % "\n".join(bad[:5]))

    # POP3
    before = len(exits(inst, "pop3"))
    deadline = time.monotonic() + PHASE_SECS
    n = retrs = 0
    while n < CONNECTIONS and time.monotonic() < deadline:
        if pop3_one(ports["pop3"], n):
            retrs += 1
        n += 1
        # the next session would find the maildrop in use until this one
        # has ended: wait (bounded) for its exit
        wait_exits(inst, "pop3", before + n)
    check(n == CONNECTIONS, "only %d POP3 connections in %ss" % (n, PHASE_SECS))
    check(retrs >= CONNECTIONS // 2, "only %d POP3 RETRs sent" % retrs)
    got = wait_exits(inst, "pop3", before + CONNECTIONS)
    check(len(got) >= before + CONNECTIONS,
          "xinetd logged %d POP3 exits, want %d" % (len(got) - before, CONNECTIONS))
    bad = [l for l in got if "status=" not in l or "signal=" in l]
    check(not bad, "POP3 servers killed by a signal:\n%s" % "\n".join(bad[:5]))

    log = qt.Instance.log_text(inst)
    check("signal=13" not in log, "signal=13 in quail.log")


def test():
    with qt.imap_instance() as inst:
        try:
            run(inst)
        except BaseException:
            inst.dump_logs()
            raise


if __name__ == "__main__":
    qt.main_wrapper(test)
