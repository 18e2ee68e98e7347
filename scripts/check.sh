#!/bin/bash
# `make check`: host unit tests, then for every supported kernel line build
# kasblock.ko, boot it in QEMU with the selftests and read the results.
#
# usage: check.sh [LINE|KVER...]  (default: every line in lib.sh's KB_LINES;
#                                  a KVER may name a kernel in $KB_CACHE/kernel)
#
# Lines of other Debian suites are built in that suite's build root
# (build-root.sh), where kasblockctl's host tests run as well. The VMs run
# KB_VM_JOBS at a time (2: each single-threaded TCG VM keeps one core busy);
# each line's output is printed, in order, as the lines finish.
#
# A kernel passes when its TAP has no "not ok", the plan is complete, the VM
# reached its end marker, kasblock.ko loaded, the module built without
# warnings and the kernel log shows no warning, BUG, oops, lockdep, RCU
# stall or panic. The last line is "N passed, N failed": host tests plus the
# VM tests of every kernel plus each failed infrastructure check. The exit
# status is non-zero when anything failed.
#
# KB_VERBOSE=1 streams the VM consoles; KB_SKIP_HOST=1 skips the host tests
# (on the host and in the build roots). KB_VM_TPM=1 (the default here; make
# check-debug sets 0) gives each VM a software TPM, and the host then verifies
# the VM's attestation document and tampered copies of it (attest_checks).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

