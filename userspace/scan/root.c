// SPDX-License-Identifier: GPL-2.0
/*
 * Path lookups confined to the scanned root. An image mounted at --root is
 * untrusted: a symlink /opt/kaspersky -> /etc in it must lead to the image's
 * /etc, not the host's, or the scan would report (and hash) the host.
 * openat2(RESOLVE_IN_ROOT) gives exactly the chroot view without chroot.
 * Kernels before 5.6 lack it; there we fall back to a plain openat() below
 * the root, which is only right for images without absolute symlinks, and
 * is the same thing for the live root "/".
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

int kb_root_openat(int rootfd, const char *path, int flags)
{
	static int have_openat2 = 1;
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (have_openat2) {
		fd = (int)syscall(SYS_openat2, rootfd, rel(path), &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS)
			return -errno;
		have_openat2 = 0;
	}
	fd = openat(rootfd, rel(path), flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
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
