#!/bin/sh
# The installed-system tier's checks, run inside the booted Debian system by
# kasblock-system-check.service once multi-user.target is reached (installed
# as /usr/local/lib/kasblock-test/check.sh by scripts/check-system.sh).
#
# Each check prints "KBSYS-CHECK <name> ok" or "KBSYS-CHECK <name> FAIL
# <what it saw>" on the console and into /var/lib/kasblock-test/results;
# "KBSYS-DONE" ends the run, then the system powers off.
#
# Test programs (static, each with its own content, so its own digest):
#   /usr/local/bin/kesl-listed   listed in blocklist.d/test.list
#   /usr/local/bin/kesl-early    listed; kasblock-test-early.service starts it
#                                before kasblock.service, for the sweep to stop
#   /usr/local/bin/kesl-second   listed only in second.list, which this script
#                                installs before `systemctl reload kasblock`
#   /usr/local/bin/kesl-clean    never listed
# With /var/lib/kasblock-test/remove-tool (the second boot), the checks end
# with `apt-get remove kasblockctl`, which must leave the policy in force.
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
results=/var/lib/kasblock-test/results
mkdir -p "${results%/*}"
: >"$results"
T=$(mktemp -d)

report() {
	line="KBSYS-CHECK $1 $2${3:+ $3}"
	echo "$line" >>"$results"
	echo "$line" >/dev/console
}
check() { # NAME CMD...: ok when CMD succeeds; FAIL shows its output
	name=$1
	shift
	if "$@" >"$T/out" 2>&1; then
		report "$name" ok
	else
		report "$name" FAIL "$(tr '\n' ' ' <"$T/out" | cut -c1-1500)"
	fi
}

# denied PROG: exec fails with EPERM ("Operation not permitted").
denied() {
	out=$("$1" 2>&1)
	rc=$?
	echo "exit $rc: $out"
	[ $rc -ne 0 ] && case $out in *"Operation not permitted"*) true ;; *) false ;; esac
}
runs() {
	out=$("$@" 2>&1)
	rc=$?
	echo "exit $rc: $out"
	[ $rc -eq 0 ]
}

echo "KBSYS-BEGIN kernel=$(uname -r)" >/dev/console

check service_active systemctl is-active kasblock.service
check module_from_dkms sh -c 'm=$(modinfo -n kasblock) && echo "$m" && grep -q "^kasblock " /proc/modules &&
	case $m in */updates/dkms/*) true ;; *) false ;; esac'
check listed_program_denied denied /usr/local/bin/kesl-listed
check unlisted_program_runs runs /usr/local/bin/kesl-clean
check system_programs_run sh -c 'id && ls / >/dev/null && journalctl --version >/dev/null && systemctl --version >/dev/null'
# Started before kasblock.service, so it ran unlisted; the sweep (SWEEP=yes)
# must have killed it: SIGKILL is its unit's expected end.
check early_process_swept sh -c 'systemctl show -p ExecMainCode -p ExecMainStatus -p ExecMainPID kasblock-test-early.service;
	! pgrep -x kesl-early && [ "$(systemctl show -p ExecMainStatus --value kasblock-test-early.service)" = 9 ] &&
	journalctl -b -u kasblock.service | grep -q "sweep: listed code was running and has been stopped"'
# auditd writes asynchronously: give a record just made a few seconds.
audit_has() {
	i=0
	while [ $i -lt 20 ]; do
		ausearch -m 1316 -i >"$T/audit" 2>&1
		if grep "$1" "$T/audit" | grep "$2" | grep -q -E "$3"; then
			grep "$1" "$T/audit" | grep "$2" | grep -E "$3" | head -n1
			return 0
		fi
		i=$((i + 1))
		sleep 0.5
	done
	# What the type 1316 records said, not what the event's other records did.
	grep -E 'type=(KERNEL_OTHER|UNKNOWN\[1316\])' "$T/audit" | tail -n 3
	return 1
}
check audit_shows_denial audit_has "decision=deny" "op=exec" "path=/usr/local/bin/kesl-listed"
check audit_shows_policy_change audit_has "op=policy" "res=" "change=(replace|add)"
check journal_shows_policy_digest sh -c 'd=$(kasblockctl status --json | sed -n "s/.*\"policy_digest\": *\"\([0-9a-f]*\)\".*/\1/p");
	echo "status: $d"; [ -n "$d" ] && journalctl -b -u kasblock.service | grep "policy digest $d"'
check policy_locked sh -c 'kasblockctl status --json | grep -q "\"locked\": *true"'
check rmmod_refused sh -c '! rmmod kasblock && grep -q "^kasblock " /proc/modules'

# systemctl reload applies a new list file.
check second_runs_before_reload runs /usr/local/bin/kesl-second
cp /var/lib/kasblock-test/second.list /etc/kasblock/blocklist.d/second.list
check reload_succeeds systemctl reload kasblock.service
check second_denied_after_reload denied /usr/local/bin/kesl-second

check no_failed_units sh -c 'f=$(systemctl --failed --no-legend --plain | grep -v kasblock-system-check); echo "$f"; [ -z "$f" ]'

# Last, on the second boot: removing the tool's package stops nothing that is
# in force.
if [ -e /var/lib/kasblock-test/remove-tool ]; then
	check apt_remove_kasblockctl env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q kasblockctl
	check module_stays_after_remove sh -c 'grep "^kasblock " /proc/modules && ! rmmod kasblock'
	check listed_denied_after_remove denied /usr/local/bin/kesl-listed
fi

rm -rf "$T"
echo "KBSYS-DONE" >>"$results"
echo "KBSYS-DONE" >/dev/console
systemctl --no-block poweroff
