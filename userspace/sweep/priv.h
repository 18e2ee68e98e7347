/* SPDX-License-Identifier: GPL-2.0 */
/* sweep: what the files of sweep/ share with each other and nobody else. */
#ifndef KB_SWEEP_PRIV_H
#define KB_SWEEP_PRIV_H

#include <stddef.h>

#include "lib/util.h"
#include "sweep.h"

/* Note something not looked at. path and module are copied (either may be NULL). */
int kb_sweep_unchecked_add(struct kb_sweep *sw, pid_t pid, const char *path, size_t path_len,
			   const char *module, int err);

/*
 * How the file behind one executable mapping of a process can be opened:
 * through procfs directory dirfd of the process.
 */
struct kb_sweep_source {
	int dirfd;			/* <proc>/<pid>, or a live thread's task/<tid> */
	bool map_files;			/* dirfd has map_files (a thread's directory has not) */
	const struct kb_map *map;
	bool exe;			/* the mapping is the process's executable */
};

/*
 * The listed entry the file of src has, or NULL, in *entry. Hashes the file
 * unless this sweep already did (the same file by fstat() of the opened
 * file: device, inode, size, mtime, ctime; not maps' device and inode, which
 * btrfs subvolumes share).
 * Returns 0, -ENOMEM, -ENOENT or -ESRCH when the mapping or the process is
 * gone, or -errno when the file could not be read: EFBIG larger than
 * sw->max_size, ESTALE its path now names another file, EPERM map_files
 * refused and nothing else worked, EOPNOTSUPP no map_files (a zombie
 * leader's process) and nothing else worked, EIO.
 */
int kb_sweep_file_check(struct kb_sweep *sw, const struct kb_sweep_source *src,
			const struct kb_entry **entry);

/* Hash an already opened file, counting it; -EFBIG over sw->max_size, -EINVAL not regular. */
int kb_sweep_hash_fd(struct kb_sweep *sw, int fd, const struct kb_entry **entry);

void kb_sweep_cache_free(struct kb_sweep_cache *cache);

/* Free what one process's record holds, and zero it. */
void kb_sweep_proc_free(struct kb_sweep_proc *p);

#endif
