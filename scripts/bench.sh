#!/bin/bash
# `make bench`: boot one kernel (default the 6.12 line) in QEMU once and
# measure, in that boot, what kasblock costs: static and dynamic spawns, 50
# dlopen()s, a cached mmap(PROT_EXEC), the attach alone (empty list), the
# first exec of a 64 MB binary against sha256sum and openssl, loading
# 1,000,000 digests and their kernel memory, fapolicyd with the same rule;
# each in rounds interleaved with baselines (scripts/vm-bench.sh).
#
# usage: bench.sh [LINE|KVER]
# Prints the table; writes build/bench.json (bench-wall.json in wall mode) and
# build/<kver>/console-bench-<mode>.log.
# KB_BENCH_MODE=icount (default): QEMU's instruction-count clock
#   (-icount shift=0,sleep=off), one vCPU: 1 ns of virtual time per guest
#   instruction, independent of host load. KB_BENCH_MODE=wall: the emulator's
#   wall clock, 2 vCPUs (KB_VM_SMP), as the bench measured before.
# KB_VM_MEM defaults to 2G here (the million-entry list does not fit in 1G);
# KB_BENCH_N / KB_BENCH_ENTRIES / KB_BENCH_ROUNDS / KB_BENCH_SETTLE change the
# spawn count, the list size, the rounds (3) and the settle time after boot;
# KB_BENCH_FAPOLICYD=0 leaves out the fapolicyd comparison.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kver=$(kb_kver "${1:-6.12}")
mode=${KB_BENCH_MODE:-icount}
export KB_VM_MEM=${KB_VM_MEM:-2G}
case $mode in
icount)
	export KB_VM_ICOUNT=1 KB_VM_ACCEL=tcg KB_VM_SMP=${KB_VM_SMP:-1}
	# What else makes instruction counts differ from run to run: where the
	# kernel and its stacks lie (the guest's ASLR is off in vm-bench.sh).
	extra="nokaslr randomize_kstack_offset=off"
	;;
wall)
	export KB_VM_SMP=${KB_VM_SMP:-2}
	extra=''
	;;
*) kb_die "KB_BENCH_MODE is icount or wall, not $mode" ;;
esac
# coreutils' sha256sum rather than busybox's, as on a real system; openssl
# for its SHA-256 (libcrypto comes with it).
export KB_VM_HOST_PROGS=${KB_VM_HOST_PROGS:-setpriv bash sha256sum openssl}
dir=$KB_BUILD/$kver
log=$dir/console-bench-${KB_BENCH_MODE:-icount}.log
json_out=$KB_BUILD/bench.json
[ "${KB_BENCH_MODE:-icount}" = wall ] && json_out=$KB_BUILD/bench-wall.json
initrd=$dir/initramfs-bench.cpio.gz

"$KB_ROOT/scripts/install-deps.sh" || kb_die "installing the dependencies failed"
kb_fetch_kernel "$kver" >/dev/null
kb_log "building kasblock.ko for $kver"
ko=$("$KB_ROOT/scripts/build-module.sh" "$kver")
kb_log "building kasblockctl and the bench programs"
make -C "$KB_ROOT/userspace" >"$KB_BUILD/tool-build.log" 2>&1 ||
	kb_die "building kasblockctl failed (log: $KB_BUILD/tool-build.log)"
rm -rf "$KB_BUILD/bench"
make -C "$KB_ROOT/bench" OUT="$KB_BUILD/bench" >"$KB_BUILD/bench-build.log" 2>&1 ||
	kb_die "building the bench programs failed (log: $KB_BUILD/bench-build.log)"
