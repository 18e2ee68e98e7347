// SPDX-License-Identifier: GPL-2.0
/*
 * sweep: every process's executable mappings, looked up against the list.
 *
 * Each process is read through one open /proc/PID directory, so a pid reused
 * halfway cannot mix two processes: files under the directory of a task that
 * exited fail with ESRCH or ENOENT, which counts it as exited. Threads share
 * their leader's mappings, and /proc lists only leaders, so each process is
 * read once.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "priv.h"

#define DELETED_SUFFIX " (deleted)"

void kb_sweep_init(struct kb_sweep *sw, const struct kb_list *list)
{
	memset(sw, 0, sizeof(*sw));
	sw->proc = "/proc";
	sw->list = list;
	sw->max_size = UINT64_MAX;
}

void kb_sweep_free(struct kb_sweep *sw)
{
	size_t i, j;

	for (i = 0; i < sw->n_procs; i++) {
		for (j = 0; j < sw->procs[i].n_matches; j++)
			free(sw->procs[i].matches[j].path);
		free(sw->procs[i].matches);
		free(sw->procs[i].exe);
	}
	free(sw->procs);
	for (i = 0; i < sw->n_mods; i++) {
		free(sw->mods[i].name);
		free(sw->mods[i].path);
	}
	free(sw->mods);
	for (i = 0; i < sw->n_unchecked; i++) {
		free(sw->unchecked[i].path);
		free(sw->unchecked[i].module);
	}
	free(sw->unchecked);
	kb_sweep_cache_free(sw->cache);
	sw->procs = NULL;
	sw->mods = NULL;
	sw->unchecked = NULL;
	sw->cache = NULL;
	sw->n_procs = sw->n_mods = sw->n_unchecked = 0;
	sw->cap_procs = sw->cap_mods = sw->cap_unchecked = 0;
}

int kb_sweep_unchecked_add(struct kb_sweep *sw, pid_t pid, const char *path, size_t path_len,
			   const char *module, int err)
{
	struct kb_sweep_unchecked *u;

	if (KB_GROW(sw->unchecked, sw->n_unchecked, sw->cap_unchecked))
		return -ENOMEM;
	u = &sw->unchecked[sw->n_unchecked];
	u->pid = pid;
	u->err = err;
	u->path = path ? strndup(path, path_len) : NULL;
	u->module = module ? strdup(module) : NULL;
	if ((path && !u->path) || (module && !u->module)) {
		free(u->path);
		free(u->module);
		return -ENOMEM;
	}
	sw->n_unchecked++;
	return 0;
}

/* Read a small /proc file into buf, NUL-terminated. Returns its length or -errno. */
static ssize_t read_small(int dirfd, const char *name, char *buf, size_t size)
{
	size_t used = 0;
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (used + 1 < size) {
		n = read(fd, buf + used, size - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		used += n;
	}
	close(fd);
	buf[used] = '\0';
	return (ssize_t)used;
}

/* readlinkat() into buf, NUL-terminated; -ENAMETOOLONG if it does not fit. */
static ssize_t read_link(int dirfd, const char *name, char *buf, size_t size)
{
	ssize_t n = readlinkat(dirfd, name, buf, size);

	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return n;
}

/* A process went away while it was read. */
static bool is_gone(int err)
{
	return err == ENOENT || err == ESRCH;
}

static int add_match(struct kb_sweep_proc *p, const struct kb_map *map, bool exe,
		     const struct kb_entry *entry)
{
	struct kb_sweep_match *m;

	if (KB_GROW(p->matches, p->n_matches, p->cap_matches))
		return -ENOMEM;
	m = &p->matches[p->n_matches];
	m->path = strndup(map->path, map->path_len);
	if (!m->path)
		return -ENOMEM;
	m->deleted = map->deleted;
	m->exe = exe;
	m->start = map->start;
	m->end = map->end;
	m->entry = entry;
	p->n_matches++;
	return 0;
}

void kb_sweep_proc_free(struct kb_sweep_proc *p)
{
	size_t i;

	for (i = 0; i < p->n_matches; i++)
		free(p->matches[i].path);
	free(p->matches);
	free(p->exe);
	memset(p, 0, sizeof(*p));
}

/* Keys of the files already looked at in this process: a file is often mapped in several pieces. */
struct seen {
	struct { dev_t dev; uint64_t ino; } *keys;
	size_t n, cap;
};

static bool seen_test_and_add(struct seen *s, dev_t dev, uint64_t ino, int *err)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->keys[i].dev == dev && s->keys[i].ino == ino)
			return true;
	}
	if (KB_GROW(s->keys, s->n, s->cap)) {
		*err = -ENOMEM;
		return true;
	}
	s->keys[s->n].dev = dev;
	s->keys[s->n].ino = ino;
	s->n++;
	return false;
}

