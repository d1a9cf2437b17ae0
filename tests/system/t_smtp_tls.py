#!/usr/bin/env python3
"""TLS and AUTH of quail-smtpd against a real instance under xinetd, with
smtp (25), submission (-s, 587) and smtps (-s -t, 465) ports, and
plaintext_auth_networks set to a network the test client is NOT in, as
on a production server:

  - openssl s_client -starttls smtp (certificate verified against the
    instance's certificate for mail.mycompany.com) and s_client on the
    implicit-TLS port; EHLO under TLS offers AUTH and no STARTTLS;
  - TLS 1.0 and 1.1 refused, by s_client and by python ssl, on both the
    STARTTLS and the implicit-TLS port; TLS 1.2 gets an ECDHE AEAD suite;
  - STARTTLS injection: "STARTTLS\\r\\nNOOP\\r\\n" in one write, the NOOP
    is never answered;
  - AUTH without TLS: not offered, 538; submission without AUTH: 530;
  - AUTH PLAIN and LOGIN over STARTTLS on the submission port and over
    implicit TLS, a wrong password (535), relaying after AUTH on port 25,
    and the delivered message: Received with ESMTPSA, the TLS version and
    the user, Date: and Message-ID: added by submission;
  - the log has the AUTH results with the client address, never the
    password.
"""
import base64
import os
import smtplib
import socket
import ssl
import subprocess
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quailtest import (CERT_NAME, IO_TIMEOUT_SECS, Instance,  # noqa: E402
                       LineConn, TestFailure, check, main_wrapper,
                       wait_maildir)

USER = "myuser@mycompany.com"
PASSWORD = "mypassword"
ME = "me@mycompany.com"
DELIVERY_SECS = 15
S_CLIENT_SECS = 30


def s_client(args, stdin_text):
    """Runs openssl s_client; returns (exit code, stdout+stderr)."""
    try:
        r = subprocess.run(["openssl", "s_client"] + args,
                           input=stdin_text.encode(), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=S_CLIENT_SECS)
    except subprocess.TimeoutExpired:
        raise TestFailure("openssl s_client %s timed out" % " ".join(args))
    return r.returncode, r.stdout.decode("utf-8", "replace")


def ctx_verified(inst, maximum=None):
    ctx = ssl.create_default_context(cafile=inst.cert)
    if maximum is not None:
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        with warnings.catch_warnings():
            # TLS 1.0/1.1 are deprecated: that is the point.
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.maximum_version = maximum
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    return ctx


def test_s_client(inst, ports):
    # STARTTLS on port 25, the certificate verified for its name.
    rc, out = s_client(["-starttls", "smtp", "-connect",
                        "127.0.0.1:%d" % ports["smtp"], "-CAfile", inst.cert,
                        "-verify_return_error", "-verify_hostname", CERT_NAME,
                        "-crlf", "-ign_eof"],
                       "EHLO sclient.example\nQUIT\n")
    check(rc == 0, "s_client -starttls smtp failed (%d):\n%s" % (rc, out))
    check("Verify return code: 0 (ok)" in out, "certificate not verified:\n" + out)
    check("250-AUTH PLAIN LOGIN" in out, "no AUTH under TLS:\n" + out)
    check("221 2.0.0" in out, "no 221 after QUIT:\n" + out)
    after = out.split("Verify return code", 1)[1]
    check("STARTTLS" not in after, "STARTTLS offered under TLS:\n" + out)
    # Implicit TLS.
    rc, out = s_client(["-connect", "127.0.0.1:%d" % ports["smtps"],
                        "-CAfile", inst.cert, "-verify_return_error",
                        "-verify_hostname", CERT_NAME, "-crlf", "-ign_eof"],
                       "EHLO sclient.example\nQUIT\n")
    check(rc == 0, "s_client on the smtps port failed (%d):\n%s" % (rc, out))
    check("220 mail.mycompany.com" in out, "no greeting under TLS:\n" + out)
    check("250-AUTH PLAIN LOGIN" in out, "no AUTH on smtps:\n" + out)
    # TLS 1.0 and 1.1 are refused (the client's own security level is
    # lowered so that it offers them at all).
    for ver in ("-tls1", "-tls1_1"):
        for args in (["-starttls", "smtp", "-connect", "127.0.0.1:%d" % ports["smtp"]],
                     ["-connect", "127.0.0.1:%d" % ports["smtps"]]):
            rc, out = s_client(args + [ver, "-cipher", "DEFAULT:@SECLEVEL=0",
                                       "-ign_eof"], "QUIT\n")
            check(rc != 0 and "221 " not in out,
                  "s_client %s %s succeeded:\n%s" % (" ".join(args), ver, out))


