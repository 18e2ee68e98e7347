// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests for kasblockctl scan: a synthetic product installed under a
 * temporary root (dpkg database, directories, units, init scripts, accounts,
 * a fake procfs with processes and modules, a fake rpm(8)), and trees built to
 * hurt the walker: symlink loops, FIFOs, unreadable files, huge sparse files,
 * deep nesting, and names with newlines, backslashes and broken UTF-8.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/subcommands.h"
#include "lib/listfile.h"
#include "lib/modimage.h"
#include "lib/sha256.h"
#include "scan/pkg.h"
#include "scan/record.h"
#include "scan/root.h"
#include "scan/scan.h"
#include "test.h"

static char tmp[256];	/* canonical: processes' exe links are compared with it */

static void path_of(char *out, size_t size, const char *fmt, va_list ap)
{
	size_t n = (size_t)snprintf(out, size, "%s/", tmp);

	vsnprintf(out + n, size - n, fmt, ap);
}

static void mkdirs(const char *path)
{
	char buf[PATH_MAX], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(buf, 0755);
			*p = '/';
		}
	}
	mkdir(buf, 0755);
}

/* Write len bytes of data to tmp/<fmt...> with mode, making the parent directories. */
static void put(mode_t mode, const void *data, size_t len, const char *fmt, ...)
{
	char path[PATH_MAX], *slash;
	va_list ap;
	int fd;

	va_start(ap, fmt);
	path_of(path, sizeof(path), fmt, ap);
	va_end(ap);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdirs(path);
	*slash = '/';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0) {
		printf("  cannot create %s: %s\n", path, strerror(errno));
		return;
	}
	if (write(fd, data, len) != (ssize_t)len)
		printf("  short write to %s\n", path);
	fchmod(fd, mode);
	close(fd);
}

static void puts_file(mode_t mode, const char *text, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	path_of(path, sizeof(path), fmt, ap);
	va_end(ap);
	put(mode, text, strlen(text), "%s", path + strlen(tmp) + 1);
}

static void link_to(const char *target, const char *fmt, ...)
{
	char path[PATH_MAX], *slash;
	va_list ap;

	va_start(ap, fmt);
	path_of(path, sizeof(path), fmt, ap);
	va_end(ap);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdirs(path);
	*slash = '/';
	if (symlink(target, path))
		printf("  symlink %s: %s\n", path, strerror(errno));
}

static void rm_tree(void)
{
	char cmd[PATH_MAX + 32];

	/* Make everything removable again (the unreadable-file test chmods). */
	snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", tmp, tmp);
	if (system(cmd))
		printf("  could not clean %s\n", tmp);
	mkdir(tmp, 0755);
}

static void digest_of(const void *data, size_t len, uint8_t out[KB_SHA256_LEN])
{
	struct kb_sha256 ctx;

	kb_sha256_init(&ctx);
	kb_sha256_update(&ctx, data, len);
	kb_sha256_final(&ctx, out);
}

static const struct kb_bl_entry *find_entry(const struct kb_blocklist *bl, const char *path)
{
	size_t i;

	for (i = 0; i < bl->n; i++)
		if (!strcmp(bl->e[i].path, path))
			return &bl->e[i];
	return NULL;
}

static const struct kb_hit *hit_of(const struct kb_scan *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->n_hits; i++)
		if (!strcmp(s->hits[i].product->id, id))
			return &s->hits[i];
	return NULL;
}

static const struct kb_evidence *ev_of(const struct kb_hit *h, enum kb_ev_kind kind,
				       const char *value)
{
	size_t i;

	for (i = 0; h && i < h->n_ev; i++)
		if (h->ev[i].kind == kind && (!value || !strcmp(h->ev[i].value, value)))
			return &h->ev[i];
	return NULL;
}

static const struct kb_source *src_of(const struct kb_scan *s, const char *kind)
{
	size_t i;

	for (i = 0; i < s->n_src; i++)
		if (!strcmp(s->src[i].kind, kind))
			return &s->src[i];
	return NULL;
}

static const char indicators_text[] =
	"product kesl\n"
	"name Kaspersky Endpoint Security for Linux\n"
	"package kesl\n"
	"package kesl-gui\n"
	"dir /opt/kaspersky/kesl\n"
	"dir /var/opt/kaspersky/kesl\n"
	"service kesl\n"
	"service kesl-supervisor\n"
	"file /usr/bin/kesl-control\n"
	"group kesladmin\n"
	"product kav4fs\n"
	"package kav4fs\n"
	"dir /opt/kaspersky/kav4fs\n"
	"module redirfs\n"
	"product kics\n"
	"package kics\n"
	"group kicsadmin\n"
	"product kaspersky\n"
	"dir /opt/kaspersky\n"
	"user kluser\n";

static void load_indicators(struct kb_indicators *ind)
{
	struct kb_ind_error err;

	memset(ind, 0, sizeof(*ind));
	CHECK_INT(kb_indicators_parse(ind, indicators_text, strlen(indicators_text), "t", &err), 0);
	kb_indicators_sort(ind);
}

static const char elf[] = "\177ELF\2\1\1\0fake executable";
static const char script[] = "#!/bin/sh\necho kesl\n";
static const char blob[] = "some vendor binary format";
static const char data[] = "not code";
static const char ko[] = "\177ELF\2\1\1\0fake module";

