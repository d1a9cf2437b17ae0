#!/usr/bin/env python3
"""t_outbound.py -- outbound delivery: quail-send running quail-remote.

Instance A relays through its static route table (smtp_routes) to a
python SMTP sink on loopback and to a second quail instance B:

  - delivery to the sink: two recipients of one domain in one transaction;
  - delivery A -> B into B's Maildir, with STARTTLS when B offers it;
  - a 5xx: the bounce lands in the sender's Maildir on A, an RFC 3464
    multipart/report with Final-Recipient, Action: failed, Status 5.1.1,
    Remote-MTA, an smtp Diagnostic-Code and the original header;
  - a 5xx for a null-sender message: one report to the postmaster,
    never one to the empty sender; when that report is forwarded (the
    postmaster alias) and fails too, it is dropped, not reported again;
  - a 4xx: deferred, a Z record in state/<id>, then delivered after a
    flush (trigger byte 'F');
  - a peer that drops the connection in the middle of DATA: deferred,
    delivered once after a flush, not lost;
  - a queue file removed by the admin: forgotten with "removed by admin";
  - as root, quail-remote's spawner runs as daemon_user.

Instance E has queue_lifetime = 3s, retry_min = 1s, delay_warning = 1s and
a peer that always answers 451: the sender gets one delay warning (Action:
delayed) and then the bounce with Status 4.4.7.

Retries on A are an hour apart (retry_min = 1h), so only a flush can make
them happen within the test.
"""
import email
import email.policy
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quailtest as qt  # noqa: E402

SENDER = "myuser@mycompany.com"
WAIT_SECS = 20


