#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sweep's command line and load --sweep's, without a module: usage errors
# exit 2 before anything is asked of the kernel, and no module exits 3.
# (The sweep itself is tested against a fake /proc in tests/unit/sweep_test.c and
# against the real module in selftests/sweep_test.c.)

K=${KASBLOCKCTL:-$(dirname "$0")/../../kasblockctl}
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
H=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

# run NAME EXPECTED_EXIT PATTERN CMD... : exit code and a fixed string in stdout+stderr
run() {
	local name=$1 want=$2 pattern=$3 rc
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "exit $rc, expected $want"; sed 's/^/  /' "$T/out" "$T/err"
	elif [ -n "$pattern" ] && ! grep -qF -- "$pattern" "$T/out" "$T/err"; then
		fail "$name" "no \"$pattern\" in output"; sed 's/^/  /' "$T/out" "$T/err"
	else
		ok "$name"
	fi
}

echo "$H  kesl" >"$T/a.list"

run sweep_help 0 "Usage: kasblockctl sweep [--kill] [--json]" "$K" sweep --help
run sweep_help_documents_exit_codes 0 "12 found and some processes could not be stopped" "$K" help sweep
run sweep_listed_in_help 0 "sweep" "$K" help
run sweep_unknown_option 2 "kasblockctl: sweep: unknown option '--frob'" "$K" sweep --frob
run sweep_extra_argument 2 "kasblockctl: sweep: unexpected argument 'now'" "$K" sweep now
run load_sweep_help 0 "Usage: kasblockctl load [--allow-empty] [--sweep[=kill]] FILE..." "$K" load --help
run load_sweep_bad_value 2 "--sweep takes 'kill' or 'report', not 'zap'" "$K" load --sweep=zap "$T/a.list"
# The list is read before the sweep option matters: a bad list still exits 2.
printf 'nonsense\n' >"$T/bad.list"
run load_sweep_bad_list 2 "$T/bad.list:1:" "$K" load --sweep=kill "$T/bad.list"
if [ ! -e /sys/module/kasblock ]; then
	run sweep_without_module 3 "kasblock module is not loaded" "$K" sweep
	run sweep_kill_without_module 3 "kasblock module is not loaded" "$K" sweep --kill --json
	run load_sweep_without_module 3 "kasblock module is not loaded" "$K" load --sweep "$T/a.list"
fi

echo "$passed passed, $failed failed, ${skipped:-0} skipped"
[ "$failed" -eq 0 ]
