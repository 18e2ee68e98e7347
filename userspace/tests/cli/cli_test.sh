#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kasblockctl's command line without a module: usage, exit codes, messages,
# list-file errors (checked before the kernel is asked) and hash output.

K=${KASBLOCKCTL:-$(dirname "$0")/../../kasblockctl}
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
H=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

# run NAME EXPECTED_EXIT STDERR_PATTERN CMD... : exit code and a fixed string in stdout+stderr
run() {
	local name=$1 want=$2 pattern=$3 rc
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL $name: exit $rc, expected $want"; sed 's/^/  /' "$T/err"
		failed=$((failed + 1))
	elif [ -n "$pattern" ] && ! grep -qF -- "$pattern" "$T/out" "$T/err"; then
		echo "FAIL $name: no \"$pattern\" in output"; sed 's/^/  /' "$T/out" "$T/err"
		failed=$((failed + 1))
	else
		echo "ok   $name"
		passed=$((passed + 1))
	fi
}

run version 0 "kasblockctl " "$K" --version
run no_args_is_usage_error 2 "Usage: kasblockctl COMMAND" "$K"
run help_lists_commands 0 "harvest" "$K" help
run help_command 0 "Usage: kasblockctl add [--label NAME] HASH..." "$K" help add
run help_unknown_command 2 "unknown command 'frob'" "$K" help frob
run command_help 0 "Usage: kasblockctl load " "$K" load --help
run unknown_command 2 "kasblockctl: unknown command 'frob'" "$K" frob
run unknown_option 2 "kasblockctl: list: unknown option '--frob'" "$K" list --frob
run missing_option_argument 2 "option '--label' needs an argument" "$K" add --label
run add_without_digest 2 "kasblockctl: add: no digest given" "$K" add
run add_bad_digest_quoted 2 "kasblockctl: add: bad digest \"xyz\": not a hex digit in digest" "$K" add xyz
run del_short_digest 2 "bad digest \"${H:0:63}\": digest too short" "$K" del "${H:0:63}"
run add_long_label 2 "label too long (at most 63 bytes)" "$K" add --label "$(printf '%064d' 0)" "$H"
run mode_unknown 2 "unknown mode \"strict\" (enforce or monitor)" "$K" mode strict
run status_extra_argument 2 "unexpected argument 'now'" "$K" status now
run load_stdin_twice 2 "standard input (-) given twice" "$K" load - -

printf '# list\n%s  good\n\n%s  bad\n' "$H" "${H}0" >"$T/list"
run load_bad_line_file_and_line 2 "$T/list:4: digest too long (expected 64 hex characters)" "$K" load "$T/list"
run load_bad_line_stdin 2 "<stdin>:1: missing separator" "$K" load - <<<"$H name"
printf '%s  a\r\n%s\r\n' "$H" "$H" >"$T/crlf"
printf '%s  a\n%s  n\0ul\n' "$H" "$H" >"$T/nul"
run load_nul_byte 2 "$T/nul:2: NUL byte in line" "$K" load "$T/nul"
run load_missing_file 1 "kasblockctl: load: $T/nope: No such file or directory" "$K" load "$T/nope"
run load_directory 1 "Is a directory" "$K" load "$T"
# No entries at all: refused before the module is asked (3 would mean it was).
: >"$T/empty"
printf '# only a comment\n\n' >"$T/comments"
run load_empty_file_refused 2 "no entries in $T/empty; refusing" "$K" load "$T/empty"
run load_comment_only_stdin_refused 2 "no entries in standard input" "$K" load - <"$T/comments"
run load_empty_files_refused 2 "no entries in any of the files" "$K" load "$T/empty" "$T/comments"
run load_empty_help_names_flag 0 "--allow-empty" "$K" load --help

if [ ! -e /sys/module/kasblock ]; then
	msg="kasblockctl: kasblock module is not loaded (try: modprobe kasblock)"
	run status_without_module 3 "$msg" "$K" status
	run list_without_module 3 "$msg" "$K" list
	run add_without_module 3 "$msg" "$K" add "$H"
	run load_valid_without_module 3 "$msg" "$K" load "$T/crlf"
	run load_allow_empty_goes_on 3 "$msg" "$K" load --allow-empty "$T/empty"
