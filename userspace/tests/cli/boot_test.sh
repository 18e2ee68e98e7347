#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The boot path without a module: boot/kasblock-boot against a fake modprobe
# and a kasblockctl wrapper that records every call (digest and help run the
# real tool, which needs no module), with a temporary /etc/kasblock; then
# `make install` into a temporary prefix and `systemd-analyze verify` of the
# unit it installed.

D=$(cd "$(dirname "$0")/../.." && pwd)
K=${KASBLOCKCTL:-$D/kasblockctl}
BOOT=$D/boot/kasblock-boot
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() {
	echo "FAIL $1${2:+: $2}"
	sed 's/^/  out: /' "$T/out"
	sed 's/^/  calls: /' "$T/calls"
	failed=$((failed + 1))
}

mkdir -p "$T/bin"
# The fake kasblockctl: FAKE_<COMMAND>_RC makes a command fail.
cat >"$T/bin/kasblockctl" <<EOF
#!/bin/sh
echo "kasblockctl \$*" >>"$T/calls"
case \$1 in
digest) exec "$K" "\$@" ;;
help) [ -n "\${FAKE_NO_SWEEP:-}" ] && exit 2; exec "$K" "\$@" ;;
load) exit \${FAKE_LOAD_RC:-0} ;;
sweep) exit \${FAKE_SWEEP_RC:-0} ;;
mode) [ \$# -eq 1 ] && echo "\${FAKE_MODE:-enforce}" ;;
esac
exit 0
EOF
cat >"$T/bin/modprobe" <<EOF
#!/bin/sh
echo "modprobe \$*" >>"$T/calls"
exit \${FAKE_MODPROBE_RC:-0}
EOF
chmod +x "$T/bin/kasblockctl" "$T/bin/modprobe"
# The script takes both from the environment first (make check sets KASBLOCKCTL).
export KASBLOCKCTL="$T/bin/kasblockctl" MODPROBE="$T/bin/modprobe"

A=ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb
B=3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d

# fresh: an empty configuration directory
fresh() {
	rm -rf "${T:?}/etc"
	mkdir -p "$T/etc/blocklist.d"
	: >"$T/calls"
}

# boot [ARGS]: run the script; $rc, $T/out (stdout+stderr), $T/calls
boot() {
	PATH="$T/bin:$PATH" KASBLOCK_CONFDIR="$T/etc" "$BOOT" "$@" >"$T/out" 2>&1
	rc=$?
}

calls() { cat "$T/calls"; }

# --- No configuration, no lists: the module is loaded, its list left alone.
fresh
boot
if [ $rc -eq 0 ] && [ "$(calls)" = "modprobe kasblock" ] &&
	grep -q "no list files" "$T/out"; then
	ok no_lists_leaves_the_list_alone
else
	fail no_lists_leaves_the_list_alone "exit $rc"
fi

# --- Good lists: one load of all of them, in name order; other files ignored.
fresh
printf '%s  b\n' $B >"$T/etc/blocklist.d/20-b.list"
printf '%s  a\n' $A >"$T/etc/blocklist.d/10-a.list"
printf 'not a list\n' >"$T/etc/blocklist.d/notes.txt"
printf 'LOCK=no\n' >"$T/etc/kasblock.conf"
boot
want="kasblockctl digest $T/etc/blocklist.d/10-a.list $T/etc/blocklist.d/20-b.list
modprobe kasblock
kasblockctl load $T/etc/blocklist.d/10-a.list $T/etc/blocklist.d/20-b.list"
if [ $rc -eq 0 ] && [ "$(calls)" = "$want" ]; then
	ok good_lists_loaded_in_one_replace
else
	fail good_lists_loaded_in_one_replace "exit $rc"
fi
digest=$("$K" digest "$T/etc/blocklist.d/10-a.list" "$T/etc/blocklist.d/20-b.list")
if grep -q "loaded 2 list file(s) from $T/etc/blocklist.d, policy digest $digest" "$T/out"; then
	ok good_lists_log_the_policy_digest
else
	fail good_lists_log_the_policy_digest
fi

# --- A broken list: non-zero, FILE:LINE said, nothing loaded, module untouched.
printf '%s  a\n%s\n' $A "${B:0:60}" >"$T/etc/blocklist.d/30-broken.list"
: >"$T/calls"
boot
if [ $rc -ne 0 ] && ! grep -q "^kasblockctl load" "$T/calls" && ! grep -q modprobe "$T/calls" &&
	grep -qF "$T/etc/blocklist.d/30-broken.list:2: digest too short" "$T/out" &&
	grep -q "the module keeps its list" "$T/out"; then
	ok broken_list_fails_before_loading
else
	fail broken_list_fails_before_loading "exit $rc"
fi

# --- The kernel refusing the load fails the script, and nothing follows it.
fresh
printf '%s\n' $A >"$T/etc/blocklist.d/a.list"
printf 'LOCK=yes\n' >"$T/etc/kasblock.conf"
FAKE_LOAD_RC=1 boot
if [ $rc -ne 0 ] && grep -q "^kasblockctl load" "$T/calls" && ! grep -q "^kasblockctl lock" "$T/calls"; then
	ok refused_load_fails_and_does_not_lock
else
	fail refused_load_fails_and_does_not_lock "exit $rc"
fi

# --- modprobe failing stops everything.
: >"$T/calls"
FAKE_MODPROBE_RC=1 boot
if [ $rc -ne 0 ] && ! grep -q "^kasblockctl load" "$T/calls" && grep -q "modprobe kasblock failed" "$T/out"; then
	ok failed_modprobe_stops
else
	fail failed_modprobe_stops "exit $rc"
fi

# --- A comment after a value is part of the value, hence an error, as in a
# shell it would not be: better refused than misread.
fresh
printf '%s\n' $A >"$T/etc/blocklist.d/a.list"
printf '# settings\n\n  LOCK="yes"  \r\nSWEEP=no # stop nothing\n' >"$T/etc/kasblock.conf"
boot
if [ $rc -ne 0 ] && grep -q "kasblock.conf:4: SWEEP must be yes or no" "$T/out" && [ ! -s "$T/calls" ]; then
	ok trailing_comment_is_a_bad_value
else
	fail trailing_comment_is_a_bad_value "exit $rc"
fi
# LOCK=yes: load, then lock; quotes, blanks, comments and CRLF are fine.
printf '# settings\n\n  LOCK="yes"  \r\nSWEEP='"'no'"'\nMODE=\n' >"$T/etc/kasblock.conf"
: >"$T/calls"
boot
want="kasblockctl digest $T/etc/blocklist.d/a.list
modprobe kasblock
kasblockctl load $T/etc/blocklist.d/a.list
kasblockctl lock"
if [ $rc -eq 0 ] && [ "$(calls)" = "$want" ] && grep -q "locked until reboot" "$T/out"; then
	ok lock_yes_locks_after_loading
else
	fail lock_yes_locks_after_loading "exit $rc"
fi

# --- LOCK=yes without lists still locks (the module's list, e.g. empty).
rm "$T/etc/blocklist.d/a.list"
: >"$T/calls"
boot
if [ $rc -eq 0 ] && [ "$(calls)" = "modprobe kasblock
kasblockctl lock" ]; then
	ok lock_without_lists
else
	fail lock_without_lists "exit $rc"
fi

# --- MODE: set after loading; contradicting LOCK=yes is refused up front.
fresh
printf 'MODE=monitor\n' >"$T/etc/kasblock.conf"
boot
if [ $rc -eq 0 ] && [ "$(calls)" = "modprobe kasblock
kasblockctl mode monitor" ]; then
	ok mode_monitor_set
else
	fail mode_monitor_set "exit $rc"
fi
printf 'MODE=monitor\nLOCK=yes\n' >"$T/etc/kasblock.conf"
: >"$T/calls"
boot
if [ $rc -ne 0 ] && [ ! -s "$T/calls" ] && grep -q "contradict" "$T/out"; then
	ok monitor_and_lock_refused
else
	fail monitor_and_lock_refused "exit $rc"
fi

# --- Mistakes in the configuration change nothing and name the line.
for bad in "unknown_key:LOKC=yes:unknown setting 'LOKC'" \
	"bad_lock:LOCK=true:LOCK must be yes or no, not 'true'" \
	"bad_mode:MODE=strict:MODE must be enforce, monitor or empty" \
	"not_key_value:LOCK yes:not a KEY=VALUE line"; do
	name=${bad%%:*} bad=${bad#*:}
	fresh
	printf '# x\n%s\n' "${bad%%:*}" >"$T/etc/kasblock.conf"
	boot
	if [ $rc -ne 0 ] && [ ! -s "$T/calls" ] && grep -qF "kasblock.conf:2: ${bad#*:}" "$T/out"; then
		ok "bad_config_$name"
	else
		fail "bad_config_$name" "exit $rc"
	fi
done

# --- SWEEP=yes: after the lock; "found and stopped" (10) is success, 12 is not.
fresh
printf '%s\n' $A >"$T/etc/blocklist.d/a.list"
printf 'SWEEP=yes\nLOCK=yes\n' >"$T/etc/kasblock.conf"
if "$K" help sweep >/dev/null 2>&1; then
	FAKE_SWEEP_RC=10 boot
	if [ $rc -eq 0 ] && [ "$(calls | grep -v '^kasblockctl help' | tail -n 2)" = "kasblockctl lock
kasblockctl sweep --kill" ] && grep -q "has been stopped" "$T/out"; then
		ok sweep_runs_after_lock
	else
		fail sweep_runs_after_lock "exit $rc"
	fi
	: >"$T/calls"
	FAKE_SWEEP_RC=12 boot
	if [ $rc -ne 0 ] && grep -q "could not stop everything (exit 12)" "$T/out"; then
		ok sweep_that_cannot_stop_everything_fails
	else
		fail sweep_that_cannot_stop_everything_fails "exit $rc"
	fi
	# The module's mode parameter said monitor: the sweep reports, the script says so.
	printf 'SWEEP=yes\n' >"$T/etc/kasblock.conf"
	: >"$T/calls"
	FAKE_SWEEP_RC=10 FAKE_MODE=monitor boot
	if [ $rc -eq 0 ] && grep -q "kasblockctl sweep --kill" "$T/calls" &&
		grep -q "is reported, not stopped (monitor mode)" "$T/out" && ! grep -q "has been stopped" "$T/out"; then
		ok sweep_in_monitor_mode_says_it_reported
	else
		fail sweep_in_monitor_mode_says_it_reported "exit $rc"
	fi
else
	echo "ok   sweep_runs_after_lock # SKIP this kasblockctl has no sweep"
fi
# MODE=monitor with SWEEP=yes is refused before the module is touched.
printf 'MODE=monitor\nSWEEP=yes\n' >"$T/etc/kasblock.conf"
: >"$T/calls"
boot
if [ $rc -ne 0 ] && grep -q "MODE=monitor and SWEEP=yes contradict" "$T/out" && ! grep -q modprobe "$T/calls"; then
	ok monitor_and_sweep_refused
else
	fail monitor_and_sweep_refused "exit $rc"
fi
printf 'SWEEP=yes\nLOCK=yes\n' >"$T/etc/kasblock.conf"

: >"$T/calls"
FAKE_NO_SWEEP=1 boot
if [ $rc -ne 0 ] && grep -q "no sweep command" "$T/out" && ! grep -q modprobe "$T/calls"; then
	ok sweep_without_sweep_command_refused
else
	fail sweep_without_sweep_command_refused "exit $rc"
fi

# --- --no-modprobe (a modprobe.d install line runs the script) skips modprobe.
fresh
printf '%s\n' $A >"$T/etc/blocklist.d/a.list"
boot --no-modprobe
if [ $rc -eq 0 ] && ! grep -q modprobe "$T/calls" && grep -q "^kasblockctl load" "$T/calls"; then
	ok no_modprobe_option
else
	fail no_modprobe_option "exit $rc"
fi
boot --frob
if [ $rc -ne 0 ] && grep -q usage "$T/out"; then ok bad_option; else fail bad_option "exit $rc"; fi

# --- make install into a temporary prefix: everything in place, paths rewritten.
P=$T/prefix
if make -s -C "$D" install DESTDIR= PREFIX="$P/usr" SYSCONFDIR="$P/etc" >"$T/out" 2>&1; then
	missing=
	for f in usr/sbin/kasblockctl usr/share/man/man8/kasblockctl.8 \
		usr/share/bash-completion/completions/kasblockctl usr/libexec/kasblock/kasblock-boot \
		usr/lib/systemd/system/kasblock.service etc/kasblock/kasblock.conf etc/kasblock/blocklist.d; do
		[ -e "$P/$f" ] || missing="$missing $f"
	done
	if [ -z "$missing" ] && [ -x "$P/usr/libexec/kasblock/kasblock-boot" ] &&
		grep -q "^ExecStart=$P/usr/libexec/kasblock/kasblock-boot$" "$P/usr/lib/systemd/system/kasblock.service" &&
		grep -q "KASBLOCK_CONFDIR:-$P/etc/kasblock}" "$P/usr/libexec/kasblock/kasblock-boot" &&
		grep -q "KASBLOCKCTL:-$P/usr/sbin/kasblockctl}" "$P/usr/libexec/kasblock/kasblock-boot"; then
		ok make_install_layout
	else
		fail make_install_layout "missing:$missing"
	fi
	# The administrator's configuration survives a reinstall.
	echo "LOCK=yes" >"$P/etc/kasblock/kasblock.conf"
	make -s -C "$D" install DESTDIR= PREFIX="$P/usr" SYSCONFDIR="$P/etc" >"$T/out" 2>&1
	if [ "$(cat "$P/etc/kasblock/kasblock.conf")" = "LOCK=yes" ]; then
		ok make_install_keeps_config
	else
		fail make_install_keeps_config
	fi
	# The installed example configuration is valid as shipped.
	: >"$T/calls"
	mkdir -p "$T/shipped/blocklist.d"
	cp "$D/boot/kasblock.conf" "$T/shipped/kasblock.conf"
	PATH="$T/bin:$PATH" KASBLOCK_CONFDIR="$T/shipped" "$BOOT" >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && [ "$(calls | tail -n 1)" = "modprobe kasblock" ]; then
		ok shipped_config_is_valid
	else
		fail shipped_config_is_valid "exit $rc"
	fi
	if command -v systemd-analyze >/dev/null 2>&1; then
		if systemd-analyze verify --man=no "$P/usr/lib/systemd/system/kasblock.service" >"$T/out" 2>&1 &&
			! grep -q . "$T/out"; then
			ok unit_verifies
		else
			fail unit_verifies "systemd-analyze verify complained"
		fi
	else
		echo "ok   unit_verifies # SKIP no systemd-analyze"
	fi
else
	fail make_install_layout "make install failed"
fi

# --- The shell is POSIX: busybox or dash must run it, so check it with the strictest at hand.
if command -v dash >/dev/null 2>&1; then
	fresh
	printf '%s\n' $A >"$T/etc/blocklist.d/a.list"
	printf 'LOCK=yes\n' >"$T/etc/kasblock.conf"
	PATH="$T/bin:$PATH" KASBLOCK_CONFDIR="$T/etc" dash "$BOOT" >"$T/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q "^kasblockctl lock" "$T/calls"; then
		ok runs_under_dash
	else
		fail runs_under_dash "exit $rc"
	fi
fi

echo "$passed passed, $failed failed, ${skipped:-0} skipped"
[ "$failed" -eq 0 ]
