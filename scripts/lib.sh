# kasblock build/VM scripts: shared helpers, sourced (not executed).
# shellcheck shell=bash
#
# What the scripts download or build once lives in a cache outside the tree,
# so that a fresh clone (CI's) finds it; each item carries a stamp of what it
# was made from and is rebuilt when that changes or it is missing:
#   $KB_CACHE/                   (KB_CACHE, default /var/cache/kasblock)
#   $KB_CACHE/debs/              downloaded linux-image .debs
#   $KB_CACHE/kernel/<kver>/     vmlinuz + lib/modules/<kver>/ of one kernel
#   $KB_CACHE/debug-kernel/      the debug kernel's source and objects
# What one checkout builds lives under build/ at the top of the tree:
#   build/selftests/             selftests output (make -C selftests OUT=...)
#   build/<kver>/src/            copy of Kbuild + kmod/, built with M=
#   build/<kver>/initramfs.cpio.gz, build/<kver>/console.log

KB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KB_BUILD=${KB_BUILD:-$KB_ROOT/build}
KB_CACHE=${KB_CACHE:-/var/cache/kasblock}

# The kernel lines kasblock supports, as "<name>:<suite>:<headers meta package>".
# The meta package depends on the current ABI's headers package, which names
# the kernel release; nothing here hard-codes an ABI number, so each run tests
# what the suite ships that day. Lines of the host's own suite (Debian 12)
# build against headers installed on the host (scripts/install-deps.sh);
# the others inside a build root of their suite (scripts/build-root.sh),
# because their kbuild tools are linked against that suite's libc and
# configured for its compiler. To add a line: one row here; a new suite also
# needs its apt sources in kb_suite_sources.
KB_LINES=(
	"6.1:bookworm:linux-headers-cloud-amd64"
	"6.1-generic:bookworm:linux-headers-amd64"
	"6.12:bookworm:linux-headers-6.12-cloud-amd64"
	"6.12-generic:bookworm:linux-headers-6.12-amd64"
	"6.12-rt:bookworm:linux-headers-6.12-rt-amd64"
	"deb13:trixie:linux-headers-cloud-amd64"
	"deb13-generic:trixie:linux-headers-amd64"
	"newest:sid:linux-headers-cloud-amd64"
)
KB_HOST_SUITE=bookworm

# What kasblockctl and its host tests build with, on the host and in every
# build root (userspace/Makefile).
KB_USERSPACE_PKGS=(
	build-essential pkg-config libmnl-dev libkmod-dev libssl-dev libarchive-dev
	liblzma-dev libzstd-dev zlib1g-dev zstd openssl kmod libtss2-dev libjson-c-dev
)

kb_log() { printf '==> %s\n' "$*" >&2; }
kb_warn() { printf '!!! %s\n' "$*" >&2; }
kb_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# kb_line_field LINE N: field N (1 name, 2 suite, 3 meta) of a line's row.
kb_line_field() {
	local l
	for l in "${KB_LINES[@]}"; do
		if [ "${l%%:*}" = "$1" ]; then
			cut -d: -f"$2" <<<"$l"
			return 0
		fi
	done
	return 1
}
kb_is_line() { kb_line_field "$1" 1 >/dev/null; }
kb_line_suite() { kb_line_field "$1" 2; }
kb_line_meta() { kb_line_field "$1" 3; }

# kb_lines [SUITE]: the names of all supported lines (of one suite).
kb_lines() {
	local l out=
	for l in "${KB_LINES[@]}"; do
		[ -n "${1:-}" ] && [ "$(cut -d: -f2 <<<"$l")" != "$1" ] && continue
		out="$out ${l%%:*}"
	done
	echo "${out# }"
}

# kb_suite_metas SUITE: the headers meta packages of a suite's lines.
kb_suite_metas() {
	local l
	for l in "${KB_LINES[@]}"; do
		if [ "$(cut -d: -f2 <<<"$l")" = "$1" ]; then
			cut -d: -f3 <<<"$l"
		fi
	done | sort -u
}

# kb_root SUITE: the build root of a suite; empty for the host's own suite.
kb_root() {
	[ "$1" = "$KB_HOST_SUITE" ] || echo "$KB_CACHE/root/$1"
}

# kb_mirror [security]: the Debian mirror the host's apt already uses (its
# security mirror with "security"), so build roots reach the same registry;
# KB_MIRROR / KB_SECURITY_MIRROR override.
kb_mirror() {
	local want=$KB_HOST_SUITE var=KB_MIRROR
	[ "${1:-}" = security ] && want=$KB_HOST_SUITE-security var=KB_SECURITY_MIRROR
	if [ -n "${!var:-}" ]; then
		echo "${!var}"
		return
	fi
	apt-get indextargets --format '$(REPO_URI) $(CODENAME)' 'Identifier: Packages' 2>/dev/null |
		awk -v s="$want" '$2 == s { sub("/$", "", $1); print $1; exit }'
}

