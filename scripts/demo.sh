#!/bin/bash
# `make demo`: build kasblock for the Debian 13 cloud kernel, boot it in
# QEMU and block a program by its hash (the steps are in vm-demo.sh).
#
# usage: demo.sh [LINE|KVER]     (default deb13)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

line=${1:-deb13}
"$KB_ROOT/scripts/install-deps.sh"
kver=$(kb_kver "$line")
kb_fetch_kernel "$kver" || exit 1
ko=$("$KB_ROOT/scripts/build-module.sh" "$kver")
mkdir -p "$KB_BUILD"
kb_log "building kasblockctl"
if ! make -C "$KB_ROOT/userspace" >"$KB_BUILD/tool-build.log" 2>&1; then
	cat "$KB_BUILD/tool-build.log" >&2
	kb_die "kasblockctl does not build"
fi
"$KB_ROOT/scripts/mkinitramfs.sh" -m "$ko" -t "$KB_ROOT/userspace/kasblockctl" "$kver" >/dev/null

# Show what the demo prints, not the kernel's boot messages (those are in
# the console log).
log=$KB_BUILD/$kver/console-demo.log
set +e
"$KB_ROOT/scripts/run-vm.sh" --run demo --append quiet --log "$log" "$kver" |
	sed -u -n -E '/^KBVM-BEGIN/,/^KBVM-DMESG-BEGIN/{/^KBVM-(BEGIN|DMESG)/!p}'
rc=${PIPESTATUS[0]}
set -e
echo
if [ "$rc" -eq 0 ]; then
	kb_log "demo passed (full console log: $log)"
else
	kb_warn "demo failed with status $rc (full console log: $log)"
fi
exit "$rc"
