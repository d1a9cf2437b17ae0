#!/usr/bin/env python3
"""t_imap_tls.py -- TLS of quail-imapd under real xinetd, with an instance
whose plaintext_auth_networks does not include loopback (so logins need
TLS):
  - before STARTTLS: CAPABILITY has STARTTLS and LOGINDISABLED and no
    AUTH=PLAIN; LOGIN and AUTHENTICATE PLAIN are refused (tagged NO or BAD,
    never OK);
  - STARTTLS on the imap port (python ssl, no certificate check): after it
    CAPABILITY has AUTH=PLAIN, no LOGINDISABLED, no STARTTLS; AUTHENTICATE
    PLAIN (SASL-IR, and with a continuation) and LOGIN work; a second
    STARTTLS is refused;
  - implicit TLS on the imaps port: greeting under TLS, LOGIN, SELECT;
  - STARTTLS injection: "STARTTLS\\r\\nCAPABILITY\\r\\n" in one write: the
    CAPABILITY is never answered (no byte after the STARTTLS OK, nothing
    after the handshake but the answer to our next command);
  - TLS 1.0 and 1.1 are refused on both ports (the client's security level
    lowered so that it offers them); TLS 1.2 and 1.3 work.
Exit 0 pass, 1 fail, 77 skip.
"""
import base64
import os
import ssl
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quailtest as qt  # noqa: E402
from quailtest import check  # noqa: E402

USER = qt.IMAP_USER
PASSWORD = qt.IMAP_PASSWORD


