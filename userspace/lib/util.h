/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by every layer: growable arrays, strings, paths. */
#ifndef KB_UTIL_H
#define KB_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Make room for one more element in an array of elem_size bytes that holds
 * *n of *cap: the one way an array grows in kasblockctl. Doubles the capacity
 * (8 to start) and zeroes the new slots. Returns 0, or -ENOMEM when realloc
 * fails or the new size would not fit in a size_t; the array is unchanged on
 * failure.
 */
int kb_grow(void **array, size_t *cap, size_t n, size_t elem_size);

#define KB_GROW(arr, n, cap) kb_grow((void **)&(arr), &(cap), (n), sizeof(*(arr)))

/* A list of strings that owns them. */
struct kb_strv {
	char **v;
	size_t n;
	size_t cap;
};

int kb_strv_push(struct kb_strv *sv, const char *s);
int kb_strv_pushn(struct kb_strv *sv, const char *s, size_t len);
bool kb_strv_has(const struct kb_strv *sv, const char *s);
void kb_strv_sort(struct kb_strv *sv);
void kb_strv_free(struct kb_strv *sv);

/* A growable NUL-terminated string. */
struct kb_buf {
	char *s;
	size_t len;
	size_t cap;
};

int kb_buf_add(struct kb_buf *b, const char *s, size_t len);
int kb_buf_adds(struct kb_buf *b, const char *s);
int kb_buf_printf(struct kb_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kb_buf_free(struct kb_buf *b);

/* malloc'ed "a/b" (one slash between, none doubled); NULL when out of memory. */
char *kb_path_join(const char *dir, const char *name);

/* True when path equals dir or lies below it ("/a/b" is below "/a", "/ab" is not). */
bool kb_path_under(const char *path, const char *dir);

/* The part of path after its last slash. */
const char *kb_path_base(const char *path);

/*
 * Parse a byte count: digits with an optional K, M or G suffix (powers of
 * 1024). Returns 0 or -EINVAL.
 */
int kb_parse_size(const char *s, unsigned long long *out);

#endif
