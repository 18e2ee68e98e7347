// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests for kasblockctl harvest. The .deb and .rpm packages are built
 * here, at test time, with libarchive's writer and a hand-made RPM lead and
 * header: no binary fixture is committed, and every byte a test depends on
 * is visible in this file.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/subcommands.h"
#include "harvest/harvest.h"
#include "lib/listfile.h"
#include "lib/modimage.h"
#include "lib/util.h"
#include "test.h"

static char tmp[256];

static void be32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* An RPM header structure of string tags (as rpm writes NAME, VERSION, RELEASE). */
static size_t rpm_header(uint8_t *out, const uint32_t *tags, const char *const *values, size_t n)
{
	size_t store = 0, i;
	uint8_t *idx = out + 16, *data = out + 16 + 16 * n;

	for (i = 0; i < n; i++) {
		be32_put(idx + 16 * i, tags[i]);
		be32_put(idx + 16 * i + 4, 6);	/* RPM_STRING_TYPE */
		be32_put(idx + 16 * i + 8, (uint32_t)store);
		be32_put(idx + 16 * i + 12, 1);
		memcpy(data + store, values[i], strlen(values[i]) + 1);
		store += strlen(values[i]) + 1;
	}
	memcpy(out, "\x8e\xad\xe8\x01\0\0\0\0", 8);
	be32_put(out + 8, (uint32_t)n);
	be32_put(out + 12, (uint32_t)store);
	return 16 + 16 * n + store;
}

static void test_rpm_header_parser(void)
{
	static const uint32_t tags[] = { 1000, 1001, 1002 };
	const char *values[] = { "klnagent64", "15.0.0", "12345" };
	uint8_t buf[1024];
	char n[KB_PKG_FIELD_MAX], v[KB_PKG_FIELD_MAX];
	size_t len;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, "\xed\xab\xee\xdb\x03\x00", 6);
	len = 96 + rpm_header(buf + 96, NULL, NULL, 0);
	len += rpm_header(buf + len, tags, values, 3);
	CHECK_INT(kb_rpm_header_name(buf, len, n, v), 0);
	CHECK_STR(n, "klnagent64");
	CHECK_STR(v, "15.0.0-12345");
	CHECK_INT(kb_rpm_header_name(buf, len - 1, n, v), -E2BIG);
	CHECK_INT(kb_rpm_header_name(buf, 50, n, v), -E2BIG);
	/* The last string loses its NUL: refused, not read past the end. */
	buf[len - 1] = 'x';
	CHECK_INT(kb_rpm_header_name(buf, len, n, v), 0);	/* NAME is still fine */
	CHECK_STR(v, "15.0.0");
	/* NAME's offset points outside the store. */
	be32_put(buf + 112 + 16 + 8, 5000);
	CHECK_INT(kb_rpm_header_name(buf, len, n, v), -EINVAL);
	buf[0] = 0;
	CHECK_INT(kb_rpm_header_name(buf, len, n, v), -EINVAL);
}

static void test_deb_control_parser(void)
{
	char n[KB_PKG_FIELD_MAX], v[KB_PKG_FIELD_MAX];
	static const char c1[] = "Source: x\r\npackage:   klnagent64  \r\nVERSION: 15.0\r\n";

	CHECK_INT(kb_deb_control_name(c1, strlen(c1), n, v), 0);
	CHECK_STR(n, "klnagent64");
	CHECK_STR(v, "15.0");
	CHECK_INT(kb_deb_control_name("Version: 1\n", 11, n, v), -EINVAL);
	CHECK_INT(kb_deb_control_name("Package: a\x01" "b\n", 13, n, v), 0);
	CHECK_STR(n, "a?b");
}

#ifdef HAVE_LIBARCHIVE
#include <archive.h>
#include <archive_entry.h>


struct member {
	const char *name;
	unsigned int type;	/* AE_IFREG, AE_IFLNK, AE_IFDIR; 0 = AE_IFREG */
	unsigned int perm;
	const void *data;
	size_t len;
	const char *link;	/* symlink target, or hard link target for AE_IFREG */
};

static const char elf[] = "\177ELF\2\1\1\0harvested executable";
static const char lib[] = "\177ELF\2\1\1\0harvested library";
static const char script[] = "#!/bin/sh\nexec /opt/kaspersky/kesl/bin/kesl \"$@\"\n";
static const char doc[] = "README: not code\n";
static const char ko[] = "\177ELF\2\1\1\0kernel module";
static const char weird[] = "\177ELF\2\1\1\0hostile name";

