#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kasblockctl report on the machine the tests run on, where the kasblock
# module is not loaded: the document's shape, "not loaded" instead of made-up
# values, unreadable fields named and not guessed (also as an unprivileged
# user), and output errors failing. The loaded, locked and non-root-with-module
# cases run in the fleet tier (scripts/check-fleet.sh), on booted systems.
# Ends with "N passed, N failed, N skipped".

K=${KASBLOCKCTL:-$(dirname "$0")/../../kasblockctl}
passed=0
failed=0
skipped=0

T=$(mktemp -d /tmp/kb-report-cli.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }
skip() { echo "skip $1${2:+: $2}"; skipped=$((skipped + 1)); }
# has NAME FILE STRING...: FILE holds every STRING.
has() {
	local name=$1 file=$2 s
	shift 2
	for s; do
		grep -qF -- "$s" "$file" || { bad "$name" "no '$s' in: $(head -c 600 "$file")"; return; }
	done
	ok "$name"
}

if [ -e /sys/module/kasblock ]; then
	skip report_without_module "the kasblock module is loaded here"
	echo "$passed passed, $failed failed, $skipped skipped"
	exit 0
fi

"$K" report --json >"$T/r.json" 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] && ok report_json_exits_0 || bad report_json_exits_0 "exit $rc: $(cat "$T/err")"
[ "$(wc -l <"$T/r.json")" -eq 1 ] && ok report_json_one_line || bad report_json_one_line
has report_json_schema_first "$T/r.json" '{"schema":"kasblock-report/1","version":"'
has report_json_sections "$T/r.json" '"host":{"hostname":' '"kernel_release":"'"$(uname -r)"'"' \
	'"identification":{"schema":"kasblock-scan/2",' '"enforcement":{"loaded":false,' \
	'"remediation":{"swept":false,"error":"kasblock module is not loaded"'
# Without the module nothing of it is made up: null, not 0 or "enforce".
has report_json_no_module_nulls "$T/r.json" '"module_version":null,"mode":null,"locked":null,"entries":null,"generation":null,"policy_digest":null,"fail_policy":null,"counters":null,' \
	'"processes_running_listed_code":null,"modules_listed":null,"sweep":null}'
grep -qE '"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"' "$T/r.json" &&
	ok report_json_time_rfc3339 || bad report_json_time_rfc3339
# A hardening value that is null is named in "unreadable", with why.
for key in modules_disabled lockdown secure_boot; do
	if grep -qF "\"$key\":null" "$T/r.json"; then
		has "report_json_${key}_null_is_named" "$T/r.json" "{\"key\":\"$key\",\"error\":\""
	else
		grep -qF "{\"key\":\"$key\"" "$T/r.json" && bad "report_json_${key}_value_not_unreadable" ||
			ok "report_json_${key}_read"
	fi
done
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["identification"]["summary"]["endpoints_scanned"] == 1' \
		"$T/r.json" 2>"$T/err" && ok report_json_parses || bad report_json_parses "$(cat "$T/err")"
else
	skip report_json_parses "no python3"
fi

"$K" report >"$T/r.txt" 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] && ok report_text_exits_0 || bad report_text_exits_0 "exit $rc"
has report_text_sections "$T/r.txt" "kasblock report of " "identification" "products found:" \
	"enforcement" "module:            not loaded" "remediation" "not swept (kasblock module is not loaded)"

# An unprivileged user gets the same report, with what it cannot read marked.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	cp "$K" "$T/kasblockctl" && chmod 755 "$T" "$T/kasblockctl"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$T/kasblockctl" report --json >"$T/u.json" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 0 ] && ok report_as_nobody_exits_0 || bad report_as_nobody_exits_0 "exit $rc: $(cat "$T/err")"
	has report_as_nobody_not_loaded "$T/u.json" '"enforcement":{"loaded":false,'
else
	skip report_as_nobody "not root, or no setpriv"
fi

"$K" report --bogus >/dev/null 2>"$T/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "unrecognized option '--bogus'\|unknown option\|--bogus" "$T/err" &&
	ok report_bad_option_is_2 || bad report_bad_option_is_2 "exit $rc: $(cat "$T/err")"
"$K" report extra >/dev/null 2>"$T/err"
[ $? -eq 2 ] && ok report_extra_argument_is_2 || bad report_extra_argument_is_2
"$K" report --help | grep -qF -- '-j, --json' && ok report_help || bad report_help

# A report that cannot be written is a failure, said once.
if [ -w /dev/full ]; then
	for form in json text; do
		if [ "$form" = json ]; then "$K" report --json; else "$K" report; fi >/dev/full 2>"$T/err"
		rc=$?
		if [ "$rc" -eq 1 ] && grep -qF "write error: No space left on device" "$T/err" &&
		   [ "$(wc -l <"$T/err")" -eq 1 ]; then
			ok "report_${form}_to_dev_full_is_1"
		else
			bad "report_${form}_to_dev_full_is_1" "exit $rc: $(cat "$T/err")"
		fi
	done
else
	skip report_to_dev_full "no /dev/full"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