fi

# hash agrees with sha256sum, byte for byte, including its escaping of odd names.
printf 'hello\n' >"$T/plain"
: >"$T/empty"
printf 'x' >"$T/back\\slash"
printf 'y' >"$T/new
line"
head -c 300000 /dev/urandom >"$T/big"
files=("$T/plain" "$T/empty" "$T/back\\slash" "$T/new
line" "$T/big")
"$K" hash "${files[@]}" >"$T/ours" 2>&1
sha256sum "${files[@]}" >"$T/theirs"
if cmp -s "$T/ours" "$T/theirs"; then
	echo "ok   hash_matches_sha256sum"; passed=$((passed + 1))
else
	echo "FAIL hash_matches_sha256sum"; diff "$T/ours" "$T/theirs" | sed 's/^/  /'
	failed=$((failed + 1))
fi
run hash_stdin 0 "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  -" "$K" hash - <"$T/plain"
run hash_missing_file_goes_on 1 "$(sha256sum "$T/plain")" "$K" hash "$T/nope" "$T/plain"
run hash_no_file 2 "no file given" "$K" hash
# SHA-256 is OpenSSL's (README, "Building"): portable C was six times slower.
if readelf -d "$K" 2>/dev/null | grep -q 'NEEDED.*libcrypto\.so'; then
	echo "ok   hash_uses_libcrypto"; passed=$((passed + 1))
else
	echo "FAIL hash_uses_libcrypto: $K does not link libcrypto"; failed=$((failed + 1))
fi

# --json: one object per run, with its schema; a name that is not UTF-8 is an array of bytes.
printf 'z' >"$T/bad$(printf '\377')"
run hash_json 1 '{"schema":"kasblock-hash/1","files":[{"file":"'"$T"'/plain","sha256":"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"},{"file":"'"$T"'/nope","sha256":null}]}' \
	"$K" hash --json "$T/plain" "$T/nope"
bytes=$(printf '%s' "$T/bad" | od -An -tu1 | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
run hash_json_bytes 0 '{"file":['"$bytes"',255],"sha256":"594e519ae499312b29433b7dd8a97ff068defcba9755b6d5d00e84c524d67b06"}' \
	"$K" hash -j "$T/bad$(printf '\377')"
run hash_json_module_image_null 0 '"image_sha256":null}' "$K" hash -j -m "$T/plain"
printf '%s  a\n' "$H" >"$T/one-list"
run digest_json 0 '{"schema":"kasblock-digest/1","policy_digest":"'"$("$K" digest "$T/one-list")"'"}' \
	"$K" digest --json "$T/one-list"
run list_help_json 0 "-j, --json" "$K" list --help
run mode_help_json 0 "kasblock-mode/1" "$K" mode --help

# Output that cannot be written is a failure, with the errno's words (kb_cmd_exit).
full() {
	local name=$1 rc
	shift
	"$@" >/dev/full 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF "write error: No space left on device" "$T/err" &&
	   [ "$(wc -l <"$T/err")" -eq 1 ]; then
		echo "ok   $name"; passed=$((passed + 1))
	else
		echo "FAIL $name: exit $rc, expected 1 and one write error"; sed 's/^/  /' "$T/err"
		failed=$((failed + 1))
	fi
}
if [ -w /dev/full ]; then
	full full_version "$K" --version
	full full_help "$K" help
	full full_command_help "$K" status --help
	full full_hash "$K" hash "$T/plain"
	printf '%s  x\n' "$H" >"$T/one"
	full full_digest "$K" digest "$T/one"
	mkdir -p "$T/root"
	full full_scan_json "$K" scan --json --indicators "$(dirname "$0")/../../data/indicators" --root "$T/root"
	full full_scan_emit "$K" scan --quiet --emit-blocklist - --indicators "$(dirname "$0")/../../data/indicators" --root "$T/root"
fi

# sha256sum output is a list file; so is what hash prints.
"$K" hash "${files[@]}" >"$T/hashes"
if [ ! -e /sys/module/kasblock ]; then
	run load_accepts_hash_output 3 "not loaded" "$K" load "$T/hashes"
fi

echo "$passed passed, $failed failed, ${skipped:-0} skipped"
[ "$failed" -eq 0 ]
