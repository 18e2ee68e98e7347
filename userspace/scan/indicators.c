// SPDX-License-Identifier: GPL-2.0
/*
 * The indicators file parser. The format is line based, one keyword and its
 * value per line, grouped in "product" blocks; kasblockctl(8) and the header
 * of the installed file document it. Strict on purpose: an unknown keyword or
 * a relative path is an error with its line number, because a silently
 * ignored typo means a product that is never found, or a blocklist that holds
 * the wrong files.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "indicators.h"
#include "lib/util.h"

#define IND_FILE_MAX (4 << 20)	/* bytes; a sane data file is a few KiB */
#define NAME_MAX_LEN 255	/* package, unit, module, account names */

static const char *const kind_names[KB_IND__COUNT] = {
	[KB_IND_PACKAGE] = "package",
	[KB_IND_DIR] = "dir",
	[KB_IND_SERVICE] = "service",
	[KB_IND_FILE] = "file",
	[KB_IND_MODULE] = "module",
	[KB_IND_USER] = "user",
	[KB_IND_GROUP] = "group",
};

const char *kb_ind_kind_name(enum kb_ind_kind kind)
{
	return kind < KB_IND__COUNT ? kind_names[kind] : "?";
}

static int fail(struct kb_ind_error *err, unsigned int line, const char *reason)
{
	err->line = line;
	err->reason = reason;
	return -EINVAL;
}

static bool valid_id(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > KB_PRODUCT_ID_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '+' || c == '-'))
			return false;
	}
	return true;
}

/* A name (package, module, account, unit): printable, no blanks, no slash. */
static const char *check_name(const char *v)
{
	const unsigned char *p;

	if (strlen(v) > NAME_MAX_LEN)
		return "name longer than 255 bytes";
	for (p = (const unsigned char *)v; *p; p++) {
		if (*p <= ' ' || *p == 0x7f)
			return "blank or control character in name";
		if (*p == '/')
			return "'/' in name";
	}
	return NULL;
}

/*
 * Normalise an absolute path in place: collapse "//", drop "/." components
 * and a trailing slash. ".." is refused rather than resolved: the path is
 * looked up inside --root and must not be able to climb out of its product.
 */
static const char *normalise_path(char *v, size_t min_components)
{
	char *in = v, *out = v;
	size_t components = 0;

	if (*v != '/')
		return "path must be absolute";
	if (strlen(v) >= KB_IND_LINE_MAX)
		return "path too long";
	while (*in) {
		char *end;
		size_t len;

		while (*in == '/')
			in++;
		if (!*in)
			break;
		end = strchrnul(in, '/');
		len = (size_t)(end - in);
		if (len == 1 && in[0] == '.') {
			in = end;
			continue;
		}
		if (len == 2 && in[0] == '.' && in[1] == '.')
			return "'..' in path";
		*out++ = '/';
		memmove(out, in, len);
		out += len;
		in = end;
		components++;
	}
	*out = '\0';
	if (components < min_components)
		return min_components > 1 ?
		       "directory too close to / (needs two components, e.g. /opt/vendor)" :
		       "path names no file";
	return NULL;
}

static struct kb_product *find_product(struct kb_indicators *set, const char *id)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->products[i].id, id))
			return &set->products[i];
	return NULL;
}

static int add_product(struct kb_indicators *set, const char *id, struct kb_product **out)
{
	struct kb_product *p = find_product(set, id);

	if (!p) {
		if (KB_GROW(set->products, set->n, set->cap))
			return -ENOMEM;
		p = &set->products[set->n++];
		memset(p, 0, sizeof(*p));
		strcpy(p->id, id);
	}
	*out = p;
	return 0;
}

static int add_indicator(struct kb_product *p, enum kb_ind_kind kind, const char *value)
{
	struct kb_indicator *ind;
	size_t i;

	for (i = 0; i < p->n_ind; i++)
		if (p->ind[i].kind == kind && !strcmp(p->ind[i].value, value))
			return 0;
	if (KB_GROW(p->ind, p->n_ind, p->cap_ind))
		return -ENOMEM;
	ind = &p->ind[p->n_ind];
	ind->kind = kind;
	ind->value = strdup(value);
	if (!ind->value)
		return -ENOMEM;
	p->n_ind++;
	return 0;
}

