/* SPDX-License-Identifier: GPL-2.0 */
/* Walking a product directory: classify (and hash) every regular file, follow no symlink. */
#ifndef KB_SCAN_WALK_H
#define KB_SCAN_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/blocklist.h"
#include "lib/util.h"

#define KB_WALK_DEPTH_DEFAULT 64

struct kb_walk_stats {
	uint64_t dirs;		/* directories entered, the start included */
	uint64_t files;		/* regular files seen */
	uint64_t qualifying;	/* of those, files kb_file_classify() keeps */
	uint64_t hashed;
	uint64_t bytes_hashed;
	uint64_t oversize;	/* qualifying but larger than max_size: not hashed */
	uint64_t unreadable;	/* files or directories that could not be opened or read */
	uint64_t special;	/* FIFOs, sockets, devices: skipped */
	uint64_t symlinks;	/* not followed */
	uint64_t too_deep;	/* directories below max_depth: skipped */
	uint64_t loops;		/* directories that are their own ancestor (bind mounts) */
};

/*
 * Called for each qualifying file. digest is NULL when the walk does not
 * hash, or the file was too big or unreadable. image is the digest of a
 * compressed kernel module's decompressed image (digest being the file's),
 * else NULL. A negative return stops the walk and is returned by kb_walk().
 */
typedef int (*kb_walk_fn)(void *ctx, const char *path, enum kb_class cls,
			  const uint8_t *digest, const uint8_t *image, uint64_t size);

struct kb_walk_opts {
	unsigned int max_depth;		/* 0: KB_WALK_DEPTH_DEFAULT */
	uint64_t max_size;		/* 0: no limit */
	bool hash;
	const struct kb_strv *prune;	/* paths not to enter (walked by someone else) */
	kb_walk_fn file;
	void *ctx;			/* for file */
	void (*progress)(void *progress_ctx, const char *path);	/* every entry */
	void *progress_ctx;
};

/*
 * Walk dir (an absolute path inside rootfd; a symlink naming the start is
 * followed within the root, nothing below it is). Counts go to stats, which
 * is added to, not reset. Returns 0, -ENOENT/-ENOTDIR/-EACCES... when dir
 * itself cannot be opened, -ENOMEM, or what the callback returned.
 */
int kb_walk(int rootfd, const char *dir, const struct kb_walk_opts *opts,
	    struct kb_walk_stats *stats);

/* stats += more */
void kb_walk_stats_add(struct kb_walk_stats *stats, const struct kb_walk_stats *more);

#endif
