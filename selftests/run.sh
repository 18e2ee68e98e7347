#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kasblock selftests: run every test program beside this script, in the VM, as
# root, with kasblock.ko loaded. POSIX sh: busybox is all the VM has.
#
# Usage: run.sh [PROGRAM...]        default: every *_test here, sorted, tpm_test first, lock_test last
# Environment:
#   KASBLOCK_KO    the module, for tests that reload it (/kasblock/kasblock.ko)
#   KASBLOCKCTL    the tool (/usr/sbin/kasblockctl)
#   KST_TIMEOUT    seconds one program may take before it is killed (600)
#   KST_SKIP_LOCK  1: leave out lock_test, which locks the module until reboot
#
# Output, kselftest style (what scripts/check.sh parses):
#   TAP version 13
#   1..<number of programs>
#   # selftests: kasblock: exec_test
#   # TAP version 13                         the program's own TAP 13, each
#   # ok 1 exec.listed_binary_is_denied      line prefixed with "# "
#   # not ok 2 exec.unlisted_binary_runs
#   ok 1 selftests: kasblock: exec_test      one line per program ("not ok" if
#   ...                                      any of its tests failed or it crashed)
#   # kasblock selftests: 3 skipped
#   # kasblock selftests: 41 passed, 1 failed
# The last line counts individual tests over all programs (a program that dies
# without reporting a failure counts as one failed test). Skipped tests count as
# neither. Exit status: 0 when nothing failed, 1 otherwise.

dir=$(cd "$(dirname "$0")" && pwd)
ko=${KASBLOCK_KO:-/kasblock/kasblock.ko}
limit=${KST_TIMEOUT:-600}
params=/sys/module/kasblock/parameters
log=$(mktemp /tmp/kst-run.XXXXXX)
trap 'rm -f "$log"' EXIT

# lock_test locks the module until reboot: it runs last, when it runs at all.
# tpm_test runs first: it replays the measurement log to the PCR, which holds
# only while the module loaded at boot is the one running (a reload starts a
# new log on the same PCR) and its log is not full (stress tests make
# thousands of changes).
if [ $# -eq 0 ]; then
	set -- $(cd "$dir" && ls *_test 2>/dev/null | grep -v -e '^lock_test$' -e '^tpm_test$' | sort)
	if [ -x "$dir/tpm_test" ]; then
		set -- tpm_test "$@"
	fi
	if [ -x "$dir/lock_test" ] && [ "${KST_SKIP_LOCK:-0}" != 1 ]; then
		set -- "$@" lock_test
	fi
fi

# Whatever a killed program left behind, the next one starts from defaults.
# Sysfs first, with shell builtins: a program killed while fail_closed=1 and a
# tiny max_hash_size were set leaves a system that can exec almost nothing.
reset_module() {
	if [ -d "$params" ]; then
		# Refused once the module is locked (lock_test): that is fine.
		{
			echo 1048576 > "$params/max_entries"
			echo 536870912 > "$params/max_hash_size"
			echo N > "$params/fail_closed"
		} 2>/dev/null
	else
		out=$(insmod "$ko" 2>&1) || echo "# run.sh: cannot load $ko: $out"
	fi
}

# Prints the complete lines of $log after the first $shown, "# "-prefixed.
stream() {
	total=$(wc -l < "$log") || return
	if [ "$total" -gt "$shown" ]; then
		sed -n "$((shown + 1)),${total}s/^/# /p" "$log" && shown=$total
	fi
}

# Seconds since boot, with builtins only: while policy_test runs with a tiny
# max_hash_size and fail_closed=1, exec'ing sleep or date may fail.
now() {
	read -r up _ < /proc/uptime
	echo "${up%.*}"
}

# Whether process $1 still runs (a zombie has finished).
alive() {
	st=
	[ -r "/proc/$1/stat" ] && read -r _ _ st _ < "/proc/$1/stat" 2>/dev/null
	[ -n "$st" ] && [ "$st" != Z ]
}

echo "TAP version 13"
echo "1..$#"
n=0 passed=0 failed=0 skipped=0 status=0
for prog in "$@"; do
	n=$((n + 1))
	name=$(basename "$prog")
	echo "# selftests: kasblock: $name"
	reset_module
	: > "$log"
	# A file, not a pipe: a stray child still holding the program's output
	# must not keep this script waiting for an end of file.
	( cd "$dir" && exec "./$name" ) > "$log" 2>&1 &
	pid=$!
	shown=0 start=$(now)
	while alive "$pid"; do
		if [ $(($(now) - start)) -ge "$limit" ]; then
			echo "# $name: killed after ${limit}s"
			kill -9 "$pid"
			break
		fi
		sleep 1 2>/dev/null
		stream 2>/dev/null
	done
	wait "$pid"
	rc=$?
	[ -n "$(tail -c 1 "$log")" ] && echo >> "$log"	# a last line without its newline
	stream
	ok=$(grep -c '^ok ' "$log")
	skip=$(grep -c '^ok .*# SKIP' "$log")
	bad=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$bad" -eq 0 ]; then
		echo "# $name: exit status $rc without a failed test: counted as one failure"
		bad=1
	fi
	passed=$((passed + ok - skip))
	skipped=$((skipped + skip))
	failed=$((failed + bad))
	echo "# $name: $(($(now) - start))s"
	if [ "$bad" -eq 0 ]; then
		echo "ok $n selftests: kasblock: $name"
	else
		echo "not ok $n selftests: kasblock: $name # exit=$rc"
		status=1
	fi
done
reset_module

echo "# kasblock selftests: $skipped skipped"
echo "# kasblock selftests: $passed passed, $failed failed"
exit $status
