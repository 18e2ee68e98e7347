#!/bin/bash
# Unpack the Debian kernel matching an installed headers package (on the host,
# or in a suite's build root) into $KB_CACHE/kernel/<kver>/ (vmlinuz +
# lib/modules/<kver>/), without installing it anywhere: apt-get download +
# dpkg-deb -x.
#
# usage: fetch-kernel.sh KVER|LINE     (e.g. 6.1.0-57-cloud-amd64, or deb13)
# Prints the kernel's cache directory. A second run with the same package
# version does nothing.
#
# Newer packaging splits the image: linux-image-<kver> is then a meta package
# over linux-binary-<kver> (vmlinuz in /usr/lib/modules/<kver>/) and
# linux-modules-<kver>; both layouts are unpacked the same way.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || kb_die "usage: $0 KVER|LINE"
kver=$(kb_kver "$1")
root=$(kb_kver_root "$kver")

# The image must be the build the headers describe: same package version.
ver=$(kb_dpkg_query "$root" -W -f='${Version}' "linux-headers-$kver" 2>/dev/null) ||
	kb_die "linux-headers-$kver is not installed: run scripts/install-deps.sh"
pkg=linux-image-$kver
out=$KB_CACHE/kernel/$kver
stamp="$pkg $ver"

if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
	echo "$out"
	exit 0
fi

debs=$KB_CACHE/debs
mkdir -p "$debs"

# apt_download PKG=VER: into $debs, with the apt of the host or of the root.
# As root, download as root: the _apt sandbox user cannot write here.
apt_download() {
	local sandbox=()
	[ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
	if [ -z "$root" ]; then
		(cd "$debs" && apt-get download -q "${sandbox[@]}" "$@" >&2)
	else
		cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		kb_chroot "$root" --bind "$debs:/mnt/kasblock-debs" \
			sh -c 'cd /mnt/kasblock-debs && exec apt-get download -q "$@"' sh "${sandbox[@]}" "$@" >&2
	fi
}

apt_update() {
	[ "$(id -u)" -eq 0 ] || return 0
	if [ -z "$root" ]; then
		apt-get update -q >&2
	else
		kb_chroot "$root" apt-get update -q >&2
	fi
}

# fetch PKG VER: the .deb's path, downloaded unless it is there.
fetch() {
	# apt-get download's file name: pkg_version_arch.deb, ':' written as %3a.
	local deb=$debs/${1}_${2//:/%3a}_amd64.deb
	if [ ! -f "$deb" ]; then
		kb_log "downloading $1=$2${root:+ (in $root)}"
		if ! apt_download "$1=$2"; then
			# A stale package list is the usual cause; refresh once.
			apt_update || true
			apt_download "$1=$2" ||
				kb_die "cannot download $1=$2 (the headers and the registry disagree: update them with ${root:+scripts/build-root.sh, or }scripts/install-deps.sh / apt-get upgrade)"
		fi
		[ -f "$deb" ] || kb_die "apt-get download left no $deb"
	fi
	echo "$deb"
}

image=$(fetch "$pkg" "$ver")
all=("$image")
# The split layout: the parts named in the image's Depends, at its version.
for part in $(dpkg-deb -f "$image" Depends | tr ',' '\n' | sed -n "s/^ *\(linux-\(binary\|modules\)-$kver\)\( .*\)\?\$/\1/p"); do
	all+=("$(fetch "$part" "$ver")")
done

tmp=$(mktemp -d "$KB_CACHE/.unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for deb in "${all[@]}"; do
	kb_log "unpacking $(basename "$deb")"
	dpkg-deb -x "$deb" "$tmp"
done
mods='' vmlinuz='' config=''
for d in "$tmp/usr/lib/modules/$kver" "$tmp/lib/modules/$kver"; do
	[ -d "$d" ] && [ ! -L "$d" ] && mods=$d && break
done
for f in "$tmp/boot/vmlinuz-$kver" "$mods/vmlinuz"; do
	[ -f "$f" ] && vmlinuz=$f && break
done
for f in "$tmp/boot/config-$kver" "$mods/config"; do
	[ -f "$f" ] && config=$f && break
done
[ -n "$vmlinuz" ] || kb_die "no vmlinuz for $kver in ${all[*]}"
[ -n "$mods" ] || kb_die "no lib/modules/$kver in ${all[*]}"

rm -rf "$out"
mkdir -p "$out/lib/modules"
mv "$vmlinuz" "$out/vmlinuz"
[ -n "$config" ] && mv "$config" "$out/config"
mv "$mods" "$out/lib/modules/$kver"
echo "$stamp" >"$out/.stamp"
echo "$out"
