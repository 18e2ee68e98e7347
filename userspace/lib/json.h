/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one JSON writer every command prints through (after iproute2's
 * lib/json_writer.c). Output is compact, "key":value with no blanks, and a
 * top-level object is one line. The rules, the same for every command and
 * written down in kasblockctl(8), JSON OUTPUT:
 *   - every top-level object opens with "schema":"kasblock-NAME/VERSION";
 *   - a string that is valid UTF-8 is a JSON string, '"' and '\' escaped and
 *     control characters as \u00XX; bytes that are not valid UTF-8 (a path is
 *     bytes, not text) make the value an array of the byte values instead,
 *     as journalctl -o json writes such fields: nothing is lost or replaced;
 *   - a value that is absent or unknown is null; the key is always there.
 * Nothing here prints on its own: it writes to the FILE it is given, and
 * kb_json_end() says whether that worked.
 */
#ifndef KB_JSON_H
#define KB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct kb_json {
	FILE *f;
	unsigned int depth;
	uint64_t members;	/* bit d: the container at depth d has a member already */
};

/* Open a top-level object on f with its "schema" member, e.g. "kasblock-status/1". */
void kb_json_begin(struct kb_json *j, FILE *f, const char *schema);
/* Close it and end the line. 0, or -errno (-EIO) when a write to f failed. */
int kb_json_end(struct kb_json *j);

/* key is the member's name inside an object, NULL for an element of an array. */
void kb_json_object_start(struct kb_json *j, const char *key);
void kb_json_object_end(struct kb_json *j);
void kb_json_array_start(struct kb_json *j, const char *key);
void kb_json_array_end(struct kb_json *j);

/* A NUL-terminated string; NULL is null. */
void kb_json_string(struct kb_json *j, const char *key, const char *s);
/* len bytes that may hold anything, NUL included. */
void kb_json_bytes(struct kb_json *j, const char *key, const void *s, size_t len);
void kb_json_u64(struct kb_json *j, const char *key, uint64_t v);
void kb_json_s64(struct kb_json *j, const char *key, int64_t v);
void kb_json_bool(struct kb_json *j, const char *key, bool v);
void kb_json_null(struct kb_json *j, const char *key);

/* The value when present, else null. */
void kb_json_opt_u64(struct kb_json *j, const char *key, bool present, uint64_t v);

/* Length of the well-formed UTF-8 sequence at s (no overlongs, no surrogates), 1 for ASCII, or 0. */
size_t kb_utf8_seq(const unsigned char *s, size_t len);

#endif
