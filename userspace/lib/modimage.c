// SPDX-License-Identifier: GPL-2.0
/*
 * A compressed kernel module has two digests the module may see: finit_module()
 * reads the file itself (the kernel decompresses it, or kmod does and passes
 * the image to init_module()), so a blocklist names both. Both come out of one
 * read: the file's bytes go to one SHA-256 and through the decompressor into
 * the other. Formats are told by magic number, as the kernel and kmod do.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LZMA
#include <lzma.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#include <zstd_errors.h>
#endif
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "modimage.h"

#define CHUNK 65536

const char *kb_compression_name(enum kb_compression comp)
{
	switch (comp) {
	case KB_COMP_XZ:
		return "xz";
	case KB_COMP_ZSTD:
		return "zstd";
	case KB_COMP_GZIP:
		return "gzip";
	case KB_COMP_NONE:
		break;
	}
	return "none";
}

int kb_compression_supported(enum kb_compression comp)
{
	switch (comp) {
	case KB_COMP_NONE:
		return 1;
	case KB_COMP_XZ:
#ifdef HAVE_LZMA
		return 1;
#else
		return 0;
#endif
	case KB_COMP_ZSTD:
#ifdef HAVE_ZSTD
		return 1;
#else
		return 0;
#endif
	case KB_COMP_GZIP:
#ifdef HAVE_ZLIB
		return 1;
#else
		return 0;
#endif
	}
	return 0;
}

static enum kb_compression sniff(const uint8_t *p, size_t len)
{
	static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
	static const uint8_t zstd[] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const uint8_t gzip[] = { 0x1f, 0x8b };

	if (len >= sizeof(xz) && !memcmp(p, xz, sizeof(xz)))
		return KB_COMP_XZ;
	if (len >= sizeof(zstd) && !memcmp(p, zstd, sizeof(zstd)))
		return KB_COMP_ZSTD;
	if (len >= sizeof(gzip) && !memcmp(p, gzip, sizeof(gzip)))
		return KB_COMP_GZIP;
	return KB_COMP_NONE;
}

/*
 * One streaming decompressor. feed() takes a chunk of input (end set for the
 * last, possibly empty, one) and hashes all the output it yields; 0 or -errno.
 */
struct decoder {
	enum kb_compression comp;
	struct kb_sha256 *image;
	uint8_t *out;
	bool ended;	/* the compressed stream (or last frame/member) is complete */
#ifdef HAVE_LZMA
	lzma_stream xz;
#endif
#ifdef HAVE_ZSTD
	ZSTD_DStream *zstd;
#endif
#ifdef HAVE_ZLIB
	z_stream gz;
	bool gz_init;
#endif
};

#ifdef HAVE_LZMA
static int xz_feed(struct decoder *d, const uint8_t *in, size_t len, bool end)
{
	lzma_ret r;

	d->xz.next_in = in;
	d->xz.avail_in = len;
	do {
		d->xz.next_out = d->out;
		d->xz.avail_out = CHUNK;
		r = lzma_code(&d->xz, end ? LZMA_FINISH : LZMA_RUN);
		kb_sha256_update(d->image, d->out, CHUNK - d->xz.avail_out);
		if (r == LZMA_STREAM_END) {
			d->ended = true;
			return 0;
		}
		if (r == LZMA_MEM_ERROR)
			return -ENOMEM;
		if (r != LZMA_OK)
			return -EBADMSG;
	} while (d->xz.avail_in || !d->xz.avail_out || end);
	return 0;
}
#endif

#ifdef HAVE_ZSTD
static int zstd_feed(struct decoder *d, const uint8_t *in, size_t len, bool end)
{
	ZSTD_inBuffer ib = { in, len, 0 };
	ZSTD_outBuffer ob;
	size_t r;

	do {
		size_t before = ib.pos;

		ob = (ZSTD_outBuffer){ d->out, CHUNK, 0 };
		r = ZSTD_decompressStream(d->zstd, &ob, &ib);
		if (ZSTD_isError(r))
			return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ? -ENOMEM : -EBADMSG;
		kb_sha256_update(d->image, d->out, ob.pos);
		/*
		 * 0: a frame is complete and flushed; another may follow. A call that
		 * did nothing answers for the next frame, which has not begun.
		 */
		if (ib.pos != before || ob.pos)
			d->ended = r == 0;
	} while (ib.pos < ib.size || ob.pos == ob.size);
	(void)end;
	return 0;
}
#endif

#ifdef HAVE_ZLIB
static int gz_feed(struct decoder *d, const uint8_t *in, size_t len, bool end)
{
	int r;

	d->gz.next_in = (Bytef *)in;
	d->gz.avail_in = (uInt)len;
	do {
		d->gz.next_out = d->out;
		d->gz.avail_out = CHUNK;
		r = inflate(&d->gz, Z_NO_FLUSH);
		kb_sha256_update(d->image, d->out, CHUNK - d->gz.avail_out);
		if (r == Z_STREAM_END) {
			/* gzip allows members one after another, as gunzip reads them. */
			d->ended = true;
			if (d->gz.avail_in && inflateReset(&d->gz) != Z_OK)
				return -EBADMSG;
			continue;
		}
		if (r == Z_MEM_ERROR)
			return -ENOMEM;
		if (r == Z_BUF_ERROR && !d->gz.avail_in)
			break;	/* needs more input */
		if (r != Z_OK)
			return -EBADMSG;
		d->ended = false;
	} while (d->gz.avail_in || !d->gz.avail_out);
	(void)end;
	return 0;
}
#endif

