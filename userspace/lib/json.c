// SPDX-License-Identifier: GPL-2.0
/* The JSON writer: one escaping rule, one rule for bytes that are not UTF-8, one for absent values. */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "json.h"

size_t kb_utf8_seq(const unsigned char *s, size_t len)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A string value: valid UTF-8 as a string, escaped; anything else as an array of bytes. */
static void put_bytes(FILE *f, const unsigned char *s, size_t len)
{
	size_t i, n;

	for (i = 0; i < len; i += n) {
		n = kb_utf8_seq(s + i, len - i);
		if (!n)
			break;
	}
	if (i < len) {
		putc('[', f);
		for (i = 0; i < len; i++)
			fprintf(f, "%s%u", i ? "," : "", s[i]);
		putc(']', f);
		return;
	}
	putc('"', f);
	for (i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fprintf(f, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] == 0x7f)
			fprintf(f, "\\u%04x", s[i]);
		else
			putc(s[i], f);
	}
	putc('"', f);
}

/* The comma before a member, and its key. */
static void member(struct kb_json *j, const char *key)
{
	uint64_t bit = 1ULL << (j->depth & 63);

	if (j->members & bit)
		putc(',', j->f);
	j->members |= bit;
	if (key) {
		put_bytes(j->f, (const unsigned char *)key, strlen(key));
		putc(':', j->f);
	}
}

static void open_container(struct kb_json *j, const char *key, int c)
{
	member(j, key);
	putc(c, j->f);
	j->depth++;
	j->members &= ~(1ULL << (j->depth & 63));
}

static void close_container(struct kb_json *j, int c)
{
	j->depth--;
	putc(c, j->f);
}

void kb_json_begin(struct kb_json *j, FILE *f, const char *schema)
{
	j->f = f;
	j->depth = 0;
	j->members = 0;
	open_container(j, NULL, '{');
	kb_json_string(j, "schema", schema);
}

int kb_json_end(struct kb_json *j)
{
	close_container(j, '}');
	putc('\n', j->f);
	return ferror(j->f) ? -EIO : 0;
}

void kb_json_object_start(struct kb_json *j, const char *key)
{
	open_container(j, key, '{');
}

void kb_json_object_end(struct kb_json *j)
{
	close_container(j, '}');
}

void kb_json_array_start(struct kb_json *j, const char *key)
{
	open_container(j, key, '[');
}

void kb_json_array_end(struct kb_json *j)
{
	close_container(j, ']');
}

void kb_json_bytes(struct kb_json *j, const char *key, const void *data, size_t len)
{
	member(j, key);
	put_bytes(j->f, data, len);
}

void kb_json_string(struct kb_json *j, const char *key, const char *s)
{
	if (s)
		kb_json_bytes(j, key, s, strlen(s));
	else
		kb_json_null(j, key);
}

void kb_json_u64(struct kb_json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void kb_json_s64(struct kb_json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void kb_json_bool(struct kb_json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void kb_json_null(struct kb_json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void kb_json_opt_u64(struct kb_json *j, const char *key, bool present, uint64_t v)
{
	if (present)
		kb_json_u64(j, key, v);
	else
		kb_json_null(j, key);
}
