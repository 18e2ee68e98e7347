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

# The kernel lines kasblock supports, as "<short name>:<headers meta package>".
# The meta package depends on the current ABI's headers package, which names
# the kernel release; nothing here hard-codes an ABI number.
KB_LINES=(
	"6.1:linux-headers-cloud-amd64"
	"6.12:linux-headers-6.12-cloud-amd64"
)

kb_log() { printf '==> %s\n' "$*" >&2; }
kb_warn() { printf '!!! %s\n' "$*" >&2; }
kb_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# kb_line_meta LINE: the headers meta package of a short line name ("6.1").
kb_line_meta() {
	local l
	for l in "${KB_LINES[@]}"; do
		if [ "${l%%:*}" = "$1" ]; then
			echo "${l#*:}"
			return 0
		fi
	done
	return 1
}

# kb_line_kver LINE: the kernel release of the installed headers of a line,
# e.g. 6.1 -> 6.1.0-56-cloud-amd64, read from the meta package's Depends.
kb_line_kver() {
	local meta dep
	meta=$(kb_line_meta "$1") || kb_die "unknown kernel line '$1' (known: $(kb_lines))"
	dep=$(dpkg-query -W -f='${Depends}' "$meta" 2>/dev/null) ||
		kb_die "$meta is not installed: run scripts/install-deps.sh"
	# "linux-headers-6.1.0-56-cloud-amd64 (= 6.1.192-2)"
	dep=${dep%%[ ,]*}
	case $dep in
	linux-headers-*) echo "${dep#linux-headers-}" ;;
	*) kb_die "cannot read the headers package from $meta's Depends: '$dep'" ;;
	esac
}

# kb_lines: the short names of all supported lines.
kb_lines() {
	local l out=
	for l in "${KB_LINES[@]}"; do
		out="$out ${l%%:*}"
	done
	echo "${out# }"
}

# kb_kdir KVER: the kbuild directory of a kernel: an installed headers
# package, or $KB_CACHE/kernel/<kver>/build for a kernel built here
# (scripts/debug-kernel.sh).
kb_kdir() {
	local d=/usr/src/linux-headers-$1
	if [ ! -f "$d/Makefile" ] && [ -f "$KB_CACHE/kernel/$1/build/Makefile" ]; then
		d=$KB_CACHE/kernel/$1/build
	fi
	[ -f "$d/Makefile" ] || kb_die "no kernel headers in $d: run scripts/install-deps.sh"
	echo "$d"
}

# kb_kver LINE|KVER: a kernel release, from a line name or as given.
kb_kver() {
	case $1 in
	*-*) echo "$1" ;;
	*) kb_line_kver "$1" ;;
	esac
}

# kb_fetch_kernel KVER: make $KB_CACHE/kernel/<kver>/vmlinuz exist: a Debian
# kernel is fetched to match its headers package; one built here
# (debug-kernel.sh) must be there already.
kb_fetch_kernel() {
	if dpkg-query -W "linux-headers-$1" >/dev/null 2>&1; then
		"$KB_ROOT/scripts/fetch-kernel.sh" "$1" >/dev/null
	elif [ ! -f "$KB_CACHE/kernel/$1/vmlinuz" ]; then
		kb_warn "no headers package linux-headers-$1 and no $KB_CACHE/kernel/$1/vmlinuz"
		return 1
	fi
}