static const struct member payload[] = {
	{ "./opt/", AE_IFDIR, 0755, NULL, 0, NULL },
	{ "./opt/kaspersky/kesl/bin/kesl", 0, 0755, elf, sizeof(elf), NULL },
	{ "./opt/kaspersky/kesl/lib/libkesl.so", 0, 0644, lib, sizeof(lib), NULL },
	{ "./opt/kaspersky/kesl/bin/kesl-control", 0, 0644, script, sizeof(script) - 1, NULL },
	{ "./opt/kaspersky/kesl/share/doc/README", 0, 0644, doc, sizeof(doc) - 1, NULL },
	{ "./opt/kaspersky/kesl/modules/kesl-fan.ko", 0, 0644, ko, sizeof(ko), NULL },
	{ "./opt/kaspersky/kesl/bin/empty", 0, 0755, "", 0, NULL },
	{ "./usr/bin/kesl-control", AE_IFLNK, 0777, NULL, 0, "/opt/kaspersky/kesl/bin/kesl-control" },
	{ "./opt/kaspersky/kesl/bin/kesl-hardlink", 0, 0755, NULL, 0, "./opt/kaspersky/kesl/bin/kesl" },
	{ "./../../etc/evil\nname", 0, 0755, weird, sizeof(weird), NULL },
};
#define N_PAYLOAD ARRAY_SIZE(payload)

static void digest_of(const void *data, size_t len, uint8_t out[KB_SHA256_LEN])
{
	struct kb_sha256 ctx;

	kb_sha256_init(&ctx);
	kb_sha256_update(&ctx, data, len);
	kb_sha256_final(&ctx, out);
}

typedef int (*format_fn)(struct archive *);
#define GNUTAR archive_write_set_format_gnutar
#define PAX archive_write_set_format_pax_restricted
#define NEWC archive_write_set_format_cpio_newc
#define AR archive_write_set_format_ar_svr4

/* An archive of members, in memory, in format, compressed with filter (ARCHIVE_FILTER_*). */
static size_t build(uint8_t *buf, size_t cap, format_fn format, int filter,
		    const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();
	size_t used = 0, i;

	format(a);
	if (archive_write_add_filter(a, filter) != ARCHIVE_OK) {
		archive_write_free(a);
		return 0;
	}
	archive_write_set_bytes_in_last_block(a, 1);
	if (archive_write_open_memory(a, buf, cap, &used) != ARCHIVE_OK) {
		printf("  open_memory: %s\n", archive_error_string(a));
		archive_write_free(a);
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();

		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_filetype(e, m[i].type ? m[i].type : AE_IFREG);
		archive_entry_set_perm(e, m[i].perm);
		archive_entry_set_mtime(e, 1500000000, 0);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		if (m[i].type == AE_IFLNK) {
			archive_entry_set_symlink(e, m[i].link);
			archive_entry_set_size(e, 0);
		} else if (m[i].link) {
			archive_entry_set_hardlink(e, m[i].link);
			archive_entry_set_size(e, 0);
		} else if (!m[i].type || m[i].type == AE_IFREG) {
			archive_entry_set_size(e, (la_int64_t)m[i].len);
		} else {
			archive_entry_set_size(e, 0);
		}
		if (archive_write_header(a, e) != ARCHIVE_OK)
			printf("  write_header %s: %s\n", m[i].name, archive_error_string(a));
		if (m[i].len && archive_write_data(a, m[i].data, m[i].len) != (la_ssize_t)m[i].len)
			printf("  write_data %s: %s\n", m[i].name, archive_error_string(a));
		archive_entry_free(e);
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		printf("  close: %s\n", archive_error_string(a));
		used = 0;
	}
	archive_write_free(a);
	return used;
}

