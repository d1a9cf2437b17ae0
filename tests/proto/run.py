#!/usr/bin/env python3
"""run.py -- plays a protocol dialogue script against a quail daemon run
exactly as inetd runs it: a socket on stdin/stdout, TCPREMOTEIP in the
environment, a temporary instance as its config dir.

usage: run.py FILE.t        (env: QUAIL_BUILD = dir of binaries,
                                  QUAIL_SRC = repo root)
Exit 0 pass, 1 fail, 77 skip. The program is the directory name of the
script (tests/proto/smtpd/x.t runs quail-smtpd).

Script lines ('#' comments and blank lines are ignored):
  Setup (before the first C:/S: line):
    @conf key = value      set a quail.conf key (replaces an existing one)
    @remote IP             TCPREMOTEIP for the daemon ("@remote none": unset)
    @env NAME=value        extra environment variable for the daemon
    @args ARG...           extra arguments after "-C <confdir>"
    @queue-tmpfs SIZE      mount a tmpfs of SIZE over the queue (root only,
                           else the test is skipped): disk-full tests
    @need-root             skip unless run as root
    @exit-status N         the daemon must exit with N (default 0)
    @stderr-socket         stderr is the socket too, as under xinetd: any
                           diagnostic the daemon writes there shows up as
                           unexpected output
  Dialogue:
    C: text                send text + CRLF
    C-RAW: escaped         send bytes given with Python escapes (\\r \\n \\x00),
                           nothing added: bare LF, smuggling, pipelining
    C-REPEAT: N text       send text + CRLF, N times in one write
    C-EVAL: expr           send the bytes of a Python expression over bytes
                           literals only, e.g. b"NOOP " + b"x" * 2041 + b"\r\n"
    S: regex               read one reply line (must end in CRLF); the regex
                           must match the whole line (without CRLF)
    @expect-close          the daemon must close the connection, nothing more
    @client-close          close our sending side (EOF for the daemon), then
                           as @expect-close
    @timeout SECS          per-expectation timeout from here on (default 10)
    @tls [max=V] [expect-fail]
                           wrap the connection in TLS now (python ssl client,
                           no certificate check): after "220 ... Ready to
                           start TLS", or first thing for implicit TLS (-t).
                           max=TLSv1_1 etc. caps the client's version;
                           expect-fail: the handshake must fail and the
                           daemon close the connection
  Checks (polled until true or the timeout):
    @queue count N         N files in queue/mess/
    @queue-contains esc    some file in queue/mess/ contains these bytes
    @queue-lacks esc       no file in queue/mess/ contains these bytes
    @log regex             a line of the instance log matches (re.search)
    @log-lacks regex       no line of the instance log matches (not polled:
                           put it after a step that proves the line would
                           be there by now)
    @maildir ADDR count N  N messages in new/ of ADDR's Maildir (needs a
                           running quail-send: see @send)
    @send                  start quail-send for this test (setup section)
  Mailbox content (setup section; for quail-imapd and quail-pop3d):
    @folder ADDR NAME      create the Maildir++ folder NAME (".NAME") of
                           ADDR (with its maildirfolder file)
    @mail ADDR FOLDER WHERE esc
                           put a message (bytes given with Python escapes)
                           into FOLDER ("INBOX" or a folder NAME) of ADDR:
                           WHERE is "new", "cur" or "cur:FLAGS" (Maildir
                           letters, e.g. "cur:FS"); the file name carries
                           S= and W= as quail-deliver writes them, and the
                           messages keep the order of the script
    @mail-file ADDR FOLDER WHERE PATH
                           the same with the bytes of PATH (relative to the
                           script's directory)

At the end the client side is closed; the daemon must exit with status 0
within the timeout, leave no unread output, and print no sanitizer report.
The instance comes from scripts/instance.sh (users myuser@ and
me@mycompany.com, hostname mail.mycompany.com, relay 127.0.0.0/8).
"""
import codecs
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import warnings

DEFAULT_TIMEOUT = 10.0
# Bound on the bytes of one reply line we accept from the daemon.
MAX_LINE_BYTES = 65536


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def unescape(text):
    return codecs.escape_decode(text.encode("utf-8"))[0]


