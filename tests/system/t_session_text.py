#!/usr/bin/env python3
"""t_session_text.py -- the text layouts of the release build (Makefile
LAYOUT_*, scripts/layout-ld.sh; HACKING.md "Text layout") hold, for
quail-imapd (lib/session-text.list) and quail-imapd-session
(imapd/session-text.list):
  - every function name in a list is a function defined in the sources (a
    renamed or removed function would silently fall out of the layout);
    "obj"/"cold" entries are file patterns;
  - in the binary, .text.session exists, fits one 64 KB window, every
    listed function that has a symbol lies inside it, and the sections the
    layout leaves out stay out (no function of FETCH or SEARCH);
    .text.session has a segment of its own, apart from the rest of the
    text (and, with cold entries, .rodata.cold apart from .rodata);
  - the binary has no .eh_frame worth the name (built without unwind
    tables);
  - where musl-gcc is installed, quail-imapd-session is a static PIE (no
    program interpreter) and musl's functions of the list (memcpy, the
    printf core) are inside .text.session too.
The release build is made by `make check` before the tests run; without
it only the list checks run. Exit 0 pass, 1 fail.
"""
import glob
import os
import re
import shutil
import subprocess
import sys

top = os.environ.get("QUAIL_SRC") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []


def check(ok, what):
    print("%s  %s" % ("ok  " if ok else "FAIL", what))
    if not ok:
        failures.append(what)


defined = set()
for src in glob.glob(os.path.join(top, "*/*.c")):
    if "/tests/" in src:
        continue
    with open(src, errors="replace") as f:
        for line in f:
            m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\(", line)
            if m:
                defined.add(m.group(1))


def read_list(path):
    names, objs, cold = [], [], []
    with open(os.path.join(top, path)) as f:
        for line in f:
            f_ = line.split()
            if not f_ or f_[0].startswith("#"):
                continue
            if f_[0] == "obj" and len(f_) == 2:
                objs.append(f_[1])
            elif f_[0] == "cold" and len(f_) == 2:
                cold.append(f_[1])
            else:
                names.append(line.strip())
    check(all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in names),
          "%s: every other entry is a plain function name" % path)
    check(all(re.fullmatch(r"\*[A-Za-z0-9_.]+(:[A-Za-z0-9_.]+)?", o)
              for o in objs + cold),
          "%s: every obj/cold entry is a file pattern" % path)
    missing = [n for n in names if n not in defined]
    check(not missing, "%s: every listed name is a function in the sources%s"
          % (path, ": missing " + " ".join(missing) if missing else ""))
    return names, objs, cold


def elf(binary):
    sections, loads, interp = {}, [], False
    out = subprocess.run(["readelf", "-SlW", binary], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+"
                     r"\s+([0-9a-f]+)", line)
        if m:
            sections[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16))
        m = re.match(r"\s*LOAD\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x[0-9a-f]+"
                     r"\s+0x[0-9a-f]+\s+0x([0-9a-f]+)", line)
        if m:
            loads.append((int(m.group(1), 16), int(m.group(2), 16)))
        if re.match(r"\s*INTERP\s", line):
            interp = True
    return sections, loads, interp


def segment_of(loads, addr):
    for i, (lo, size) in enumerate(loads):
        if lo <= addr < lo + size:
            return i
    return None


def check_binary(name, names, min_names, musl_names=()):
    binary = os.path.join(top, "build/release", name)
    if not os.path.exists(binary):
        print("no release build (%s): binary checks not run" % binary)
        return
    sections, loads, interp = elf(binary)
    check(".text.session" in sections, "%s has .text.session" % name)
    lo, size = sections.get(".text.session", (0, 0))
    check(0 < size < 64 * 1024,
          "%s: .text.session fits one 64 KB window (%d bytes)" % (name, size))
    check(sections.get(".eh_frame", (0, 0))[1] < 4096,
          "%s: no unwind tables (.eh_frame %d bytes)"
          % (name, sections.get(".eh_frame", (0, 0))[1]))
    hot = segment_of(loads, lo)
    check(hot is not None and hot != segment_of(loads, sections[".text"][0]),
          "%s: .text.session and .text are in different segments" % name)
    if ".rodata.cold" in sections:
        check(segment_of(loads, sections[".rodata.cold"][0])
              != segment_of(loads, sections[".rodata"][0]),
              "%s: .rodata.cold and .rodata are in different segments" % name)
    syms = {}
    out = subprocess.run(["nm", binary], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tT":
            syms.setdefault(f[2].split(".")[0], []).append(int(f[0], 16))
    inside = lambda a: lo <= a < lo + size  # noqa: E731
    outside = [n for n in list(names) + list(musl_names)
               for a in syms.get(n, []) if not inside(a)]
    check(not outside, "%s: every listed function with a symbol is inside%s"
          % (name, ": not " + " ".join(outside) if outside else ""))
    present = [n for n in names if n in syms]
    check(len(present) >= min_names, "%s: %d listed functions have symbols"
          % (name, len(present)))
    intruders = [n for n in ("imap_search_eval", "imap_render_body",
                             "imap_mbox_open", "imap_section_extract")
                 if any(inside(a) for a in syms.get(n, []))]
    check(not intruders, "%s: FETCH/SEARCH/SELECT code is not in it%s"
          % (name, ": " + " ".join(intruders) if intruders else ""))
    return interp


names, objs, cold = read_list("lib/session-text.list")
check(len(names) > 50, "lib/session-text.list has %d functions" % len(names))
check_binary("quail-imapd", names, 50)

names, objs, cold = read_list("imapd/session-text.list")
check(len(names) > 30 and len(objs) > 30 and cold,
      "imapd/session-text.list: %d functions, %d files, %d cold"
      % (len(names), len(objs), len(cold)))
musl = shutil.which("musl-gcc") is not None
interp = check_binary("quail-imapd-session", names, 30,
                      ("memcpy", "printf_core", "_start_c") if musl else ())
if interp is not None and musl:
    check(not interp, "quail-imapd-session is static (no interpreter)")

if failures:
    print("%d check(s) failed" % len(failures))
    sys.exit(1)
print("all passed")
