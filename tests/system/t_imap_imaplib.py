#!/usr/bin/env python3
"""t_imap_imaplib.py -- quail-imapd under real xinetd, end to end with
python's imaplib: mail sent by SMTP (smtplib -> quail-smtpd -> quail-send
-> the Maildir) is read back by IMAP:
  - LOGIN, CAPABILITY, LIST (INBOX Sent Drafts Trash Junk, the special-use
    attributes, LIST (SPECIAL-USE)), SELECT (UIDVALIDITY, UIDNEXT, FLAGS);
  - FETCH BODY.PEEK[] (the stored file with CRLF line ends), RFC822.SIZE
    (= len(BODY[])), ENVELOPE, BODYSTRUCTURE (plain and multipart), FLAGS;
    BODY.PEEK does not set \\Seen;
  - STORE +FLAGS \\Seen and keywords; SEARCH FROM, SUBJECT, TEXT, UNSEEN;
  - APPEND to Sent with flags and a date (APPENDUID, INTERNALDATE, FLAGS);
    COPY (COPYUID) and MOVE to Trash; EXPUNGE; CLOSE (expunges silently);
    STATUS; CREATE/RENAME/DELETE; SUBSCRIBE/LSUB/UNSUBSCRIBE;
  - IDLE over imaplib's socket: a message sent by SMTP is announced;
  - UIDs and UIDVALIDITY are unchanged across reconnects and after new
    deliveries, and quail-pop3d's UIDL of the same message is
    "%08X%08X" % (uid, uidvalidity) (HACKING.md: the shared UID list).
Exit 0 pass, 1 fail, 77 skip.
"""
import email.utils
import imaplib
import os
import poplib
import re
import smtplib
import socket
import sys
import time
from email.message import EmailMessage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quailtest as qt  # noqa: E402
from quailtest import check  # noqa: E402

USER = qt.IMAP_USER
PASSWORD = qt.IMAP_PASSWORD
SENDER = "me@mycompany.com"
IDLE_SECS = 10

for _c in ("MOVE", "IDLE", "UNSELECT", "ENABLE", "ID"):
    imaplib.Commands.setdefault(_c, ("AUTH", "SELECTED"))


def ok(res, what):
    typ, data = res
    check(typ == "OK", "%s: %s %r" % (what, typ, data))
    return data


def flat(data):
    """imaplib FETCH data (tuples of (prefix, literal) and bytes) as one
    bytes string, literals in place."""
    out = b""
    for d in data:
        if isinstance(d, tuple):
            out += d[0] + d[1]
        elif d is not None:
            out += d
    return out


def connect(port):
    m = imaplib.IMAP4("127.0.0.1", port, timeout=qt.IO_TIMEOUT_SECS)
    ok(m.login(USER, PASSWORD), "LOGIN")
    return m


def select(m, box, readonly=False):
    data = ok(m.select(box, readonly), "SELECT " + box)
    n = int(data[0])
    uv = m.response("UIDVALIDITY")[1]
    check(uv and uv[0] and uv[0].isdigit(), "SELECT %s: no UIDVALIDITY %r" % (box, uv))
    return n, int(uv[0])


def uid_map(m):
    """seq -> uid of the selected mailbox."""
    data = ok(m.fetch("1:*", "(UID)"), "FETCH 1:* (UID)")
    out = {}
    for d in data:
        mo = re.match(rb"(\d+) \(UID (\d+)\)", d)
        check(mo, "FETCH (UID) answer %r" % d)
        out[int(mo.group(1))] = int(mo.group(2))
    return out


def msgid_uids(m):
    """Message-ID -> UID of the selected mailbox."""
    data = ok(m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"),
              "UID FETCH Message-ID")
    out = {}
    for d in data:
        if not isinstance(d, tuple):
            continue
        mo = re.search(rb"UID (\d+)", d[0])
        check(mo, "UID FETCH without UID: %r" % (d,))
        mid = re.search(rb"<[^>]+>", d[1])
        check(mid, "no Message-ID in %r" % (d,))
        out[mid.group(0).decode()] = int(mo.group(1))
    return out


