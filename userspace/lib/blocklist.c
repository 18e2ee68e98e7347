// SPDX-License-Identifier: GPL-2.0
/* Blocklists made by scan and harvest: which files qualify, labels, list format output. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blocklist.h"
#include "hexdigest.h"
#include "listfile.h"
#include "util.h"

_Static_assert(KB_LABEL_SIZE == KASBLOCK_LABEL_MAX, "labels are the kernel's labels");

static const char *const module_suffixes[] = { ".ko", ".ko.xz", ".ko.gz", ".ko.zst" };

static size_t module_suffix_len(const char *name)
{
	size_t len = strlen(name), i;

	for (i = 0; i < ARRAY_SIZE(module_suffixes); i++) {
		size_t l = strlen(module_suffixes[i]);

		if (len > l && !strcmp(name + len - l, module_suffixes[i]))
			return l;
	}
	return 0;
}

enum kb_class kb_file_classify(const char *name, unsigned int mode, const uint8_t *head,
			       size_t head_len, uint64_t size)
{
	if (size == 0)
		return KB_CLASS_NONE;
	if (module_suffix_len(kb_path_base(name)))
		return KB_CLASS_MODULE;
	if (head_len >= 4 && !memcmp(head, "\177ELF", 4))
		return KB_CLASS_ELF;
	if (head_len >= 2 && head[0] == '#' && head[1] == '!')
		return KB_CLASS_SCRIPT;
	if (mode & 0111)
		return KB_CLASS_EXEC;
	return KB_CLASS_NONE;
}

const char *kb_class_name(enum kb_class cls)
{
	switch (cls) {
	case KB_CLASS_MODULE: return "module";
	case KB_CLASS_ELF: return "elf";
	case KB_CLASS_SCRIPT: return "script";
	case KB_CLASS_EXEC: return "executable";
	default: return "none";
	}
}

bool kb_module_name(const char *name, char *out, size_t size)
{
	const char *base = kb_path_base(name);
	size_t sl = module_suffix_len(base), len, i;

	if (!sl)
		return false;
	len = strlen(base) - sl;
	if (len == 0 || len >= size)
		return false;
	for (i = 0; i < len; i++)
		out[i] = base[i] == '-' ? '_' : base[i];
	out[len] = '\0';
	return true;
}

static bool utf8_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* The longest prefix of s of at most max bytes that ends on a character boundary. */
static size_t utf8_prefix(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len <= max)
		return len;
	while (max > 0 && utf8_cont((unsigned char)s[max]))
		max--;
	return max;
}

void kb_label_make(char out[KB_LABEL_SIZE], const char *owner, const char *path)
{
	const size_t room = KB_LABEL_SIZE - 1;
	size_t ol = utf8_prefix(owner, 31), pl = strlen(path), n, i;
	char *p = out, tmp[KB_LABEL_SIZE];

	memcpy(p, owner, ol);
	p += ol;
	*p++ = ':';
	n = room - ol - 1;
	if (pl <= n) {
		memcpy(p, path, pl);
		p += pl;
	} else {
		const char *tail = path + pl - (n - 3), *slash;

		while (*tail && utf8_cont((unsigned char)*tail))
			tail++;
		slash = strchr(tail, '/');
		if (slash) {
			memcpy(p, "...", 3);
			p += 3;
			memcpy(p, slash, strlen(slash));
			p += strlen(slash);
		} else {
			/* Even the basename does not fit: its beginning says more than its end. */
			const char *base = kb_path_base(path);
			size_t bl = utf8_prefix(base, n);

			memcpy(p, base, bl);
			p += bl;
		}
	}
	*p = '\0';
	for (i = 0; out[i]; i++)
		if ((unsigned char)out[i] < ' ' || out[i] == 0x7f)
			out[i] = '?';
	/* What load would make of it: trailing blanks cannot survive a list file. */
	memcpy(tmp, out, sizeof(tmp));
	kb_label_set(out, tmp, strlen(tmp));
}

int kb_blocklist_add(struct kb_blocklist *bl, const uint8_t digest[KB_SHA256_LEN],
		     const char *owner, const char *path, uint64_t size)
{
	return kb_blocklist_add_as(bl, digest, owner, path, size, NULL);
}

int kb_blocklist_add_module(struct kb_blocklist *bl, const uint8_t file[KB_SHA256_LEN],
			    const uint8_t *image, const char *owner, const char *path,
			    uint64_t size)
{
	int ret;

	if (!image)
		return kb_blocklist_add(bl, file, owner, path, size);
	ret = kb_blocklist_add(bl, file, owner, path, size);
	if (!ret)
		ret = kb_blocklist_add_as(bl, image, owner, path, size, KB_LABEL_IMAGE);
	return ret;
}

int kb_blocklist_add_as(struct kb_blocklist *bl, const uint8_t digest[KB_SHA256_LEN],
			const char *owner, const char *path, uint64_t size, const char *suffix)
{
	char labelled[PATH_MAX + 16];
	struct kb_bl_entry *e;

	if (KB_GROW(bl->e, bl->n, bl->cap))
		return -ENOMEM;
	e = &bl->e[bl->n];
	memcpy(e->digest, digest, KB_SHA256_LEN);
	e->owner = strdup(owner);
	e->path = strdup(path);
	if (!e->owner || !e->path) {
		free(e->owner);
		free(e->path);
		return -ENOMEM;
	}
	e->size = size;
	/* The suffix goes on the path's end, which kb_label_make() keeps. */
	if (suffix && (size_t)snprintf(labelled, sizeof(labelled), "%s%s", path, suffix) <
		      sizeof(labelled))
		kb_label_make(e->label, owner, labelled);
	else
		kb_label_make(e->label, owner, path);
	bl->n++;
	return 0;
}

