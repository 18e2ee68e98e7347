#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The exit status contract: kasblockctl(8)'s EXIT STATUS table gives each code
# one meaning across commands. Checks the table itself (each code once), that
# the commands' --help texts agree with it, and what scan returns, for real,
# for each of its outcomes that need no module.

KB=${KASBLOCKCTL:-$(dirname "$0")/../../kasblockctl}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MAN=$SRC/man/kasblockctl.8
IND=$SRC/data/indicators
passed=0
failed=0
skipped=0

T=$(mktemp -d /tmp/kb-exit.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

# The .TP tags of the EXIT STATUS section: one ".B N" line per code.
sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$MAN" | sed -n '/^\.TP/{n;p}' |
	sed -n 's/^\.B \([0-9][0-9]*\)$/\1/p' >"$T/codes"
if [ "$(tr '\n' ' ' <"$T/codes")" = "0 1 2 3 4 10 11 12 21 22 23 24 25 26 27 28 29 " ]; then
	ok man_table_lists_each_code_once
else
	bad man_table_lists_each_code_once "codes: $(tr '\n' ' ' <"$T/codes")"
fi

# Every "Exit status:" line of a --help names only codes of the table, and
# 10, 11 and 12 with the table's meaning.
for cmd in scan sweep harvest; do
	"$KB" help "$cmd" | sed -n '/^Exit status:/,$p' | tr '\n' ' ' >"$T/help.$cmd"
	unknown=
	for n in $(grep -o '[0-9][0-9]* [a-z]' "$T/help.$cmd" | cut -d' ' -f1); do
		grep -qx "$n" "$T/codes" || unknown="$unknown $n"
	done
	if [ -s "$T/help.$cmd" ] && [ -z "$unknown" ]; then
		ok "help_${cmd}_codes_are_in_the_table"
	else
		bad "help_${cmd}_codes_are_in_the_table" "unknown:$unknown"
	fi
done
check_help() {
	# check_help NAME CMD PATTERN: a fixed string in the help's exit status text
	if grep -qF -- "$3" "$T/help.$2"; then ok "$1"; else bad "$1" "no \"$3\""; fi
}
check_help scan_10_is_found scan "10 product(s) found"
check_help scan_11_is_incomplete scan "11 none found but some"
check_help sweep_10_is_found sweep "10 found"
check_help sweep_12_is_not_all_stopped sweep "12 found and some processes could not be stopped"
if grep -q "11 " "$T/help.sweep"; then
	bad sweep_never_says_11
else
	ok sweep_never_says_11
fi

# scan, for real: a clean root is 0, a product is 10, bad usage 2, no root 1.
mkdir -p "$T/clean/etc" "$T/product/opt/kaspersky/kesl/bin"
cp /bin/true "$T/product/opt/kaspersky/kesl/bin/kesl"
run() {
	want=$1 name=$2
	shift 2
	"$@" >"$T/out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else bad "$name" "exit $rc, expected $want"; cat "$T/out"; fi
}
run 0 scan_clean_root_is_0 "$KB" scan -q --indicators "$IND" --root "$T/clean"
run 10 scan_product_is_10 "$KB" scan -q --indicators "$IND" --root "$T/product"
run 2 scan_bad_option_is_2 "$KB" scan --frob
run 1 scan_missing_root_is_1 "$KB" scan -q --indicators "$IND" --root "$T/nope"

# A report that cannot be written is a failure (cmd/errcode.c): 1, even when
# scan found something, and usage errors stay 2.
if [ -w /dev/full ]; then
	run 1 scan_clean_root_to_dev_full_is_1 sh -c '"$@" >/dev/full' sh \
		"$KB" scan --indicators "$IND" --root "$T/clean"
	run 1 scan_product_to_dev_full_is_1 sh -c '"$@" >/dev/full' sh \
		"$KB" scan --indicators "$IND" --root "$T/product"
	run 2 scan_bad_option_to_dev_full_is_2 sh -c '"$@" >/dev/full' sh \
		"$KB" scan --frob
else
	echo "skip write_errors: no /dev/full"
	skipped=$((skipped + 3))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
