# kasblock: the human interface. Kbuild (top level and kmod/) lists the
# module's objects; scripts/ holds the build, VM and test machinery.

KDIR ?= /lib/modules/$(shell uname -r)/build
DESTDIR ?=
PREFIX ?= /usr
# Kernel lines for check/demo/shell, as named in scripts/lib.sh.
KERNELS ?= 6.1 6.12
KERNEL ?= 6.12

# The release the headers in KDIR were built for (Debian's kernel.release
# holds the upstream version, utsrelease.h the real one).
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

# Distribution headers do not carry the distribution's signing key: skip
# modules_install's signing step (and its errors) unless the key is there.
SIGN_KEY = $(wildcard $(KDIR)/certs/signing_key.pem $(KDIR)/output/signing_key.pem)
NOSIGN = $(if $(SIGN_KEY),,CONFIG_MODULE_SIG_ALL=)

.PHONY: all module tool selftests check check-debug bench demo shell install install-module install-tool \
	dkms-install kdir-check clean distclean help

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
	kver=$$(scripts/debug-kernel.sh) && KB_SKIP_HOST=1 KB_VM_TIMEOUT=$${KB_VM_TIMEOUT:-1500} scripts/check.sh "$$kver"

# What kasblock costs, measured in one boot of the VM (KERNEL, default 6.12);
# prints a table and writes build/bench.json (scripts/bench.sh).
bench:
	scripts/bench.sh $(KERNEL)

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
DKMS_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC = $(DESTDIR)/usr/src/kasblock-$(DKMS_VERSION)
# With DESTDIR the source is only staged (a package's postinst runs dkms). Run
# again, it replaces the registered version: dkms refuses to add one twice.
dkms-install:
	@[ -n "$(DESTDIR)" ] || command -v dkms >/dev/null || \
		{ echo "dkms is not installed (apt-get install dkms)"; exit 1; }
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	cp -r Kbuild Makefile dkms.conf kmod $(DKMS_SRC)/
	$(MAKE) -C $(DKMS_SRC) clean
	@if [ -n "$(DESTDIR)" ]; then \
		echo "dkms-install: source staged in $(DKMS_SRC); on the target run: dkms install kasblock/$(DKMS_VERSION)"; \
	else \
		dkms remove kasblock/$(DKMS_VERSION) --all >/dev/null 2>&1 || true; \
		echo "dkms add kasblock/$(DKMS_VERSION) && dkms install kasblock/$(DKMS_VERSION) $(if $(KVER),-k $(KVER))"; \
		dkms add kasblock/$(DKMS_VERSION) && dkms install kasblock/$(DKMS_VERSION) $(if $(KVER),-k $(KVER)); \
	fi

kdir-check:
	@test -f $(KDIR)/Makefile || { \
		echo "No kernel build directory at $(KDIR)."; \
		echo "Install the headers (apt-get install linux-headers-\$$(uname -r)) or pass KDIR=<dir>,"; \
		echo "e.g. make KDIR=/usr/src/linux-headers-6.12.117+deb12-cloud-amd64"; \
		exit 1; }

# Downloaded kernels and build roots live in /var/cache/kasblock (KB_CACHE), outside
# the tree, so that a fresh clone reuses them: clean keeps them, distclean removes them.
clean:
	rm -f Module.symvers modules.order .module-common.o .*.cmd
	find kmod \( -name '*.o' -o -name '*.ko' -o -name '*.ko.xz' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name '.*.d' -o -name modules.order \) -delete
	rm -rf .tmp_versions
	if [ -f userspace/Makefile ]; then $(MAKE) -C userspace clean; fi
	if [ -f selftests/Makefile ]; then $(MAKE) -C selftests clean; fi
	rm -rf build

distclean: clean
	@echo "distclean: the cache in /var/cache/kasblock stays"

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
	@echo '  scripts/sign-module.sh [--create-mok]   sign kmod/kasblock.ko for Secure Boot'
	@echo
	@echo 'Test (Debian 12, as root; installs what it needs with apt):'
	@echo '  make check            host unit tests + selftests in QEMU on Debian 6.1 and 6.12'
	@echo '                        (KERNELS="6.12" for one line)'
	@echo '  make demo             boot Debian 6.12 in QEMU and block a program by its hash'
	@echo '  make check-debug      the selftests on a KASAN + lockdep 6.12 kernel built here'
	@echo '  make bench            measure exec overhead in the 6.12 VM: table + build/bench.json'
	@echo '  make shell            interactive VM with the module loaded (KERNEL=6.1|6.12)'
	@echo '  make selftests        build the selftests into build/selftests'
	@echo
	@echo '  make clean            remove build products (keeps the cache in /var/cache/kasblock)'
	@echo '  make distclean        remove build/ and the cache'
