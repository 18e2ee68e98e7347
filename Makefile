# kasblock: the human interface. Kbuild (top level and kmod/) lists the
# module's objects; scripts/ holds the build, VM and test machinery.

KDIR ?= /lib/modules/$(shell uname -r)/build
DESTDIR ?=
PREFIX ?= /usr
# Kernel lines, as named in scripts/lib.sh (KB_LINES): check tests every line
# unless KERNELS names some; demo and shell boot KERNEL (Debian 13's by
# default); bench measures 6.12 unless KERNEL is given.
KERNELS ?=
# Releases for check-system (default: bookworm trixie).
SYSTEMS ?=
KERNEL ?= deb13

# The release the headers in KDIR were built for (Debian's kernel.release
# holds the upstream version, utsrelease.h the real one).
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

# Distribution headers do not carry the distribution's signing key: skip
# modules_install's signing step (and its errors) unless the key is there.
SIGN_KEY = $(wildcard $(KDIR)/certs/signing_key.pem $(KDIR)/output/signing_key.pem)
NOSIGN = $(if $(SIGN_KEY),,CONFIG_MODULE_SIG_ALL=)

.PHONY: all module tool selftests check check-debug bench bench-host demo shell install install-module install-tool \
	dkms-install deb deb-releases check-system check-fleet kdir-check clean distclean cache-clean help

all: module tool

module: kdir-check
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool:
	$(MAKE) -C userspace

selftests:
	$(MAKE) -C selftests OUT=$(CURDIR)/build/selftests

check:
	scripts/check.sh $(KERNELS)

# The selftests on a 6.12 kernel built here with KASAN, lockdep and friends
# (scripts/debug-kernel.sh; the first build takes several minutes).
check-debug:
	scripts/install-deps.sh
	kver=$$(scripts/debug-kernel.sh) && KB_SKIP_HOST=1 KB_VM_TPM=0 KB_VM_TIMEOUT=$${KB_VM_TIMEOUT:-1500} scripts/check.sh "$$kver"

# What kasblock costs, measured in one boot of the VM (KERNEL, default 6.12);
# prints a table and writes build/bench.json (scripts/bench.sh).
bench:
	KB_BENCH_MODE=$(or $(MODE),icount) scripts/bench.sh $(if $(filter file,$(origin KERNEL)),6.12,$(KERNEL))

# How fast kasblockctl hashes, on this host: a 1 GiB file through kasblockctl
# hash, openssl dgst -sha256 and sha256sum (scripts/bench-host.sh).
bench-host: tool
	scripts/bench-host.sh

demo:
	scripts/demo.sh $(KERNEL)

shell:
	scripts/shell.sh $(KERNEL)

# The tool, its man page and completion, kasblock.service, the boot script and
# an example /etc/kasblock (userspace/Makefile: PREFIX, SYSCONFDIR, ...); the
# module too when KDIR has kernel headers to build it against.
install: install-tool
	@if [ -f $(KDIR)/Makefile ]; then \
		$(MAKE) --no-print-directory install-module; \
	else \
		echo "install: no kernel build directory at $(KDIR): kasblock.ko is not installed."; \
		echo "install: install linux-headers-$$(uname -r) and run make install-module,"; \
		echo "install: or pass KDIR=<dir>, or use make dkms-install."; \
	fi

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra $(NOSIGN) modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

install-tool: tool
	$(MAKE) -C userspace install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

# DKMS rebuilds the module for every kernel installed later (see dkms.conf).
# The version is written once, in kmod/version.h.
DKMS_VERSION = $(shell sed -n 's/^\#define KASBLOCK_VERSION "\(.*\)"/\1/p' kmod/version.h)
DKMS_SRC = $(DESTDIR)/usr/src/kasblock-$(DKMS_VERSION)
# With DESTDIR the source is only staged (a package's postinst runs dkms). Run
# again, it replaces the registered version: dkms refuses to add one twice.
dkms-install:
	@[ -n "$(DESTDIR)" ] || command -v dkms >/dev/null || \
		{ echo "dkms is not installed (apt-get install dkms)"; exit 1; }
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	cp -r Kbuild Makefile kmod $(DKMS_SRC)/
	sed 's/#MODULE_VERSION#/$(DKMS_VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	$(MAKE) -C $(DKMS_SRC) clean
	@if [ -n "$(DESTDIR)" ]; then \
		echo "dkms-install: source staged in $(DKMS_SRC); on the target run: dkms install kasblock/$(DKMS_VERSION)"; \
	else \
		dkms remove kasblock/$(DKMS_VERSION) --all >/dev/null 2>&1 || true; \
		echo "dkms add kasblock/$(DKMS_VERSION) && dkms install kasblock/$(DKMS_VERSION) $(if $(KVER),-k $(KVER))"; \
		dkms add kasblock/$(DKMS_VERSION) && dkms install kasblock/$(DKMS_VERSION) $(if $(KVER),-k $(KVER)); \
	fi

