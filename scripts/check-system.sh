#!/bin/bash
# `make check-system`: install kasblock's Debian packages on real Debian
# systems and boot them in QEMU with systemd as PID 1, auditd and udev, as a
# server runs them; then upgrade the kernel, boot again, and purge.
#
# usage: check-system.sh [RELEASE...]     (default: bookworm trixie)
#
# For each release, from the cached system root (scripts/system-root.sh):
#   1. copy it; apt install build/deb/kasblock-dkms_*.deb and kasblockctl_*.deb
#      inside it, so DKMS builds kasblock.ko for its cloud kernel as on a server
#   2. a list in /etc/kasblock/blocklist.d/, LOCK=yes and SWEEP=yes, a unit
#      that starts a listed program before kasblock.service, and the checker
#      unit (scripts/system-check-vm.sh)
#   3. a disk image of it (mkfs.ext4 -d), booted: the checker's results come
#      back on the serial console
#   4. the generic kernel's packages installed (DKMS must build for it), a new
#      image, booted on that kernel: the same checks again, then apt remove
#      kasblockctl there, which must leave the policy in force
#   5. apt purge of both packages: nothing of kasblock may be left
# The releases run side by side (one VM each). Every check is a "ok"/"not
# ok" line; the last line is "N passed, N failed", and any failure fails it.
#
# Environment: KB_SYSTEM_TIMEOUT (seconds per boot, 900), KB_VERBOSE=1
# (stream the consoles).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

releases=("$@")
[ ${#releases[@]} -gt 0 ] || releases=(bookworm trixie)
timeout=${KB_SYSTEM_TIMEOUT:-900}
t0=$(date +%s)

"$KB_ROOT/scripts/install-deps.sh" || kb_die "installing the dependencies failed"
debs=$KB_BUILD/deb
dkms_deb=$(ls "$debs"/kasblock-dkms_*_all.deb 2>/dev/null | tail -n1)
ctl_deb=$(ls "$debs"/kasblockctl_*_amd64.deb 2>/dev/null | tail -n1)
[ -n "$dkms_deb" ] && [ -n "$ctl_deb" ] || kb_die "no packages in $debs: run make deb first"
# ctl_deb_for RELEASE: kasblockctl as built for that release: the host's
# (Debian 12) or the one `make deb-releases` built in the release's root.
ctl_deb_for() {
	local d
	[ "$1" = "$KB_HOST_SUITE" ] && { echo "$ctl_deb"; return; }
	d=$(ls "$debs/$1"/kasblockctl_*_amd64.deb 2>/dev/null | tail -n1)
	[ -n "$d" ] || kb_die "no kasblockctl package for $1 in $debs/$1: run make deb-releases"
	echo "$d"
}

# The test programs: one static program, built several times with a
# different mark, so that each has its own digest.
progs=$KB_BUILD/system-progs
mkdir -p "$progs"
for p in listed early second clean; do
	printf '#include <stdio.h>\n#include <string.h>\n#include <unistd.h>\nint main(int c, char **v)\n{\n\tif (c > 1 && !strcmp(v[1], "sleep"))\n\t\tfor (;;)\n\t\t\tpause();\n\tprintf("kesl-%s ran\\n");\n\treturn 0;\n}\n' "$p" >"$progs/kesl-$p.c"
	${CC:-cc} -O2 -static -o "$progs/kesl-$p" "$progs/kesl-$p.c" || kb_die "cannot build the test program kesl-$p"
done

# pass/fail NAME [DETAIL], per release, into $res.
pass() { echo "ok $1" >>"$res"; }
fail() {
	echo "not ok $1${2:+: $2}" >>"$res"
	kb_warn "$release: FAILED: $1${2:+: $2}"
}

# boot ROOT KVER LOG: a disk image of ROOT, booted on KVER; the checker's
# lines land in LOG.
boot() {
	local root=$1 kver=$2 log=$3 img=$work/disk.img size rc
	size=$(($(du -sm "$root" | cut -f1) + 1024))
	rm -f "$img"
	truncate -s "${size}M" "$img"
	mkfs.ext4 -q -F -L kasblock-root -d "$root" "$img" >/dev/null || {
		fail "disk image ($kver)" "mkfs.ext4 -d failed"
		return 1
	}
	kb_log "$release: booting $kver (systemd, TCG; log: $log)"
	local qemu=(qemu-system-x86_64 -nodefaults -no-user-config -no-reboot
		-accel tcg,thread=single -cpu max -m 2G -smp 2
		-kernel "$root/boot/vmlinuz-$kver" -initrd "$root/boot/initrd.img-$kver"
		-drive "file=$img,if=virtio,format=raw"
		-append "root=/dev/vda rw console=ttyS0 panic=-1 audit=1 systemd.show_status=0"
		-display none -monitor none -serial stdio)
	if [ "${KB_VERBOSE:-0}" = 1 ]; then
		timeout -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 | tr -d '\r' | tee "$log"
	else
		timeout -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 | tr -d '\r' >"$log"
	fi
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 124 ] && fail "boot $kver" "timed out after ${timeout}s (log: $log)"
	return 0
}

# checks KVER LOG: the checker's results of one boot.
checks() {
	local kver=$1 log=$2 line name rest
	if ! grep -aq "KBSYS-BEGIN kernel=$kver" "$log"; then
		fail "boot $kver: checker ran" "no KBSYS-BEGIN kernel=$kver (log: $log)"
		tail -n 30 "$log" | sed 's/^/    | /' >&2
		return
	fi
	while IFS= read -r line; do
		read -r _ name rest <<<"$line"
		case $rest in
		ok) pass "$kver: $name" ;;
		*) fail "$kver: $name" "${rest#FAIL }" ;;
		esac
	done < <(grep -ao 'KBSYS-CHECK .*' "$log")
	# Every check the checker has must have reported, whatever else the console printed
	# (its top-level "check NAME" lines).
	local want got
	want=$(grep -c '^check [a-z_]* ' "$KB_ROOT/scripts/system-check-vm.sh")
	got=$(grep -ao 'KBSYS-CHECK .*' "$log" | grep -vc -E 'KBSYS-CHECK (apt_remove_kasblockctl|module_stays_after_remove|listed_denied_after_remove) ')
	# (the three after apt remove run on the second boot only, and are not counted)
	[ "$got" -eq "$want" ] || fail "boot $kver: every check reported" "$got of $want checks in the console log (log: $log)"
	grep -aq 'KBSYS-DONE' "$log" || fail "boot $kver: checker finished" "no KBSYS-DONE (log: $log)"
	if grep -a -E '\] (WARNING:|BUG:|Oops|general protection|kernel BUG|Call Trace)' "$log" >"$work/bad.txt"; then
		fail "boot $kver: kernel log clean" "$(head -n1 "$work/bad.txt")"
	else
		pass "$kver: kernel log clean"
	fi
}

