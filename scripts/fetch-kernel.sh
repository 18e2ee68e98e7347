#!/bin/bash
# Unpack the Debian kernel matching an installed headers package into
# $KB_CACHE/kernel/<kver>/ (vmlinuz + lib/modules/<kver>/), without
# installing it on the host: apt-get download + dpkg-deb -x.
#
# usage: fetch-kernel.sh KVER|LINE     (e.g. 6.1.0-56-cloud-amd64, or 6.12)
# Prints the kernel's cache directory. A second run with the same package
# version does nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || kb_die "usage: $0 KVER|LINE"
kver=$(kb_kver "$1")

# The image must be the build the headers describe: same package version.
ver=$(dpkg-query -W -f='${Version}' "linux-headers-$kver" 2>/dev/null) ||
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
# apt-get download's file name: pkg_version_arch.deb, ':' written as %3a.
deb=$debs/${pkg}_${ver//:/%3a}_amd64.deb
if [ ! -f "$deb" ]; then
	kb_log "downloading $pkg=$ver"
	# As root, download as root: the _apt sandbox user cannot write here.
	sandbox=()
	[ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
	get() { (cd "$debs" && apt-get download -q "${sandbox[@]}" "$pkg=$ver" >&2); }
	if ! get; then
		# A stale package list is the usual cause; refresh once.
		[ "$(id -u)" -eq 0 ] && apt-get update -q >&2 || true
		get || kb_die "cannot download $pkg=$ver (the headers and the registry disagree: update the headers with scripts/install-deps.sh / apt-get upgrade)"
	fi
	[ -f "$deb" ] || kb_die "apt-get download left no $deb"
fi

kb_log "unpacking $(basename "$deb")"
tmp=$(mktemp -d "$KB_CACHE/.unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
[ -f "$tmp/boot/vmlinuz-$kver" ] || kb_die "$deb has no boot/vmlinuz-$kver"
[ -d "$tmp/lib/modules/$kver" ] || kb_die "$deb has no lib/modules/$kver"

rm -rf "$out"
mkdir -p "$out/lib/modules"
mv "$tmp/boot/vmlinuz-$kver" "$out/vmlinuz"
[ -f "$tmp/boot/config-$kver" ] && mv "$tmp/boot/config-$kver" "$out/config"
mv "$tmp/lib/modules/$kver" "$out/lib/modules/$kver"
echo "$stamp" >"$out/.stamp"
echo "$out"
