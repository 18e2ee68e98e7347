/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 for kasblockctl, the same digest the module computes, through
 * OpenSSL's libcrypto (EVP): its assembly runs at memory speed where portable
 * C ran at a sixth of it. A thin wrapper so that callers need not know OpenSSL.
 */
#ifndef KB_SHA256_H
#define KB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define KB_SHA256_LEN 32

struct kb_sha256 {
	void *md;	/* EVP_MD_CTX *, NULL when init could not allocate it */
};

/*
 * init allocates; it returns 0 or -ENOMEM. update on a context whose init
 * failed does nothing, and final then returns -ENOMEM (out is zeroed), so a
 * caller may check either. final frees the context: every init needs a final
 * or a kb_sha256_free.
 */
int kb_sha256_init(struct kb_sha256 *ctx);
void kb_sha256_update(struct kb_sha256 *ctx, const void *data, size_t len);
int kb_sha256_final(struct kb_sha256 *ctx, uint8_t out[KB_SHA256_LEN]);
/* Drop a context without a digest (an error path); NULL-safe, idempotent. */
void kb_sha256_free(struct kb_sha256 *ctx);

/* One shot: returns 0 or -ENOMEM. */
int kb_sha256(const void *data, size_t len, uint8_t out[KB_SHA256_LEN]);

/*
 * Hash everything readable from fd (from its current offset) into out.
 * Returns 0, -ENOMEM, or -errno from read(2). *bytes, when not NULL, gets the
 * length hashed.
 */
int kb_sha256_fd(int fd, uint8_t out[KB_SHA256_LEN], uint64_t *bytes);

#endif
