// SPDX-License-Identifier: GPL-2.0
/* Hex digests: parse (either case) and format (lowercase, as sha256sum does). */

#include <errno.h>
#include <string.h>

#include "hexdigest.h"

int kb_hex_parse(const char *s, size_t len, uint8_t out[KB_DIGEST_LEN], const char **reason)
{
	const char *why;
	size_t i;

	/* Say "not hex" before "wrong length": "xyz" is a worse mistake than a short digest. */
	for (i = 0; i < len; i++) {
		if (kb_hex_value(s[i]) < 0) {
			why = "not a hex digit in digest";
			goto invalid;
		}
	}
	if (len != KB_HEX_LEN) {
		why = len < KB_HEX_LEN ? "digest too short (expected 64 hex characters)" :
					 "digest too long (expected 64 hex characters)";
		goto invalid;
	}
	for (i = 0; i < KB_DIGEST_LEN; i++)
		out[i] = (uint8_t)(kb_hex_value(s[2 * i]) << 4 | kb_hex_value(s[2 * i + 1]));
	return 0;

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