static void save(const char *name, const void *data, size_t len, char *path)
{
	int fd;

	snprintf(path, PATH_MAX, "%s/%s", tmp, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		printf("  cannot write %s\n", path);
	if (fd >= 0)
		close(fd);
}

#define BUF (8u << 20)

/* A .deb: debian-binary, control.tar.gz with a control file, data.tar.<filter>. */
static void make_deb(const char *name, const char *control, int data_filter,
		     const struct member *m, size_t n, bool with_data, char *path)
{
	uint8_t *ctl = malloc(BUF), *data = malloc(BUF), *deb = malloc(BUF);
	struct member ctl_m[] = { { "./control", 0, 0644, control, strlen(control), NULL } };
	struct member ar[3] = {
		{ "debian-binary", 0, 0644, "2.0\n", 4, NULL },
		{ "control.tar.gz", 0, 0644, ctl, 0, NULL },
		{ data_filter == ARCHIVE_FILTER_XZ ? "data.tar.xz" :
		  data_filter == ARCHIVE_FILTER_ZSTD ? "data.tar.zst" :
		  data_filter == ARCHIVE_FILTER_NONE ? "data.tar" : "data.tar.gz", 0, 0644, data, 0, NULL },
	};
	size_t len;

	ar[1].len = build(ctl, BUF, GNUTAR, ARCHIVE_FILTER_GZIP, ctl_m, 1);
	ar[2].len = build(data, BUF, GNUTAR, data_filter, m, n);
	len = build(deb, BUF, AR, ARCHIVE_FILTER_NONE, ar, with_data ? 3 : 2);
	CHECK(len > 0);
	save(name, deb, len, path);
	free(ctl);
	free(data);
	free(deb);
}

/* lead + empty signature header + main header + cpio payload compressed with filter. */
static size_t make_rpm_bytes(uint8_t *out, const char *pkgname, int filter, const struct member *m,
			     size_t n)
{
	static const uint32_t tags[] = { 1000, 1001, 1002 };
	const char *values[] = { pkgname, "12.0.0", "6672.el8" };
	size_t off = 0, len;

	memset(out, 0, 96);
	memcpy(out, "\xed\xab\xee\xdb\x03\x00\x00\x00\x00\x01", 10);
	snprintf((char *)out + 10, 66, "%s-12.0.0-6672.el8", pkgname);
	out[78] = 0;
	out[79] = 5;	/* signature type: header-style */
	off = 96;
	off += rpm_header(out + off, NULL, NULL, 0);	/* 16 bytes: already 8-aligned */
	off += rpm_header(out + off, tags, values, 3);
	len = build(out + off, BUF - off, NEWC, filter, m, n);
	return len ? off + len : 0;
}

static void make_rpm(const char *name, const char *pkgname, int filter, const struct member *m,
		     size_t n, char *path)
{
	uint8_t *buf = malloc(BUF);
	size_t len = make_rpm_bytes(buf, pkgname, filter, m, n);

	CHECK(len > 0);
	save(name, buf, len, path);
	free(buf);
}

static const struct kb_bl_entry *entry(const struct kb_blocklist *bl, const char *path)
{
	size_t i;

	for (i = 0; i < bl->n; i++)
		if (!strcmp(bl->e[i].path, path))
			return &bl->e[i];
	return NULL;
}

/* What every package built from payload[] must give. */
static void check_payload(struct kb_blocklist *bl, const struct kb_harvest_pkg *pkg,
			  const char *owner, uint64_t files)
{
	uint8_t d[KB_SHA256_LEN];
	const struct kb_bl_entry *e;
	char label[KB_LABEL_SIZE];

	kb_blocklist_finish(bl);
	/*
	 * Regular files, not the dir or the symlink. tar keeps the hard link as
	 * a link (not counted); libarchive's cpio writer stores it as an empty file.
	 */
	CHECK_INT(pkg->files, files);
	CHECK_INT(pkg->qualifying, 5);
	CHECK_INT(pkg->hashed, 5);
	CHECK_INT(bl->n, 5);
	digest_of(elf, sizeof(elf), d);
	e = entry(bl, "/opt/kaspersky/kesl/bin/kesl");
	CHECK(e && !memcmp(e->digest, d, sizeof(d)));
	snprintf(label, sizeof(label), "%s:/opt/kaspersky/kesl/bin/kesl", owner);
	CHECK(e && !strcmp(e->label, label));
	digest_of(lib, sizeof(lib), d);
	e = entry(bl, "/opt/kaspersky/kesl/lib/libkesl.so");
	CHECK(e && !memcmp(e->digest, d, sizeof(d)));
	digest_of(script, sizeof(script) - 1, d);
	e = entry(bl, "/opt/kaspersky/kesl/bin/kesl-control");
	CHECK(e && !memcmp(e->digest, d, sizeof(d)));
	CHECK(entry(bl, "/opt/kaspersky/kesl/modules/kesl-fan.ko") != NULL);
	CHECK(!entry(bl, "/opt/kaspersky/kesl/share/doc/README"));
	CHECK(!entry(bl, "/opt/kaspersky/kesl/bin/empty"));
	CHECK(!entry(bl, "/usr/bin/kesl-control"));
	/* A hostile name is only a label: nothing is written anywhere. */
	e = entry(bl, "/../../etc/evil\nname");
	CHECK(e && !strchr(e->label, '\n'));
}

static void test_deb_gzip_and_xz(void)
{
	static const int filters[] = { ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_XZ, ARCHIVE_FILTER_NONE };
	char path[PATH_MAX], err[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(filters); i++) {
		struct kb_blocklist bl = { 0 };
		struct kb_harvest_pkg pkg = { 0 };

		make_deb("kesl_12.0.0-6672_amd64.deb",
			 "Package: kesl\nVersion: 12.0.0-6672\nArchitecture: amd64\n", filters[i],
			 payload, N_PAYLOAD, true, path);
		CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), 0);
		CHECK_STR(pkg.format, "deb");
		CHECK_STR(pkg.name, "kesl");
		CHECK_STR(pkg.version, "12.0.0-6672");
		check_payload(&bl, &pkg, "kesl", 7);
		kb_blocklist_free(&bl);
	}
}

