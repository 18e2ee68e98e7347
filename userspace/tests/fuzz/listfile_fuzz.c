// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the list-file parser, linked with the listfile.c and
 * hexdigest.c that kasblockctl runs. List files come from elsewhere (sha256sum
 * output, other people's lists), so beyond "no crash, no leak" this checks
 * what load and list rely on: an error names a line the file has and says
 * why, the FILE reader agrees with the buffer parser, every entry accepted
 * prints as a line that parses back to the same entry (`kasblockctl list > f;
 * load f` is lossless), and the digest decoder takes exactly 64 hex digits.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lib/listfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The same bytes as a FILE, the way kasblockctl reads a list file. */
static int parse_as_file(const uint8_t *data, size_t size, struct kb_list *list,
			 struct kb_parse_error *err)
{
	static char empty[1];
	/* Read-only: fmemopen() takes a non-const buffer but "r" never writes it. */
	FILE *f = fmemopen(size ? (void *)data : empty, size, "r");
	int ret;

	MUST(f);
	ret = kb_listfile_parse_file(f, list, err);
	fclose(f);
	return ret;
}

static bool is_label_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* What kb_label_set() promises, and what list output needs of an entry. */
static void check_entry(const struct kb_entry *e)
{
	char line[KB_LISTFILE_FORMAT_MAX];
	struct kb_entry back;
	const char *reason = NULL;
	size_t len = strnlen(e->label, KASBLOCK_LABEL_MAX), i, n;

	MUST(len < KASBLOCK_LABEL_MAX);
	/* Zero-filled, so that equal entries are equal bytes: the memcmp()s here rely on it. */
	for (i = len; i < KASBLOCK_LABEL_MAX; i++)
		MUST(e->label[i] == '\0');
	MUST(!len || !is_label_blank(e->label[len - 1]));

	n = kb_listfile_format(e, line);
	MUST(n > KB_HEX_LEN && n < KB_LISTFILE_FORMAT_MAX && strlen(line) == n);
	MUST(line[n - 1] == '\n' && !memchr(line, '\n', n - 1));
	memset(&back, 0x5a, sizeof(back));
	MUST(kb_listfile_parse_line(line, n - 1, &back, &reason) == 1);
	MUST(!memcmp(&back, e, sizeof(back)));
}

/* Everything list prints, concatenated, loads back as the same list. */
static void check_round_trip(const struct kb_list *list)
{
	struct kb_list again = { 0 };
	struct kb_parse_error err;
	char *buf = malloc(list->len * KB_LISTFILE_FORMAT_MAX + 1);
	size_t i, n = 0;

	MUST(buf);
	for (i = 0; i < list->len; i++)
		n += kb_listfile_format(&list->entries[i], buf + n);
	MUST(kb_listfile_parse_buf(buf, n, &again, &err) == 0);
	MUST(again.len == list->len);
	MUST(!list->len ||
	     !memcmp(again.entries, list->entries, list->len * sizeof(*list->entries)));
	kb_list_free(&again);
	free(buf);
}

/* list output and the policy digest sort entries bytewise by digest. */
static void check_sorted(struct kb_list *list)
{
	size_t i;

	kb_list_sort(list);
	for (i = 1; i < list->len; i++)
		MUST(memcmp(list->entries[i - 1].digest, list->entries[i].digest,
			    KB_DIGEST_LEN) <= 0);
}

/*
 * The digest decoder on its own, as add and del use it on their arguments
 * (here the input's first line): exactly 64 hex digits of either case, and
 * what it decodes prints back as those digits in lowercase.
 */
static void check_hex(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl ? (size_t)(nl - data) : size, i;
	uint8_t digest[KB_DIGEST_LEN];
	char hex[KB_HEX_LEN + 1];
	const char *reason = NULL;
	bool valid = len == KB_HEX_LEN;

	for (i = 0; i < len; i++)
		valid &= kb_hex_value(data[i]) >= 0;
	if (!valid) {
		MUST(kb_hex_parse((const char *)data, len, digest, &reason) == -EINVAL && reason);
		return;
	}
	MUST(kb_hex_parse((const char *)data, len, digest, &reason) == 0);
	kb_hex_format(digest, hex);
	for (i = 0; i < KB_HEX_LEN; i++)
		MUST(hex[i] == (data[i] >= 'A' && data[i] <= 'F' ? data[i] - 'A' + 'a' : data[i]));
}

/* The reported line, parsed on its own, fails for the same reason. */
static void check_error(const uint8_t *data, size_t size, const struct kb_list *list,
			const struct kb_parse_error *err)
{
	unsigned long lines = fuzz_count_lines(data, size);
	const uint8_t *bad;
	struct kb_entry e;
	const char *reason = NULL;
	size_t len;

	MUST(err->reason);
	MUST(err->line >= 1 && err->line <= lines);
	/* Entries come only from the lines before it. */
	MUST(list->len < err->line);
	bad = fuzz_line(data, size, err->line, &len);
	MUST(kb_listfile_parse_line((const char *)bad, len, &e, &reason) == -EINVAL);
	MUST(reason && !strcmp(reason, err->reason));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_list list = { 0 }, flist = { 0 };
	struct kb_parse_error err, ferr;
	size_t i;
	int ret, fret;

	check_hex(data, size);
	ret = kb_listfile_parse_buf((const char *)data, size, &list, &err);
	fret = parse_as_file(data, size, &flist, &ferr);

	/*
	 * kasblockctl reads through kb_listfile_parse_file(), which copies each
	 * line out of its read buffer and cuts overlong ones; it must agree with
	 * the plain buffer parser on every input, error line and reason included.
	 */
	MUST(ret == fret);
	MUST(list.len == flist.len);
	MUST(!list.len || !memcmp(list.entries, flist.entries, list.len * sizeof(*list.entries)));
	if (ret == -EINVAL) {
		MUST(err.line == ferr.line);
		MUST(ferr.reason && !strcmp(err.reason, ferr.reason));
	}

	/* Entries before a bad line passed the same rules, so they keep the same promises. */
	for (i = 0; i < list.len; i++)
		check_entry(&list.entries[i]);
	switch (ret) {
	case 0:
		MUST(list.len <= fuzz_count_lines(data, size));
		check_round_trip(&list);
		check_sorted(&list);
		break;
	case -EINVAL:
		check_error(data, size, &list, &err);
		break;
	case -ENOMEM:
		break;
	default:
		MUST(!"unexpected return value");
	}
	kb_list_free(&list);
	kb_list_free(&flist);
	return 0;
}