# kb_suite_sources SUITE: the one-line apt sources of a build root.
kb_suite_sources() {
	local m s
	m=$(kb_mirror) s=$(kb_mirror security)
	[ -n "$m" ] || kb_die "cannot tell the host's Debian mirror from apt (set KB_MIRROR)"
	case $1 in
	sid) echo "deb $m sid main" ;;
	*)
		echo "deb $m $1 main"
		echo "deb $m $1-updates main"
		[ -n "$s" ] && echo "deb $s $1-security main"
		;;
	esac
}

# kb_suite_aptopts SUITE: apt options a suite needs: sid's Release file in the
# registry is not always re-signed before it expires.
kb_suite_aptopts() {
	[ "$1" = sid ] && echo 'Acquire::Check-Valid-Until "false";'
	return 0
}

# kb_dpkg_query ROOT ARGS...: dpkg-query on the host (ROOT empty) or in a root.
kb_dpkg_query() {
	local root=$1
	shift
	dpkg-query ${root:+--admindir="$root/var/lib/dpkg"} "$@"
}

# kb_line_kver LINE: the kernel release of the installed headers of a line,
# e.g. 6.1 -> 6.1.0-57-cloud-amd64, read from the meta package's Depends.
kb_line_kver() {
	local meta suite root dep
	meta=$(kb_line_meta "$1") || kb_die "unknown kernel line '$1' (known: $(kb_lines))"
	suite=$(kb_line_suite "$1")
	root=$(kb_root "$suite")
	if [ -n "$root" ] && [ ! -f "$root/.stamp" ]; then
		"$KB_ROOT/scripts/build-root.sh" "$suite" >/dev/null ||
			kb_die "no $suite build root for line $1 (scripts/build-root.sh $suite failed)"
	fi
	dep=$(kb_dpkg_query "$root" -W -f='${Depends}' "$meta" 2>/dev/null) ||
		kb_die "$meta is not installed${root:+ in $root}: run scripts/${root:+build-root.sh $suite}${root:-install-deps.sh}"
	# "linux-headers-6.1.0-57-cloud-amd64 (= 6.1.192-3)"; newer metas name
	# other packages too ("linux-base-cloud-amd64, linux-headers-7.2...").
	local d
	d=$(tr ',' '\n' <<<"$dep" | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n1)
	[ -n "$d" ] || kb_die "cannot read the headers package from $meta's Depends: '$dep'"
	echo "$d"
}

# kb_kver_root KVER: the build root whose headers package is that kernel's;
# empty when the host has it (or for a kernel built here).
kb_kver_root() {
	local suite root
	dpkg-query -W "linux-headers-$1" >/dev/null 2>&1 && return 0
	for suite in $(printf '%s\n' "${KB_LINES[@]}" | cut -d: -f2 | sort -u); do
		root=$(kb_root "$suite")
		[ -n "$root" ] && [ -f "$root/usr/src/linux-headers-$1/Makefile" ] && {
			echo "$root"
			return 0
		}
	done
	return 0
}

# kb_chroot ROOT [--bind HOSTDIR:DIR]... CMD...: run CMD in a build root, in a
# private mount namespace of its own (with /proc, which objtool reads, and the
# bind mounts), so nothing stays mounted when it ends, however it ends.
kb_chroot() {
	local root=$1 binds=()
	shift
	while [ "${1:-}" = --bind ]; do
		binds+=("$2")
		shift 2
	done
	unshare --mount --propagation private -- bash -c '
		root=$1 n=$2
		shift 2
		mount -t proc proc "$root/proc" || exit 125
		for ((i = 0; i < n; i++)); do
			mkdir -p "$root${1#*:}" && mount --bind "${1%%:*}" "$root${1#*:}" || exit 125
			shift
		done
		exec chroot "$root" "$@"' kb-chroot "$root" "${#binds[@]}" "${binds[@]}" "$@"
}

# kb_kdir KVER: the kbuild directory of a kernel: an installed headers
# package, or $KB_CACHE/kernel/<kver>/build for a kernel built here
# (scripts/debug-kernel.sh).
kb_kdir() {
	local d=$(kb_kver_root "$1")/usr/src/linux-headers-$1
	if [ ! -f "$d/Makefile" ] && [ -f "$KB_CACHE/kernel/$1/build/Makefile" ]; then
		d=$KB_CACHE/kernel/$1/build
	fi
	[ -f "$d/Makefile" ] || kb_die "no kernel headers in $d: run scripts/install-deps.sh"
	echo "$d"
}

# kb_kver LINE|KVER: a kernel release, from a line name or as given.
kb_kver() {
	if kb_is_line "$1"; then
		kb_line_kver "$1"
	else
		echo "$1"
	fi
}

# kb_fetch_kernel KVER: make $KB_CACHE/kernel/<kver>/vmlinuz exist: a Debian
# kernel is fetched to match its headers package; one built here
# (debug-kernel.sh) must be there already.
kb_fetch_kernel() {
	if dpkg-query -W "linux-headers-$1" >/dev/null 2>&1 || [ -n "$(kb_kver_root "$1")" ]; then
		"$KB_ROOT/scripts/fetch-kernel.sh" "$1" >/dev/null
	elif [ ! -f "$KB_CACHE/kernel/$1/vmlinuz" ]; then
		kb_warn "no headers package linux-headers-$1 and no $KB_CACHE/kernel/$1/vmlinuz"
		return 1
	fi
}
