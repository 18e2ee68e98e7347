// SPDX-License-Identifier: GPL-2.0
/* The JSON reader: recursive descent over the whole text, depth bounded. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonread.h"

#define MAX_DEPTH 16

struct parser {
	const char *s;
	size_t len, pos;
};

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static int hex4(struct parser *p, unsigned int *out)
{
	unsigned int v = 0, i;
	char c;

	if (p->len - p->pos < 4)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		c = p->s[p->pos++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

/* A string at p->pos (its opening quote), into a malloc'd, NUL-terminated copy. */
static int parse_string(struct parser *p, char **out)
{
	size_t cap = 16, n = 0, i, step;
	char *buf = malloc(cap), *grown;
	unsigned int cp, lo;
	unsigned char c;

	if (!buf)
		return -ENOMEM;
	p->pos++;
	for (;;) {
		if (p->pos >= p->len)
			goto bad;
		c = p->s[p->pos++];
		if (c == '"')
			break;
		if (c < 0x20)
			goto bad;
		if (n + 5 >= cap) {
			cap *= 2;
			grown = realloc(buf, cap);
			if (!grown) {
				free(buf);
				return -ENOMEM;
			}
			buf = grown;
		}
		if (c != '\\') {
			buf[n++] = c;
			continue;
		}
		if (p->pos >= p->len)
			goto bad;
		c = p->s[p->pos++];
		switch (c) {
		case '"': case '\\': case '/':
			buf[n++] = c;
			break;
		case 'b': buf[n++] = '\b'; break;
		case 'f': buf[n++] = '\f'; break;
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case 'u':
			if (hex4(p, &cp) || !cp)
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p->len - p->pos < 6 || p->s[p->pos] != '\\' ||
				    p->s[p->pos + 1] != 'u')
					goto bad;
				p->pos += 2;
				if (hex4(p, &lo) || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				goto bad;
			}
			if (cp < 0x80) {
				buf[n++] = cp;
			} else if (cp < 0x800) {
				buf[n++] = 0xc0 | cp >> 6;
				buf[n++] = 0x80 | (cp & 0x3f);
			} else if (cp < 0x10000) {
				buf[n++] = 0xe0 | cp >> 12;
				buf[n++] = 0x80 | ((cp >> 6) & 0x3f);
				buf[n++] = 0x80 | (cp & 0x3f);
			} else {
				buf[n++] = 0xf0 | cp >> 18;
				buf[n++] = 0x80 | ((cp >> 12) & 0x3f);
				buf[n++] = 0x80 | ((cp >> 6) & 0x3f);
				buf[n++] = 0x80 | (cp & 0x3f);
			}
			break;
		default:
			goto bad;
		}
	}
	buf[n] = '\0';
	/* JSON text is UTF-8 (RFC 8259); the writer never makes a string of anything else. */
	for (i = 0; i < n; i += step) {
		step = kb_utf8_seq((const unsigned char *)buf + i, n - i);
		if (!step)
			goto bad;
	}
	*out = buf;
	return 0;
bad:
	free(buf);
	return -EINVAL;
}

static int parse_value(struct parser *p, struct kb_jv *v, int depth);

static int push(struct kb_jv *v, struct kb_jv *item, char *key)
{
	struct kb_jv *items = realloc(v->items, (v->n + 1) * sizeof(*items));
	char **keys;

	if (!items)
		return -ENOMEM;
	v->items = items;
	if (v->type == KB_JV_OBJECT) {
		keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));
		if (!keys)
			return -ENOMEM;
		v->keys = keys;
		keys[v->n] = key;
	}
	items[v->n++] = *item;
	return 0;
}

static int parse_container(struct parser *p, struct kb_jv *v, int depth)
{
	bool object = p->s[p->pos] == '{';
	char close = object ? '}' : ']';
	struct kb_jv item;
	char *key = NULL;
	int err;

	v->type = object ? KB_JV_OBJECT : KB_JV_ARRAY;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return 0;
	}
	for (;;) {
		skip_ws(p);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return -EINVAL;
			err = parse_string(p, &key);
			if (err)
				return err;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(key);
				return -EINVAL;
			}
			p->pos++;
		}
		memset(&item, 0, sizeof(item));
		err = parse_value(p, &item, depth + 1);
		if (!err)
			err = push(v, &item, key);
		if (err) {
			free(key);
			kb_jv_free(&item);
			return err;
		}
		key = NULL;
		skip_ws(p);
		if (p->pos >= p->len)
			return -EINVAL;
		if (p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->s[p->pos] != close)
			return -EINVAL;
		p->pos++;
		return 0;
	}
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return false;
	p->pos += n;
	return true;
}

static int parse_number(struct parser *p, struct kb_jv *v)
{
	size_t start = p->pos;
	char buf[64], *end;

	while (p->pos < p->len && strchr("+-0123456789.eE", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
	if (p->pos == start || p->pos - start >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, p->s + start, p->pos - start);
	buf[p->pos - start] = '\0';
	v->num = strtod(buf, &end);
	if (*end)
		return -EINVAL;
	v->type = KB_JV_NUMBER;
	return 0;
}

static int parse_value(struct parser *p, struct kb_jv *v, int depth)
{
	if (depth > MAX_DEPTH)
		return -EINVAL;
	skip_ws(p);
	if (p->pos >= p->len)
		return -EINVAL;
	switch (p->s[p->pos]) {
	case '{':
	case '[':
		return parse_container(p, v, depth);
	case '"':
		v->type = KB_JV_STRING;
		return parse_string(p, &v->str);
	case 't':
	case 'f':
		v->type = KB_JV_BOOL;
		v->b = p->s[p->pos] == 't';
		return literal(p, v->b ? "true" : "false") ? 0 : -EINVAL;
	case 'n':
		v->type = KB_JV_NULL;
		return literal(p, "null") ? 0 : -EINVAL;
	default:
		return parse_number(p, v);
	}
}

int kb_jv_parse(const char *text, size_t len, struct kb_jv *out, size_t *where)
{
	struct parser p = { text, len, 0 };
	int err;

	memset(out, 0, sizeof(*out));
	err = parse_value(&p, out, 0);
	if (!err) {
		skip_ws(&p);
		if (p.pos != len)
			err = -EINVAL;
	}
	if (err) {
		kb_jv_free(out);
		memset(out, 0, sizeof(*out));
		if (where)
			*where = p.pos;
		return err == -ENOMEM ? err : -EINVAL;
	}
	return 0;
}

void kb_jv_free(struct kb_jv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		kb_jv_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	v->items = NULL;
	v->keys = NULL;
	v->str = NULL;
	v->n = 0;
}

const struct kb_jv *kb_jv_get(const struct kb_jv *v, const char *key)
{
	size_t i;

	if (!v || v->type != KB_JV_OBJECT)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return &v->items[i];
	return NULL;
}

const char *kb_jv_get_str(const struct kb_jv *v, const char *key)
{
	const struct kb_jv *m = kb_jv_get(v, key);

	return m && m->type == KB_JV_STRING ? m->str : NULL;
}
