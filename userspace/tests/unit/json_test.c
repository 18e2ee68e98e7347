// SPDX-License-Identifier: GPL-2.0
/* lib/json.c: the one writer every command's JSON goes through, and its rules. */

#include <stdlib.h>

#include "lib/json.h"
#include "lib/util.h"
#include "test.h"

static char *buf;
static size_t len;

static FILE *open_out(void)
{
	free(buf);
	buf = NULL;
	return open_memstream(&buf, &len);
}

static void nesting_commas_and_schema(void)
{
	struct kb_json j;
	FILE *f = open_out();

	kb_json_begin(&j, f, "kasblock-test/1");
	kb_json_u64(&j, "n", 18446744073709551615ULL);
	kb_json_s64(&j, "neg", -5);
	kb_json_bool(&j, "t", true);
	kb_json_null(&j, "none");
	kb_json_array_start(&j, "a");
	kb_json_object_start(&j, NULL);
	kb_json_string(&j, "k", "v");
	kb_json_object_end(&j);
	kb_json_object_start(&j, NULL);
	kb_json_object_end(&j);
	kb_json_array_start(&j, NULL);
	kb_json_array_end(&j);
	kb_json_array_end(&j);
	kb_json_opt_u64(&j, "have", true, 7);
	kb_json_opt_u64(&j, "lack", false, 7);
	kb_json_string(&j, "nul", NULL);
	CHECK_INT(kb_json_end(&j), 0);
	fclose(f);
	CHECK_STR(buf, "{\"schema\":\"kasblock-test/1\",\"n\":18446744073709551615,\"neg\":-5,"
		       "\"t\":true,\"none\":null,\"a\":[{\"k\":\"v\"},{},[]],\"have\":7,"
		       "\"lack\":null,\"nul\":null}\n");
}

static void escaping(void)
{
	struct kb_json j;
	FILE *f = open_out();

	kb_json_begin(&j, f, "s/1");
	kb_json_string(&j, "s", "q\"b\\n\n\t\x01\x7f/é€😀");
	kb_json_end(&j);
	fclose(f);
	CHECK_STR(buf, "{\"schema\":\"s/1\",\"s\":\"q\\\"b\\\\n\\u000a\\u0009\\u0001\\u007f/é€😀\"}\n");
}

/* Bytes that are not UTF-8 are an array of byte values; so are overlongs, surrogates and cut sequences. */
static void non_utf8_is_an_array_of_bytes(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "a\xff", 2, "[97,255]" },
		{ "\xc0\xaf", 2, "[192,175]" },		/* overlong '/' */
		{ "\xed\xa0\x80", 3, "[237,160,128]" },	/* surrogate */
		{ "\xe2\x82", 2, "[226,130]" },		/* cut */
		{ "a\0b", 3, "\"a\\u0000b\"" },		/* NUL is text */
		{ "", 0, "\"\"" },
	};
	char want[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kb_json j;
		FILE *f = open_out();

		kb_json_begin(&j, f, "b/1");
		kb_json_bytes(&j, "p", cases[i].in, cases[i].len);
		kb_json_end(&j);
		fclose(f);
		snprintf(want, sizeof(want), "{\"schema\":\"b/1\",\"p\":%s}\n", cases[i].out);
		CHECK_STR(buf, want);
	}
}

static void write_failure_is_reported(void)
{
	struct kb_json j;
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		SKIP("no /dev/full");
	setvbuf(f, NULL, _IONBF, 0);
	kb_json_begin(&j, f, "x/1");
	CHECK(kb_json_end(&j) < 0);
	fclose(f);
}

int main(void)
{
	RUN(nesting_commas_and_schema);
	RUN(escaping);
	RUN(non_utf8_is_an_array_of_bytes);
	RUN(write_failure_is_reported);
	free(buf);
	return kbt_done();
}
