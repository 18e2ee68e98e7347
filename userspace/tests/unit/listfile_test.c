// SPDX-License-Identifier: GPL-2.0
/* List files: every accepted form, every malformed line (line + reason), formatting, round trips. */

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "lib/listfile.h"
#include "test.h"

#define H "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HU "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"

static const uint8_t hd[KB_DIGEST_LEN] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};

/* Parse one line; returns kb_listfile_parse_line()'s value. */
static int line(const char *s, struct kb_entry *e, const char **reason)
{
	memset(e, 0x5a, sizeof(*e));
	*reason = NULL;
	return kb_listfile_parse_line(s, strlen(s), e, reason);
}

#define CHECK_ENTRY(text, label_expect)                                   \
	do {                                                              \
		struct kb_entry e_;                                       \
		const char *r_;                                           \
		CHECK_INT(line(text, &e_, &r_), 1);                       \
		CHECK(!memcmp(e_.digest, hd, KB_DIGEST_LEN));             \
		CHECK_STR(e_.label, label_expect);                        \
	} while (0)

#define CHECK_SKIP(text)                                                  \
	do {                                                              \
		struct kb_entry e_;                                       \
		const char *r_;                                           \
		CHECK_INT(line(text, &e_, &r_), 0);                       \
	} while (0)

#define CHECK_BAD(text, reason_expect)                                    \
	do {                                                              \
		struct kb_entry e_;                                       \
		const char *r_;                                           \
		CHECK_INT(line(text, &e_, &r_), -EINVAL);                 \
		CHECK_STR(r_, reason_expect);                             \
	} while (0)

static const char too_short[] = "digest too short (expected 64 hex characters)";
static const char too_long[] = "digest too long (expected 64 hex characters)";
static const char not_hex[] = "not a hex digit in digest";
static const char no_sep[] = "missing separator (expected two spaces or \" *\" after the digest)";
static const char bad_escape[] = "bad escape in name (only \\\\, \\n and \\r)";

static void text_mode_line(void)
{
	CHECK_ENTRY(H "  /usr/bin/evil", "/usr/bin/evil");
}

static void binary_mode_line(void)
{
	CHECK_ENTRY(H " *evil.exe", "evil.exe");
}

static void name_with_spaces_and_star(void)
{
	CHECK_ENTRY(H "  my file name", "my file name");
	CHECK_ENTRY(H "  *starts with star", "*starts with star");
	CHECK_ENTRY(H "   leading blank", " leading blank");
	CHECK_ENTRY(H "  #not a comment", "#not a comment");
}

static void escaped_form(void)
{
	CHECK_ENTRY("\\" H "  a\\\\b", "a\\b");
	CHECK_ENTRY("\\" H "  line\\nbreak", "line\nbreak");
	CHECK_ENTRY("\\" H "  cr\\rhere", "cr\rhere");
	CHECK_ENTRY("\\" H " *bin\\\\ary", "bin\\ary");
	/* Without the leading backslash a backslash is just a byte of the name. */
	CHECK_ENTRY(H "  raw\\nname", "raw\\nname");
}

static void bare_digest(void)
{
	CHECK_ENTRY(H, "");
	CHECK_ENTRY(H "   ", "");
	CHECK_ENTRY(H "\t", "");
	CHECK_ENTRY("  " H, "");
}

static void uppercase_hex(void)
{
	char out[KB_LISTFILE_FORMAT_MAX];
	struct kb_entry e;
	const char *r;

	CHECK_INT(line(HU "  up", &e, &r), 1);
	CHECK(!memcmp(e.digest, hd, KB_DIGEST_LEN));
	kb_listfile_format(&e, out);
	CHECK_STR(out, H "  up\n");
}

static void crlf_and_trailing_blanks(void)
{
	CHECK_ENTRY(H "  name\r", "name");
	CHECK_ENTRY(H "  name \t \r", "name");
	CHECK_ENTRY(H "\r", "");
	CHECK_SKIP("\r");
	CHECK_SKIP("# comment\r");
}