class Sink:
    """A small SMTP server on 127.0.0.1. What it answers depends on the
    recipient's local part:
      reject*     550 5.1.1 at RCPT
      tempfail*   451 4.3.0 at RCPT the first time, then 250
      always451*  451 4.3.0 at RCPT every time
      dropdata*   the first DATA is cut off: the connection is closed
                  after two lines of the message
      anything    250
    Messages are kept as (mail_from, [rcpts], data with LF line ends)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.messages = []
        self.seen = {}          # rcpt -> RCPT attempts
        self.dropped = set()    # rcpts whose DATA was cut once
        self.connections = 0
        self.stopping = False
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def close(self):
        self.stopping = True
        self.sock.close()

    def session(self, conn):
        conn.settimeout(30)
        f = conn.makefile("rb")

        def say(line):
            conn.sendall(line.encode() + b"\r\n")

        try:
            say("220 sink.test ESMTP sink")
            mail_from, rcpts = None, []
            while True:
                line = f.readline(4096)
                if not line:
                    return
                cmd = line.decode("utf-8", "replace").rstrip("\r\n")
                verb = cmd[:4].upper()
                if verb == "EHLO":
                    say("250-sink.test")
                    say("250-PIPELINING")
                    say("250-8BITMIME")
                    say("250 SIZE 50000000")
                elif verb == "HELO":
                    say("250 sink.test")
                elif verb == "MAIL":
                    mail_from = cmd.split(":", 1)[1].split()[0].strip("<>")
                    rcpts = []
                    say("250 2.1.0 ok")
                elif verb == "RCPT":
                    addr = cmd.split(":", 1)[1].split()[0].strip("<>")
                    local = addr.split("@")[0]
                    with self.lock:
                        n = self.seen.get(addr, 0) + 1
                        self.seen[addr] = n
                    if local.startswith("reject"):
                        say("550 5.1.1 <%s>: User unknown" % addr)
                    elif local.startswith("always451") or (
                            local.startswith("tempfail") and n == 1):
                        say("451 4.3.0 <%s>: try again later" % addr)
                    else:
                        rcpts.append(addr)
                        say("250 2.1.5 ok")
                elif verb == "DATA":
                    if not rcpts:
                        say("554 5.5.1 no valid recipients")
                        continue
                    say("354 go ahead")
                    cut = [r for r in rcpts if r.split("@")[0].startswith("dropdata")
                           and r not in self.dropped]
                    data = []
                    while True:
                        dl = f.readline(100000)
                        if not dl:
                            return
                        if dl == b".\r\n":
                            break
                        data.append(dl[1:] if dl.startswith(b".") else dl)
                        if cut and len(data) == 2:
                            with self.lock:
                                self.dropped.update(cut)
                            conn.shutdown(socket.SHUT_RDWR)
                            return
                    body = b"".join(data).replace(b"\r\n", b"\n")
                    with self.lock:
                        self.messages.append((mail_from, list(rcpts), body))
                        n = len(self.messages)
                    say("250 2.0.0 queued as S%d" % n)
                elif verb == "RSET":
                    mail_from, rcpts = None, []
                    say("250 ok")
                elif verb == "NOOP":
                    say("250 ok")
                elif verb == "QUIT":
                    say("221 bye")
                    return
                else:
                    say("502 5.5.2 not implemented")
        except OSError:
            return
        finally:
            conn.close()

    def find(self, rcpt):
        with self.lock:
            return [m for m in self.messages if rcpt in m[1]]


class Inst(qt.Instance):
    """qt.Instance with extra quail.conf lines (instance.sh --conf)."""

    def __init__(self, conf):
        super().__init__()
        self.conf = conf

    def __enter__(self):
        try:
            args = [self.script, "create", self.dir, "--smtp-port", str(self.smtp_port)]
            for line in self.conf:
                args += ["--conf", line]
            subprocess.run(args, check=True)
            subprocess.run([self.script, "start", self.dir], check=True)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def trigger(self, byte):
        fd = os.open(os.path.join(self.dir, "queue", "trigger"), os.O_WRONLY | os.O_NONBLOCK)
        try:
            os.write(fd, byte)
        finally:
            os.close(fd)

    def mess(self):
        return sorted(os.listdir(os.path.join(self.dir, "queue", "mess")))

    def state(self, qid):
        try:
            with open(os.path.join(self.dir, "queue", "state", qid)) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_log(self, text, secs=WAIT_SECS):
        qt.wait_for(lambda: text in self.log_text(), secs, "log line %r" % text)


def send(inst, rcpts, subject, body="Hello.\n", sender=SENDER):
    """Submits through A's SMTP service; returns the queue id."""
    msg = ("From: <%s>\r\nTo: %s\r\nSubject: %s\r\n\r\n%s" % (
        sender, ", ".join("<%s>" % r for r in rcpts), subject,
        body.replace("\n", "\r\n")))
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=qt.IO_TIMEOUT_SECS) as s:
        s.ehlo("client.test")
        s.mail(sender)
        for r in rcpts:
            code, _ = s.rcpt(r)
            qt.check(code == 250, "RCPT %s: %d" % (r, code))
        code, text = s.data(msg.encode())
        qt.check(code == 250, "DATA: %d %r" % (code, text))
    qid = text.decode().split()[-1]
    qt.check(qid.isalnum(), "no queue id in %r" % text)
    return qid


def report_parts(data):
    """The parts of a DSN delivered to a Maildir: (message, status text,
    headers text)."""
    m = email.message_from_bytes(data, policy=email.policy.compat32)
    qt.check(m.get_content_type() == "multipart/report",
             "not multipart/report: %s" % m.get_content_type())
    qt.check(m.get_param("report-type") == "delivery-status",
             "report-type %r" % m.get_param("report-type"))
    parts = m.get_payload()
    qt.check(len(parts) == 3, "%d parts, want 3" % len(parts))
    qt.check(parts[1].get_content_type() == "message/delivery-status",
             "second part is %s" % parts[1].get_content_type())
    status = parts[1].as_string()
    # RFC 3464 2.1: per-message fields, then one block of per-recipient
    # fields for each recipient, blocks separated by a blank line (the
    # email package gives one Message per block).
    blocks = parts[1].get_payload()
    qt.check(isinstance(blocks, list) and len(blocks) >= 2,
             "delivery-status: %r blocks" % blocks)
    for f in ("Reporting-MTA", "Arrival-Date"):
        qt.check(blocks[0][f] is not None and
                 blocks[0]["Final-Recipient"] is None,
                 "per-message fields: %s missing or mixed:\n%s" % (f, status))
    for b in blocks[1:]:
        for f in ("Final-Recipient", "Action", "Status", "Diagnostic-Code"):
            qt.check(b[f] is not None, "per-recipient %s missing:\n%s"
                     % (f, status))
        qt.check(b["Action"] in ("failed", "delayed"), "Action %r" % b["Action"])
        qt.check(b["Final-Recipient"].startswith("rfc822; "),
                 "Final-Recipient %r" % b["Final-Recipient"])
    qt.check(parts[2].get_content_type() == "text/rfc822-headers",
             "third part is %s" % parts[2].get_content_type())
    return m, status, parts[2].get_payload()


