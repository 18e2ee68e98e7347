// SPDX-License-Identifier: GPL-2.0
/*
 * Reading vendor packages without installing them. libarchive does the
 * container work: ar for .deb, the rpm filter and cpio for .rpm, every
 * compression either uses. What it does not give is the package's name,
 * which labels the files: a .deb keeps it in control.tar's control file, an
 * .rpm in its header, which libarchive skips, so the header is read here.
 *
 * Files inside are hashed from the archive stream, never written anywhere,
 * so a hostile member name ("../../etc/passwd") is only a label.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harvest.h"
#include "lib/util.h"

#define RPM_LEAD_SIZE 96
#define RPM_HEADER_MAX (64u << 20)	/* bytes in one header's index and store */
#define RPM_INDEX_MAX 65536u		/* entries in one header */
#define RPMTAG_NAME 1000
#define RPMTAG_VERSION 1001
#define RPMTAG_RELEASE 1002
#define RPM_STRING_TYPE 6
#define CONTROL_MAX (1u << 20)

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void copy_printable(char *out, size_t size, const char *s, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 1 < size; i++)
		out[o++] = (unsigned char)s[i] < ' ' || s[i] == 0x7f ? '?' : s[i];
	out[o] = '\0';
}

/* The size of the header structure at off: 16 + 16 * entries + store. */
static int rpm_header_size(const uint8_t *buf, size_t len, size_t off, size_t *size)
{
	uint32_t n, store;

	if (len < off + 16)
		return -E2BIG;
	if (memcmp(buf + off, "\x8e\xad\xe8\x01", 4))
		return -EINVAL;
	n = be32(buf + off + 8);
	store = be32(buf + off + 12);
	if (n > RPM_INDEX_MAX || store > RPM_HEADER_MAX)
		return -EINVAL;
	*size = 16 + (size_t)n * 16 + store;
	return 0;
}

/* Where the main header starts and how long it is. */
static int rpm_layout(const uint8_t *buf, size_t len, size_t *main_off, size_t *main_size)
{
	size_t sig;
	int ret;

	if (len < RPM_LEAD_SIZE)
		return -E2BIG;
	if (memcmp(buf, "\xed\xab\xee\xdb", 4) || (buf[4] != 3 && buf[4] != 4))
		return -EINVAL;
	ret = rpm_header_size(buf, len, RPM_LEAD_SIZE, &sig);
	if (ret)
		return ret;
	/* The signature header is padded to 8 bytes; the main header is not. */
	*main_off = RPM_LEAD_SIZE + ((sig + 7) & ~(size_t)7);
	return rpm_header_size(buf, len, *main_off, main_size);
}

static const char *rpm_string(const uint8_t *hdr, size_t size, uint32_t tag)
{
	uint32_t n = be32(hdr + 8), i;
	const uint8_t *store = hdr + 16 + (size_t)n * 16;
	size_t store_len = size - 16 - (size_t)n * 16;

	for (i = 0; i < n; i++) {
		const uint8_t *e = hdr + 16 + (size_t)i * 16;
		uint32_t off = be32(e + 8);

		if (be32(e) != tag || be32(e + 4) != RPM_STRING_TYPE || off >= store_len)
			continue;
		if (!memchr(store + off, '\0', store_len - off))
			return NULL;
		return (const char *)store + off;
	}
	return NULL;
}

int kb_rpm_header_name(const uint8_t *buf, size_t len, char name[KB_PKG_FIELD_MAX],
		       char version[KB_PKG_FIELD_MAX])
{
	const char *n, *v, *r;
	size_t off, size;
	int ret;

	ret = rpm_layout(buf, len, &off, &size);
	if (ret)
		return ret;
	if (len < off + size)
		return -E2BIG;
	n = rpm_string(buf + off, size, RPMTAG_NAME);
	v = rpm_string(buf + off, size, RPMTAG_VERSION);
	r = rpm_string(buf + off, size, RPMTAG_RELEASE);
	if (!n || !*n)
		return -EINVAL;
	copy_printable(name, KB_PKG_FIELD_MAX, n, strlen(n));
	if (v && r)
		snprintf(version, KB_PKG_FIELD_MAX, "%s-%s", v, r);
	else
		snprintf(version, KB_PKG_FIELD_MAX, "%s", v ? v : "");
	copy_printable(version, KB_PKG_FIELD_MAX, version, strlen(version));
	return 0;
}

