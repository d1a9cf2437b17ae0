#!/bin/sh
# Runs every test of quail and ends with one line "N passed, N failed".
# Unit tests and protocol/system tests use the ASan+UBSan build (build/san);
# fuzz targets run briefly from build/fuzz. Each test is one executable:
# exit 0 pass, 77 skip, anything else fail.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
QUAIL_SRC=$top
QUAIL_BUILD=${QUAIL_BUILD:-$top/build/san}
export QUAIL_SRC QUAIL_BUILD
# Leak checking is done by the unit tests; daemons exit through _exit paths.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS
FUZZ_SECS=${FUZZ_SECS:-8}
logdir=$top/build/test-logs
rm -rf "$logdir"; mkdir -p "$logdir"
pass=0; fail=0; skip=0; failed=""

run() { # name, command...
	name=$1; shift
	log=$logdir/$(echo "$name" | tr '/ ' '__').log
	start=$(date +%s)
	if "$@" >"$log" 2>&1; then rc=0; else rc=$?; fi
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "PASS  $name (${secs}s)";;
	77) skip=$((skip + 1)); echo "SKIP  $name: $(tail -n 1 "$log")";;
	*) fail=$((fail + 1)); failed="$failed $name"; echo "FAIL  $name (exit $rc, ${secs}s)"
	   tail -n 40 "$log" | cut -c1-300 | sed 's/^/      | /';;
	esac
}

for t in "$QUAIL_BUILD"/tests/test_*; do
	[ -x "$t" ] && run "unit/$(basename "$t")" "$t"
done
run "man-lint" tests/man-lint.sh
for t in tests/proto/*/*.t; do
	[ -f "$t" ] && run "proto/${t#tests/proto/}" python3 tests/proto/run.py "$t"
done
for t in tests/system/t_*; do
	[ -x "$t" ] && run "system/$(basename "$t")" "$t"
done
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	n=$(basename "$f")
	corpus=build/fuzz/corpus-$n; mkdir -p "$corpus"
	seeds=tests/fuzz/seeds/${n#fuzz_}
	if [ -d "$seeds" ]; then set -- "$corpus" "$seeds"; else set -- "$corpus"; fi
	run "fuzz/$n" "$f" -max_total_time="$FUZZ_SECS" -timeout=10 -rss_limit_mb=1024 "$@"
done

echo
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