static void comments_and_blank_lines(void)
{
	CHECK_SKIP("");
	CHECK_SKIP("   ");
	CHECK_SKIP("\t \t");
	CHECK_SKIP("# a comment");
	CHECK_SKIP("#" H "  commented out");
	CHECK_SKIP("   # indented comment");
}

static void long_name_truncated(void)
{
	char text[KB_HEX_LEN + 2 + 200 + 1], expect[64];

	memset(expect, 'n', 63);
	expect[63] = '\0';
	snprintf(text, sizeof(text), H "  %0200d", 0);
	memset(text + KB_HEX_LEN + 2, 'n', 200);
	CHECK_ENTRY(text, expect);
}

/* A cut never splits a UTF-8 sequence: 62 bytes + a 2-byte letter keeps 62. */
static void truncation_keeps_utf8_whole(void)
{
	char text[256], expect[64];

	memset(expect, 'a', 62);
	expect[62] = '\0';
	snprintf(text, sizeof(text), H "  %s\xc3\xa9tail", expect);
	CHECK_ENTRY(text, expect);

	/* 61 bytes + a 3-byte character fit in 64 bytes with NUL: kept whole. */
	memset(expect, 'a', 61);
	memcpy(expect + 61, "\xe2\x82", 2);
	expect[63] = '\0';
	snprintf(text, sizeof(text), H "  %.61s\xe2\x82\xac", expect);
	{
		struct kb_entry e;
		const char *r;

		CHECK_INT(line(text, &e, &r), 1);
		CHECK_INT(strlen(e.label), 61);
	}
}

static void escaped_name_truncated(void)
{
	char text[512], expect[64];
	size_t i, n = 0;

	n = (size_t)snprintf(text, sizeof(text), "\\" H "  ");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "\\\\");
	memset(expect, '\\', 63);
	expect[63] = '\0';
	CHECK_ENTRY(text, expect);
}

static void bad_overlong_line(void)
{
	size_t len = KB_LISTFILE_LINE_MAX + 1;
	char *s = malloc(len + 1);
	struct kb_entry e;
	const char *r = NULL;

	CHECK(s);
	if (!s)
		return;
	memcpy(s, H "  ", KB_HEX_LEN + 2);
	memset(s + KB_HEX_LEN + 2, 'x', len - KB_HEX_LEN - 2);
	s[len] = '\0';
	CHECK_INT(kb_listfile_parse_line(s, len, &e, &r), -EINVAL);
	CHECK_STR(r, "line too long");
	/* Exactly the limit is fine. */
	CHECK_INT(kb_listfile_parse_line(s, len - 1, &e, &r), 1);
	free(s);
}

static void bad_hex_length(void)
{
	CHECK_BAD("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde  x", too_short);
	CHECK_BAD("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", too_short);
	CHECK_BAD("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde *x", too_short);
	CHECK_BAD("abc", too_short);
	CHECK_BAD(H "0  x", too_long);
	CHECK_BAD(H H, too_long);
	/* A SHA-1 or MD5 list is a wrong-length mistake, not a parse curiosity. */
	CHECK_BAD("da39a3ee5e6b4b0d3255bfef95601890afd80709  empty", too_short);
}

static void bad_non_hex(void)
{
	CHECK_BAD("0123456789abcdef0123456789abcdefX123456789abcdef0123456789abcdef  x", not_hex);
	CHECK_BAD("hello world", not_hex);
	CHECK_BAD("-" H, not_hex);
	CHECK_BAD("0x" H, not_hex);
	CHECK_BAD("\\\\" H "  x", not_hex);
	CHECK_BAD("SHA256 (file) = " H, "BSD-style (--tag) lines are not supported");
}

static void bad_missing_separator(void)
{
	CHECK_BAD(H " name", no_sep);
	CHECK_BAD(H "\tname", no_sep);
	CHECK_BAD(H " \tname", no_sep);
	CHECK_BAD(H "-name", no_sep);
	CHECK_BAD(H ":name", no_sep);
	CHECK_BAD(H " *", "empty name");
}

