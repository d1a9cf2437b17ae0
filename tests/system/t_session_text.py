#!/usr/bin/env python3
"""t_session_text.py -- the text layout of the release build
(lib/session-text.list, Makefile LAYOUT_*) holds:
  - every name in the list is a function defined in the sources (a
    renamed or removed function would silently fall out of the layout);
  - in build/release/quail-imapd, the section .text.session exists, every
    listed function that has a symbol lies inside it, and the sections
    the layout leaves out stay out (no function of FETCH or SEARCH);
  - the binary has no .eh_frame worth the name (built without unwind
    tables).
The release build is made by `make check` before the tests run; without
it only the first check runs. Exit 0 pass, 1 fail.
"""
import glob
import os
import re
import subprocess
import sys

top = os.environ.get("QUAIL_SRC") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []


def check(ok, what):
    print("%s  %s" % ("ok  " if ok else "FAIL", what))
    if not ok:
        failures.append(what)


names = []
with open(os.path.join(top, "lib/session-text.list")) as f:
    for line in f:
        line = line.strip()
        if line and not line.startswith("#"):
            names.append(line)
check(len(names) > 50, "the list has %d functions" % len(names))
check(all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in names),
      "every entry is a plain function name")

defined = set()
for src in glob.glob(os.path.join(top, "*/*.c")):
    if "/tests/" in src:
        continue
    with open(src, errors="replace") as f:
        for line in f:
            m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\(", line)
            if m:
                defined.add(m.group(1))
missing = [n for n in names if n not in defined]
check(not missing, "every listed name is a function in the sources%s"
      % (": missing " + " ".join(missing) if missing else ""))

binary = os.path.join(top, "build/release/quail-imapd")
if not os.path.exists(binary):
    print("no release build (%s): binary checks not run" % binary)
else:
    sections = {}
    out = subprocess.run(["readelf", "-SW", binary], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+"
                     r"\s+([0-9a-f]+)", line)
        if m:
            sections[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16))
    check(".text.session" in sections, "quail-imapd has .text.session")
    lo, size = sections.get(".text.session", (0, 0))
    check(0 < size < 64 * 1024,
          ".text.session fits one 64 KB window (%d bytes)" % size)
    check(sections.get(".eh_frame", (0, 0))[1] < 4096,
          "no unwind tables (.eh_frame %d bytes)"
          % sections.get(".eh_frame", (0, 0))[1])
    syms = {}
    out = subprocess.run(["nm", binary], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tT":
            syms.setdefault(f[2].split(".")[0], []).append(int(f[0], 16))
    inside = lambda a: lo <= a < lo + size  # noqa: E731
    outside = [n for n in names for a in syms.get(n, [])
               if not inside(a) and n in syms]
    check(not outside, "every listed function with a symbol is inside%s"
          % (": not " + " ".join(outside) if outside else ""))
    present = [n for n in names if n in syms]
    check(len(present) > 50, "%d listed functions have symbols"
          % len(present))
    intruders = [n for n in ("imap_search_eval", "imap_render_body",
                             "imap_mbox_open", "imap_section_extract")
                 if any(inside(a) for a in syms.get(n, []))]
    check(not intruders, "FETCH/SEARCH/SELECT code is not in it%s"
          % (": " + " ".join(intruders) if intruders else ""))

if failures:
    print("%d check(s) failed" % len(failures))
    sys.exit(1)
print("all passed")
