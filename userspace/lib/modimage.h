/* SPDX-License-Identifier: GPL-2.0 */
/* Digests of a kernel module file and, when it is compressed, of the image inside. */
#ifndef KB_MODIMAGE_H
#define KB_MODIMAGE_H

#include <stdint.h>

#include "sha256.h"

enum kb_compression {
	KB_COMP_NONE,
	KB_COMP_XZ,
	KB_COMP_ZSTD,
	KB_COMP_GZIP,
};

/* "xz", "zstd", "gzip", or "none". */
const char *kb_compression_name(enum kb_compression comp);

/* Whether this build can decompress comp (the library was there when it was built). */
int kb_compression_supported(enum kb_compression comp);

/*
 * Hash the module read from fd in one pass. file gets the SHA-256 of the
 * bytes (what finit_module(2) gives the module's hook). When the bytes are
 * xz, zstd or gzip data (told by their magic number, not the file's name),
 * *comp says which and image gets the SHA-256 of the decompressed bytes (what
 * init_module(2) receives from a modprobe that decompresses); otherwise *comp
 * is KB_COMP_NONE and image is left alone. Returns 0, -EOPNOTSUPP when this
 * build cannot decompress the format, -EBADMSG for corrupt or truncated
 * compressed data, -ENOMEM, or read(2)'s -errno. Never prints.
 */
int kb_module_digests(int fd, enum kb_compression *comp, uint8_t file[KB_SHA256_LEN],
		      uint8_t image[KB_SHA256_LEN]);

/*
 * The digests a blocklist needs for a module file read from fd, from its
 * start: as kb_module_digests(), with *has_image saying whether image was
 * set (compressed data this build can decompress). Data this build cannot
 * decompress, or corrupt, still gets the file's digest (*has_image false).
 * Returns 0 or -errno.
 */
int kb_module_list_digests(int fd, uint8_t file[KB_SHA256_LEN], uint8_t image[KB_SHA256_LEN],
			   int *has_image);

#endif
