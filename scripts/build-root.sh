#!/bin/bash
# Make (once) the build root of a Debian suite other than the host's: a
# minimal root file system with the headers of that suite's kernel lines and
# what kasblockctl builds with. The module for those kernels is built inside
# it (their kbuild tools are linked against the suite's libc and configured
# for its compiler), and so are kasblockctl and its host tests.
#
# usage: build-root.sh SUITE        (trixie, sid: the suites in lib.sh's KB_LINES)
#
# The root lives in $KB_CACHE/root/SUITE with a stamp of what it was made
# from (suite, sources, packages, this recipe); a changed stamp rebuilds it.
# An unchanged root is refreshed at most every KB_ROOT_REFRESH hours (12):
# apt-get update and the headers meta packages upgraded, so a line follows
# its suite's newest kernel. Prints the root's path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Bump when the steps below change what a root contains.
RECIPE=1

[ $# -eq 1 ] || kb_die "usage: $0 SUITE"
suite=$1
root=$(kb_root "$suite")
[ -n "$root" ] || kb_die "$suite is the host's suite: its lines build on the host (scripts/install-deps.sh)"
mapfile -t metas < <(kb_suite_metas "$suite")
[ ${#metas[@]} -gt 0 ] || kb_die "no kernel line of suite '$suite' in lib.sh (suites: $(printf '%s\n' "${KB_LINES[@]}" | cut -d: -f2 | sort -u | tr '\n' ' '))"
[ "$(id -u)" -eq 0 ] || kb_die "making a build root needs root (mmdebstrap, chroot)"
command -v mmdebstrap >/dev/null || kb_die "mmdebstrap is not installed: run scripts/install-deps.sh"

mapfile -t sources < <(kb_suite_sources "$suite")
aptopts=$(kb_suite_aptopts "$suite")
# dpkg-dev, debhelper, dh-dkms and fakeroot: kasblockctl's package for this
# release is built here (scripts/build-deb-in-root.sh).
pkgs=("${metas[@]}" "${KB_USERSPACE_PKGS[@]}" dpkg-dev debhelper dh-dkms fakeroot)
stamp="recipe=$RECIPE suite=$suite sources=${sources[*]} aptopts=$aptopts packages=${pkgs[*]}"

# apt inside the root, with the host's resolver (the one copied at creation
# may be stale).
in_root() {
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	DEBIAN_FRONTEND=noninteractive kb_chroot "$root" "$@"
}

refresh() {
	kb_log "$suite build root: apt-get update, upgrading ${metas[*]}"
	in_root apt-get update -q >&2 &&
		in_root apt-get install -y -q --no-install-recommends "${metas[@]}" >&2 &&
		in_root apt-get autoremove -y -q --purge >&2
}

if [ -f "$root/.stamp" ] && [ "$(cat "$root/.stamp")" = "$stamp" ]; then
	hours=${KB_ROOT_REFRESH:-12}
	if [ -z "$(find "$root/.refreshed" -mmin -$((hours * 60)) 2>/dev/null)" ]; then
		# A failed refresh keeps the root it had: the kernels it has are still
		# real; a kernel that cannot be downloaded fails its line later.
		if refresh; then
			touch "$root/.refreshed"
		else
			kb_warn "$suite build root: refresh failed; using the one from $(date -r "$root/.refreshed" 2>/dev/null || echo '?')"
		fi
	fi
	echo "$root"
	exit 0
fi

kb_log "making the $suite build root in $root (mmdebstrap, about 2 minutes)"
mkdir -p "$(dirname "$root")"
tmp=$root.new
rm -rf "$tmp"
opts=(--variant=buildd --include="$(IFS=,; echo "${pkgs[*]}")")
[ -n "$aptopts" ] && opts+=(--aptopt="$aptopts")
# mmdebstrap drops the package lists at the end; fetch-kernel.sh needs them.
opts+=(--skip=cleanup/apt/lists)
if ! mmdebstrap "${opts[@]}" "$suite" "$tmp" "${sources[@]}" </dev/null >"$tmp.log" 2>&1; then
	tail -n 30 "$tmp.log" >&2
	rm -rf "$tmp"
	kb_die "mmdebstrap of $suite failed (log: $tmp.log)"
fi
rm -rf "$root"
mv "$tmp" "$root"
mv "$tmp.log" "$root/.mmdebstrap.log"
echo "$stamp" >"$root/.stamp"
touch "$root/.refreshed"
echo "$root"
