#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Sign kasblock.ko for a Secure Boot machine, with the kernel's own sign-file
# and a Machine Owner Key (MOK) enrolled in shim.
#
# usage: sign-module.sh [--key KEY] [--cert CERT] [--hash ALGO]
#                       [--sign-file PATH] [MODULE...]
#        sign-module.sh --create-mok [--key KEY] [--cert CERT]
#
#   MODULE       default: kmod/kasblock.ko of this tree. Signed in place; a
#                signature already there is replaced, not stacked.
#   --key        private key, PEM     (default /var/lib/dkms/mok.key)
#   --cert       certificate, DER     (default /var/lib/dkms/mok.pub)
#                Debian's DKMS signs the modules it builds with this same
#                pair, so one enrolled key covers `make dkms-install` too.
#   --hash       digest for the signature (default sha256, as Debian signs)
#   --sign-file  the kernel's scripts/sign-file (default: found for the
#                kernel the module was built for, from its vermagic)
#   --create-mok make KEY and CERT with openssl (never overwriting them) and
#                print how to enroll CERT with mokutil
#
# Step by step on a Secure Boot machine (as root):
#   1. scripts/sign-module.sh --create-mok        key pair + enrollment steps
#   2. mokutil --import /var/lib/dkms/mok.pub      choose a one-time password
#   3. reboot; MokManager (blue screen): Enroll MOK, Continue, Yes, password
#   4. mokutil --test-key /var/lib/dkms/mok.pub    "... is already enrolled"
#   5. make module && scripts/sign-module.sh && make install
#   6. modprobe kasblock; modinfo -F signer kasblock
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The last 28 bytes of a signed module: the marker and its newline.
MARKER='~Module signature appended~'
MARKER_LEN=28
key=/var/lib/dkms/mok.key
cert=/var/lib/dkms/mok.pub
hash=sha256
sign_file=
create=0

die() { echo "sign-module: error: $*" >&2; exit 1; }
usage() {
	sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--key) key=$2; shift 2 ;;
	--cert) cert=$2; shift 2 ;;
	--hash) hash=$2; shift 2 ;;
	--sign-file) sign_file=$2; shift 2 ;;
	--create-mok) create=1; shift ;;
	-h | --help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done

create_mok() {
	[ $# -eq 0 ] || usage
	command -v openssl >/dev/null || die "openssl is needed (apt-get install openssl)"
	[ -e "$key" ] && die "$key exists: not overwriting it (use it, or --key/--cert for another pair)"
	[ -e "$cert" ] && die "$cert exists: not overwriting it"
	mkdir -p "$(dirname "$key")" "$(dirname "$cert")"
	# The kernel accepts a module signing certificate with digitalSignature
	# usage; codeSigning is what shim and the kernel's keyring look for.
	(umask 077 && openssl req -new -x509 -newkey rsa:2048 -nodes -days 36500 -sha256 \
		-subj "/CN=kasblock module signing key ($(hostname))/" \
		-addext "basicConstraints=critical,CA:FALSE" \
		-addext "keyUsage=digitalSignature" \
		-addext "extendedKeyUsage=codeSigning" \
		-keyout "$key" -outform DER -out "$cert" 2>/dev/null) ||
		die "openssl could not make the key pair"
	chmod 600 "$key"
	cat <<EOF
Made a Machine Owner Key:
  private key  $key   (keep it secret: it signs code your kernel will run)
  certificate  $cert

Enroll the certificate in shim, then sign the module:
  1. mokutil --import $cert
       (choose a one-time password; it is asked once more at the next boot)
  2. reboot; in the blue MokManager screen: Enroll MOK -> Continue -> Yes,
     type the password, Reboot
  3. mokutil --test-key $cert          should say it is already enrolled
  4. $0 --key $key --cert $cert [MODULE]
  5. modprobe kasblock && modinfo -F signer kasblock
EOF
}

# kernel_release MODULE: the release the module was built for (its vermagic).
kernel_release() {
	local vm
	vm=$(modinfo -F vermagic "$1" 2>/dev/null) || true
	echo "${vm%% *}"
}

find_sign_file() {
	local kver=$1 c
	for c in "/usr/src/linux-headers-$kver/scripts/sign-file" \
		"/lib/modules/$kver/build/scripts/sign-file" \
		/usr/lib/linux-kbuild-"${kver%%-*}"*/scripts/sign-file \
		/usr/lib/linux-kbuild-"$(echo "$kver" | cut -d. -f1-2)"*/scripts/sign-file \
		/usr/lib/linux-kbuild-*/scripts/sign-file; do
		if [ -x "$c" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# has_signature FILE: whether FILE ends in the marker.
has_signature() {
	printf '%s\n' "$MARKER" | cmp -s - <(tail -c $MARKER_LEN "$1")
}

# strip_signature MODULE: drop an appended signature, if there is one. The
# trailer is: signature, struct module_signature (12 bytes, the last 4 the
# big-endian signature length), then the marker.
strip_signature() {
	local f=$1 size mlen siglen
	mlen=$MARKER_LEN
	size=$(stat -c %s "$f")
	[ "$size" -gt $((mlen + 12)) ] || return 0
	has_signature "$f" || return 0
	siglen=$(tail -c $((mlen + 4)) "$f" | head -c 4 | od -An -tu1 |
		awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }')
	[ "$size" -gt $((siglen + 12 + mlen)) ] || die "$f: malformed signature trailer"
	truncate -s $((size - siglen - 12 - mlen)) "$f"
}

sign_one() {
	local ko=$1 sf=$sign_file kver tmp
	[ -f "$ko" ] || die "no module $ko (build it first: make module)"
	if [ -z "$sf" ]; then
		kver=$(kernel_release "$ko")
		sf=$(find_sign_file "$kver") ||
			die "no sign-file for ${kver:-this kernel}: install linux-headers-${kver:-\$(uname -r)} or pass --sign-file"
	fi
	[ -x "$sf" ] || die "$sf is not executable"
	# Work on a copy: an interrupted run must not leave half a module.
	tmp=$(mktemp "$ko.XXXXXX")
	cp "$ko" "$tmp"
	strip_signature "$tmp"
	if ! "$sf" "$hash" "$key" "$cert" "$tmp"; then
		rm -f "$tmp"
		die "$sf failed for $ko"
	fi
	has_signature "$tmp" || { rm -f "$tmp"; die "$ko: no signature after signing"; }
	chmod --reference="$ko" "$tmp"
	mv "$tmp" "$ko"
	echo "signed $ko ($hash, $(basename "$cert"))"
}

if [ "$create" = 1 ]; then
	create_mok "$@"
	exit 0
fi

[ -r "$key" ] || die "cannot read the key $key (make one: $0 --create-mok)"
[ -r "$cert" ] || die "cannot read the certificate $cert"
[ $# -gt 0 ] || set -- "$ROOT/kmod/kasblock.ko"
for m in "$@"; do
	sign_one "$m"
done
