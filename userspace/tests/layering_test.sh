#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The folders' dependency rule (README, "Layout"), checked on the sources'
# #include lines and on the built objects' symbols (nm), so that a call going
# the wrong way fails even when no header says so:
#   kasblockctl.c  -> cmd/, lib/
#   cmd/           -> features, through their public header, and lib/;
#                     never a subcommand's own file (one command calling another)
#   scan/ sweep/ harvest/ -> lib/, and another feature only through its public header
#   lib/           -> lib/ only
# A feature's public header is F/F.h; every other header in F/ is F's own.
# Run from make check after the build (the objects sit next to their sources);
# U=DIR checks another tree.

U=${U:-$(cd "$(dirname "$0")/.." && pwd)}
NM=${NM:-nm}
FEATURES="scan sweep harvest attest"
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; failed=$((failed + 1)); }

# check NAME FILE: ok when FILE (the offences found) is empty, else lists them.
check() {
	if [ -s "$2" ]; then
		fail "$1" "$(wc -l <"$2") wrong way"
		sed 's/^/  /' "$2"
	else
		ok "$1"
	fi
}

is_feature() { case " $FEATURES " in *" $1 "*) return 0 ;; esac; return 1; }

# Whether feature $2's public header declares $1: F/F.h, or a header of F's it
# includes (scan/scan.h brings indicators.h, whose loaders the command calls).
public() {
	local h hdrs=$2/$2.h
	for h in $(sed -n 's/^#include "\([^/"]*\)".*/\1/p' "$2/$2.h"); do
		[ -e "$2/$h" ] && hdrs="$hdrs $2/$h"
	done
	grep -qw -- "$1" $hdrs
}

# The folder of a source or object: "top" for kasblockctl.c.
folder_of() {
	case "$1" in
	*/*) echo "${1%%/*}" ;;
	*) echo top ;;
	esac
}

cd "$U" || exit 1
sources=$(ls kasblockctl.c cmd/*.[ch] lib/*.[ch] 2>/dev/null; for f in $FEATURES; do ls "$f"/*.[ch] 2>/dev/null; done)

# Includes. A bare name is a header of the including file's own folder (the
# compiler looks there first), or one from outside the tool (uapi, system):
# it must not be a header that only another folder has, which would build
# only through an -I that hides the dependency.
: >"$T/inc"
for src in $sources; do
	from=$(folder_of "$src")
	dir=$(dirname "$src")
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$src" |
	sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' |
	while read -r line inc; do
		where="$src:$line: #include \"$inc\""
		case "$inc" in
		../*)
			# Leaving the tool is fine (lib/version.h takes the module's); coming back into it is not.
			real=$(realpath -m "$dir/$inc")
			case "$real" in "$U"/*) echo "$where: use the folder's name, not ../" ;; esac
			continue
			;;
		*/*)
			to=${inc%%/*}
			;;
		*)
			if [ -e "$dir/$inc" ]; then
				continue
			fi
			other=$(ls cmd/"$inc" lib/"$inc" $(for f in $FEATURES; do echo "$f/$inc"; done) 2>/dev/null | head -n 1)
			[ -n "$other" ] && echo "$where: that is $other; name its folder"
			continue
			;;
		esac
		[ "$to" = "$from" ] && continue
		[ "$to" = lib ] && continue
		case "$from" in
		top)
			[ "$to" = cmd ] && continue
			;;
		cmd | scan | sweep | harvest)
			if is_feature "$to"; then
				[ "$inc" = "$to/$to.h" ] && continue
				echo "$where: $to/'s own header; use $to/$to.h"
				continue
			fi
			;;
		esac
		echo "$where: $from/ must not include from $to/"
	done >>"$T/inc"
done

# The include rule, one check per kind of folder, so that a failure names the layer.
grep '^lib/' "$T/inc" >"$T/inc_lib"
grep -E "^($(echo $FEATURES | tr ' ' '|'))/" "$T/inc" >"$T/inc_feature"
grep -E '^(cmd/|kasblockctl\.c)' "$T/inc" >"$T/inc_cmd"
check lib_includes_only_lib "$T/inc_lib"
check features_include_lib_and_public_headers "$T/inc_feature"
check commands_include_features_public_headers "$T/inc_cmd"

# Symbols. Every global a built object defines, by folder; then every symbol
# an object needs that another folder defines.
# The objects of today's sources (a stale one of a removed file is no evidence).
objs=
missing=
for c in kasblockctl.c cmd/*.c lib/*.c $(for f in $FEATURES; do echo "$f/*.c"; done); do
	[ -e "$c" ] || continue
	if [ -e "${c%.c}.o" ]; then
		objs="$objs ${c%.c}.o"
	else
		missing="$missing ${c%.c}.o"
	fi
done
if [ -n "$missing" ] || [ -z "$objs" ]; then
	fail objects_built "missing${missing:- all}: run make first"
	echo "$passed passed, $failed failed, ${skipped:-0} skipped"
	exit 1
fi
ok objects_built
for o in $objs; do
	$NM --defined-only "$o" | awk -v o="$o" '$2 ~ /^[TDBRVWGS]$/ { print $3, o }'
done | sort >"$T/defs"
for o in $objs; do
	$NM --undefined-only "$o" | awk -v o="$o" '{ print $NF, o }'
done | sort >"$T/undefs"
# symbol user definer
join "$T/undefs" "$T/defs" >"$T/uses"
if [ ! -s "$T/uses" ]; then
	fail symbols_read "$NM found no symbol one object takes from another"
else
	ok symbols_read
fi

# The objects that are a subcommand: they define a <name>_main.
grep -E '^[a-z]+_main cmd/' "$T/defs" | awk '{ print $2 }' | sort -u >"$T/subcommands"

: >"$T/sym_lib"
: >"$T/sym_feature"
: >"$T/sym_cmd"
: >"$T/sym_api"
while read -r sym user def; do
	from=$(folder_of "$user")
	to=$(folder_of "$def")
	[ "$from" = "$to" ] && [ "$from" != cmd ] && continue
	what="$user uses $sym from $def"
	case "$from" in
	lib)
		echo "$what" >>"$T/sym_lib"
		;;
	scan | sweep | harvest)
		if [ "$to" = cmd ] || [ "$to" = top ]; then
			echo "$what" >>"$T/sym_feature"
		elif is_feature "$to" && ! public "$sym" "$to"; then
			echo "$what, which $to/$to.h does not declare" >>"$T/sym_feature"
		fi
		;;
	cmd)
		if [ "$to" = top ]; then
			echo "$what" >>"$T/sym_cmd"
		elif [ "$to" = cmd ] && grep -qx -- "$def" "$T/subcommands"; then
			[ "$user" != "$def" ] && echo "$what: a command calls another command" >>"$T/sym_cmd"
		elif is_feature "$to" && ! public "$sym" "$to"; then
			echo "$what, which $to/$to.h does not declare" >>"$T/sym_api"
		fi
		;;
	esac
done <"$T/uses"
check lib_uses_no_command_or_feature_symbol "$T/sym_lib"
check features_use_no_command_symbol "$T/sym_feature"
check commands_call_no_other_command "$T/sym_cmd"
check commands_use_features_public_api "$T/sym_api"

echo "$passed passed, $failed failed, ${skipped:-0} skipped"
[ "$failed" -eq 0 ]