def send(inst, subject, body, multipart=False):
    m = EmailMessage()
    m["From"] = SENDER
    m["To"] = USER
    m["Subject"] = subject
    mid = "<%s.%d@test.invalid>" % (subject.replace(" ", "-"), os.getpid())
    m["Message-ID"] = mid
    m["Date"] = email.utils.formatdate()
    m.set_content(body)
    if multipart:
        m.add_attachment(b"\x00\x01binary attachment\xff" * 4, maintype="application",
                         subtype="octet-stream", filename="data.bin")
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=qt.IO_TIMEOUT_SECS) as s:
        s.ehlo("test.invalid")
        s.send_message(m, SENDER, [USER])
    return mid


def stored_files(maildir):
    out = {}
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        for n in os.listdir(d) if os.path.isdir(d) else []:
            with open(os.path.join(d, n), "rb") as f:
                out[n] = f.read()
    return out


def to_crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_list(m):
    data = ok(m.list('""', "*"), "LIST")
    boxes = {}
    for line in data:
        mo = re.match(rb'\(([^)]*)\) (NIL|"[^"]*") (.*)$', line)
        check(mo, "LIST line %r" % line)
        check(mo.group(2) == b'"."', "hierarchy delimiter %r, want \".\"" % mo.group(2))
        name = mo.group(3).strip(b'"').decode()
        boxes[name] = mo.group(1).decode().split()
    for name in ("INBOX", "Sent", "Drafts", "Trash", "Junk"):
        check(name in boxes, "LIST lacks %s: %r" % (name, boxes))
    for name in ("Sent", "Drafts", "Trash", "Junk"):
        check("\\" + name in boxes[name], "LIST %s lacks \\%s: %r" % (name, name, boxes[name]))
    check(not any(a in ("\\Sent", "\\Trash", "\\Drafts", "\\Junk") for a in boxes["INBOX"]),
          "INBOX has a special-use attribute: %r" % boxes["INBOX"])
    su = ok(m.list('(SPECIAL-USE) ""', "*"), "LIST (SPECIAL-USE)")
    names = sorted(re.match(rb'\([^)]*\) \S+ "?([^"]*)"?$', l).group(1).decode()
                   for l in su if l)
    check(names == ["Drafts", "Junk", "Sent", "Trash"], "LIST (SPECIAL-USE): %r" % su)
    return boxes


def test_folders(m):
    ok(m.create("Projects"), "CREATE Projects")
    ok(m.create("Projects.2026"), "CREATE Projects.2026")
    typ, _ = m.create("Projects")
    check(typ == "NO", "CREATE of an existing folder: %s" % typ)
    data = ok(m.list('""', "Projects*"), "LIST Projects*")
    text = b"\n".join(data)
    check(re.search(rb'\\HasChildren[^)]*\) "\." "?Projects"?\n', text + b"\n"),
          "Projects not \\HasChildren: %r" % data)
    check(re.search(rb'\\HasNoChildren[^)]*\) "\." "?Projects\.2026"?', text),
          "Projects.2026 not \\HasNoChildren: %r" % data)
    ok(m.rename("Projects.2026", "Archive2026"), "RENAME")
    names = [l.rsplit(b" ", 1)[1].strip(b'"') for l in ok(m.list('""', "*"), "LIST")]
    check(b"Archive2026" in names and b"Projects.2026" not in names,
          "after RENAME: %r" % names)
    ok(m.subscribe("Archive2026"), "SUBSCRIBE")
    lsub = ok(m.lsub('""', "*"), "LSUB")
    lnames = [l.rsplit(b" ", 1)[1].strip(b'"') for l in lsub if l]
    check(b"Archive2026" in lnames, "LSUB lacks Archive2026: %r" % lsub)
    for name in (b"Sent", b"Drafts", b"Trash", b"Junk"):
        check(name in lnames, "special-use %r not subscribed: %r" % (name, lsub))
    ok(m.unsubscribe("Archive2026"), "UNSUBSCRIBE")
    lnames = [l.rsplit(b" ", 1)[1].strip(b'"') for l in ok(m.lsub('""', "*"), "LSUB") if l]
    check(b"Archive2026" not in lnames, "still subscribed after UNSUBSCRIBE: %r" % lnames)
    ok(m.delete("Archive2026"), "DELETE")
    ok(m.delete("Projects"), "DELETE Projects")
    names = [l.rsplit(b" ", 1)[1].strip(b'"') for l in ok(m.list('""', "*"), "LIST")]
    check(b"Archive2026" not in names and b"Projects" not in names,
          "after DELETE: %r" % names)
    typ, _ = m.select("NoSuchFolder")
    check(typ == "NO", "SELECT of a missing folder: %s" % typ)