def starttls_socket(port, ctx):
    """Plain connect, EHLO, STARTTLS; returns a LineConn over TLS."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_SECS)
    c = LineConn(raw)
    code, lines = c.smtp_reply()
    check(code == 220, "greeting %r" % lines)
    c.send("EHLO client.example")
    code, lines = c.smtp_reply()
    check(code == 250, "EHLO %r" % lines)
    c.send("STARTTLS")
    code, lines = c.smtp_reply()
    check(code == 220 and lines[0] == "220 2.0.0 Ready to start TLS",
          "STARTTLS %r" % lines)
    return LineConn(ctx.wrap_socket(raw, server_hostname=CERT_NAME))


def test_python_versions(inst, ports):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)
    for maximum in old:
        try:
            starttls_socket(ports["smtp"], ctx_verified(inst, maximum))
        except ssl.SSLError:
            pass
        else:
            raise TestFailure("STARTTLS with %s succeeded" % maximum)
        raw = socket.create_connection(("127.0.0.1", ports["smtps"]),
                                       timeout=IO_TIMEOUT_SECS)
        try:
            ctx_verified(inst, maximum).wrap_socket(raw, server_hostname=CERT_NAME)
        except ssl.SSLError:
            pass
        else:
            raise TestFailure("implicit TLS with %s succeeded" % maximum)
        finally:
            raw.close()
    # TLS 1.2: an ECDHE suite with AEAD.
    ctx = ctx_verified(inst)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    c = starttls_socket(ports["smtp"], ctx)
    version, cipher = c.sock.version(), c.sock.cipher()[0]
    check(version == "TLSv1.2", "version %s" % version)
    check(cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher),
          "TLS 1.2 cipher %s" % cipher)
    c.send("QUIT")
    c.smtp_reply()
    c.sock.close()
    # TLS 1.3 by default.
    c = starttls_socket(ports["submission"], ctx_verified(inst))
    check(c.sock.version() == "TLSv1.3", "default version %s" % c.sock.version())
    c.sock.close()


def test_injection(inst, ports):
    raw = socket.create_connection(("127.0.0.1", ports["smtp"]), timeout=IO_TIMEOUT_SECS)
    c = LineConn(raw)
    check(c.smtp_reply()[0] == 220, "greeting")
    c.send("EHLO client.example")
    check(c.smtp_reply()[0] == 250, "EHLO")
    raw.sendall(b"STARTTLS\r\nNOOP\r\n")
    code, lines = c.smtp_reply()
    check(code == 220, "STARTTLS %r" % lines)
    check(not c.buf, "plaintext after the 220: %r" % c.buf)
    t = LineConn(ctx_verified(inst).wrap_socket(raw, server_hostname=CERT_NAME))
    t.send("EHLO again.example")
    code, lines = t.smtp_reply()
    check(code == 250 and lines[0].startswith("250-mail.mycompany.com"),
          "the first reply under TLS is not the EHLO's (injected NOOP ran?): %r"
          % lines)
    t.send("QUIT")
    code, lines = t.smtp_reply()
    check(code == 221, "QUIT %r" % lines)
    t.sock.close()


def test_plaintext_rules(ports):
    # No AUTH without TLS from outside plaintext_auth_networks.
    with smtplib.SMTP("127.0.0.1", ports["submission"], timeout=IO_TIMEOUT_SECS) as s:
        s.ehlo("client.example")
        check(not s.has_extn("auth"), "AUTH offered without TLS")
        check(s.has_extn("starttls"), "STARTTLS not offered")
        code, msg = s.docmd("AUTH", "PLAIN " + base64.b64encode(
            b"\0" + USER.encode() + b"\0" + PASSWORD.encode()).decode())
        check(code == 538, "AUTH without TLS: %d %r" % (code, msg))
        code, msg = s.docmd("MAIL", "FROM:<%s>" % USER)
        check(code == 530 and msg.startswith(b"5.7.0"),
              "submission MAIL without AUTH: %d %r" % (code, msg))


def check_delivered(data, proto_word, tls_version, added):
    head = data.split(b"\n\n", 1)[0].decode("utf-8", "replace")
    check(" with %s id " % proto_word in head, "Received lacks %s:\n%s" % (proto_word, head))
    check("(using %s with cipher " % tls_version in head, "no TLS info:\n" + head)
    check("(authenticated as %s)" % USER in head, "no auth user:\n" + head)
    if added:
        check("\nDate: " in head, "submission did not add Date:\n" + head)
        check("\nMessage-ID: <" in head and "@mail.mycompany.com>" in head,
              "submission did not add Message-ID:\n" + head)


def test_auth(inst, ports):
    md = inst.maildir(ME)
    ctx = ctx_verified(inst)
    body = "From: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n\r\nhello\r\n"
    # Submission with STARTTLS and AUTH PLAIN: smtplib's usual way.
    with smtplib.SMTP("127.0.0.1", ports["submission"], timeout=IO_TIMEOUT_SECS) as s:
        s.ehlo("client.example")
        s.starttls(context=ctx)
        s.ehlo("client.example")
        check(s.has_extn("auth") and "PLAIN" in s.esmtp_features["auth"].upper(),
              "AUTH PLAIN not offered under TLS: %r" % s.esmtp_features)
        try:
            s.login(USER, "wrong-password")
        except smtplib.SMTPAuthenticationError as e:
            check(e.smtp_code == 535, "wrong password: %r" % e)
        else:
            raise TestFailure("wrong password accepted")
        s.login(USER, PASSWORD)
        s.sendmail(USER, [ME], body % (USER, ME, "submission plain"))
    [got] = wait_maildir(md, 1, DELIVERY_SECS)
    check_delivered(got, "ESMTPSA", "TLSv1.3", True)
    # AUTH LOGIN over implicit TLS.
    with smtplib.SMTP_SSL("127.0.0.1", ports["smtps"], context=ctx,
                          timeout=IO_TIMEOUT_SECS) as s:
        s.ehlo("client.example")
        s.user, s.password = USER, PASSWORD
        code, msg = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
        check(code == 235, "AUTH LOGIN %d %r" % (code, msg))
        s.sendmail(USER, [ME], body % (USER, ME, "smtps login"))
    got = wait_maildir(md, 2, DELIVERY_SECS)
    check_delivered(got[1] if b"smtps login" in got[1] else got[0],
                    "ESMTPSA", "TLSv1.3", False)
    # Port 25 from a client outside relay_networks would need AUTH to
    # relay; from here (in relay_networks) check that an authenticated
    # session is recorded as such.
    with smtplib.SMTP("127.0.0.1", ports["smtp"], timeout=IO_TIMEOUT_SECS) as s:
        s.starttls(context=ctx)
        s.login(USER, PASSWORD)
        refused = s.sendmail(USER, ["someone@example.org"],
                             body % (USER, "someone@example.org", "relayed"))
        check(refused == {}, "relay after AUTH refused: %r" % refused)


def test_log(inst):
    log = inst.log_text()
    check("auth ok: user=%s mech=PLAIN client=" % USER in log, "no auth ok line")
    check("auth ok: user=%s mech=LOGIN client=" % USER in log, "no LOGIN auth line")
    check("auth failed: user=%s mech=PLAIN client=" % USER in log and "127.0.0.1" in log,
          "no auth failed line with the client")
    check(PASSWORD not in log and "wrong-password" not in log, "a password is in the log")
    check("TLS established with" in log, "no TLS line in the log")


def main():
    with Instance(conf=["plaintext_auth_networks = 192.0.2.0/24",
                        "auth_fail_delay = 0"],
                  submission=0, smtps=0) as inst:
        ports = inst.configured()
        for name in ("smtp", "submission", "smtps"):
            check(name in ports, "service %s not configured: %r" % (name, ports))
        try:
            test_s_client(inst, ports)
            test_python_versions(inst, ports)
            test_injection(inst, ports)
            test_plaintext_rules(ports)
            test_auth(inst, ports)
            test_log(inst)
        except (TestFailure, OSError, smtplib.SMTPException, ssl.SSLError):
            inst.dump_logs()
            raise


if __name__ == "__main__":
    def test():
        try:
            main()
        except (OSError, smtplib.SMTPException, ssl.SSLError) as e:
            raise TestFailure("%s: %s" % (type(e).__name__, e))
    main_wrapper(test)