/* The facts about the executable: which mapping it is. */
struct exe_info {
	bool have;
	struct stat st;
	char path[PATH_MAX];		/* as readlink gives it, " (deleted)" included */
};

static bool is_exe_mapping(const struct exe_info *exe, const struct kb_map *map)
{
	size_t len = map->path_len + (map->deleted ? strlen(DELETED_SUFFIX) : 0);

	if (!exe->have || (uint64_t)exe->st.st_ino != map->ino)
		return false;
	/* The device as maps spells it and as stat does can differ (btrfs, overlayfs): then the name decides. */
	return exe->st.st_dev == map->dev ||
	       (strlen(exe->path) == len && !memcmp(exe->path, map->path, len));
}

/*
 * Look up every executable file mapping of the process in maps. Returns 0,
 * -ENOMEM, or a positive errno when maps could not be read to its end.
 * *vanished: a file could not be opened because it (or the process) went
 * away; *any: maps had a line.
 */
static int check_maps(struct kb_sweep *sw, const struct kb_sweep_source *where, FILE *maps,
		      struct kb_sweep_proc *p, const struct exe_info *exe, bool *vanished, bool *any)
{
	struct seen seen = { 0 };
	char *line = NULL;
	size_t cap = 0;
	int ret = 0;

	for (;;) {
		const struct kb_entry *entry;
		struct kb_sweep_source src;
		struct kb_map map;
		int err;

		errno = 0;
		if (getline(&line, &cap, maps) <= 0) {
			if (ferror(maps))
				ret = errno ? errno : EIO;
			break;
		}
		*any = true;
		if (kb_sweep_parse_maps_line(line, &map) || !map.exec || !map.ino)
			continue;
		if (seen_test_and_add(&seen, map.dev, map.ino, &ret)) {
			if (ret)
				break;
			continue;
		}
		src = *where;
		src.map = &map;
		src.exe = is_exe_mapping(exe, &map);
		err = kb_sweep_file_check(sw, &src, &entry);
		if (err == -ENOMEM) {
			ret = err;
			break;
		}
		if (err == -ENOENT || err == -ESRCH) {
			/* Unmapped since maps was read, or the whole process is gone: tell which later. */
			*vanished = true;
			continue;
		}
		if (err < 0) {
			if (err != -EFBIG)
				sw->stats.files_unreadable++;
			ret = kb_sweep_unchecked_add(sw, p->pid, map.path, map.path_len, NULL, -err);
			if (ret)
				break;
			continue;
		}
		if (entry) {
			ret = add_match(p, &map, src.exe, entry);
			if (ret)
				break;
		}
	}
	free(line);
	free(seen.keys);
	return ret;
}

/* Does the task of dirfd still run, with this start time? */
static bool same_task(int dirfd, unsigned long long start_time)
{
	struct kb_proc_stat st;
	char buf[1024];

	return read_small(dirfd, "stat", buf, sizeof(buf)) > 0 && !kb_sweep_parse_stat(buf, &st) &&
	       st.start_time == start_time && st.state != 'Z' && st.state != 'X';
}

/*
 * A leader that called pthread_exit() is a zombie while its other threads
 * run on (a known way to look dead): read the process through one of them.
 * Returns an O_DIRECTORY fd of task/<tid> and that thread's start time, or -1.
 */
