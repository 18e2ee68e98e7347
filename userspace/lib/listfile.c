// SPDX-License-Identifier: GPL-2.0
/*
 * List files are sha256sum output, so `sha256sum FILES > list` and
 * `kasblockctl list > list` both load. Parsing is strict: a line is an entry,
 * blank or a comment, and anything else is an error naming the line, because
 * a silently skipped line is a hash that is silently not blocked.
 */

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "listfile.h"
#include "util.h"

_Static_assert(KB_DIGEST_LEN == KASBLOCK_DIGEST_LEN, "digest length disagrees with the uapi");

void kb_list_free(struct kb_list *list)
{
	free(list->entries);
	list->entries = NULL;
	list->len = list->cap = 0;
}

int kb_list_push(struct kb_list *list, const struct kb_entry *entry)
{
	if (KB_GROW(list->entries, list->len, list->cap))
		return -ENOMEM;
	list->entries[list->len++] = *entry;
	return 0;
}

/*
 * Bytewise digest order. Digests are uniformly random, so the first eight bytes,
 * compared as one big-endian number, almost always decide; memcmp() only breaks ties.
 */
static int entry_cmp(const void *a, const void *b)
{
	const uint8_t *x = ((const struct kb_entry *)a)->digest;
	const uint8_t *y = ((const struct kb_entry *)b)->digest;
	uint64_t hx, hy;

	memcpy(&hx, x, sizeof(hx));
	memcpy(&hy, y, sizeof(hy));
	hx = be64toh(hx);
	hy = be64toh(hy);
	if (hx != hy)
		return hx < hy ? -1 : 1;
	return memcmp(x + sizeof(hx), y + sizeof(hy), KB_DIGEST_LEN - sizeof(hx));
}

void kb_list_sort(struct kb_list *list)
{
	if (list->len > 1)
		qsort(list->entries, list->len, sizeof(*list->entries), entry_cmp);
}

/* Blanks a list line may end in; '\r' is not one here: the formatter escapes it. */
static bool is_label_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

void kb_label_set(char label[KASBLOCK_LABEL_MAX], const char *name, size_t len)
{
	if (len > KASBLOCK_LABEL_MAX - 1) {
		size_t cut = KASBLOCK_LABEL_MAX - 1, back;

		/* name[cut] is the first byte dropped: back off over a UTF-8 sequence it continues. */
		for (back = 0; back < 3 && ((unsigned char)name[cut - back] & 0xc0) == 0x80; back++)
			;
		if (((unsigned char)name[cut - back] & 0xc0) != 0x80)
			cut -= back;
		len = cut;
	}
	while (len && is_label_blank(name[len - 1]))
		len--;
	memcpy(label, name, len);
	/* Zero the rest too: equal entries are then equal bytes. */
	memset(label + len, 0, KASBLOCK_LABEL_MAX - len);
}

static bool is_line_blank(char c)
{
	return is_label_blank(c) || c == '\r';
}

/* Undo sha256sum's escaping into out (room for KASBLOCK_LABEL_MAX bytes); *outlen gets the full length. */
static int unescape(const char *s, size_t len, char *out, size_t *outlen)
{
	size_t i, n = 0;
	char c;

	for (i = 0; i < len; i++, n++) {
		c = s[i];
		if (c == '\\') {
			if (++i == len)
				return -EINVAL;
			switch (s[i]) {
			case '\\':
				c = '\\';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			default:
				return -EINVAL;
			}
		}
		/* Keep one byte past the label so kb_label_set() can see a split UTF-8 sequence. */
		if (n < KASBLOCK_LABEL_MAX)
			out[n] = c;
	}
	*outlen = n;
	return 0;
}

int kb_listfile_parse_line(const char *line, size_t len, struct kb_entry *entry,
			   const char **reason)
{
	const char *s = line, *end = line + len, *name;
	char unescaped[KASBLOCK_LABEL_MAX];
	size_t hexlen, namelen;
	bool escaped = false;

	if (len > KB_LISTFILE_LINE_MAX) {
		*reason = "line too long";
		return -EINVAL;
	}
	if (memchr(line, '\0', len)) {
		*reason = "NUL byte in line";
		return -EINVAL;
	}
	/* Blanks around the line never mean anything, and CRLF files are common. */
	while (end > s && is_line_blank(end[-1]))
		end--;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s == '#')
		return 0;

	if (*s == '\\') {
		escaped = true;
		s++;
	}
	for (hexlen = 0; s + hexlen < end && kb_hex_value(s[hexlen]) >= 0; hexlen++)
		;
	if (hexlen != KB_HEX_LEN) {
		const char *after = s + hexlen;

		if (!escaped && end - s > 8 && !memcmp(s, "SHA256 (", 8))
			*reason = "BSD-style (--tag) lines are not supported";
		else if (hexlen > KB_HEX_LEN)
			*reason = "digest too long (expected 64 hex characters)";
		else if (after == end || *after == ' ' || *after == '\t' || *after == '*')
			*reason = "digest too short (expected 64 hex characters)";
		else
			*reason = "not a hex digit in digest";
		return -EINVAL;
	}
	kb_hex_parse(s, KB_HEX_LEN, entry->digest, NULL);
	s += KB_HEX_LEN;

	if (s == end) {
		memset(entry->label, 0, sizeof(entry->label));
		return 1;
	}
	/* sha256sum writes "  " (text) or " *" (binary) between digest and name. */
	if (end - s < 2 || s[0] != ' ' || (s[1] != ' ' && s[1] != '*')) {
		*reason = "missing separator (expected two spaces or \" *\" after the digest)";
		return -EINVAL;
	}
	s += 2;
	if (s == end) {
		*reason = "empty name";
		return -EINVAL;
	}
	if (escaped) {
		if (unescape(s, (size_t)(end - s), unescaped, &namelen)) {
			*reason = "bad escape in name (only \\\\, \\n and \\r)";
			return -EINVAL;
		}
		name = unescaped;
	} else {
		name = s;
		namelen = (size_t)(end - s);
	}
	kb_label_set(entry->label, name, namelen);
	return 1;
}

