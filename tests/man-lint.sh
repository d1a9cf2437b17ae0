#!/bin/sh
# man-lint.sh -- every man page is clean under mandoc -Tlint -Wwarning and
# groff -mandoc -ww -z, and every program of the Makefile's PROGS has one.
# Exit 0 clean, 1 otherwise (each problem printed).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
fail=0
pages=0
for m in man/man*/*.[0-9]; do
	[ -f "$m" ] || continue
	pages=$((pages + 1))
	out=$(mandoc -Tlint -Wwarning "$m" 2>&1)
	if [ -n "$out" ]; then
		echo "$out"; fail=1
	fi
	out=$(groff -mandoc -ww -z "$m" 2>&1)
	if [ -n "$out" ]; then
		echo "$m: groff:"; echo "$out"; fail=1
	fi
done
# PROGS as make sees it (the Makefile may compose it from other variables).
progs=$(make -s --no-print-directory -f Makefile -f - print-progs <<'MK' 2>/dev/null
print-progs:
	@echo $(PROGS)
MK
)
if [ -z "$progs" ]; then
	echo "man-lint: cannot read PROGS from the Makefile"; exit 1
fi
for p in $progs; do
	found=0
	for m in man/man*/"$p".[0-9]; do
		[ -f "$m" ] && found=1
	done
	if [ "$found" = 0 ]; then
		echo "man-lint: $p has no man page (man/man*/$p.N)"; fail=1
	fi
done
echo "man-lint: $pages pages checked"
exit $fail
