#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# How fast kasblockctl hashes on this host, against the tools everyone trusts:
# one file of KB_BENCH_MIB MiB (1024) of random bytes, hashed by kasblockctl
# hash, openssl dgst -sha256 and sha256sum in the same run, each after one
# warm-up pass so that all three read from the page cache; best of
# KB_BENCH_RUNS (3). Prints seconds, MB/s and each one's speed relative to
# openssl (kasblockctl's target: at least 0.9). `make bench-host`.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
K=${KASBLOCKCTL:-$here/userspace/kasblockctl}
mib=${KB_BENCH_MIB:-1024}
runs=${KB_BENCH_RUNS:-3}

[ -x "$K" ] || { echo "error: $K not built (make tool)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "error: openssl not installed" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/var/tmp}/kb-bench-host.XXXXXX")
trap 'rm -rf "$dir"' EXIT
f=$dir/data
head -c "$((mib * 1024 * 1024))" /dev/urandom >"$f"

# best NAME CMD...: the fastest of $runs timed runs, in seconds; the digest it printed must agree.
declare -A secs
want=$(sha256sum "$f" | cut -d' ' -f1)
best() {
	local name=$1 t0 t1 s b="" out i
	shift
	"$@" >/dev/null
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		out=$("$@")
		t1=$(date +%s%N)
		case $out in
		*"$want"*) ;;
		*) echo "error: $name printed a different digest: $out" >&2; exit 1 ;;
		esac
		s=$((t1 - t0))
		if [ -z "$b" ] || [ "$s" -lt "$b" ]; then b=$s; fi
	done
	secs[$name]=$b
}
best kasblockctl "$K" hash "$f"
best openssl openssl dgst -sha256 "$f"
best sha256sum sha256sum "$f"

printf '%s MiB, best of %s, %s\n' "$mib" "$runs" "$(openssl version)"
printf '%-12s %9s %9s %14s\n' tool seconds MB/s "vs openssl"
for n in kasblockctl openssl sha256sum; do
	awk -v n="$n" -v ns="${secs[$n]}" -v ref="${secs[openssl]}" -v mib="$mib" 'BEGIN {
		s = ns / 1e9
		printf "%-12s %9.3f %9.0f %13.2fx\n", n, s, mib * 1048576 / s / 1e6, ref / ns
	}'
done
awk -v k="${secs[kasblockctl]}" -v o="${secs[openssl]}" 'BEGIN { exit !(o / k >= 0.9) }' ||
	echo "note: kasblockctl below 0.9x of openssl's speed" >&2