/* A KESL install as dpkg would leave it, plus a KAV4FS from an RPM and KICS leftovers. */
static void build_product_tree(void)
{
	char exe[PATH_MAX];

	puts_file(0644,
		  "Package: kesl\nStatus: install ok installed\nVersion: 12.0.0.6672\n"
		  "Architecture: amd64\nDescription: x\n continuation line\n\n"
		  "Package: kics\nStatus: deinstall ok config-files\nVersion: 3.0\n\n"
		  "Package: kesl-gui\nStatus: purge ok not-installed\n\n"
		  "Package: bash\nStatus: install ok installed\nVersion: 5.2\n",
		  "var/lib/dpkg/status");
	put(0755, elf, sizeof(elf), "opt/kaspersky/kesl/bin/kesl");
	put(0755, script, sizeof(script) - 1, "opt/kaspersky/kesl/bin/kesl-control");
	put(0755, blob, sizeof(blob), "opt/kaspersky/kesl/libexec/helper");
	put(0644, elf, sizeof(elf), "opt/kaspersky/kesl/lib64/libkesl.so.1");
	put(0644, data, sizeof(data), "opt/kaspersky/kesl/share/readme");
	put(0644, "", 0, "opt/kaspersky/kesl/bin/empty-but-exec");
	put(0644, ko, sizeof(ko), "opt/kaspersky/kesl/modules/kesl-fan.ko");
	put(0644, data, sizeof(data), "var/opt/kaspersky/kesl/bases/db");
	puts_file(0644, "[Unit]\nDescription=kesl\n", "lib/systemd/system/kesl.service");
	link_to("/dev/null", "etc/systemd/system/kesl-supervisor.service");
	puts_file(0755, "#!/bin/sh\n# kesl-supervisor init\n", "etc/init.d/kesl-supervisor");
	link_to("/opt/kaspersky/kesl/bin/kesl-control", "usr/bin/kesl-control");
	puts_file(0644, "root:x:0:0::/root:/bin/sh\nkluser:x:990:990::/:/bin/false\n", "etc/passwd");
	puts_file(0644, "root:x:0:\nkesladmin:x:991:\nkicsadmin:x:992:kluser\n", "etc/group");
	puts_file(0644, "synthetic-host\n", "etc/hostname");
	puts_file(0444, "0123456789abcdef0123456789abcdef\n", "etc/machine-id");
	put(0755, elf, sizeof(elf), "opt/kaspersky/kav4fs/bin/kav4fs-supervisor");
	puts_file(0644, "sqlite", "var/lib/rpm/rpmdb.sqlite");

	/* A fake procfs: two kesl processes, a deleted binary, a kernel thread, a stranger. */
	snprintf(exe, sizeof(exe), "%s/opt/kaspersky/kesl/bin/kesl", tmp);
	link_to(exe, "proc/100/exe");
	link_to(exe, "proc/7/exe");
	snprintf(exe, sizeof(exe), "%s/opt/kaspersky/kav4fs/bin/kav4fs-supervisor (deleted)", tmp);
	link_to(exe, "proc/55/exe");
	mkdirs(strcat(strcpy(exe, tmp), "/proc/2"));
	link_to("/usr/bin/bash", "proc/300/exe");
	puts_file(0444, "kesl_fan 16384 0 - Live 0x0\nredirfs 1 0 - Live 0x0\next4 1 1 - Live 0x0\n",
		  "proc/modules");

	/* rpm(8) stand-in: checks it was asked about the root's database, prints one package. */
	puts_file(0755,
		  "#!/bin/sh\n"
		  "case \"$*\" in *'--dbpath /var/lib/rpm'*'_db_backend sqlite'*'-qa'*) ;;\n"
		  "*) echo \"bad args: $*\" >&2; exit 1;; esac\n"
		  "printf 'kav4fs\\t8.0.4-312\\tx86_64\\nbash\\t5.1-1\\tx86_64\\n'\n",
		  "fake-rpm");
}

static void scan_opts(struct kb_scan_opts *o, char *proc, char *rpm, bool hash)
{
	memset(o, 0, sizeof(*o));
	o->root = tmp;
	o->live = 1;
	snprintf(proc, PATH_MAX, "%s/proc", tmp);
	snprintf(rpm, PATH_MAX, "%s/fake-rpm", tmp);
	o->proc = proc;
	o->rpm_cmd = rpm;
	o->hash = hash;
}

static void test_scan_finds_synthetic_products(void)
{
	char proc[PATH_MAX], rpm[PATH_MAX], path[PATH_MAX];
	struct kb_indicators ind;
	struct kb_scan_opts o;
	const struct kb_evidence *e;
	const struct kb_hit *h;
	struct kb_scan s;

	build_product_tree();
	load_indicators(&ind);
	scan_opts(&o, proc, rpm, false);
	CHECK_INT(kb_scan_run(&s, &ind, &o), 0);
	CHECK_STR(s.machine_id, "0123456789abcdef0123456789abcdef");

	h = hit_of(&s, "kesl");
	CHECK(h && h->status == KB_FOUND);
	e = ev_of(h, KB_EV_PACKAGE, "kesl");
	CHECK(e && !e->weak && strstr(e->detail, "12.0.0.6672") && strstr(e->detail, "dpkg"));
	CHECK(!ev_of(h, KB_EV_PACKAGE, "kesl-gui"));	/* not-installed is no evidence */
	e = ev_of(h, KB_EV_DIR, "/opt/kaspersky/kesl");
	CHECK(e && !e->weak);
	e = ev_of(h, KB_EV_DIR, "/var/opt/kaspersky/kesl");
	CHECK(e && e->weak);	/* data only */
	e = ev_of(h, KB_EV_UNIT, "/lib/systemd/system/kesl.service");
	CHECK(e && !e->weak);
	e = ev_of(h, KB_EV_UNIT, "/etc/systemd/system/kesl-supervisor.service");
	CHECK(e && e->weak && strstr(e->detail, "/dev/null"));	/* masked */
	CHECK(ev_of(h, KB_EV_INITSCRIPT, "/etc/init.d/kesl-supervisor") != NULL);
	e = ev_of(h, KB_EV_FILE, "/usr/bin/kesl-control");
	CHECK(e && strstr(e->detail, "/opt/kaspersky/kesl/bin/kesl-control"));
	snprintf(path, sizeof(path), "%s/opt/kaspersky/kesl/bin/kesl", tmp);
	e = ev_of(h, KB_EV_PROCESS, path);
	CHECK(e && !strcmp(e->detail, "pids 7,100"));
	e = ev_of(h, KB_EV_MODULE, "kesl_fan");
	CHECK(e && strstr(e->detail, "loaded") && strstr(e->detail, "kesl-fan.ko"));
	e = ev_of(h, KB_EV_GROUP, "kesladmin");
	CHECK(e && e->weak && !strcmp(e->detail, "gid 991"));
	CHECK_INT(h ? h->walk.qualifying : 0, 5);

	h = hit_of(&s, "kav4fs");
	CHECK(h && h->status == KB_FOUND);
	e = ev_of(h, KB_EV_PACKAGE, "kav4fs");
	CHECK(e && strstr(e->detail, "8.0.4-312") && strstr(e->detail, "rpm"));
	snprintf(path, sizeof(path), "%s/opt/kaspersky/kav4fs/bin/kav4fs-supervisor", tmp);
	e = ev_of(h, KB_EV_PROCESS, path);	/* " (deleted)" is cut off */
	CHECK(e && !strcmp(e->detail, "pid 55"));
	CHECK(ev_of(h, KB_EV_MODULE, "redirfs") != NULL);

	h = hit_of(&s, "kics");
	CHECK(h && h->status == KB_TRACES);	/* config-files and a group: removed */
	CHECK(ev_of(h, KB_EV_PACKAGE, "kics") && ev_of(h, KB_EV_PACKAGE, "kics")->weak);

	/* /opt/kaspersky holds nothing but the products' own directories. */
	h = hit_of(&s, "kaspersky");
	CHECK(h && h->status == KB_TRACES);
	CHECK(ev_of(h, KB_EV_USER, "kluser") != NULL);

	CHECK_INT(s.n_found, 2);
	CHECK_INT(s.n_traces, 2);
	CHECK_INT(s.errors, 0);
	CHECK_INT(kb_scan_exit_code(&s), KB_EXIT_SCAN_FOUND);
	CHECK(src_of(&s, "dpkg") && src_of(&s, "dpkg")->state == KB_SRC_OK);
	CHECK(src_of(&s, "rpm") && src_of(&s, "rpm")->state == KB_SRC_OK);
	CHECK(src_of(&s, "processes") && src_of(&s, "processes")->state == KB_SRC_OK);
	CHECK_INT(s.bl.n, 0);	/* not asked to hash */
	kb_scan_free(&s);
	kb_indicators_free(&ind);
	rm_tree();
}

