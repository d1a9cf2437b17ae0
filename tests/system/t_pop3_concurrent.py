#!/usr/bin/env python3
"""t_pop3_concurrent.py -- quail-pop3d under real xinetd on one maildrop:
mail sent by SMTP is read back by POP3 the way the lab handout does it
(USER, PASS, STAT, LIST, UIDL, RETR, TOP, DELE, QUIT), while a second
session on the same maildrop gets "-ERR [IN-USE]" until the first ends.
Also: sizes are the CRLF sizes and RETR sends exactly that many octets
(dot-stuffed), DELE takes effect only at QUIT (not after a dropped
connection), RETR'd messages get \\Seen, UIDLs stay the same across
sessions and new deliveries, a killed session leaves no lock behind, a
message without S=/W= in its name is
sized from the file, pipelined commands are answered in order, and
logins work over STLS and implicit TLS (poplib, certificate checked),
commands sent together with STLS are discarded, not run, and a user
whose Maildir does not exist yet gets an empty maildrop.
Exit 0 pass, 1 fail, 77 skip.
"""
import os
import poplib
import shutil
import signal
import socket
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quailtest as qt  # noqa: E402
from quailtest import check  # noqa: E402

USER = "myuser@mycompany.com"
PASSWORD = "mypassword"


class Pop:
    """A POP3 session on a plain socket, line by line like telnet."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=qt.IO_TIMEOUT_SECS)
        self.c = qt.LineConn(self.sock)
        greeting = self.c.line()
        check(greeting == "+OK quail POP3 ready.", "greeting %r" % greeting)

    def cmd(self, text, ok=True):
        self.c.send(text)
        line = self.c.line()
        want = "+OK" if ok else "-ERR"
        check(line.startswith(want), "%s: want %s, got %r" % (text, want, line))
        return line

    def multi(self, text):
        self.cmd(text)
        return self.c.pop3_multiline()

    def raw_message(self, text):
        """RETR/TOP: the raw bytes up to and including CRLF.CRLF."""
        self.cmd(text)
        data = self.c.buf
        while not (data.startswith(b".\r\n") or b"\r\n.\r\n" in data):
            chunk = self.sock.recv(65536)
            check(chunk, "connection closed inside %s" % text)
            data += chunk
            check(len(data) < 1 << 20, "message too long")
        end = 3 if data.startswith(b".\r\n") else data.index(b"\r\n.\r\n") + 5
        self.c.buf = data[end:]
        return data[:end]

    def login(self, user=USER):
        self.cmd("USER " + user)
        return self.cmd("PASS " + PASSWORD)

    def close(self):
        self.sock.close()


def crlf_size(data):
    return len(data) + data.count(b"\n") - data.count(b"\r\n")


def pop3_encoding(data):
    """What RETR must send for a stored message: CRLF, dot-stuffed."""
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = b""
    for line in lines:
        out += (b"." if line.startswith(b".") else b"") + line + b"\r\n"
    return out + b".\r\n"


def messages(maildir):
    """name -> (subdir, bytes) for every message."""
    out = {}
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        for n in os.listdir(d):
            with open(os.path.join(d, n), "rb") as f:
                out[n] = (sub, f.read())
    return out


def session_pids(uid, confdir):
    """quail-pop3d processes of this instance (-C confdir) running as uid:
    the post-login sessions (never another test's daemons)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                argv = f.read().split(b"\0")
            st = os.stat("/proc/%s" % d)
        except OSError:
            continue
        if (argv and os.path.basename(argv[0]) == b"quail-pop3d" and
                confdir.encode() in argv and st.st_uid == uid):
            pids.append(int(d))
    return pids


def uidl_map(p):
    return dict(l.split(" ", 1) for l in p.multi("UIDL"))


def run(inst):
    ports = inst.configured()
    if "pop3" not in ports:
        print("SKIP: quail-pop3d not built")
        return qt.SKIP
    port = ports["pop3"]
    md = inst.maildir(USER)
    for i in range(3):
        body = "Body of message %d\n" % i
        if i == 1:
            body += ".a line starting with a dot\n..two dots\n"
        qt.send_message(inst.smtp_port, "me@mycompany.com", USER,
                        "Test %d" % i, body)
    qt.wait_maildir(md, 3)
    # A message stored by another MDA: no S=/W= in the name, CRLF inside.
    st = os.stat(md)
    odd = os.path.join(md, "cur", "1000000000.M1P1.other:2,")
    with open(odd, "wb") as f:
        f.write(b"Subject: odd\r\n\r\nno size in my name\r\nlast line")
    os.chown(odd, st.st_uid, st.st_gid)

    stored = messages(md)
    by_time = sorted(stored)  # names start with the delivery time
    sizes = [crlf_size(stored[n][1]) + (2 if not stored[n][1].endswith(b"\n") else 0)
             for n in by_time]

    a = Pop(port)
    check(a.login() == "+OK Logged in.", "login reply")
    # the second session on the same maildrop
    b = Pop(port)
    b.cmd("USER " + USER)
    line = b.cmd("PASS " + PASSWORD, ok=False)
    check(line == "-ERR [IN-USE] Mailbox is locked by another session.",
          "second session: %r" % line)
    b.close()

    stat = a.cmd("STAT")
    check(stat == "+OK 4 %d" % sum(sizes), "STAT %r, want sizes %r" % (stat, sizes))
    listing = a.multi("LIST")
    check(listing == ["%d %d" % (i + 1, s) for i, s in enumerate(sizes)],
          "LIST %r, want %r" % (listing, sizes))
    check(a.cmd("LIST 2") == "+OK 2 %d" % sizes[1], "LIST 2")
    a.cmd("LIST 5", ok=False)
    uidls = uidl_map(a)
    check(sorted(uidls) == ["1", "2", "3", "4"], "UIDL %r" % uidls)
    for u in uidls.values():
        check(len(u) == 16 and all(c in "0123456789ABCDEF" for c in u), "UIDL %r" % u)
    check(len(set(uidls.values())) == 4, "UIDLs not unique: %r" % uidls)
    check(a.cmd("UIDL 3") == "+OK 3 " + uidls["3"], "UIDL 3")

    # RETR: exact bytes, exact octet count
    for i, name in enumerate(by_time):
        data = a.raw_message("RETR %d" % (i + 1))
        want = pop3_encoding(stored[name][1])
        check(data == want, "RETR %d:\n got  %r\n want %r" % (i + 1, data, want))
        # the size counts the message, not the dot-stuffing
        unstuffed = len(data) - 3 - data.count(b"\r\n..") - data.startswith(b"..")
        check(unstuffed == sizes[i], "RETR %d: %d octets, said %d"
              % (i + 1, unstuffed, sizes[i]))
    top = a.raw_message("TOP 2 0")
    check(top.endswith(b"\r\n\r\n.\r\n") and b"Subject: Test 0" in top and
          b"Body of" not in top, "TOP 2 0: %r" % top)
    top = a.raw_message("TOP 3 1")
    check(top.endswith(b"\r\n\r\nBody of message 1\r\n.\r\n"), "TOP 3 1: %r" % top)

    # pipelining: three commands in one write, answers in order
    a.sock.sendall(b"NOOP\r\nSTAT\r\nLIST 1\r\n")
    check(a.c.line() == "+OK", "pipelined NOOP")
    check(a.c.line().startswith("+OK 4 "), "pipelined STAT")
    check(a.c.line() == "+OK 1 %d" % sizes[0], "pipelined LIST 1")

    # DELE takes effect only at QUIT
    a.cmd("DELE 1")
    a.cmd("RETR 1", ok=False)
    a.cmd("DELE 1", ok=False)
    check(a.cmd("STAT") == "+OK 3 %d" % sum(sizes[1:]), "STAT after DELE")
    check(os.path.exists(os.path.join(md, stored[by_time[0]][0], by_time[0])),
          "DELE removed the file before QUIT")
    a.cmd("RSET")
    check(a.cmd("STAT") == "+OK 4 %d" % sum(sizes), "STAT after RSET")
    a.cmd("DELE 1")
    check(a.cmd("QUIT") == "+OK Logging out, 1 message deleted.", "QUIT")
    a.close()
    after = messages(md)
    check(by_time[0] not in after and
          not any(n.startswith(by_time[0].split(",")[0]) for n in after),
          "message 1 still there after QUIT: %r" % sorted(after))
    # RETR'd messages are \Seen now (moved to cur/ with S), base names kept
    for name in by_time[1:]:
        base = name.split(",")[0].split(":")[0]
        found = [n for n in after if n.split(",")[0].split(":")[0] == base]
        check(len(found) == 1 and after[found[0]][0] == "cur" and
              found[0].split(":2,")[1].find("S") >= 0,
              "%s not \\Seen in cur/: %r" % (name, found))

    # a dropped connection does not expunge
    c = Pop(port)
    c.login()
    c.cmd("DELE 1")
    c.close()
    qt.send_message(inst.smtp_port, "me@mycompany.com", USER, "Test 3")
    qt.wait_for(lambda: len(messages(md)) == 4, 10, "the fourth message")

    d = Pop(port)
    d.login()
    new_uidls = uidl_map(d)
    check(len(new_uidls) == 4, "after a new delivery: %r" % new_uidls)
    old = [uidls[k] for k in ("2", "3", "4")]
    check([new_uidls[k] for k in ("1", "2", "3")] == old,
          "UIDLs changed: %r -> %r" % (uidls, new_uidls))
    check(new_uidls["4"] not in uidls.values() and new_uidls["4"] > max(old),
          "new message UIDL %r" % new_uidls["4"])
    d.cmd("QUIT")
    d.close()

    # STLS and implicit TLS with a real client library
    ctx = ssl.create_default_context(cafile=inst.cert)
    if "pop3s" in ports:
        p = poplib.POP3_SSL("127.0.0.1", ports["pop3s"], context=ctx,
                            timeout=qt.IO_TIMEOUT_SECS)
        p.user(USER)
        p.pass_(PASSWORD)
        check(p.stat()[0] == 4, "POP3S STAT")
        check([x.decode().split(" ", 1)[1] for x in p.uidl()[1]] ==
              [new_uidls[k] for k in ("1", "2", "3", "4")], "POP3S UIDL")
        p.quit()
    # a session that dies (SIGKILL) does not leave the maildrop locked:
    # the lock is flock on an fd, the kernel drops it with the process
    k = Pop(port)
    k.login()
    owner = os.stat(md).st_uid
    confdir = os.path.join(inst.dir, "etc")
    victims = session_pids(owner, confdir)
    check(victims, "no quail-pop3d session running as uid %d" % owner)
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    k.close()
    qt.wait_for(lambda: not session_pids(owner, confdir), 10, "the killed session to go")
    k = Pop(port)
    check(k.login() == "+OK Logged in.", "login after a killed session")
    k.cmd("QUIT")
    k.close()

    # a user without a Maildir yet has an empty maildrop
    shutil.rmtree(inst.maildir("me@mycompany.com"))
    e = Pop(port)
    check(e.login("me@mycompany.com") == "+OK Logged in.", "login without a Maildir")
    check(e.cmd("STAT") == "+OK 0 0", "STAT without a Maildir")
    e.cmd("QUIT")
    e.close()
    check(os.path.isdir(os.path.join(inst.maildir("me@mycompany.com"), "cur")),
          "the Maildir was not created")

    # STLS injection: a command sent with STLS in one write must not run
    raw = socket.create_connection(("127.0.0.1", port), timeout=qt.IO_TIMEOUT_SECS)
    c = qt.LineConn(raw)
    c.line()
    raw.sendall(b"STLS\r\nCAPA\r\n")
    check(c.line() == "+OK Begin TLS negotiation", "STLS reply")
    check(not c.buf, "bytes after the STLS reply: %r" % c.buf)
    t = qt.LineConn(ctx.wrap_socket(raw, server_hostname=qt.CERT_NAME))
    t.send("NOOP")
    line = t.line()
    check(line == "+OK", "after STLS injection, NOOP answered %r" % line)
    t.send("QUIT")
    t.line()
    t.sock.close()
    p = poplib.POP3("127.0.0.1", port, timeout=qt.IO_TIMEOUT_SECS)
    caps = p.capa()
    check("STLS" in caps and "USER" in caps and "SASL" in caps, "CAPA %r" % caps)
    p.stls(context=ctx)
    check("STLS" not in p.capa(), "STLS offered under TLS")
    p.user(USER)
    p.pass_(PASSWORD)
    check(p.stat()[0] == 4, "STLS STAT")
    p.quit()
    print("PASS t_pop3_concurrent")
    return 0


def main():
    try:
        with qt.Instance(pop3=0, pop3s=0, args=["--auth-fail-delay", "0"]) as inst:
            try:
                return run(inst)
            except (qt.TestFailure, OSError, poplib.error_proto, ssl.SSLError) as e:
                print("FAIL: %s" % e)
                inst.dump_logs()
                return 1
    except qt.TestFailure as e:
        print("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