lines=("$@")
[ ${#lines[@]} -gt 0 ] || read -ra lines <<<"$(kb_lines)"

export KB_VM_TPM=${KB_VM_TPM:-1}
t0=$(date +%s)
total_pass=0 total_fail=0
summary=()

# closing_counts LOG: "P F S" summed over LOG's "P passed, F failed[, S skipped]" lines.
closing_counts() {
	sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\(, \([0-9][0-9]*\) skipped\)\{0,1\}$/\1 \2 \4/p' "$1" |
		awk '{p += $1; f += $2; s += $3} END {print p + 0, f + 0, s + 0}'
}

# infra NAME OK|FAIL [DETAIL]: account an infrastructure check of the
# current stage; only failures count in the totals.
stage_pass=0 stage_fail=0 stage_skip=0 stage_fails=()
infra() {
	if [ "$2" = OK ]; then
		return
	fi
	stage_fail=$((stage_fail + 1))
	stage_fails+=("$1${3:+: $3}")
	kb_warn "FAILED: $1${3:+: $3}"
}
stage_begin() {
	stage_pass=0 stage_fail=0 stage_skip=0 stage_fails=()
	stage_t0=$(date +%s)
}
stage_end() {
	local name=$1 f
	total_pass=$((total_pass + stage_pass))
	total_fail=$((total_fail + stage_fail))
	# A stage with nothing to count but its infrastructure stays out of the
	# summary unless that failed.
	[ "${2:-}" = quiet ] && [ "$stage_fail" -eq 0 ] && return
	summary+=("$name: $stage_pass passed, $stage_fail failed, $stage_skip skipped ($(($(date +%s) - stage_t0))s)")
	for f in "${stage_fails[@]}"; do
		summary+=("    not ok: $f")
	done
}

"$KB_ROOT/scripts/install-deps.sh" || kb_die "installing the dependencies failed"
mkdir -p "$KB_BUILD"

# --- Host ---------------------------------------------------------------
stage_begin
if [ "${KB_SKIP_HOST:-0}" = 1 ]; then
	kb_log "host unit tests skipped (KB_SKIP_HOST=1)"
elif [ ! -f "$KB_ROOT/userspace/Makefile" ]; then
	infra "host unit tests" FAIL "userspace/Makefile is missing"
else
	kb_log "host unit tests: make -C userspace check"
	hostlog=$KB_BUILD/host-check.log
	make -C "$KB_ROOT/userspace" check 2>&1 | tee "$hostlog"
	rc=${PIPESTATUS[0]}
	# The runner closes with "N passed, N failed, N skipped".
	read -r p f sk < <(closing_counts "$hostlog")
	stage_pass=$((stage_pass + p))
	stage_fail=$((stage_fail + f))
	stage_skip=$((stage_skip + sk))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		infra "host unit tests" FAIL "make -C userspace check exited $rc (log: $hostlog)"
	elif [ "$((p + f))" -eq 0 ]; then
		infra "host unit tests" FAIL "no 'N passed, N failed' line in the output"
	fi
fi
stage_end host "$([ "${KB_SKIP_HOST:-0}" = 1 ] && echo quiet)"

# --- Userspace for the VM: kasblockctl and the selftests ----------------
stage_begin
tool='' selftests=''
if [ -f "$KB_ROOT/userspace/Makefile" ]; then
	kb_log "building kasblockctl: make -C userspace"
	if make -C "$KB_ROOT/userspace" >"$KB_BUILD/tool-build.log" 2>&1 &&
		[ -x "$KB_ROOT/userspace/kasblockctl" ]; then
		tool=$KB_ROOT/userspace/kasblockctl
	else
		cat "$KB_BUILD/tool-build.log" >&2
		infra "build kasblockctl" FAIL "log: $KB_BUILD/tool-build.log"
	fi
else
	infra "build kasblockctl" FAIL "userspace/Makefile is missing"
fi
if [ -f "$KB_ROOT/selftests/Makefile" ]; then
	selftests=$KB_BUILD/selftests
	kb_log "building the selftests: make -C selftests OUT=$selftests"
	rm -rf "$selftests"
	if make -C "$KB_ROOT/selftests" OUT="$selftests" >"$KB_BUILD/selftests-build.log" 2>&1 &&
		[ -x "$selftests/run.sh" ]; then
		:
	else
		cat "$KB_BUILD/selftests-build.log" >&2
		infra "build selftests" FAIL "no executable $selftests/run.sh (log: $KB_BUILD/selftests-build.log)"
		selftests=
	fi
else
	infra "build selftests" FAIL "selftests/Makefile is missing: there are no VM tests"
fi
stage_end build quiet

# host_check_in_root SUITE ROOT: kasblockctl and its host tests, built and run
# inside a suite's build root from a copy of the tree (what a user of that
# release compiles with). The fuzz harnesses run on the host only.
host_check_in_root() {
	local suite=$1 root=$2 copy log rc p f
	[ "${KB_SKIP_HOST:-0}" = 1 ] && return
	copy=$KB_BUILD/root-$suite
	log=$KB_BUILD/host-check-$suite.log
	rm -rf "$copy"
	mkdir -p "$copy"
	# The whole tree, as git has it: some tests read the top-level Makefile,
	# dkms.conf and scripts/.
	(cd "$KB_ROOT" && git ls-files -z | xargs -0 cp -p --parents -t "$copy") ||
		kb_die "cannot copy the tree for the $suite build root"
	kb_log "host unit tests in the $suite build root: make -C userspace check"
	kb_chroot "$root" --bind "$copy:/mnt/kasblock" \
		make -C /mnt/kasblock/userspace check FUZZ_CHECK_TIME=0 >"$log" 2>&1
	rc=$?
	read -r p f sk < <(closing_counts "$log")
	stage_pass=$((stage_pass + p))
	stage_fail=$((stage_fail + f))
	stage_skip=$((stage_skip + sk))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		tail -n 30 "$log" >&2
		infra "host unit tests ($suite)" FAIL "make -C userspace check exited $rc (log: $log)"
	elif [ "$((p + f))" -eq 0 ]; then
		infra "host unit tests ($suite)" FAIL "no 'N passed, N failed' line in the output (log: $log)"
	fi
}

# --- One kernel -----------------------------------------------------------

# Kernel log lines that mean the kernel is unwell. Only timestamped kernel
# lines are searched, except the command line and kasblock's own event lines
# (their path= and comm= fields are test-chosen text).
BAD='WARNING:|BUG:|Oops|Call Trace|KASAN|UBSAN|kernel BUG|general protection|RCU stall|rcu_sched self-detected stall|self-detected stall|rcu: INFO|detected stalls|lockdep|possible circular locking|possible recursive locking|sleeping function called from invalid context|[Pp]anic|soft lockup|hard LOCKUP|blocked for more than|list_add corruption|list_del corruption|refcount_t: |Unable to handle|double fault|stack-protector|BUG kmalloc|Memory leak|kmemleak'

# What a debug kernel (scripts/debug-kernel.sh) prints at every boot, though
# it matches the above.
BANNERS='rcu:[[:space:]]+RCU lockdep checking is enabled|kmemleak: Kernel memory leak detector initialized'

# prepare_kernel LINE: what must not run twice at once (apt in a shared root,
# downloads into the shared cache): the kernel release and its image.
# Sets kver; returns non-zero after accounting the failure.
prepare_kernel() {
	local line=$1
	kver=$(kb_kver "$line") || {
		infra "kernel line $line" FAIL "headers not installed"
		return 1
	}
	mkdir -p "$KB_BUILD/$kver"
	if ! kb_fetch_kernel "$kver"; then
		infra "fetch the $kver kernel" FAIL "its linux-image package could not be downloaded or unpacked"
		return 1
	fi
}

# attest_case NAME WANT CMD...: one verify run on the host; WANT is its exit code.
attest_case() {
	local name=$1 want=$2 rc out
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		echo "ok attest.$name"
		stage_pass=$((stage_pass + 1))
	else
		echo "not ok attest.$name: exit $rc, expected $want: $out"
		stage_fail=$((stage_fail + 1))
		stage_fails+=("attest.$name (exit $rc, expected $want)")
	fi
}

# attest_checks LOG DIR NONCE DIGEST: the VM's attestation document (vm-init.sh,
# kbvm.attest: DIGEST listed, nothing else) verified on the host against the
# policy digest computed here, and edited: each tamper must fail with its own
# check's exit code (kasblockctl(8), verify). "Another TPM" is an AK made in a
# second swtpm on the host (tpm2-tools), trusted in place of the VM's.
attest_checks() {
	local log=$1 dir=$2 nonce=$3 listed=$4 a digest other p
	a=$dir/attest
	rm -rf "$a"
	mkdir -p "$a"
	if grep -aq '^KBVM-ATTEST-FAILED' "$log" || ! grep -aq '^KBVM-ATTEST-DOC-END' "$log"; then
		infra "attest in the VM" FAIL "$(grep -a '^KBVM-ATTEST-FAILED' "$log" || echo 'no document')"
		return
	fi
	sed -n '/^KBVM-ATTEST-DOC-BEGIN/,/^KBVM-ATTEST-DOC-END/p' "$log" | sed '1d;$d' | base64 -d >"$a/doc.json"
	sed -n '/^KBVM-ATTEST-PEM-BEGIN/,/^KBVM-ATTEST-PEM-END/p' "$log" | sed '1d;$d' | base64 -d >"$a/ak.pem"
	digest=$(echo "$listed" | "$tool" digest -)
	local v=("$tool" verify --ak-pub "$a/ak.pem" --nonce "$nonce")
	attest_case good 0 "${v[@]}" "$a/doc.json" --expect-digest "$digest"
	attest_case not_locked 29 "${v[@]}" "$a/doc.json" --expect-digest "$digest" --expect-locked
	# A record's policy digest (byte 48 of the first record) edited.
	perl -pe 's/("record":"[0-9a-f]{96})([0-9a-f])/$1 . ($2 eq "0" ? "1" : "0")/e' "$a/doc.json" >"$a/edited.json"
	attest_case edited_log 26 "${v[@]}" "$a/edited.json"
	# The first event dropped; the last event dropped.
	perl -pe 's/\{"record":"[0-9a-f]+"[^{}]*\},//' "$a/doc.json" >"$a/drop-first.json"
	attest_case dropped_first_entry 25 "${v[@]}" "$a/drop-first.json"
	perl -pe 's/,\{"record":"[0-9a-f]+"[^{}]*\}\]/]/' "$a/doc.json" >"$a/drop-last.json"
	attest_case dropped_last_entry 26 "${v[@]}" "$a/drop-last.json"
	attest_case other_nonce 23 "$tool" verify --ak-pub "$a/ak.pem" --nonce "00$nonce" "$a/doc.json"
	attest_case other_digest 28 "${v[@]}" "$a/doc.json" --expect-digest \
		e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	# Another TPM's attestation key.
	other=$a/tpm-b
	mkdir -p "$other"
	p=$((20000 + RANDOM % 20000))
	if swtpm socket --tpm2 --tpmstate "dir=$other" --server "type=tcp,port=$p" \
		--ctrl "type=tcp,port=$((p + 1))" --flags not-need-init,startup-clear \
		--pid "file=$other/pid" --daemon &&
		TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$p" tpm2_createek -Q -c "$other/ek.ctx" -G ecc &&
		TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$p" tpm2_createak -Q -C "$other/ek.ctx" \
			-c "$other/ak.ctx" -G ecc -g sha256 -s ecdsa -u "$other/ak.pem" -f pem; then
		attest_case other_tpm 21 "$tool" verify --ak-pub "$other/ak.pem" --nonce "$nonce" "$a/doc.json"
	else
		infra "a second swtpm for attest.other_tpm" FAIL "swtpm or tpm2-tools failed"
	fi
	[ -f "$other/pid" ] && kill "$(cat "$other/pid")" 2>/dev/null
}

# test_kernel KVER: build the module, boot the VM, read what it printed.
test_kernel() {
	local kver=$1 dir log ko rc warn tap p f s plan nres nnested kout
	dir=$KB_BUILD/$kver
	log=$dir/console.log
	rm -f "$log"

	ko=$("$KB_ROOT/scripts/build-module.sh" "$kver")
	rc=$?
	if [ $rc -ne 0 ] || [ ! -f "$ko" ]; then
		# The compiler's own words first: a kernel API change shows up here.
		infra "build kasblock.ko" FAIL "$(grep -m1 -E 'error:|Error [0-9]' "$dir/module-build.log" |
			sed 's|^/mnt/kasblock-src/||') (log: $dir/module-build.log)"
		return
	fi
	warn=$(grep -cE 'warning:|WARNING:' "$dir/module-build.log")
	[ "$warn" -eq 0 ] && infra "module builds without warnings" OK ||
		infra "module builds without warnings" FAIL "$warn warning(s), see $dir/module-build.log"

	if ! "$KB_ROOT/scripts/mkinitramfs.sh" -m "$ko" ${tool:+-t "$tool"} ${selftests:+-s "$selftests"} "$kver" >/dev/null; then
		infra "build the initramfs" FAIL
		return
	fi

	local t nonce='' listed='' attest=''
	t=$(date +%s)
	if [ "$KB_VM_TPM" = 1 ] && [ -n "$tool" ]; then
		nonce=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
		listed=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
		attest="kbvm.attest=$nonce,$listed"
	fi
	if [ "${KB_VERBOSE:-0}" = 1 ]; then
		KB_VM_APPEND="${KB_VM_APPEND:-}${attest:+ $attest}" \
			"$KB_ROOT/scripts/run-vm.sh" --run check --log "$log" "$kver"
	else
		KB_VM_APPEND="${KB_VM_APPEND:-}${attest:+ $attest}" \
			"$KB_ROOT/scripts/run-vm.sh" --run check --log "$log" "$kver" >/dev/null
	fi
	rc=$?
	kb_log "$kver: VM ran $(($(date +%s) - t))s (exit $rc)"
	[ -f "$log" ] || {
		infra "boot the VM" FAIL "no console log"
		return
	}

	if ! grep -aq '^KBVM-END status=' "$log"; then
		if [ $rc -eq 124 ]; then
			infra "VM reached its end marker" FAIL "timed out (KB_VM_TIMEOUT=${KB_VM_TIMEOUT:-600}s)"
		else
			infra "VM reached its end marker" FAIL "the kernel crashed or panicked"
		fi
		echo "    last lines of $log:" >&2
		tail -n 40 "$log" | sed 's/^/    | /' >&2
	fi
	if grep -aq '^KBVM-WATCHDOG' "$log"; then
		infra "selftests finished in time" FAIL "$(grep -a '^KBVM-WATCHDOG' "$log" | head -n1)"
	fi
	if ! grep -aq '^KBVM-INSMOD status=0' "$log"; then
		infra "insmod kasblock.ko" FAIL "$(grep -a '^KBVM-INSMOD' "$log" || echo 'never tried')"
	fi

	# The TAP: what run.sh printed, between the begin marker and the dmesg
	# dump; a kernel message that landed inside a line is cut off.
	tap=$dir/tap.txt
	awk '/^KBVM-DMESG-BEGIN/ { exit }
		on {
			if (match($0, /\[ *[0-9]+\.[0-9]+\] /)) {
				$0 = substr($0, 1, RSTART - 1)
				if ($0 == "") next
			}
			print
		}
		/^KBVM-BEGIN/ { on = 1 }' "$log" >"$tap"
	echo "# ---- $kver: selftests output ----"
	cat "$tap"
	local counts
	counts=$(awk -f "$KB_ROOT/scripts/tap-summary.awk" "$tap")
	read -r p f s plan nres nnested <<<"$(head -n1 <<<"$counts")"
	stage_pass=$((stage_pass + p))
	stage_fail=$((stage_fail + f))
	stage_skip=$((stage_skip + s))
	while IFS= read -r l; do
		[ -n "$l" ] && stage_fails+=("${l#FAIL }")
	done < <(tail -n +2 <<<"$counts")
	if [ "$nres" -eq 0 ] && [ "$nnested" -eq 0 ]; then
		infra "selftests ran" FAIL "no TAP results"
	elif [ "$((p + f + s))" -eq 0 ]; then
		infra "selftests ran" FAIL "no test was counted"
	elif [ "$plan" -ge 0 ] && [ "$plan" -ne "$nres" ]; then
		infra "TAP plan complete" FAIL "planned $plan results, got $nres (a test crashed or hung?)"
	fi

	if [ -n "$nonce" ]; then
		echo "# ---- $kver: attestation, verified on the host ----"
		attest_checks "$log" "$dir" "$nonce" "$listed"
	fi

	kout=$dir/kernel-problems.txt
	grep -a -E '\[ *[0-9]+\.[0-9]+\] ' "$log" |
		grep -v -i -E 'command line:|kasblock: (denied [a-z]+|would deny [a-z]+|cannot hash|policy (changed|refused)):' |
		grep -v -E "$BANNERS" |
		grep -E "$BAD" | sed 's/^.*\(\[ *[0-9][0-9]*\.[0-9]*\] \)/\1/' | awk '!seen[$0]++' >"$kout"
	if [ -s "$kout" ]; then
		infra "kernel log clean" FAIL "$(wc -l <"$kout") bad line(s), context in $log"
		sed 's/^/    | /' "$kout" | head -n 20 >&2
		# The first report in full, from the dmesg dump when there is one.
		local first n
		first=$(head -n1 "$kout" | sed 's/^\[ *\([0-9.]*\)\].*/\1/')
		n=$(grep -an "\[ *$first\] " "$log" | tail -n1 | cut -d: -f1)
		if [ -n "$n" ]; then
			echo "    first report, $log line $n:" >&2
			sed -n "${n},$((n + 40))p" "$log" | sed 's/^/    | /' >&2
		fi
	fi
}

# --- Build roots: the suites of the lines asked for ----------------------
declare -A root_ok=()
for line in "${lines[@]}"; do
	kb_is_line "$line" || continue
	suite=$(kb_line_suite "$line")
	root=$(kb_root "$suite")
	[ -n "$root" ] && [ -z "${root_ok[$suite]:-}" ] || continue
	stage_begin
	kb_log "$suite build root"
	if "$KB_ROOT/scripts/build-root.sh" "$suite" >/dev/null; then
		root_ok[$suite]=1
		host_check_in_root "$suite" "$root"
	else
		root_ok[$suite]=0
		infra "$suite build root" FAIL "scripts/build-root.sh $suite failed"
	fi
	stage_end "host ($suite)" "$([ "${KB_SKIP_HOST:-0}" = 1 ] && echo quiet)"
done

# --- The kernel lines, KB_VM_JOBS at a time ------------------------------
# A line's stage runs in a subshell; it leaves its counts in $res: a line
# "passed failed skipped seconds kver", then one failure per line.
vm_jobs=${KB_VM_JOBS:-2}
declare -A line_res=() line_out=()
save_stage() {
	{
		echo "$stage_pass $stage_fail $stage_skip $(($(date +%s) - stage_t0)) ${kver:-?}"
		printf '%s\n' "${stage_fails[@]}"
	} >"$1"
}
for line in "${lines[@]}"; do
	res=$KB_BUILD/line-$line.result out=$KB_BUILD/line-$line.out
	line_res[$line]=$res line_out[$line]=$out
	rm -f "$res"
	: >"$out"
	stage_begin
	kver=''
	kb_log "kernel line $line"
	if kb_is_line "$line" && [ "${root_ok[$(kb_line_suite "$line")]:-1}" = 0 ]; then
		infra "kernel line $line" FAIL "its build root could not be made"
		save_stage "$res"
		continue
	fi
	if ! prepare_kernel "$line" 2>>"$out"; then
		save_stage "$res"
		continue
	fi
	while [ "$(jobs -rp | wc -l)" -ge "$vm_jobs" ]; do
		wait -n || true
	done
	kb_log "kernel line $line ($kver): building and booting"
	(
		stage_t0=$(date +%s)	# its own time, not the wait for a free slot
		test_kernel "$kver"
		save_stage "$res"
		read -r p f _ t _ <"$res"
		kb_log "kernel line $line ($kver) finished in ${t}s: $p passed, $f failed" 2>&3
	) 3>&2 >>"$out" 2>&1 &
done
wait
for line in "${lines[@]}"; do
	cat "${line_out[$line]}"
	res=${line_res[$line]}
	stage_begin
	if [ -s "$res" ]; then
		read -r stage_pass stage_fail stage_skip t kver <"$res"
		while IFS= read -r l; do
			[ -n "$l" ] && stage_fails+=("$l")
		done < <(tail -n +2 "$res")
		stage_t0=$(($(date +%s) - t))
	else
		kver='?'
		infra "kernel line $line" FAIL "its test left no result (the harness died)"
	fi
	stage_end "linux $line ($kver)"
done

echo
echo "# ==== kasblock check summary ($(($(date +%s) - t0))s) ===="
for s in "${summary[@]}"; do
	echo "# $s"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
