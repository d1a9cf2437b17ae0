#!/usr/bin/env python3
"""t_imap_session.py -- after a login, quail-imapd's root monitor execs
quail-imapd-session (imapd/session_main.c, lib/handover.h). Under real
xinetd, as root:
  - after LOGIN, in plaintext and over implicit TLS, the connection is
    served by a process running DIR/libexec/quail-imapd-session whose
    real, effective and saved uid and gid are the mailbox owner's, with
    no supplementary groups, fd 3 (the handover) closed, nothing open but
    the client, stderr and the log file, and neither PAM nor OpenSSL
    mapped; with TLS, quail-imapd's unprivileged child stays as
    the proxy;
  - commands pipelined behind LOGIN in the same packet are answered by
    the session, in order;
  - with the session program missing, the login is answered
    "* BYE [UNAVAILABLE]" and the log names the program and the error;
  - started by hand (no handover on fd 3), quail-imapd-session answers
    "* BYE [UNAVAILABLE]", says why on stderr and exits 111; with an
    argument likewise.
Exit 0 pass, 1 fail, 77 skip.
"""
import os
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quailtest as qt  # noqa: E402
from quailtest import check  # noqa: E402

PROGRAM = "quail-imapd-session"
FIND_SECS = 10


def sessions(inst):
    """pids of the instance's quail-imapd-session processes."""
    want = os.path.join(inst.dir, "libexec", PROGRAM)
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.readlink("/proc/%s/exe" % d) == want:
                    out.append(int(d))
            except OSError:
                pass
    return out


def status_ids(pid):
    ids = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Uid", "Gid", "Groups"):
                ids[key] = value.split()
    return ids


def check_session(inst, before, owner, what):
    """The one new session process since before: ids, fds, mappings."""
    new = []
    deadline = time.monotonic() + FIND_SECS
    while time.monotonic() < deadline:
        new = [p for p in sessions(inst) if p not in before]
        if new:
            break
        time.sleep(qt.POLL_SECS)
    check(len(new) == 1, "%s: one %s process (%r)" % (what, PROGRAM, new))
    pid = new[0]
    ids = status_ids(pid)
    check(ids["Uid"][:3] == [str(owner[0])] * 3,
          "%s: uids are the owner's %d: %r" % (what, owner[0], ids["Uid"]))
    check(ids["Gid"][:3] == [str(owner[1])] * 3,
          "%s: gids are the owner's %d: %r" % (what, owner[1], ids["Gid"]))
    check(ids.get("Groups", []) == [],
          "%s: no supplementary groups: %r" % (what, ids.get("Groups")))
    fds = sorted(int(f) for f in os.listdir("/proc/%d/fd" % pid))
    check(fds in ([0, 1, 2], [0, 1, 2, 4]),
          "%s: only the client, stderr and the log are open: %r" % (what, fds))
    with open("/proc/%d/maps" % pid) as f:
        maps = f.read()
    # (libcrypt is not checked: sanitizer builds link it into everything)
    for lib in ("libpam", "libssl", "libcrypto"):
        check(lib not in maps, "%s: %s is not mapped" % (what, lib))
    print("ok  %s: session pid %d as %r, fds %r" % (what, pid, owner, fds))
    return pid


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root (the monitor execs the session as the owner)")
        return qt.SKIP
    with qt.imap_instance() as inst:
        ports = inst.configured()
        maildir = inst.maildir(qt.IMAP_USER)
        if not os.path.exists(os.path.join(inst.dir, "libexec", PROGRAM)):
            print("SKIP: %s not built" % PROGRAM)
            return qt.SKIP
        try:
            # plaintext, with commands pipelined behind LOGIN
            before = sessions(inst)
            c = qt.Imap(ports["imap"])
            c.send("a LOGIN %s %s\r\nb NOOP\r\nc CAPABILITY\r\n"
                   % (qt.IMAP_USER, qt.IMAP_PASSWORD))
            tagged = []
            for _ in range(20):
                r = c.response()
                if r[:2] in (b"a ", b"b ", b"c "):
                    tagged.append(r)
                if len(tagged) == 3:
                    break
            check([t[:4] for t in tagged] == [b"a OK", b"b OK", b"c OK"],
                  "pipelined commands answered in order: %r" % tagged)
            st = os.stat(maildir)
            owner = (st.st_uid, st.st_gid)
            check(owner[0] != 0, "the Maildir is not root's")
            check_session(inst, before, owner, "plaintext")
            c.cmd("LOGOUT")

            # implicit TLS: the session behind the TLS child
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            before = sessions(inst)
            t = qt.Imap(ports["imaps"], tls=ctx)
            t.cmd("LOGIN %s %s" % (qt.IMAP_USER, qt.IMAP_PASSWORD))
            pid = check_session(inst, before, owner, "implicit TLS")
            with open("/proc/%d/stat" % pid) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children = [int(p) for p in open(
                "/proc/%d/task/%d/children" % (pid, pid)).read().split()]
            check(len(children) == 1 and os.path.basename(
                os.readlink("/proc/%d/exe" % children[0])) == "quail-imapd",
                "the TLS proxy is the session's child quail-imapd: %r" % children)
            check(ppid != 0, "the session has a parent (xinetd)")
            t.cmd("SELECT INBOX")
            t.cmd("LOGOUT")

            # the session program missing
            prog = os.path.join(inst.dir, "libexec", PROGRAM)
            os.rename(prog, prog + ".off")
            try:
                c = qt.Imap(ports["imap"])
                c.send("a LOGIN %s %s\r\n" % (qt.IMAP_USER, qt.IMAP_PASSWORD))
                r = c.response()
                check(r.startswith(b"* BYE [UNAVAILABLE]"),
                      "no session program: BYE [UNAVAILABLE]: %r" % r)
            finally:
                os.rename(prog + ".off", prog)
            qt.wait_for(lambda: (prog + ": No such file or directory")
                        in inst.log_text(), 10, "the log names the program")
            print("ok  no session program: BYE, logged")

            # by hand
            for args in ([prog], [prog, "-C", "/etc/quail"]):
                p = subprocess.run(args, stdin=subprocess.DEVNULL,
                                   capture_output=True, timeout=20)
                check(p.returncode == 111, "%r: exit 111 (%d)" % (args, p.returncode))
                check(p.stdout.startswith(b"* BYE [UNAVAILABLE]"),
                      "%r: BYE on stdout: %r" % (args, p.stdout))
                why = b"takes no arguments" if len(args) > 1 else b"cannot read the handover"
                check(why in p.stderr, "%r: says why: %r" % (args, p.stderr))
            print("ok  by hand: refused")
        except BaseException:
            inst.dump_logs()
            raise
    print("all passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except qt.TestFailure as e:
        print("FAIL: %s" % e)
        sys.exit(1)
