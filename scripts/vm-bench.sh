#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kasblock bench, inside the VM (kbvm.run=bench, booted by scripts/bench.sh
# with kbvm.insmod=0). POSIX sh: busybox is all the VM has.
#
# Method: a settle period after boot, then ROUNDS rounds, each measuring the
# same programs in every state, interleaved in this one boot:
#   base (no module) -> empty (module, empty list) -> list (ENTRIES digests)
#   -> fapo (no module, fapolicyd with the equivalent rule) -> next round,
# and one last base after the last round. A state's ratio in round r is to
# the mean of base r and base r+1, the baselines either side of it; the row
# is the median of the rounds' ratios, its spread their max - min. Every
# measured run comes after unmeasured warm-up runs of the same program.
#
# Under -icount (scripts/bench.sh MODE=icount) CLOCK_MONOTONIC counts guest
# instructions (1 ns each), so the times are virtual and do not depend on
# host load; under MODE=wall they are the emulator's wall clock.
#
# Prints a table between KBBENCH-TABLE-BEGIN and KBBENCH-TABLE-END, then one
# line "KBBENCH-JSON {...}".
#
# Kernel command line: kbbench.n= (spawns per measurement, 200),
# kbbench.entries= (list entries, 1000000), kbbench.rounds= (3),
# kbbench.settle= (seconds after boot, 30), kbbench.mode= (icount|wall).
set -u
B=${KB_BENCH_DIR:-/kasblock/bench}
KO=${KASBLOCK_KO:-/kasblock/kasblock.ko}
CTL=/usr/sbin/kasblockctl
N=${N:-200}
ENTRIES=${ENTRIES:-1000000}
ROUNDS=${ROUNDS:-3}
SETTLE=${SETTLE:-30}
MODE=${MODE:-icount}
BIG_MB=64
for arg in $(cat /proc/cmdline); do
	case $arg in
	kbbench.n=*) N=${arg#kbbench.n=} ;;
	kbbench.entries=*) ENTRIES=${arg#kbbench.entries=} ;;
	kbbench.rounds=*) ROUNDS=${arg#kbbench.rounds=} ;;
	kbbench.settle=*) SETTLE=${arg#kbbench.settle=} ;;
	kbbench.mode=*) MODE=${arg#kbbench.mode=} ;;
	esac
done
# Runs per measurement: spawns N, dlopen50 N/8 (each is 50 mmaps and more),
# warm-ups a tenth; mmap calls per mmaploop run.
NDL=$((N / 8 + 1))
WARM=$((N / 10 + 1))
NMMAP=$((N * 100))
W=/tmp/kbbench
R=/tmp/kbbench-ramfs
RES=$W/results

fail() {
	echo "KBBENCH-ERROR $*"
	exit 1
}

mkdir -p "$W" "$R"
mount -t ramfs -o mode=0755 kbbench-ramfs "$R" || fail "mounting a ramfs on $R"
cp "$B/tiny" "$W/tiny"
cp "$B/dyn" "$W/dyn"
cp -a "$B/libs" "$W/libs"
: >"$RES"
: >"$W/hookns"

# rec STATE ROUND METRIC VALUE: one measurement, for the awk at the end.
rec() { echo "$1 $2 $3 $4" >>"$RES"; }

# us [-w W] N PROG ARGS...: the median microseconds of N runs.
us() {
	out=$("$B/spawn" "$@") || fail "spawn $*"
	echo "$out" | sed -n 's/^median_us=\([0-9.]*\).*/\1/p'
}

# first_exec DIR: one first exec of a fresh copy of the big file in DIR ($W,
# a tmpfs: kasblock reads it with kernel_read(); $R, a ramfs: it hashes the
# page cache folio by folio, as on a disk filesystem).
first_exec() {
	cp "$W/big" "$1/big.copy" || fail "copying the big file to $1"
	sync
	us 1 "$1/big.copy"
	rm -f "$1/big.copy"
}

# mmap_ns [-r]: ns per mmap+munmap of one library, the median of 3 runs
# (-r: PROT_READ, which the hook returns from at once).
mmap_ns() {
	for i in 1 2 3; do
		"$B/mmaploop" "$@" "$NMMAP" "$W/libs/libbench1.so" || fail "mmaploop $*"
	done | sed -n 's/^ns_per_call=\([0-9.]*\).*/\1/p' | sort -n | sed -n 2p
}

# hook_ns: where a cached check's time goes, from the module's debug_hook_ns
# counters, in loops of their own (collection costs clock reads, so the
# measured loops above run without it). Lines "CASE SLOT CALLS NS PER_CALL".
HOOKNS=$W/hookns
hook_ns() {
	P=/sys/module/kasblock/parameters
	[ -w $P/debug_hook_ns ] || return 0
	for c in mmap mmapr spawn_dynamic; do
		echo 1 >$P/debug_hook_ns
		case $c in
		mmap) "$B/mmaploop" "$NMMAP" "$W/libs/libbench1.so" >/dev/null ;;
		mmapr) "$B/mmaploop" -r "$NMMAP" "$W/libs/libbench1.so" >/dev/null ;;
		spawn_dynamic) "$B/spawn" "$N" "$W/dyn" >/dev/null ;;
		esac
		echo 0 >$P/debug_hook_ns
		sed "s/^/$c /" $P/debug_hook_stats >>"$HOOKNS"
	done
}

