#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Packaging without installing anything on this machine: dkms.conf says what
# the tree builds, the top-level `make install` into a DESTDIR (without kernel
# headers: the tool and the boot files, and a note for the module), and
# `make dkms-install DESTDIR=...` stages a clean source tree. The Debian
# packages' version (debian/changelog) is the one the tree writes everywhere
# else; `make deb` itself is too slow for this tier.

R=$(cd "$(dirname "$0")/../../.." && pwd)
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; sed 's/^/  /' "$T/out" 2>/dev/null; failed=$((failed + 1)); }

# dkms.conf is shell; DKMS sources it with kernel_source_dir set.
if (
	# shellcheck disable=SC2034 # read by dkms.conf
	kernel_source_dir=/lib/modules/KVER/build
	# shellcheck disable=SC1091
	. "$R/dkms.conf"
	# The version is filled in when the source is staged (below).
	[ "$PACKAGE_NAME" = kasblock ] && [ "$PACKAGE_VERSION" = "#MODULE_VERSION#" ] &&
		[ "${BUILT_MODULE_NAME[0]}" = kasblock ] && [ "${BUILT_MODULE_LOCATION[0]}" = kmod/ ] &&
		[ "${MAKE[0]}" = "make module KDIR=/lib/modules/KVER/build" ] &&
		[ "$AUTOINSTALL" = yes ] && [ -n "$CLEAN" ]
) >"$T/out" 2>&1; then
	ok dkms_conf_matches_the_tree
else
	fail dkms_conf_matches_the_tree
fi
# The module it names is the one Kbuild builds.
if grep -q '^obj-m += kmod/' "$R/Kbuild" && grep -q '^obj-m := kasblock.o' "$R/kmod/Kbuild"; then
	ok dkms_module_location_is_kbuilds
else
	: >"$T/out"
	fail dkms_module_location_is_kbuilds
fi

# kmod/version.h is the version; debian/rules refuses to build a package
# whose debian/changelog says otherwise, and so does this.
want=$(sed -n '1s/^kasblock (\([^)]*\)).*/\1/p' "$R/debian/changelog")
if [ -n "$want" ] && (cd "$R" && debian/check-version "$want") >"$T/out" 2>&1; then
	ok version_agrees_with_debian_changelog
else
	fail version_agrees_with_debian_changelog "debian/changelog says '$want'"
fi
if [ -n "${KASBLOCKCTL:-}" ] && [ "$("$KASBLOCKCTL" --version 2>"$T/out")" = "kasblockctl $want" ]; then
	ok kasblockctl_version_is_debian_changelogs
else
	"${KASBLOCKCTL:-false}" --version >>"$T/out" 2>&1
	fail kasblockctl_version_is_debian_changelogs "want kasblockctl $want"
fi
# check-version can fail: a tree that disagrees is refused.
mkdir -p "$T/bad/kmod"
cp "$R/dkms.conf" "$T/bad/" && cp "$R/kmod/main.c" "$T/bad/kmod/" &&
	sed 's/^#define KASBLOCK_VERSION ".*"$/#define KASBLOCK_VERSION "0.0.0-wrong"/' \
		"$R/kmod/version.h" >"$T/bad/kmod/version.h"
if ! (cd "$T/bad" && "$R/debian/check-version" "$want") >"$T/out" 2>&1 &&
	grep -q "kmod/version.h says '0.0.0-wrong'" "$T/out"; then
	ok check_version_refuses_a_disagreeing_tree
else
	fail check_version_refuses_a_disagreeing_tree
fi

# What the packages' control files promise.
c=$R/debian/control
if grep -q '^Build-Depends:.*debhelper-compat (= 13)' "$c" &&
	awk '/^Package: kasblock-dkms$/,/^$/' "$c" | grep -q '^Architecture: all$' &&
	awk '/^Package: kasblock-dkms$/,/^$/' "$c" | grep -q '^Depends: dkms' &&
	awk '/^Package: kasblockctl$/,/^$/' "$c" | grep -q '^Architecture: any$' &&
	grep -qx 'dkms.conf' "$R/debian/kasblock-dkms.dkms" &&
	grep -q -- '--no-start' "$R/debian/rules"; then
	ok debian_control_names_both_packages
else
	: >"$T/out"
	fail debian_control_names_both_packages
fi

D=$T/root
if make -s -C "$R" install DESTDIR="$D" KDIR="$T/no-headers" >"$T/out" 2>&1 &&
	grep -q "kasblock.ko is not installed" "$T/out" &&
	[ -x "$D/usr/sbin/kasblockctl" ] && [ -x "$D/usr/libexec/kasblock/kasblock-boot" ] &&
	[ -f "$D/usr/lib/systemd/system/kasblock.service" ] && [ -f "$D/etc/kasblock/kasblock.conf" ] &&
	[ -d "$D/etc/kasblock/blocklist.d" ] && [ -f "$D/usr/share/man/man8/kasblockctl.8" ] &&
	[ -f "$D/usr/share/bash-completion/completions/kasblockctl" ] &&
	cmp -s "$D/usr/share/kasblock/indicators" "$R/userspace/data/indicators"; then
	ok make_install_without_headers_installs_the_rest
else
	fail make_install_without_headers_installs_the_rest
fi
if make -s -C "$R" install DESTDIR="$T/p" PREFIX=/usr/local KDIR="$T/no-headers" >"$T/out" 2>&1 &&
	[ -x "$T/p/usr/local/sbin/kasblockctl" ] &&
	grep -q "^ExecStart=/usr/local/libexec/kasblock/kasblock-boot$" \
		"$T/p/usr/local/lib/systemd/system/kasblock.service" &&
	[ -f "$T/p/etc/kasblock/kasblock.conf" ]; then
	ok make_install_honours_prefix
else
	fail make_install_honours_prefix
fi

S=$T/stage/usr/src/kasblock-$want
if make -s -C "$R" dkms-install DESTDIR="$T/stage" >"$T/out" 2>&1 &&
	grep -qx "PACKAGE_VERSION=\"$want\"" "$S/dkms.conf" && [ -f "$S/kmod/version.h" ] &&
	[ -f "$S/dkms.conf" ] && [ -f "$S/Kbuild" ] && [ -f "$S/Makefile" ] &&
	[ -f "$S/kmod/Kbuild" ] && [ -f "$S/kmod/uapi/kasblock.h" ] &&
	[ -z "$(find "$S" \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' \) -print -quit)" ] &&
	[ ! -e "$S/userspace" ]; then
	ok dkms_install_stages_a_clean_source_tree
else
	fail dkms_install_stages_a_clean_source_tree
fi

echo "$passed passed, $failed failed, ${skipped:-0} skipped"
[ "$failed" -eq 0 ]
