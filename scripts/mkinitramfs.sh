#!/bin/bash
# Build the test VM's initramfs for one kernel: busybox, kmod, the module,
# kasblockctl, the selftests and every shared library they need.
#
# usage: mkinitramfs.sh [-m KO] [-t TOOL] [-s SELFTESTS_DIR] [-o OUT] KVER|LINE
#   -m KO       kasblock.ko           (default build/<kver>/src/kmod/kasblock.ko)
#   -t TOOL     kasblockctl           (default userspace/kasblockctl, if built)
#   -s DIR      selftests output dir  (default build/selftests, if present)
#   -o OUT      output                (default build/<kver>/initramfs.cpio.gz)
#   -b DIR      bench programs        (none; scripts/bench.sh), at /kasblock/bench
#
# Layout of the VM (merged /usr, like Debian 12):
#   /init                    scripts/vm-init.sh
#   /kasblock/kasblock.ko    the module under test
#   /kasblock/selftests/     the selftests, entry point run.sh
#   /kasblock/demo.sh        scripts/vm-demo.sh
#   /kasblock/kesl-demo      scripts/kesl-demo.c, the program the demo blocks
#   /usr/sbin/kasblockctl
#   /lib/modules/<kver>/     the kernel's crypto modules (KB_VM_MODDIRS), for
#                            kmod's modprobe/insmod (Debian 6.12 ships .ko.xz)
#   /usr/bin/{setpriv,bash}  the host's (KB_VM_HOST_PROGS); busybox for the rest
#   /etc/passwd, /etc/group  root, and nobody/nogroup (65534)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ko='' tool='' selftests='' out='' bench=''
while getopts m:t:s:o:b: opt; do
	case $opt in
	m) ko=$OPTARG ;;
	t) tool=$OPTARG ;;
	s) selftests=$OPTARG ;;
	o) out=$OPTARG ;;
	b) bench=$OPTARG ;;
	*) kb_die "usage: $0 [-m KO] [-t TOOL] [-s SELFTESTS_DIR] [-o OUT] KVER|LINE" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || kb_die "usage: $0 [-m KO] [-t TOOL] [-s SELFTESTS_DIR] [-o OUT] KVER|LINE"
kver=$(kb_kver "$1")

ko=${ko:-$KB_BUILD/$kver/src/kmod/kasblock.ko}
if [ -z "$tool" ] && [ -x "$KB_ROOT/userspace/kasblockctl" ]; then
	tool=$KB_ROOT/userspace/kasblockctl
fi
if [ -z "$selftests" ] && [ -d "$KB_BUILD/selftests" ]; then
	selftests=$KB_BUILD/selftests
fi
out=${out:-$KB_BUILD/$kver/initramfs.cpio.gz}
kernel=$KB_CACHE/kernel/$kver
# Module directories (relative to lib/modules/<kver>/kernel) the VM carries:
# the SHA-256 drivers kasblock may request, and small modules tests can load.
moddirs=${KB_VM_MODDIRS:-arch/x86/crypto crypto fs/overlayfs}

[ -f "$ko" ] || kb_die "no module at $ko (run scripts/build-module.sh $kver)"
[ -d "$kernel/lib/modules/$kver" ] || kb_die "no kernel in $kernel (run scripts/fetch-kernel.sh $kver)"
busybox=$(command -v busybox) || kb_die "busybox not found (apt-get install busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && kb_die "$busybox is dynamic: install busybox-static"

root=$(mktemp -d "${TMPDIR:-/tmp}/kasblock-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"

mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,root,proc,sys,dev,tmp,run,mnt,kasblock}
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
chmod 1777 "$root/tmp"
chmod 700 "$root/root"

# add_elf SRC DST: copy a program (DST relative to the VM root) together
# with the shared libraries and loader ldd says it needs.
add_elf() {
	local src=$1 dst=$2 lib
	mkdir -p "$root/$(dirname "$dst")"
	cp -L "$src" "$root/$dst"
	add_libs "$src"
}

add_libs() {
	local lib
	for lib in $(ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

is_elf() {
	[ "$(head -c4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]
}

# busybox, with every applet as a symlink; kmod then takes over the module
# tools (Debian 6.12 ships .ko.xz, which kmod reads).
cp "$busybox" "$root/usr/bin/busybox"
"$busybox" --list-full | while read -r applet; do
	case $applet in
	bin/busybox | linuxrc) continue ;;
	esac
	name=$(basename "$applet")
	[ -e "$root/usr/bin/$name" ] || [ -e "$root/usr/sbin/$name" ] && continue
	case $applet in
	sbin/* | usr/sbin/*) ln -s /usr/bin/busybox "$root/usr/sbin/$name" ;;
	*) ln -s /usr/bin/busybox "$root/usr/bin/$name" ;;
	esac
done
kmod=$(command -v kmod) || kb_die "kmod not found (apt-get install kmod)"
add_elf "$kmod" usr/bin/kmod
for t in insmod rmmod modprobe lsmod modinfo depmod; do
	rm -f "$root/usr/sbin/$t" "$root/usr/bin/$t"
	ln -s /usr/bin/kmod "$root/usr/sbin/$t"
done

# Host programs that do more than their busybox applets: util-linux setpriv
# (--reuid etc., to drop to nobody) and bash for test scripts.
for prog in ${KB_VM_HOST_PROGS:-setpriv bash}; do
	path=$(command -v "$prog") || kb_die "$prog not found on the host"
	rm -f "$root/usr/bin/$prog" "$root/usr/sbin/$prog"
	add_elf "$path" "usr/bin/$prog"
done

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF
echo kasblock-vm >"$root/etc/hostname"
: >"$root/etc/fstab"

# The kernel's own modules (a subset) and their index.
mods=$root/usr/lib/modules/$kver
mkdir -p "$mods/kernel"
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -f "$kernel/lib/modules/$kver/$f" ] && cp "$kernel/lib/modules/$kver/$f" "$mods/"
done
for d in $moddirs; do
	if [ -d "$kernel/lib/modules/$kver/kernel/$d" ]; then
		mkdir -p "$mods/kernel/$d"
		cp -a "$kernel/lib/modules/$kver/kernel/$d/." "$mods/kernel/$d/"
	fi
done
depmod -b "$root" "$kver"

# kasblock itself.
cp "$ko" "$root/kasblock/kasblock.ko"
install -m 0755 "$KB_ROOT/scripts/vm-init.sh" "$root/init"
install -m 0755 "$KB_ROOT/scripts/vm-demo.sh" "$root/kasblock/demo.sh"
${CC:-cc} -O2 -Wall -o "$root/kasblock/kesl-demo" "$KB_ROOT/scripts/kesl-demo.c"
add_libs "$root/kasblock/kesl-demo"
if [ -n "$tool" ]; then
	add_elf "$tool" usr/sbin/kasblockctl
fi
if [ -n "$selftests" ]; then
	[ -d "$selftests" ] || kb_die "no selftests directory $selftests"
	cp -a "$selftests" "$root/kasblock/selftests"
	while IFS= read -r -d '' f; do
		is_elf "$f" && add_libs "$f"
	done < <(find "$root/kasblock/selftests" -type f -print0)
fi

if [ -n "$bench" ]; then
	[ -d "$bench" ] || kb_die "no bench directory $bench"
	cp -a "$bench" "$root/kasblock/bench"
	while IFS= read -r -d '' f; do
		is_elf "$f" && add_libs "$f"
	done < <(find "$root/kasblock/bench" -type f -print0)
fi

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
