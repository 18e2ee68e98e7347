#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run libFuzzer harnesses for a bounded time and report like a host test: a
# line per check, then "N passed, N failed, N skipped" (tests/run.sh adds that up).
#
#   tests/fuzz/run.sh [-k] SECONDS BUILD_DIR NAME...
#
# For each NAME, BUILD_DIR/NAME_fuzz runs once over every seed in
# tests/fuzz/corpus/NAME/ (each is a case someone chose, so each must pass), then
# fuzzes from them for SECONDS seconds with the options in tests/fuzz/NAME.options
# and the dictionary tests/fuzz/NAME.dict. The harnesses run side by side, so the
# whole run takes about SECONDS. New inputs go to a scratch corpus that is
# removed, or with -k to BUILD_DIR/corpus/NAME/, which the next -k run starts
# from. A crash, leak, timeout or violated property fails the check and leaves
# the input in BUILD_DIR/artifacts/; the failure prints the command that
# replays it.

keep=
if [ "$1" = -k ]; then
	keep=1
	shift
fi
# libFuzzer reads -max_total_time=0 as "no limit": not what a bounded run wants.
case "$1" in
'' | *[!0-9]* | 0)
	set --
	;;
esac
if [ $# -lt 3 ]; then
	echo "usage: $0 [-k] SECONDS BUILD_DIR NAME... (SECONDS at least 1)" >&2
	exit 2
fi
secs=$1
build=$2
shift 2
src=$(dirname "$0")
mkdir -p "$build/artifacts" || exit 1
# UBSan names only the line unless asked for the stack too.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT

# The libFuzzer flags in NAME.options ("key = value" lines, as OSS-Fuzz writes them).
options() {
	[ -f "$src/$1.options" ] &&
		sed -n 's/^\([a-z_]*\) *= *\([^ ]*\) *$/-\1=\2/p' "$src/$1.options"
	[ -f "$src/$1.dict" ] && echo "-dict=$src/$1.dict"
}

# The sanitizer's or libFuzzer's report in a log, without libFuzzer's own frames and the shadow map.
report() {
	awk '/ERROR: |runtime error: |property violated|ALARM: libFuzzer/ { on = 1 }
		on && /^SUMMARY: / { print; exit }
		on && !/fuzzer::|__libc_start|in _start |in main / { print }' "$1" | head -n 30
}

# "ok"/"FAIL" lines for one harness into $scratch/NAME.out, a count into NAME.res.
run_one() {
	name=$1
	bin=$build/${name}_fuzz
	seeds=$src/corpus/$name
	log=$build/$name.log
	out=$scratch/$name.out
	pass=0
	fail=0

	if [ ! -x "$bin" ]; then
		echo "FAIL $name: $bin not built" >"$out"
		echo "0 2" >"$scratch/$name.res"
		return
	fi

	# A seed that fails is its own reproducer.
	# shellcheck disable=SC2046 # options() is a list of flags
	if "$bin" $(options "$name") -timeout=10 -artifact_prefix="$build/artifacts/$name-" \
		"$seeds"/* >"$log" 2>&1; then
		n=0
		for f in "$seeds"/*; do
			n=$((n + 1))
		done
		echo "ok   $name: $n seeds replayed" >"$out"
		pass=$((pass + 1))
	else
		seed=$(sed -n 's/^Running: //p' "$log" | tail -n 1)
		{
			report "$log"
			echo "FAIL $name: seed $seed fails"
			echo "  log: $log"
			echo "  reproduce: $bin $seed"
		} >"$out"
		fail=$((fail + 1))
	fi

	if [ -n "$keep" ]; then
		corpus=$build/corpus/$name
	else
		corpus=$scratch/corpus-$name
	fi
	mkdir -p "$corpus"
	# New inputs go to the first directory; the seeds stay as they are.
	# shellcheck disable=SC2046
	if "$bin" $(options "$name") -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$name-" "$corpus" "$seeds" \
		>"$log.fuzz" 2>&1; then
		# The last status line reads "#RUNS DONE cov: C ft: F corp: UNITS/SIZE ...".
		num='\([0-9]*\)'
		stats=$(grep ' cov: ' "$log.fuzz" | tail -n 1 |
			sed -n "s/.* cov: $num ft: $num corp: $num.*/cov \\1, ft \\2, corpus \\3/p")
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log.fuzz")
		rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log.fuzz")
		echo "ok   $name: fuzzed ${secs}s, $runs runs ($rate/s), $stats" >>"$out"
		pass=$((pass + 1))
	else
		unit=$(sed -n 's/.*Test unit written to //p' "$log.fuzz" | tail -n 1)
		{
			report "$log.fuzz"
			echo "FAIL $name: fuzzing found ${unit:-a failure but wrote no input}"
			echo "  log: $log.fuzz"
			[ -n "$unit" ] && echo "  reproduce: $bin $unit"
		} >>"$out"
		fail=$((fail + 1))
	fi
	echo "$pass $fail" >"$scratch/$name.res"
}

for name in "$@"; do
	run_one "$name" &
done
wait

passed=0
failed=0
for name in "$@"; do
	cat "$scratch/$name.out"
	read -r p f <"$scratch/$name.res" || { p=0; f=1; }
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
