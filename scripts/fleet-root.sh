#!/bin/bash
# Make (once) the root file system of a fleet test host (scripts/check-fleet.sh):
# the installed-system tier's root of that release (scripts/system-root.sh)
# plus what an Ansible target needs, python3 and python3-apt (the apt module
# uses it), and the network: systemd-networkd with DHCP on the first
# Ethernet interface, which QEMU's user network answers. kasblock is not in
# it. A root of its own, so that the installed-system tier's cache key (and
# its roots, which other checkouts share) stays as it is.
#
# usage: fleet-root.sh RELEASE        (bookworm, trixie)
#
# The root lives in $KB_CACHE/fleet/RELEASE/root with a stamp of what it was
# made from (the system root's stamp, this recipe); a changed stamp rebuilds
# it. Prints the root's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Bump when the steps below change what a root contains.
RECIPE=1
pkgs=(python3 python3-apt)

[ $# -eq 1 ] || kb_die "usage: $0 RELEASE"
release=$1
[ "$(id -u)" -eq 0 ] || kb_die "making a fleet root needs root"

base=$("$KB_ROOT/scripts/system-root.sh" "$release")
top=$KB_CACHE/fleet/$release
root=$top/root
stamp="recipe=$RECIPE packages=${pkgs[*]} system=$(cat "$KB_CACHE/system/$release/.stamp")"

if [ -f "$top/.stamp" ] && [ "$(cat "$top/.stamp")" = "$stamp" ] && [ -d "$root" ]; then
	echo "$root"
	exit 0
fi

kb_log "making the $release fleet root in $root (the system root and ${pkgs[*]})"
mkdir -p "$top"
rm -rf "$root.new" "$top/.stamp"
cp -a "$base" "$root.new"
cp -L /etc/resolv.conf "$root.new/etc/resolv.conf"
# The system root's package lists may be older than the mirror: refresh them.
if ! DEBIAN_FRONTEND=noninteractive kb_chroot "$root.new" sh -c \
	"apt-get update -q && apt-get install -y -q --no-install-recommends ${pkgs[*]}" \
	>"$top/apt.log" 2>&1; then
	tail -n 20 "$top/apt.log" >&2
	rm -rf "$root.new"
	kb_die "installing ${pkgs[*]} in the $release fleet root failed (log: $top/apt.log)"
fi
cat >"$root.new/etc/systemd/network/80-fleet.network" <<'NET'
# The fleet test's QEMU user network: DHCP on the first Ethernet interface.
[Match]
Name=en* eth*
[Network]
DHCP=ipv4
NET
kb_chroot "$root.new" systemctl enable systemd-networkd.service >/dev/null 2>&1 ||
	kb_die "cannot enable systemd-networkd in the $release fleet root"
rm -rf "$root"
mv "$root.new" "$root"
echo "$stamp" >"$top/.stamp"
echo "$root"