static void test_scan_emits_blocklist_of_product_files(void)
{
	char proc[PATH_MAX], rpm[PATH_MAX];
	uint8_t d[KB_SHA256_LEN];
	const struct kb_bl_entry *e;
	struct kb_indicators ind;
	struct kb_scan_opts o;
	struct kb_scan s;

	build_product_tree();
	/* Something unknown under the shared layout: the "kaspersky" product owns it. */
	put(0755, elf, sizeof(elf) - 2, "opt/kaspersky/unknown/bin/tool");
	load_indicators(&ind);
	scan_opts(&o, proc, rpm, true);
	CHECK_INT(kb_scan_run(&s, &ind, &o), 0);

	digest_of(elf, sizeof(elf), d);
	/* kesl, libkesl.so.1 and kav4fs-supervisor hold the same bytes: one entry, first by owner. */
	e = find_entry(&s.bl, "/opt/kaspersky/kav4fs/bin/kav4fs-supervisor");
	CHECK(e && !memcmp(e->digest, d, sizeof(d)));
	CHECK(e && !strcmp(e->label, "kav4fs:/opt/kaspersky/kav4fs/bin/kav4fs-supervisor"));
	CHECK(!find_entry(&s.bl, "/opt/kaspersky/kesl/bin/kesl"));
	CHECK(!find_entry(&s.bl, "/opt/kaspersky/kesl/lib64/libkesl.so.1"));
	CHECK_INT(s.bl.duplicates, 2);
	digest_of(script, sizeof(script) - 1, d);
	e = find_entry(&s.bl, "/opt/kaspersky/kesl/bin/kesl-control");
	CHECK(e && !memcmp(e->digest, d, sizeof(d)));
	CHECK(e && !strcmp(e->label, "kesl:/opt/kaspersky/kesl/bin/kesl-control"));
	CHECK(find_entry(&s.bl, "/opt/kaspersky/kesl/libexec/helper") != NULL);	/* exec bit */
	CHECK(find_entry(&s.bl, "/opt/kaspersky/kesl/modules/kesl-fan.ko") != NULL);
	CHECK(find_entry(&s.bl, "/etc/init.d/kesl-supervisor") != NULL);
	CHECK(!find_entry(&s.bl, "/opt/kaspersky/kesl/share/readme"));
	CHECK(!find_entry(&s.bl, "/opt/kaspersky/kesl/bin/empty-but-exec"));
	CHECK(!find_entry(&s.bl, "/var/opt/kaspersky/kesl/bases/db"));
	CHECK(!find_entry(&s.bl, "/usr/bin/kesl-control"));	/* a link: its target is listed */
	e = find_entry(&s.bl, "/opt/kaspersky/unknown/bin/tool");
	CHECK(e && !strcmp(e->owner, "kaspersky"));
	CHECK(hit_of(&s, "kaspersky") && hit_of(&s, "kaspersky")->status == KB_FOUND);
	/* Sorted by owner, then path. */
	CHECK(s.bl.n >= 2 && strcmp(s.bl.e[0].owner, s.bl.e[s.bl.n - 1].owner) <= 0);
	CHECK_INT(s.bl.n, 6);
	kb_scan_free(&s);
	kb_indicators_free(&ind);
	rm_tree();
}

/*
 * A compressed module goes on the list twice: the file's digest, which
 * finit_module(2) shows the kernel, and the decompressed image's, which
 * init_module(2) from a decompressing modprobe shows it. Labels say which.
 */
static void test_scan_lists_compressed_modules_by_both_digests(void)
{
	static const char body[] = "\177ELF a module of kesl's, compressed";
	char proc[PATH_MAX], rpm[PATH_MAX], cmd[PATH_MAX + 64], path[PATH_MAX];
	uint8_t d[KB_SHA256_LEN], f[KB_SHA256_LEN];
	const struct kb_bl_entry *file = NULL, *image = NULL;
	struct kb_indicators ind;
	struct kb_scan_opts o;
	struct kb_scan s;
	size_t i;
	int fd;

	if (!kb_compression_supported(KB_COMP_GZIP))
		SKIP("built without zlib");
	build_product_tree();
	put(0644, body, sizeof(body) - 1, "opt/kaspersky/kesl/modules/kesl-gz.ko");
	snprintf(cmd, sizeof(cmd), "gzip -n '%s/opt/kaspersky/kesl/modules/kesl-gz.ko'", tmp);
	if (system(cmd)) {
		rm_tree();
		SKIP("no gzip");
	}
	snprintf(path, sizeof(path), "%s/opt/kaspersky/kesl/modules/kesl-gz.ko.gz", tmp);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0 && kb_sha256_fd(fd, f, NULL) >= 0);
	close(fd);
	digest_of(body, sizeof(body) - 1, d);
	load_indicators(&ind);
	scan_opts(&o, proc, rpm, true);
	CHECK_INT(kb_scan_run(&s, &ind, &o), 0);
	for (i = 0; i < s.bl.n; i++) {
		if (strcmp(s.bl.e[i].path, "/opt/kaspersky/kesl/modules/kesl-gz.ko.gz"))
			continue;
		if (!memcmp(s.bl.e[i].digest, f, sizeof(f)))
			file = &s.bl.e[i];
		if (!memcmp(s.bl.e[i].digest, d, sizeof(d)))
			image = &s.bl.e[i];
	}
	CHECK(file && !strcmp(file->label, "kesl:/opt/kaspersky/kesl/modules/kesl-gz.ko.gz"));
	CHECK(image && !strcmp(image->label, "kesl:/opt/kaspersky/kesl/modules/kesl-gz.ko.gz (decompressed)"));
	/* file before image: the same tree always gives the same list */
	CHECK(file && image && file < image);
	/* An uncompressed module has one digest and no suffix. */
	CHECK(find_entry(&s.bl, "/opt/kaspersky/kesl/modules/kesl-fan.ko") &&
	      !strchr(find_entry(&s.bl, "/opt/kaspersky/kesl/modules/kesl-fan.ko")->label, ' '));
	kb_scan_free(&s);
	kb_indicators_free(&ind);
	rm_tree();
}