int kb_deb_control_name(const char *text, size_t len, char name[KB_PKG_FIELD_MAX],
			char version[KB_PKG_FIELD_MAX])
{
	const char *pos = text, *end = text + len;

	name[0] = version[0] = '\0';
	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		const char *lend = nl ? nl : end, *v;
		char *out = NULL;

		if (lend - pos > 8 && !strncasecmp(pos, "Package:", 8))
			out = name;
		else if (lend - pos > 8 && !strncasecmp(pos, "Version:", 8))
			out = version;
		if (out && !*out) {
			for (v = pos + 8; v < lend && (*v == ' ' || *v == '\t'); v++)
				;
			while (lend > v && (lend[-1] == ' ' || lend[-1] == '\t' || lend[-1] == '\r'))
				lend--;
			copy_printable(out, KB_PKG_FIELD_MAX, v, (size_t)(lend - v));
		}
		if (!nl)
			break;
		pos = nl + 1;
	}
	return *name ? 0 : -EINVAL;
}

#ifdef HAVE_LIBARCHIVE
#include <archive.h>
#include <archive_entry.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "lib/modimage.h"

#define CHUNK (64u << 10)

static int pread_all(int fd, uint8_t *buf, size_t len, size_t *got)
{
	size_t n = 0;
	ssize_t r;

	while (n < len) {
		r = pread(fd, buf + n, len - n, (off_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*got = n;
	return 0;
}

/* Read just as much of the file as the header needs, in up to three steps. */
static int rpm_read_name(int fd, struct kb_harvest_pkg *pkg)
{
	size_t want = 4096, got, off, size;
	uint8_t *buf = NULL, *p;
	int ret, tries;

	for (tries = 0; tries < 3; tries++) {
		p = realloc(buf, want);
		if (!p) {
			ret = -ENOMEM;
			break;
		}
		buf = p;
		ret = pread_all(fd, buf, want, &got);
		if (ret)
			break;
		ret = kb_rpm_header_name(buf, got, pkg->name, pkg->version);
		if (ret != -E2BIG || got < want)
			break;
		ret = rpm_layout(buf, got, &off, &size);
		want = ret == -E2BIG ? want * 4 : off + size;
	}
	free(buf);
	return ret == -E2BIG ? -EINVAL : ret;
}

struct member {
	char *path;
	uint8_t digest[KB_SHA256_LEN];
	uint8_t image[KB_SHA256_LEN];	/* a compressed module's decompressed image */
	bool has_image;
	uint64_t size;
};

struct harvest {
	struct kb_harvest_pkg *pkg;
	uint64_t max_size;
	struct member *m;
	size_t n;
	size_t cap;
	uint8_t *chunk;
	char *errmsg;
	size_t errmsg_len;
};

static int archive_fail(struct harvest *h, struct archive *a, const char *what)
{
	const char *msg = archive_error_string(a);

	snprintf(h->errmsg, h->errmsg_len, "%s: %s", what, msg ? msg : "unreadable archive");
	return -EINVAL;
}

/* "./opt/x" and "opt/x" are both the installed file /opt/x. */
static char *installed_path(const char *name)
{
	while (name[0] == '.' && name[1] == '/')
		name += 2;
	while (*name == '/')
		name++;
	return kb_path_join("", name);
}

static int keep(struct harvest *h, const char *name, const uint8_t digest[KB_SHA256_LEN],
		const uint8_t *image, uint64_t size)
{
	struct member *m;

	if (KB_GROW(h->m, h->n, h->cap))
		return -ENOMEM;
	m = &h->m[h->n];
	m->path = installed_path(name);
	if (!m->path)
		return -ENOMEM;
	memcpy(m->digest, digest, KB_SHA256_LEN);
	m->has_image = image != NULL;
	if (image)
		memcpy(m->image, image, KB_SHA256_LEN);
	m->size = size;
	h->n++;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One archive member: classify on its first bytes, hash the rest as it streams by. */
static int hash_member(struct harvest *h, struct archive *a, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	uint8_t digest[KB_SHA256_LEN], image[KB_SHA256_LEN];
	int mfd = -1, has_image = 0, ret;
	struct kb_sha256 ctx;
	enum kb_class cls;
	uint64_t size, total = 0;
	la_ssize_t r;

	if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) || !name)
		return 0;	/* a hard link's data comes with the file it links to */
	h->pkg->files++;
	size = archive_entry_size_is_set(e) ? (uint64_t)archive_entry_size(e) : 0;
	r = archive_read_data(a, h->chunk, CHUNK);
	if (r < 0)
		return archive_fail(h, a, name);
	cls = kb_file_classify(name, archive_entry_perm(e), h->chunk, (size_t)r,
			       size ? size : (uint64_t)r);
	if (cls == KB_CLASS_NONE)
		return 0;
	h->pkg->qualifying++;
	if (h->max_size && size > h->max_size) {
		h->pkg->oversize++;
		return 0;
	}
	/*
	 * A module is kept in a memfd as it streams by, for kb_module_list_digests():
	 * a compressed one is listed by its decompressed image's digest too.
	 */
	if (cls == KB_CLASS_MODULE) {
		mfd = memfd_create("kasblock-module", MFD_CLOEXEC);
		if (mfd < 0)
			return -errno;
	}
	if (kb_sha256_init(&ctx)) {
		if (mfd >= 0)
			close(mfd);
		return -ENOMEM;
	}
	while (r > 0) {
		kb_sha256_update(&ctx, h->chunk, (size_t)r);
		if (mfd >= 0 && write_all(mfd, h->chunk, (size_t)r)) {
			ret = -errno;
			kb_sha256_free(&ctx);
			close(mfd);
			return ret;
		}
		total += (uint64_t)r;
		if (h->max_size && total > h->max_size) {
			kb_sha256_free(&ctx);
			h->pkg->oversize++;
			if (mfd >= 0)
				close(mfd);
			return 0;
		}
		r = archive_read_data(a, h->chunk, CHUNK);
	}
	if (r < 0) {
		kb_sha256_free(&ctx);
		if (mfd >= 0)
			close(mfd);
		return archive_fail(h, a, name);
	}
	if (kb_sha256_final(&ctx, digest)) {
		if (mfd >= 0)
			close(mfd);
		return -ENOMEM;
	}
	if (mfd >= 0) {
		ret = kb_module_list_digests(mfd, digest, image, &has_image);
		close(mfd);
		if (ret)
			return ret;
	}
	h->pkg->hashed++;
	return keep(h, name, digest, has_image ? image : NULL, total);
}

static int hash_all(struct harvest *h, struct archive *a)
{
	struct archive_entry *e;
	int r, ret;

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		ret = hash_member(h, a, e);
		if (ret)
			return ret;
	}
	return r == ARCHIVE_EOF ? 0 : archive_fail(h, a, "payload");
}

struct nested {
	struct archive *outer;
	uint8_t block[CHUNK];
};

static la_ssize_t nested_read(struct archive *a, void *data, const void **buf)
{
	struct nested *n = data;

	(void)a;
	*buf = n->block;
	return archive_read_data(n->outer, n->block, sizeof(n->block));
}

/* An archive inside the current member of outer (a .deb's control.tar.* or data.tar.*). */
static struct archive *open_nested(struct harvest *h, struct archive *outer, struct nested *n,
				   const char *name)
{
	struct archive *in = archive_read_new();

	if (!in) {
		snprintf(h->errmsg, h->errmsg_len, "%s: %s", name, strerror(ENOMEM));
		return NULL;
	}
	n->outer = outer;
	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	if (archive_read_open(in, n, NULL, nested_read, NULL) != ARCHIVE_OK) {
		archive_fail(h, in, name);
		archive_read_free(in);
		return NULL;
	}
	return in;
}

static int read_control(struct harvest *h, struct archive *in)
{
	struct archive_entry *e;
	char *text;
	la_ssize_t r;
	int st;

	while ((st = archive_read_next_header(in, &e)) == ARCHIVE_OK || st == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		size_t len = 0;

		if (!name || (strcmp(name, "./control") && strcmp(name, "control")))
			continue;
		text = malloc(CONTROL_MAX);
		if (!text)
			return -ENOMEM;
		while ((r = archive_read_data(in, text + len, CONTROL_MAX - len)) > 0) {
			len += (size_t)r;
			if (len == CONTROL_MAX)
				break;
		}
		if (r < 0) {
			free(text);
			return archive_fail(h, in, "control.tar");
		}
		kb_deb_control_name(text, len, h->pkg->name, h->pkg->version);
		free(text);
		return 0;
	}
	return st == ARCHIVE_EOF ? 0 : archive_fail(h, in, "control.tar");
}

static int read_deb(struct harvest *h, struct archive *a)
{
	struct archive_entry *e;
	bool have_data = false;
	int st, ret = 0;

	while ((st = archive_read_next_header(a, &e)) == ARCHIVE_OK || st == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		bool control = name && !strncmp(name, "control.tar", 11);
		bool data = name && !strncmp(name, "data.tar", 8);
		struct nested *n;
		struct archive *in;

		if (!control && !data)
			continue;
		n = malloc(sizeof(*n));
		if (!n)
			return -ENOMEM;
		in = open_nested(h, a, n, name);
		if (!in) {
			free(n);
			return -EINVAL;
		}
		ret = control ? read_control(h, in) : hash_all(h, in);
		archive_read_free(in);
		free(n);
		if (ret)
			return ret;
		have_data |= data;
	}
	if (st != ARCHIVE_EOF)
		return archive_fail(h, a, "ar");
	if (!have_data) {
		snprintf(h->errmsg, h->errmsg_len, "no data.tar member: not a Debian package");
		return -EINVAL;
	}
	return 0;
}

/* "kesl-12.0.tar.gz" -> "kesl-12.0": a tarball has no name but its own. */
static void name_from_file(const char *path, char name[KB_PKG_FIELD_MAX])
{
	static const char *const exts[] = {
		".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tgz", ".tar", ".zip", ".cpio",
	};
	const char *base = kb_path_base(path);
	size_t len = strlen(base), i;

	for (i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t l = strlen(exts[i]);

		if (len > l && !strcasecmp(base + len - l, exts[i])) {
			len -= l;
			break;
		}
	}
	copy_printable(name, KB_PKG_FIELD_MAX, base, len);
}

/*
 * Standard input as a file the readers can pread: itself when it is a regular
 * file, else (a pipe) copied into an unlinked file in $TMPDIR or /tmp first.
 */
static int open_stdin(void)
{
	const char *dir = getenv("TMPDIR");
	char *tmp, *buf;
	struct stat st;
	ssize_t n, off, w;
	int fd, ret = 0;

	if (!fstat(0, &st) && S_ISREG(st.st_mode) && lseek(0, 0, SEEK_CUR) == 0) {
		fd = fcntl(0, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	tmp = kb_path_join(dir && *dir ? dir : "/tmp", "kasblockctl-harvest.XXXXXX");
	buf = malloc(CHUNK);
	if (!tmp || !buf) {
		free(tmp);
		free(buf);
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	unlink(tmp);
	for (;;) {
		n = read(0, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				ret = -errno;
			break;
		}
		for (off = 0; off < n; off += w) {
			w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w < 0) {
				ret = -errno;
				break;
			}
		}
		if (ret)
			break;
	}
	/* libarchive reads from the offset, the RPM header with pread: start both at 0. */
	if (!ret && lseek(fd, 0, SEEK_SET) < 0)
		ret = -errno;
	if (ret)
		close(fd);
out:
	free(tmp);
	free(buf);
	return ret ? ret : fd;
}

int kb_harvest_file(const char *path, uint64_t max_size, struct kb_blocklist *bl,
		    struct kb_harvest_pkg *pkg, char *errmsg, size_t errmsg_len)
{
	bool is_stdin = !strcmp(path, "-");
	struct harvest h = {
		.pkg = pkg, .max_size = max_size, .errmsg = errmsg, .errmsg_len = errmsg_len,
	};
	uint8_t magic[8];
	struct archive *a = NULL;
	size_t got, i;
	int fd, ret;

	errmsg[0] = '\0';
	pkg->file = path;
	if (is_stdin) {
		fd = open_stdin();
		if (fd < 0)
			return fd;
		/* A tarball is named after its file; on standard input it has none. */
		path = "stdin";
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0)
			return -errno;
	}
	ret = pread_all(fd, magic, sizeof(magic), &got);
	if (ret)
		goto out;
	if (got == 8 && !memcmp(magic, "!<arch>\n", 8)) {
		pkg->format = "deb";
	} else if (got >= 4 && !memcmp(magic, "\xed\xab\xee\xdb", 4)) {
		pkg->format = "rpm";
		ret = rpm_read_name(fd, pkg);
		if (ret) {
			snprintf(errmsg, errmsg_len, "malformed RPM header");
			goto out;
		}
	} else {
		pkg->format = "archive";
		name_from_file(path, pkg->name);
	}
	h.chunk = malloc(CHUNK);
	a = archive_read_new();
	if (!h.chunk || !a) {
		ret = -ENOMEM;
		goto out;
	}
	archive_read_support_filter_all(a);
	if (!strcmp(pkg->format, "deb")) {
		archive_read_support_format_ar(a);
	} else if (!strcmp(pkg->format, "rpm")) {
		archive_read_support_format_cpio(a);
	} else {
		archive_read_support_format_tar(a);
		archive_read_support_format_cpio(a);
		archive_read_support_format_zip(a);
	}
	if (archive_read_open_fd(a, fd, CHUNK) != ARCHIVE_OK) {
		ret = archive_fail(&h, a, "not a package or archive libarchive can read");
		goto out;
	}
	ret = !strcmp(pkg->format, "deb") ? read_deb(&h, a) : hash_all(&h, a);
	if (!ret && !*pkg->name)
		name_from_file(path, pkg->name);
	for (i = 0; !ret && i < h.n; i++)
		ret = kb_blocklist_add_module(bl, h.m[i].digest, h.m[i].has_image ? h.m[i].image : NULL,
					      pkg->name, h.m[i].path, h.m[i].size);
out:
	for (i = 0; i < h.n; i++)
		free(h.m[i].path);
	free(h.m);
	free(h.chunk);
	if (a)
		archive_read_free(a);
	close(fd);
	return ret;
}

#else /* !HAVE_LIBARCHIVE */

int kb_harvest_file(const char *path, uint64_t max_size, struct kb_blocklist *bl,
		    struct kb_harvest_pkg *pkg, char *errmsg, size_t errmsg_len)
{
	(void)path;
	(void)max_size;
	(void)bl;
	(void)pkg;
	snprintf(errmsg, errmsg_len, "kasblockctl was built without libarchive");
	return -ENOTSUP;
}

#endif