# kver_of ROOT FLAVOUR: the release of the installed kernel of a flavour
# (cloud-amd64, or amd64 for the generic one).
kver_of() {
	ls "$1/boot" | sed -n "s/^vmlinuz-\(.*[0-9]-$2\)\$/\1/p" | sort -V | tail -n1
}

# in_root ROOT CMD...: a command inside a system root, apt without questions.
in_root() {
	local root=$1
	shift
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	DEBIAN_FRONTEND=noninteractive kb_chroot "$root" "$@"
}

system_test() {
	local base root cloud generic f left ctl
	ctl=$(ctl_deb_for "$release") || {
		fail "kasblockctl package for $release" "none in $debs/$release: run make deb-releases"
		return
	}
	base=$("$KB_ROOT/scripts/system-root.sh" "$release") || {
		fail "system root" "scripts/system-root.sh $release failed"
		return
	}
	root=$work/root
	rm -rf "$root"
	kb_log "$release: copying the system root"
	cp -a "$base" "$root"
	cloud=$(kver_of "$root" cloud-amd64)
	[ -n "$cloud" ] || {
		fail "cloud kernel in the root" "no /boot/vmlinuz-*-cloud-amd64"
		return
	}

	# 1. The packages, as an administrator installs them.
	cp "$dkms_deb" "$ctl" "$root/tmp/"
	if in_root "$root" apt-get install -y -q "/tmp/${dkms_deb##*/}" "/tmp/${ctl##*/}" >"$work/install.log" 2>&1; then
		pass "apt install kasblock-dkms kasblockctl"
	else
		fail "apt install kasblock-dkms kasblockctl" "log: $work/install.log"
		tail -n 20 "$work/install.log" | sed 's/^/    | /' >&2
		return
	fi
	if ls "$root/lib/modules/$cloud/updates/dkms/"kasblock.ko* >/dev/null 2>&1; then
		pass "dkms built kasblock.ko for $cloud"
	else
		fail "dkms built kasblock.ko for $cloud" "nothing in /lib/modules/$cloud/updates/dkms (log: $work/install.log)"
		return
	fi
	in_root "$root" systemctl is-enabled kasblock.service >"$work/enabled" 2>&1 &&
		pass "kasblock.service enabled by the package" ||
		fail "kasblock.service enabled by the package" "$(cat "$work/enabled")"

	# 2. The policy and the test units.
	install -m 0755 "$progs"/kesl-{listed,early,second,clean} "$root/usr/local/bin/"
	(cd "$progs" && sha256sum kesl-listed kesl-early) >"$root/etc/kasblock/blocklist.d/test.list"
	mkdir -p "$root/var/lib/kasblock-test" "$root/usr/local/lib/kasblock-test"
	(cd "$progs" && sha256sum kesl-second) >"$root/var/lib/kasblock-test/second.list"
	sed -i 's/^#\? *LOCK=.*/LOCK=yes/; s/^#\? *SWEEP=.*/SWEEP=yes/' "$root/etc/kasblock/kasblock.conf"
	grep -q '^LOCK=yes' "$root/etc/kasblock/kasblock.conf" || echo LOCK=yes >>"$root/etc/kasblock/kasblock.conf"
	grep -q '^SWEEP=yes' "$root/etc/kasblock/kasblock.conf" || echo SWEEP=yes >>"$root/etc/kasblock/kasblock.conf"
	install -m 0755 "$KB_ROOT/scripts/system-check-vm.sh" "$root/usr/local/lib/kasblock-test/check.sh"
	cat >"$root/etc/systemd/system/kasblock-test-early.service" <<'EOF'
# A listed program already running when the policy comes into force: the
# sweep (SWEEP=yes) must stop it.
[Unit]
DefaultDependencies=no
Before=kasblock.service
[Service]
Type=exec
ExecStart=/usr/local/bin/kesl-early sleep
SuccessExitStatus=SIGKILL
[Install]
WantedBy=sysinit.target
EOF
	cat >"$root/etc/systemd/system/kasblock-system-check.service" <<'EOF'
[Unit]
After=multi-user.target kasblock.service auditd.service
[Service]
Type=oneshot
ExecStart=/usr/local/lib/kasblock-test/check.sh
[Install]
WantedBy=multi-user.target
EOF
	in_root "$root" systemctl enable kasblock-test-early.service kasblock-system-check.service >/dev/null 2>&1 ||
		fail "enable the test units"
	# The checker reports on the serial console: no login prompt in the middle
	# of its lines (it hid two results of a run, one of them a failure).
	in_root "$root" systemctl mask serial-getty@ttyS0.service >/dev/null 2>&1 ||
		fail "mask the serial console's getty"

	# 3. Boot the cloud kernel.
	boot "$root" "$cloud" "$work/console-$cloud.log" && checks "$cloud" "$work/console-$cloud.log"

	# 4. Kernel upgrade: the generic flavour, from the .debs the root keeps.
	if in_root "$root" sh -c 'apt-get install -y -q /var/lib/kasblock-test/upgrade/*.deb' >"$work/upgrade.log" 2>&1; then
		pass "install the generic kernel"
	else
		fail "install the generic kernel" "log: $work/upgrade.log"
		return
	fi
	generic=$(kver_of "$root" amd64)
	if [ -n "$generic" ] && ls "$root/lib/modules/$generic/updates/dkms/"kasblock.ko* >/dev/null 2>&1; then
		pass "dkms built kasblock.ko for the new kernel $generic"
		touch "$root/var/lib/kasblock-test/remove-tool"
		boot "$root" "$generic" "$work/console-$generic.log" && checks "$generic" "$work/console-$generic.log"
	else
		fail "dkms built kasblock.ko for the new kernel ${generic:-?}" "log: $work/upgrade.log"
	fi

	# 5. Purge: nothing of kasblock stays on disk.
	if in_root "$root" apt-get purge -y -q kasblock-dkms kasblockctl >"$work/purge.log" 2>&1; then
		pass "apt purge kasblock-dkms kasblockctl"
	else
		fail "apt purge kasblock-dkms kasblockctl" "log: $work/purge.log"
	fi
	left=$(cd "$root" && for f in usr/src/kasblock-* var/lib/dkms/kasblock lib/modules/*/updates/dkms/kasblock.ko* \
		etc/kasblock usr/sbin/kasblockctl usr/libexec/kasblock lib/systemd/system/kasblock.service \
		usr/lib/systemd/system/kasblock.service etc/systemd/system/*.wants/kasblock.service; do
		[ -e "$f" ] || [ -L "$f" ] && echo "/$f"
	done)
	if [ -z "$left" ]; then
		pass "purge leaves nothing of kasblock"
	else
		fail "purge leaves nothing of kasblock" "$(echo $left)"
	fi
}

for release in "${releases[@]}"; do
	work=$KB_BUILD/system/$release
	res=$work/results
	rm -rf "$work"
	mkdir -p "$work"
	: >"$res"
	kb_log "installed-system test: Debian $release"
	(system_test) >"$work/run.log" 2>&1 &
	# The system roots share apt's downloads in $KB_CACHE: make them one at a
	# time, then let the boots overlap.
	while [ ! -s "$res" ] && kill -0 $! 2>/dev/null; do sleep 5; done
done
wait

total_pass=0 total_fail=0
echo
echo "# ==== kasblock installed-system summary ($(($(date +%s) - t0))s) ===="
for release in "${releases[@]}"; do
	res=$KB_BUILD/system/$release/results
	p=$(grep -c '^ok ' "$res")
	f=$(grep -c '^not ok ' "$res")
	[ $((p + f)) -eq 0 ] && f=1 && echo "not ok $release: no check ran (log: $KB_BUILD/system/$release/run.log)" >>"$res"
	echo "# Debian $release: $p passed, $f failed"
	sed 's/^/#   /' "$res"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