# fapolicyd 1.1.7 (Debian 12) for the comparison row, unpacked, never installed:
# its daemon, magic file and config go to /kasblock/bench/fapolicyd in the VM.
fapo_stage() {
	local tmp deb
	tmp=$(mktemp -d)
	dpkg-query -W -f='${Status}' liblmdb0 2>/dev/null | grep -q 'ok installed' ||
		apt-get install -y liblmdb0 >/dev/null 2>&1 || { rm -rf "$tmp"; return 1; }
	(cd "$tmp" && apt-get download fapolicyd >/dev/null 2>&1) &&
		deb=$(ls "$tmp"/fapolicyd_*.deb) && dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; return 1; }
	mkdir -p "$KB_BUILD/bench/fapolicyd"
	cp -a "$tmp/root/usr/sbin/fapolicyd" "$tmp/root/usr/share/fapolicyd/fapolicyd-magic.mgc" \
		/usr/share/misc/magic.mgc "$KB_BUILD/bench/fapolicyd/"
	echo "${deb##*/}" >"$KB_BUILD/bench/fapolicyd/VERSION"
	rm -rf "$tmp"
}
if [ "${KB_BENCH_FAPOLICYD:-1}" = 1 ]; then
	fapo_stage || kb_warn "fapolicyd could not be fetched: its row will say so"
fi
"$KB_ROOT/scripts/mkinitramfs.sh" -m "$ko" -t "$KB_ROOT/userspace/kasblockctl" \
	-b "$KB_BUILD/bench" -o "$initrd" "$kver" >/dev/null

append="kbvm.insmod=0 kbbench.mode=$mode $extra"
[ -n "${KB_BENCH_N:-}" ] && append="$append kbbench.n=$KB_BENCH_N"
[ -n "${KB_BENCH_ENTRIES:-}" ] && append="$append kbbench.entries=$KB_BENCH_ENTRIES"
[ -n "${KB_BENCH_ROUNDS:-}" ] && append="$append kbbench.rounds=$KB_BENCH_ROUNDS"
[ -n "${KB_BENCH_SETTLE:-}" ] && append="$append kbbench.settle=$KB_BENCH_SETTLE"
kb_log "booting $kver (mode $mode, KB_VM_SMP=$KB_VM_SMP, KB_VM_MEM=$KB_VM_MEM, run=bench), console log: $log"
"$KB_ROOT/scripts/run-vm.sh" --run bench --initrd "$initrd" --log "$log" \
	--timeout "${KB_VM_TIMEOUT:-2400}" --append "$append" "$kver" >/dev/null || true

tr -d '\r' <"$log" | sed -n '/^KBBENCH-TABLE-BEGIN/,/^KBBENCH-TABLE-END/p' |
	sed '1d;$d' >"$dir/bench-table-${KB_BENCH_MODE:-icount}.txt"
json=$(tr -d '\r' <"$log" | sed -n 's/^KBBENCH-JSON //p' | tail -n1)
if [ -z "$json" ] || [ ! -s "$dir/bench-table-${KB_BENCH_MODE:-icount}.txt" ]; then
	tr -d '\r' <"$log" | grep -a '^KBBENCH' >&2 || true
	kb_die "the bench did not finish (console log: $log)"
fi
[ -f "$json_out" ] && mv "$json_out" "$json_out.prev"
echo "$json" >"$json_out"
cat "$dir/bench-table-${KB_BENCH_MODE:-icount}.txt"
# Against the previous run of the same mode: how far each row's median moved
# (for ratio rows, in percent of the ratio; two runs of one build should agree
# within 1% in icount mode).
if [ -f "$json_out.prev" ]; then
	echo "agreement with the previous run ($json_out.prev):"
	cat "$json_out.prev" "$json_out" | awk '
	{
		n = split($0, rows, /\{"row":/)
		for (i = 2; i <= n; i++) {
			match(rows[i], /"name":"[^"]*"/); name = substr(rows[i], RSTART + 8, RLENGTH - 9)
			match(rows[i], /"kind":"[^"]*"/); kind = substr(rows[i], RSTART + 8, RLENGTH - 9)
			match(rows[i], /"median":[-0-9.e+]*/); med = substr(rows[i], RSTART + 9, RLENGTH - 9) + 0
			if (NR == 1) prev[name] = med
			else if (name in prev) {
				if (kind == "ratio" && prev[name] > 0) {
					d = (med / prev[name] - 1) * 100
					printf "  %-58s %10.4f %10.4f %+7.2f%% %s\n", name, prev[name], med, d, (d < 1 && d > -1) ? "agrees" : "DIFFERS"
				} else
					printf "  %-58s %10.1f %10.1f %+7.1f\n", name, prev[name], med, med - prev[name]
			}
		}
	}'
fi
kb_log "wrote $json_out"