static void bad_nul_byte(void)
{
	static const char s[] = H "  na\0me";
	struct kb_entry e;
	const char *r = NULL;

	CHECK_INT(kb_listfile_parse_line(s, sizeof(s) - 1, &e, &r), -EINVAL);
	CHECK_STR(r, "NUL byte in line");
	CHECK_INT(kb_listfile_parse_line("\0", 1, &e, &r), -EINVAL);
	CHECK_STR(r, "NUL byte in line");
}

static void bad_escape_sequences(void)
{
	CHECK_BAD("\\" H "  tab\\there", bad_escape);
	CHECK_BAD("\\" H "  trailing\\", bad_escape);
	CHECK_BAD("\\" H "  \\x41", bad_escape);
}

/* Whole buffers: line numbers count every line, comments, blanks and CRLF included. */
static void buffer_line_numbers(void)
{
	static const char buf[] = "# header\r\n"
				  "\r\n"
				  H "  one\r\n"
				  "  # indented\n"
				  H " *two\n"
				  "not a digest\n"
				  H "  never\n";
	struct kb_list list = { 0 };
	struct kb_parse_error err;

	CHECK_INT(kb_listfile_parse_buf(buf, sizeof(buf) - 1, &list, &err), -EINVAL);
	CHECK_INT(err.line, 6);
	CHECK_STR(err.reason, not_hex);
	CHECK_INT(list.len, 2);
	kb_list_free(&list);
}

static void buffer_valid(void)
{
	static const char buf[] = "# kasblock list\n" H "  one\n\n\\" H "  t\\\\wo\n" H;
	struct kb_list list = { 0 };
	struct kb_parse_error err;

	CHECK_INT(kb_listfile_parse_buf(buf, sizeof(buf) - 1, &list, &err), 0);
	CHECK_INT(list.len, 3);
	if (list.len == 3) {
		CHECK_STR(list.entries[0].label, "one");
		CHECK_STR(list.entries[1].label, "t\\wo");
		CHECK_STR(list.entries[2].label, "");
	}
	kb_list_free(&list);
	CHECK_INT(kb_listfile_parse_buf("", 0, &list, &err), 0);
	CHECK_INT(list.len, 0);
}

static FILE *file_of(const char *data, size_t len)
{
	FILE *f = tmpfile();

	if (!f)
		return NULL;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return NULL;
	}
	rewind(f);
	return f;
}

static void file_matches_buffer(void)
{
	static const char data[] = "# c\n" H "  a\n" H " *b\r\n" H "\n\n" H "  last-no-newline";
	struct kb_list a = { 0 }, b = { 0 };
	struct kb_parse_error err;
	FILE *f = file_of(data, sizeof(data) - 1);
	size_t i;

	CHECK(f);
	if (!f)
		return;
	CHECK_INT(kb_listfile_parse_file(f, &a, &err), 0);
	fclose(f);
	CHECK_INT(kb_listfile_parse_buf(data, sizeof(data) - 1, &b, &err), 0);
	CHECK_INT(a.len, 4);
	CHECK_INT(a.len, b.len);
	for (i = 0; i < a.len && i < b.len; i++)
		CHECK(!memcmp(&a.entries[i], &b.entries[i], sizeof(a.entries[i])));
	if (a.len == 4)
		CHECK_STR(a.entries[3].label, "last-no-newline");
	kb_list_free(&a);
	kb_list_free(&b);
}

/* Lines longer than the read chunk, NUL bytes and errors on late lines, read from a FILE. */
static void file_errors(void)
{
	size_t big = 200000, n;
	char *data = malloc(big + 200);
	struct kb_list list = { 0 };
	struct kb_parse_error err;
	FILE *f;

	CHECK(data);
	if (!data)
		return;
	n = (size_t)sprintf(data, H "  ok\n");
	memset(data + n, 'x', big);
	n += big;
	n += (size_t)sprintf(data + n, "\n" H "  after\n");
	f = file_of(data, n);
	CHECK(f);
	if (f) {
		CHECK_INT(kb_listfile_parse_file(f, &list, &err), -EINVAL);
		CHECK_INT(err.line, 2);
		CHECK_STR(err.reason, "line too long");
		fclose(f);
	}
	kb_list_free(&list);

	n = (size_t)sprintf(data, H "  ok\n" H "  ok\n" H "  n");
	data[n++] = '\0';
	n += (size_t)sprintf(data + n, "ul\n");
	f = file_of(data, n);
	CHECK(f);
	if (f) {
		CHECK_INT(kb_listfile_parse_file(f, &list, &err), -EINVAL);
		CHECK_INT(err.line, 3);
		CHECK_STR(err.reason, "NUL byte in line");
		fclose(f);
	}
	kb_list_free(&list);
	free(data);
}

