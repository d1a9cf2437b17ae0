#!/usr/bin/env python3
"""t_imap_leftovers.py -- what an interrupted CREATE or DELETE leaves in a
Maildir is removed by a later session (imapd/folders.c folders_sweep),
under real xinetd:
  - "..DELETED.*" (a folder renamed away for deletion, its files still in
    it) is removed at the session's first LIST, whatever its age;
  - "..CREATE.*" not modified for an hour is removed; a fresh one (a
    CREATE that may still be running) is left alone;
  - a real folder and a file named like a leftover are left alone, and
    no leftover is ever listed; the removals are logged.
Exit 0 pass, 1 fail, 77 skip.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quailtest as qt  # noqa: E402
from quailtest import check  # noqa: E402

USER = qt.IMAP_USER
HOUR_SECS = 3600


def make_folder(root, name, mtime=None, message=True):
    """A Maildir++ folder root/name owned like root, optionally with one
    message in cur/ and its mtime set back."""
    st = os.stat(root)
    path = os.path.join(root, name)
    for sub in ("", "cur", "new", "tmp"):
        d = os.path.join(path, sub)
        os.mkdir(d, 0o700)
        os.chown(d, st.st_uid, st.st_gid)
    if message:
        f = os.path.join(path, "cur", "1700000000.M1P1.host,S=9:2,S")
        with open(f, "wb") as fh:
            fh.write(b"Subject: x\n\nleft\n")
        os.chown(f, st.st_uid, st.st_gid)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test():
    with qt.imap_instance(conf=["plaintext_auth_networks = 127.0.0.0/8"]) as inst:
        try:
            port = inst.configured()["imap"]
            maildir = inst.maildir(USER)
            qt.send_message(inst.smtp_port, "me@mycompany.com", USER, "first", "first\n")
            qt.wait_maildir(maildir, 1)
            old = time.time() - 2 * HOUR_SECS
            deleted = make_folder(maildir, "..DELETED.123.1700000000.1")
            old_create = make_folder(maildir, "..CREATE.123.1700000000.2",
                                     mtime=old, message=False)
            new_create = make_folder(maildir, "..CREATE.456.%d.1" % time.time(),
                                     message=False)
            real = make_folder(maildir, ".Projects", mtime=old)
            decoy = os.path.join(maildir, "..DELETED.file")
            with open(decoy, "wb") as fh:
                fh.write(b"not a folder\n")

            c = qt.Imap(port)
            c.login()
            # the state before the first LIST: nothing removed yet
            check(os.path.isdir(deleted), "removed before any LIST")
            u, _ = c.cmd('LIST "" "*"')
            listing = b"\n".join(u)
            check(b"DELETED" not in listing and b"CREATE" not in listing,
                  "a leftover listed: %r" % listing)
            check(b"Projects" in listing, "the real folder missing: %r" % listing)
            check(not os.path.exists(deleted), "..DELETED.* not removed")
            check(not os.path.exists(old_create), "old ..CREATE.* not removed")
            check(os.path.isdir(new_create), "fresh ..CREATE.* removed")
            check(os.path.isdir(os.path.join(real, "cur")), "real folder touched")
            check(os.path.isfile(decoy), "a file named like a leftover removed")
            c.cmd("LOGOUT")
            c.close()
            qt.wait_for(lambda: "left by an interrupted DELETE" in inst.log_text(),
                        10, "the removal of ..DELETED.* logged")
            check("left by an interrupted CREATE" in inst.log_text(),
                  "the removal of ..CREATE.* not logged")
        except BaseException:
            inst.dump_logs()
            raise


if __name__ == "__main__":
    qt.main_wrapper(test)
