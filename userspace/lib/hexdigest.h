/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256 digests as 64 hex characters: how kasblockctl reads and writes them. */
#ifndef KB_HEXDIGEST_H
#define KB_HEXDIGEST_H

#include <stddef.h>
#include <stdint.h>

#define KB_DIGEST_LEN 32
#define KB_HEX_LEN (2 * KB_DIGEST_LEN)

/*
 * Parse exactly len characters of hex (either case) into out.
 * Returns 0, or -EINVAL with *reason (when reason is not NULL) saying why.
 */
int kb_hex_parse(const char *s, size_t len, uint8_t out[KB_DIGEST_LEN], const char **reason);

/* Like kb_hex_parse() on a NUL-terminated string. */
int kb_hex_parse_str(const char *s, uint8_t out[KB_DIGEST_LEN], const char **reason);

/* Write the digest as 64 lowercase hex characters and a NUL. */
void kb_hex_format(const uint8_t digest[KB_DIGEST_LEN], char out[KB_HEX_LEN + 1]);

/*
 * The value of each byte as a hex digit plus one, 0 for a byte that is not one: a
 * list of a million digests is 64 million lookups, and a table has no branch to
 * mispredict.
 */
extern const int8_t kb_hex_values_plus1[256];

/* The value of hex character c, or -1. */
static inline int kb_hex_value(unsigned char c)
{
	return kb_hex_values_plus1[c] - 1;
}

#endif
