#!/bin/bash
# `make check-fleet`: the Ansible role (ansible/) against two installed Debian
# systems, 12 and 13, booted in QEMU and reached over SSH through QEMU's user
# network, forwarded to ports on 127.0.0.1 only. The controller is this
# machine, with Debian's ansible-core.
#
# usage: check-fleet.sh
#
#   1. each host: a copy of its fleet root (scripts/fleet-root.sh: the
#      installed-system root, python3, DHCP), kasblock-dkms installed in it
#      (DKMS builds kasblock.ko at the host's speed, see below), a per-run
#      SSH key for root; on Debian 12 a planted fake product
#      (/opt/kaspersky/kesl/bin/kesl); a disk image, booted (TCG)
#   2. deploy.yml: the role installs the .debs from the controller, writes a
#      list file and an inline list, MODE=enforce, LOCK=yes, SWEEP=yes,
#      fail_closed, starts kasblock.service and checks each host's policy
#      digest against `kasblockctl digest` of the same files here
#   3. deploy.yml again: changed=0 on both hosts
#   4. report.yml: the fleet report (JSON, Markdown, CSV): both enforcing,
#      locked, digests matching, the fake product found on Debian 12 only;
#      and `kasblockctl report` as an unprivileged user there
#   5. an entry added by hand on Debian 13: the digest check fails and names
#      that host, and only that host; a list that drops an entry fails on
#      locked hosts (a reboot is needed), naming them
#
# Why kasblock-dkms is installed before boot: DKMS compiling kasblock.ko
# inside a single-threaded TCG guest took 3m10s on Debian 12 (README, "The
# fleet tier"), against seconds in the chroot; the role still installs both
# .debs from the controller (the dkms one is then already at that version,
# and apt leaves it), kasblockctl for real. KB_FLEET_DKMS_IN_GUEST=1 leaves
# kasblock-dkms out of the image, so the role's install compiles the module
# in each guest, as on a real server (and the tier takes minutes longer).
#
# Every check is an "ok"/"not ok" line; the last line is "N passed, N
# failed", and any failure fails it. Environment: KB_FLEET_TIMEOUT (seconds
# a host gets to come up, 600), KB_FLEET_DKMS_IN_GUEST=1 (above),
# KB_VERBOSE=1 (ansible's output as it runs).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)
boot_timeout=${KB_FLEET_TIMEOUT:-600}
dkms_in_guest=${KB_FLEET_DKMS_IN_GUEST:-0}
releases=(bookworm trixie)
work=$KB_BUILD/fleet
res=$work/results
ansible_dir=$KB_ROOT/ansible

"$KB_ROOT/scripts/install-deps.sh" || kb_die "installing the dependencies failed"
command -v ansible-playbook >/dev/null || kb_die "ansible-playbook is not installed (apt-get install ansible-core)"
dkms_deb=$(ls "$KB_BUILD"/deb/kasblock-dkms_*_all.deb 2>/dev/null | tail -n1)
ctl_deb=$(ls "$KB_BUILD"/deb/kasblockctl_*_amd64.deb 2>/dev/null | tail -n1)
[ -n "$dkms_deb" ] && [ -n "$ctl_deb" ] || kb_die "no packages in $KB_BUILD/deb: run make deb first"
# Debian 13 gets kasblockctl as built for it (make deb-releases): Debian 12's
# links libraries Debian 13 renamed. The inventory names each host's files.
ctl_deb_trixie=$(ls "$KB_BUILD"/deb/trixie/kasblockctl_*_amd64.deb 2>/dev/null | tail -n1)
[ -n "$ctl_deb_trixie" ] || kb_die "no Debian 13 kasblockctl package in $KB_BUILD/deb/trixie: run make deb-releases"
kasblockctl=$KB_ROOT/userspace/kasblockctl
make -s -C "$KB_ROOT/userspace" kasblockctl >/dev/null || kb_die "cannot build kasblockctl"

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
}
trap cleanup EXIT