def ctx_any(maximum=None, minimum=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if minimum is not None:
            ctx.minimum_version = minimum
        if maximum is not None:
            ctx.maximum_version = maximum
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    return ctx


def caps_of(c):
    u, _ = c.cmd("CAPABILITY")
    lines = [x for x in u if x.upper().startswith(b"* CAPABILITY ")]
    check(len(lines) == 1, "CAPABILITY: %r" % u)
    return lines[0].decode().upper().split()[2:]


def plain_ir():
    return base64.b64encode(("\0%s\0%s" % (USER, PASSWORD)).encode()).decode()


def starttls(c, ctx):
    _, t = c.cmd("STARTTLS")
    check(not c.buf, "bytes after the STARTTLS OK: %r" % c.buf)
    c.sock = ctx.wrap_socket(c.sock, server_hostname=qt.CERT_NAME)
    return c.sock.version()


def run(inst):
    ports = inst.configured()
    check("imap" in ports and "imaps" in ports, "services: %r" % ports)
    port, tport = ports["imap"], ports["imaps"]
    ctx = ctx_any(minimum=ssl.TLSVersion.TLSv1_2)

    # Before TLS: no plaintext login.
    c = qt.Imap(port)
    check(c.greeting.startswith(b"* OK"), "greeting %r" % c.greeting)
    caps = caps_of(c)
    check("STARTTLS" in caps and "LOGINDISABLED" in caps and "AUTH=PLAIN" not in caps,
          "CAPABILITY before TLS (plaintext not allowed): %r" % caps)
    _, t = c.cmd('LOGIN "%s" "%s"' % (USER, PASSWORD), ok=None)
    check(t.split()[1] in (b"NO", b"BAD"), "LOGIN without TLS: %r" % t)
    _, t = c.cmd("AUTHENTICATE PLAIN " + plain_ir(), ok=None)
    check(t.split()[1] in (b"NO", b"BAD"), "AUTHENTICATE PLAIN without TLS: %r" % t)
    _, t = c.cmd("SELECT INBOX", ok=None)
    check(t.split()[1] in (b"NO", b"BAD"), "SELECT before login: %r" % t)

    # STARTTLS, then login works
    ver = starttls(c, ctx)
    check(ver in ("TLSv1.2", "TLSv1.3"), "TLS version %r" % ver)
    caps = caps_of(c)
    check("AUTH=PLAIN" in caps and "LOGINDISABLED" not in caps and "STARTTLS" not in caps,
          "CAPABILITY after STARTTLS: %r" % caps)
    _, t = c.cmd("STARTTLS", ok=None)
    check(t.split()[1] in (b"NO", b"BAD"), "second STARTTLS: %r" % t)
    _, t = c.cmd("AUTHENTICATE PLAIN " + base64.b64encode(
        ("\0%s\0wrong" % USER).encode()).decode(), ok="NO")
    check(b"[AUTHENTICATIONFAILED]" in t, "wrong password: %r" % t)
    # AUTHENTICATE with a continuation ("+ "), not SASL-IR
    tag = c.tag()
    c.send("%s AUTHENTICATE PLAIN\r\n" % tag)
    r = c.response()
    check(r.startswith(b"+"), "AUTHENTICATE PLAIN: %r" % r)
    c.send(plain_ir() + "\r\n")
    r, _ = c.wait_untagged(lambda x: x.startswith(tag.encode() + b" "), 20)
    check(r.startswith(tag.encode() + b" OK"), "AUTHENTICATE PLAIN under TLS: %r" % r)
    u, _ = c.cmd("SELECT INBOX")
    check(any(x.endswith(b" EXISTS") for x in u), "SELECT over STARTTLS: %r" % u)
    c.cmd("LOGOUT")
    c.close()

    # SASL-IR on a new STARTTLS connection; LOGIN as well
    for how in ("ir", "login"):
        c = qt.Imap(port)
        starttls(c, ctx)
        if how == "ir":
            c.cmd("AUTHENTICATE PLAIN " + plain_ir())
        else:
            c.login()
        c.cmd("LOGOUT")
        c.close()

    # Implicit TLS
    c = qt.Imap(tport, tls=ctx)
    check(c.greeting.startswith(b"* OK"), "imaps greeting %r" % c.greeting)
    check(c.sock.version() in ("TLSv1.2", "TLSv1.3"), "imaps version %r" % c.sock.version())
    caps = caps_of(c)
    check("STARTTLS" not in caps and "LOGINDISABLED" not in caps and "AUTH=PLAIN" in caps,
          "CAPABILITY on imaps: %r" % caps)
    c.login()
    c.cmd("SELECT INBOX")
    c.cmd("LOGOUT")
    c.close()

    # STARTTLS injection
    c = qt.Imap(port)
    raw = c.sock
    raw.sendall(b"a1 STARTTLS\r\na2 CAPABILITY\r\n")
    r = c.response()
    check(r.startswith(b"a1 OK"), "STARTTLS reply %r" % r)
    check(not c.buf, "bytes after the STARTTLS OK: %r" % c.buf)
    c.sock = ctx.wrap_socket(raw, server_hostname=qt.CERT_NAME)
    c.send("a3 NOOP\r\n")
    r = c.response()
    check(r.startswith(b"a3 OK"), "after STARTTLS injection, got %r (a2 was run?)" % r)
    c.send("a4 LOGOUT\r\n")
    r, seen = c.wait_untagged(lambda x: x.startswith(b"a4 "), 10)
    check(not any(x.startswith(b"a2") or b"CAPABILITY" in x for x in seen),
          "the injected command was answered: %r" % seen)
    c.close()

    # Old TLS versions are refused, on both ports
    for maximum in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        old = ctx_any(maximum=maximum, minimum=ssl.TLSVersion.MINIMUM_SUPPORTED)
        for p, implicit in ((port, False), (tport, True)):
            try:
                if implicit:
                    c = qt.Imap(p, tls=old)
                else:
                    c = qt.Imap(p)
                    starttls(c, old)
                    c.cmd("NOOP")
            except (ssl.SSLError, ConnectionResetError, BrokenPipeError, qt.TestFailure):
                continue
            else:
                raise qt.TestFailure("%s accepted on port %d (%s)"
                                     % (maximum.name, p, "imaps" if implicit else "STARTTLS"))
    for v in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        c = qt.Imap(tport, tls=ctx_any(maximum=v, minimum=v))
        check(c.sock.version() == v.name.replace("_", ".").replace("TLSv1.", "TLSv1."),
              "version %r, want %s" % (c.sock.version(), v.name))
        c.cmd("LOGOUT")
        c.close()
    print("PASS t_imap_tls")
    return 0


def main():
    try:
        # Plaintext logins only from a network the test is not on.
        with qt.imap_instance(conf=["plaintext_auth_networks = 192.0.2.0/24"]) as inst:
            try:
                return run(inst)
            except (qt.TestFailure, OSError) as e:
                print("FAIL: %s: %s" % (type(e).__name__, e))
                inst.dump_logs()
                return 1
    except qt.TestFailure as e:
        print("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
