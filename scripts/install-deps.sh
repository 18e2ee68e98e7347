#!/bin/bash
# Install, as root on Debian 12, every package kasblock's build and tests use.
#
# Idempotent and quick when nothing is missing: one dpkg-query, no apt-get
# update. Only the missing packages are installed.
set -euo pipefail

PKGS=(
	build-essential pkg-config libmnl-dev libarchive-dev
	# kasblockctl hash --module reads xz, zstd and gzip modules (its test
	# makes them with zstd); the signing test makes a throwaway key (openssl).
	liblzma-dev libzstd-dev zlib1g-dev zstd openssl
	# The parsers' fuzz harnesses (make -C userspace fuzz, and part of check):
	# clang and its libFuzzer and sanitizer runtimes.
	clang-14 libclang-rt-14-dev
	qemu-system-x86 busybox-static cpio xz-utils gzip kmod bc
	linux-source-6.12
	# The two kernel lines the VM tests boot (see KB_LINES in lib.sh). The
	# 6.12 headers pull in its linux-image; the scripts never boot the host's.
	linux-headers-cloud-amd64
	linux-headers-6.12-cloud-amd64
)

missing=()
status=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PKGS[@]}" 2>/dev/null || true)
for p in "${PKGS[@]}"; do
	if ! grep -q "^$p ii" <<<"$status"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run this script as root (or install them with apt-get)" >&2
	exit 1
fi

echo "==> installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