static void test_scan_of_clean_root_finds_nothing(void)
{
	char proc[PATH_MAX], rpm[PATH_MAX];
	struct kb_indicators ind;
	struct kb_scan_opts o;
	struct kb_scan s;

	puts_file(0644, "Package: bash\nStatus: install ok installed\nVersion: 5\n",
		  "var/lib/dpkg/status");
	puts_file(0644, "root:x:0:0::/root:/bin/sh\n", "etc/passwd");
	puts_file(0644, "clean-host \n", "etc/hostname");
	load_indicators(&ind);
	scan_opts(&o, proc, rpm, true);
	o.live = 0;
	CHECK_INT(kb_scan_run(&s, &ind, &o), 0);
	CHECK_STR(s.hostname, "clean-host");	/* an image's name is its /etc/hostname */
	CHECK_INT(s.n_found, 0);
	CHECK_INT(s.n_traces, 0);
	CHECK_INT(s.errors, 0);
	CHECK_INT(s.bl.n, 0);
	CHECK_INT(kb_scan_exit_code(&s), KB_EXIT_SCAN_NONE);
	CHECK(src_of(&s, "rpm") && src_of(&s, "rpm")->state == KB_SRC_ABSENT);
	CHECK(src_of(&s, "group") && src_of(&s, "group")->state == KB_SRC_ABSENT);
	CHECK(src_of(&s, "processes") && src_of(&s, "processes")->state == KB_SRC_SKIPPED);
	CHECK(src_of(&s, "modules") && src_of(&s, "modules")->state == KB_SRC_SKIPPED);
	kb_scan_free(&s);
	kb_indicators_free(&ind);
	rm_tree();
}

static void test_unreadable_source_makes_scan_incomplete(void)
{
	char proc[PATH_MAX], rpm[PATH_MAX];
	struct kb_indicators ind;
	struct kb_scan_opts o;
	const struct kb_source *src;
	struct kb_scan s;

	puts_file(0644, "sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite");
	load_indicators(&ind);
	scan_opts(&o, proc, rpm, false);
	o.live = 0;
	o.rpm_cmd = "/nonexistent/rpm";
	CHECK_INT(kb_scan_run(&s, &ind, &o), 0);
	src = src_of(&s, "rpm");
	CHECK(src && src->state == KB_SRC_ERROR && strstr(src->detail, "not installed"));
	CHECK(src && !strcmp(src->path, "/usr/lib/sysimage/rpm"));
	CHECK_INT(s.errors, 1);
	CHECK_INT(kb_scan_exit_code(&s), KB_EXIT_SCAN_INCOMPLETE);
	kb_scan_free(&s);

	/* rpm runs but fails: its message is kept. */
	puts_file(0755, "#!/bin/sh\necho 'error: rpmdb open failed' >&2\nexit 1\n", "bad-rpm");
	snprintf(rpm, sizeof(rpm), "%s/bad-rpm", tmp);
	o.rpm_cmd = rpm;
	CHECK_INT(kb_scan_run(&s, &ind, &o), 0);
	src = src_of(&s, "rpm");
	CHECK(src && src->state == KB_SRC_ERROR && strstr(src->detail, "rpmdb open failed"));
	kb_scan_free(&s);
	kb_indicators_free(&ind);
	rm_tree();
}

/* Absolute symlinks in an image resolve inside it, never on the host. */
static void test_image_symlinks_stay_inside_root(void)
{
	char proc[PATH_MAX], rpm[PATH_MAX];
	struct kb_indicators ind;
	struct kb_scan_opts o;
	const struct kb_hit *h;
	struct kb_scan s;

	put(0755, elf, sizeof(elf), "data/kesl/bin/kesl");
	link_to("/data/kesl", "opt/kaspersky/kesl");
	/* Would be the host's /usr/bin, full of executables, if followed outside. */
	link_to("/usr/bin", "opt/kaspersky/kav4fs");
	link_to("../../../../../../../../usr/bin", "var/opt/kaspersky/kesl");
	load_indicators(&ind);
	scan_opts(&o, proc, rpm, true);
	o.live = 0;
	CHECK_INT(kb_scan_run(&s, &ind, &o), 0);
	h = hit_of(&s, "kesl");
	CHECK(h && h->walk.qualifying == 1);
	CHECK(find_entry(&s.bl, "/opt/kaspersky/kesl/bin/kesl") != NULL);
	h = hit_of(&s, "kav4fs");
	CHECK(h && h->status == KB_ABSENT && h->walk.files == 0);
	CHECK_INT(s.bl.n, 1);
	kb_scan_free(&s);
	kb_indicators_free(&ind);
	rm_tree();
}

/*
 * Kernels before 5.6 have no openat2(): kb_root_openat() must still keep
 * lookups inside the root. Forced here on any kernel; a plain openat() of the
 * path would follow these links to the host's /etc and /usr/bin.
 */