static int add_line(struct kb_list *list, const char *line, size_t len, unsigned long lineno,
		    struct kb_parse_error *err)
{
	struct kb_entry entry;
	int ret;

	ret = kb_listfile_parse_line(line, len, &entry, &err->reason);
	if (ret < 0) {
		err->line = lineno;
		return ret;
	}
	if (ret == 0)
		return 0;
	ret = kb_list_push(list, &entry);
	if (ret < 0) {
		err->line = 0;
		err->reason = "out of memory";
	}
	return ret;
}

int kb_listfile_parse_buf(const char *buf, size_t len, struct kb_list *list,
			  struct kb_parse_error *err)
{
	const char *p = buf, *end = buf + len, *nl;
	unsigned long lineno = 0;
	int ret;

	err->line = 0;
	err->reason = NULL;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		ret = add_line(list, p, (size_t)(nl - p), ++lineno, err);
		if (ret < 0)
			return ret;
		p = nl + 1;
	}
	return 0;
}

int kb_listfile_parse_file(FILE *file, struct kb_list *list, struct kb_parse_error *err)
{
	/* One byte more than the longest line: a line that fills it is too long. */
	char *line = malloc(KB_LISTFILE_LINE_MAX + 1), *chunk = malloc(65536);
	unsigned long lineno = 0;
	size_t n, linelen = 0;
	int ret = 0;

	err->line = 0;
	err->reason = NULL;
	if (!line || !chunk) {
		err->reason = "out of memory";
		ret = -ENOMEM;
		goto out;
	}
	while ((n = fread(chunk, 1, 65536, file)) > 0) {
		const char *p = chunk, *end = chunk + n, *nl, *stop;

		while (p < end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			stop = nl ? nl : end;
			if (linelen <= KB_LISTFILE_LINE_MAX) {
				size_t room = KB_LISTFILE_LINE_MAX + 1 - linelen;
				size_t take = (size_t)(stop - p) < room ? (size_t)(stop - p) : room;

				memcpy(line + linelen, p, take);
				linelen += take;
			}
			if (!nl)
				break;
			ret = add_line(list, line, linelen, ++lineno, err);
			if (ret < 0)
				goto out;
			linelen = 0;
			p = nl + 1;
		}
	}
	if (ferror(file)) {
		ret = errno ? -errno : -EIO;
		err->line = 0;
		err->reason = "read error";
		goto out;
	}
	if (linelen)
		ret = add_line(list, line, linelen, ++lineno, err);
out:
	free(chunk);
	free(line);
	return ret;
}

int kb_name_escape(const char *name, size_t len, char *buf)
{
	bool escaped = false;
	size_t i;
	char *o = buf;

	for (i = 0; i < len; i++) {
		switch (name[i]) {
		case '\\':
			*o++ = '\\';
			*o++ = '\\';
			escaped = true;
			break;
		case '\n':
			*o++ = '\\';
			*o++ = 'n';
			escaped = true;
			break;
		case '\r':
			*o++ = '\\';
			*o++ = 'r';
			escaped = true;
			break;
		default:
			*o++ = name[i];
		}
	}
	*o = '\0';
	return escaped;
}

size_t kb_listfile_format(const struct kb_entry *entry, char buf[KB_LISTFILE_FORMAT_MAX])
{
	char hex[KB_HEX_LEN + 1], name[2 * (KASBLOCK_LABEL_MAX - 1) + 1];
	size_t len = strnlen(entry->label, KASBLOCK_LABEL_MAX - 1);
	int escaped;

	kb_hex_format(entry->digest, hex);
	if (!len)
		return (size_t)snprintf(buf, KB_LISTFILE_FORMAT_MAX, "%s\n", hex);
	escaped = kb_name_escape(entry->label, len, name);
	return (size_t)snprintf(buf, KB_LISTFILE_FORMAT_MAX, "%s%s  %s\n", escaped ? "\\" : "", hex,
				name);
}