def run(inst):
    ports = inst.configured()
    check("imap" in ports and "pop3" in ports, "services: %r" % ports)
    port = ports["imap"]
    md = inst.maildir(USER)

    mids = [send(inst, "Hello plain", "First body with the word quokkaword inside.\n"),
            send(inst, "Multipart report", "See the attachment.\n", multipart=True),
            send(inst, "Third one", "Nothing special here.\n")]
    qt.wait_maildir(md, 3)

    m = connect(port)
    caps = ok(m.capability(), "CAPABILITY")[0].decode().upper().split()
    for cap in ("IMAP4REV1", "IDLE", "UIDPLUS", "MOVE", "SPECIAL-USE", "NAMESPACE",
                "LITERAL+", "UNSELECT", "ENABLE", "ID"):
        check(cap in caps, "CAPABILITY lacks %s: %r" % (cap, caps))
    test_list(m)

    n, uidvalidity = select(m, "INBOX")
    check(n == 3, "SELECT INBOX: %d messages, want 3" % n)
    uidnext = m.response("UIDNEXT")[1]
    check(uidnext and uidnext[0] == b"4", "UIDNEXT %r, want 4" % uidnext)
    flags = m.response("FLAGS")[1]
    check(flags and all(f in flags[0] for f in (b"\\Seen", b"\\Deleted", b"\\Flagged",
                                                  b"\\Answered", b"\\Draft")),
          "FLAGS %r" % flags)
    uids = uid_map(m)
    check(sorted(uids) == [1, 2, 3] and uids[1] < uids[2] < uids[3], "UIDs %r" % uids)
    by_mid = msgid_uids(m)
    check(set(by_mid) == set(mids), "Message-IDs %r, sent %r" % (sorted(by_mid), mids))
    check([by_mid[x] for x in mids] == [uids[1], uids[2], uids[3]],
          "sequence order is not delivery order: %r %r" % (by_mid, uids))

    # BODY.PEEK[] is the stored file, CRLF; RFC822.SIZE is its length.
    files = stored_files(md)
    for seq in (1, 2, 3):
        data = ok(m.fetch(str(seq), "(UID RFC822.SIZE FLAGS BODY.PEEK[])"), "FETCH %d" % seq)
        check(len(data) >= 1 and isinstance(data[0], tuple), "FETCH %d: %r" % (seq, data))
        head, body = data[0]
        size = re.search(rb"RFC822\.SIZE (\d+)", flat(data))
        check(size and int(size.group(1)) == len(body),
              "FETCH %d: RFC822.SIZE %r, BODY[] is %d octets" % (seq, size and size.group(1), len(body)))
        check(body in [to_crlf(f) for f in files.values()],
              "FETCH %d BODY[] is not a stored file (CRLF): %r" % (seq, body[:300]))
        check(re.search(rb"FLAGS \(([^)]*)\)", flat(data)) and b"\\Seen" not in flat(data),
              "FETCH %d: \\Seen set by BODY.PEEK: %r" % (seq, flat(data)[:200]))
    # BODY[] (not PEEK) sets \Seen, reported in the same FETCH
    data = ok(m.fetch("3", "(BODY[])"), "FETCH 3 BODY[]")
    f3 = flat(data)
    data = ok(m.fetch("3", "(FLAGS)"), "FETCH 3 FLAGS")
    check(b"\\Seen" in flat(data), "BODY[] did not set \\Seen: %r %r" % (f3[-80:], data))

    env = flat(ok(m.fetch("1", "(ENVELOPE)"), "FETCH ENVELOPE"))
    check(b'"Hello plain"' in env, "ENVELOPE subject: %r" % env)
    check(b'((NIL NIL "me" "mycompany.com"))' in env, "ENVELOPE from: %r" % env)
    check(b'((NIL NIL "myuser" "mycompany.com"))' in env, "ENVELOPE to: %r" % env)
    check(mids[0].encode() in env, "ENVELOPE message-id: %r" % env)

    bs = flat(ok(m.fetch("1", "(BODYSTRUCTURE)"), "FETCH BODYSTRUCTURE")).lower()
    body1 = to_crlf(b"First body with the word quokkaword inside.\n")
    want = b'("text" "plain" ("charset" "utf-8") nil nil "7bit" %d %d' % (
        len(body1), body1.count(b"\r\n"))
    check(want in bs, "BODYSTRUCTURE of 1: %r, want %r" % (bs, want))
    bs2 = flat(ok(m.fetch("2", "(BODYSTRUCTURE)"), "FETCH BODYSTRUCTURE 2")).lower()
    check(re.search(rb'bodystructure \(\("text" "plain" .*\)\("application" "octet-stream" '
                    rb'.*"base64".*\) "mixed" \("boundary" "[^"]+"\)', bs2),
          "BODYSTRUCTURE of 2 (multipart/mixed): %r" % bs2)
    part2 = flat(ok(m.fetch("2", "(BODY.PEEK[2])"), "FETCH BODY[2]"))
    check(b"AAFiaW5hcnkgYXR0YWNobWVudP8" in part2, "BODY[2] (base64 part): %r" % part2[:300])

    # STORE, SEARCH
    data = ok(m.store("1", "+FLAGS", "(\\Seen $Important Work)"), "STORE")
    text = flat(data)
    check(b"\\Seen" in text and b"$Important" in text and b"Work" in text,
          "STORE answer %r" % data)
    data = flat(ok(m.fetch("1", "(FLAGS)"), "FETCH FLAGS"))
    check(b"$Important" in data and b"Work" in data, "keywords not stored: %r" % data)
    pflags = m.response("FLAGS")
    ok(m.store("1", "-FLAGS", "(Work)"), "STORE -FLAGS")
    data = flat(ok(m.fetch("1", "(FLAGS)"), "FETCH FLAGS"))
    check(b"Work" not in data and b"$Important" in data, "-FLAGS: %r (%r)" % (data, pflags))

    def search(*crit):
        d = ok(m.search(None, *crit), "SEARCH %r" % (crit,))
        return [int(x) for x in d[0].split()]
    check(search("FROM", '"me@mycompany.com"') == [1, 2, 3], "SEARCH FROM")
    check(search("FROM", "nobody") == [], "SEARCH FROM nobody")
    check(search("SUBJECT", '"multipart"') == [2], "SEARCH SUBJECT: %r" % search("SUBJECT", "multipart"))
    check(search("TEXT", "quokkaword") == [1], "SEARCH TEXT: %r" % search("TEXT", "quokkaword"))
    check(search("BODY", "quokkaword") == [1], "SEARCH BODY")
    check(search("UNSEEN") == [2], "SEARCH UNSEEN: %r" % search("UNSEEN"))
    check(search("KEYWORD", "$Important") == [1], "SEARCH KEYWORD")
    d = ok(m.uid("SEARCH", None, "SUBJECT", "Third"), "UID SEARCH")
    check(d[0].split() == [str(uids[3]).encode()], "UID SEARCH: %r" % d)

    # APPEND with flags and a date: APPENDUID
    n_sent, sent_uv = select(m, "Sent")
    appended = (b"From: myuser@mycompany.com\r\nTo: a@example.org\r\n"
                b"Subject: appended\r\nMessage-ID: <appended@test.invalid>\r\n\r\n"
                b"Sent by me.\r\n")
    when = '"01-Jan-2020 10:00:00 +0000"'
    typ, data = m.append("Sent", "(\\Seen $Sent)", when, appended)
    check(typ == "OK", "APPEND: %s %r" % (typ, data))
    mo = re.search(rb"\[APPENDUID (\d+) (\d+)\]", data[0])
    check(mo and int(mo.group(1)) == sent_uv, "APPEND: no APPENDUID %d: %r" % (sent_uv, data))
    app_uid = int(mo.group(2))
    ok(m.noop(), "NOOP")
    data = ok(m.uid("FETCH", str(app_uid), "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])"),
              "UID FETCH appended")
    text = flat(data)
    check(b'INTERNALDATE "01-Jan-2020 10:00:00 +0000"' in text, "INTERNALDATE: %r" % text)
    check(b"\\Seen" in text and b"$Sent" in text, "APPEND flags: %r" % text)
    check(data[0][1] == appended, "APPENDed body differs: %r" % (data[0][1],))
    check(b"RFC822.SIZE %d" % len(appended) in text, "APPEND size: %r" % text)

    # COPY (COPYUID), MOVE, EXPUNGE, CLOSE
    n, uv = select(m, "INBOX")
    _, trash_uv = select(m, "Trash", readonly=True)
    ok(m.close(), "CLOSE (read-only)")
    n, uv = select(m, "INBOX")
    check(uv == uidvalidity and n == 3, "INBOX reselected: %d %d" % (n, uv))
    typ, data = m._simple_command("UID", "COPY", str(uids[1]), "Trash")
    check(typ == "OK", "UID COPY: %r" % data)
    mo = re.search(rb"\[COPYUID (\d+) (\d+) (\d+)\]", data[0])
    check(mo and int(mo.group(1)) == trash_uv and int(mo.group(2)) == uids[1],
          "COPY: no COPYUID %d %d: %r" % (trash_uv, uids[1], data))
    copy_uid = int(mo.group(3))
    typ, data = m._simple_command("UID", "MOVE", str(uids[3]), "Trash")
    check(typ == "OK", "UID MOVE: %s %r" % (typ, data))
    untag_ok = b" ".join(x for x in m.untagged_responses.get("OK", []) if x)
    moved = re.search(rb"\[COPYUID %d %d (\d+)\]" % (trash_uv, uids[3]), untag_ok + b" " + data[0])
    check(moved, "MOVE: no COPYUID (untagged OK %r, tagged %r)" % (untag_ok, data))
    exp = m.response("EXPUNGE")[1]
    check(exp == [b"3"], "MOVE: EXPUNGE responses %r, want [3]" % exp)
    check(search("ALL") == [1, 2], "after MOVE: %r" % search("ALL"))
    ok(m.store("1", "+FLAGS", "(\\Deleted)"), "STORE \\Deleted")
    data = ok(m.expunge(), "EXPUNGE")
    check(data == [b"1"], "EXPUNGE reported %r, want [1]" % data)
    check(search("ALL") == [1], "after EXPUNGE: %r" % search("ALL"))
    check(uid_map(m) == {1: uids[2]}, "UIDs after EXPUNGE: %r" % uid_map(m))

    n, uv = select(m, "Trash")
    check(n == 2 and uv == trash_uv, "Trash: %d messages, uidvalidity %d" % (n, uv))
    tr = msgid_uids(m)
    check(tr == {mids[0]: copy_uid, mids[2]: int(moved.group(1))},
          "Trash content %r" % tr)
    ok(m.uid("STORE", str(copy_uid), "+FLAGS", "(\\Deleted)"), "UID STORE \\Deleted")
    ok(m.close(), "CLOSE")
    check(m.state == "AUTH", "state after CLOSE: %s" % m.state)
    st = ok(m.status("Trash", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)"), "STATUS Trash")
    check(re.search(rb"MESSAGES 1\b", st[0]) and
          re.search(rb"UIDVALIDITY %d\b" % trash_uv, st[0]),
          "STATUS Trash after CLOSE: %r" % st)
    st = ok(m.status("INBOX", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)"), "STATUS INBOX")
    check(re.search(rb"MESSAGES 1\b", st[0]) and re.search(rb"UIDNEXT 4\b", st[0]) and
          re.search(rb"UIDVALIDITY %d\b" % uidvalidity, st[0]) and
          re.search(rb"UNSEEN 1\b", st[0]), "STATUS INBOX: %r" % st)

    test_folders(m)

    # IDLE over imaplib's own socket
    n, uv = select(m, "INBOX")
    tag = m._new_tag()
    m.send(tag + b" IDLE\r\n")
    line = m.readline()
    check(line.startswith(b"+"), "IDLE: %r" % line)
    mid4 = send(inst, "While idling", "Idle body.\n")
    t0 = time.monotonic()
    m.sock.settimeout(IDLE_SECS)
    got = []
    while True:
        try:
            line = m.readline()
        except socket.timeout:
            raise qt.TestFailure("IDLE: no EXISTS in %ds (got %r)" % (IDLE_SECS, got))
        check(line, "IDLE: connection closed")
        got.append(line)
        if re.match(rb"\* 2 EXISTS\r\n", line):
            break
        check(time.monotonic() - t0 < IDLE_SECS, "IDLE: %r" % got)
    m.send(b"DONE\r\n")
    for _ in range(10):
        line = m.readline()
        if line.startswith(tag):
            break
    check(line.startswith(tag + b" OK"), "IDLE end: %r" % line)
    m.sock.settimeout(qt.IO_TIMEOUT_SECS)

    # UID stability across reconnects and new deliveries; POP3 UIDL
    before = msgid_uids(m)
    check(before.get(mids[1]) == uids[2] and mid4 in before, "UIDs now %r" % before)
    check(m.logout()[0] == "BYE", "LOGOUT")
    mid5 = send(inst, "After reconnect", "fifth\n")
    qt.wait_for(lambda: len(stored_files(md)) >= 3, 10, "the fifth message")
    m = connect(port)
    n, uv = select(m, "INBOX", readonly=True)
    check(uv == uidvalidity, "UIDVALIDITY changed: %d -> %d" % (uidvalidity, uv))
    after = msgid_uids(m)
    check(all(after.get(k) == v for k, v in before.items()),
          "UIDs changed across reconnect: %r -> %r" % (before, after))
    check(mid5 in after and after[mid5] > max(before.values()), "new UID %r" % after)
    check(m.logout()[0] == "BYE", "LOGOUT")

    p = poplib.POP3("127.0.0.1", ports["pop3"], timeout=qt.IO_TIMEOUT_SECS)
    p.user(USER)
    p.pass_(PASSWORD)
    uidl = {}
    for line in p.uidl()[1]:
        num, u = line.decode().split()
        top = b"\n".join(p.top(int(num), 0)[1])
        mo = re.search(rb"(?im)^message-id:\s*(<[^>]+>)", top)
        check(mo, "POP3 TOP %s: no Message-ID" % num)
        uidl[mo.group(1).decode()] = u
    p.quit()
    check(uidl == {k: qt.imap_uidl(v, uidvalidity) for k, v in after.items()},
          "POP3 UIDL %r != IMAP UIDs %r (uidvalidity %d)" % (uidl, after, uidvalidity))
    print("PASS t_imap_imaplib")
    return 0


def main():
    try:
        with qt.imap_instance() as inst:
            try:
                return run(inst)
            except (qt.TestFailure, OSError, imaplib.IMAP4.error, poplib.error_proto,
                    smtplib.SMTPException) as e:
                print("FAIL: %s: %s" % (type(e).__name__, e))
                inst.dump_logs()
                return 1
    except qt.TestFailure as e:
        print("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