static void test_image_symlinks_stay_inside_root_without_openat2(void)
{
	char buf[64];
	struct stat st;
	int rootfd, fd;
	ssize_t n;

	puts_file(0644, "image\n", "etc/hostname");
	link_to("/etc", "opt/etc");
	link_to("/etc/hostname", "opt/abs");
	link_to("../../../../../../../etc/hostname", "opt/rel");
	link_to("opt/abs", "chain");
	link_to("/usr/bin", "opt/bin");
	link_to("/opt/abs", "opt/loop1");
	rootfd = kb_root_open(tmp);
	CHECK(rootfd >= 0);
	kb_root_have_openat2 = 0;
	static const char *const paths[] = {
		"/opt/etc/hostname", "/opt/abs", "/opt/rel", "/chain", "/../../etc/hostname",
		"opt/./etc/../etc/hostname", "/opt/loop1",
	};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		fd = kb_root_openat(rootfd, paths[i], O_RDONLY);
		CHECK(fd >= 0);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		CHECK_INT(n, 6);
		CHECK(n == 6 && !memcmp(buf, "image\n", 6));
		close(fd);
	}
	/* The host's /usr/bin has files; the image's has none. */
	CHECK_INT(kb_root_openat(rootfd, "/opt/bin/sh", O_RDONLY), -ENOENT);
	CHECK_INT(kb_root_stat(rootfd, "/opt/bin", &st, 0), -ENOENT);
	CHECK_INT(kb_root_openat(rootfd, "/opt/abs", O_RDONLY | O_NOFOLLOW), -ELOOP);
	fd = kb_root_openat(rootfd, "/opt/etc", O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	link_to("self", "self");
	CHECK_INT(kb_root_openat(rootfd, "/self", O_RDONLY), -ELOOP);
	close(rootfd);
	test_image_symlinks_stay_inside_root();
	kb_root_have_openat2 = 1;
}

struct collected {
	struct kb_strv paths;
};

static int collect(void *ctx, const char *path, enum kb_class cls, const uint8_t *digest,
		   const uint8_t *image, uint64_t size)
{
	struct collected *c = ctx;

	(void)cls;
	(void)digest;
	(void)image;
	(void)size;
	return kb_strv_push(&c->paths, path);
}

static void test_walk_survives_loops_fifos_and_hostile_names(void)
{
	static const char *const names[] = {
		"new\nline", "back\\slash", "bad\xff\xfeutf8", "-dash", "tab\tand space ",
		"quote\"'", "%s%n", "\x1b[31mred",
	};
	struct kb_walk_opts wo = { .hash = true, .file = collect };
	struct kb_walk_stats st = { 0 };
	struct collected c = { 0 };
	char longname[256], deep[PATH_MAX], path[PATH_MAX];
	int rootfd, i;
	size_t k;

	wo.ctx = &c;
	for (k = 0; k < ARRAY_SIZE(names); k++)
		put(0755, script, sizeof(script) - 1, "t/%s", names[k]);
	memset(longname, 'L', 255);
	longname[255] = '\0';
	put(0755, script, sizeof(script) - 1, "t/%s", longname);
	link_to("a", "t/b");
	link_to("b", "t/a");
	link_to(".", "t/self");
	link_to("..", "t/up");
	link_to("/", "t/root");
	snprintf(path, sizeof(path), "%s/t/fifo", tmp);
	CHECK_INT(mkfifo(path, 0755), 0);
	/* Nested 20 deep; the walk stops at 8. */
	strcpy(deep, "t/deep");
	for (i = 0; i < 20; i++)
		strcat(deep, "/d");
	put(0755, script, sizeof(script) - 1, "%s/bottom", deep);

	rootfd = kb_root_open(tmp);
	CHECK(rootfd >= 0);
	wo.max_depth = 8;
	CHECK_INT(kb_walk(rootfd, "/t", &wo, &st), 0);
	CHECK_INT(st.qualifying, ARRAY_SIZE(names) + 1);
	CHECK_INT(st.hashed, st.qualifying);
	CHECK_INT(st.symlinks, 5);
	CHECK_INT(st.special, 1);
	CHECK_INT(st.too_deep, 1);
	CHECK_INT(st.unreadable, 0);
	CHECK_INT(c.paths.n, st.qualifying);
	kb_strv_sort(&c.paths);
	CHECK(kb_strv_has(&c.paths, "/t/new\nline"));
	CHECK(kb_strv_has(&c.paths, "/t/bad\xff\xfeutf8"));
	CHECK_INT(kb_walk(rootfd, "/t/missing", &wo, &st), -ENOENT);
	CHECK_INT(kb_walk(rootfd, "/t/-dash", &wo, &st), -ENOTDIR);
	close(rootfd);
	kb_strv_free(&c.paths);
	rm_tree();
}

static void test_walk_skips_huge_files_without_reading_them(void)
{
	struct kb_walk_opts wo = { .hash = true, .max_size = 1 << 20 };
	struct kb_walk_stats st = { 0 };
	char path[PATH_MAX];
	int fd, rootfd;

	put(0755, elf, sizeof(elf), "big/huge");
	snprintf(path, sizeof(path), "%s/big/huge", tmp);
	fd = open(path, O_WRONLY);
	/* 64 GiB, sparse: hashing it would take minutes, so the test times out if we try. */
	CHECK_INT(ftruncate(fd, 64LL << 30), 0);
	close(fd);
	put(0755, elf, sizeof(elf), "big/small");
	rootfd = kb_root_open(tmp);
	CHECK_INT(kb_walk(rootfd, "/big", &wo, &st), 0);
	CHECK_INT(st.qualifying, 2);
	CHECK_INT(st.oversize, 1);
	CHECK_INT(st.hashed, 1);
	close(rootfd);
	rm_tree();
}

/* Drop the capabilities that let root read anything, so root sees EACCES too. */
static void drop_dac_override(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct cap[2];

	if (syscall(SYS_capget, &hdr, cap))
		return;
	cap[0].effective &= ~(1u << CAP_DAC_OVERRIDE | 1u << CAP_DAC_READ_SEARCH);
	syscall(SYS_capset, &hdr, cap);
}

static void test_walk_counts_unreadable_files_and_dirs(void)
{
	struct kb_walk_opts wo = { .hash = true };
	char path[PATH_MAX];
	int pipefd[2], rootfd, status;
	struct kb_walk_stats st = { 0 };
	pid_t pid;

	put(0700, script, sizeof(script) - 1, "u/ok");
	put(0000, script, sizeof(script) - 1, "u/locked");
	put(0755, script, sizeof(script) - 1, "u/closed/inside");
	snprintf(path, sizeof(path), "%s/u/closed", tmp);
	chmod(path, 0);
	CHECK_INT(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		int ret;

		drop_dac_override();
		rootfd = kb_root_open(tmp);
		ret = kb_walk(rootfd, "/u", &wo, &st);
		if (ret || write(pipefd[1], &st, sizeof(st)) != sizeof(st))
			_exit(1);
		_exit(0);
	}
	CHECK_INT(read(pipefd[0], &st, sizeof(st)), sizeof(st));
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT(st.hashed, 1);
	CHECK_INT(st.unreadable, 2);
	close(pipefd[0]);
	close(pipefd[1]);
	rm_tree();
}