static int kind_from(const char *kw, size_t len)
{
	int k;

	for (k = 0; k < KB_IND__COUNT; k++)
		if (strlen(kind_names[k]) == len && !memcmp(kind_names[k], kw, len))
			return k;
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int parse_line(struct kb_indicators *set, struct kb_product **cur, char *line,
		      unsigned int lineno, struct kb_ind_error *err)
{
	char *kw = line, *val, *end;
	size_t kwlen;
	const char *why;
	int kind;

	while (is_blank(*kw))
		kw++;
	end = kw + strlen(kw);
	while (end > kw && is_blank(end[-1]))
		*--end = '\0';
	if (!*kw || *kw == '#')
		return 0;
	for (val = kw; *val && !is_blank(*val); val++)
		;
	kwlen = (size_t)(val - kw);
	while (is_blank(*val))
		*val++ = '\0';
	for (end = val; *end; end++)
		if ((unsigned char)*end < ' ' && *end != '\t')
			return fail(err, lineno, "control character in value");

	if (kwlen == 7 && !memcmp(kw, "product", 7)) {
		if (!valid_id(val, strlen(val)))
			return fail(err, lineno,
				    "product id must be 1-32 of [A-Za-z0-9._+-]");
		return add_product(set, val, cur);
	}
	if (!*cur)
		return fail(err, lineno, "keyword before the first 'product' line");
	if (kwlen == 4 && !memcmp(kw, "name", 4)) {
		char *copy;

		if (!*val)
			return fail(err, lineno, "'name' needs a value");
		copy = strdup(val);
		if (!copy)
			return -ENOMEM;
		free((*cur)->name);
		(*cur)->name = copy;
		return 0;
	}
	kind = kind_from(kw, kwlen);
	if (kind < 0)
		return fail(err, lineno, "unknown keyword");
	if (!*val)
		return fail(err, lineno, "keyword needs a value");
	switch (kind) {
	case KB_IND_DIR:
		why = normalise_path(val, 2);
		break;
	case KB_IND_FILE:
		why = normalise_path(val, 1);
		break;
	default:
		why = check_name(val);
		break;
	}
	if (why)
		return fail(err, lineno, why);
	return add_indicator(*cur, (enum kb_ind_kind)kind, val);
}

int kb_indicators_parse(struct kb_indicators *set, const char *text, size_t len,
			const char *file, struct kb_ind_error *err)
{
	struct kb_product *cur = NULL;
	char line[KB_IND_LINE_MAX + 1];
	unsigned int lineno = 0;
	size_t pos = 0;
	int ret;

	snprintf(err->file, sizeof(err->file), "%s", file);
	if (memchr(text, '\0', len))
		return fail(err, 0, "NUL byte in file");
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t raw = nl ? (size_t)(nl - (text + pos)) : len - pos;
		size_t n = raw;

		lineno++;
		if (n && text[pos + n - 1] == '\r')
			n--;
		if (n > KB_IND_LINE_MAX)
			return fail(err, lineno, "line longer than 4096 bytes");
		memcpy(line, text + pos, n);
		line[n] = '\0';
		ret = parse_line(set, &cur, line, lineno, err);
		if (ret)
			return ret;
		pos += raw + (nl ? 1 : 0);
	}
	set->n_files++;
	return 0;
}

