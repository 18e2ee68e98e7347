// SPDX-License-Identifier: GPL-2.0
/*
 * sweep: the digest of each distinct mapped file, found once per sweep.
 *
 * First from the module: every exec and executable mapping already hashed
 * the file, and its digest cache answers for an open descriptor as long as
 * the file is unchanged (KASBLOCK_CMD_GET_FILE_DIGEST), so a sweep of a busy
 * host reads almost nothing. What the module does not know is hashed here.
 * Either way the answer is remembered by the identity fstat() gives the
 * opened file: its device and inode, with size, mtime and ctime besides. Not
 * by the device and inode /proc/PID/maps prints: maps names the superblock's
 * device, which every btrfs subvolume shares while inode numbers restart in
 * each, so two unrelated files can print the same pair, and one's verdict
 * would be reused for the other. fstat() gives the subvolume's own device.
 * On a busy host most processes map the same few dozen files, and every
 * later process costs a maps read, an open and a table lookup. A failure that belongs to
 * the file (too large, read error) is remembered too; one that belongs to
 * the way in (a process gone, map_files refused) is not.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/sha256.h"
#include "priv.h"

/* What tells one file from another: fstat() of the open file, never maps' fields alone. */
struct file_id {
	dev_t dev;
	uint64_t ino;
	int64_t size;
	struct timespec mtime, ctime;
};

struct cached {
	struct file_id id;
	bool used;
	int err;			/* 0: hashed; else the file's own failure, positive */
	const struct kb_entry *entry;
};

struct kb_sweep_cache {
	struct cached *slots;
	size_t cap, n;			/* cap is a power of two, at most half full */
};

static int entry_cmp(const void *key, const void *elem)
{
	return memcmp(key, ((const struct kb_entry *)elem)->digest, KB_DIGEST_LEN);
}

const struct kb_entry *kb_sweep_lookup(const struct kb_list *list, const uint8_t *digest)
{
	if (!list || !list->len)
		return NULL;
	return bsearch(digest, list->entries, list->len, sizeof(*list->entries), entry_cmp);
}

/* Inode numbers are not secret, but a table is no place for a pathological probe sequence. */
static size_t slot_of(const struct file_id *id, size_t cap)
{
	uint64_t h = id->ino ^ ((uint64_t)id->dev * 0x9e3779b97f4a7c15ULL);

	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (size_t)h & (cap - 1);
}

static bool same_id(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static struct cached *cache_find(struct kb_sweep_cache *c, const struct file_id *id)
{
	size_t i;

	if (!c || !c->cap)
		return NULL;
	for (i = slot_of(id, c->cap); c->slots[i].used; i = (i + 1) & (c->cap - 1)) {
		if (same_id(&c->slots[i].id, id))
			return &c->slots[i];
	}
	return NULL;
}

static int cache_resize(struct kb_sweep_cache *c, size_t cap)
{
	struct cached *old = c->slots;
	size_t i, j, old_cap = c->cap;

	c->slots = calloc(cap, sizeof(*c->slots));
	if (!c->slots) {
		c->slots = old;
		return -ENOMEM;
	}
	c->cap = cap;
	for (i = 0; i < old_cap; i++) {
		if (!old[i].used)
			continue;
		for (j = slot_of(&old[i].id, cap); c->slots[j].used; j = (j + 1) & (cap - 1))
			;
		c->slots[j] = old[i];
	}
	free(old);
	return 0;
}

static int cache_add(struct kb_sweep *sw, const struct file_id *id, int err,
		     const struct kb_entry *entry)
{
	struct kb_sweep_cache *c = sw->cache;
	size_t i;
	int ret;

	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		sw->cache = c;
	}
	if (2 * (c->n + 1) > c->cap) {
		ret = cache_resize(c, c->cap ? 2 * c->cap : 256);
		if (ret)
			return ret;
	}
	for (i = slot_of(id, c->cap); c->slots[i].used; i = (i + 1) & (c->cap - 1))
		;
	c->slots[i] = (struct cached){ .id = *id, .used = true, .err = err, .entry = entry };
	c->n++;
	return 0;
}

void kb_sweep_cache_free(struct kb_sweep_cache *cache)
{
	if (!cache)
		return;
	free(cache->slots);
	free(cache);
}

int kb_sweep_hash_fd(struct kb_sweep *sw, int fd, const struct kb_entry **entry)
{
	uint8_t digest[KB_SHA256_LEN];
	struct stat st;
	uint64_t bytes;
	int ret;

	*entry = NULL;
	if (fstat(fd, &st))
		return -errno;
	/* The module hashes regular files only; a mapped device could be endless. */
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > sw->max_size)
		return -EFBIG;
	/* Nothing listed: nothing can match, and reading every binary would be wasted. */
	if (!sw->list || !sw->list->len)
		return 0;
	if (sw->known_digest) {
		ret = sw->known_digest(sw->known_ctx, fd, digest);
		if (!ret) {
			sw->stats.files_cached++;
			*entry = kb_sweep_lookup(sw->list, digest);
			return 0;
		}
		if (ret == -EOPNOTSUPP)
			sw->known_digest = NULL;
	}
	ret = kb_sha256_fd(fd, digest, &bytes);
	if (ret < 0)
		return ret;
	sw->stats.files++;
	sw->stats.bytes += bytes;
	*entry = kb_sweep_lookup(sw->list, digest);
	return 0;
}