rm -rf "$work"
mkdir -p "$work"
: >"$res"
pass() { echo "ok $1" | tee -a "$res"; }
fail() {
	echo "not ok $1${2:+: $2}" | tee -a "$res"
}
finish() {
	local p f
	p=$(grep -c '^ok ' "$res")
	f=$(grep -c '^not ok ' "$res")
	echo
	echo "# ==== kasblock fleet summary ($(($(date +%s) - t0))s) ===="
	sed 's/^/#   /' "$res"
	echo "$p passed, $f failed"
	[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
	exit
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# The test programs: static, each with its own digest. kesl-listed is in the
# list file, kesl-inline in the inline list, kesl-hand is what an
# administrator adds by hand.
progs=$work/progs
mkdir -p "$progs"
for p in listed inline hand; do
	printf '#include <stdio.h>\nint main(void)\n{\n\tputs("kesl-%s ran");\n\treturn 0;\n}\n' "$p" >"$progs/kesl-$p.c"
	${CC:-cc} -O2 -static -o "$progs/kesl-$p" "$progs/kesl-$p.c" || kb_die "cannot build the test program kesl-$p"
done
lists=$work/lists
mkdir -p "$lists"
(cd "$progs" && sha256sum kesl-listed) >"$lists/site.list"
inline_digest=$(sha256sum <"$progs/kesl-inline" | cut -d' ' -f1)
hand_digest=$(sha256sum <"$progs/kesl-hand" | cut -d' ' -f1)

ssh-keygen -q -t ed25519 -N '' -C kasblock-fleet-test -f "$work/id_ed25519" || kb_die "ssh-keygen failed"
: >"$work/known_hosts"

# 1. The hosts.
declare -A port qpid
for release in "${releases[@]}"; do
	d=$work/$release
	mkdir -p "$d"
	base=$("$KB_ROOT/scripts/fleet-root.sh" "$release") || {
		fail "$release: fleet root" "scripts/fleet-root.sh $release failed"
		finish
	}
	kb_log "$release: copying the fleet root"
	root=$d/root
	cp -a "$base" "$root"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf"
	if [ "$dkms_in_guest" = 1 ]; then
		:
	else
		cp "$dkms_deb" "$root/tmp/"
		if DEBIAN_FRONTEND=noninteractive kb_chroot "$root" apt-get install -y -q "/tmp/${dkms_deb##*/}" >"$d/dkms.log" 2>&1 &&
			ls "$root"/lib/modules/*/updates/dkms/kasblock.ko* >/dev/null 2>&1; then
			pass "$release: kasblock-dkms installed in the image, kasblock.ko built"
		else
			fail "$release: kasblock-dkms installed in the image, kasblock.ko built" "log: $d/dkms.log"
			finish
		fi
		rm -f "$root/tmp/${dkms_deb##*/}"
	fi
	install -d -m 0700 "$root/root/.ssh"
	install -m 0600 "$work/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
	# The checker reads the console only when something fails; no getty there.
	kb_chroot "$root" systemctl mask serial-getty@ttyS0.service >/dev/null 2>&1
	if [ "$release" = bookworm ]; then
		# A fake product: KESL's directory with an executable in it (strong
		# evidence, userspace/data/indicators).
		install -d "$root/opt/kaspersky/kesl/bin"
		install -m 0755 "$progs/kesl-listed" "$root/opt/kaspersky/kesl/bin/kesl"
	fi
	kver=$(ls "$root/boot" | sed -n 's/^vmlinuz-\(.*-cloud-amd64\)$/\1/p' | sort -V | tail -n1)
	# QEMU reads these after it has started, and the root goes before that.
	cp "$root/boot/vmlinuz-$kver" "$root/boot/initrd.img-$kver" "$d/"
	size=$(($(du -sm "$root" | cut -f1) + 1024))
	truncate -s "${size}M" "$d/disk.img"
	mkfs.ext4 -q -F -L kasblock-root -d "$root" "$d/disk.img" >/dev/null || {
		fail "$release: disk image" "mkfs.ext4 -d failed"
		finish
	}
	port[$release]=$(free_port) || kb_die "no free port on 127.0.0.1"
	kb_log "$release: booting $kver, ssh on 127.0.0.1:${port[$release]} (console: $d/console.log)"
	# The one network path in: QEMU's user network, the guest's port 22
	# forwarded to 127.0.0.1 only.
	timeout -k 10 3600 qemu-system-x86_64 -nodefaults -no-user-config -no-reboot \
		-accel tcg,thread=single -cpu max -m 1536 -smp 1 \
		-kernel "$d/vmlinuz-$kver" -initrd "$d/initrd.img-$kver" \
		-drive "file=$d/disk.img,if=virtio,format=raw" \
		-nic "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:${port[$release]}-:22" \
		-append "root=/dev/vda rw console=ttyS0 panic=-1 systemd.show_status=0" \
		-display none -monitor none -serial "file:$d/console.log" </dev/null >"$d/qemu.log" 2>&1 &
	pids+=($!)
	qpid[$release]=$!
	rm -rf "$root"
done

ssh_opts=(-o BatchMode=yes -o ConnectTimeout=20 -o StrictHostKeyChecking=accept-new
	-o "UserKnownHostsFile=$work/known_hosts" -o LogLevel=ERROR -i "$work/id_ed25519")
on() {
	local release=$1
	shift
	ssh "${ssh_opts[@]}" -p "${port[$release]}" root@127.0.0.1 "$@"
}

for release in "${releases[@]}"; do
	up=
	deadline=$(($(date +%s) + boot_timeout))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		if on "$release" true 2>/dev/null; then
			up=y
			break
		fi
		kill -0 "${qpid[$release]}" 2>/dev/null || break
		sleep 5
	done
	if [ -n "$up" ]; then
		pass "$release: reachable over ssh on 127.0.0.1:${port[$release]} ($(($(date +%s) - t0))s after the start)"
	else
		fail "$release: reachable over ssh" "not within ${boot_timeout}s (console: $work/$release/console.log)"
		tail -n 20 "$work/$release/console.log" | sed 's/^/    | /'
		finish
	fi
done

# The inventory and the variables, as an administrator writes them.
cat >"$work/inventory" <<EOF
[fleet]
bookworm ansible_host=127.0.0.1 ansible_port=${port[bookworm]} kasblock_package_files='["$dkms_deb","$ctl_deb"]'
trixie ansible_host=127.0.0.1 ansible_port=${port[trixie]} kasblock_package_files='["$dkms_deb","$ctl_deb_trixie"]'

[fleet:vars]
ansible_user=root
ansible_ssh_private_key_file=$work/id_ed25519
ansible_ssh_common_args=-o UserKnownHostsFile=$work/known_hosts -o StrictHostKeyChecking=accept-new
EOF
# write_vars FILE [INLINE]: the role's variables; the inline list only with INLINE.
write_vars() {
	{
		echo "kasblock_install_from: files"
		echo "kasblock_blocklists:"
		echo "  - {name: site, src: \"$lists/site.list\"}"
		[ -z "${2:-}" ] || echo "  - {name: inline, entries: [{digest: $inline_digest, name: kesl-inline}]}"
		echo "kasblock_mode: enforce"
		echo "kasblock_lock: true"
		echo "kasblock_sweep: true"
		echo "kasblock_fail_closed: true"
		echo "kasblock_controller_kasblockctl: \"$kasblockctl\""
		echo "kasblock_stage_dir: \"$work/stage\""
	} >"$1"
}
write_vars "$work/vars.yml" inline
write_vars "$work/vars-dropped.yml"
vars=$work/vars.yml

export ANSIBLE_CONFIG=$ansible_dir/ansible.cfg ANSIBLE_PIPELINING=True ANSIBLE_FORCE_COLOR=0 \
	ANSIBLE_NOCOLOR=1 ANSIBLE_TIMEOUT=60
# play LOG PLAYBOOK [ARGS...]: ansible-playbook against the two hosts.
play() {
	local log=$1 rc
	shift
	if [ "${KB_VERBOSE:-0}" = 1 ]; then
		ansible-playbook -i "$work/inventory" -e "@$vars" "$@" 2>&1 | tee "$log"
	else
		ansible-playbook -i "$work/inventory" -e "@$vars" "$@" >"$log" 2>&1
	fi
	rc=${PIPESTATUS[0]}
	return "$rc"
}
# recap LOG HOST FIELD: a number from the PLAY RECAP line of HOST.
recap() {
	sed -n "s/^$2 *:.* $3=\([0-9]*\).*/\1/p" "$1" | tail -n1
}

# 2. The rollout.
t=$(date +%s)
if play "$work/deploy1.log" "$ansible_dir/playbooks/deploy.yml"; then
	pass "deploy.yml: installs, writes lists and settings, verifies both hosts ($(($(date +%s) - t))s)"
else
	fail "deploy.yml: installs, writes lists and settings, verifies both hosts" "log: $work/deploy1.log"
	grep -E 'fatal|FAILED|msg' "$work/deploy1.log" | head -n 20 | sed 's/^/    | /'
fi
for release in "${releases[@]}"; do
	got=$(on "$release" 'dpkg-query -W -f="\${Status} \${Version}\n" kasblockctl; systemctl is-active kasblock.service' 2>&1 | tr '\n' ' ')
	if [ "$dkms_in_guest" = 1 ]; then
		got2=$(on "$release" 'dpkg-query -W -f="\${Status}\n" kasblock-dkms; ls /lib/modules/$(uname -r)/updates/dkms/' 2>&1 | tr '\n' ' ')
		case $got2 in
		"install ok installed "*kasblock.ko*) pass "$release: the role installed kasblock-dkms, DKMS built kasblock.ko in the guest" ;;
		*) fail "$release: the role installed kasblock-dkms, DKMS built kasblock.ko in the guest" "$got2" ;;
		esac
	fi
	case $got in
	"install ok installed "*" active ") pass "$release: kasblockctl installed by the role, kasblock.service active" ;;
	*) fail "$release: kasblockctl installed by the role, kasblock.service active" "$got" ;;
	esac
	# The lists are in force: listed programs are refused, others run.
	scp -q "${ssh_opts[@]}" -P "${port[$release]}" "$progs/kesl-listed" "$progs/kesl-inline" "$progs/kesl-hand" \
		root@127.0.0.1:/usr/local/bin/ 2>/dev/null
	got=$(on "$release" 'for p in listed inline hand; do /usr/local/bin/kesl-$p >/dev/null 2>&1; echo "$p=$?"; done' 2>&1 | tr '\n' ' ')
	# 126: the shell's "cannot execute" (EPERM from exec).
	case $got in
	"listed=126 inline=126 hand=0 ") pass "$release: the file list and the inline list are enforced" ;;
	*) fail "$release: the file list and the inline list are enforced" "$got" ;;
	esac
	got=$(on "$release" 'cat /sys/module/kasblock/parameters/fail_closed; kasblockctl status --json' 2>&1 | tr '\n' ' ')
	case $got in
	Y\ *'"locked":true'*) pass "$release: locked, fail_closed set" ;;
	*) fail "$release: locked, fail_closed set" "$got" ;;
	esac
