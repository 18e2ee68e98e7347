#!/bin/bash
# Build (once) the debug kernel `make check-debug` boots: Debian's
# linux-source-6.12, allnoconfig plus scripts/debug-kernel.config (KASAN,
# lockdep, PROVE_RCU, atomic-sleep checks, kmemleak, fault injection).
#
# usage: debug-kernel.sh [--print-kver]
#   Builds what is missing and prints the kernel release (e.g.
#   6.12.117-kasblock-debug) on stdout; --print-kver only prints the release
#   of a finished build (exit 1 when there is none for the current inputs).
#
# Layout ($KB_CACHE survives `make clean`):
#   $KB_CACHE/debug-kernel/src/          the source, extracted once per
#                                          linux-source version
#   $KB_CACHE/debug-kernel/obj-<key>/    the kbuild output (O=); <key>
#                                          hashes the fragment, the source
#                                          version, the compiler and this
#                                          recipe, so an unchanged second run
#                                          does nothing (and a changed
#                                          fragment rebuilds incrementally)
#   $KB_CACHE/debug-kernel/build.log     the last build's output
#   $KB_CACHE/kernel/<kver>/             vmlinuz, lib/modules/<kver>/ and
#                                          build -> obj-<key>: the layout
#                                          run-vm.sh and mkinitramfs.sh read,
#                                          and a kbuild dir for M= builds
#
# Environment: KB_DEBUG_KSRC (/usr/src/linux-source-6.12.tar.xz),
# KB_JOBS (nproc).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Bump when the steps below change what the cached tree contains.
RECIPE=1

print_only=0
case ${1:-} in
--print-kver) print_only=1 ;;
"") ;;
*) kb_die "usage: $0 [--print-kver]" ;;
esac

tarball=${KB_DEBUG_KSRC:-/usr/src/linux-source-6.12.tar.xz}
fragment=$KB_ROOT/scripts/debug-kernel.config
top=$KB_CACHE/debug-kernel
src=$top/src
jobs=${KB_JOBS:-$(nproc)}

# The tools a kernel build needs beyond build-essential (the headers
# packages the other kernels use do not).
need_tools() {
	local missing=() t p
	for t in flex:flex bison:bison bc:bc xz:xz-utils; do
		command -v "${t%%:*}" >/dev/null || missing+=("${t#*:}")
	done
	for p in libelf-dev libssl-dev; do
		dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || kb_die "the debug kernel build needs: ${missing[*]} (apt-get install them)"
	kb_log "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# source_id: names the exact source; the package version when dpkg knows
# the tarball, else its size and mtime.
source_id() {
	local pkg
	if pkg=$(dpkg -S "$tarball" 2>/dev/null); then
		pkg=${pkg%%:*}
		echo "$pkg $(dpkg-query -W -f='${Version}' "$pkg")"
	else
		stat -c '%n %s %Y' "$tarball"
	fi
}

[ -f "$tarball" ] || kb_die "no kernel source at $tarball (apt-get install linux-source-6.12)"
[ -f "$fragment" ] || kb_die "no config fragment at $fragment"
srcid=$(source_id)
key=$({
	echo "recipe $RECIPE"
	echo "source $srcid"
	${CC:-gcc} --version | head -n1
	cat "$fragment"
} | sha256sum | cut -c1-16)
obj=$top/obj-$key

if [ "$print_only" = 1 ]; then
	[ -f "$obj/.kb-done" ] || exit 1
	cat "$obj/.kb-done"
	exit 0
fi

mkdir -p "$top"
# One build at a time: a second caller waits and then finds the cache.
exec 9>"$top/lock"
flock 9

# check_config: every option the fragment sets must be in .config with that
# value, and every "is not set" must be unset; allnoconfig drops an option
# whose dependencies are off without a word.
check_config() {
	local line opt bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			if ! grep -qxF -- "$line" "$obj/.config"; then
				opt=${line%%=*}
				kb_warn "fragment wants $line, .config has: $(grep -E "^(# )?${opt}[= ]" "$obj/.config" || echo "nothing (dependencies off?)")"
				bad=1
			fi
			;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			if grep -q "^$opt=" "$obj/.config"; then
				kb_warn "fragment wants $opt unset, .config has: $(grep "^$opt=" "$obj/.config")"
				bad=1
			fi
			;;
		esac
	done <"$fragment"
	[ $bad -eq 0 ] || kb_die "the debug kernel config lacks options of $fragment"
}

if ! [ -f "$obj/.kb-done" ]; then
	need_tools
	if [ "$(cat "$src/.kb-source" 2>/dev/null)" != "$srcid" ]; then
		kb_log "extracting $tarball into $src"
		rm -rf "$src" "$src.tmp"
		mkdir -p "$src.tmp"
		tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
		echo "$srcid" >"$src.tmp/.kb-source"
		mv "$src.tmp" "$src"
	fi
	# A tree of an earlier key built from the same source makes this build
	# incremental (kbuild tracks each option and the compiler); trees of
	# other sources are dead weight (about 400 MB each).
	if ! [ -d "$obj" ]; then
		for old in "$top"/obj-*; do
			[ -d "$old" ] || continue
			if [ "$(cat "$old/.kb-source" 2>/dev/null)" = "$srcid" ] && ! [ -d "$obj" ]; then
				rm -f "$old/.kb-done"
				mv "$old" "$obj"
			else
				rm -rf "$old"
			fi
		done
	fi
	mkdir -p "$obj"
	echo "$srcid" >"$obj/.kb-source"
	log=$top/build.log
	start=$(date +%s)
	kb_log "building the debug kernel in $obj (-j$jobs, log: $log; about 8 min on 2 idle cores)"
	# KCONFIG_ALLCONFIG makes the fragment's values the starting point of
	# allnoconfig (what merge_config.sh -n does).
	if ! make -C "$src" O="$obj" KCONFIG_ALLCONFIG="$fragment" allnoconfig >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		kb_die "allnoconfig failed (log: $log)"
	fi
	check_config
	if ! make -C "$src" O="$obj" -j"$jobs" bzImage modules >>"$log" 2>&1; then
		grep -E -B2 -A6 'error:|Error [0-9]' "$log" | tail -n 40 >&2
		kb_die "debug kernel build failed (log: $log)"
	fi
	make -s -C "$src" O="$obj" kernelrelease >"$obj/.kb-done"
	kb_log "debug kernel $(cat "$obj/.kb-done") built in $(($(date +%s) - start))s"
fi

kver=$(cat "$obj/.kb-done")
kdir=$KB_CACHE/kernel/$kver
# Install where run-vm.sh and mkinitramfs.sh look for a kernel (again after
# $KB_CACHE/kernel was cleaned, or when another key built this release).
if ! [ -f "$kdir/vmlinuz" ] || [ "$(readlink "$kdir/build")" != "$obj" ]; then
	rm -rf "$kdir"
	mkdir -p "$kdir"
	cp "$obj/arch/x86/boot/bzImage" "$kdir/vmlinuz"
	# Everything is built in: this writes modules.builtin* and the index,
	# which mkinitramfs.sh copies and depmod reads.
	make -C "$src" O="$obj" INSTALL_MOD_PATH="$kdir" modules_install >"$top/install.log" 2>&1 ||
		kb_die "modules_install into $kdir failed (log: $top/install.log)"
	rm -f "$kdir/lib/modules/$kver/build"
	ln -s "$obj" "$kdir/build"
fi
echo "$kver"