def parse_script(path):
    setup, steps = [], []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.startswith(("C:", "C-RAW:", "C-REPEAT:", "C-EVAL:", "S:")):
                key, _, val = line.partition(":")
                if val.startswith(" "):
                    val = val[1:]
                steps.append((n, key, val))
                continue
            if not line.startswith("@"):
                raise Fail("%s:%d: cannot parse %r" % (path, n, line))
            word, _, rest = line[1:].partition(" ")
            if word in ("conf", "remote", "env", "args", "queue-tmpfs",
                        "need-root", "send", "stderr-socket", "exit-status",
                        "folder", "mail", "mail-file"):
                if steps:
                    raise Fail("%s:%d: @%s after the dialogue started"
                               % (path, n, word))
                setup.append((n, word, rest.strip()))
            elif word in ("expect-close", "client-close", "timeout", "queue", "queue-contains",
                          "queue-lacks", "log", "log-lacks", "maildir", "tls"):
                steps.append((n, "@" + word, rest.strip()))
            else:
                raise Fail("%s:%d: unknown directive @%s" % (path, n, word))
    return setup, steps


class Instance:
    def __init__(self, src, build):
        self.src, self.build = src, build
        self.tmp = tempfile.mkdtemp(prefix="quail-proto-")
        # As root the daemons run as the quail users: let them in.
        os.chmod(self.tmp, 0o755)
        self.dir = os.path.join(self.tmp, "inst")
        self.mounts = []
        self.procs = []
        script = os.path.join(src, "scripts", "instance.sh")
        env = dict(os.environ, QUAIL_BUILD=build)
        try:
            r = subprocess.run([script, "create", self.dir], env=env,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=120)
        except subprocess.TimeoutExpired:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise Fail("instance.sh create timed out")
        if r.returncode != 0:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise Fail("instance.sh create failed:\n" + r.stdout.decode())
        self.etc = os.path.join(self.dir, "etc")
        self.queue = os.path.join(self.dir, "queue")
        self.conf = os.path.join(self.etc, "quail.conf")
        self.log = os.path.join(self.dir, "log", "quail.log")

    def set_conf(self, key, value):
        with open(self.conf, encoding="utf-8") as f:
            lines = f.read().splitlines()
        pat = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        out = [l for l in lines if not pat.match(l)]
        out.append("%s = %s" % (key, value))
        with open(self.conf + ".tmp", "w", encoding="utf-8") as f:
            f.write("\n".join(out) + "\n")
        os.chmod(self.conf + ".tmp", 0o644)
        os.replace(self.conf + ".tmp", self.conf)

    def maildir(self, addr, folder="INBOX"):
        m = re.fullmatch(r"([^@\s]+)@(\S+)", addr)
        if not m:
            raise Fail("bad address %r" % addr)
        root = os.path.join(self.dir, "mail", m.group(2), m.group(1),
                            "Maildir")
        if folder == "INBOX":
            return root, root
        return root, os.path.join(root, "." + folder)

    def _chown_like(self, path, ref):
        if os.geteuid() == 0:
            st = os.stat(ref)
            os.chown(path, st.st_uid, st.st_gid)

    def make_folder(self, addr, name):
        root, d = self.maildir(addr, name)
        for sub in ("", "cur", "new", "tmp"):
            p = os.path.join(d, sub)
            os.makedirs(p, mode=0o700, exist_ok=True)
            self._chown_like(p, root)
        p = os.path.join(d, "maildirfolder")
        open(p, "w").close()
        self._chown_like(p, root)

    def put_mail(self, addr, folder, where, data):
        root, d = self.maildir(addr, folder)
        if not os.path.isdir(os.path.join(d, "cur")):
            raise Fail("no folder %s of %s" % (folder, addr))
        self.mail_seq = getattr(self, "mail_seq", 0) + 1
        vsize = len(data) + data.count(b"\n") - data.count(b"\r\n")
        name = "%d.M%06dP%dQ%d.mail.mycompany.com,S=%d,W=%d" % (
            1700000000 + self.mail_seq, self.mail_seq, os.getpid(),
            self.mail_seq, len(data), vsize)
        sub, _, flags = where.partition(":")
        if sub not in ("new", "cur") or (flags and sub != "cur"):
            raise Fail("bad WHERE %r (new, cur or cur:FLAGS)" % where)
        if sub == "cur":
            name += ":2," + flags
        p = os.path.join(d, sub, name)
        with open(p, "wb") as f:
            f.write(data)
        # INTERNALDATE is the mtime: fixed, so that tests can match it
        t = 1700000000 + self.mail_seq
        os.utime(p, (t, t))
        self._chown_like(p, root)

    def queue_tmpfs(self, size):
        if os.geteuid() != 0:
            raise Skip("@queue-tmpfs needs root")
        entries = []
        for name in sorted(os.listdir(self.queue)):
            st = os.lstat(os.path.join(self.queue, name))
            entries.append((name, st))
        top = os.stat(self.queue)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o",
                            "size=%s,mode=%o" % (size, top.st_mode & 0o7777),
                            "tmpfs", self.queue],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode != 0:
            raise Skip("cannot mount tmpfs: " + r.stdout.decode().strip())
        self.mounts.append(self.queue)
        os.chown(self.queue, top.st_uid, top.st_gid)
        import stat as st_mod
        for name, st in entries:
            p = os.path.join(self.queue, name)
            if st_mod.S_ISDIR(st.st_mode):
                os.mkdir(p)
            elif st_mod.S_ISFIFO(st.st_mode):
                os.mkfifo(p)
            else:
                continue
            os.chmod(p, st.st_mode & 0o7777)
            os.chown(p, st.st_uid, st.st_gid)

    def start_send(self):
        prog = os.path.join(self.dir, "libexec", "quail-send")
        if not os.access(prog, os.X_OK):
            raise Skip("quail-send not built")
        out = open(os.path.join(self.dir, "log", "quail-send.out"), "ab")
        p = subprocess.Popen([prog, "-C", self.etc], stdin=subprocess.DEVNULL,
                             stdout=out, stderr=out, start_new_session=True)
        out.close()
        self.procs.append(p)

    def mess_files(self):
        d = os.path.join(self.queue, "mess")
        try:
            return [os.path.join(d, n) for n in os.listdir(d)
                    if not n.startswith(".")]
        except FileNotFoundError:
            return []

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        for m in reversed(self.mounts):
            subprocess.run(["umount", m], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if os.environ.get("QUAIL_PROTO_KEEP"):
            sys.stderr.write("kept instance in %s\n" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


class Session:
    def __init__(self, inst, prog, remote, extra_env, args, stderr_socket):
        self.inst = inst
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = dict(os.environ)
        env.pop("TCPREMOTEIP", None)
        env.pop("TCPREMOTEHOST", None)
        if remote is not None:
            env["TCPREMOTEIP"] = remote
        env.update(extra_env)
        self.stderr_path = os.path.join(inst.tmp, "daemon.stderr")
        err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen([prog, "-C", inst.etc] + args,
                                     stdin=theirs, stdout=theirs,
                                     stderr=theirs if stderr_socket else err,
                                     env=env, close_fds=True)
        theirs.close()
        err.close()
        self.sock = ours
        self.buf = b""
        self.eof = False
        self.transcript = []

    def send(self, data):
        self.transcript.append("C: %r" % data)
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Fail("send failed (daemon gone?): %s" % e)

    def start_tls(self, args, timeout):
        """Wraps the connection in TLS (see @tls)."""
        if self.buf:
            raise Fail("plaintext after the TLS switch: %r" % self.buf)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        expect_fail = False
        for a in args.split():
            if a == "expect-fail":
                expect_fail = True
            elif a.startswith("max="):
                with warnings.catch_warnings():
                    # TLS 1.0/1.1 are deprecated: that is the point.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    ver = getattr(ssl.TLSVersion, a[4:].replace(".", "_"))
                ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    ctx.maximum_version = ver
                # Let the client offer old versions at all (OpenSSL's
                # security level would refuse them locally).
                ctx.set_ciphers("ALL:@SECLEVEL=0")
            else:
                raise Fail("bad @tls argument %r" % a)
        if expect_fail:
            # On a duplicate, so the plain socket survives the failure
            # and the daemon's close can still be observed.
            dup = self.sock.dup()
            dup.settimeout(timeout)
            try:
                t = ctx.wrap_socket(dup, server_hostname="mail.mycompany.com")
            except (ssl.SSLError, OSError) as e:
                self.transcript.append("TLS handshake failed as expected: %s"
                                       % e)
            else:
                t.close()
                raise Fail("TLS handshake succeeded (%s), expected a failure"
                           % t.version())
            dup.close()
            # Whatever the daemon sent (an alert) is not a reply; it must
            # close the connection now.
            deadline = time.monotonic() + timeout
            while not self.eof:
                if not self._fill(deadline):
                    raise Fail("daemon did not close after the failed "
                               "handshake")
            self.buf = b""
            return
        self.sock.settimeout(timeout)
        try:
            self.sock = ctx.wrap_socket(self.sock,
                                        server_hostname="mail.mycompany.com")
        except (ssl.SSLError, OSError) as e:
            raise Fail("TLS handshake failed: %s" % e)
        self.sock.settimeout(None)
        self.transcript.append("TLS: %s %s" % (self.sock.version(),
                                               self.sock.cipher()[0]))

    def half_close(self):
        """EOF for the daemon; under TLS the session stays readable."""
        try:
            socket.socket.shutdown(self.sock, socket.SHUT_WR)
        except OSError:
            pass

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        pending = isinstance(self.sock, ssl.SSLSocket) and self.sock.pending()
        if not pending:
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return False
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError):
            data = b""
        if not data:
            self.eof = True
        self.buf += data
        return True

    def readline(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            if self.eof:
                raise Fail("connection closed while waiting for a reply"
                           + (" (partial %r)" % self.buf if self.buf else ""))
            if len(self.buf) > MAX_LINE_BYTES:
                raise Fail("reply line too long")
            if not self._fill(deadline):
                raise Fail("timeout (%gs) waiting for a reply" % timeout)
        line, _, self.buf = self.buf.partition(b"\n")
        if not line.endswith(b"\r"):
            raise Fail("reply line not ended by CRLF: %r" % line)
        text = line[:-1].decode("utf-8", "replace")
        self.transcript.append("S: " + text)
        return text

    def expect_close(self, timeout):
        deadline = time.monotonic() + timeout
        while not self.eof:
            if not self._fill(deadline):
                raise Fail("timeout (%gs) waiting for the daemon to close"
                           % timeout)
        if self.buf:
            raise Fail("unexpected output before close: %r" % self.buf)

    def finish(self, timeout, want_status=0):
        """Closes our side; checks exit status, leftovers, stderr."""
        self.half_close()
        deadline = time.monotonic() + timeout
        while not self.eof and self._fill(deadline):
            pass
        self.sock.close()
        try:
            rc = self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Fail("daemon did not exit after the client closed")
        with open(self.stderr_path, "rb") as f:
            err = f.read().decode("utf-8", "replace")
        if "Sanitizer" in err or "runtime error" in err:
            raise Fail("sanitizer report:\n" + err)
        if rc != want_status:
            raise Fail("daemon exited with status %d, want %d\n%s"
                       % (rc, want_status, err))
        if self.buf:
            raise Fail("unexpected output from the daemon: %r" % self.buf)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def poll(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        ok, detail = cond()
        if ok:
            return
        if time.monotonic() >= deadline:
            raise Fail("%s (after %gs): %s" % (what, timeout, detail))
        time.sleep(0.05)


def check_step(sess, inst, key, val, timeout):
    if key == "S":
        line = sess.readline(timeout)
        if not re.fullmatch(val, line):
            raise Fail("expected /%s/, got %r" % (val, line))
    elif key == "C":
        sess.send(val.encode("utf-8") + b"\r\n")
    elif key == "C-RAW":
        sess.send(unescape(val))
    elif key == "C-REPEAT":
        count, _, text = val.partition(" ")
        sess.send((unescape(text) + b"\r\n") * int(count))
    elif key == "C-EVAL":
        data = eval(val, {"__builtins__": {}}, {})
        if not isinstance(data, bytes):
            raise Fail("C-EVAL must give bytes: %r" % val)
        sess.send(data)
    elif key == "@expect-close":
        sess.expect_close(timeout)
    elif key == "@client-close":
        sess.half_close()
        sess.expect_close(timeout)
    elif key == "@tls":
        sess.start_tls(val, timeout)
    elif key == "@queue":
        m = re.fullmatch(r"count (\d+)", val)
        if not m:
            raise Fail("bad @queue: %r" % val)
        want = int(m.group(1))

        def cond():
            n = len(inst.mess_files())
            return n == want, "%d files in mess/, want %d" % (n, want)
        poll(cond, timeout, "queue count")
    elif key in ("@queue-contains", "@queue-lacks"):
        needle = unescape(val)

        def found():
            for p in inst.mess_files():
                try:
                    with open(p, "rb") as f:
                        if needle in f.read():
                            return True
                except FileNotFoundError:
                    pass
            return False
        if key == "@queue-contains":
            poll(lambda: (found(), "not found"), timeout,
                 "no queue file contains %r" % needle)
        elif found():
            raise Fail("a queue file contains %r" % needle)
    elif key == "@log":
        rx = re.compile(val)

        def cond():
            try:
                with open(inst.log, encoding="utf-8", errors="replace") as f:
                    return any(rx.search(l) for l in f), "no match"
            except FileNotFoundError:
                return False, "no log file"
        poll(cond, timeout, "log has no line matching /%s/" % val)
    elif key == "@log-lacks":
        rx = re.compile(val)
        try:
            with open(inst.log, encoding="utf-8", errors="replace") as f:
                bad = [l for l in f if rx.search(l)]
        except FileNotFoundError:
            bad = []
        if bad:
            raise Fail("log has a line matching /%s/: %r" % (val, bad[0]))
    elif key == "@maildir":
        m = re.fullmatch(r"(\S+)@(\S+) count (\d+)", val)
        if not m:
            raise Fail("bad @maildir: %r" % val)
        new = os.path.join(inst.dir, "mail", m.group(2), m.group(1),
                           "Maildir", "new")
        want = int(m.group(3))

        def cond():
            try:
                n = len(os.listdir(new))
            except FileNotFoundError:
                n = 0
            return n == want, "%d in %s, want %d" % (n, new, want)
        poll(cond, timeout, "maildir count")
    else:
        raise Fail("internal: step %s" % key)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: run.py FILE.t\n")
        return 64
    path = sys.argv[1]
    src = os.environ.get("QUAIL_SRC") or os.path.dirname(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = os.path.abspath(os.environ.get("QUAIL_BUILD")
                            or os.path.join(src, "build", "san"))
    progname = "quail-" + os.path.basename(os.path.dirname(os.path.abspath(path)))
    prog = os.path.join(build, progname)
    if not os.access(prog, os.X_OK):
        print("SKIP: %s not built" % prog)
        return 77

    # As tests/run-all.sh: daemons end through _exit paths, leaks are
    # checked by the unit tests.
    os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1")
    os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    inst = sess = None
    timeout = DEFAULT_TIMEOUT
    current = None
    try:
        setup, steps = parse_script(path)
        inst = Instance(src, build)
        inst.set_conf("hostname", "mail.mycompany.com")
        remote, extra_env, args = "127.0.0.1", {}, []
        stderr_socket = False
        want_status = 0
        for n, word, rest in setup:
            if word == "conf":
                key, eq, value = rest.partition("=")
                if not eq:
                    raise Fail("%s:%d: @conf key = value" % (path, n))
                inst.set_conf(key.strip(), value.strip())
            elif word == "remote":
                remote = None if rest == "none" else rest
            elif word == "env":
                k, _, v = rest.partition("=")
                extra_env[k] = v
            elif word == "args":
                args += rest.split()
            elif word == "queue-tmpfs":
                inst.queue_tmpfs(rest)
            elif word == "need-root":
                if os.geteuid() != 0:
                    raise Skip("needs root")
            elif word == "send":
                inst.start_send()
            elif word == "stderr-socket":
                stderr_socket = True
            elif word == "exit-status":
                want_status = int(rest)
            elif word == "folder":
                f = rest.split()
                if len(f) != 2:
                    raise Fail("%s:%d: @folder ADDR NAME" % (path, n))
                inst.make_folder(f[0], f[1])
            elif word in ("mail", "mail-file"):
                f = rest.split(" ", 3)
                if len(f) != 4:
                    raise Fail("%s:%d: @%s ADDR FOLDER WHERE ..." % (path, n, word))
                if word == "mail":
                    data = unescape(f[3])
                else:
                    with open(os.path.join(os.path.dirname(path), f[3]), "rb") as fh:
                        data = fh.read()
                inst.put_mail(f[0], f[1], f[2], data)
        sess = Session(inst, prog, remote, extra_env, args, stderr_socket)
        for n, key, val in steps:
            current = n
            if key == "@timeout":
                timeout = float(val)
                continue
            check_step(sess, inst, key, val, timeout)
        current = None
        sess.finish(timeout, want_status)
        print("PASS %s" % path)
        return 0
    except Skip as e:
        print("SKIP: %s" % e)
        return 77
    except Fail as e:
        where = "%s:%d: " % (path, current) if current else "%s: " % path
        print("FAIL " + where + str(e))
        if sess is not None:
            print("--- transcript")
            for t in sess.transcript[-40:]:
                if len(t) > 300:
                    t = t[:240] + " ...(%d bytes)... " % len(t) + t[-40:]
                print("  " + t)
        if inst is not None:
            try:
                with open(inst.log, encoding="utf-8", errors="replace") as f:
                    tail = f.readlines()[-30:]
                print("--- log tail")
                sys.stdout.write("".join("  " + l for l in tail))
            except OSError:
                pass
        return 1
    finally:
        if sess is not None:
            sess.kill()
        if inst is not None:
            inst.close()


if __name__ == "__main__":
    sys.exit(main())