done

# 3. Idempotent.
t=$(date +%s)
if play "$work/deploy2.log" "$ansible_dir/playbooks/deploy.yml"; then
	for release in "${releases[@]}"; do
		c=$(recap "$work/deploy2.log" "$release" changed)
		if [ "$c" = 0 ]; then
			pass "$release: a second deploy.yml reports changed=0 ($(($(date +%s) - t))s)"
		else
			fail "$release: a second deploy.yml reports changed=0" "changed=${c:-?} (log: $work/deploy2.log)"
			grep -B3 '^changed:' "$work/deploy2.log" | head -n 20 | sed 's/^/    | /'
		fi
	done
else
	fail "a second deploy.yml succeeds" "log: $work/deploy2.log"
fi

# 4. The fleet report.
t=$(date +%s)
if play "$work/report.log" "$ansible_dir/playbooks/report.yml" -e "kasblock_fleet_report_dir=$work/fleet-report"; then
	pass "report.yml writes the fleet report ($(($(date +%s) - t))s)"
else
	fail "report.yml writes the fleet report" "log: $work/report.log"
fi
python3 - "$work/fleet-report" >"$work/report-checks" 2>&1 <<'EOF'
import csv, json, sys
d = sys.argv[1]
f = json.load(open(d + "/fleet-report.json"))
rows = {r["host"]: r for r in f["hosts"]}
t = f["totals"]
def check(name, cond, detail=""):
    print(("ok " if cond else "not ok ") + name + ("" if cond else ": " + str(detail)))
