#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/sign-module.sh, dry run: make a throwaway key pair with --create-mok,
# sign a copy of a built kasblock.ko (a stand-in file when none is built) with
# the kernel's sign-file, and check the result: the marker, one signature
# only after signing twice, modinfo's signer, and the PKCS#7 signature itself
# verified by openssl over the unsigned module.

D=$(cd "$(dirname "$0")/../../.." && pwd)
S=$D/scripts/sign-module.sh
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1${2:+: $2}"; sed 's/^/  /' "$T/out" 2>/dev/null; failed=$((failed + 1)); }
skipped=0
skip() { echo "skip $1: $2"; skipped=$((skipped + 1)); }
finish() {
	echo "$passed passed, $failed failed, ${skipped:-0} skipped"
	[ "$failed" -eq 0 ]
	exit
}

if ! command -v openssl >/dev/null; then
	skip sign_module "openssl not installed"
	finish
fi
sf=$(find /usr/src/linux-headers-*/scripts/sign-file /usr/lib/linux-kbuild-*/scripts/sign-file 2>/dev/null | head -n1)
if [ -z "$sf" ]; then
	skip sign_module "no kernel sign-file (linux-headers-* not installed)"
	finish
fi

# A built module if there is one: then modinfo can read the signature too.
ko=
for c in "$D/kmod/kasblock.ko" "$D"/build/*/src/kmod/kasblock.ko; do
	[ -f "$c" ] && ko=$c && break
done
if [ -n "$ko" ]; then
	cp "$ko" "$T/kasblock.ko"
	real=1
else
	head -c 50000 /dev/urandom >"$T/kasblock.ko"
	real=0
fi
cp "$T/kasblock.ko" "$T/unsigned.ko"

if "$S" --create-mok --key "$T/mok/mok.key" --cert "$T/mok/mok.pub" >"$T/out" 2>&1 &&
	[ -s "$T/mok/mok.key" ] && [ -s "$T/mok/mok.pub" ] &&
	[ "$(stat -c %a "$T/mok/mok.key")" = 600 ] &&
	grep -qF "mokutil --import $T/mok/mok.pub" "$T/out"; then
	ok create_mok_makes_a_pair_and_says_how_to_enroll
else
	fail create_mok_makes_a_pair_and_says_how_to_enroll
fi
if ! "$S" --create-mok --key "$T/mok/mok.key" --cert "$T/mok/mok.pub" >"$T/out" 2>&1 &&
	grep -q "exists: not overwriting" "$T/out"; then
	ok create_mok_never_overwrites
else
	fail create_mok_never_overwrites
fi
if openssl x509 -inform DER -in "$T/mok/mok.pub" -noout -text 2>/dev/null | grep -q "Code Signing"; then
	ok certificate_is_for_code_signing
else
	fail certificate_is_for_code_signing
fi

sign() {
	if [ "$real" = 1 ]; then
		"$S" --key "$T/mok/mok.key" --cert "$T/mok/mok.pub" "$T/kasblock.ko" >"$T/out" 2>&1
	else
		"$S" --sign-file "$sf" --key "$T/mok/mok.key" --cert "$T/mok/mok.pub" "$T/kasblock.ko" >"$T/out" 2>&1
	fi
}

if sign && [ "$(tail -c 28 "$T/kasblock.ko")" = "~Module signature appended~" ]; then
	ok signed_module_ends_in_the_marker
else
	fail signed_module_ends_in_the_marker
fi
cp "$T/kasblock.ko" "$T/once.ko"
if sign && cmp -s "$T/once.ko" "$T/kasblock.ko" &&
	[ "$(grep -a -o '~Module signature appended~' "$T/kasblock.ko" | wc -l)" = 1 ]; then
	ok signing_again_replaces_the_signature
else
	fail signing_again_replaces_the_signature
fi

# The trailer: signature, 12-byte struct module_signature (sig_len last, big
# endian), marker. The signature must be a PKCS#7 over the unsigned bytes.
size=$(stat -c %s "$T/kasblock.ko")
siglen=$(tail -c 32 "$T/kasblock.ko" | head -c 4 | od -An -tu1 | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
head -c $((size - siglen - 40)) "$T/kasblock.ko" >"$T/content"
tail -c $((siglen + 40)) "$T/kasblock.ko" | head -c "$siglen" >"$T/sig.p7"
openssl x509 -inform DER -in "$T/mok/mok.pub" -out "$T/cert.pem"
if cmp -s "$T/content" "$T/unsigned.ko" &&
	openssl cms -verify -binary -inform DER -in "$T/sig.p7" -content "$T/content" \
		-certfile "$T/cert.pem" -nointern -noverify -out /dev/null >"$T/out" 2>&1; then
	ok signature_verifies_over_the_module
else
	fail signature_verifies_over_the_module
fi

if [ "$real" = 1 ]; then
	if [ "$(modinfo -F signer "$T/kasblock.ko")" = "kasblock module signing key ($(hostname))" ] &&
		[ "$(modinfo -F sig_hashalgo "$T/kasblock.ko")" = sha256 ]; then
		ok modinfo_reads_the_signer
	else
		modinfo "$T/kasblock.ko" >"$T/out" 2>&1
		fail modinfo_reads_the_signer
	fi
else
	skip modinfo_reads_the_signer "no built kasblock.ko"
fi

if ! "$S" --key "$T/nope.key" --cert "$T/mok/mok.pub" "$T/kasblock.ko" >"$T/out" 2>&1 &&
	grep -q "cannot read the key" "$T/out"; then
	ok missing_key_is_an_error
else
	fail missing_key_is_an_error
fi
if ! "$S" --key "$T/mok/mok.key" --cert "$T/mok/mok.pub" "$T/none.ko" >"$T/out" 2>&1 &&
	grep -q "no module" "$T/out"; then
	ok missing_module_is_an_error
else
	fail missing_module_is_an_error
fi

finish
