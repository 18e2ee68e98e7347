#!/bin/bash
# Install, as root on Debian 12, every package kasblock's build and tests use.
# With --deb, only what `make deb` needs (KB_DEB_PKGS).
#
# Idempotent and quick when nothing is missing: one dpkg-query, no apt-get
# update. Only the missing packages are installed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# make deb: the package tools, and kasblockctl's build dependencies
# (debian/control's Build-Depends).
KB_DEB_PKGS=(
	dpkg-dev debhelper dh-dkms fakeroot lintian git
	"${KB_USERSPACE_PKGS[@]}"
)

PKGS=(
	"${KB_DEB_PKGS[@]}"
	# kasblockctl and its host tests (KB_USERSPACE_PKGS in lib.sh): hash
	# --module reads xz, zstd and gzip modules (its test makes them with
	# zstd); the signing test makes a throwaway key (openssl).
	"${KB_USERSPACE_PKGS[@]}"
	# The parsers' fuzz harnesses (make -C userspace fuzz, and part of check):
	# clang and its libFuzzer and sanitizer runtimes.
	clang-14 libclang-rt-14-dev
	# scan's RPM-database and harvest .rpm tests build a package with
	# rpmbuild and install it into a throwaway database with rpm(8).
	rpm
	qemu-system-x86 busybox-static cpio xz-utils gzip bc
	# The VMs' software TPM (KB_VM_TPM=1), and a second one on the host whose
	# attestation key stands for "another TPM" (scripts/check.sh attest_checks).
	swtpm swtpm-tools tpm2-tools
	linux-source-6.12
	# Build roots for the lines of other suites (scripts/build-root.sh).
	mmdebstrap
	# The fleet tier (scripts/check-fleet.sh): the controller's Ansible and
	# SSH client, e2fsprogs for mkfs.ext4 -d.
	ansible-core openssh-client e2fsprogs
	# The headers of the Debian 12 kernel lines the VM tests boot (KB_LINES
	# in lib.sh). Some pull in their linux-image; the scripts never boot the
	# host's kernels, only the ones fetch-kernel.sh unpacks.
	$(kb_suite_metas "$KB_HOST_SUITE")
)

if [ "${1:-}" = --deb ]; then
	PKGS=("${KB_DEB_PKGS[@]}")
fi

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