check("fleet report: schema kasblock-fleet/1", f["schema"] == "kasblock-fleet/1", f["schema"])
check("fleet report: 2 endpoints scanned, 1 affected", (t["endpoints_scanned"], t["endpoints_affected"]) == (2, 1), t)
check("fleet report: both enforcing and locked", (t["endpoints_enforcing"], t["endpoints_locked"]) == (2, 2), t)
check("fleet report: no digest mismatch", t["endpoints_digest_mismatch"] == [], t["endpoints_digest_mismatch"])
check("fleet report: the method is stated", "kasblockctl report" in f["method"], f["method"])
for h in ("bookworm", "trixie"):
    r = rows.get(h)
    if r is None:
        check(h + ": in the fleet report", False, list(rows))
        continue
    check(h + ": enforced, locked, digest matches", r["enforced"] and r["locked"] is True and r["digest_matches"] and r["policy_digest"] == r["expected_digest"], {k: r[k] for k in ("enforced", "locked", "policy_digest", "expected_digest")})
    want = ["kesl"] if h == "bookworm" else []
    check(h + ": products found " + (",".join(want) or "none"), r["products_found"] == want, r["products_found"])
    check(h + ": the host report rides along (kasblock-report/1)", r["report"]["schema"] == "kasblock-report/1" and r["report"]["host"]["hostname"] == "kasblock-" + h, r["report"]["host"])
    check(h + ": listed code running counted", r["listed_code_running"] == 0, r["listed_code_running"])