static void file_read_error(void)
{
	struct kb_list list = { 0 };
	struct kb_parse_error err;
	FILE *f = fopen("/", "r");

	CHECK(f);
	if (!f)
		return;
	CHECK_INT(kb_listfile_parse_file(f, &list, &err), -EISDIR);
	CHECK_INT(err.line, 0);
	fclose(f);
}

static void format_forms(void)
{
	char out[KB_LISTFILE_FORMAT_MAX];
	struct kb_entry e;

	memcpy(e.digest, hd, KB_DIGEST_LEN);
	strcpy(e.label, "");
	CHECK_INT(kb_listfile_format(&e, out), KB_HEX_LEN + 1);
	CHECK_STR(out, H "\n");
	strcpy(e.label, "plain name");
	kb_listfile_format(&e, out);
	CHECK_STR(out, H "  plain name\n");
	strcpy(e.label, "back\\slash");
	kb_listfile_format(&e, out);
	CHECK_STR(out, "\\" H "  back\\\\slash\n");
	strcpy(e.label, "new\nline\r");
	kb_listfile_format(&e, out);
	CHECK_STR(out, "\\" H "  new\\nline\\r\n");
}

/* The longest line format can produce: a 63-byte label of backslashes. */
static void format_worst_case_fits(void)
{
	char out[KB_LISTFILE_FORMAT_MAX];
	struct kb_entry e;

	memcpy(e.digest, hd, KB_DIGEST_LEN);
	memset(e.label, '\\', 63);
	e.label[63] = '\0';
	CHECK_INT(kb_listfile_format(&e, out), 1 + KB_HEX_LEN + 2 + 126 + 1);
	CHECK_INT(strlen(out), KB_LISTFILE_FORMAT_MAX - 1);
}

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* format -> parse gives back every entry the tool can hold, whatever bytes the label has. */
static void round_trip_random(void)
{
	char out[KB_LISTFILE_FORMAT_MAX], name[100];
	struct kb_entry e, back;
	const char *r;
	size_t len, i;
	int k, bad = 0;

	for (k = 0; k < 20000; k++) {
		for (i = 0; i < KB_DIGEST_LEN; i++)
			e.digest[i] = (uint8_t)rnd();
		len = rnd() % sizeof(name);
		for (i = 0; i < len; i++) {
			/* Mostly awkward bytes: blanks, escapes, '#', '*', high bytes. */
			static const char pick[] = " \t\r\n\\#*\v\f";
			uint32_t x = rnd();

			name[i] = x & 1 ? pick[x % (sizeof(pick) - 1)] : (char)(1 + (x >> 8) % 255);
		}
		kb_label_set(e.label, name, len);
		len = kb_listfile_format(&e, out);
		if (len == 0 || out[len - 1] != '\n' || memchr(out, '\n', len - 1)) {
			bad++;
			continue;
		}
		memset(&back, 0, sizeof(back));
		if (kb_listfile_parse_line(out, len - 1, &back, &r) != 1 ||
		    memcmp(back.digest, e.digest, KB_DIGEST_LEN) || strcmp(back.label, e.label)) {
			if (!bad)
				printf("  first mismatch: %s", out);
			bad++;
		}
	}
	CHECK_INT(bad, 0);
}

