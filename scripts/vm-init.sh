#!/bin/sh
# /init of the kasblock test VM (busybox sh, PID 1). Never exits: PID 1
# exiting panics the kernel; it powers the VM off instead.
#
# Kernel command line (read here, ignored by the kernel):
#   kbvm.run=check   run /kasblock/selftests/run.sh (TAP on stdout); default
#   kbvm.run=demo    run /kasblock/demo.sh
#   kbvm.run=bench   run /kasblock/bench/vm-bench.sh (scripts/bench.sh)
#   kbvm.run=shell   interactive shell on the console (scripts/run-vm.sh --shell)
#   kbvm.run=probe   print the end marker at once (accelerator probe)
#   kbvm.insmod=0    do not load kasblock.ko before running
#   kbvm.modargs=a=b,c=d   parameters for that insmod (commas become spaces)
#   kbvm.tests=a_test,b_test   run only these selftest programs (default: all)
#   kbvm.attest=NONCE,DIGEST  before the tests, with a TPM: list DIGEST, then
#                    `kasblockctl attest` with NONCE, printed base64 between
#                    KBVM-ATTEST-* markers with the AK's public key, for the
#                    host's verify; then flush
#   kbvm.timeout=N   after N seconds, dump the blocked tasks and stop the run
#                    (run-vm.sh sets it below its own QEMU timeout)
# The harness looks for the last line "KBVM-END status=<n>".

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root
export TERM=${TERM:-vt100}

# The console is a serial port: what is still in its transmit buffer at
# power-off is lost, and on PREEMPT_RT (the port's interrupt runs in a thread)
# that was the end of the dmesg dump and the end marker. Wait until the
# port's transmit count stops moving, at most 5 s.
drain_console() {
	last='' i=0
	while [ $i -lt 25 ]; do
		tx=$(grep -o 'tx:[0-9]*' /proc/tty/driver/serial 2>/dev/null | head -n1)
		[ -n "$tx" ] && [ "$tx" = "$last" ] && return
		last=$tx i=$((i + 1))
		sleep 0.2
	done
}