/* Open dirfd/name read-only if it is a regular file; without touching its atime when we may. */
static int open_regular(int dirfd, const char *name)
{
	struct stat st;
	int fd;

	/* Before opening: opening a device or a FIFO can block or have effects. */
	if (fstatat(dirfd, name, &st, 0))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

/*
 * The device maps prints for fd: its superblock's, which is the major:minor
 * of fd's mount in <pid>/mountinfo (fstat() may give a btrfs subvolume's
 * own device instead). 0 if it cannot be told.
 */
static dev_t superblock_dev(int fd, int dirfd)
{
	char path[64], line[4096], *text = NULL;
	unsigned int maj, min;
	int mnt_id = -1, id;
	size_t len = 0;
	dev_t dev = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %d", &mnt_id) == 1)
			break;
	fclose(f);
	if (mnt_id < 0)
		return 0;
	id = openat(dirfd, "mountinfo", O_RDONLY | O_CLOEXEC);
	if (id < 0)
		return 0;
	f = fdopen(id, "re");
	if (!f) {
		close(id);
		return 0;
	}
	while (getline(&text, &len, f) > 0) {
		if (sscanf(text, "%d %*d %u:%u", &id, &maj, &min) == 3 && id == mnt_id) {
			dev = makedev(maj, min);
			break;
		}
	}
	free(text);
	fclose(f);
	return dev;
}

/*
 * The file a fallback opened must be the one mapped: same inode, and the
 * same device as maps spells it (fstat()'s, or that of the superblock the
 * file's mount is of), not the inode alone: inode numbers repeat across
 * file systems and btrfs subvolumes.
 */
static int check_same(int fd, const struct kb_map *map, int dirfd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if ((uint64_t)st.st_ino != map->ino)
		return -ESTALE;
	if (st.st_dev == map->dev || superblock_dev(fd, dirfd) == map->dev)
		return 0;
	return -ESTALE;
}

/*
 * The mapped file: map_files reaches it whatever became of its name, in any
 * mount namespace, but needs CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE). Then
 * the executable link, then the path under the process's root, which must
 * still name the same inode. Returns an fd, -ENOENT or -ESRCH when the
 * mapping or the process is gone, or why the file could not be reached.
 */
static int open_mapped(const struct kb_sweep_source *src)
{
	const struct kb_map *map = src->map;
	char name[PATH_MAX + 8];
	int fd, first = -EOPNOTSUPP, ret;

	if (src->map_files) {
		snprintf(name, sizeof(name), "map_files/%lx-%lx", map->start, map->end);
		fd = open_regular(src->dirfd, name);
		if (fd >= 0 || fd == -EINVAL || fd == -ENOENT || fd == -ESRCH)
			return fd;
		first = fd;
	}
	if (src->exe) {
		fd = open_regular(src->dirfd, "exe");
		if (fd >= 0) {
			ret = check_same(fd, map, src->dirfd);
			if (!ret)
				return fd;
			close(fd);
		}
	}
	/* A deleted file's name leads nowhere, or to a new file. */
	if (!map->deleted && map->path_len && map->path[0] == '/' &&
	    map->path_len + 5 < sizeof(name)) {
		snprintf(name, sizeof(name), "root%.*s", (int)map->path_len, map->path);
		fd = open_regular(src->dirfd, name);
		if (fd >= 0 || fd == -EINVAL) {
			ret = fd >= 0 ? check_same(fd, map, src->dirfd) : 0;
			if (!ret)
				return fd;
			close(fd);
			return ret;
		}
	}
	return first;
}

int kb_sweep_file_check(struct kb_sweep *sw, const struct kb_sweep_source *src,
			const struct kb_entry **entry)
{
	struct file_id id;
	struct cached *c;
	struct stat st;
	int fd, ret, err;

	*entry = NULL;
	fd = open_mapped(src);
	if (fd == -EINVAL)	/* not a regular file: nothing the module would hash either */
		return 0;
	if (fd < 0)
		return fd;	/* the way in failed, not the file: the next process may do better */
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	id = (struct file_id){ .dev = st.st_dev, .ino = st.st_ino, .size = st.st_size,
			       .mtime = st.st_mtim, .ctime = st.st_ctim };
	c = cache_find(sw->cache, &id);
	if (c) {
		close(fd);
		*entry = c->entry;
		return -c->err;
	}
	ret = kb_sweep_hash_fd(sw, fd, entry);
	close(fd);
	switch (ret) {
	case 0:
	case -EINVAL:
		return cache_add(sw, &id, 0, *entry);
	case -EFBIG:
		sw->stats.files_oversize++;
		/* fall through */
	case -EIO:
		/* The file's own failure: the same for everyone who maps it. */
		err = -ret;
		ret = cache_add(sw, &id, err, NULL);
		return ret ? ret : -err;
	}
	return ret;
}
