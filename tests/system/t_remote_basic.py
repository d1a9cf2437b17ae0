#!/usr/bin/env python3
"""t_remote_basic.py -- quail-remote run directly (no quail-send) against
python SMTP sinks on 127.0.0.1, routed with smtp_routes, and against a tiny
UDP DNS responder (dns_nameserver) for the MX path.

Every case checks each record line quail-remote prints (r<i> ... and s ...)
and, where it matters, what the sink received (commands, the DATA bytes:
CRLF only, dot-stuffed). The MX cases need sinks on port 25 of random
127.x.y.z addresses (mail hosts are reached on port 25), so they run only
as root (else they are reported as skipped; the rest still runs).
Exit 0 pass, 77 skip, 1 fail.
"""
import os
import random
import re
import shutil
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

SRC = os.environ.get("QUAIL_SRC") or os.path.abspath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BUILD = os.environ.get("QUAIL_BUILD") or os.path.join(SRC, "build", "release")
SKIP = 77
RUN_SECS = 60           # one quail-remote run
SINK_IO_SECS = 20       # a sink's socket timeout
DRIP_SECS = 0.2         # the "drip" sink: a reply line this often ...
DRIP_LINES = 100        # ... this many times (20 s in all)
# Mail hosts listen on port 25 of random loopback addresses (all of
# 127/8 is loopback on Linux), so parallel runs and other tests do not meet.
_R = random.Random()
MX_IP = "127.%d.%d.%d" % (_R.randrange(1, 255), _R.randrange(256),
                          _R.randrange(2, 254))
BUSY_IP = MX_IP.rsplit(".", 1)[0] + ".%d" % (int(MX_IP.rsplit(".", 1)[1]) + 1)
MXRE = re.escape(MX_IP)
DEAD_IP = MX_IP.rsplit(".", 1)[0] + ".%d" % (int(MX_IP.rsplit(".", 1)[1]) - 1)

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg)
    return cond


# ---- SMTP sinks -------------------------------------------------------------