def wait_mail(inst, addr, count, secs=WAIT_SECS):
    try:
        return qt.wait_maildir(inst.maildir(addr), count, secs)
    except qt.TestFailure:
        inst.dump_logs()
        raise


def test_sink(a, sink):
    # Two recipients of one domain: one run, one transaction.
    qid = send(a, ["ok1@sink.test", "ok2@sink.test"], "t1 plain")
    qt.wait_for(lambda: sink.find("ok1@sink.test"), WAIT_SECS, "delivery to the sink")
    m = sink.find("ok1@sink.test")
    qt.check(len(m) == 1 and sorted(m[0][1]) == ["ok1@sink.test", "ok2@sink.test"],
             "want one transaction for both recipients: %r" % m)
    qt.check(m[0][0] == SENDER, "MAIL FROM %r" % m[0][0])
    qt.check(b"Subject: t1 plain\n" in m[0][2] and m[0][2].endswith(b"\nHello.\n"),
             "message differs: %r" % m[0][2])
    a.wait_log("id=%s status=removed" % qid)
    print("ok: delivery to the sink, both recipients in one transaction")


def test_bounce(a, sink):
    qid = send(a, ["reject1@sink.test", "ok3@sink.test"], "t2 bounce me")
    (dsn,) = wait_mail(a, SENDER, 1)
    qt.check(sink.find("ok3@sink.test"), "ok3 not delivered")
    m, status, headers = report_parts(dsn)
    qt.check(dsn.startswith(b"Return-Path: <>\n"), "bounce sender is not <>: %r" % dsn[:60])
    qt.check(any("(quail-send, report on queue id %s)" % qid in r
                 for r in m.get_all("Received", [])),
             "no Received: trace field of the report: %r" % m.get_all("Received"))
    for want in ("Final-Recipient: rfc822; reject1@sink.test", "Action: failed",
                 "Status: 5.1.1", "Remote-MTA: dns; ",
                 "Diagnostic-Code: smtp; 550 5.1.1 <reject1@sink.test>: User unknown",
                 "Reporting-MTA: dns; mail.mycompany.com"):
        qt.check(want in status, "%r missing in the delivery-status part:\n%s" % (want, status))
    qt.check("ok3@sink.test" not in status, "the delivered recipient is reported")
    qt.check("Subject: t2 bounce me" in headers, "original header missing: %r" % headers)
    qt.check("Hello." not in headers, "the body is returned")
    a.wait_log("id=%s status=removed" % qid)
    print("ok: 5xx bounced to the sender as an RFC 3464 report")


def test_double_bounce(a, sink):
    # A null-sender message (a bounce) that fails is never bounced to its
    # empty sender: one report goes to the postmaster (aliased to
    # myuser@mycompany.com, which is also SENDER), itself from <>.
    before = len(qt.maildir_files(a.maildir(SENDER)))
    qid = send(a, ["reject5@sink.test"], "t2b bounce of a bounce", sender="")
    mails = wait_mail(a, SENDER, before + 1)
    a.wait_log("id=%s status=removed" % qid)
    mails = qt.wait_maildir(a.maildir(SENDER), before + 1)
    new = [m for m in mails if b"t2b bounce of a bounce" in m]
    qt.check(len(new) == 1, "%d reports about the null-sender message, "
             "want 1" % len(new))
    qt.check(new[0].startswith(b"Return-Path: <>\n"),
             "double bounce sender is not <>: %r" % new[0][:60])
    m, status, headers = report_parts(new[0])
    qt.check("Postmaster notify" in m["Subject"], "subject %r" % m["Subject"])
    qt.check("Final-Recipient: rfc822; reject5@sink.test" in status, status)
    qt.check("Subject: t2b bounce of a bounce" in headers, headers)
    print("ok: a failed null-sender message: one report to the postmaster")