static void test_deb_zstd_when_available(void)
{
	uint8_t probe[4096];
	char path[PATH_MAX], err[256];
	struct kb_blocklist bl = { 0 };
	struct kb_harvest_pkg pkg = { 0 };

	/* Ubuntu's dpkg compresses with zstd; skip where libarchive cannot write it. */
	if (!build(probe, sizeof(probe), GNUTAR, ARCHIVE_FILTER_ZSTD, payload, 1)) {
		SKIP("zstd not supported by this libarchive");
	}
	make_deb("z.deb", "Package: kesl-gui\n", ARCHIVE_FILTER_ZSTD, payload, N_PAYLOAD, true, path);
	CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), 0);
	CHECK_STR(pkg.name, "kesl-gui");
	check_payload(&bl, &pkg, "kesl-gui", 7);
	kb_blocklist_free(&bl);
}

static void test_rpm_payloads(void)
{
	static const int filters[] = { ARCHIVE_FILTER_GZIP, ARCHIVE_FILTER_XZ, ARCHIVE_FILTER_NONE };
	char path[PATH_MAX], err[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(filters); i++) {
		struct kb_blocklist bl = { 0 };
		struct kb_harvest_pkg pkg = { 0 };

		make_rpm("kesl-12.0.0-6672.el8.x86_64.rpm", "kesl", filters[i], payload, N_PAYLOAD,
			 path);
		err[0] = '\0';
		CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), 0);
		if (*err)
			printf("  filter %d: %s\n", filters[i], err);
		CHECK_STR(pkg.format, "rpm");
		CHECK_STR(pkg.name, "kesl");
		CHECK_STR(pkg.version, "12.0.0-6672.el8");
		check_payload(&bl, &pkg, "kesl", 8);
		kb_blocklist_free(&bl);
	}
}

static void test_tarball_is_named_after_its_file(void)
{
	uint8_t *buf = malloc(BUF);
	char path[PATH_MAX], err[256];
	struct kb_blocklist bl = { 0 };
	struct kb_harvest_pkg pkg = { 0 };
	size_t len;

	len = build(buf, BUF, PAX, ARCHIVE_FILTER_GZIP, payload,
		    N_PAYLOAD);
	save("kaspersky_scan_engine-2.1.0.tar.gz", buf, len, path);
	CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), 0);
	CHECK_STR(pkg.format, "archive");
	CHECK_STR(pkg.name, "kaspersky_scan_engine-2.1.0");
	check_payload(&bl, &pkg, "kaspersky_scan_engine-2.1.0", 7);
	kb_blocklist_free(&bl);
	free(buf);
}