static int decoder_init(struct decoder *d, enum kb_compression comp, struct kb_sha256 *image)
{
	memset(d, 0, sizeof(*d));
	d->comp = comp;
	d->image = image;
	if (!kb_compression_supported(comp))
		return -EOPNOTSUPP;
	d->out = malloc(CHUNK);
	if (!d->out)
		return -ENOMEM;
	switch (comp) {
#ifdef HAVE_LZMA
	case KB_COMP_XZ:
		d->xz = (lzma_stream)LZMA_STREAM_INIT;
		/* Like xz -d: concatenated streams, no memory limit (modules are small). */
		if (lzma_stream_decoder(&d->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
			return -ENOMEM;
		break;
#endif
#ifdef HAVE_ZSTD
	case KB_COMP_ZSTD:
		d->zstd = ZSTD_createDStream();
		if (!d->zstd)
			return -ENOMEM;
		break;
#endif
#ifdef HAVE_ZLIB
	case KB_COMP_GZIP:
		/* 16 + MAX_WBITS: a gzip header and trailer, checked. */
		if (inflateInit2(&d->gz, 16 + MAX_WBITS) != Z_OK)
			return -ENOMEM;
		d->gz_init = true;
		break;
#endif
	default:
		break;
	}
	return 0;
}

static int decoder_feed(struct decoder *d, const uint8_t *in, size_t len, bool end)
{
	int ret = 0;

	switch (d->comp) {
#ifdef HAVE_LZMA
	case KB_COMP_XZ:
		ret = xz_feed(d, in, len, end);
		break;
#endif
#ifdef HAVE_ZSTD
	case KB_COMP_ZSTD:
		ret = zstd_feed(d, in, len, end);
		break;
#endif
#ifdef HAVE_ZLIB
	case KB_COMP_GZIP:
		ret = gz_feed(d, in, len, end);
		break;
#endif
	default:
		break;
	}
	/* A stream that stops before its end is not a module image. */
	if (!ret && end && !d->ended)
		ret = -EBADMSG;
	return ret;
}

static void decoder_free(struct decoder *d)
{
#ifdef HAVE_LZMA
	if (d->comp == KB_COMP_XZ)
		lzma_end(&d->xz);
#endif
#ifdef HAVE_ZSTD
	ZSTD_freeDStream(d->zstd);
#endif
#ifdef HAVE_ZLIB
	if (d->gz_init)
		inflateEnd(&d->gz);
#endif
	free(d->out);
}

static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, buf + got, len - got);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int kb_module_digests(int fd, enum kb_compression *comp, uint8_t file[KB_SHA256_LEN],
		      uint8_t image[KB_SHA256_LEN])
{
	struct kb_sha256 fctx, ictx;
	struct decoder d;
	uint8_t *buf;
	ssize_t n;
	bool first = true;
	int ret;

	buf = malloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	memset(&d, 0, sizeof(d));
	ret = kb_sha256_init(&fctx);
	if (!ret)
		ret = kb_sha256_init(&ictx);
	if (ret) {
		kb_sha256_free(&fctx);
		free(buf);
		return ret;
	}
	*comp = KB_COMP_NONE;
	for (;;) {
		/* Full chunks: the magic number must not be split by a short read. */
		n = read_full(fd, buf, CHUNK);
		if (n < 0) {
			ret = (int)n;
			goto out;
		}
		if (first) {
			*comp = sniff(buf, (size_t)n);
			ret = decoder_init(&d, *comp, &ictx);
			if (ret < 0)
				goto out;
			first = false;
		}
		kb_sha256_update(&fctx, buf, (size_t)n);
		if (*comp != KB_COMP_NONE) {
			ret = decoder_feed(&d, buf, (size_t)n, n < CHUNK);
			if (ret < 0)
				goto out;
		}
		if (n < CHUNK)
			break;
	}
	ret = kb_sha256_final(&fctx, file);
	if (!ret && *comp != KB_COMP_NONE)
		ret = kb_sha256_final(&ictx, image);
out:
	kb_sha256_free(&fctx);
	kb_sha256_free(&ictx);
	decoder_free(&d);
	free(buf);
	return ret;
}

int kb_module_list_digests(int fd, uint8_t file[KB_SHA256_LEN], uint8_t image[KB_SHA256_LEN],
			   int *has_image)
{
	enum kb_compression comp;
	int ret;

	*has_image = 0;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	ret = kb_module_digests(fd, &comp, file, image);
	if (!ret) {
		*has_image = comp != KB_COMP_NONE;
		return 0;
	}
	if (ret != -EOPNOTSUPP && ret != -EBADMSG)
		return ret;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return kb_sha256_fd(fd, file, NULL);	/* 0, -ENOMEM or -errno */
}
