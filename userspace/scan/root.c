// SPDX-License-Identifier: GPL-2.0
/*
 * Path lookups confined to the scanned root. An image mounted at --root is
 * untrusted: a symlink /opt/kaspersky -> /etc in it must lead to the image's
 * /etc, not the host's, or the scan would report (and hash) the host.
 * openat2(RESOLVE_IN_ROOT) gives exactly the chroot view without chroot.
 * Kernels before 5.6 lack it; there resolve_in_root() below walks the path
 * one component at a time with O_NOFOLLOW, reading each symlink and
 * resolving its target itself, with "/" and ".." pinned at the root. It
 * never hands the kernel more than one name to follow, so no lookup leaves
 * the root (a plain openat() would follow /opt/x -> /etc to the host's /etc).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "root.h"

int kb_root_open(const char *root)
{
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static const char *rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

/* Tests set this to take the pre-5.6 path on any kernel (tests/unit/scan_test.c). */
int kb_root_have_openat2 = 1;

#define MAX_LINKS 40	/* as the kernel's MAXSYMLINKS */
#define MAX_DEPTH 256	/* directories held open on the way down */

/*
 * The fallback for openat2(RESOLVE_IN_ROOT): dirs[] is the stack of
 * directories from the root down, so ".." is a close and never goes above
 * dirs[0]; a symlink's target is spliced in front of the rest of the path
 * and, when absolute, restarts from the root. The last component is opened
 * with the caller's flags and O_NOFOLLOW, so a symlink swapped in after we
 * looked fails (ELOOP) instead of being followed outside.
 */
static int resolve_in_root(int rootfd, const char *path, int flags)
{
	int dirs[MAX_DEPTH], depth = 0, links = 0, fd, ret;
	char *work, *rest, *comp, *slash, target[PATH_MAX];
	struct stat st;
	size_t need;

	work = malloc(PATH_MAX);
	if (!work)
		return -ENOMEM;
	if (snprintf(work, PATH_MAX, "%s", path) >= PATH_MAX) {
		free(work);
		return -ENAMETOOLONG;
	}
	dirs[0] = rootfd;
	rest = work;
	for (;;) {
		while (*rest == '/')
			rest++;
		if (!*rest) {
			/* The path ends in a directory (or is the root): open it. */
			fd = openat(dirs[depth], ".", flags | O_CLOEXEC);
			ret = fd < 0 ? -errno : fd;
			break;
		}
		comp = rest;
		slash = strchr(rest, '/');
		if (slash) {
			*slash = '\0';
			rest = slash + 1;
		} else {
			rest = comp + strlen(comp);
		}
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			if (depth > 0)
				close(dirs[depth--]);
			continue;
		}
		fd = openat(dirs[depth], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			break;
		}
		if (fstat(fd, &st) < 0) {
			ret = -errno;
			close(fd);
			break;
		}
		if (S_ISLNK(st.st_mode) && (slash || !(flags & O_NOFOLLOW))) {
			ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);

			close(fd);
			if (n < 0 || ++links > MAX_LINKS) {
				ret = n < 0 ? -errno : -ELOOP;
				break;
			}
			target[n] = '\0';
			/* rest of the path goes behind the target: "target/rest" */
			need = (size_t)n + 1 + strlen(rest) + 1;
			if (need > PATH_MAX) {
				ret = -ENAMETOOLONG;
				break;
			}
			memmove(work + n + 1, rest, strlen(rest) + 1);
			memcpy(work, target, (size_t)n);
			work[n] = '/';
			rest = work;
			if (target[0] == '/')
				while (depth > 0)
					close(dirs[depth--]);
			continue;
		}
		if (!slash || !*rest) {
			/* The last name: open it for real, never following a link. */
			if ((flags & O_PATH) && !(flags & O_DIRECTORY)) {
				ret = fd;
			} else {
				ret = openat(dirs[depth], comp, flags | O_NOFOLLOW | O_CLOEXEC);
				ret = ret < 0 ? -errno : ret;
				close(fd);
			}
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			close(fd);
			ret = -ENOTDIR;
			break;
		}
		if (depth + 1 >= MAX_DEPTH) {
			close(fd);
			ret = -ENAMETOOLONG;
			break;
		}
		dirs[++depth] = fd;
	}
	while (depth > 0)
		close(dirs[depth--]);
	free(work);
	return ret;
}