static int add_exclude(struct kb_blocklist *bl, const uint8_t digest[KB_SHA256_LEN])
{
	if (KB_GROW(bl->exclude, bl->n_exclude, bl->cap_exclude))
		return -ENOMEM;
	memcpy(bl->exclude[bl->n_exclude++], digest, KB_SHA256_LEN);
	return 0;
}

int kb_blocklist_exclude_file(struct kb_blocklist *bl, const char *path, unsigned int *line,
			      const char **reason)
{
	struct kb_parse_error err = { 0 };
	struct kb_list list = { 0 };
	size_t i;
	FILE *f;
	int ret;

	*line = 0;
	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f)
		return -errno;
	ret = kb_listfile_parse_file(f, &list, &err);
	if (f != stdin)
		fclose(f);
	if (ret == -EINVAL) {
		*line = (unsigned int)err.line;
		*reason = err.reason;
	}
	for (i = 0; !ret && i < list.len; i++)
		ret = add_exclude(bl, list.entries[i].digest);
	kb_list_free(&list);
	return ret;
}

int kb_blocklist_exclude_copy(struct kb_blocklist *dst, const struct kb_blocklist *src)
{
	size_t i;

	for (i = 0; i < src->n_exclude; i++)
		if (add_exclude(dst, src->exclude[i]))
			return -ENOMEM;
	return 0;
}

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(a, b, KB_SHA256_LEN);
}

static int cmp_owner_path(const struct kb_bl_entry *x, const struct kb_bl_entry *y)
{
	int c = strcmp(x->owner, y->owner);

	if (!c)
		c = strcmp(x->path, y->path);
	/* A compressed module's two entries: the file's before the image's. */
	return c ? c : strcmp(x->label, y->label);
}

static int cmp_by_digest(const void *a, const void *b)
{
	const struct kb_bl_entry *x = a, *y = b;
	int c = memcmp(x->digest, y->digest, KB_SHA256_LEN);

	return c ? c : cmp_owner_path(x, y);
}

static int cmp_by_owner(const void *a, const void *b)
{
	return cmp_owner_path(a, b);
}

static void drop(struct kb_bl_entry *e)
{
	free(e->owner);
	free(e->path);
}

void kb_blocklist_finish(struct kb_blocklist *bl)
{
	size_t i, out = 0;

	if (bl->n_exclude > 1)
		qsort(bl->exclude, bl->n_exclude, KB_SHA256_LEN, cmp_digest);
	if (bl->n > 1)
		qsort(bl->e, bl->n, sizeof(*bl->e), cmp_by_digest);
	for (i = 0; i < bl->n; i++) {
		if (bl->n_exclude &&
		    bsearch(bl->e[i].digest, bl->exclude, bl->n_exclude, KB_SHA256_LEN, cmp_digest)) {
			bl->excluded++;
			drop(&bl->e[i]);
			continue;
		}
		if (out && !memcmp(bl->e[out - 1].digest, bl->e[i].digest, KB_SHA256_LEN)) {
			bl->duplicates++;
			drop(&bl->e[i]);
			continue;
		}
		bl->e[out++] = bl->e[i];
	}
	bl->n = out;
	if (bl->n > 1)
		qsort(bl->e, bl->n, sizeof(*bl->e), cmp_by_owner);
}

static int write_header(FILE *f, const char *header)
{
	const char *p = header;

	while (p && *p) {
		size_t n = strcspn(p, "\n"), i;

		fputs("# ", f);
		for (i = 0; i < n; i++)
			fputc((unsigned char)p[i] < ' ' ? '?' : p[i], f);
		fputc('\n', f);
		p += n;
		if (*p == '\n')
			p++;
	}
	return 0;
}

int kb_blocklist_write(const struct kb_blocklist *bl, FILE *f, const char *header)
{
	char line[KB_LISTFILE_FORMAT_MAX];
	struct kb_entry entry;
	size_t i;

	write_header(f, header);
	for (i = 0; i < bl->n; i++) {
		memcpy(entry.digest, bl->e[i].digest, sizeof(entry.digest));
		memcpy(entry.label, bl->e[i].label, sizeof(entry.label));
		fwrite(line, 1, kb_listfile_format(&entry, line), f);
	}
	/* fflush's errno says why (ENOSPC); a failure before it left only the flag. */
	if (fflush(f))
		return -errno;
	return ferror(f) ? -EIO : 0;
}

int kb_blocklist_write_file(const struct kb_blocklist *bl, const char *path, const char *header)
{
	struct kb_buf tmp = { 0 };
	FILE *f;
	int fd, ret;

	if (kb_buf_printf(&tmp, "%s.XXXXXX", path))
		return -ENOMEM;
	fd = mkostemp(tmp.s, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	f = fchmod(fd, 0644) < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		unlink(tmp.s);
		goto out;
	}
	ret = kb_blocklist_write(bl, f, header);
	if (!ret && fsync(fileno(f)) < 0)
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -EIO;
	if (!ret && rename(tmp.s, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp.s);
out:
	kb_buf_free(&tmp);
	return ret;
}

void kb_blocklist_free(struct kb_blocklist *bl)
{
	size_t i;

	for (i = 0; i < bl->n; i++)
		drop(&bl->e[i]);
	free(bl->e);
	free(bl->exclude);
	memset(bl, 0, sizeof(*bl));
}