static void test_classify(void)
{
	CHECK_INT(kb_file_classify("x", 0644, (const uint8_t *)"\177ELF", 4, 10), KB_CLASS_ELF);
	CHECK_INT(kb_file_classify("x", 0644, (const uint8_t *)"#!/b", 4, 10), KB_CLASS_SCRIPT);
	CHECK_INT(kb_file_classify("x", 0100, (const uint8_t *)"MZxx", 4, 10), KB_CLASS_EXEC);
	CHECK_INT(kb_file_classify("x", 0001, (const uint8_t *)"MZxx", 4, 10), KB_CLASS_EXEC);
	CHECK_INT(kb_file_classify("x", 0644, (const uint8_t *)"MZxx", 4, 10), KB_CLASS_NONE);
	CHECK_INT(kb_file_classify("/a/m.ko.xz", 0644, (const uint8_t *)"\3757zX", 4, 10),
		  KB_CLASS_MODULE);
	CHECK_INT(kb_file_classify("m.ko.zst", 0644, NULL, 0, 10), KB_CLASS_MODULE);
	CHECK_INT(kb_file_classify("m.ko", 0755, (const uint8_t *)"\177ELF", 4, 0), KB_CLASS_NONE);
	CHECK_INT(kb_file_classify("#!", 0644, (const uint8_t *)"#", 1, 1), KB_CLASS_NONE);
	CHECK_INT(kb_file_classify("x.kox", 0644, (const uint8_t *)"abcd", 4, 4), KB_CLASS_NONE);
}

static void test_module_name(void)
{
	char n[64];

	CHECK(kb_module_name("/opt/x/kesl-fan.ko", n, sizeof(n)));
	CHECK_STR(n, "kesl_fan");
	CHECK(kb_module_name("redirfs.ko.xz", n, sizeof(n)));
	CHECK_STR(n, "redirfs");
	CHECK(!kb_module_name(".ko", n, sizeof(n)));
	CHECK(!kb_module_name("x.ko.bz2", n, sizeof(n)));
	CHECK(!kb_module_name("abcdefgh.ko", n, 4));
}

static void test_labels_fit_and_keep_the_basename(void)
{
	char l[KB_LABEL_SIZE], path[600];

	kb_label_make(l, "kesl", "/opt/kaspersky/kesl/bin/kesl");
	CHECK_STR(l, "kesl:/opt/kaspersky/kesl/bin/kesl");
	kb_label_make(l, "kesl", "/opt/kaspersky/kesl/lib64/plugins/avbases/engine/libkavengine.so.12");
	CHECK(strlen(l) <= 63);
	CHECK(!strncmp(l, "kesl:...", 8));
	CHECK(strstr(l, "/libkavengine.so.12") != NULL);
	/* A basename too long to fit keeps its beginning. */
	memset(path, 'b', sizeof(path));
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	kb_label_make(l, "kesl", path);
	CHECK_INT(strlen(l), 63);
	CHECK(!strncmp(l, "kesl:bbbb", 9));
	/* A long owner is cut to 31 bytes. */
	kb_label_make(l, "a-very-long-package-name-that-goes-on-and-on", "/x");
	CHECK_STR(l, "a-very-long-package-name-that-g:/x");
	/* Control bytes become '?', trailing blanks go. */
	kb_label_make(l, "p", "/a\nb\tc  ");
	CHECK_STR(l, "p:/a?b?c");
	/* UTF-8 is never split: 30 three-byte characters don't fit behind "p:...". */
	strcpy(path, "/d/");
	for (int i = 0; i < 30; i++)
		strcat(path, "\xe2\x82\xac");
	kb_label_make(l, "p", path);
	CHECK(strlen(l) <= 63);
	CHECK_INT((strlen(l) - strlen("p:")) % 3, 0);
}

static void test_blocklist_dedups_excludes_sorts_and_round_trips(void)
{
	uint8_t a[KB_SHA256_LEN], b[KB_SHA256_LEN], c[KB_SHA256_LEN];
	struct kb_blocklist bl = { 0 }, ex = { 0 };
	struct kb_parse_error err = { 0 };
	struct kb_list list = { 0 };
	char path[PATH_MAX], hex[KB_HEX_LEN + 1], *text = NULL;
	const char *reason = NULL;
	unsigned int line;
	size_t len = 0;
	FILE *f;

	digest_of("a", 1, a);
	digest_of("b", 1, b);
	digest_of("c", 1, c);
	CHECK_INT(kb_blocklist_add(&bl, a, "z", "/z/a", 1), 0);
	CHECK_INT(kb_blocklist_add(&bl, a, "k", "/k/a", 1), 0);
	CHECK_INT(kb_blocklist_add(&bl, b, "k", "/k/back\\slash", 1), 0);
	CHECK_INT(kb_blocklist_add(&bl, c, "k", "/k/c", 1), 0);
	kb_hex_format(c, hex);
	snprintf(path, sizeof(path), "%s/exclude", tmp);
	f = fopen(path, "w");
	fprintf(f, "# system files\n%s  /usr/bin/c\n", hex);
	fclose(f);
	CHECK_INT(kb_blocklist_exclude_file(&ex, path, &line, &reason), 0);
	CHECK_INT(kb_blocklist_exclude_copy(&bl, &ex), 0);
	kb_blocklist_finish(&bl);
	CHECK_INT(bl.n, 2);
	CHECK_INT(bl.duplicates, 1);
	CHECK_INT(bl.excluded, 1);
	CHECK_STR(bl.e[0].label, "k:/k/a");
	CHECK_STR(bl.e[1].label, "k:/k/back\\slash");

	f = open_memstream(&text, &len);
	CHECK_INT(kb_blocklist_write(&bl, f, "header one\nheader\ttwo"), 0);
	fclose(f);
	CHECK(!strncmp(text, "# header one\n# header?two\n", 26));
	CHECK(strstr(text, "\n\\") != NULL);	/* the backslash label uses the escaped form */
	CHECK_INT(kb_listfile_parse_buf(text, len, &list, &err), 0);
	CHECK_INT(list.len, 2);
	if (list.len == 2) {
		CHECK_STR(list.entries[1].label, "k:/k/back\\slash");
		CHECK(!memcmp(list.entries[1].digest, b, KB_SHA256_LEN));
	}
	kb_list_free(&list);
	free(text);

	/* Written to a file through rename(2); a malformed exclude file is refused with its line. */
	snprintf(path, sizeof(path), "%s/out.list", tmp);
	CHECK_INT(kb_blocklist_write_file(&bl, path, "h"), 0);
	CHECK_INT(access(path, R_OK), 0);
	f = fopen(path, "w");
	fputs("# ok\nnot-a-digest  x\n", f);
	fclose(f);
	CHECK_INT(kb_blocklist_exclude_file(&ex, path, &line, &reason), -EINVAL);
	CHECK_INT(line, 2);
	CHECK(reason != NULL);
	snprintf(path, sizeof(path), "%s/nope/out.list", tmp);
	CHECK_INT(kb_blocklist_write_file(&bl, path, "h"), -ENOENT);
	kb_blocklist_free(&bl);
	kb_blocklist_free(&ex);
	rm_tree();
}

