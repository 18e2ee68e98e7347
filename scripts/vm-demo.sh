#!/bin/sh
# The kasblock demo, run inside the test VM by /init (kbvm.run=demo, see
# `make demo`): block a program by its SHA-256 and watch exec refuse it.
# Exits 0 only if every step behaved as shown.

demo=/tmp/kesl-demo
fail=0

say() { printf '\n=== %s\n' "$*"; }
# show CMD: print a shell command as typed, then run it.
show() {
	printf '# %s\n' "$*"
	sh -c "$*"
}
bad() {
	echo "DEMO STEP FAILED: $*"
	fail=1
}

say "kasblock demo on Linux $(uname -r)"
if ! grep -q '^kasblock ' /proc/modules; then
	echo "kasblock.ko is not loaded (see the KBVM-INSMOD line above)"
	exit 1
fi
if ! command -v kasblockctl >/dev/null; then
	echo "kasblockctl is missing from the VM image (build it: make tool)"
	exit 1
fi
show "lsmod | grep -w kasblock"
show "dmesg | grep kasblock"

say "1. An ordinary program runs"
show "cp /kasblock/kesl-demo $demo"
show "$demo" || bad "$demo did not run"

say "2. Take its SHA-256 as the kernel computes it"
show "kasblockctl hash $demo" || bad "kasblockctl hash failed"
hash=$(kasblockctl hash "$demo" | cut -d' ' -f1)

say "3. Block that hash"
show "kasblockctl add --label demo $hash" || bad "kasblockctl add failed"
show "kasblockctl list"

say "4. The same program is now refused"
if show "$demo"; then
	bad "$demo still runs"
else
	echo "(exit status $?)"
fi
say "   ... under any name, because the content is what is blocked"
show "cp $demo /tmp/renamed-copy"
if show "/tmp/renamed-copy"; then
	bad "the renamed copy still runs"
fi

say "5. The kernel log says who tried what"
show "dmesg | grep 'kasblock: denied'" || bad "no denial in the kernel log"

say "6. Counters"
show "kasblockctl status"

say "7. Remove the hash and the program runs again"
show "kasblockctl del $hash" || bad "kasblockctl del failed"
show "$demo" || bad "$demo did not run after del"

if [ $fail -eq 0 ]; then
	say "demo finished: every step behaved as expected"
else
	say "demo finished WITH FAILURES"
fi
exit $fail