/* list output of many entries, concatenated, parses back to the same list. */
static void round_trip_list(void)
{
	struct kb_list in = { 0 }, out = { 0 };
	char line[KB_LISTFILE_FORMAT_MAX], *buf;
	struct kb_parse_error err;
	size_t i, n = 0, total = 5000;
	struct kb_entry e;

	buf = malloc(total * KB_LISTFILE_FORMAT_MAX);
	CHECK(buf);
	if (!buf)
		return;
	for (i = 0; i < total; i++) {
		size_t j;

		for (j = 0; j < KB_DIGEST_LEN; j++)
			e.digest[j] = (uint8_t)rnd();
		snprintf(line, sizeof(line), i % 3 ? "entry %zu\\with\nodd bytes" : "", i);
		kb_label_set(e.label, line, strlen(line));
		CHECK_INT(kb_list_push(&in, &e), 0);
	}
	kb_list_sort(&in);
	for (i = 0; i < in.len; i++)
		n += kb_listfile_format(&in.entries[i], buf + n);
	CHECK_INT(kb_listfile_parse_buf(buf, n, &out, &err), 0);
	CHECK_INT(out.len, in.len);
	for (i = 0; i < in.len && i < out.len; i++)
		CHECK(!memcmp(&in.entries[i], &out.entries[i], KB_DIGEST_LEN) &&
		      !strcmp(in.entries[i].label, out.entries[i].label));
	for (i = 1; i < in.len; i++)
		CHECK(memcmp(in.entries[i - 1].digest, in.entries[i].digest, KB_DIGEST_LEN) <= 0);
	free(buf);
	kb_list_free(&in);
	kb_list_free(&out);
}

static void label_set_rules(void)
{
	char label[KASBLOCK_LABEL_MAX];

	kb_label_set(label, "name  \t", 7);
	CHECK_STR(label, "name");
	kb_label_set(label, "   ", 3);
	CHECK_STR(label, "");
	kb_label_set(label, "x\r", 2);
	CHECK_STR(label, "x\r");
	/* Invalid UTF-8 (only continuation bytes) is cut at 63, not emptied. */
	memset(label, 0, sizeof(label));
	{
		char cont[80];

		memset(cont, 0x80, sizeof(cont));
		kb_label_set(label, cont, sizeof(cont));
		CHECK_INT(strlen(label), 63);
	}
}

/* A million-line list parses in well under a second (load must be fast). */
static void parse_million_lines(void)
{
	size_t total = 1000000, i, n = 0;
	size_t linelen = KB_HEX_LEN + 2 + 12 + 1;
	char *buf = malloc(total * linelen + 1), hex[KB_HEX_LEN + 1];
	struct kb_list list = { 0 };
	struct kb_parse_error err;
	struct timespec t0, t1;
	uint8_t d[KB_DIGEST_LEN] = { 0 };
	double secs;

	CHECK(buf);
	if (!buf)
		return;
	for (i = 0; i < total; i++) {
		memcpy(d, &i, sizeof(i));
		kb_hex_format(d, hex);
		n += (size_t)sprintf(buf + n, "%s  file%08zu\n", hex, i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT(kb_listfile_parse_buf(buf, n, &list, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK_INT(list.len, total);
	if (list.len == total)
		CHECK_STR(list.entries[total - 1].label, "file00999999");
	printf("  parsed %zu lines in %.3f s\n", total, secs);
	free(buf);
	kb_list_free(&list);
}

int main(void)
{
	RUN(text_mode_line);
	RUN(binary_mode_line);
	RUN(name_with_spaces_and_star);
	RUN(escaped_form);
	RUN(bare_digest);
	RUN(uppercase_hex);
	RUN(crlf_and_trailing_blanks);
	RUN(comments_and_blank_lines);
	RUN(long_name_truncated);
	RUN(truncation_keeps_utf8_whole);
	RUN(escaped_name_truncated);
	RUN(bad_overlong_line);
	RUN(bad_hex_length);
	RUN(bad_non_hex);
	RUN(bad_missing_separator);
	RUN(bad_nul_byte);
	RUN(bad_escape_sequences);
	RUN(buffer_line_numbers);
	RUN(buffer_valid);
	RUN(file_matches_buffer);
	RUN(file_errors);
	RUN(file_read_error);
	RUN(format_forms);
	RUN(format_worst_case_fits);
	RUN(round_trip_random);
	RUN(round_trip_list);
	RUN(label_set_rules);
	RUN(parse_million_lines);
	return kbt_done();
}
