#!/bin/bash
# Build kasblockctl's package for another Debian release, in that release's
# build root (scripts/build-root.sh), as its own archive would: a binary
# built on Debian 12 links Debian 12's libraries, and Debian 13 renamed some
# of them (libtss2-mu0 is libtss2-mu-4.0.1-0t64 there, with another soname),
# so Debian 12's .deb cannot be installed on Debian 13.
#
# usage: build-deb-in-root.sh SUITE          (e.g. trixie)
#
# Writes build/deb/SUITE/kasblockctl_*_amd64.deb. kasblock-dkms is
# architecture-independent source: `make deb`'s one serves every release.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || kb_die "usage: $0 SUITE"
suite=$1
# mmdebstrap and the rest, when `make check-system` is the first thing run here.
"$KB_ROOT/scripts/install-deps.sh" || kb_die "installing the dependencies failed"
root=$("$KB_ROOT/scripts/build-root.sh" "$suite" | tail -n1) ||
	kb_die "no $suite build root"
src=$KB_BUILD/deb-src-$suite
out=$KB_BUILD/deb/$suite
rm -rf "$src" "$out"
mkdir -p "$src/kasblock" "$out"
(cd "$KB_ROOT" && git ls-files -z | xargs -0 cp -p --parents -t "$src/kasblock") ||
	kb_die "cannot copy the tree for the $suite package"
kb_log "kasblockctl package for $suite, built in its build root"
kb_chroot "$root" --bind "$src:/mnt/deb" \
	sh -c 'cd /mnt/deb/kasblock && dpkg-buildpackage -us -uc -b' >"$src/build.log" 2>&1 || {
	tail -n 30 "$src/build.log" >&2
	kb_die "building the $suite package failed (log: $src/build.log)"
}
mv "$src"/kasblockctl_*_amd64.deb "$out/"
rm -rf "$src/kasblock"
ls "$out"/kasblockctl_*_amd64.deb
