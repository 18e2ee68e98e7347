#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run host test programs, show their output, and add up their closing
# "N passed, N failed" lines into one. A program that dies before printing
# that line, or exits non-zero without a failure counted, counts as one failure.
# Each program's own closing line is shown as "# PROGRAM: N passed, N failed",
# so that the last line here is the only one of that form (scripts/check.sh
# adds up every such line in the log).

passed=0
failed=0
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT

for t in "$@"; do
	echo "== $t"
	if [ ! -x "$t" ]; then
		echo "FAIL $t: not built"
		failed=$((failed + 1))
		continue
	fi
	"$t" >"$out" 2>&1
	rc=$?
	last=$(tail -n 1 "$out")
	sed "\$s|^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\$|# $t: &|" "$out"
	p=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		echo "FAIL $t: exited $rc without a result line"
		failed=$((failed + 1))
		continue
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $t: exited $rc"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