meminfo() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }

# small STATE ROUND: the cached measurements, each after its warm-up.
small() {
	rec "$1" "$2" spawn_static "$(us -w $WARM "$N" "$W/tiny")"
	rec "$1" "$2" spawn_dynamic "$(us -w $WARM "$N" "$W/dyn")"
	rec "$1" "$2" dlopen50 "$(us -w $((NDL / 10 + 1)) "$NDL" "$B/dlopen50" "$W/libs")"
	rec "$1" "$2" mmap_ns "$(mmap_ns)"
	rec "$1" "$2" mmapr_ns "$(mmap_ns -r)"
}

# big STATE ROUND: first execs (no warm-up can keep a first exec first).
big() {
	rec "$1" "$2" big_tmpfs "$(first_exec "$W")"
	rec "$1" "$2" big_ramfs "$(first_exec "$R")"
}

base() {
	grep -q '^kasblock ' /proc/modules && fail "kasblock is loaded: boot with kbvm.insmod=0"
	small base "$1"
	big base "$1"
	rec base "$1" sha256sum "$(us -w 1 1 /usr/bin/sha256sum "$W/big")"
	rec base "$1" openssl "$(us -w 1 1 /usr/bin/openssl dgst -sha256 "$W/big")"
	# The load's baseline: the same file read, parsed, sorted and hashed in
	# user space, so load - parse is what the kernel side costs.
	rec base "$1" parse "$(us -w 1 1 "$CTL" digest "$W/list")"
}

module() {
	insmod "$KO" || fail "insmod $KO"
	small empty "$1"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	slab1=$(meminfo Slab) vm1=$(meminfo VmallocUsed)
	rec list "$1" load "$(us 1 "$CTL" load "$W/list")"
	sync
	echo 3 >/proc/sys/vm/drop_caches
	slab2=$(meminfo Slab) vm2=$(meminfo VmallocUsed)
	rec list "$1" bytes_per_entry "$(awk -v d=$((slab2 - slab1 + vm2 - vm1)) -v n="$ENTRIES" 'BEGIN {printf "%.2f", d * 1024 / n}')"
	loaded=$($CTL status --json | sed -n 's/.*"entries":\([0-9]*\).*/\1/p')
	[ "$loaded" = "$ENTRIES" ] || fail "loaded $loaded entries, not $ENTRIES"
	small list "$1"
	[ "$1" = 1 ] && hook_ns
	big list "$1"
	driver=$($CTL status --json | sed -n 's/.*"hash_driver":"\([^"]*\)".*/\1/p')
	$CTL flush >/dev/null
	rmmod kasblock || fail "rmmod kasblock"
}