/* Standard input, which may be a pipe: read to EOF, at most IND_FILE_MAX. */
static int load_stdin(struct kb_indicators *set, struct kb_ind_error *err)
{
	size_t len = 0, cap = 0;
	char *text = NULL;
	ssize_t r;
	int ret;

	for (;;) {
		if (len > IND_FILE_MAX) {
			free(text);
			return -EFBIG;
		}
		if (KB_GROW(text, len, cap)) {
			free(text);
			return -ENOMEM;
		}
		r = read(0, text + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			free(text);
			return ret;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	ret = len > IND_FILE_MAX ? -EFBIG : kb_indicators_parse(set, text ? text : "", len, "<stdin>", err);
	free(text);
	return ret;
}

int kb_indicators_load_file(struct kb_indicators *set, const char *path, struct kb_ind_error *err)
{
	struct stat st;
	char *text;
	size_t len = 0;
	ssize_t r;
	int fd, ret;

	snprintf(err->file, sizeof(err->file), "%s", strcmp(path, "-") ? path : "<stdin>");
	err->line = 0;
	err->reason = NULL;
	if (!strcmp(path, "-"))
		return load_stdin(set, err);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		if (ret == -EINVAL)
			fail(err, 0, "not a regular file");
		goto out_close;
	}
	if (st.st_size > IND_FILE_MAX) {
		ret = -EFBIG;
		goto out_close;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		ret = -ENOMEM;
		goto out_close;
	}
	/* Read to EOF, not to st_size: the file may change under us. */
	while (len <= (size_t)st.st_size) {
		r = read(fd, text + len, (size_t)st.st_size + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out_free;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > (size_t)st.st_size) {
		ret = -EFBIG;
		goto out_free;
	}
	ret = kb_indicators_parse(set, text, len, path, err);
out_free:
	free(text);
out_close:
	close(fd);
	return ret;
}

static bool skip_dropin(const char *name)
{
	static const char *const leftovers[] = {
		".dpkg-old", ".dpkg-new", ".dpkg-dist", ".dpkg-tmp", ".rpmnew", ".rpmsave",
	};
	size_t len = strlen(name), i;

	if (name[0] == '.' || (len && name[len - 1] == '~'))
		return true;
	for (i = 0; i < ARRAY_SIZE(leftovers); i++) {
		size_t l = strlen(leftovers[i]);

		if (len > l && !strcmp(name + len - l, leftovers[i]))
			return true;
	}
	return false;
}

int kb_indicators_load_dir(struct kb_indicators *set, const char *dir, struct kb_ind_error *err)
{
	struct kb_strv names = { 0 };
	struct dirent *de;
	size_t i;
	DIR *d;
	int ret = 0;

	snprintf(err->file, sizeof(err->file), "%s", dir);
	err->line = 0;
	err->reason = NULL;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((errno = 0, de = readdir(d))) {
		if (skip_dropin(de->d_name))
			continue;
		if (kb_strv_push(&names, de->d_name)) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (errno) {
		ret = -errno;
		goto out;
	}
	kb_strv_sort(&names);
	for (i = 0; i < names.n; i++) {
		char *path = kb_path_join(dir, names.v[i]);
		struct stat st;

		if (!path) {
			ret = -ENOMEM;
			goto out;
		}
		/* Subdirectories and sockets are not drop-ins; a broken symlink is an error. */
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		ret = kb_indicators_load_file(set, path, err);
		free(path);
		if (ret)
			goto out;
	}
out:
	closedir(d);
	kb_strv_free(&names);
	return ret;
}

static int cmp_product(const void *a, const void *b)
{
	return strcmp(((const struct kb_product *)a)->id, ((const struct kb_product *)b)->id);
}

static int cmp_indicator(const void *a, const void *b)
{
	const struct kb_indicator *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->value, y->value);
}

void kb_indicators_sort(struct kb_indicators *set)
{
	size_t i;

	if (set->n > 1)
		qsort(set->products, set->n, sizeof(*set->products), cmp_product);
	for (i = 0; i < set->n; i++)
		if (set->products[i].n_ind > 1)
			qsort(set->products[i].ind, set->products[i].n_ind,
			      sizeof(*set->products[i].ind), cmp_indicator);
}

void kb_indicators_free(struct kb_indicators *set)
{
	size_t i, j;

	for (i = 0; i < set->n; i++) {
		struct kb_product *p = &set->products[i];

		for (j = 0; j < p->n_ind; j++)
			free(p->ind[j].value);
		free(p->ind);
		free(p->name);
	}
	free(set->products);
	memset(set, 0, sizeof(*set));
}

void kb_service_names(const char *value, char *unit, size_t unit_len, char *init, size_t init_len)
{
	const char *dot = strrchr(value, '.');

	if (!dot) {
		snprintf(unit, unit_len, "%s.service", value);
		snprintf(init, init_len, "%s", value);
	} else if (!strcmp(dot, ".service")) {
		snprintf(unit, unit_len, "%s", value);
		snprintf(init, init_len, "%.*s", (int)(dot - value), value);
	} else {
		snprintf(unit, unit_len, "%s", value);
		if (init_len)
			init[0] = '\0';
	}
}
