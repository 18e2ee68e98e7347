#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kasblockctl scan and harvest end to end, against what the real tools make:
# a package built by dpkg-deb and installed into a temporary root by dpkg,
# and, where Debian's "rpm" package is installed, one built by rpmbuild and
# recorded in a real RPM database by rpm. Steps whose tool is missing are
# skipped, not failed. Ends with "N passed, N failed, N skipped".

KB=${KASBLOCKCTL:-$(dirname "$0")/../../kasblockctl}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
IND=$SRC/data/indicators
passed=0
failed=0
skipped=0

T=$(mktemp -d /tmp/kb-scan-cli.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

ok() { echo "ok   $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
skip() { echo "skip $1"; skipped=$((skipped + 1)); }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# A product tree: an ELF binary, a script, a library, a data file.
mkdir -p "$T/pkg/DEBIAN" "$T/pkg/opt/kaspersky/kesl/bin" "$T/pkg/opt/kaspersky/kesl/lib" \
	"$T/pkg/opt/kaspersky/kesl/share" "$T/pkg/lib/systemd/system"
cp /bin/true "$T/pkg/opt/kaspersky/kesl/bin/kesl"
printf '#!/bin/sh\necho control\n' >"$T/pkg/opt/kaspersky/kesl/bin/kesl-control"
chmod 755 "$T/pkg/opt/kaspersky/kesl/bin/kesl-control"
cp /bin/false "$T/pkg/opt/kaspersky/kesl/lib/libkesl.so"
chmod 644 "$T/pkg/opt/kaspersky/kesl/lib/libkesl.so"
echo "not code" >"$T/pkg/opt/kaspersky/kesl/share/readme"
printf '[Unit]\nDescription=kesl\n' >"$T/pkg/lib/systemd/system/kesl.service"
cat >"$T/pkg/DEBIAN/control" <<EOF
Package: kesl
Version: 12.0.0.6672
Architecture: all
Maintainer: kasblock tests <root@localhost>
Description: synthetic KESL for kasblock's tests
EOF

expect_list() {
	# expect_list LIST ROOT: every line's digest is the sha256sum of ROOT + its path.
	n=0
	while read -r hash label; do
		case "$hash" in '#'*|'') continue;; esac
		path=${label#*:}
		[ "$(sha256sum <"$2$path" | cut -d' ' -f1)" = "$hash" ] || { echo "  $label: digest"; return 1; }
		n=$((n + 1))
	done <"$1"
	[ "$n" -eq 3 ] || { echo "  $n entries, expected 3"; return 1; }
}

# Built without libarchive, harvest says so and exits 1; skip what needs it.
have_la=yes
"$KB" harvest /dev/null 2>&1 | grep -q 'without libarchive' && have_la=

# --- harvest of a .deb built by dpkg-deb -------------------------------------
command -v dpkg-deb >/dev/null 2>&1 &&
	dpkg-deb --root-owner-group -Zxz --build "$T/pkg" "$T/kesl.deb" >/dev/null 2>&1
if [ -f "$T/kesl.deb" ] && [ -n "$have_la" ]; then
	"$KB" harvest "$T/kesl.deb" >"$T/deb.list" 2>"$T/err"
	check "harvest .deb exits 0" [ $? -eq 0 ]
	check "harvest .deb names the package" grep -q '^# kesl.deb: kesl 12.0.0.6672 (deb)' "$T/deb.list"
	check "harvest .deb digests are the files'" expect_list "$T/deb.list" "$T/pkg"
	check "harvest .deb labels" grep -q '  kesl:/opt/kaspersky/kesl/bin/kesl-control$' "$T/deb.list"
	check "harvest .deb leaves data out" sh -c "! grep -q readme '$T/deb.list'"
	# "-" is standard input, a pipe or a file, as for load; the list is the same.
	cat "$T/kesl.deb" | "$KB" harvest - >"$T/pipe.list" 2>"$T/err"
	grep -v '^#' "$T/deb.list" >"$T/deb.body"
	grep -v '^#' "$T/pipe.list" >"$T/pipe.body"
	check "harvest - reads a package from a pipe" sh -c "grep -q '^# -: kesl 12.0.0.6672 (deb)' '$T/pipe.list' &&
		cmp -s '$T/deb.body' '$T/pipe.body'"
	"$KB" harvest - <"$T/kesl.deb" >"$T/file.list" 2>"$T/err"
	check "harvest - reads a package from a redirected file" cmp -s "$T/pipe.list" "$T/file.list"
	grep -m1 'kesl-control$' "$T/deb.list" | "$KB" harvest --exclude - "$T/kesl.deb" >"$T/ex.list" 2>"$T/err"
	check "harvest --exclude - leaves out what stdin lists" sh -c "! grep -q kesl-control '$T/ex.list' &&
		grep -q 'bin/kesl$' '$T/ex.list'"
else
	skip "harvest .deb (no dpkg-deb, or no libarchive)"
fi

# --- "-" for scan's --indicators and --exclude, once ---------------------------
"$KB" scan -q --root "$T/pkg" --indicators - <"$IND" >"$T/out" 2>"$T/err"
check "scan --indicators - reads standard input" grep -q '^	indicators	-	ok$' "$T/out"
printf '# bad\nnot-a-digest\n' | "$KB" scan -q --root "$T/pkg" --indicators "$IND" --exclude - >/dev/null 2>"$T/err"
check "scan --exclude - reads standard input" grep -q '^kasblockctl: scan: -:2: ' "$T/err"
"$KB" scan -q --root "$T/pkg" --indicators - --exclude - <"$IND" >/dev/null 2>"$T/err"
check "scan takes standard input once" grep -q 'standard input (-) given twice' "$T/err"
"$KB" harvest - - </dev/null >/dev/null 2>"$T/err"
check "harvest takes standard input once" grep -q 'standard input (-) given twice' "$T/err"

# --- scan of a root that dpkg installed into ---------------------------------
R=$T/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
: >"$R/var/lib/dpkg/status"
echo "scanned-image" >"$R/etc/hostname"
if command -v dpkg >/dev/null 2>&1 && [ -f "$T/kesl.deb" ] &&
	dpkg --root="$R" --log=/dev/null --force-not-root --force-script-chrootless \
		--force-depends --install "$T/kesl.deb" >/dev/null 2>&1; then
	"$KB" scan --root "$R" --indicators "$IND" >"$T/scan.txt" 2>"$T/err"
	check "scan finds the product: exit 10" [ $? -eq 10 ]
	check "scan reports the dpkg package" \
		grep -q '^	package	kesl	12.0.0.6672 all (dpkg: install ok installed)$' "$T/scan.txt"
	check "scan reports the unit" grep -q '^	unit	/lib/systemd/system/kesl.service' "$T/scan.txt"
	check "scan names the image's host" grep -q '^host: scanned-image$' "$T/scan.txt"

	"$KB" scan --root "$R" --indicators "$IND" --json >"$T/scan.json" 2>"$T/err"
	if command -v python3 >/dev/null 2>&1; then
		check "scan --json is one valid object with the schema" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "kasblock-scan/2"
assert d["summary"]["products_found"] == 1 and d["summary"]["endpoints_affected"] == 1
p = [x for x in d["products"] if x["status"] == "found"]
assert [x["id"] for x in p] == ["kesl"], p
kinds = {e["kind"] for e in p[0]["evidence"]}
assert {"package", "dir", "unit"} <= kinds, kinds
assert any(s["kind"] == "dpkg" and s["state"] == "ok" for s in d["sources"])
' "$T/scan.json"
	else
		skip "scan --json validity (no python3)"
	fi

	"$KB" scan --root "$R" --indicators "$IND" --csv >"$T/scan.csv"
	check "scan --csv has a header and a row per evidence" \
		sh -c "head -1 '$T/scan.csv' | grep -q '^hostname,machine_id,product,status,kind,strength,value,detail' &&
		       grep -q '^scanned-image,,kesl,found,package,strong,kesl,' '$T/scan.csv'"

	"$KB" scan -q --root "$R" --indicators "$IND" --emit-blocklist "$T/scan.list" >/dev/null
	check "scan --emit-blocklist digests are the installed files'" expect_list "$T/scan.list" "$R"
	"$KB" scan -q --root "$R" --indicators "$IND" --emit-blocklist "$T/scan2.list" >/dev/null
	check "scan output is stable" cmp -s "$T/scan.list" "$T/scan2.list"
	if [ -f "$T/deb.list" ]; then
		check "scan and harvest agree on the digests" sh -c \
			"grep -v '^#' '$T/scan.list' | cut -c1-64 | sort >'$T/a'; grep -v '^#' '$T/deb.list' | cut -c1-64 | sort >'$T/b'; cmp -s '$T/a' '$T/b'"
	fi

	# Excluding a digest (say, one the system itself ships) takes it off the list.
	grep -v '^#' "$T/scan.list" | head -1 >"$T/exclude.list"
	"$KB" scan -q --root "$R" --indicators "$IND" --exclude "$T/exclude.list" \
		--emit-blocklist "$T/scan3.list" >/dev/null
	check "scan --exclude leaves a digest out" \
		sh -c "[ \$(grep -vc '^#' '$T/scan3.list') -eq 2 ] && grep -q '1 excluded' '$T/scan3.list'"
else
	skip "scan of a dpkg-installed root (no dpkg, or dpkg --root failed)"
fi

# --- RPM: rpmbuild's package, and rpm's own database ---------------------------
if command -v rpmbuild >/dev/null 2>&1 && command -v rpm >/dev/null 2>&1; then
	mkdir -p "$T/rpm"
	cat >"$T/rpm/kav4fs.spec" <<EOF
Name: kav4fs
Version: 8.0.4
Release: 312
Summary: synthetic KAV4FS for kasblock's tests
License: none
BuildArch: noarch
%description
synthetic
%install
mkdir -p %{buildroot}/opt/kaspersky/kav4fs/bin
printf '#!/bin/sh\\necho kav4fs\\n' >%{buildroot}/opt/kaspersky/kav4fs/bin/kav4fs-control
chmod 755 %{buildroot}/opt/kaspersky/kav4fs/bin/kav4fs-control
%files
/opt/kaspersky/kav4fs
EOF
	if rpmbuild -bb --define "_topdir $T/rpm/top" --define '_binary_payload w9.gzdio' \
		"$T/rpm/kav4fs.spec" >"$T/rpm/log" 2>&1; then
		P=$(ls "$T"/rpm/top/RPMS/noarch/kav4fs-*.rpm)
		if [ -n "$have_la" ]; then
			"$KB" harvest "$P" >"$T/rpm.list"
			check "harvest .rpm exits 0 and reads the header" \
				grep -q '(rpm): files 1, executable 1, hashed 1' "$T/rpm.list"
			check "harvest .rpm digest" sh -c \
				"[ \"\$(printf '#!/bin/sh\necho kav4fs\n' | sha256sum | cut -c1-64)  kav4fs:/opt/kaspersky/kav4fs/bin/kav4fs-control\" = \"\$(grep -v '^#' '$T/rpm.list')\" ]"
		fi

		RR=$T/rpmroot
		mkdir -p "$RR"
		if rpm --root "$RR" --dbpath /var/lib/rpm --initdb 2>/dev/null &&
			rpm --root "$RR" --dbpath /var/lib/rpm -i --justdb --nodeps --nosignature \
				--nodigest "$P" >/dev/null 2>&1; then
			"$KB" scan --root "$RR" --indicators "$IND" >"$T/rpmscan.txt" 2>&1
			check "scan reads the RPM database through rpm(8)" \
				grep -q '^	package	kav4fs	8.0.4-312 noarch (rpm: installed)$' "$T/rpmscan.txt"
			check "scan names rpm as a source" grep -q '^	rpm	/var/lib/rpm	ok	1 packages (sqlite, read by rpm)$' "$T/rpmscan.txt"
		else
			skip "RPM database (rpm --initdb failed)"
		fi
	else
		skip "harvest .rpm (rpmbuild failed)"
	fi
else
	skip "RPM tests (Debian package \"rpm\" not installed)"
fi

# --- exit codes ------------------------------------------------------------------
mkdir -p "$T/empty/etc"
"$KB" scan -q --root "$T/empty" --indicators "$IND" >/dev/null 2>&1
check "scan of a clean root exits 0" [ $? -eq 0 ]
printf 'product x\ndir relative\n' >"$T/bad.ind"
"$KB" scan --root "$T/empty" --indicators "$T/bad.ind" >/dev/null 2>"$T/err"
check "malformed indicators: exit 2 with FILE:LINE" sh -c "[ $? -eq 2 ] && grep -q 'bad.ind:2: path must be absolute' '$T/err'"
"$KB" scan --root "$T/nonexistent" --indicators "$IND" >/dev/null 2>&1
check "scan of a missing root exits 1" [ $? -eq 1 ]
"$KB" harvest "$T/bad.ind" >/dev/null 2>&1
check "harvest of a non-package exits 1" [ $? -eq 1 ]
"$KB" help scan >/dev/null 2>&1
check "help scan" [ $? -eq 0 ]

# --- scan from the build tree, without --indicators ----------------------------
# The installed indicators file is preferred; without it, the copy built in.
mkdir -p "$T/bare/opt/kaspersky/kesl/bin"
"$KB" scan -q --root "$T/bare" >"$T/bare.out" 2>&1
rc=$?
if [ -e /usr/share/kasblock/indicators ]; then
	check scan_without_indicators_uses_the_installed_file test "$rc" -eq 0
else
	check scan_without_indicators_uses_the_built_in_copy \
		sh -c '[ "$0" -eq 0 ] && grep -q "(built-in .*)	ok" "$1"' "$rc" "$T/bare.out"
	cp /bin/true "$T/bare/opt/kaspersky/kesl/bin/kesl"
	"$KB" scan -q --root "$T/bare" >"$T/bare.out" 2>&1
	check scan_built_in_indicators_find_a_product test $? -eq 10
fi

echo "$passed passed, $failed failed, ${skipped:-0} skipped"
[ "$failed" -eq 0 ]
