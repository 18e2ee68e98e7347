// SPDX-License-Identifier: GPL-2.0
/*
 * scan: what the collectors (sys.c, live.c) and the engine's own walks
 * record into a scan: evidence for a product, the sources looked at, and
 * the files hashed onto the generated list. Kept apart from the engine so
 * that the collectors it calls do not call back into it.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/modimage.h"
#include "record.h"
#include "root.h"

int kb_hit_add(struct kb_hit *hit, enum kb_ev_kind kind, bool weak, const char *value,
	       const char *detail)
{
	struct kb_evidence *e;

	if (KB_GROW(hit->ev, hit->n_ev, hit->cap_ev))
		return -ENOMEM;
	e = &hit->ev[hit->n_ev];
	e->kind = kind;
	e->weak = weak;
	e->value = strdup(value);
	e->detail = strdup(detail ? detail : "");
	if (!e->value || !e->detail) {
		free(e->value);
		free(e->detail);
		return -ENOMEM;
	}
	hit->n_ev++;
	return 0;
}

int kb_scan_source(struct kb_scan *scan, const char *kind, const char *path,
		   enum kb_source_state state, const char *fmt, ...)
{
	struct kb_source *s;
	struct kb_buf d = { 0 };
	va_list ap;
	int n;

	if (KB_GROW(scan->src, scan->n_src, scan->cap_src))
		return -ENOMEM;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	d.s = malloc((size_t)(n < 0 ? 0 : n) + 1);
	if (!d.s)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(d.s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	s = &scan->src[scan->n_src];
	s->kind = strdup(kind);
	s->path = strdup(path);
	s->state = state;
	s->detail = d.s;
	if (!s->kind || !s->path) {
		free(s->kind);
		free(s->path);
		free(s->detail);
		return -ENOMEM;
	}
	scan->n_src++;
	if (state == KB_SRC_ERROR)
		scan->errors++;
	return 0;
}

int kb_scan_hash_one(struct kb_scan *scan, int rootfd, struct kb_hit *hit, const char *path)
{
	uint8_t head[KB_CLASS_HEAD], digest[KB_SHA256_LEN], image[KB_SHA256_LEN];
	int has_image = 0;
	uint64_t max = scan->opts->max_size ? scan->opts->max_size : KB_MAX_SIZE_DEFAULT;
	enum kb_class cls;
	struct stat st;
	ssize_t r;
	int fd, ret = 0;

	if (!scan->opts->hash)
		return 0;
	fd = kb_root_openat(rootfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		scan->walk.unreadable++;
		scan->errors++;
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	r = pread(fd, head, sizeof(head), 0);
	cls = kb_file_classify(path, st.st_mode, head, r < 0 ? 0 : (size_t)r, (uint64_t)st.st_size);
	if (cls == KB_CLASS_NONE)
		goto out;
	scan->walk.qualifying++;
	if ((uint64_t)st.st_size > max) {
		scan->walk.oversize++;
	} else if (cls == KB_CLASS_MODULE
			   ? kb_module_list_digests(fd, digest, image, &has_image) < 0
			   : (has_image = 0, kb_sha256_fd(fd, digest, NULL) < 0)) {
		scan->walk.unreadable++;
		scan->errors++;
	} else {
		scan->walk.hashed++;
		scan->walk.bytes_hashed += (uint64_t)st.st_size;
		/* A compressed module: both digests (lib/blocklist.h). */
		ret = kb_blocklist_add_module(&scan->bl, digest, has_image ? image : NULL,
					      hit->product->id, path, (uint64_t)st.st_size);
	}
out:
	close(fd);
	return ret;
}
