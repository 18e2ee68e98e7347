#!/bin/bash
# Boot a Debian kernel with the kasblock initramfs in QEMU and wait for it to
# power off, bounded by a timeout.
#
# usage: run-vm.sh [--run check|demo|shell] [--log FILE] [--initrd FILE]
#                  [--timeout SEC] [--append ARGS] KVER|LINE
#
# The serial console goes to stdout and, without carriage returns, to the
# log (default build/<kver>/console-<run>.log). Exit status: 0 when the VM
# printed "KBVM-END status=0" and QEMU exited; the in-VM status when it was
# non-zero; 124 on timeout; 125 when the end marker is missing.
#
# Environment: KB_VM_ACCEL=auto|kvm|tcg (auto: KVM when a probe boot through
# it works, else TCG), KB_VM_MEM (1G), KB_VM_SMP (2), KB_VM_TIMEOUT (600),
# KB_VM_APPEND (extra kernel command line, e.g. "kbvm.modargs=mode=monitor"),
# KB_VM_ICOUNT=1 (TCG only, for scripts/bench.sh: the guest's clocks count
# instructions, one virtual ns each, and idle time is skipped; see
# README "Performance"), KB_VM_TPM=1 (a software TPM 2.0, Debian's swtpm, as
# a TIS device: the guest gets /dev/tpm0 and /dev/tpmrm0; its state lives in a
# fresh directory under build/<kver>/ and dies with the run).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

run=check log='' initrd='' append=${KB_VM_APPEND:-} timeout=${KB_VM_TIMEOUT:-600}
usage() { kb_die "usage: $0 [--run check|demo|shell] [--log FILE] [--initrd FILE] [--timeout SEC] [--append ARGS] KVER|LINE"; }
while [ $# -gt 0 ]; do
	case $1 in
	--run) run=$2; shift 2 ;;
	--shell) run=shell; shift ;;
	--log) log=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) append="$append $2"; shift 2 ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
kver=$(kb_kver "$1")

kernel=$KB_CACHE/kernel/$kver/vmlinuz
initrd=${initrd:-$KB_BUILD/$kver/initramfs.cpio.gz}
log=${log:-$KB_BUILD/$kver/console-$run.log}
[ -f "$kernel" ] || kb_die "no kernel $kernel (run scripts/fetch-kernel.sh $kver)"
[ -f "$initrd" ] || kb_die "no initramfs $initrd (run scripts/mkinitramfs.sh $kver)"
mkdir -p "$(dirname "$log")"

# qemu_cmd ACCEL: the QEMU command line for one accelerator.
qemu_cmd() {
	local accel=$1 cmdline
	# panic=-1: a panic reboots at once, and -no-reboot turns that into a
	# QEMU exit, so a crashed kernel ends the run instead of hanging it.
	# Oopses and warnings are not made fatal: the harness finds them in the
	# log, and the remaining tests still run.
	# kbvm.timeout: the VM's own watchdog fires 30 s before QEMU is killed,
	# so that a hung test still leaves a kernel log and task dump.
	# log_buf_len: the harness scans the dmesg dump taken at the end of the run
	# for warnings (only errors reach the console live), and the default 128 KB
	# ring wraps long before that: the netlink fuzz and stress tests alone log
	# thousands of policy changes, and an early warning would scroll out.
	cmdline="console=ttyS0 panic=-1 loglevel=7 printk.time=1 log_buf_len=16M kbvm.run=$run"
	[ "$run" != shell ] && [ "$timeout" -gt 60 ] && cmdline="$cmdline kbvm.timeout=$((timeout - 30))"
	cmdline="$cmdline $append"
	QEMU=(qemu-system-x86_64 -nodefaults -no-user-config -no-reboot
		-m "${KB_VM_MEM:-1G}" -smp "${KB_VM_SMP:-2}"
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline")
	case $accel in
	kvm) QEMU+=(-accel kvm -cpu host) ;;
	# Single-threaded TCG: multi-threaded TCG lets one vCPU keep executing code
	# another vCPU has just live-patched. The kernel's text_poke_bp() (ftrace,
	# static keys, kasblock's attach and detach) relies on every CPU seeing
	# the final bytes after its IPI sync; under MTTCG a vCPU was seen
	# executing a transient int3 after the site was restored ("Oops: int3"
	# at security_file_mprotect+0x5 with the NOP already back in place), in
	# about half the rmmod/insmod-under-exec-loop runs, and never with
	# thread=single. Both vCPUs still interleave preemptively.
	tcg) QEMU+=(-accel tcg,thread=single -cpu max) ;;
	*) kb_die "unknown accelerator $accel" ;;
	esac
	# -icount shift=0: virtual time advances 1 ns per guest instruction,
	# whatever the host is doing; sleep=off: an idle guest jumps to its next
	# timer instead of waiting for the host clock (no wall time counted).
	if [ "${KB_VM_ICOUNT:-0}" = 1 ]; then
		[ "$accel" = tcg ] || kb_die "KB_VM_ICOUNT=1 needs TCG (KB_VM_ACCEL=tcg), not $accel"
		QEMU+=(-icount shift=0,sleep=off)
	fi
	if [ -n "$tpm_sock" ]; then
		QEMU+=(-chardev "socket,id=chrtpm,path=$tpm_sock"
			-tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-tis,tpmdev=tpm0)
	fi
	if [ "$run" = shell ]; then
		QEMU+=(-nographic -serial mon:stdio)
	else
		QEMU+=(-display none -monitor none -serial stdio)
	fi
}

