#!/bin/bash
# Build kasblock.ko for one kernel out of tree: copy Kbuild + kmod/ into
# build/<kver>/src and run kbuild there, so kernels never share objects and
# the source tree stays clean. A kernel whose headers live in a suite's build
# root (scripts/build-root.sh) is built inside that root, with the copy bind
# mounted at /mnt/kasblock-src.
#
# usage: build-module.sh KVER|LINE
# Result: build/<kver>/src/kmod/kasblock.ko; the log is
# build/<kver>/module-build.log. Compiler and modpost warnings are printed;
# with KB_WERROR=1 they fail the build (exit 3).
#
# KB_MODSRC (default: the repository) names another directory holding Kbuild
# and kmod/, for testing the scripts with a stand-in module.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || kb_die "usage: $0 KVER|LINE"
kver=$(kb_kver "$1")
kdir=$(kb_kdir "$kver")
root=$(kb_kver_root "$kver")
srcroot=${KB_MODSRC:-$KB_ROOT}
[ -f "$srcroot/Kbuild" ] && [ -d "$srcroot/kmod" ] ||
	kb_die "no Kbuild and kmod/ in $srcroot: nothing to build"

dst=$KB_BUILD/$kver/src
mkdir -p "$dst"
# Mirror the sources, keeping objects so that kbuild rebuilds only what
# changed (cp -p keeps mtimes); drop sources that no longer exist.
(cd "$srcroot" && find Kbuild kmod -type f ! -name '*.o' ! -name '*.ko' ! -name '*.mod*' ! -name '.*' ! -name 'modules.order' ! -name 'Module.symvers' -print0) |
	(cd "$srcroot" && xargs -0 cp -p --parents -t "$dst")
(cd "$dst" && find kmod -type f \( -name '*.[chS]' -o -name Kbuild -o -name Makefile \) ! -name '*.mod.c' -print0) |
	while IFS= read -r -d '' f; do
		[ -e "$srcroot/$f" ] || rm -f "$dst/$f"
	done

log=$KB_BUILD/$kver/module-build.log
kb_log "building kasblock.ko for $kver"
set +e
if [ -z "$root" ]; then
	make -C "$kdir" M="$dst" -j"$(nproc)" modules >"$log" 2>&1
else
	kb_log "(inside $root)"
	kb_chroot "$root" --bind "$dst:/mnt/kasblock-src" \
		make -C "${kdir#"$root"}" M=/mnt/kasblock-src -j"$(nproc)" modules >"$log" 2>&1
fi
rc=$?
set -e
if [ $rc -ne 0 ]; then
	cat "$log" >&2
	kb_die "module build for $kver failed (log: $log)"
fi
ko=$dst/kmod/kasblock.ko
[ -f "$ko" ] || kb_die "module build for $kver produced no $ko"

warnings=$(grep -E 'warning:|WARNING:' "$log" || true)
if [ -n "$warnings" ]; then
	kb_warn "kasblock.ko for $kver built WITH WARNINGS:"
	grep -E -A3 'warning:|WARNING:' "$log" | sed 's/^/!!!   /' >&2
	if [ "${KB_WERROR:-0}" = 1 ]; then
		exit 3
	fi
fi
echo "$ko"
