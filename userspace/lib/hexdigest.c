// SPDX-License-Identifier: GPL-2.0
/* Hex digests: parse (either case) and format (lowercase, as sha256sum does). */

#include <errno.h>
#include <string.h>

#include "hexdigest.h"

/* Stored plus one, so that every byte not named is 0, i.e. -1 once read. */
#define D(c, v) [c] = (v) + 1
const int8_t kb_hex_values_plus1[256] = {
	D('0', 0), D('1', 1), D('2', 2), D('3', 3), D('4', 4),
	D('5', 5), D('6', 6), D('7', 7), D('8', 8), D('9', 9),
	D('a', 10), D('b', 11), D('c', 12), D('d', 13), D('e', 14), D('f', 15),
	D('A', 10), D('B', 11), D('C', 12), D('D', 13), D('E', 14), D('F', 15),
};
#undef D

int kb_hex_parse(const char *s, size_t len, uint8_t out[KB_DIGEST_LEN], const char **reason)
{
	const unsigned char *u = (const unsigned char *)s;
	uint8_t bytes[KB_DIGEST_LEN];
	const char *why;
	int bad = 0, hi, lo;
	size_t i;

	if (len == KB_HEX_LEN) {
		/* One pass, one test at the end: a bad digit makes bad negative. */
		for (i = 0; i < KB_DIGEST_LEN; i++) {
			hi = kb_hex_value(u[2 * i]);
			lo = kb_hex_value(u[2 * i + 1]);
			bad |= hi | lo;
			/* Unsigned: hi is -1 for a bad digit, and a negative << is undefined. */
			bytes[i] = (uint8_t)((unsigned int)hi << 4 | (unsigned int)lo);
		}
		if (bad >= 0) {
			memcpy(out, bytes, KB_DIGEST_LEN);
			return 0;
		}
	}
	/* Say "not hex" before "wrong length": "xyz" is a worse mistake than a short digest. */
	for (i = 0; i < len; i++) {
		if (kb_hex_value(u[i]) < 0) {
			why = "not a hex digit in digest";
			goto invalid;
		}
	}
	why = len < KB_HEX_LEN ? "digest too short (expected 64 hex characters)" :
				 "digest too long (expected 64 hex characters)";

invalid:
	if (reason)
		*reason = why;
	return -EINVAL;
}

int kb_hex_parse_str(const char *s, uint8_t out[KB_DIGEST_LEN], const char **reason)
{
	return kb_hex_parse(s, strlen(s), out, reason);
}

void kb_hex_format(const uint8_t digest[KB_DIGEST_LEN], char out[KB_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < KB_DIGEST_LEN; i++) {
		out[2 * i] = digits[digest[i] >> 4];
		out[2 * i + 1] = digits[digest[i] & 0xf];
	}
	out[KB_HEX_LEN] = '\0';
}