md = open(d + "/fleet-report.md").read()
check("fleet-report.md: a row per host and the totals", "| bookworm | Debian GNU/Linux 12" in md and "| trixie | Debian GNU/Linux 13" in md and "| endpoints affected (a product found) | 1 |" in md, md[:400])
c = list(csv.DictReader(open(d + "/fleet-report.csv")))
check("fleet-report.csv: a row per host", sorted(x["host"] for x in c) == ["bookworm", "trixie"] and [x["products_found"] for x in c if x["host"] == "bookworm"] == ["kesl"], c)
EOF
cat "$work/report-checks" | tee -a "$res" >/dev/null
cat "$work/report-checks"
grep -q '^ok ' "$work/report-checks" || fail "fleet report checks ran" "$(tail -n 5 "$work/report-checks")"

# kasblockctl report as an unprivileged user: the module's fields unreadable, not guessed.
got=$(on bookworm 'setpriv --reuid=65534 --regid=65534 --clear-groups kasblockctl report --json' 2>&1)
case $got in
*'"enforcement":{"loaded":true,'*'"mode":null,"locked":null,'*'{"key":"status","error":"Operation not permitted"}'*'"remediation":{"swept":false,'*)
	pass "bookworm: report as nobody: loaded, the module's fields unreadable (EPERM)" ;;
*) fail "bookworm: report as nobody: loaded, the module's fields unreadable (EPERM)" "$(head -c 600 <<<"$got")" ;;
esac
got=$(on bookworm 'kasblockctl report' 2>&1)
case $got in
*"products found:    1 of "*"found              kesl"*"locked:            yes"*) pass "bookworm: report's text form" ;;
*) fail "bookworm: report's text form" "$(head -c 600 <<<"$got")" ;;
esac

# 5. Drift: an entry added by hand on one host. The check names that host only.
on trixie "kasblockctl add --label by-hand $hand_digest" >/dev/null 2>&1 ||
	fail "trixie: add an entry by hand"
if play "$work/verify.log" "$ansible_dir/playbooks/deploy.yml" --tags kasblock_verify; then
	fail "the digest check fails after a change by hand" "ansible-playbook succeeded (log: $work/verify.log)"
else
	if grep -q 'trixie enforces policy digest .*, expected ' "$work/verify.log" &&
		[ "$(recap "$work/verify.log" trixie failed)" = 1 ] && [ "$(recap "$work/verify.log" bookworm failed)" = 0 ]; then
		pass "the digest check names trixie, and only trixie, after an entry added by hand"
	else
		fail "the digest check names trixie, and only trixie, after an entry added by hand" "log: $work/verify.log"
		grep -E 'fatal|msg|failed=' "$work/verify.log" | head -n 10 | sed 's/^/    | /'
	fi
fi

# A list that drops an entry: locked hosts refuse it until reboot, and the run says which.
vars=$work/vars-dropped.yml
if play "$work/drop.log" "$ansible_dir/playbooks/deploy.yml" -l bookworm; then
	fail "a list that drops an entry fails on a locked host" "ansible-playbook succeeded (log: $work/drop.log)"
elif grep -q 'fatal: \[bookworm\].*"bookworm: systemctl reload kasblock failed.*locked.*reboot the host' "$work/drop.log" &&
	[ "$(recap "$work/drop.log" bookworm failed)" = 1 ]; then
	pass "a list that drops an entry fails on the locked host, naming it and saying reboot"
else
	fail "a list that drops an entry fails on the locked host, naming it" "log: $work/drop.log"
fi

for release in "${releases[@]}"; do
	on "$release" 'systemctl poweroff' >/dev/null 2>&1
done
finish