# --- fapolicyd with the equivalent rule: deny execute of one sha256 ---
F=$B/fapolicyd
fapo_why="not measured: fapolicyd not in the initramfs (download failed or KB_BENCH_FAPOLICYD=0)"
fapo_setup() {
	[ -x "$F/fapolicyd" ] || return 1
	cat "$W/tiny" >"$W/denyme" && echo fapolicyd-deny >>"$W/denyme" && chmod 755 "$W/denyme"
	deny_hex=$(sha256sum "$W/denyme" | cut -d' ' -f1)
	mkdir -p /etc/fapolicyd/trust.d /usr/share/fapolicyd /usr/share/misc /var/lib/fapolicyd /run/fapolicyd /var/log
	cp "$F/fapolicyd-magic.mgc" /usr/share/fapolicyd/
	cp "$F/magic.mgc" /usr/share/misc/
	cat >/etc/fapolicyd/fapolicyd.conf <<-EOC
	permissive = 0
	nice_val = 0
	q_size = 640
	uid = root
	gid = root
	do_stat_report = 0
	detailed_report = 0
	db_max_size = 50
	subj_cache_size = 1549
	obj_cache_size = 8191
	watch_fs = tmpfs,ramfs,rootfs
	trust = file
	integrity = none
	syslog_format = rule,dec,perm,auid,pid,exe,:,path,ftype,trust
	rpm_sha256_only = 0
	allow_filesystem_mark = 0
	EOC
	: >/etc/fapolicyd/fapolicyd.trust
	printf 'deny perm=execute all : sha256hash=%s\nallow perm=any all : all\n' "$deny_hex" \
		>/etc/fapolicyd/compiled.rules
	fapo_why=''
}

# fapo ROUND: start fapolicyd, wait until it denies the listed file, measure,
# stop it. Gives up (and says why) for the rest of the bench on a failure.
fapo() {
	[ -z "$fapo_why" ] || return 0
	"$F/fapolicyd" --debug-deny >/tmp/fapolicyd.log 2>&1 &
	fapo_pid=$!
	i=0
	while [ $i -lt 300 ]; do
		kill -0 $fapo_pid 2>/dev/null || break
		"$B/spawn" 1 "$W/denyme" >/dev/null 2>&1 || break
		sleep 1
		i=$((i + 1))
	done
	if ! kill -0 $fapo_pid 2>/dev/null; then
		fapo_why="not measured: fapolicyd exited: $(tail -n 3 /tmp/fapolicyd.log | tr '\n"' ' ' | cut -c1-160)"
	elif [ $i -ge 300 ]; then
		fapo_why="not measured: fapolicyd did not deny the listed file within 300 s"
	elif ! grep -q "dec=deny.*denyme" /tmp/fapolicyd.log; then
		fapo_why="not measured: the listed file failed to run but fapolicyd logged no denial of it"
	else
		[ "$1" = 1 ] && echo "KBBENCH: fapolicyd denial: $(grep -m1 "dec=deny.*denyme" /tmp/fapolicyd.log)"
		small fapo "$1"
		rec fapo "$1" big_tmpfs "$(first_exec "$W")"
	fi
	kill $fapo_pid 2>/dev/null
	wait $fapo_pid 2>/dev/null
}

# --- settle: no address-space randomisation, the kernel's start-up done ---
echo 0 >/proc/sys/kernel/randomize_va_space
echo "KBBENCH: mode=$MODE N=$N rounds=$ROUNDS entries=$ENTRIES big=${BIG_MB}MB settle=${SETTLE}s kernel=$(uname -r) cpus=$(nproc)"
# The inputs, made before anything is measured.
cat "$W/tiny" >"$W/big"
head -c $((BIG_MB * 1048576)) /dev/urandom >>"$W/big" || fail "making the big file"
chmod 755 "$W/big"
"$B/gendigests" "$ENTRIES" >"$W/list" || fail "gendigests"
fapo_setup
sync
echo 3 >/proc/sys/vm/drop_caches
sleep "$SETTLE"

