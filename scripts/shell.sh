#!/bin/bash
# `make shell`: boot a kernel line in QEMU with kasblock.ko loaded and give
# an interactive shell on the console (kasblockctl and the selftests are in
# the image when they are built). Exit the shell to power off.
#
# usage: shell.sh [LINE|KVER]     (default 6.12)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

line=${1:-6.12}
"$KB_ROOT/scripts/install-deps.sh"
kver=$(kb_kver "$line")
kb_fetch_kernel "$kver" || exit 1
ko=$("$KB_ROOT/scripts/build-module.sh" "$kver")
if [ -f "$KB_ROOT/userspace/Makefile" ]; then
	make -s -C "$KB_ROOT/userspace" >&2 || kb_warn "kasblockctl does not build; the VM will lack it"
fi
if [ -f "$KB_ROOT/selftests/Makefile" ]; then
	make -s -C "$KB_ROOT/selftests" OUT="$KB_BUILD/selftests" >&2 ||
		kb_warn "the selftests do not build; the VM will lack them"
fi
"$KB_ROOT/scripts/mkinitramfs.sh" -m "$ko" "$kver" >/dev/null
exec "$KB_ROOT/scripts/run-vm.sh" --shell "$kver"