def test_double_bounce_loop(a, sink):
    # The postmaster alias points to an address that fails for good: the
    # double bounce is forwarded there, fails, and must then be dropped,
    # not reported to the postmaster again (a loop of double bounces).
    aliases = os.path.join(a.dir, "etc", "aliases")
    with open(aliases) as f:
        saved = f.read()
    qt.check("postmaster: myuser@mycompany.com" in saved, "aliases: %r" % saved)
    newaliases = os.path.join(a.dir, "bin", "quail-newaliases")
    try:
        with open(aliases, "w") as f:
            f.write(saved.replace("postmaster: myuser@mycompany.com",
                                  "postmaster: rejectpm@sink.test"))
        subprocess.run([newaliases], check=True, stdout=subprocess.DEVNULL)
        before = a.log_text().count("status=bounce-queued")
        qid = send(a, ["reject7@sink.test"], "t2c loop", sender="")
        a.wait_log("id=%s status=removed" % qid)
        a.wait_log("reason=undeliverable double bounce (null sender, to "
                   "<rejectpm@sink.test>")
        # the chain has ended: exactly one double bounce was made
        qt.wait_for(lambda: not a.mess(), WAIT_SECS, "an empty queue")
        n = a.log_text().count("status=bounce-queued") - before
        qt.check(n == 1, "%d double bounces queued, want 1" % n)
    finally:
        with open(aliases, "w") as f:
            f.write(saved)
        subprocess.run([newaliases], check=True, stdout=subprocess.DEVNULL)
    print("ok: a failed double bounce is dropped (no loop)")


def test_tempfail_flush(a, sink):
    qid = send(a, ["tempfail1@sink.test"], "t3 retry me")
    a.wait_log("id=%s to=<tempfail1@sink.test> status=deferred" % qid)
    st = a.state(qid)
    qt.check(st.startswith("Z0 ") and " 4.3.0 " in st and "451 4.3.0" in st,
             "state file lacks the Z record: %r" % st)
    qt.check(qid in a.mess(), "deferred message not in mess/")
    qt.check(not sink.find("tempfail1@sink.test"), "delivered despite 451")
    a.trigger(b"F")
    qt.wait_for(lambda: sink.find("tempfail1@sink.test"), WAIT_SECS, "delivery after flush")
    a.wait_log("id=%s status=removed" % qid)
    qt.check(len(sink.find("tempfail1@sink.test")) == 1, "delivered more than once")
    print("ok: 4xx deferred with a Z record, delivered after flush")


def test_drop_mid_data(a, sink):
    body = "".join("line %d of a message cut in the middle\n" % i for i in range(200))
    qid = send(a, ["dropdata1@sink.test"], "t4 dropped", body)
    a.wait_log("id=%s to=<dropdata1@sink.test> status=deferred" % qid)
    qt.check(qid in a.mess(), "message lost after the dropped connection")
    qt.check(not sink.find("dropdata1@sink.test"), "a cut message counted as delivered")
    a.trigger(b"F")
    qt.wait_for(lambda: sink.find("dropdata1@sink.test"), WAIT_SECS, "delivery after the drop")
    a.wait_log("id=%s status=removed" % qid)
    got = sink.find("dropdata1@sink.test")
    qt.check(len(got) == 1 and got[0][2].endswith(body.encode()), "wrong delivery: %r" % got)
    print("ok: connection dropped mid-DATA: retried, delivered once")


def test_removed_by_admin(a, sink):
    qid = send(a, ["always451a@sink.test"], "t5 removed")
    a.wait_log("id=%s to=<always451a@sink.test> status=deferred" % qid)
    os.unlink(os.path.join(a.dir, "queue", "mess", qid))
    os.unlink(os.path.join(a.dir, "queue", "state", qid))
    a.trigger(b"x")
    a.wait_log("id=%s status=removed reason=removed by admin" % qid)
    a.trigger(b"F")     # a flush must not bring it back
    time.sleep(0.5)     # nothing to poll for: the absence of a retry
    qt.check(sink.seen.get("always451a@sink.test") == 1, "retried after removal")
    print("ok: queue file removed by the admin is forgotten")