static int live_thread(int dirfd, pid_t pid, unsigned long long *start_time)
{
	struct dirent *d;
	int taskfd, fd = -1;
	DIR *dir;

	taskfd = openat(dirfd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (taskfd < 0)
		return -1;
	dir = fdopendir(taskfd);
	if (!dir) {
		close(taskfd);
		return -1;
	}
	while (fd < 0 && (d = readdir(dir))) {
		struct kb_proc_stat st;
		char buf[1024];

		if (d->d_name[0] < '0' || d->d_name[0] > '9' || atoi(d->d_name) == pid)
			continue;
		fd = openat(taskfd, d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (read_small(fd, "stat", buf, sizeof(buf)) > 0 && !kb_sweep_parse_stat(buf, &st) &&
		    st.state != 'Z' && st.state != 'X') {
			*start_time = st.start_time;
		} else {
			close(fd);
			fd = -1;
		}
	}
	closedir(dir);
	return fd;
}

/* Strip " (deleted)" from a link target, saying whether it was there. */
static bool strip_deleted(char *path)
{
	size_t len = strlen(path), slen = strlen(DELETED_SUFFIX);

	if (len > slen && !strcmp(path + len - slen, DELETED_SUFFIX)) {
		path[len - slen] = '\0';
		return true;
	}
	return false;
}

/* Count a process as unreadable (err) or, when err says so, as gone. */
static int skip(struct kb_sweep *sw, pid_t pid, int err)
{
	if (is_gone(err)) {
		sw->stats.exited++;
		return 0;
	}
	sw->stats.unreadable++;
	return kb_sweep_unchecked_add(sw, pid, NULL, 0, NULL, err);
}

static int sweep_one(struct kb_sweep *sw, int procfd, pid_t pid, const char *self_mntns)
{
	struct kb_sweep_proc p = { .pid = pid, .uid = (uid_t)-1 };
	struct exe_info exe = { 0 };
	struct kb_proc_stat st;
	struct kb_sweep_source src;
	unsigned long long src_start;
	char name[32], buf[4096], ns[64];
	bool vanished = false, seen_any = false;
	FILE *maps = NULL;
	int dirfd, srcfd, fd, ret = 0;
	ssize_t n;

	snprintf(name, sizeof(name), "%d", (int)pid);
	dirfd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return skip(sw, pid, errno);
	srcfd = dirfd;

	n = read_small(dirfd, "stat", buf, sizeof(buf));
	if (n < 0 || kb_sweep_parse_stat(buf, &st)) {
		ret = skip(sw, pid, n < 0 ? (int)-n : EINVAL);
		goto out;
	}
	if (st.flags & KB_PF_KTHREAD) {
		sw->stats.kernel_threads++;
		goto out;
	}
	memcpy(p.comm, st.comm, sizeof(p.comm));
	p.start_time = st.start_time;
	src_start = st.start_time;
	if (st.state == 'Z' || st.state == 'X') {
		srcfd = live_thread(dirfd, pid, &src_start);
		if (srcfd < 0) {
			srcfd = dirfd;
			sw->stats.exited++;
			goto out;
		}
	}
	if (read_small(srcfd, "status", buf, sizeof(buf)) > 0)
		kb_sweep_parse_status_uid(buf, &p.uid);
	if (read_link(srcfd, "exe", exe.path, sizeof(exe.path)) > 0 &&
	    !fstatat(srcfd, "exe", &exe.st, 0))
		exe.have = true;
	if (read_link(srcfd, "ns/mnt", ns, sizeof(ns)) > 0 && self_mntns[0] && strcmp(ns, self_mntns))
		p.other_mntns = true;

	fd = openat(srcfd, "maps", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		maps = fdopen(fd, "re");
		if (!maps)
			close(fd);
	}
	if (!maps) {
		ret = skip(sw, pid, errno);
		goto out;
	}
	src.dirfd = srcfd;
	src.map_files = srcfd == dirfd;
	ret = check_maps(sw, &src, maps, &p, &exe, &vanished, &seen_any);
	fclose(maps);
	if (ret > 0) {
		ret = skip(sw, pid, ret);
		goto out;
	}
	if (ret < 0)
		goto out;
	/* No mappings and no executable: the mm is gone, the process is on its way out. */
	if (!exe.have && !seen_any) {
		sw->stats.exited++;
		goto out;
	}
	/* Only now is it clear whether a file that vanished took the whole process with it. */
	if (vanished && !same_task(srcfd, src_start)) {
		sw->stats.exited++;
		goto out;
	}
	sw->stats.processes++;
	if (p.other_mntns)
		sw->stats.other_mntns++;
	if (!p.n_matches)
		goto out;

	if (exe.have) {
		p.exe_deleted = strip_deleted(exe.path);
		p.exe = strdup(exe.path);
		if (!p.exe) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = KB_GROW(sw->procs, sw->n_procs, sw->cap_procs);
	if (ret)
		goto out;
	sw->procs[sw->n_procs++] = p;
	memset(&p, 0, sizeof(p));
out:
	kb_sweep_proc_free(&p);
	if (srcfd != dirfd)
		close(srcfd);
	close(dirfd);
	return ret;
}

static int pid_cmp(const void *a, const void *b)
{
	pid_t x = ((const struct kb_sweep_proc *)a)->pid, y = ((const struct kb_sweep_proc *)b)->pid;

	return (x > y) - (x < y);
}

int kb_sweep_processes(struct kb_sweep *sw)
{
	char self_mntns[64] = "";
	struct dirent *d;
	int procfd, ret = 0;
	DIR *dir;

	dir = opendir(sw->proc);
	if (!dir)
		return -errno;
	procfd = dirfd(dir);
	/* Containers' processes are read all the same, but their paths mean something else. */
	if (read_link(procfd, "self/ns/mnt", self_mntns, sizeof(self_mntns)) < 0)
		self_mntns[0] = '\0';
	while ((d = readdir(dir))) {
		char *end;
		long pid;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		pid = strtol(d->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		ret = sweep_one(sw, procfd, (pid_t)pid, self_mntns);
		if (ret)
			break;
	}
	closedir(dir);
	if (sw->n_procs > 1)
		qsort(sw->procs, sw->n_procs, sizeof(*sw->procs), pid_cmp);
	return ret < 0 ? ret : 0;
}