static void test_dpkg_status_parse(void)
{
	static const char text[] =
		"Package: a\r\nStatus: install ok installed\r\nVersion: 1\r\n\r\n"
		"Package: b\nStatus: deinstall ok config-files\nVersion: 2\n"
		"Description: multi\n Package: fake\n\n\n"
		"Package: c\nStatus: purge ok not-installed\n\n"
		"Status: install ok installed\n\n"
		"Package: d\nStatus: install ok half-configured\nArchitecture: all";
	struct kb_pkgs p = { 0 };

	CHECK_INT(kb_dpkg_parse(text, sizeof(text) - 1, &p), 0);
	CHECK_INT(p.n, 3);
	if (p.n == 3) {
		CHECK_STR(p.p[0].name, "a");
		CHECK_STR(p.p[0].version, "1");
		CHECK(p.p[0].installed);
		CHECK_STR(p.p[1].name, "b");
		CHECK(!p.p[1].installed);
		CHECK_STR(p.p[2].name, "d");
		CHECK_STR(p.p[2].arch, "all");
		CHECK(p.p[2].installed);
	}
	kb_pkgs_free(&p);
}

static void test_rpm_query_output_parse(void)
{
	static const char out[] = "kesl\t12.0-1\tx86_64\nb\t1-1\t(none)\n";
	struct kb_pkgs p = { 0 };

	CHECK_INT(kb_rpm_parse(out, strlen(out), &p), 0);
	CHECK_INT(p.n, 2);
	CHECK_STR(p.p[0].name, "kesl");
	CHECK_STR(p.p[0].version, "12.0-1");
	kb_pkgs_free(&p);
	CHECK_INT(kb_rpm_parse("no tabs here\n", 13, &p), -EINVAL);
	kb_pkgs_free(&p);
}

static char *report(int (*fn)(const struct kb_scan *, FILE *), const struct kb_scan *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	CHECK_INT(fn(s, f), 0);
	fclose(f);
	return text;
}

static void test_reports_escape_hostile_names(void)
{
	static const char evil[] = "/opt/kaspersky/kesl/x\n\"y\"\\,\xff\x01";
	struct kb_product p = { .id = "kesl", .name = (char *)"K \"E\" S" };
	struct kb_hit hit = { .product = &p, .status = KB_FOUND };
	struct kb_scan s = { .root = "/", .live = true, .hits = &hit, .n_hits = 1, .n_found = 1 };
	char *t;

	strcpy(s.hostname, "h,1");
	CHECK_INT(kb_hit_add(&hit, KB_EV_DIR, false, evil, "files 1"), 0);
	t = report(kb_scan_report_json, &s);
	/* Not UTF-8 (\xff): the bytes, as an array (lib/json.c); nothing replaced. */
	CHECK(strstr(t, "\"value\":[47,111,112,116,47,107,97,115,112,101,114,115,107,121,47,107,101,115,108,47,120,10,34,121,34,92,44,255,1]") != NULL);
	CHECK(strstr(t, "\"name\":\"K \\\"E\\\" S\"") != NULL);
	CHECK(strstr(t, "\"schema\":\"kasblock-scan/2\"") != NULL);
	CHECK(strstr(t, "\"endpoints_affected\":1") != NULL);
	CHECK(strstr(t, "\"blocklist\":null") != NULL);
	CHECK(!strchr(t, '\x01') && strchr(t, '\n') == t + strlen(t) - 1);
	free(t);
	t = report(kb_scan_report_csv, &s);
	CHECK(!strncmp(t, "hostname,machine_id,product,status,kind,strength,value,detail\r\n", 63));
	CHECK(strstr(t, "\"h,1\",,kesl,found,dir,strong,\"/opt/kaspersky/kesl/x\n\"\"y\"\"\\,\xff\x01\",files 1\r\n") != NULL);
	free(t);
	t = report(kb_scan_report_text, &s);
	CHECK(strstr(t, "/opt/kaspersky/kesl/x\\x0a\"y\"\\x5c,\\xff\\x01") != NULL);
	CHECK(strstr(t, "summary: 1 product found") != NULL);
	free(t);
	free(hit.ev[0].value);
	free(hit.ev[0].detail);
	free(hit.ev);

	/* A clean endpoint still gets its CSV row. */
	s.n_hits = 0;
	s.n_found = 0;
	t = report(kb_scan_report_csv, &s);
	CHECK(strstr(t, "\r\n\"h,1\",,,none,,,,\r\n") != NULL);
	free(t);
}

/* A name that a spreadsheet would run as a formula is written as text: a quote before it. */
static void test_csv_neutralises_formulas(void)
{
	static const char *const evil[] = {
		"=HYPERLINK(\"http://x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
		"\t=1", "\r=1",
	};
	static const char *const want[] = {
		",\"'=HYPERLINK(\"\"http://x\"\")\",", ",\"'+1+cmd|' /C calc'!A0\",", ",\"'-2+3\",",
		",\"'@SUM(A1)\",", ",\"'\t=1\",", ",\"'\r=1\",",
	};
	struct kb_product p = { .id = "kesl", .name = (char *)"KESL" };
	struct kb_hit hit = { .product = &p, .status = KB_FOUND };
	struct kb_scan s = { .root = "/", .live = true, .hits = &hit, .n_hits = 1, .n_found = 1 };
	size_t i;
	char *t;

	for (i = 0; i < ARRAY_SIZE(evil); i++)
		CHECK_INT(kb_hit_add(&hit, KB_EV_DIR, false, evil[i], "files 1"), 0);
	strcpy(s.hostname, "=host");
	t = report(kb_scan_report_csv, &s);
	for (i = 0; i < ARRAY_SIZE(evil); i++) {
		CHECK(strstr(t, want[i]) != NULL);
		if (!strstr(t, want[i]))
			printf("  no %s in\n%s\n", want[i], t);
	}
	CHECK(strstr(t, "\r\n\"'=host\",,kesl,found,dir,strong,") != NULL);
	/* A plain name, and a minus inside one, stay as they were. */
	CHECK(strstr(t, ",dir,strong,") != NULL && strstr(t, "hostname,machine_id,") == t);
	free(t);
	for (i = 0; i < hit.n_ev; i++) {
		free(hit.ev[i].value);
		free(hit.ev[i].detail);
	}
	free(hit.ev);
}

