// SPDX-License-Identifier: GPL-2.0
/*
 * The directory walker behind scan --emit-blocklist. It works with
 * openat()/fdopendir() relative to the parent's fd instead of nftw(): the
 * start must resolve inside --root, path length is unbounded in hostile
 * trees, and a name renamed under us cannot redirect the walk elsewhere.
 * Symlinks are never followed, so they cannot loop; a bind mount can, so
 * every directory is checked against its ancestors' (dev, ino). Depth is
 * bounded, which also bounds the number of open directories.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/modimage.h"
#include "lib/sha256.h"
#include "root.h"
#include "walk.h"

struct ancestor {
	dev_t dev;
	ino_t ino;
	const struct ancestor *up;
};

struct walk {
	const struct kb_walk_opts *opts;
	struct kb_walk_stats *st;
	struct kb_buf path;
};

static bool pruned(const struct walk *w)
{
	const struct kb_strv *p = w->opts->prune;
	size_t i;

	for (i = 0; p && i < p->n; i++)
		if (!strcmp(p->v[i], w->path.s))
			return true;
	return false;
}

static bool is_ancestor(const struct ancestor *a, const struct stat *st)
{
	for (; a; a = a->up)
		if (a->dev == st->st_dev && a->ino == st->st_ino)
			return true;
	return false;
}

static int open_file(int dfd, const char *name)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int fd;

	/* Leave atimes alone where we may: a scan is often forensic. */
	fd = openat(dfd, name, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dfd, name, flags);
	return fd;
}

static int visit_file(struct walk *w, int dfd, const char *name, const struct stat *lst)
{
	uint8_t head[KB_CLASS_HEAD], digest[KB_SHA256_LEN], image[KB_SHA256_LEN], *dp = NULL;
	uint8_t *ip = NULL;
	int has_image;
	enum kb_class cls;
	struct stat st;
	uint64_t n;
	ssize_t r;
	int fd, ret;

	w->st->files++;
	if (lst->st_size == 0)
		return 0;
	fd = open_file(dfd, name);
	if (fd < 0) {
		w->st->unreadable++;
		return 0;
	}
	/* Replaced by a FIFO or another file between fstatat() and open()? */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_ino != lst->st_ino ||
	    st.st_dev != lst->st_dev) {
		w->st->special++;
		ret = 0;
		goto out;
	}
	r = pread(fd, head, sizeof(head), 0);
	if (r < 0) {
		w->st->unreadable++;
		ret = 0;
		goto out;
	}
	cls = kb_file_classify(name, st.st_mode, head, (size_t)r, (uint64_t)st.st_size);
	if (cls == KB_CLASS_NONE) {
		ret = 0;
		goto out;
	}
	w->st->qualifying++;
	if (w->opts->hash) {
		if (w->opts->max_size && (uint64_t)st.st_size > w->opts->max_size) {
			w->st->oversize++;
		} else if (cls == KB_CLASS_MODULE) {
			/* Both digests: the kernel sees the decompressed image via init_module(2). */
			if (kb_module_list_digests(fd, digest, image, &has_image) < 0) {
				w->st->unreadable++;
			} else {
				w->st->hashed++;
				w->st->bytes_hashed += (uint64_t)st.st_size;
				dp = digest;
				ip = has_image ? image : NULL;
			}
		} else if (kb_sha256_fd(fd, digest, &n) < 0) {
			w->st->unreadable++;
		} else {
			w->st->hashed++;
			w->st->bytes_hashed += n;
			dp = digest;
		}
	}
	ret = w->opts->file ? w->opts->file(w->opts->ctx, w->path.s, cls, dp, ip,
					      (uint64_t)st.st_size) : 0;
out:
	close(fd);
	return ret;
}

static int walk_dir(struct walk *w, int fd, unsigned int depth, const struct ancestor *up)
{
	unsigned int max_depth = w->opts->max_depth ? w->opts->max_depth : KB_WALK_DEPTH_DEFAULT;
	struct ancestor self;
	struct dirent *de;
	struct stat st;
	size_t base;
	DIR *d;
	int ret = 0;

	if (fstat(fd, &st) < 0) {
		close(fd);
		w->st->unreadable++;
		return 0;
	}
	self.dev = st.st_dev;
	self.ino = st.st_ino;
	self.up = up;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		w->st->unreadable++;
		return 0;
	}
	w->st->dirs++;
	base = w->path.len;
	while ((errno = 0, de = readdir(d))) {
		const char *name = de->d_name;
		int sub;

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		w->path.len = base;
		w->path.s[base] = '\0';
		if ((base == 0 || w->path.s[base - 1] != '/') && kb_buf_add(&w->path, "/", 1))
			goto nomem;
		if (kb_buf_adds(&w->path, name))
			goto nomem;
		if (w->opts->progress)
			w->opts->progress(w->opts->progress_ctx, w->path.s);
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			w->st->unreadable++;
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			w->st->symlinks++;
		} else if (S_ISREG(st.st_mode)) {
			ret = visit_file(w, dirfd(d), name, &st);
			if (ret)
				break;
		} else if (S_ISDIR(st.st_mode)) {
			if (pruned(w))
				continue;
			if (depth + 1 > max_depth) {
				w->st->too_deep++;
				continue;
			}
			if (is_ancestor(&self, &st)) {
				w->st->loops++;
				continue;
			}
			sub = openat(dirfd(d), name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				w->st->unreadable++;
				continue;
			}
			ret = walk_dir(w, sub, depth + 1, &self);
			if (ret)
				break;
		} else {
			w->st->special++;
		}
	}
	if (!ret && errno)
		w->st->unreadable++;
	w->path.len = base;
	w->path.s[base] = '\0';
	closedir(d);
	return ret;
nomem:
	closedir(d);
	return -ENOMEM;
}

int kb_walk(int rootfd, const char *dir, const struct kb_walk_opts *opts,
	    struct kb_walk_stats *stats)
{
	struct walk w = { .opts = opts, .st = stats };
	int fd, ret;

	fd = kb_root_openat(rootfd, dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fd;
	if (kb_buf_adds(&w.path, dir)) {
		close(fd);
		return -ENOMEM;
	}
	ret = walk_dir(&w, fd, 0, NULL);
	kb_buf_free(&w.path);
	return ret;
}

void kb_walk_stats_add(struct kb_walk_stats *s, const struct kb_walk_stats *m)
{
	s->dirs += m->dirs;
	s->files += m->files;
	s->qualifying += m->qualifying;
	s->hashed += m->hashed;
	s->bytes_hashed += m->bytes_hashed;
	s->oversize += m->oversize;
	s->unreadable += m->unreadable;
	s->special += m->special;
	s->symlinks += m->symlinks;
	s->too_deep += m->too_deep;
	s->loops += m->loops;
}
