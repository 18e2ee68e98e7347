#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/run.sh, the runner every host test goes through: a skipped case is
# counted as skipped, not passed, and the closing line says so.

RUN=$(dirname "$0")/../run.sh
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
skipped=0

check() {
	local name=$1 want=$2 got
	shift 2
	got=$(sh "$RUN" "$@" 2>&1 | tail -n 1)
	if [ "$got" = "$want" ]; then
		echo "ok   $name"; passed=$((passed + 1))
	else
		echo "FAIL $name: \"$got\", expected \"$want\""; failed=$((failed + 1))
	fi
}

fake() { printf '#!/bin/sh\n%s\n' "$2" >"$T/$1"; chmod +x "$T/$1"; }
fake with_skips 'echo "ok   a"; echo "skip b: no frob"; echo "3 passed, 0 failed, 2 skipped"'
fake old_form 'echo "1 passed, 0 failed"'
fake failing 'echo "0 passed, 1 failed, 1 skipped"; exit 1'
fake no_line 'echo "nothing"'

check skips_are_added_up "4 passed, 0 failed, 2 skipped" "$T/with_skips" "$T/old_form"
check failures_and_skips "3 passed, 1 failed, 3 skipped" "$T/with_skips" "$T/failing"
check missing_line_is_a_failure "0 passed, 1 failed, 0 skipped" "$T/no_line"
if sh "$RUN" "$T/failing" >/dev/null 2>&1; then
	echo "FAIL failure_exits_nonzero"; failed=$((failed + 1))
else
	echo "ok   failure_exits_nonzero"; passed=$((passed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