def test_privileges(a):
    """As root, quail-remote is started by a spawner running as
    daemon_user (quail-send(8) "Privileges")."""
    if os.geteuid() != 0:
        print("note: not root: everything runs as the invoking user")
        return
    out = subprocess.run(["ps", "-eo", "user:32=,args="], capture_output=True,
                         text=True).stdout
    mine = "quail-send -C %s/etc" % a.dir
    users = sorted({l.split()[0] for l in out.splitlines() if mine in l})
    qt.check("quaild" in users and "root" in users and "quailq" in users,
             "quail-send processes run as %r, want quaild (spawner), "
             "quailq (scheduler), root (launcher)" % users)
    print("ok: quail-send processes as %s" % ", ".join(users))


def test_a_to_b(a, b):
    out = subprocess.run([os.path.join(b.dir, "bin", "quail-users"), "add", "bob@b.test",
                          "-p", "mypassword", "-c"], capture_output=True, text=True)
    qt.check(out.returncode == 0, "quail-users add: %s" % out.stderr)
    qid = send(a, ["bob@b.test"], "t6 to B")
    (got,) = wait_mail(b, "bob@b.test", 1)
    qt.check(b"Subject: t6 to B\n" in got, "wrong message in B: %r" % got[:300])
    a.wait_log("id=%s status=removed" % qid)
    with smtplib.SMTP("127.0.0.1", b.smtp_port, timeout=qt.IO_TIMEOUT_SECS) as s:
        s.ehlo("probe.test")
        tls = s.has_extn("starttls")
    hdrs, _ = qt.split_delivery(got)
    rcv = " ".join(hdrs.get("received", []))
    if tls:
        qt.check("ESMTPS" in rcv, "B offers STARTTLS but A did not use it: %r" % rcv)
        print("ok: A -> B over STARTTLS (%s)" % rcv[:80])
    else:
        print("note: B's quail-smtpd offers no STARTTLS yet; TLS assertion skipped")
    print("ok: A -> B delivered into B's Maildir")


def test_expiry(sink):
    conf = ["smtp_routes = sink.test=[127.0.0.1]:%d" % sink.port,
            "queue_lifetime = 3s", "retry_min = 1s", "retry_max = 1s",
            "delay_warning = 1s"]
    with Inst(conf) as e:
        try:
            qid = send(e, ["always451b@sink.test"], "t7 expire me")
            mails = wait_mail(e, SENDER, 2, secs=30)
            _, warn, _ = report_parts(mails[0])
            _, fail, hdr = report_parts(mails[1])
            if "Action: delayed" not in warn:
                warn, fail = fail, warn
            qt.check("Action: delayed" in warn and "Will-Retry-Until: " in warn,
                     "no delay warning: %s" % warn)
            qt.check("Status: 4.3.0" in warn, "warning status: %s" % warn)
            qt.check("Action: failed" in fail and "Status: 4.4.7" in fail,
                     "no expiry bounce: %s" % fail)
            qt.check("Final-Recipient: rfc822; always451b@sink.test" in fail, fail)
            qt.check("Subject: t7 expire me" in hdr, "original header missing")
            e.wait_log("id=%s status=removed" % qid)
            print("ok: delay warning, then expiry bounce with 4.4.7")
        except BaseException:
            e.dump_logs()
            raise


def main():
    build = qt.BUILD
    if not os.access(os.path.join(build, "quail-remote"), os.X_OK):
        print("SKIP: %s/quail-remote not built" % build)
        return qt.SKIP
    sink = Sink()
    try:
        # B needs a hostname of its own: a server greeting with A's
        # hostname is A itself to quail-remote (a mail loop, 5.4.6).
        with Inst(["local_domains = b.test localhost",
                   "hostname = mx.b.test"]) as b:
            conf = ["smtp_routes = sink.test=[127.0.0.1]:%d b.test=[127.0.0.1]:%d"
                    % (sink.port, b.smtp_port),
                    "retry_min = 1h", "retry_max = 1h"]
            with Inst(conf) as a:
                try:
                    test_privileges(a)
                    test_sink(a, sink)
                    test_bounce(a, sink)
                    test_double_bounce(a, sink)
                    test_double_bounce_loop(a, sink)
                    test_tempfail_flush(a, sink)
                    test_drop_mid_data(a, sink)
                    test_removed_by_admin(a, sink)
                    test_a_to_b(a, b)
                except BaseException:
                    a.dump_logs()
                    raise
        test_expiry(sink)
    except qt.TestFailure as e:
        print("FAIL: %s" % e)
        return 1
    finally:
        sink.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
