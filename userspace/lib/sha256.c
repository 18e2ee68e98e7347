// SPDX-License-Identifier: GPL-2.0
/* SHA-256 through OpenSSL's EVP interface: the digest the module computes over a whole file. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sha256.h"

/* Large reads: fewer system calls, and libcrypto gets whole runs of blocks. */
#define READ_CHUNK (1024 * 1024)

int kb_sha256_init(struct kb_sha256 *ctx)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md && !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		md = NULL;
	}
	ctx->md = md;
	return md ? 0 : -ENOMEM;
}

void kb_sha256_update(struct kb_sha256 *ctx, const void *data, size_t len)
{
	if (ctx->md && len && !EVP_DigestUpdate(ctx->md, data, len)) {
		/* Cannot happen for SHA-256 in memory; fail the final rather than lie. */
		EVP_MD_CTX_free(ctx->md);
		ctx->md = NULL;
	}
}

int kb_sha256_final(struct kb_sha256 *ctx, uint8_t out[KB_SHA256_LEN])
{
	int ok = ctx->md && EVP_DigestFinal_ex(ctx->md, out, NULL);

	EVP_MD_CTX_free(ctx->md);
	ctx->md = NULL;
	if (!ok) {
		memset(out, 0, KB_SHA256_LEN);
		return -ENOMEM;
	}
	return 0;
}

void kb_sha256_free(struct kb_sha256 *ctx)
{
	EVP_MD_CTX_free(ctx->md);
	ctx->md = NULL;
}

int kb_sha256(const void *data, size_t len, uint8_t out[KB_SHA256_LEN])
{
	if (!EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL)) {
		memset(out, 0, KB_SHA256_LEN);
		return -ENOMEM;
	}
	return 0;
}

int kb_sha256_fd(int fd, uint8_t out[KB_SHA256_LEN], uint64_t *bytes)
{
	struct kb_sha256 ctx;
	uint64_t total = 0;
	uint8_t *buf;
	ssize_t n;
	int ret;

	buf = malloc(READ_CHUNK);
	if (!buf)
		return -ENOMEM;
	ret = kb_sha256_init(&ctx);
	for (; !ret;) {
		n = read(fd, buf, READ_CHUNK);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		kb_sha256_update(&ctx, buf, (size_t)n);
		total += (uint64_t)n;
	}
	if (ret)
		kb_sha256_free(&ctx);
	else
		ret = kb_sha256_final(&ctx, out);
	free(buf);
	if (!ret && bytes)
		*bytes = total;
	return ret;
}
