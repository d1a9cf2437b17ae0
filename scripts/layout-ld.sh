#!/bin/sh
# layout-ld.sh LIST -- the linker script of a text layout list
# (lib/session-text.list, imapd/session-text.list; HACKING.md "Text
# layout") on stdout: one output section .text.session, before .text,
# with the listed functions (NAME: the sections of -ffunction-sections)
# and input files ("obj PATTERN"), then a gap to the 64 KB page after
# the next, so that the rest of the text gets a segment of its own; and,
# for "cold PATTERN" entries, an output section .rodata.cold after .rodata
# with those files' read-only data, likewise in a segment of its own. Why: the kernel maps file pages
# around a fault (64 KB, or a whole large folio of the page cache), but
# never beyond the mapping, i.e. the segment: an idle session then maps
# its hot text and data only. (The linker starts a new segment where a
# section would leave a whole max-page-size page empty.)
set -eu
awk '
/^[ \t]*(#|$)/ { next }
$1 == "obj" && NF == 2 { text = text "    " $2 "(.text .text.*)\n"; next }
$1 == "cold" && NF == 2 { cold = cold "    " $2 "(.rodata .rodata.*)\n"; next }
NF == 1 && $1 ~ /^[A-Za-z_][A-Za-z0-9_]*$/ {
	text = text "    *(.text." $1 " .text." $1 ".* .text.startup." $1 ")\n"; next
}
{ printf "%s:%d: not a function name, obj or cold entry\n", FILENAME, NR > "/dev/stderr"; bad = 1 }
END {
	if (bad) exit 1
	printf "SECTIONS\n{\n  .text.session : {\n%s  }\n  . = ALIGN(0x10000) + 0x10000;\n}\nINSERT BEFORE .text;\n", text
	if (cold != "")
		printf "SECTIONS\n{\n  .rodata.cold ALIGN(0x10000) + 0x10000 : {\n%s  }\n}\nINSERT AFTER .rodata;\n", cold
}' "$1"
