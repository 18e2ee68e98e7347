/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256 (FIPS 180-4) for kasblockctl: the same digest the module computes. */
#ifndef KB_SHA256_H
#define KB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define KB_SHA256_LEN 32

struct kb_sha256 {
	uint32_t state[8];
	uint64_t bytes;
	uint8_t block[64];
	size_t fill;
};

void kb_sha256_init(struct kb_sha256 *ctx);
void kb_sha256_update(struct kb_sha256 *ctx, const void *data, size_t len);
void kb_sha256_final(struct kb_sha256 *ctx, uint8_t out[KB_SHA256_LEN]);

/*
 * Hash everything readable from fd (from its current offset) into out.
 * Returns 0, or -errno from read(2). *bytes, when not NULL, gets the length hashed.
 */
int kb_sha256_fd(int fd, uint8_t out[KB_SHA256_LEN], uint64_t *bytes);

#endif