/* A compressed module is listed by the file's digest and the decompressed image's. */
static void test_compressed_module_gets_both_digests(void)
{
	uint8_t *buf = malloc(BUF), gz[4096], d[KB_SHA256_LEN], f[KB_SHA256_LEN];
	char path[PATH_MAX], cmd[2 * PATH_MAX], err[256];
	struct kb_blocklist bl = { 0 };
	struct kb_harvest_pkg pkg = { 0 };
	const struct kb_bl_entry *file = NULL, *image = NULL;
	ssize_t gzlen = -1;
	size_t len, i;
	int fd;

	if (!kb_compression_supported(KB_COMP_GZIP)) {
		free(buf);
		SKIP("built without zlib");
	}
	save("mod.ko", ko, sizeof(ko), path);
	snprintf(cmd, sizeof(cmd), "gzip -n -f '%s'", path);
	if (system(cmd)) {
		free(buf);
		SKIP("no gzip");
	}
	strcat(path, ".gz");
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		gzlen = read(fd, gz, sizeof(gz));
		close(fd);
	}
	CHECK(gzlen > 0);
	if (gzlen <= 0) {
		free(buf);
		return;
	}
	{
		const struct member m[] = {
			{ "./lib/modules/x/kesl-fan.ko.gz", 0, 0644, gz, (size_t)gzlen, NULL },
		};

		len = build(buf, BUF, PAX, ARCHIVE_FILTER_NONE, m, 1);
	}
	save("kesl-modules-1.0.tar", buf, len, path);
	CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), 0);
	digest_of(ko, sizeof(ko), d);
	digest_of(gz, (size_t)gzlen, f);
	for (i = 0; i < bl.n; i++) {
		if (!memcmp(bl.e[i].digest, f, sizeof(f)))
			file = &bl.e[i];
		if (!memcmp(bl.e[i].digest, d, sizeof(d)))
			image = &bl.e[i];
	}
	CHECK_INT(bl.n, 2);
	CHECK(file && !strcmp(file->label,
			      "kesl-modules-1.0:/lib/modules/x/kesl-fan.ko.gz"));
	CHECK(image && !strcmp(image->label,
			       "kesl-modules-1.0:/lib/modules/x/kesl-fan.ko.gz (decompressed)"));
	kb_blocklist_free(&bl);
	free(buf);
}

static void test_big_members_stream_and_oversize_is_skipped(void)
{
	const size_t big = 3u << 20;	/* several libarchive reads */
	uint8_t *data = malloc(big), d[KB_SHA256_LEN];
	struct member m[2] = {
		{ "./opt/big", 0, 0755, data, big, NULL },
		{ "./opt/small", 0, 0755, elf, sizeof(elf), NULL },
	};
	char path[PATH_MAX], err[256];
	struct kb_blocklist bl = { 0 };
	struct kb_harvest_pkg pkg = { 0 };
	const struct kb_bl_entry *e;
	size_t i;

	for (i = 0; i < big; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	memcpy(data, "\177ELF", 4);
	make_rpm("big.rpm", "big", ARCHIVE_FILTER_XZ, m, 2, path);
	CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), 0);
	digest_of(data, big, d);
	e = entry(&bl, "/opt/big");
	CHECK(e && !memcmp(e->digest, d, sizeof(d)) && e->size == big);
	kb_blocklist_free(&bl);

	memset(&pkg, 0, sizeof(pkg));
	CHECK_INT(kb_harvest_file(path, 1 << 20, &bl, &pkg, err, sizeof(err)), 0);
	CHECK_INT(pkg.oversize, 1);
	CHECK_INT(pkg.hashed, 1);
	CHECK(!entry(&bl, "/opt/big"));
	CHECK(entry(&bl, "/opt/small") != NULL);
	kb_blocklist_free(&bl);
	free(data);
}

static void test_bad_packages_are_refused(void)
{
	uint8_t *buf = malloc(BUF);
	char path[PATH_MAX], err[256];
	struct kb_blocklist bl = { 0 };
	struct kb_harvest_pkg pkg = { 0 };
	size_t len;

	save("garbage.deb", "this is not a package at all", 28, path);
	CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), -EINVAL);
	CHECK(*err);

	/* A lead and nothing else. */
	len = make_rpm_bytes(buf, "kesl", ARCHIVE_FILTER_GZIP, payload, N_PAYLOAD);
	save("lead-only.rpm", buf, 96, path);
	CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "RPM header") != NULL);

	/* Cut in the middle of the payload. */
	save("cut.rpm", buf, len - 40, path);
	CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), -EINVAL);

	/* A header claiming 2^31 index entries. */
	be32_put(buf + 96 + 16 + 8, 0x80000000u);
	save("huge-index.rpm", buf, len, path);
	CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), -EINVAL);

	make_deb("no-data.deb", "Package: x\n", ARCHIVE_FILTER_GZIP, payload, N_PAYLOAD, false, path);
	CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "data.tar") != NULL);

	snprintf(path, sizeof(path), "%s/missing.deb", tmp);
	CHECK_INT(kb_harvest_file(path, 0, &bl, &pkg, err, sizeof(err)), -ENOENT);
	CHECK_INT(bl.n, 0);
	kb_blocklist_free(&bl);
	free(buf);
}

