#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run host test programs, show their output, and add up their closing
# "N passed, N failed, N skipped" lines into one (", N skipped" may be missing:
# none skipped). A program that dies before printing that line, or exits
# non-zero without a failure counted, counts as one failure.
# Each program's own closing line is shown as "# PROGRAM: N passed, ...", so
# that the last line here is the only one of that form (scripts/check.sh adds
# up every such line in the log).

passed=0
failed=0
skipped=0
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
re='^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\(, \([0-9][0-9]*\) skipped\)\{0,1\}$'

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
	sed "\$s|$re|# $t: &|" "$out"
	counts=$(printf '%s\n' "$last" | sed -n "s/$re/\\1 \\2 \\4/p")
	if [ -z "$counts" ]; then
		echo "FAIL $t: exited $rc without a result line"
		failed=$((failed + 1))
		continue
	fi
	p=${counts%% *}
	rest=${counts#* }
	f=${rest%% *}
	s=${rest#* }
	s=${s:-0}
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $t: exited $rc"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
