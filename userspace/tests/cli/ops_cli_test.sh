#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The operations commands without a module: digest (known vectors, files in
# any order), load of several files (a bad line in any file stops it before
# the kernel is asked), hash --module on xz, zstd and gzip modules, and
# monitor's command line.

K=${KASBLOCKCTL:-$(dirname "$0")/../../kasblockctl}
export LC_ALL=C
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

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

# same NAME EXPECTED CMD...: stdout is exactly EXPECTED (and the exit status 0)
same() {
	local name=$1 want=$2 got
	shift 2
	if ! got=$("$@" 2>"$T/err") || [ "$got" != "$want" ]; then
		fail "$name" "got '$got', expected '$want'"; sed 's/^/  /' "$T/err"
	else
		ok "$name"
	fi
}

EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
A=ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb
B=3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d
C=2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6
ABC=46c4cf3be906323205e07cbafdad7e8927571191219c9e48b052ddc906d44495

: >"$T/empty.list"
printf '# three\n%s  a\n%s  b\n%s  c\n' $A $B $C >"$T/abc.list"
printf '%s\n%s  see\n%s *bee\n%s\n' $C $C $B $A >"$T/cba.list"
printf '%s  a\n' $A >"$T/a.list"
printf '%s  b\n%s  c\n' $B $C >"$T/bc.list"
printf '%s  a\n\nnot a line\n' $A >"$T/bad.list"

same digest_empty_list $EMPTY "$K" digest "$T/empty.list"
same digest_known_vector $ABC "$K" digest "$T/abc.list"
same digest_other_order_duplicates_labels $ABC "$K" digest "$T/cba.list"
same digest_union_of_files $ABC "$K" digest "$T/bc.list" "$T/a.list" "$T/empty.list"
same digest_stdin $ABC "$K" digest - <"$T/cba.list"
# An independent computation, in case both vectors above were made wrong alike.
want=$(printf '%s\n' $C $A $B | sort | perl -ne 'chomp; print pack("H*", $_)' | sha256sum | cut -d' ' -f1)
same digest_matches_sort_and_sha256sum "$want" "$K" digest "$T/abc.list"
run digest_bad_line_names_file_and_line 2 "$T/bad.list:3: not a hex digit in digest" \
	"$K" digest "$T/a.list" "$T/bad.list"
run digest_no_file 2 "kasblockctl: digest: no file given" "$K" digest
run digest_missing_file 1 "kasblockctl: digest: $T/nope: No such file or directory" "$K" digest "$T/nope"
run digest_help 0 "Usage: kasblockctl digest [--json] FILE..." "$K" digest --help

run load_help_several_files 0 "FILE..." "$K" load --help
# Every file is parsed before the kernel is asked: a bad second file is a
# usage error naming it, even with no module loaded.
run load_bad_second_file 2 "$T/bad.list:3:" "$K" load "$T/a.list" "$T/bad.list"
run load_missing_second_file 1 "load: $T/nope: No such file" "$K" load "$T/a.list" "$T/nope"
run load_stdin_twice 2 "standard input (-) given twice" "$K" load "$T/a.list" - -
if [ ! -e /sys/module/kasblock ]; then
	run load_several_good_files_reach_the_kernel 3 "not loaded" "$K" load "$T/a.list" "$T/bc.list"
fi

# hash --module: the file's digest, then the image's, as a list file.
head -c 200000 /dev/urandom >"$T/m.ko"
image=$(sha256sum <"$T/m.ko" | cut -d' ' -f1)
run hash_module_plain_one_line 0 "" "$K" hash --module "$T/m.ko"
if [ "$(cat "$T/out")" = "$image  $T/m.ko" ]; then ok hash_module_plain_output; else
	fail hash_module_plain_output "$(cat "$T/out")"; fi
for c in "xz:xz -c" "zst:zstd -q -c" "gz:gzip -c"; do
	ext=${c%%:*} prog=${c#*:}
	if ! command -v "${prog%% *}" >/dev/null; then
		echo "ok   hash_module_$ext # SKIP ${prog%% *} not installed"
		continue
	fi
	$prog <"$T/m.ko" >"$T/m.ko.$ext"
	file=$(sha256sum <"$T/m.ko.$ext" | cut -d' ' -f1)
	want=$(printf '%s  %s\n%s  %s (decompressed)' "$file" "$T/m.ko.$ext" "$image" "$T/m.ko.$ext")
	same "hash_module_$ext" "$want" "$K" hash --module "$T/m.ko.$ext"
	# The output is a list: it loads (parses) and its digest is of both lines.
	"$K" hash --module "$T/m.ko.$ext" >"$T/mod.list"
	want=$(printf '%s\n' "$file" "$image" | sort | perl -ne 'chomp; print pack("H*", $_)' | sha256sum | cut -d' ' -f1)
	same "hash_module_${ext}_output_is_a_list" "$want" "$K" digest "$T/mod.list"
	head -c 1000 "$T/m.ko.$ext" >"$T/cut.ko.$ext"
	run "hash_module_truncated_$ext" 1 "cut.ko.$ext: corrupt or truncated" "$K" hash --module "$T/cut.ko.$ext"
done
# Formats are told by content, not by name; without --module there is one line.
if command -v xz >/dev/null; then
	xz -c <"$T/m.ko" >"$T/renamed.ko"
	run hash_module_by_magic 0 "$T/renamed.ko (decompressed)" "$K" hash --module "$T/renamed.ko"
	same hash_without_module_one_line "$(sha256sum "$T/m.ko.xz")" "$K" hash "$T/m.ko.xz"
	xz -c <"$T/m.ko" | cat - "$T/m.ko.xz" >"$T/two.ko.xz"
	run hash_module_concatenated_xz 0 "$(cat "$T/m.ko" "$T/m.ko" | sha256sum | cut -d' ' -f1)  $T/two.ko.xz (decompressed)" \
		"$K" hash --module "$T/two.ko.xz"
fi
run hash_module_help 0 "Usage: kasblockctl hash [--module] [--json] FILE..." "$K" hash --help

run monitor_help 0 "Usage: kasblockctl monitor [--json] [--count N]" "$K" monitor --help
run monitor_bad_count 2 "bad count \"0\"" "$K" monitor --count 0
run monitor_bad_count_text 2 "bad count \"x\"" "$K" monitor -c x
run monitor_extra_argument 2 "unexpected argument 'now'" "$K" monitor now
if [ ! -e /sys/module/kasblock ]; then
	run monitor_without_module 3 "kasblock module is not loaded" "$K" monitor --count 1
fi

echo "$passed passed, $failed failed, ${skipped:-0} skipped"
[ "$failed" -eq 0 ]
