#!/usr/bin/env python3
"""End to end with Python's smtplib against a real instance under xinetd:
the lab handout's message, one message to several recipients (To, Cc and
a Bcc-only envelope recipient), an 8-bit body, a message to an alias,
an unknown user (550), and relaying to a remote domain (accepted from
127.0.0.1; its MX is routed to a closed port, so it stays in the queue,
deferred: neither delivered locally nor lost).
Every delivered file is compared byte for byte with what was sent."""
import glob
import os
import smtplib
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quailtest import (Instance, TestFailure, check, check_delivery,  # noqa: E402
                       free_port,
                       main_wrapper, maildir_files, wait_for, wait_maildir,
                       SEED_MESSAGE)

MYUSER = "myuser@mycompany.com"
ME = "me@mycompany.com"
DELIVERY_SECS = 10
QUEUE_SECS = 10


def smtp(inst):
    s = smtplib.SMTP("127.0.0.1", inst.smtp_port, local_hostname="client.example", timeout=20)
    code, _ = s.ehlo()
    check(code == 250, "EHLO %d" % code)
    return s


def run(inst):
    my_md, me_md = inst.maildir(MYUSER), inst.maildir(ME)

    # 1. The handout's message.
    with smtp(inst) as s:
        refused = s.sendmail(ME, [MYUSER], SEED_MESSAGE)
        check(refused == {}, "refused %r" % refused)
    [got] = wait_maildir(my_md, 1, DELIVERY_SECS)
    check_delivery(got, ME, MYUSER, SEED_MESSAGE)

    # 2. Several recipients: To myuser, Cc postmaster, Bcc me (envelope only).
    multi = (b"From: Me <me@mycompany.com>\r\n"
             b"To: My User <myuser@mycompany.com>\r\n"
             b"Cc: postmaster@mycompany.com\r\n"
             b"Subject: several recipients\r\n"
             b"Message-ID: <multi.1@client.example>\r\n"
             b"\r\n"
             b"one copy per recipient\r\n"
             b".leading dot, stuffed on the wire\r\n"
             b"..two dots\r\n"
             b"trailing blanks   \r\n"
             b"\r\n"
             b"last line without anything special\r\n")
    with smtp(inst) as s:
        refused = s.sendmail(ME, [MYUSER, "postmaster@mycompany.com", ME], multi)
        check(refused == {}, "refused %r" % refused)
    # myuser: its own copy and the one via the postmaster alias.
    got_my = wait_maildir(my_md, 3, DELIVERY_SECS)
    got_me = wait_maildir(me_md, 1, DELIVERY_SECS)
    check(len(got_me) == 1, "me has %d messages, want 1" % len(got_me))
    check_delivery(got_me[0], ME, ME, multi)
    new_my = [g for g in got_my if g != got]
    check(len(new_my) == 2, "myuser has %d new messages, want 2" % len(new_my))
    direct = [g for g in new_my if b"Delivered-To: postmaster" not in g]
    via_alias = [g for g in new_my if b"Delivered-To: postmaster" in g]
    check(len(direct) == 1 and len(via_alias) == 1,
          "want one direct and one alias copy, got %d/%d" % (len(direct), len(via_alias)))
    check_delivery(direct[0], ME, MYUSER, multi)
    check_delivery(via_alias[0], ME, MYUSER, multi,
                   extra_delivered_to=("postmaster@mycompany.com",))

    # 3. 8-bit body (UTF-8 and a lone Latin-1 byte), BODY=8BITMIME.
    eight = (b"From: me@mycompany.com\r\n"
             b"To: me@mycompany.com\r\n"
             b"Subject: 8bit\r\n"
             b"MIME-Version: 1.0\r\n"
             b"Content-Type: text/plain; charset=utf-8\r\n"
             b"Content-Transfer-Encoding: 8bit\r\n"
             b"\r\n"
             b"Gr\xc3\xbc\xc3\x9fe, \xe2\x82\xac 5, caf\xe9\r\n"
             b"\xff\xfe\x80 raw high bytes\r\n")
    with smtp(inst) as s:
        check(s.has_extn("8bitmime"), "no 8BITMIME in EHLO")
        refused = s.sendmail(ME, [ME], eight, mail_options=["BODY=8BITMIME"])
        check(refused == {}, "refused %r" % refused)
    got_me = wait_maildir(me_md, 2, DELIVERY_SECS)
    new_me = [g for g in got_me if b"Subject: 8bit" in g]
    check(len(new_me) == 1, "8bit message not delivered once")
    check_delivery(new_me[0], ME, ME, eight)

    # 4. Unknown local user: 550 at RCPT time, the session goes on.
    with smtp(inst) as s:
        code, _ = s.mail(ME)
        check(code == 250, "MAIL %d" % code)
        code, msg = s.rcpt("nosuchuser@mycompany.com")
        check(code == 550, "unknown user: want 550, got %d %r" % (code, msg))
        check(msg.startswith(b"5.1.1"), "unknown user: want 5.1.1, got %r" % msg)
        code, _ = s.rcpt(MYUSER)
        check(code == 250, "RCPT after a 550: %d" % code)
        s.rset()

    # 5. Relay from 127.0.0.1 (a relay network) to a remote domain: accepted,
    #    deferred by quail-remote (closed port), kept in the queue.
    marker = b"relay-marker-%d" % os.getpid()
    relay = (b"From: me@mycompany.com\r\nTo: someone@example.org\r\n"
             b"Subject: relay\r\n\r\n" + marker + b"\r\n")
    before_my, before_me = len(maildir_files(my_md)), len(maildir_files(me_md))
    with smtp(inst) as s:
        refused = s.sendmail(ME, ["someone@example.org"], relay)
        check(refused == {}, "relay refused %r" % refused)
    queue = os.path.join(inst.dir, "queue")

    def queued():
        for p in glob.glob(os.path.join(queue, "mess", "*")):
            try:
                with open(p, "rb") as f:
                    if marker in f.read():
                        return p
            except FileNotFoundError:
                pass
        return None
    path = queued()
    check(path is not None, "relayed message not in %s/mess" % queue)
    qid = os.path.basename(path)
    # quail-send has decided about it once it logs the deferral.
    def send_lines():
        return [l for l in inst.log_text().splitlines()
                if "quail-send[" in l and qid in l]
    wait_for(lambda: any("to=<someone@example.org> status=deferred" in l
                         for l in send_lines()), QUEUE_SECS,
             "a quail-send deferral line about %s" % qid)
    check(os.path.exists(path), "relayed message %s left the queue" % qid)
    check(not any("removed" in l for l in send_lines()),
          "relayed message %s removed: %r" % (qid, send_lines()))
    check(len(maildir_files(my_md)) == before_my and len(maildir_files(me_md)) == before_me,
          "relayed message was delivered locally")


def main():
    closed = free_port()    # nobody listens there: example.org's "MX"
    with Instance(conf=["smtp_routes = example.org=[127.0.0.1]:%d" % closed]) as inst:
        try:
            run(inst)
        except (TestFailure, OSError, smtplib.SMTPException):
            inst.dump_logs()
            raise


if __name__ == "__main__":
    def test():
        try:
            main()
        except (OSError, smtplib.SMTPException) as e:
            raise TestFailure("%s: %s" % (type(e).__name__, e))
    main_wrapper(test)