class Sink:
    """One listening SMTP server. behaviour: accept | rcpt450 | rcpt550 |
    mixed | drop | tls | badtls | silent | no8bit | size | helo | loop
    (EHLO answered with the client's own hostname) | drip (an EHLO reply
    whose continuation lines trickle in, one every DRIP_SECS) | inject
    (tls, with plaintext injected after the STARTTLS 220) | unsolicited
    (a reply to nothing right behind the greeting) | data250 (DATA
    answered with 250, not 354)."""

    def __init__(self, behaviour, host="127.0.0.1", port=0, certs=None):
        self.behaviour = behaviour
        self.certs = certs
        self.sessions = []          # per connection: dict
        self.errors = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = SINK_IO_SECS

            def handle(self):
                try:
                    sink.session(self)
                except (ssl.SSLError, OSError) as e:
                    # The client refused our certificate or went away:
                    # the records say what the client made of it.
                    sink.errors.append(repr(e))

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server((host, port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def ehlo_lines(self, tls_on):
        b = self.behaviour
        lines = ["client.test hello" if b == "loop" else "sink.test hello"]
        if b != "no8bit":
            lines.append("8BITMIME")
        lines.append("PIPELINING")
        lines.append("SIZE 100" if b == "size" else "SIZE 1000000")
        lines.append("ENHANCEDSTATUSCODES")
        if b in ("tls", "badtls", "inject") and not tls_on:
            lines.append("STARTTLS")
        return lines

    def session(self, h):
        s = {"cmds": [], "data": None, "tls": False}
        self.sessions.append(s)
        rfile, wfile = h.rfile, h.wfile
        conn = h.connection

        def send(text):
            wfile.write(text.encode() + b"\r\n")
            wfile.flush()

        if self.behaviour == "unsolicited":
            # a reply to nothing right behind the greeting
            wfile.write(b"220 sink.test ESMTP\r\n250 2.0.0 unsolicited\r\n")
            wfile.flush()
        else:
            send("220 sink.test ESMTP")
        while True:
            line = rfile.readline(4096)
            if not line:
                return
            cmd = line.rstrip(b"\r\n").decode("latin-1")
            s["cmds"].append(cmd)
            verb = cmd.split(" ")[0].split(":")[0].upper()
            b = self.behaviour
            if b == "silent":
                continue            # never answers: the client times out
            if verb == "EHLO":
                if b == "helo":
                    send("502 5.5.2 EHLO not implemented")
                    continue
                if b == "drip":
                    # never ends the reply; each line comes well within
                    # the client's per-read timeout
                    for i in range(DRIP_LINES):
                        send("250-sink.test drip %d" % i)
                        time.sleep(DRIP_SECS)
                    send("250 SIZE 1000000")
                    continue
                ls = self.ehlo_lines(s["tls"])
                for x in ls[:-1]:
                    send("250-" + x)
                send("250 " + ls[-1])
            elif verb == "HELO":
                send("250 sink.test")
            elif verb == "STARTTLS" and b in ("tls", "inject"):
                if b == "inject":
                    # STARTTLS response injection (CVE-2011-0411 style,
                    # client side): plaintext after the 220 in the same
                    # segment must not be read as the EHLO reply after TLS.
                    wfile.write(b"220 2.0.0 go ahead\r\n250-injected\r\n"
                                b"250 PIPELINING\r\n")
                    wfile.flush()
                else:
                    send("220 2.0.0 go ahead")
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(*self.certs)
                conn = ctx.wrap_socket(conn, server_side=True)
                s["tls"] = True
                rfile = conn.makefile("rb")
                wfile = conn.makefile("wb")
            elif verb == "STARTTLS" and b == "badtls":
                send("220 2.0.0 go ahead")
                wfile.write(b"this is not a TLS server hello\r\n" * 4)
                wfile.flush()
                return
            elif verb == "MAIL":
                send("250 2.1.0 ok")
            elif verb == "RCPT":
                local = cmd.split("<", 1)[1].split("@")[0]
                if b == "rcpt450":
                    send("450 4.2.0 <%s>: mailbox busy" % local)
                elif b == "rcpt550" or (b == "mixed" and local == "bad"):
                    send("550-5.1.1 <%s>: no such user" % local)
                    send("550 5.1.1 try another one")
                else:
                    send("250 2.1.5 ok")
            elif verb == "DATA" and b == "data250":
                send("250 2.0.0 fine, but no 354")
            elif verb == "DATA":
                send("354 go ahead")
                if b == "drop":
                    rfile.read(10)
                    conn.shutdown(socket.SHUT_RDWR)
                    conn.close()
                    return
                data = b""
                while True:
                    x = rfile.readline(100000)
                    if not x:
                        return
                    if x == b".\r\n":
                        break
                    data += x
                s["data"] = data
                send("250 2.0.0 Ok: queued as SINK1")
            elif verb == "QUIT":
                send("221 2.0.0 bye")
                return
            else:
                send("502 5.5.2 what?")


# ---- DNS responder ------------------------------------------------------------

def dns_name(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels).lower(), off
        labels.append(msg[off:off + n].decode("ascii"))
        off += n


def dns_encode(name):
    if name in ("", "."):
        return b"\0"
    return b"".join(bytes([len(x)]) + x.encode() for x in name.split(".")) + b"\0"


class Dns:
    """UDP responder: zone maps (name, type) -> list of rdata bytes;
    special names: nxdomain.test (NXDOMAIN), servfail.test (SERVFAIL)."""

    def __init__(self, zone, host="127.0.0.1"):
        self.zone = zone
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.queries = []
        self.stop = False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def close(self):
        self.stop = True
        self.sock.close()

    def loop(self):
        self.sock.settimeout(0.1)
        while not self.stop:
            try:
                q, peer = self.sock.recvfrom(512)
            except (socket.timeout, OSError):
                continue
            try:
                self.sock.sendto(self.answer(q), peer)
            except Exception as e:  # a bad query must not kill the server
                print("dns: %r" % e)

    def answer(self, q):
        qid, flags = struct.unpack(">HH", q[:4])
        name, off = dns_name(q, 12)
        qtype, _ = struct.unpack(">HH", q[off:off + 4])
        question = q[12:off + 4]
        self.queries.append((name, qtype))
        rcode = 0
        rrs = []
        if name == "nxdomain.test":
            rcode = 3
        elif name == "servfail.test":
            rcode = 2
        else:
            rrs = self.zone.get((name, qtype), [])
        hdr = struct.pack(">HHHHHH", qid, 0x8180 | rcode, 1, len(rrs), 0, 0)
        out = hdr + question
        for rd in rrs:
            out += b"\xc0\x0c" + struct.pack(">HHIH", qtype, 1, 60, len(rd)) + rd
        return out


def mx_rdata(pref, host):
    return struct.pack(">H", pref) + dns_encode(host)


# ---- running quail-remote ---------------------------------------------------------

def write_conf(confdir, routes, dns_port=None, tls="may", log="stderr",
               dns_host="127.0.0.1", timeout="10s"):
    text = ["hostname = client.test", "log = %s" % log,
            "remote_timeout = %s" % timeout, "remote_connect_timeout = 5s",
            "remote_tls = %s" % tls, "daemon_user = nobody"]
    if routes:
        text.append("smtp_routes = " + " ".join(routes))
    if dns_port:
        text.append("dns_nameserver = %s:%d" % (
            "[%s]" % dns_host if ":" in dns_host else dns_host, dns_port))
    with open(os.path.join(confdir, "quail.conf"), "w") as f:
        f.write("\n".join(text) + "\n")


def run_remote(confdir, domain, rcpts, message, sender="sender@client.test"):
    args = [os.path.join(BUILD, "quail-remote"), "-C", confdir, "-f", sender,
            "-q", "T1", "--", domain] + rcpts
    p = subprocess.run(args, input=message, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=RUN_SECS)
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0:
        check(False, "%s: exit %d, stderr %r" % (domain, p.returncode,
                                                 p.stderr[-2000:]))
    return out.splitlines()


def expect_records(case, lines, want):
    """want: list of regexes, one per line, matched in full."""
    if not check(len(lines) == len(want), "%s: %d record lines, want %d: %r"
                 % (case, len(lines), len(want), lines)):
        return
    for got, pat in zip(lines, want):
        check(re.fullmatch(pat, got) is not None,
              "%s: record %r does not match %r" % (case, got, pat))


MSG = (b"Subject: test\nFrom: sender@client.test\n\nline one\n"
       b".starts with a dot\n..two dots\n.\nCRLF line\r\nlone\rCR\nlast")
MSG_WIRE = (b"Subject: test\r\nFrom: sender@client.test\r\n\r\nline one\r\n"
            b"..starts with a dot\r\n...two dots\r\n..\r\nCRLF line\r\n"
            b"lone\r\nCR\r\nlast\r\n")
MSG_8BIT = "Subject: caf\u00e9\n\nna\u00efve\n".encode("utf-8")
PEER = r"127\.0\.0\.1\[127\.0\.0\.1\]"


def make_cert(d):
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=sink.test"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def route_cases(tmp):
    certs = make_cert(tmp)
    sinks = {b: Sink(b, certs=certs) for b in
             ("accept", "rcpt450", "rcpt550", "mixed", "drop", "tls",
              "badtls", "silent", "no8bit", "size", "helo", "loop",
              "drip", "inject", "unsolicited", "data250")}
    # A port with nobody listening: connection refused.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead_port = s.getsockname()[1]
    s.close()
    routes = ["%s.test=[127.0.0.1]:%d" % (b, k.port) for b, k in sinks.items()]
    routes.append("dead.test=[127.0.0.1]:%d" % dead_port)
    # a route by name: the system's name service (/etc/hosts) resolves it
    routes.append("named.test=localhost:%d" % sinks["accept"].port)
    confdir = os.path.join(tmp, "etc")
    os.makedirs(confdir)
    logfile = os.path.join(tmp, "quail.log")
    write_conf(confdir, routes, log=logfile)
    try:
        # 1. accepted, two recipients, one connection; CRLF and dot-stuffing.
        lines = run_remote(confdir, "accept.test",
                           ["a@accept.test", "b@accept.test"], MSG)
        ok = r"r%d K 2\.0\.0 " + PEER + r" said: 250 2\.0\.0 Ok: queued as " \
            r"SINK1 \(in reply to end of DATA\)"
        expect_records("accept", lines, [ok % 0, ok % 1, r"s K .*SINK1.*"])
        ss = sinks["accept"].sessions
        if check(len(ss) == 1, "accept: %d sessions, want 1" % len(ss)):
            cmds = ss[0]["cmds"]
            check(cmds[0] == "EHLO client.test", "accept: %r" % cmds[0])
            # SIZE= is the CRLF size without the three stuffed dots.
            check(cmds[1] == "MAIL FROM:<sender@client.test> SIZE=%d"
                  % (len(MSG_WIRE) - 3), "accept: %r" % cmds[1])
            check(cmds[2:] == ["RCPT TO:<a@accept.test>",
                               "RCPT TO:<b@accept.test>", "DATA", "QUIT"],
                  "accept: commands %r" % cmds[2:])
            check(ss[0]["data"] == MSG_WIRE, "accept: data %r, want %r"
                  % (ss[0]["data"], MSG_WIRE))
        # one log line per recipient, with the queue id
        try:
            with open(logfile, encoding="utf-8", errors="replace") as f:
                log = f.read()
        except FileNotFoundError:
            log = ""
        for r in ("a", "b"):
            check(re.search(r"quail-remote\[\d+\]: qid=T1 rcpt=%s@accept\.test "
                            r"relay=127\.0\.0\.1\[127\.0\.0\.1\] status=sent "
                            r"2\.0\.0 .*SINK1" % r, log) is not None,
                  "accept: no log line for %s: %r" % (r, log[-2000:]))

        # 1a. dot-stuffing across the encoder's 8 KiB chunks: a line
        # starting with "." right at a chunk boundary, a CR LF split by
        # one, a lone CR at the end, then a last line without LF.
        big = (b"Subject: big\n\n" + b"x" * (8192 - 15) + b"\n" +
               b".at the boundary\n" + b"y" * (8192 - 18) + b"\r\n" +
               b"z" * 8191 + b"\r" + b".\n..\nend")
        big_wire = (b"Subject: big\r\n\r\n" + b"x" * (8192 - 15) + b"\r\n" +
                    b"..at the boundary\r\n" + b"y" * (8192 - 18) + b"\r\n" +
                    b"z" * 8191 + b"\r\n" + b"..\r\n...\r\nend\r\n")
        n = len(sinks["accept"].sessions)
        lines = run_remote(confdir, "accept.test", ["x@accept.test"], big)
        expect_records("chunks", lines, [r"r0 K 2\.0\.0 .*", r"s K .*"])
        ss = sinks["accept"].sessions[n:]
        if check(len(ss) == 1, "chunks: no session"):
            check(ss[0]["data"] == big_wire, "chunks: data differs at byte "
                  "%d" % next((i for i, (x, y) in
                               enumerate(zip(ss[0]["data"] or b"", big_wire))
                               if x != y), -1))
        # 1b. a route to a host name (getaddrinfo, IPv4 first).
        lines = run_remote(confdir, "named.test", ["x@named.test"], MSG)
        expect_records("named", lines, [
            r"r0 K 2\.0\.0 localhost\[127\.0\.0\.1\] said: 250 .*SINK1.*",
            r"s K .*"])

        # 2. 450 on RCPT: temporary.
        lines = run_remote(confdir, "rcpt450.test", ["x@rcpt450.test"], MSG)
        expect_records("rcpt450", lines, [
            r"r0 Z 4\.2\.0 " + PEER + r" said: 450 4\.2\.0 <x>: mailbox busy "
            r"\(in reply to RCPT TO\)", r"s Z .*"])
        # 3. 550 (multi-line) on RCPT: permanent.
        lines = run_remote(confdir, "rcpt550.test", ["x@rcpt550.test"], MSG)
        expect_records("rcpt550", lines, [
            r"r0 D 5\.1\.1 " + PEER + r" said: 550 5\.1\.1 <x>: no such user "
            r"5\.1\.1 try another one \(in reply to RCPT TO\)", r"s D .*"])
        # 3b. one good, one bad recipient in one transaction.
        lines = run_remote(confdir, "mixed.test",
                           ["bad@mixed.test", "good@mixed.test"], MSG)
        expect_records("mixed", lines, [
            r"r0 D 5\.1\.1 .*no such user.*", r"r1 K 2\.0\.0 .*SINK1.*",
            r"s K .*"])
        check(sinks["mixed"].sessions and
              sinks["mixed"].sessions[0]["data"] == MSG_WIRE,
              "mixed: data not delivered")
        # 4. connection dropped in the middle of DATA.
        lines = run_remote(confdir, "drop.test", ["x@drop.test", "y@drop.test"],
                           MSG * 2000)
        lost = (r"r%d Z 4\.4\.2 lost connection with " + PEER +
                r" while (sending the message|waiting for the reply to the "
                r"message): .*")
        expect_records("drop", lines, [lost % 0, lost % 1, r"s Z .*"])
        # 5. STARTTLS offered: used, then EHLO again.
        lines = run_remote(confdir, "tls.test", ["x@tls.test"], MSG)
        expect_records("tls", lines, [r"r0 K 2\.0\.0 .*SINK1.*", r"s K .*"])
        ss = sinks["tls"].sessions
        if check(len(ss) == 1 and ss[0]["tls"], "tls: STARTTLS not used"):
            check(ss[0]["cmds"][:3] == ["EHLO client.test", "STARTTLS",
                                        "EHLO client.test"],
                  "tls: commands %r" % ss[0]["cmds"][:3])
            check(ss[0]["data"] == MSG_WIRE, "tls: data differs")
        # 5a. bytes injected after "220" before the handshake are dropped:
        # the EHLO reply after TLS is the real one (it has SIZE), and the
        # dialogue stays in step.
        lines = run_remote(confdir, "inject.test", ["x@inject.test"], MSG)
        expect_records("inject", lines, [r"r0 K 2\.0\.0 .*SINK1.*", r"s K .*"])
        ss = sinks["inject"].sessions
        if check(len(ss) == 1 and ss[0]["tls"], "inject: STARTTLS not used"):
            check(ss[0]["cmds"][:4] == ["EHLO client.test", "STARTTLS",
                                        "EHLO client.test",
                                        "MAIL FROM:<sender@client.test> SIZE=%d"
                                        % (len(MSG_WIRE) - 3)],
                  "inject: commands %r" % ss[0]["cmds"][:4])
        # 5b. TLS handshake fails (remote_tls = may): plain text again.
        lines = run_remote(confdir, "badtls.test", ["x@badtls.test"], MSG)
        expect_records("badtls", lines, [r"r0 K 2\.0\.0 .*SINK1.*", r"s K .*"])
        ss = sinks["badtls"].sessions
        if check(len(ss) == 2, "badtls: %d sessions, want 2" % len(ss)):
            check("STARTTLS" in ss[0]["cmds"], "badtls: first without TLS")
            check("STARTTLS" not in ss[1]["cmds"] and
                  ss[1]["data"] == MSG_WIRE, "badtls: second %r" % ss[1]["cmds"])
        # 6. 8-bit message, no 8BITMIME: permanent 5.6.3, nothing sent.
        lines = run_remote(confdir, "no8bit.test", ["x@no8bit.test"], MSG_8BIT)
        expect_records("no8bit", lines, [
            r"r0 D 5\.6\.3 remote server cannot accept 8-bit data: " + PEER +
            r" does not offer 8BITMIME", r"s D .*"])
        check(all(not c.startswith("MAIL") for s in sinks["no8bit"].sessions
                  for c in s["cmds"]), "no8bit: MAIL was sent")
        # 6b. 8-bit message, 8BITMIME offered: BODY=8BITMIME, bytes intact.
        n = len(sinks["accept"].sessions)
        lines = run_remote(confdir, "accept.test", ["x@accept.test"], MSG_8BIT)
        expect_records("8bit", lines, [r"r0 K 2\.0\.0 .*", r"s K .*"])
        ss = sinks["accept"].sessions[n:]
        if check(len(ss) == 1, "8bit: no session"):
            check(ss[0]["cmds"][1].endswith(" BODY=8BITMIME"),
                  "8bit: %r" % ss[0]["cmds"][1])
            check(ss[0]["data"] == MSG_8BIT.replace(b"\n", b"\r\n"),
                  "8bit: data %r" % ss[0]["data"])
        # 7. larger than the peer's SIZE: permanent 5.3.4.
        lines = run_remote(confdir, "size.test", ["x@size.test"], MSG * 10)
        expect_records("size", lines, [
            r"r0 D 5\.3\.4 message size \d+ exceeds the limit of " + PEER +
            r" \(100 bytes\)", r"s D .*"])
        # 8. EHLO refused: HELO, and no ESMTP parameters.
        lines = run_remote(confdir, "helo.test", ["x@helo.test"], MSG)
        expect_records("helo", lines, [r"r0 K 2\.0\.0 .*", r"s K .*"])
        ss = sinks["helo"].sessions
        if check(len(ss) == 1, "helo: sessions"):
            check(ss[0]["cmds"][:3] == ["EHLO client.test", "HELO client.test",
                                        "MAIL FROM:<sender@client.test>"],
                  "helo: commands %r" % ss[0]["cmds"][:3])
        # 9. nobody listening: temporary 4.4.1.
        lines = run_remote(confdir, "dead.test", ["x@dead.test"], MSG)
        expect_records("dead", lines, [
            r"r0 Z 4\.4\.1 connect to 127\.0\.0\.1\[127\.0\.0\.1\]:%d: "
            r"Connection refused" % dead_port, r"s Z .*"])
        # 10. bad recipient syntax never reaches the wire; null sender.
        n = len(sinks["accept"].sessions)
        lines = run_remote(confdir, "accept.test",
                           ["bad\r\nRSET@accept.test", "ok@accept.test"], MSG,
                           sender="")
        expect_records("syntax", lines, [r"r0 D 5\.1\.3 bad recipient address "
                                         r"syntax: .*", r"r1 K 2\.0\.0 .*",
                                         r"s K .*"])
        ss = sinks["accept"].sessions[n:]
        if check(len(ss) == 1, "syntax: sessions"):
            check(ss[0]["cmds"][1] .startswith("MAIL FROM:<> "),
                  "null sender: %r" % ss[0]["cmds"][1])
            check(ss[0]["cmds"][2:4] == ["RCPT TO:<ok@accept.test>", "DATA"],
                  "syntax: %r" % ss[0]["cmds"])
        # 10b. non-ASCII (SMTPUTF8) addresses are not sent.
        n = len(sinks["accept"].sessions)
        lines = run_remote(confdir, "accept.test",
                           ["j\u00fcrgen@accept.test", "ok@accept.test"], MSG)
        expect_records("smtputf8", lines, [
            r"r0 D 5\.6\.7 non-ASCII address: SMTPUTF8 is not supported for "
            r"remote delivery", r"r1 K 2\.0\.0 .*", r"s K .*"])
        lines = run_remote(confdir, "accept.test", ["ok@accept.test"], MSG,
                           sender="j\u00fcrgen@client.test")
        expect_records("smtputf8-sender", lines, [
            r"r0 D 5\.6\.7 non-ASCII sender address: .*", r"s D .*"])
        check(len(sinks["accept"].sessions) == n + 1,
              "smtputf8: %d sessions" % (len(sinks["accept"].sessions) - n))
        # 10c. a server that stops answering: remote_timeout.
        tconf = os.path.join(tmp, "etc-timeout")
        os.makedirs(tconf)
        write_conf(tconf, routes, timeout="1s")
        t0 = time.monotonic()
        lines = run_remote(tconf, "silent.test", ["x@silent.test"], MSG)
        expect_records("silent", lines, [
            r"r0 Z 4\.4\.2 conversation with " + PEER + r" timed out while "
            r"sending EHLO", r"s Z .*"])
        check(time.monotonic() - t0 < 8, "silent: took %.1fs"
              % (time.monotonic() - t0))
        # 10d. a reply that never ends, each line within the per-read
        # timeout: the whole reply is bounded by remote_timeout too.
        t0 = time.monotonic()
        lines = run_remote(tconf, "drip.test", ["x@drip.test"], MSG)
        expect_records("drip", lines, [
            r"r0 Z 4\.4\.2 conversation with " + PEER + r" timed out while "
            r"sending EHLO", r"s Z .*"])
        check(time.monotonic() - t0 < 8, "drip: took %.1fs"
              % (time.monotonic() - t0))
        # 10f. a reply nobody asked for, waiting before our command: the
        # dialogue would be out of step, so the session ends (temporary).
        lines = run_remote(confdir, "unsolicited.test", ["x@unsolicited.test"],
                           MSG)
        expect_records("unsolicited", lines, [
            r"r0 Z 4\.4\.2 lost connection with " + PEER + r" while sending "
            r"EHLO: protocol error: the server sent data before our command",
            r"s Z .*"])
        check(all(not c.startswith("MAIL") for x in
                  sinks["unsolicited"].sessions for c in x["cmds"]),
              "unsolicited: MAIL was sent")
        # 10g. 250 instead of 354 to DATA: the message was never sent, so
        # it is not delivered (temporary protocol trouble, 4.5.0).
        lines = run_remote(confdir, "data250.test", ["x@data250.test"], MSG)
        expect_records("data250", lines, [
            r"r0 Z 4\.5\.0 " + PEER + r" said: 250 2\.0\.0 fine, but no 354 "
            r"\(in reply to DATA\)", r"s Z .*"])
        # 10e. the server answers EHLO with our own hostname: a mail loop
        # (RFC 5321 5.1), a permanent 5.4.6, no MAIL sent.
        lines = run_remote(confdir, "loop.test", ["x@loop.test"], MSG)
        expect_records("loop", lines, [
            r"r0 D 5\.4\.6 mail for loop\.test loops back to myself \(" +
            PEER + r" greets with my own hostname client\.test\)", r"s D .*"])
        check(all(not c.startswith("MAIL") for x in sinks["loop"].sessions
                  for c in x["cmds"]), "loop: MAIL was sent")
        # 11. remote_tls = verify: a self-signed peer is a 4.7.5 deferral,
        # and so is a peer without STARTTLS.
        write_conf(confdir, routes, tls="verify")
        lines = run_remote(confdir, "tls.test", ["x@tls.test"], MSG)
        expect_records("verify", lines, [
            r"r0 Z 4\.7\.5 TLS handshake with " + PEER + r" failed: .*",
            r"s Z .*"])
        lines = run_remote(confdir, "accept.test", ["x@accept.test"], MSG)
        expect_records("verify-none", lines, [
            r"r0 Z 4\.7\.5 " + PEER + r" does not offer STARTTLS "
            r"\(remote_tls = verify\)", r"s Z .*"])
        # 12. remote_tls = none: STARTTLS offered but not used.
        write_conf(confdir, routes, tls="none")
        n = len(sinks["tls"].sessions)
        lines = run_remote(confdir, "tls.test", ["x@tls.test"], MSG)
        expect_records("tls-none", lines, [r"r0 K 2\.0\.0 .*", r"s K .*"])
        check(all("STARTTLS" not in s["cmds"]
                  for s in sinks["tls"].sessions[n:]), "tls-none: STARTTLS")
    finally:
        for k in sinks.values():
            k.close()


def mx_cases(tmp):
    if os.geteuid() != 0:
        print("SKIP (part): MX cases need port 25 on %s (root)" % MX_IP)
        return
    try:
        sink = Sink("accept", host=MX_IP, port=25)
    except OSError as e:
        print("SKIP (part): cannot listen on %s:25: %s" % (MX_IP, e))
        return
    try:
        busy = Sink("rcpt450", host=BUSY_IP, port=25)
    except OSError as e:
        sink.close()
        print("SKIP (part): cannot listen on %s:25: %s" % (BUSY_IP, e))
        return
    a = socket.inet_aton(MX_IP)
    zone = {
        # first MX refuses connections (nothing on DEAD_IP:25)
        ("fallback.test", 15): [mx_rdata(10, "dead.fallback.test"),
                                mx_rdata(20, "mail.mx.test")],
        ("dead.fallback.test", 1): [socket.inet_aton(DEAD_IP)],
        # first MX defers every recipient: the next one gets them
        ("busy.test", 15): [mx_rdata(10, "busy.busy.test"),
                            mx_rdata(20, "mail.mx.test")],
        ("busy.busy.test", 1): [socket.inet_aton(BUSY_IP)],
        ("mx.test", 15): [mx_rdata(20, "backup.mx.test"),
                          mx_rdata(10, "mail.mx.test")],
        ("mail.mx.test", 1): [a],
        # The backup MX has no address: skipped, never reached anyway.
        ("implicit.test", 1): [a],
        ("nullmx.test", 15): [mx_rdata(0, ".")],
        ("noaddr.test", 15): [mx_rdata(10, "nowhere.noaddr.test")],
    }
    dns = Dns(zone)
    confdir = os.path.join(tmp, "etc-mx")
    os.makedirs(confdir)
    # routes by name with dns_nameserver set: A/AAAA from that server
    write_conf(confdir, ["routed.test=mail.mx.test",
                         "badroute.test=nxdomain.test:2525"], dns_port=dns.port)
    try:
        lines = run_remote(confdir, "mx.test", ["x@mx.test", "y@mx.test"], MSG)
        ok = r"r%d K 2\.0\.0 mail\.mx\.test\[" + MXRE + r"\] said: 250 2\.0\.0 " \
            r"Ok: queued as SINK1 \(in reply to end of DATA\)"
        expect_records("mx", lines, [ok % 0, ok % 1, r"s K .*"])
        check(("mx.test", 15) in dns.queries, "mx: no MX query")
        lines = run_remote(confdir, "routed.test", ["x@routed.test"], MSG)
        expect_records("routed", lines, [
            r"r0 K 2\.0\.0 mail\.mx\.test\[" + MXRE + r"\] said: 250 .*",
            r"s K .*"])
        check(("routed.test", 15) not in dns.queries, "routed: MX query")
        lines = run_remote(confdir, "badroute.test", ["x@badroute.test"], MSG)
        expect_records("badroute", lines, [
            r"r0 Z 4\.4\.3 DNS A lookup of nxdomain\.test: host or domain "
            r"not found \(NXDOMAIN\)", r"s Z .*"])
        lines = run_remote(confdir, "fallback.test", ["x@fallback.test"], MSG)
        expect_records("fallback", lines, [
            r"r0 K 2\.0\.0 mail\.mx\.test\[" + MXRE + r"\] said: 250 .*",
            r"s K .*"])
        lines = run_remote(confdir, "busy.test", ["x@busy.test"], MSG)
        expect_records("busy", lines, [
            r"r0 K 2\.0\.0 mail\.mx\.test\[" + MXRE + r"\] said: 250 .*",
            r"s K .*"])
        check(len(busy.sessions) == 1 and "RCPT TO:<x@busy.test>" in
              busy.sessions[0]["cmds"], "busy: first MX not tried")
        lines = run_remote(confdir, "implicit.test", ["x@implicit.test"], MSG)
        expect_records("implicit", lines, [
            r"r0 K 2\.0\.0 implicit\.test\[" + MXRE + r"\] said: 250 .*",
            r"s K .*"])
        lines = run_remote(confdir, "nxdomain.test", ["x@nxdomain.test"], MSG)
        expect_records("nxdomain", lines, [
            r"r0 D 5\.1\.2 DNS MX lookup of nxdomain\.test: host or domain "
            r"not found \(NXDOMAIN\)", r"s D .*"])
        lines = run_remote(confdir, "nullmx.test", ["x@nullmx.test"], MSG)
        expect_records("nullmx", lines, [
            r"r0 D 5\.1\.10 DNS MX lookup of nullmx\.test: domain does not "
            r"accept mail \(null MX, RFC 7505\)", r"s D .*"])
        lines = run_remote(confdir, "servfail.test", ["x@servfail.test"], MSG)
        expect_records("servfail", lines, [
            r"r0 Z 4\.4\.3 DNS MX lookup of servfail\.test: .*", r"s Z .*"])
        lines = run_remote(confdir, "noaddr.test", ["x@noaddr.test"], MSG)
        expect_records("noaddr", lines, [
            r"r0 D 5\.4\.4 MX host nowhere\.noaddr\.test has no A or AAAA "
            r"record", r"s D .*"])
        lines = run_remote(confdir, "nothing.test", ["x@nothing.test"], MSG)
        expect_records("nothing", lines, [
            r"r0 D 5\.1\.2 no MX, A or AAAA record for nothing\.test",
            r"s D .*"])
        # The name server may be an IPv6 address (glibc keeps those apart).
        try:
            dns6 = Dns(zone, host="::1")
        except OSError as e:
            print("SKIP (part): no ::1 for the IPv6 name server: %s" % e)
            dns6 = None
        if dns6 is not None:
            try:
                write_conf(confdir, [], dns_port=dns6.port, dns_host="::1")
                lines = run_remote(confdir, "mx.test", ["x@mx.test"], MSG)
                expect_records("mx-dns6", lines, [
                    r"r0 K 2\.0\.0 mail\.mx\.test\[" + MXRE + r"\] .*",
                    r"s K .*"])
                check(("mx.test", 15) in dns6.queries, "dns6: no MX query")
            finally:
                dns6.close()
    finally:
        sink.close()
        busy.close()
        dns.close()


def self_mx_cases(tmp):
    """MX hosts that are this host (RFC 5321 5.1): no port 25 needed, as
    nothing may be connected to. 127.0.0.1 is lo's address (getifaddrs)."""
    zone = {
        ("self.test", 15): [mx_rdata(10, "mail.self.test")],
        ("mail.self.test", 1): [socket.inet_aton("127.0.0.1")],
        ("zero.test", 1): [socket.inet_aton("0.0.0.0")],
        # we are the backup MX: only the better one may be tried
        ("backup.test", 15): [mx_rdata(10, "dead.backup.test"),
                              mx_rdata(20, "mail.self.test")],
        ("dead.backup.test", 1): [socket.inet_aton(DEAD_IP)],
        # we share the best preference: no better host, a loop
        ("equal.test", 15): [mx_rdata(10, "dead.backup.test"),
                             mx_rdata(10, "mail.self.test")],
    }
    dns = Dns(zone)
    confdir = os.path.join(tmp, "etc-self")
    os.makedirs(confdir)
    write_conf(confdir, [], dns_port=dns.port)
    try:
        lines = run_remote(confdir, "self.test", ["x@self.test"], MSG)
        expect_records("self-mx", lines, [
            r"r0 D 5\.4\.6 mail for self\.test loops back to myself \(mail "
            r"host mail\.self\.test is this host\)", r"s D .*"])
        lines = run_remote(confdir, "zero.test", ["x@zero.test"], MSG)
        expect_records("self-zero", lines, [
            r"r0 D 5\.4\.6 mail for zero\.test loops back to myself \(mail "
            r"host zero\.test is this host\)", r"s D .*"])
        for i in range(4):      # equal preferences come in random order
            lines = run_remote(confdir, "equal.test", ["x@equal.test"], MSG)
            expect_records("self-equal", lines, [
                r"r0 D 5\.4\.6 mail for equal\.test loops back to myself "
                r"\(mail host mail\.self\.test is this host\)", r"s D .*"])
        lines = run_remote(confdir, "backup.test", ["x@backup.test"], MSG)
        expect_records("self-backup", lines, [
            r"r0 Z 4\.4\.1 connect to dead\.backup\.test\[%s\]:25: .*"
            % re.escape(DEAD_IP), r"s Z .*"])
    finally:
        dns.close()


def main():
    if not os.access(os.path.join(BUILD, "quail-remote"), os.X_OK):
        print("SKIP: %s/quail-remote not built" % BUILD)
        return SKIP
    if shutil.which("openssl") is None:
        print("SKIP: openssl not installed")
        return SKIP
    os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1")
    tmp = tempfile.mkdtemp(prefix="quail-remote.", dir="/tmp")
    os.chmod(tmp, 0o755)
    try:
        route_cases(tmp)
        self_mx_cases(tmp)
        mx_cases(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
