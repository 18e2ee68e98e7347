#!/bin/bash
# Make (once) the root file system of an installed Debian system for the
# installed-system tier (scripts/check-system.sh): systemd as PID 1, udev,
# auditd, dkms, openssh-server, the release's cloud kernel and its headers,
# and, downloaded but not installed, the generic kernel the tier upgrades to.
# kasblock is not in it: the tier installs its packages into a copy.
#
# usage: system-root.sh RELEASE        (bookworm, trixie)
#
# The root lives in $KB_CACHE/system/RELEASE/root with a stamp of what it was
# made from (release, sources, packages, this recipe); a changed stamp
# rebuilds it. Prints the root's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Bump when the steps below change what a root contains.
RECIPE=2

[ $# -eq 1 ] || kb_die "usage: $0 RELEASE"
release=$1
case $release in
bookworm | trixie) ;;
*) kb_die "no installed-system tier for '$release' (bookworm, trixie)" ;;
esac
[ "$(id -u)" -eq 0 ] || kb_die "making a system root needs root (mmdebstrap)"
command -v mmdebstrap >/dev/null || kb_die "mmdebstrap is not installed: run scripts/install-deps.sh"

top=$KB_CACHE/system/$release
root=$top/root
mapfile -t sources < <(kb_suite_sources "$release")
pkgs=(
	systemd-sysv udev dbus auditd dkms openssh-server
	linux-image-cloud-amd64 linux-headers-cloud-amd64 initramfs-tools
	kmod procps iproute2 less
)
# The kernel the tier upgrades to: the generic flavour, kept as .debs.
upgrade=(linux-image-amd64 linux-headers-amd64)
stamp="recipe=$RECIPE release=$release sources=${sources[*]} packages=${pkgs[*]} upgrade=${upgrade[*]}"

if [ -f "$top/.stamp" ] && [ "$(cat "$top/.stamp")" = "$stamp" ] && [ -d "$root" ]; then
	echo "$root"
	exit 0
fi

kb_log "making the $release system root in $root (mmdebstrap, a few minutes)"
mkdir -p "$top"
rm -rf "$root.new" "$top/.stamp"
# A server's basics: a root file system on the first virtio disk, a serial
# console, a host name; the generic kernel's packages downloaded into
# /var/lib/kasblock-test/upgrade for the upgrade step.
# The package lists stay: apt resolves the kasblock packages' dependencies
# from them when the tier installs those.
if ! mmdebstrap --variant=minbase --include="$(IFS=,; echo "${pkgs[*]}")" --skip=cleanup/apt/lists \
	--customize-hook='echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$1/etc/fstab"' \
	--customize-hook='echo kasblock-'"$release"' >"$1/etc/hostname"' \
	--customize-hook='chroot "$1" passwd -d root' \
	--customize-hook='mkdir -p "$1/var/lib/kasblock-test/upgrade/partial" && chroot "$1" apt-get install -y -q --download-only -o Dir::Cache::archives=/var/lib/kasblock-test/upgrade '"${upgrade[*]}" \
	"$release" "$root.new" "${sources[@]}" </dev/null >"$top/mmdebstrap.log" 2>&1; then
	tail -n 30 "$top/mmdebstrap.log" >&2
	rm -rf "$root.new"
	kb_die "mmdebstrap of the $release system failed (log: $top/mmdebstrap.log)"
fi
rm -rf "$root"
mv "$root.new" "$root"
echo "$stamp" >"$top/.stamp"
echo "$root"