static int run_main(char **out, ...)
{
	char *argv[16], path[PATH_MAX];
	int argc = 0, ret, saved, fd;
	size_t len;
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
	ret = harvest_main(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	*out = calloc(1, 1 << 16);
	f = fopen(path, "r");
	if (f && *out) {
		len = fread(*out, 1, (1 << 16) - 1, f);
		(*out)[len] = '\0';
	}
	if (f)
		fclose(f);
	return ret;
}

static void test_harvest_main(void)
{
	char deb[PATH_MAX], rpm[PATH_MAX], bad[PATH_MAX], list[PATH_MAX], *out;
	struct kb_parse_error perr = { 0 };
	struct kb_list entries = { 0 };
	FILE *f;

	make_deb("kesl.deb", "Package: kesl\nVersion: 1\n", ARCHIVE_FILTER_GZIP, payload, N_PAYLOAD,
		 true, deb);
	/* The same files in an RPM under another name: each digest is listed once. */
	make_rpm("kesl.rpm", "kesl-rpm", ARCHIVE_FILTER_GZIP, payload, N_PAYLOAD, rpm);
	save("bad.rpm", "\xed\xab\xee\xdb\x03", 5, bad);
	snprintf(list, sizeof(list), "%s/out.list", tmp);

	CHECK_INT(run_main(&out, "harvest", deb, rpm, NULL), KB_EXIT_OK);
	CHECK(!strncmp(out, "# kasblock blocklist: kasblockctl harvest\n", 42));
	CHECK(strstr(out, "\n# kesl.deb: kesl 1 (deb): files 7, executable 5, hashed 5\n") != NULL);
	CHECK(strstr(out, "# 5 entries; 5 repeated digests") != NULL);
	CHECK_INT(kb_listfile_parse_buf(out, strlen(out), &entries, &perr), 0);
	CHECK_INT(entries.len, 5);
	kb_list_free(&entries);
	free(out);

	CHECK_INT(run_main(&out, "harvest", "-o", list, rpm, NULL), KB_EXIT_OK);
	CHECK_STR(out, "");
	f = fopen(list, "r");
	CHECK(f && kb_listfile_parse_file(f, &entries, &perr) == 0);
	if (f)
		fclose(f);
	CHECK_INT(entries.len, 5);
	CHECK(entries.len && !strncmp(entries.entries[0].label, "kesl-rpm:/", 10));
	kb_list_free(&entries);
	free(out);

	/* One bad package: exit 1 and nothing written. */
	unlink(list);
	CHECK_INT(run_main(&out, "harvest", "-o", list, deb, bad, NULL), KB_EXIT_FAIL);
	CHECK_INT(access(list, F_OK), -1);
	free(out);
	CHECK_INT(run_main(&out, "harvest", NULL), KB_EXIT_USAGE);
	free(out);
	CHECK_INT(run_main(&out, "harvest", "--max-size", "0", deb, NULL), KB_EXIT_USAGE);
	free(out);
	CHECK_INT(run_main(&out, "harvest", "--exclude", bad, deb, NULL), KB_EXIT_USAGE);
	free(out);
	CHECK_INT(run_main(&out, "harvest", "--help", NULL), KB_EXIT_OK);
	CHECK(!strncmp(out, "Usage: kasblockctl harvest", 26));
	free(out);
}

#endif /* HAVE_LIBARCHIVE */

int main(void)
{
	char tmpl[] = "/tmp/kb-harvest-test.XXXXXX", cmd[300];

	if (!mkdtemp(tmpl)) {
		perror("mkdtemp");
		return 1;
	}
	strcpy(tmp, tmpl);
	RUN(test_rpm_header_parser);
	RUN(test_deb_control_parser);
#ifdef HAVE_LIBARCHIVE
	RUN(test_deb_gzip_and_xz);
	RUN(test_deb_zstd_when_available);
	RUN(test_rpm_payloads);
	RUN(test_tarball_is_named_after_its_file);
	RUN(test_compressed_module_gets_both_digests);
	RUN(test_big_members_stream_and_oversize_is_skipped);
	RUN(test_bad_packages_are_refused);
	RUN(test_harvest_main);
#else
	kbt_skip("package tests", "built without libarchive");
#endif
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd))
		printf("  could not remove %s\n", tmp);
	return kbt_done();
}