# Debian packages kasblock-dkms and kasblockctl (debian/), built from a copy of
# the checkout (tracked and untracked-but-not-ignored files, as they are in the
# work tree) in build/deb-src/, so that the checkout stays clean; the .debs,
# .buildinfo and .changes land in build/deb/. lintian errors fail the target;
# the warnings left are explained in the README.
DEB_SRC = build/deb-src/kasblock
deb:
	scripts/install-deps.sh --deb
	rm -rf build/deb-src build/deb
	mkdir -p $(DEB_SRC) build/deb
	if git -C $(CURDIR) rev-parse --git-dir >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
			xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
			tar -c --null -T - | tar -x -C $(DEB_SRC); \
	else \
		tar -c --exclude=./build --exclude=./.git . | tar -x -C $(DEB_SRC); \
	fi
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	mv build/deb-src/*.deb build/deb-src/*.buildinfo build/deb-src/*.changes build/deb/
	lintian --fail-on error build/deb/*.deb
	@ls -l build/deb/

# kasblockctl's package for Debian 13 too, built in its build root: Debian 12's
# links libraries Debian 13 renamed (scripts/build-deb-in-root.sh).
deb-releases: deb
	scripts/build-deb-in-root.sh trixie

# Install those packages on Debian 12 and 13 systems booted in QEMU, upgrade
# the kernel, purge (scripts/check-system.sh).
check-system: deb-releases
	scripts/check-system.sh $(SYSTEMS)

# The Ansible role (ansible/) against Debian 12 and 13 systems booted in QEMU,
# reached over SSH on 127.0.0.1: deploy, deploy again (changed=0), the fleet
# report, a change by hand caught (scripts/check-fleet.sh).
check-fleet: deb-releases
	scripts/check-fleet.sh

kdir-check:
	@test -f $(KDIR)/Makefile || { \
		echo "No kernel build directory at $(KDIR)."; \
		echo "Install the headers (apt-get install linux-headers-\$$(uname -r)) or pass KDIR=<dir>,"; \
		echo "e.g. make KDIR=/usr/src/linux-headers-6.12.117+deb12-cloud-amd64"; \
		exit 1; }

# Downloaded kernels and build roots live in /var/cache/kasblock (KB_CACHE), outside
# the tree, so that a fresh clone reuses them: only cache-clean removes them.
clean:
	rm -f Module.symvers modules.order .module-common.o .*.cmd
	find kmod \( -name '*.o' -o -name '*.ko' -o -name '*.ko.xz' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name '.*.d' -o -name modules.order \) -delete
	rm -rf .tmp_versions
	if [ -f userspace/Makefile ]; then $(MAKE) -C userspace clean; fi
	if [ -f selftests/Makefile ]; then $(MAKE) -C selftests clean; fi
	rm -rf build

distclean: clean

# The machine-wide cache is not the tree's to remove in clean or distclean:
# debhelper's clean step runs distclean, and other checkouts share the cache.
cache-clean:
	rm -rf "$${KB_CACHE:-/var/cache/kasblock}"

help:
	@echo 'kasblock: block exec of files by SHA-256 (kernel module + kasblockctl)'
	@echo
	@echo 'Build and install (on the machine that runs the kernel):'
	@echo '  make [all]            module for KDIR and the kasblockctl tool'
	@echo '  make module           kasblock.ko for KDIR (default: the running kernel)'
	@echo '  make tool             userspace/kasblockctl'
	@echo '  make install          module into /lib/modules/<kver>/extra (+ depmod) if KDIR'
	@echo '                        has headers; kasblockctl, man page, completion,'
	@echo '                        kasblock.service, boot script, /etc/kasblock example;'
	@echo '                        honours DESTDIR, PREFIX and SYSCONFDIR'
	@echo '  make KDIR=/usr/src/linux-headers-<kver> module   build for another kernel'
	@echo '  make dkms-install     register the source with DKMS (rebuilt for new kernels)'
	@echo '  make deb              Debian packages kasblock-dkms and kasblockctl in build/deb/'
	@echo '  make deb-releases     and kasblockctl for Debian 13, built in its root, in build/deb/trixie/'
	@echo '  scripts/sign-module.sh [--create-mok]   sign kmod/kasblock.ko for Secure Boot'
	@echo
	@echo 'Test (Debian 12, as root; installs what it needs with apt):'
	@echo '  make check            host unit tests + selftests in QEMU on every kernel line'
	@echo '                        (KERNELS="6.12 deb13" for some; lines: scripts/lib.sh)'
	@echo '  make demo             boot Debian 13 in QEMU and block a program by its hash'
	@echo '  make check-debug      the selftests on a KASAN + lockdep 6.12 kernel built here'
	@echo '  make check-system     the .debs installed on Debian 12 and 13 systems booted in QEMU'
	@echo '  make check-fleet      the Ansible role and fleet report against two such systems'
	@echo '  make bench            measure exec overhead in the 6.12 VM, instruction-count time:'
	@echo '                        table + build/bench.json (MODE=wall: wall clock, build/bench-wall.json)'
	@echo '  make bench-host       kasblockctl hash vs openssl dgst vs sha256sum on a 1 GiB file'
	@echo '  make shell            interactive VM with the module loaded (KERNEL=<line>)'
	@echo '  make selftests        build the selftests into build/selftests'
	@echo
	@echo '  make clean            remove build products (keeps the cache in /var/cache/kasblock)'
	@echo '  make distclean        remove build/ (as clean)'
	@echo '  make cache-clean      remove /var/cache/kasblock (kernels, build roots, debug kernel)'