finish() {
	echo "KBVM-END status=$1"
	sync
	drain_console
	# With -no-reboot QEMU exits on reboot as on power-off; try both.
	poweroff -f
	sleep 2
	reboot -f
	while :; do sleep 60; done
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ip link set lo up
hostname kasblock-vm

run=check
insmod_ko=1
modargs=
tests=
timeout=0
attest=
for arg in $(cat /proc/cmdline); do
	case $arg in
	kbvm.run=*) run=${arg#kbvm.run=} ;;
	kbvm.insmod=*) insmod_ko=${arg#kbvm.insmod=} ;;
	kbvm.modargs=*) modargs=$(echo "${arg#kbvm.modargs=}" | tr , ' ') ;;
	kbvm.timeout=*) timeout=${arg#kbvm.timeout=} ;;
	kbvm.tests=*) tests=$(echo "${arg#kbvm.tests=}" | tr , ' ') ;;
	kbvm.attest=*) attest=${arg#kbvm.attest=} ;;
	esac
done

[ "$run" = probe ] && finish 0

echo "KBVM-BEGIN kernel=$(uname -r) run=$run cpus=$(nproc)"

# Only errors and worse reach the console while the tests print TAP (kernel
# lines would interleave with it); every message is in the "KBVM-DMESG"
# dump at the end, which the harness scans.
echo "4 4 1 7" >/proc/sys/kernel/printk

export KASBLOCK_KO=/kasblock/kasblock.ko
if [ "$insmod_ko" = 1 ]; then
	# shellcheck disable=SC2086 # word splitting of modargs is intended
	if out=$(insmod "$KASBLOCK_KO" $modargs 2>&1); then
		echo "KBVM-INSMOD status=0 kasblock.ko $modargs"
	else
		rc=$?
		echo "KBVM-INSMOD status=$rc kasblock.ko $modargs: $out"
	fi
fi

# Before the tests, in the module's first instance: a reload breaks the PCR's
# chain (the log starts again, the PCR does not), so a document made after the
# suite could not verify. One listed digest, quoted; the host verifies it and
# edited copies of it (scripts/check.sh attest_checks).
attest_export() {
	nonce=${1%%,*} digest=${1#*,} d=$(mktemp -d)
	if [ ! -e /dev/tpmrm0 ]; then
		echo "KBVM-ATTEST-FAILED no /dev/tpmrm0"
	elif kasblockctl add --label kbvm-attest "$digest" 2>"$d/err" &&
		kasblockctl attest --create-ak "$d/ak" >/dev/null 2>>"$d/err" &&
		kasblockctl attest --nonce "$nonce" --ak "$d/ak" --out "$d/doc.json" 2>>"$d/err"; then
		echo "KBVM-ATTEST-PEM-BEGIN"
		base64 "$d/ak.pem"
		echo "KBVM-ATTEST-PEM-END"
		echo "KBVM-ATTEST-DOC-BEGIN"
		base64 "$d/doc.json"
		echo "KBVM-ATTEST-DOC-END"
	else
		echo "KBVM-ATTEST-FAILED $(cat "$d/err")"
	fi
	kasblockctl flush 2>/dev/null
	rm -rf "$d"
}
[ -n "$attest" ] && [ "$run" = check ] && attest_export "$attest"

# watched CMD...: run CMD; past kbvm.timeout seconds, show what is stuck
# (sysrq w: blocked tasks, l: every CPU's backtrace) and kill it, so that
# a hang still ends with a kernel log and the end marker.
watched() {
	if [ "$timeout" -le 0 ]; then
		"$@"
		return
	fi
	"$@" &
	pid=$!
	(
		sleep "$timeout"
		echo "KBVM-WATCHDOG: still running after ${timeout}s: blocked tasks and backtraces follow in the kernel log"
		echo w >/proc/sysrq-trigger
		echo l >/proc/sysrq-trigger
		kill -9 "$pid" 2>/dev/null
	) &
	wd=$!
	wait "$pid"
	rc=$?
	kill "$wd" 2>/dev/null
	return $rc
}

status=0
case $run in
check)
	if [ -x /kasblock/selftests/run.sh ]; then
		# shellcheck disable=SC2086 # one word per program
		watched /kasblock/selftests/run.sh $tests
		status=$?
	else
		echo "not ok 1 selftests: /kasblock/selftests/run.sh is missing"
		status=1
	fi
	;;
demo)
	watched /kasblock/demo.sh
	status=$?
	;;
bench)
	watched /kasblock/bench/vm-bench.sh
	status=$?
	;;
shell)
	echo "kasblock VM shell: exit (or Ctrl-D) powers off"
	setsid cttyhack sh -l
	status=$?
	;;
*)
	echo "unknown kbvm.run=$run"
	status=2
	;;
esac

# Kernels with kmemleak (make check-debug): unload kasblock, which runs its
# exit path under the checkers and leaves what it lost unreferenced, then
# scan. A leak shows in the kernel log ("kmemleak: N new suspected memory
# leaks"), which the harness scans; the objects follow as KBVM-KMEMLEAK lines.
if [ -w /sys/kernel/debug/kmemleak ]; then
	# lock_test pins the module until reboot: then it is scanned loaded.
	if grep -q '^kasblock ' /proc/modules && ! out=$(rmmod kasblock 2>&1); then
		echo "KBVM-RMMOD kasblock stays loaded (locked?): $out"
	fi
	# kmemleak reports only objects older than 5 s; a second scan settles
	# pointers that were in flight during the first.
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	sed 's/^/KBVM-KMEMLEAK /' /sys/kernel/debug/kmemleak
fi

echo "KBVM-DMESG-BEGIN"
dmesg
echo "KBVM-DMESG-END"
finish "$status"
