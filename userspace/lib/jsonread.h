/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader for the documents kasblockctl writes itself (attest's): strict
 * RFC 8259 syntax, a tree of values, bounded depth. Returns -errno; never prints.
 */
#ifndef KB_JSONREAD_H
#define KB_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kb_jv_type { KB_JV_NULL, KB_JV_BOOL, KB_JV_NUMBER, KB_JV_STRING, KB_JV_ARRAY, KB_JV_OBJECT };

struct kb_jv {
	enum kb_jv_type type;
	bool b;
	double num;		/* numbers; integers up to 2^53 exactly */
	char *str;		/* strings, NUL-terminated (a \u0000 is refused) */
	size_t n;		/* arrays and objects: members */
	struct kb_jv *items;	/* n of them */
	char **keys;		/* objects: n names */
};

/*
 * Parse len bytes of text into *out (the caller frees it with kb_jv_free()). Returns 0,
 * or -EINVAL with *where set to the byte offset of the first error.
 */
int kb_jv_parse(const char *text, size_t len, struct kb_jv *out, size_t *where);
void kb_jv_free(struct kb_jv *v);
/* The member called key of object v, or NULL (also when v is not an object). */
const struct kb_jv *kb_jv_get(const struct kb_jv *v, const char *key);
/* The member's string, or NULL when absent or not a string. */
const char *kb_jv_get_str(const struct kb_jv *v, const char *key);

#endif