# KVM can exist and still not run a guest (nested virtualisation here hangs
# in the host kernel), so try a real boot through it once and remember the
# answer for this host kernel (a working KVM boots to /init in ~1 s).
pick_accel() {
	local want=${KB_VM_ACCEL:-auto} cache=$KB_CACHE/accel key
	if [ "$want" != auto ]; then
		echo "$want"
		return
	fi
	if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
		echo tcg
		return
	fi
	key="$(uname -r) $(uname -v)"
	if [ -f "$cache" ] && [ "$(sed -n 1p "$cache")" = "$key" ]; then
		sed -n 2p "$cache"
		return
	fi
	local save_run=$run accel=tcg
	run=probe
	qemu_cmd kvm
	run=$save_run
	mkdir -p "$KB_CACHE"
	timeout -k 5 15 "${QEMU[@]}" </dev/null >"$cache.log" 2>&1 || true
	if tr -d '\r' <"$cache.log" | grep -q '^KBVM-END status=0'; then
		accel=kvm
	fi
	kb_log "accelerator probe: KVM $([ $accel = kvm ] && echo works || echo "does not boot a guest here"), using $accel"
	printf '%s\n%s\n' "$key" "$accel" >"$cache"
	echo "$accel"
}

tpm_sock=''
accel=$(pick_accel)
# One swtpm per VM, killed with it: each run starts from a fresh TPM (PCRs zero).
if [ "${KB_VM_TPM:-0}" = 1 ]; then
	command -v swtpm >/dev/null || kb_die "KB_VM_TPM=1 needs swtpm (apt-get install swtpm swtpm-tools)"
	tpm_dir=$(mktemp -d "$KB_BUILD/$kver/swtpm.XXXXXX")
	tpm_sock=$tpm_dir/sock
	swtpm socket --tpm2 --tpmstate "dir=$tpm_dir" --ctrl "type=unixio,path=$tpm_sock" \
		--pid "file=$tpm_dir/pid" --log "file=$tpm_dir/log" --daemon ||
		kb_die "swtpm did not start (log: $tpm_dir/log)"
	# shellcheck disable=SC2064 # the paths are fixed now
	trap "[ -f '$tpm_dir/pid' ] && kill \$(cat '$tpm_dir/pid') 2>/dev/null; rm -rf '$tpm_dir'" EXIT
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -S "$tpm_sock" ] && break
		sleep 0.2
	done
fi
qemu_cmd "$accel"
kb_log "booting $kver ($accel, run=$run, timeout ${timeout}s${tpm_sock:+, swtpm}), console log: $log"
start=$(date +%s)
set +e
if [ "$run" = shell ]; then
	"${QEMU[@]}" 2>&1 | tee "$log"
	exit "${PIPESTATUS[0]}"
fi
# -k: QEMU gets SIGTERM at the deadline and SIGKILL 10 s later.
timeout -k 10 "$timeout" "${QEMU[@]}" </dev/null 2>&1 | tr -d '\r' | tee "$log"
rc=${PIPESTATUS[0]}
set -e
secs=$(($(date +%s) - start))
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	kb_warn "VM $kver timed out after ${timeout}s (console log: $log)"
	exit 124
fi
if [ "$rc" -ne 0 ]; then
	kb_warn "QEMU failed with status $rc after ${secs}s (console log: $log)"
	exit "$rc"
fi
end=$(grep -a '^KBVM-END status=' "$log" | tail -n1 || true)
if [ -z "$end" ]; then
	kb_warn "VM $kver stopped after ${secs}s without the end marker (crash or panic?): $log"
	exit 125
fi
status=${end#KBVM-END status=}
kb_log "VM $kver powered off after ${secs}s, in-VM status $status"
exit "$status"
