#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kasblock bench, inside the VM (kbvm.run=bench, booted by scripts/bench.sh
# with kbvm.insmod=0): every measurement of one boot, first without the
# module, then with it. POSIX sh: busybox is all the VM has.
#
# Prints a table between KBBENCH-TABLE-BEGIN and KBBENCH-TABLE-END, then one
# line "KBBENCH-JSON {...}". Under TCG the absolute times mean little: the
# ratios to the same boot's baseline are the result.
#
# Environment (or kernel command line kbbench.n=, kbbench.entries=):
#   N        spawns per spawn measurement (1000)
#   ENTRIES  list entries (1000000)
set -u
B=${KB_BENCH_DIR:-/kasblock/bench}
KO=${KASBLOCK_KO:-/kasblock/kasblock.ko}
CTL=/usr/sbin/kasblockctl
N=${N:-1000}
ENTRIES=${ENTRIES:-1000000}
BIG_MB=64
COPIES=3
for arg in $(cat /proc/cmdline); do
	case $arg in
	kbbench.n=*) N=${arg#kbbench.n=} ;;
	kbbench.entries=*) ENTRIES=${arg#kbbench.entries=} ;;
	esac
done
W=/tmp/kbbench
R=/tmp/kbbench-ramfs
mkdir -p "$W" "$R"
mount -t ramfs -o mode=0755 kbbench-ramfs "$R" || fail "mounting a ramfs on $R"
cp "$B/tiny" "$W/tiny"
cp -a "$B/libs" "$W/libs"

fail() {
	echo "KBBENCH-ERROR $*"
	exit 1
}

# us N PROG ARGS...: the median microseconds of N runs.
us() {
	out=$("$B/spawn" "$@") || fail "spawn $*"
	echo "$out" | sed -n 's/^median_us=\([0-9.]*\).*/\1/p'
}

# first_exec TAG [DIR]: median of COPIES first execs of fresh copies of the big
# file in DIR (default $W, a tmpfs: kasblock reads it with kernel_read(); on
# $R, a ramfs, it hashes the page cache folio by folio, as on a disk filesystem).
first_exec() {
	i=0 all='' d=${2:-$W}
	while [ $i -lt $COPIES ]; do
		cp "$W/big" "$d/big.$1.$i"
		all="$all $(us 1 "$d/big.$1.$i")"
		rm -f "$d/big.$1.$i"
		i=$((i + 1))
	done
	echo $all | tr ' ' '\n' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

meminfo() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }

echo "KBBENCH: N=$N entries=$ENTRIES big=${BIG_MB}MB kernel=$(uname -r) cpus=$(nproc)"
# The inputs, made before anything is measured.
cat "$W/tiny" >"$W/big"
head -c $((BIG_MB * 1048576)) /dev/urandom >>"$W/big" || fail "making the big file"
chmod 755 "$W/big"
"$B/gendigests" "$ENTRIES" >"$W/list" || fail "gendigests"
sync

# --- without the module ---
grep -q '^kasblock ' /proc/modules && fail "kasblock is loaded: boot with kbvm.insmod=0"
base_spawn=$(us "$N" "$W/tiny")
base_dl=$(us $((N / 6 + 1)) "$B/dlopen50" "$W/libs")
base_big=$(first_exec base)
base_big_ram=$(first_exec base "$R")
sha_big=$(us $COPIES /usr/bin/sha256sum "$W/big")
# The load's baseline: the same file read, parsed, sorted and hashed in user
# space (kasblockctl digest), so load - parse is what the kernel side costs.
parse=$(us 1 "$CTL" digest "$W/list")

# --- with the module ---
avail0=$(meminfo MemAvailable) slab0=$(meminfo Slab) vm0=$(meminfo VmallocUsed)
insmod "$KO" || fail "insmod $KO"
avail1=$(meminfo MemAvailable) slab1=$(meminfo Slab) vm1=$(meminfo VmallocUsed)
driver=$($CTL status --json | sed -n 's/.*"hash_driver":"\([^"]*\)".*/\1/p')
empty_spawn=$(us "$N" "$W/tiny")
load=$(us 1 "$CTL" load "$W/list")
echo 3 >/proc/sys/vm/drop_caches 2>/dev/null
avail2=$(meminfo MemAvailable) slab2=$(meminfo Slab) vm2=$(meminfo VmallocUsed)
loaded=$($CTL status --json | sed -n 's/.*"entries":\([0-9]*\).*/\1/p')
[ "$loaded" = "$ENTRIES" ] || fail "loaded $loaded entries, not $ENTRIES"
slabline=$(grep '^kasblock_entry ' /proc/slabinfo 2>/dev/null | awk '{print $2, $3, $4}')
mod_spawn=$(us "$N" "$W/tiny")
mod_dl=$(us $((N / 6 + 1)) "$B/dlopen50" "$W/libs")
mod_big=$(first_exec mod)
mod_big_ram=$(first_exec mod "$R")
hits=$($CTL status --json | sed -n 's/.*"cache_hits":\([0-9]*\).*/\1/p')

# --- without the module again: the spread of the two baselines is the noise ---
$CTL flush >/dev/null
rmmod kasblock || fail "rmmod kasblock"
base_spawn2=$(us "$N" "$W/tiny")
base_dl2=$(us $((N / 6 + 1)) "$B/dlopen50" "$W/libs")

# --- fapolicyd with the equivalent rule: deny execute of one sha256 ---
fapo_spawn=0 fapo_dl=0 fapo_big=0
fapo_why="not measured: fapolicyd not in the initramfs (download failed or KB_BENCH_FAPOLICYD=0)"
F=$B/fapolicyd
if [ -x "$F/fapolicyd" ]; then
	fapo_why=''
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
	"$F/fapolicyd" --debug-deny >/tmp/fapolicyd.log 2>&1 &
	fapo_pid=$!
	# Ready once it denies the listed file (under TCG startup takes a while).
	i=0
	while [ $i -lt 120 ]; do
		kill -0 $fapo_pid 2>/dev/null || break
		"$B/spawn" 1 "$W/denyme" >/dev/null 2>&1 || break
		sleep 1
		i=$((i + 1))
	done
	if ! kill -0 $fapo_pid 2>/dev/null; then
		fapo_why="not measured: fapolicyd exited: $(tail -n 3 /tmp/fapolicyd.log | tr '\n"' ' ' | cut -c1-160)"
	elif [ $i -ge 120 ]; then
		fapo_why="not measured: fapolicyd did not deny the listed file within 120 s"
	elif ! grep -q "dec=deny.*denyme" /tmp/fapolicyd.log; then
		fapo_why="not measured: the listed file failed to run but fapolicyd logged no denial of it"
	else
		fapo_spawn=$(us "$N" "$W/tiny")
		fapo_dl=$(us $((N / 6 + 1)) "$B/dlopen50" "$W/libs")
		fapo_big=$(first_exec fapo)
	fi
	kill $fapo_pid 2>/dev/null
	wait $fapo_pid 2>/dev/null
	echo "KBBENCH: fapolicyd denial: $(grep -m1 "dec=deny.*denyme" /tmp/fapolicyd.log)"
fi

# --- results ---
awk -v n="$N" -v entries="$ENTRIES" -v driver="$driver" -v kernel="$(uname -r)" \
	-v base_spawn1="$base_spawn" -v base_spawn2="$base_spawn2" -v empty_spawn="$empty_spawn" -v mod_spawn="$mod_spawn" \
	-v base_dl1="$base_dl" -v base_dl2="$base_dl2" -v mod_dl="$mod_dl" -v base_big="$base_big" -v mod_big="$mod_big" \
	-v base_big_ram="$base_big_ram" -v mod_big_ram="$mod_big_ram" \
	-v sha_big="$sha_big" -v big_mb="$BIG_MB" -v load="$load" -v parse="$parse" \
	-v avail1="$avail1" -v avail2="$avail2" -v slab1="$slab1" -v slab2="$slab2" \
	-v vm1="$vm1" -v vm2="$vm2" -v fapo_why="$fapo_why" \
	-v fapo_spawn="$fapo_spawn" -v fapo_dl="$fapo_dl" -v fapo_big="$fapo_big" -v slabline="$slabline" -v hits="$hits" '
function r(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "n/a" }
BEGIN {
	# Baseline: the mean of the runs before insmod and after rmmod.
	base_spawn = (base_spawn1 + base_spawn2) / 2
	base_dl = (base_dl1 + base_dl2) / 2
	avail_b = (avail1 - avail2) * 1024 / entries
	slabvm_b = ((slab2 - slab1) + (vm2 - vm1)) * 1024 / entries
	split(slabline, s, " ")
	slab_b = s[1] > 0 ? sprintf("%.1f", s[1] * s[3] / entries) : "n/a (kasblock_entry merged into another slab cache)"
	print "KBBENCH-TABLE-BEGIN"
	printf "kasblock bench, kernel %s, one boot, times are medians\n", kernel
	printf "%-58s %14s %14s %8s\n", "measurement", "baseline", "kasblock", "ratio"
	printf "%-58s %12.1fus %12.1fus %8s\n", "(a) spawn baseline: before insmod vs after rmmod", base_spawn1, base_spawn2, r(base_spawn2, base_spawn1)
	printf "%-58s %12.1fus %12.1fus %8s\n", "(a) spawn static binary, empty list (" n " runs)", base_spawn, empty_spawn, r(empty_spawn, base_spawn)
	printf "%-58s %12.1fus %12.1fus %8s\n", "(a) spawn static binary, " entries " entries, cached", base_spawn, mod_spawn, r(mod_spawn, base_spawn)
	printf "%-58s %12.1fus %12.1fus %8s\n", "(b) first exec of " big_mb " MB binary vs no module", base_big, mod_big, r(mod_big, base_big)
	printf "%-58s %12.1fus %12.1fus %8s\n", "(b) first exec of " big_mb " MB binary vs sha256sum of it", sha_big, mod_big, r(mod_big, sha_big)
	printf "%-58s %12.1fus %12.1fus %8s\n", "(b) the same on ramfs (page-cache folios) vs no module", base_big_ram, mod_big_ram, r(mod_big_ram, base_big_ram)
	printf "%-58s %12.1fus %12.1fus %8s\n", "(b) the same on ramfs (page-cache folios) vs sha256sum", sha_big, mod_big_ram, r(mod_big_ram, sha_big)
	printf "%-58s %12.1fus %12.1fus %8s\n", "(c) dlopen baseline: before insmod vs after rmmod", base_dl1, base_dl2, r(base_dl2, base_dl1)
	printf "%-58s %12.1fus %12.1fus %8s\n", "(c) program dlopen()ing 50 libraries, " entries " entries", base_dl, mod_dl, r(mod_dl, base_dl)
	printf "%-58s %12.1fus %12.1fus %8s\n", "(d) load of " entries " digests vs parsing the file (digest)", parse, load, r(load, parse)
	printf "%-58s %14s %14.1f\n", "(d) kernel bytes/entry, MemAvailable delta", "", avail_b
	printf "%-58s %14s %14.1f\n", "(d) kernel bytes/entry, Slab+VmallocUsed delta", "", slabvm_b
	printf "%-58s %14s %14s\n", "(d) kernel bytes/entry, kasblock_entry slab (objsize*objs/n)", "", slab_b
	printf "%-58s %14s %14s\n", "(e) SHA-256 driver", "", driver
	if (fapo_why != "") {
		printf "%-58s %s\n", "fapolicyd, equivalent sha256 deny rule", fapo_why
		fapo_json = "\"" fapo_why "\""
	} else {
		printf "%-58s %12.1fus %12.1fus %8s\n", "fapolicyd, sha256 deny rule: spawn static binary", base_spawn, fapo_spawn, r(fapo_spawn, base_spawn)
		printf "%-58s %12.1fus %12.1fus %8s\n", "fapolicyd, sha256 deny rule: dlopen 50 libraries", base_dl, fapo_dl, r(fapo_dl, base_dl)
		printf "%-58s %12.1fus %12.1fus %8s\n", "fapolicyd, sha256 deny rule: first exec " big_mb " MB vs sha256sum", sha_big, fapo_big, r(fapo_big, sha_big)
		fapo_json = sprintf("{\"spawn_us\":%s,\"spawn_ratio\":%s,\"dlopen50_us\":%s,\"dlopen50_ratio\":%s,\"big_first_exec_us\":%s,\"big_ratio_sha256sum\":%s}", \
			fapo_spawn, r(fapo_spawn, base_spawn), fapo_dl, r(fapo_dl, base_dl), fapo_big, r(fapo_big, sha_big))
	}
	print "KBBENCH-TABLE-END"
	printf "KBBENCH-JSON {\"kernel\":\"%s\",\"n\":%d,\"entries\":%d,\"hash_driver\":\"%s\"," \
		"\"spawn_us\":{\"baseline_before\":%s,\"baseline_after\":%s,\"baseline\":%.1f,\"empty_list\":%s,\"list_cached\":%s,\"ratio\":%s}," \
		"\"big_first_exec_us\":{\"size_mb\":%d,\"baseline\":%s,\"kasblock\":%s,\"sha256sum\":%s,\"ratio_sha256sum\":%s,\"ramfs_baseline\":%s,\"ramfs_kasblock\":%s,\"ramfs_ratio_sha256sum\":%s}," \
		"\"dlopen50_us\":{\"baseline_before\":%s,\"baseline_after\":%s,\"baseline\":%.1f,\"kasblock\":%s,\"ratio\":%s}," \
		"\"load_us\":%s,\"parse_us\":%s,\"bytes_per_entry_memavailable\":%.1f,\"bytes_per_entry_slab_vmalloc\":%.1f,\"cache_hits\":%d," \
		"\"fapolicyd\":%s}\n",
		kernel, n, entries, driver, base_spawn1, base_spawn2, base_spawn, empty_spawn, mod_spawn, r(mod_spawn, base_spawn),
		big_mb, base_big, mod_big, sha_big, r(mod_big, sha_big), base_big_ram, mod_big_ram, r(mod_big_ram, sha_big), base_dl1, base_dl2, base_dl, mod_dl, r(mod_dl, base_dl),
		load, parse, avail_b, slabvm_b, hits, fapo_json
}'
