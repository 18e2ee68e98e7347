/* SPDX-License-Identifier: GPL-2.0 */
/* Looking up paths inside the scanned root (a live host "/" or a mounted image). */
#ifndef KB_SCAN_ROOT_H
#define KB_SCAN_ROOT_H

#include <stddef.h>
#include <sys/stat.h>

/* Open root as a directory handle for the calls below. Returns an fd or -errno. */
int kb_root_open(const char *root);

/*
 * openat() of an absolute path as seen from inside rootfd: symlinks, ".." and
 * absolute link targets resolve within the root, as they would for a process
 * chrooted there (openat2 RESOLVE_IN_ROOT). Returns an fd or -errno.
 */
int kb_root_openat(int rootfd, const char *path, int flags);

/*
 * 1 until openat2() says ENOSYS; then kb_root_openat() resolves each name
 * itself with O_NOFOLLOW (never a plain openat() of the whole path). Only
 * tests set it to 0, to take that path on a kernel that has openat2().
 */
extern int kb_root_have_openat2;

/* stat (follow symlinks within the root) or lstat (nofollow) of path. 0 or -errno. */
int kb_root_stat(int rootfd, const char *path, struct stat *st, int nofollow);

/* readlink of path itself. Returns the length or -errno; buf is NUL-terminated. */
int kb_root_readlink(int rootfd, const char *path, char *buf, size_t size);

/*
 * Read a whole regular file into a malloc'ed, NUL-terminated buffer. Refuses
 * (-EFBIG) files of more than max bytes and (-EINVAL) anything not regular,
 * so a FIFO planted in an image cannot hang the scan.
 */
int kb_root_read(int rootfd, const char *path, size_t max, char **text, size_t *len);

/*
 * The canonical form of path inside the root (what realpath(3) would say in
 * a chroot there), into out. 0 or -errno.
 */
int kb_root_canon(int rootfd, const char *path, char *out, size_t size);

/*
 * The canonical path of path on the host (root's own canonical path in
 * front). Processes' executables are compared against this. 0 or -errno.
 */
int kb_root_hostpath(int rootfd, const char *path, char *out, size_t size);

/* Read from an fd already open; same rules. */
int kb_fd_read_all(int fd, size_t max, char **text, size_t *len);

#endif
