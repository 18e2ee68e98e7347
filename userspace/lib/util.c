// SPDX-License-Identifier: GPL-2.0
/* Growable arrays and strings for every layer; nothing here prints. */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int kb_grow(void **array, size_t *cap, size_t n, size_t elem_size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap < *cap || ncap > SIZE_MAX / elem_size)
		return -ENOMEM;
	p = realloc(*array, ncap * elem_size);
	if (!p)
		return -ENOMEM;
	/* New slots read as zero: callers keep counters and pointers in them. */
	memset((char *)p + *cap * elem_size, 0, (ncap - *cap) * elem_size);
	*array = p;
	*cap = ncap;
	return 0;
}

int kb_strv_pushn(struct kb_strv *sv, const char *s, size_t len)
{
	char *copy;

	if (KB_GROW(sv->v, sv->n, sv->cap))
		return -ENOMEM;
	copy = strndup(s, len);
	if (!copy)
		return -ENOMEM;
	sv->v[sv->n++] = copy;
	return 0;
}

int kb_strv_push(struct kb_strv *sv, const char *s)
{
	return kb_strv_pushn(sv, s, strlen(s));
}

bool kb_strv_has(const struct kb_strv *sv, const char *s)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void kb_strv_sort(struct kb_strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
}

void kb_strv_free(struct kb_strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

static int buf_reserve(struct kb_buf *b, size_t more)
{
	size_t need, ncap;
	char *p;

	if (more > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	need = b->len + more + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	p = realloc(b->s, ncap);
	if (!p)
		return -ENOMEM;
	b->s = p;
	b->cap = ncap;
	return 0;
}

int kb_buf_add(struct kb_buf *b, const char *s, size_t len)
{
	if (buf_reserve(b, len))
		return -ENOMEM;
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
	return 0;
}

int kb_buf_adds(struct kb_buf *b, const char *s)
{
	return kb_buf_add(b, s, strlen(s));
}

int kb_buf_printf(struct kb_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if (buf_reserve(b, (size_t)n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void kb_buf_free(struct kb_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

char *kb_path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl;
	char *p;

	while (dl > 0 && dir[dl - 1] == '/')
		dl--;
	while (*name == '/')
		name++;
	nl = strlen(name);
	p = malloc(dl + 1 + nl + 1);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, name, nl + 1);
	return p;
}

bool kb_path_under(const char *path, const char *dir)
{
	size_t dl = strlen(dir);

	while (dl > 0 && dir[dl - 1] == '/')
		dl--;
	if (strncmp(path, dir, dl))
		return false;
	return path[dl] == '\0' || path[dl] == '/';
}

const char *kb_path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int kb_parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'K':
	case 'k':
		mult = 1ULL << 10;
		break;
	case 'M':
	case 'm':
		mult = 1ULL << 20;
		break;
	case 'G':
	case 'g':
		mult = 1ULL << 30;
		break;
	}
	if (mult > 1)
		end++;
	if (*end || (v && mult > ULLONG_MAX / v))
		return -EINVAL;
	*out = v * mult;
	return 0;
}