driver=''
r=1
while [ "$r" -le "$ROUNDS" ]; do
	echo "KBBENCH: round $r of $ROUNDS"
	base "$r"
	module "$r"
	fapo "$r"
	r=$((r + 1))
done
echo "KBBENCH: closing baseline"
base "$r"

# --- results ---
awk -v rounds="$ROUNDS" -v n="$N" -v ndl="$NDL" -v nmmap="$NMMAP" -v entries="$ENTRIES" \
	-v driver="$driver" -v kernel="$(uname -r)" -v mode="$MODE" -v big_mb="$BIG_MB" \
	-v fapo_why="$fapo_why" -v hookns="$HOOKNS" '
{ v[$1, $2, $3] = $4 + 0 }
function med(a, k,    i, j, t, m) {
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	m = k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	lo = a[1]; hi = a[k]
	return m
}
# base_r(M, R): the interleaved baseline of round R.
function base_r(m, r) { return (v["base", r, m] + v["base", r + 1, m]) / 2 }
# stat(STATE, M): medians over the rounds of the absolute value (sm) and of
# its baseline (sb), ratio median (sr) and spread (slo, shi).
function stat(s, m,    r, x, y, z, k) {
	k = 0
	for (r = 1; r <= rounds; r++) {
		if (!((s, r, m) in v)) continue
		k++; x[k] = v[s, r, m]; y[k] = base_r(m, r); z[k] = base_r(m, r) > 0 ? v[s, r, m] / base_r(m, r) : 0
	}
	if (!k) return 0
	sm = med(x, k); sb = med(y, k); sr = med(z, k); slo = lo; shi = hi
	return k
}
# vs(STATE, M, REF): the same against another metric of the same round.
function vs(s, m, ref,    r, x, y, z, k, b) {
	k = 0
	for (r = 1; r <= rounds; r++) {
		if (!((s, r, m) in v)) continue
		b = ref == "fastest" ? fastest(r) : base_r(ref, r)
		k++; x[k] = v[s, r, m]; y[k] = b; z[k] = v[s, r, m] / b
	}
	if (!k) return 0
	sm = med(x, k); sb = med(y, k); sr = med(z, k); slo = lo; shi = hi
	return k
}
# drift(M): base r+1 / base r, how far the baseline itself moved between rounds.
function drift(m,    r, x, y, z, k) {
	k = 0
	for (r = 1; r <= rounds; r++) { k++; x[k] = v["base", r + 1, m]; y[k] = v["base", r, m]; z[k] = x[k] / y[k] }
	sm = med(x, k); sb = med(y, k); sr = med(z, k); slo = lo; shi = hi
	return k
}
function fastest(r,   a, b) { a = base_r("sha256sum", r); b = base_r("openssl", r); return a < b ? a : b }
# delta(STATE, M): per-round value - interleaved baseline (ns per call).
function delta(s, m,    r, x, y, z, k) {
	k = 0
	for (r = 1; r <= rounds; r++) {
		if (!((s, r, m) in v)) continue
		k++; x[k] = v[s, r, m]; y[k] = base_r(m, r); z[k] = v[s, r, m] - base_r(m, r)
	}
	if (!k) return 0
	sm = med(x, k); sb = med(y, k); sr = med(z, k); slo = lo; shi = hi
	return k
}
function fmt_t(us) { return us >= 1e6 ? sprintf("%.3f s", us / 1e6) : us >= 1e3 ? sprintf("%.2f ms", us / 1e3) : sprintf("%.1f us", us) }
# row ID NAME KIND(ratio|ns|bytes) UNIT TARGET: print and remember one row.
function row(id, name, kind, target,    verdict, val, sp, bs, ks, tg) {
	if (kind == "ratio") {
		val = sprintf("%.4f", sr); sp = sprintf("%.2f%%", sr > 0 ? (shi - slo) / sr * 100 : 0)
		bs = fmt_t(sb); ks = fmt_t(sm)
	} else if (kind == "time") {
		val = fmt_t(sr); sp = fmt_t(shi - slo); bs = fmt_t(sb); ks = fmt_t(sm)
	} else if (kind == "ns") {
		val = sprintf("%.1f ns", sr); sp = sprintf("%.1f ns", shi - slo)
		bs = sprintf("%.1f ns", sb); ks = sprintf("%.1f ns", sm)
	} else {
		val = sprintf("%.1f B", sr); sp = sprintf("%.1f B", shi - slo); bs = ""; ks = ""
	}
	if (target == "") { verdict = "-"; tg = "-" }
	# The targets are in instruction-count time; wall-clock TCG noise exceeds them.
	else if (mode != "icount") { verdict = "not judged (" mode " time)"; tg = "<= " target }
	else {
		tg = (kind == "ratio" ? "<= " : "<= ") target (kind == "ns" ? " ns" : kind == "bytes" ? " B" : "")
		verdict = sr <= target + 0 ? "met" : sprintf("missed by %s", kind == "ratio" ? sprintf("%.1f%%", (sr / (target + 0) - 1) * 100) : sprintf("%.1f %s", sr - target, kind == "ns" ? "ns" : "B"))
	}
	printf "%-3s %-58s %12s %12s %10s %9s %-10s %s\n", id, name, bs, ks, val, sp, tg, verdict
	json = json (json == "" ? "" : ",") sprintf("{\"row\":\"%s\",\"name\":\"%s\",\"kind\":\"%s\",\"baseline_us\":%s,\"value_us\":%s,\"median\":%s,\"spread\":%s,\"spread_lo\":%s,\"spread_hi\":%s,\"target\":%s,\"verdict\":\"%s\"}",
		id, name, kind, kind == "ratio" || kind == "time" ? sb : kind == "ns" ? sb / 1000 : "null", kind == "ratio" || kind == "time" ? sm : kind == "ns" ? sm / 1000 : "null",
		sr, shi - slo, slo, shi, target == "" ? "null" : target, verdict)
}
function bytes(    r, x, k) {
	k = 0
	for (r = 1; r <= rounds; r++) if (("list", r, "bytes_per_entry") in v) { k++; x[k] = v["list", r, "bytes_per_entry"] }
	sr = k ? med(x, k) : 0; slo = lo; shi = hi
}
END {
	print "KBBENCH-TABLE-BEGIN"
	printf "kasblock bench, kernel %s, %s time, %d rounds interleaved in one boot; medians, spread = max-min over rounds\n", kernel, mode, rounds
	printf "%-3s %-58s %12s %12s %10s %9s %-10s %s\n", "row", "measurement", "baseline", "measured", "median", "spread", "target", "verdict"
	drift("spawn_static"); row("0", "baseline drift, base r+1 / base r: static spawn", "ratio", "")
	drift("spawn_dynamic"); row("0", "baseline drift, base r+1 / base r: dynamic spawn", "ratio", "")
	drift("dlopen50"); row("0", "baseline drift, base r+1 / base r: dlopen 50", "ratio", "")
	stat("list", "spawn_static"); row("1", "spawn static binary, " entries " entries, cached", "ratio", "1.01")
	stat("list", "spawn_dynamic"); row("2", "spawn dynamic binary (ld.so+libc), cached", "ratio", "1.01")
	stat("list", "dlopen50"); row("3", "program dlopen()ing 50 libraries, cached", "ratio", "1.02")
	delta("list", "mmap_ns"); row("4", "cached mmap(PROT_EXEC) check, ns per call", "ns", "300")
	delta("empty", "mmap_ns"); row("5", "attach only (empty list), ns per mmap call", "ns", "")
	delta("list", "mmapr_ns"); row("5", "attach only (PROT_READ mmap, hook returns at once), ns", "ns", "")
	stat("empty", "spawn_static"); row("5", "attach only (empty list): static spawn", "ratio", "")
	stat("empty", "spawn_dynamic"); row("5", "attach only (empty list): dynamic spawn", "ratio", "")
	stat("empty", "dlopen50"); row("5", "attach only (empty list): dlopen 50", "ratio", "")
	vs("list", "big_tmpfs", "fastest"); row("6", "first exec " big_mb " MB (tmpfs) vs faster of sha256sum/openssl", "ratio", "1.00")
	vs("list", "big_ramfs", "fastest"); row("6", "first exec " big_mb " MB (ramfs) vs faster of sha256sum/openssl", "ratio", "1.00")
	delta("list", "big_tmpfs"); row("6", "first exec " big_mb " MB (tmpfs): time the module adds", "time", "")
	delta("list", "big_ramfs"); row("6", "first exec " big_mb " MB (ramfs): time the module adds", "time", "")
	vs("base", "openssl", "sha256sum"); row("6", "openssl dgst -sha256 vs sha256sum", "ratio", "")
	vs("list", "load", "parse"); row("7", "kasblockctl load of " entries " vs digest (parse)", "ratio", "")
	bytes(); row("8", "kernel bytes per entry (Slab+VmallocUsed delta)", "bytes", "48")
	if (fapo_why != "") printf "%-3s %-58s %s\n", "9", "fapolicyd, equivalent sha256 deny rule", fapo_why
	else {
		stat("fapo", "spawn_static"); row("9", "fapolicyd: spawn static binary", "ratio", "")
		stat("fapo", "spawn_dynamic"); row("9", "fapolicyd: spawn dynamic binary", "ratio", "")
		stat("fapo", "dlopen50"); row("9", "fapolicyd: dlopen 50 libraries", "ratio", "")
		delta("fapo", "mmap_ns"); row("9", "fapolicyd: mmap(PROT_EXEC), ns per call", "ns", "")
		vs("fapo", "big_tmpfs", "fastest"); row("9", "fapolicyd: first exec " big_mb " MB vs faster hasher", "ratio", "")
	}
	printf "SHA-256 driver the module chose: %s\n", driver
	# The per-hook breakdown (vm-bench.sh hook_ns), in instruction-count ns.
	hj = ""
	while ((getline line < hookns) > 0) {
		split(line, f, " ")
		if (hj == "") printf "per-hook time, round 1 (debug_hook_ns; clock reads included): case slot calls ns/call\n"
		if (f[2] == "clock_read_ns") { printf "  %-14s %-32s %12s %10s\n", f[1], "clock read", "", f[3]; hj = hj (hj == "" ? "" : ",") sprintf("{\"case\":\"%s\",\"slot\":\"clock_read\",\"ns_per_call\":%s}", f[1], f[3]); continue }
		printf "  %-14s %-32s %12s %10s\n", f[1], f[2], f[3], f[5]
		hj = hj (hj == "" ? "" : ",") sprintf("{\"case\":\"%s\",\"slot\":\"%s\",\"calls\":%s,\"ns\":%s,\"ns_per_call\":%s}", f[1], f[2], f[3], f[4], f[5])
	}
	print "KBBENCH-TABLE-END"
	printf "KBBENCH-JSON {\"kernel\":\"%s\",\"mode\":\"%s\",\"rounds\":%d,\"n\":%d,\"n_dlopen\":%d,\"n_mmap\":%d,\"entries\":%d,\"hash_driver\":\"%s\",\"fapolicyd\":\"%s\",\"rows\":[%s],\"hook_ns\":[%s]}\n",
		kernel, mode, rounds, n, ndl, nmmap, entries, driver, fapo_why == "" ? "measured" : fapo_why, json, hj
}' "$RES"
# The raw measurements, for anyone who wants to recompute.
sed 's/^/KBBENCH-RAW /' "$RES"
