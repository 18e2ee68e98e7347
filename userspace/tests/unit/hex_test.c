// SPDX-License-Identifier: GPL-2.0
/* Hex digests: what parses, what does not and why, and how they print. */

#include <errno.h>

#include "lib/hexdigest.h"
#include "test.h"

static const char lower[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char upper[] = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";

static void parse_lowercase(void)
{
	uint8_t d[KB_DIGEST_LEN];
	int i;

	CHECK_INT(kb_hex_parse_str(lower, d, NULL), 0);
	for (i = 0; i < KB_DIGEST_LEN; i++)
		CHECK_INT(d[i], i);
}

static void parse_uppercase_prints_lowercase(void)
{
	char out[KB_HEX_LEN + 1];
	uint8_t d[KB_DIGEST_LEN];

	CHECK_INT(kb_hex_parse_str(upper, d, NULL), 0);
	kb_hex_format(d, out);
	CHECK_STR(out, lower);
}

static void parse_all_ff(void)
{
	char s[KB_HEX_LEN + 1], out[KB_HEX_LEN + 1];
	uint8_t d[KB_DIGEST_LEN];
	int i;

	memset(s, 'F', KB_HEX_LEN);
	s[KB_HEX_LEN] = '\0';
	CHECK_INT(kb_hex_parse_str(s, d, NULL), 0);
	for (i = 0; i < KB_DIGEST_LEN; i++)
		CHECK_INT(d[i], 0xff);
	kb_hex_format(d, out);
	memset(s, 'f', KB_HEX_LEN);
	CHECK_STR(out, s);
}

static void too_short(void)
{
	const char *reason = NULL;
	uint8_t d[KB_DIGEST_LEN];

	CHECK_INT(kb_hex_parse(lower, 63, d, &reason), -EINVAL);
	CHECK_STR(reason, "digest too short (expected 64 hex characters)");
	CHECK_INT(kb_hex_parse_str("", d, &reason), -EINVAL);
	CHECK_STR(reason, "digest too short (expected 64 hex characters)");
}

static void too_long(void)
{
	char s[KB_HEX_LEN + 2];
	const char *reason = NULL;
	uint8_t d[KB_DIGEST_LEN];

	snprintf(s, sizeof(s), "%s0", lower);
	CHECK_INT(kb_hex_parse_str(s, d, &reason), -EINVAL);
	CHECK_STR(reason, "digest too long (expected 64 hex characters)");
}

static void not_hex(void)
{
	static const char *bad[] = { "g", "-", " ", "0x", "\xc3\xa9" };
	char s[KB_HEX_LEN + 1];
	const char *reason;
	uint8_t d[KB_DIGEST_LEN];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(s, lower);
		memcpy(s + 10, bad[i], strlen(bad[i]));
		reason = NULL;
		CHECK_INT(kb_hex_parse_str(s, d, &reason), -EINVAL);
		CHECK_STR(reason, "not a hex digit in digest");
	}
	/* Not hex beats the wrong length: "xyz" is not a short digest. */
	CHECK_INT(kb_hex_parse_str("xyz", d, &reason), -EINVAL);
	CHECK_STR(reason, "not a hex digit in digest");
}

static void reason_is_optional(void)
{
	uint8_t d[KB_DIGEST_LEN];

	CHECK_INT(kb_hex_parse_str("nope", d, NULL), -EINVAL);
}

static void hex_value(void)
{
	CHECK_INT(kb_hex_value('0'), 0);
	CHECK_INT(kb_hex_value('9'), 9);
	CHECK_INT(kb_hex_value('a'), 10);
	CHECK_INT(kb_hex_value('F'), 15);
	CHECK_INT(kb_hex_value('g'), -1);
	CHECK_INT(kb_hex_value('/'), -1);
	CHECK_INT(kb_hex_value(':'), -1);
	CHECK_INT(kb_hex_value('@'), -1);
	CHECK_INT(kb_hex_value(0xff), -1);
}

int main(void)
{
	RUN(parse_lowercase);
	RUN(parse_uppercase_prints_lowercase);
	RUN(parse_all_ff);
	RUN(too_short);
	RUN(too_long);
	RUN(not_hex);
	RUN(reason_is_optional);
	RUN(hex_value);
	return kbt_done();
}