/* Run scan_main with stdout going to a file; return its exit code and the output. */
static int run_main(int (*fn)(int, char **), char **out, ...)
{
	char *argv[16], path[PATH_MAX];
	int argc = 0, ret, saved, fd;
	size_t len = 0;
	va_list ap;
	FILE *f;

	va_start(ap, out);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	snprintf(path, sizeof(path), "%s/stdout", tmp);
	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 1);
	close(fd);
	ret = fn(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	f = fopen(path, "r");
	*out = calloc(1, 1 << 20);
	if (f && *out) {
		len = fread(*out, 1, (1 << 20) - 1, f);
		(*out)[len] = '\0';
	}
	if (f)
		fclose(f);
	return ret;
}

static void test_scan_main_exit_codes_and_formats(void)
{
	char ind[PATH_MAX], bad[PATH_MAX], list[PATH_MAX], root[PATH_MAX], *out;
	struct kb_parse_error err = { 0 };
	struct kb_list entries = { 0 };
	FILE *f;

	snprintf(root, sizeof(root), "%s/root", tmp);
	snprintf(ind, sizeof(ind), "%s/ind", tmp);
	snprintf(bad, sizeof(bad), "%s/bad", tmp);
	snprintf(list, sizeof(list), "%s/out.list", tmp);
	puts_file(0644, indicators_text, "ind");
	puts_file(0644, "product a\ndir relative/path\n", "bad");
	puts_file(0644, "root:x:0:0::/:/bin/sh\n", "root/etc/passwd");

	CHECK_INT(run_main(scan_main, &out, "scan", "--root", root, "--indicators", ind, "--json",
			   "-q", NULL), KB_EXIT_SCAN_NONE);
	CHECK(strstr(out, "\"products_found\":0") != NULL);
	free(out);

	put(0755, elf, sizeof(elf), "root/opt/kaspersky/kesl/bin/kesl");
	CHECK_INT(run_main(scan_main, &out, "scan", "--root", root, "--indicators", ind, "--csv",
			   "--emit-blocklist", list, NULL), KB_EXIT_SCAN_FOUND);
	CHECK(strstr(out, ",kesl,found,dir,strong,/opt/kaspersky/kesl,") != NULL);
	free(out);
	f = fopen(list, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(kb_listfile_parse_file(f, &entries, &err), 0);
		fclose(f);
	}
	CHECK_INT(entries.len, 1);
	if (entries.len)
		CHECK_STR(entries.entries[0].label, "kesl:/opt/kaspersky/kesl/bin/kesl");
	kb_list_free(&entries);

	/* The list to stdout, instead of the report. */
	CHECK_INT(run_main(scan_main, &out, "scan", "--root", root, "--indicators", ind,
			   "--emit-blocklist", "-", NULL), KB_EXIT_SCAN_FOUND);
	CHECK(!strncmp(out, "# kasblock blocklist", 20));
	CHECK(strstr(out, "  kesl:/opt/kaspersky/kesl/bin/kesl\n") != NULL);
	free(out);

	CHECK_INT(run_main(scan_main, &out, "scan", "--indicators", bad, NULL), KB_EXIT_USAGE);
	free(out);
	CHECK_INT(run_main(scan_main, &out, "scan", "--json", "--csv", NULL), KB_EXIT_USAGE);
	free(out);
	CHECK_INT(run_main(scan_main, &out, "scan", "--bogus", NULL), KB_EXIT_USAGE);
	free(out);
	CHECK_INT(run_main(scan_main, &out, "scan", "extra", NULL), KB_EXIT_USAGE);
	free(out);
	CHECK_INT(run_main(scan_main, &out, "scan", "--max-size", "12X", NULL), KB_EXIT_USAGE);
	free(out);
	CHECK_INT(run_main(scan_main, &out, "scan", "--emit-blocklist", "-", "--json", NULL),
		  KB_EXIT_USAGE);
	free(out);
	CHECK_INT(run_main(scan_main, &out, "scan", "--root", "/nonexistent", "--indicators", ind,
			   NULL), KB_EXIT_FAIL);
	free(out);
	CHECK_INT(run_main(scan_main, &out, "scan", "--help", NULL), KB_EXIT_OK);
	CHECK(!strncmp(out, "Usage: kasblockctl scan", 23));
	free(out);
	rm_tree();
}

int main(void)
{
	char tmpl[] = "/tmp/kb-scan-test.XXXXXX", real[PATH_MAX];

	if (!mkdtemp(tmpl) || !realpath(tmpl, real) || strlen(real) >= sizeof(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	strcpy(tmp, real);
	RUN(test_classify);
	RUN(test_module_name);
	RUN(test_labels_fit_and_keep_the_basename);
	RUN(test_blocklist_dedups_excludes_sorts_and_round_trips);
	RUN(test_dpkg_status_parse);
	RUN(test_rpm_query_output_parse);
	RUN(test_scan_finds_synthetic_products);
	RUN(test_scan_emits_blocklist_of_product_files);
	RUN(test_scan_lists_compressed_modules_by_both_digests);
	RUN(test_scan_of_clean_root_finds_nothing);
	RUN(test_unreadable_source_makes_scan_incomplete);
	RUN(test_image_symlinks_stay_inside_root);
	RUN(test_image_symlinks_stay_inside_root_without_openat2);
	RUN(test_walk_survives_loops_fifos_and_hostile_names);
	RUN(test_walk_skips_huge_files_without_reading_them);
	RUN(test_walk_counts_unreadable_files_and_dirs);
	RUN(test_reports_escape_hostile_names);
	RUN(test_csv_neutralises_formulas);
	RUN(test_scan_main_exit_codes_and_formats);
	rmdir(tmp);
	return kbt_done();
}