int kb_root_openat(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (kb_root_have_openat2) {
		fd = (int)syscall(SYS_openat2, rootfd, rel(path), &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS)
			return -errno;
		kb_root_have_openat2 = 0;
	}
	return resolve_in_root(rootfd, path, flags);
}

/* Split path into its parent (opened within the root) and last component. */
static int open_parent(int rootfd, const char *path, char *last, size_t size)
{
	const char *p = rel(path), *slash = strrchr(p, '/');
	char parent[PATH_MAX];

	if (!slash) {
		if (strlen(p) >= size)
			return -ENAMETOOLONG;
		strcpy(last, p);
		return kb_root_openat(rootfd, "/", O_PATH | O_DIRECTORY);
	}
	if ((size_t)(slash - p) >= sizeof(parent) || strlen(slash + 1) >= size)
		return -ENAMETOOLONG;
	memcpy(parent, p, (size_t)(slash - p));
	parent[slash - p] = '\0';
	strcpy(last, slash + 1);
	if (!*last)
		strcpy(last, ".");
	return kb_root_openat(rootfd, parent, O_PATH | O_DIRECTORY);
}

int kb_root_stat(int rootfd, const char *path, struct stat *st, int nofollow)
{
	char last[NAME_MAX + 1];
	int fd, ret = 0;

	if (!nofollow) {
		fd = kb_root_openat(rootfd, path, O_PATH);
		if (fd < 0)
			return fd;
		if (fstat(fd, st) < 0)
			ret = -errno;
		close(fd);
		return ret;
	}
	fd = open_parent(rootfd, path, last, sizeof(last));
	if (fd < 0)
		return fd;
	if (fstatat(fd, last, st, AT_SYMLINK_NOFOLLOW) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int kb_root_readlink(int rootfd, const char *path, char *buf, size_t size)
{
	char last[NAME_MAX + 1];
	ssize_t n;
	int fd;

	if (size == 0)
		return -EINVAL;
	fd = open_parent(rootfd, path, last, sizeof(last));
	if (fd < 0)
		return fd;
	n = readlinkat(fd, last, buf, size - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return (int)n;
}

int kb_fd_read_all(int fd, size_t max, char **text, size_t *len)
{
	struct stat st;
	size_t cap, n = 0;
	char *buf, *p;
	ssize_t r;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	if ((uint64_t)st.st_size > max)
		return -EFBIG;
	/* Files in /proc say size 0 and are not empty: grow as we go. */
	cap = st.st_size ? (size_t)st.st_size + 1 : 4096;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(buf);
				return -EFBIG;
			}
			cap *= 2;
			p = realloc(buf, cap + 1);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int kb_root_read(int rootfd, const char *path, size_t max, char **text, size_t *len)
{
	int fd, ret;

	fd = kb_root_openat(rootfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	ret = kb_fd_read_all(fd, max, text, len);
	close(fd);
	return ret;
}

static int fd_path(int fd, char *out, size_t size)
{
	char proc[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, out, size - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size - 1)
		return -ENAMETOOLONG;
	out[n] = '\0';
	return 0;
}

int kb_root_hostpath(int rootfd, const char *path, char *out, size_t size)
{
	int fd = kb_root_openat(rootfd, path, O_PATH), ret;

	if (fd < 0)
		return fd;
	ret = fd_path(fd, out, size);
	close(fd);
	return ret;
}

int kb_root_canon(int rootfd, const char *path, char *out, size_t size)
{
	char rootpath[PATH_MAX], full[PATH_MAX];
	size_t rl;
	int ret;

	ret = fd_path(rootfd, rootpath, sizeof(rootpath));
	if (!ret)
		ret = kb_root_hostpath(rootfd, path, full, sizeof(full));
	if (ret)
		return ret;
	rl = strcmp(rootpath, "/") ? strlen(rootpath) : 0;
	if (strncmp(full, rootpath, rl) || (full[rl] != '/' && full[rl] != '\0'))
		return -EXDEV;	/* resolved outside the root: cannot happen with openat2 */
	snprintf(out, size, "%s", full[rl] ? full + rl : "/");
	return 0;
}
