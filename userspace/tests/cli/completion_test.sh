#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion knows what the tool knows: every command `kasblockctl
# help` lists and every long option each `kasblockctl CMD --help` shows is
# named in completion/kasblockctl.bash; and the file parses.

K=${KASBLOCKCTL:-$(dirname "$0")/../../kasblockctl}
C=$(dirname "$0")/../../completion/kasblockctl.bash
passed=0
failed=0
skipped=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

# Words of the file, so that "--json" is not found inside "--jsonx".
words=$(grep -v '^[[:space:]]*#' "$C" | tr -c 'a-z0-9=-' '\n' | sort -u)
has() { grep -qxF -- "$1" <<<"$words"; }

if bash -n "$C"; then ok completion_parses; else bad completion_parses; fi

commands=$("$K" help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$commands" ] || bad commands_listed "kasblockctl help listed no command"
missing=""
for c in $commands; do
	has "$c" || missing="$missing $c"
done
if [ -z "$missing" ]; then ok every_command_completes; else bad every_command_completes "missing:$missing"; fi

for c in $commands; do
	missing=""
	for o in $("$K" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		has "$o" || missing="$missing $o"
	done
	if [ -z "$missing" ]; then
		ok "options_of_$c"
	else
		bad "options_of_$c" "not in the completion:$missing"
	fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
