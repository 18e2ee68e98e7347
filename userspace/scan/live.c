// SPDX-License-Identifier: GPL-2.0
/*
 * Evidence only the running system has: processes whose executable lies in
 * a product directory, and loaded kernel modules that a product ships or the
 * indicators name. procfs is a parameter so tests can hand in a fake one.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"
#include "record.h"
#include "root.h"
#include "scan.h"

#define MAX_PIDS_SHOWN 8

struct pdir {
	char path[PATH_MAX];	/* canonical, on the host */
	size_t hit;
};

struct proc_match {
	size_t hit;
	char *exe;
	long pids[MAX_PIDS_SHOWN];
	size_t n_pids;
};

static int collect_dirs(struct kb_scan *scan, int rootfd, struct pdir **out, size_t *n)
{
	size_t h, i, cap = 0;

	*out = NULL;
	*n = 0;
	for (h = 0; h < scan->n_hits; h++) {
		const struct kb_product *p = scan->hits[h].product;

		for (i = 0; i < p->n_ind; i++) {
			char path[PATH_MAX];

			if (p->ind[i].kind != KB_IND_DIR ||
			    kb_root_hostpath(rootfd, p->ind[i].value, path, sizeof(path)))
				continue;
			if (KB_GROW(*out, *n, cap))
				return -ENOMEM;
			strcpy((*out)[*n].path, path);
			(*out)[*n].hit = h;
			(*n)++;
		}
	}
	return 0;
}

/* The product whose directory holds exe most closely (/opt/kaspersky/kesl beats /opt/kaspersky). */
static const struct pdir *owner_of(const struct pdir *dirs, size_t n, const char *exe)
{
	const struct pdir *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (kb_path_under(exe, dirs[i].path) &&
		    (!best || strlen(dirs[i].path) > strlen(best->path)))
			best = &dirs[i];
	return best;
}

static int note_pid(struct proc_match **m, size_t *n, size_t *cap, size_t hit, const char *exe,
		    long pid)
{
	struct proc_match *pm = NULL;
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*m)[i].hit == hit && !strcmp((*m)[i].exe, exe))
			pm = &(*m)[i];
	if (!pm) {
		if (KB_GROW(*m, *n, *cap))
			return -ENOMEM;
		pm = &(*m)[(*n)++];
		memset(pm, 0, sizeof(*pm));
		pm->hit = hit;
		pm->exe = strdup(exe);
		if (!pm->exe) {
			(*n)--;
			return -ENOMEM;
		}
	}
	/* Keep the lowest pids: the report stays the same while they live. */
	if (pm->n_pids < MAX_PIDS_SHOWN) {
		pm->pids[pm->n_pids++] = pid;
	} else {
		for (i = 0; i < MAX_PIDS_SHOWN; i++)
			if (pid < pm->pids[i]) {
				long t = pm->pids[i];

				pm->pids[i] = pid;
				pid = t;
			}
		pm->n_pids++;
	}
	return 0;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static int report_matches(struct kb_scan *scan, struct proc_match *m, size_t n)
{
	size_t i, j;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		size_t shown = m[i].n_pids < MAX_PIDS_SHOWN ? m[i].n_pids : MAX_PIDS_SHOWN;
		struct kb_buf d = { 0 };

		qsort(m[i].pids, shown, sizeof(long), cmp_long);
		ret = kb_buf_adds(&d, m[i].n_pids == 1 ? "pid" : "pids");
		for (j = 0; j < shown && !ret; j++)
			ret = kb_buf_printf(&d, "%s%ld", j ? "," : " ", m[i].pids[j]);
		if (!ret && m[i].n_pids > shown)
			ret = kb_buf_printf(&d, " and %zu more", m[i].n_pids - shown);
		if (!ret)
			ret = kb_hit_add(&scan->hits[m[i].hit], KB_EV_PROCESS, false, m[i].exe, d.s);
		kb_buf_free(&d);
	}
	return ret;
}

int kb_scan_processes(struct kb_scan *scan, int rootfd, const char *proc)
{
	struct proc_match *m = NULL;
	struct pdir *dirs = NULL;
	size_t n_dirs, n_m = 0, cap_m = 0, seen = 0, denied = 0, i;
	struct dirent *de;
	DIR *d;
	int ret;

	ret = collect_dirs(scan, rootfd, &dirs, &n_dirs);
	if (ret)
		goto out;
	d = opendir(proc);
	if (!d) {
		ret = kb_scan_source(scan, "processes", proc, KB_SRC_ERROR, "%s", strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		char link[64], exe[PATH_MAX];
		const struct pdir *owner;
		char *end;
		long pid;
		ssize_t len;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		seen++;
		snprintf(link, sizeof(link), "%ld/exe", pid);
		len = readlinkat(dirfd(d), link, exe, sizeof(exe) - 1);
		if (len < 0) {
			/* Kernel threads have no exe (ENOENT); others' processes need root. */
			if (errno == EACCES || errno == EPERM)
				denied++;
			continue;
		}
		exe[len] = '\0';
		if (len > 10 && !strcmp(exe + len - 10, " (deleted)"))
			exe[len - 10] = '\0';
		owner = owner_of(dirs, n_dirs, exe);
		if (owner) {
			ret = note_pid(&m, &n_m, &cap_m, owner->hit, exe, pid);
			if (ret)
				break;
		}
	}
	closedir(d);
	if (!ret)
		ret = report_matches(scan, m, n_m);
	if (!ret && denied)
		ret = kb_scan_source(scan, "processes", proc, KB_SRC_ERROR,
				     "%zu processes, %zu of them not readable (run as root)", seen,
				     denied);
	else if (!ret)
		ret = kb_scan_source(scan, "processes", proc, KB_SRC_OK, "%zu processes", seen);
out:
	for (i = 0; i < n_m; i++)
		free(m[i].exe);
	free(m);
	free(dirs);
	return ret;
}

static int add_module(struct kb_hit *hit, const char *name, const char *detail)
{
	size_t i;

	/* Named by the indicators and shipped as a file: say it once, with the file. */
	for (i = 0; i < hit->n_ev; i++)
		if (hit->ev[i].kind == KB_EV_MODULE && !strcmp(hit->ev[i].value, name))
			return 0;
	return kb_hit_add(hit, KB_EV_MODULE, false, name, detail);
}

int kb_scan_modules(struct kb_scan *scan, const char *proc)
{
	struct kb_strv loaded = { 0 };
	char *path, *text, *line, *save = NULL;
	size_t len, h, i, j;
	int fd, ret;

	path = kb_path_join(proc, "modules");
	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ret = fd < 0 ? -errno : kb_fd_read_all(fd, 16u << 20, &text, &len);
	if (fd >= 0)
		close(fd);
	if (ret == -ENOENT) {
		/* A kernel without CONFIG_MODULES loads no module. */
		ret = kb_scan_source(scan, "modules", path, KB_SRC_ABSENT, "%s", "");
		goto out;
	}
	if (ret) {
		ret = kb_scan_source(scan, "modules", path, KB_SRC_ERROR, "%s", strerror(-ret));
		goto out;
	}
	for (line = strtok_r(text, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save))
		ret = kb_strv_pushn(&loaded, line, strcspn(line, " \t"));
	free(text);
	if (!ret)
		ret = kb_scan_source(scan, "modules", path, KB_SRC_OK, "%zu loaded", loaded.n);
	for (h = 0; h < scan->n_hits && !ret; h++) {
		struct kb_hit *hit = &scan->hits[h];

		for (i = 0; i < hit->kos.n && !ret; i++) {
			char name[NAME_MAX + 1], detail[PATH_MAX + 32];

			if (!kb_module_name(hit->kos.v[i], name, sizeof(name)) ||
			    !kb_strv_has(&loaded, name))
				continue;
			snprintf(detail, sizeof(detail), "loaded, file %s", hit->kos.v[i]);
			ret = add_module(hit, name, detail);
		}
		for (i = 0; i < hit->product->n_ind && !ret; i++) {
			const struct kb_indicator *ind = &hit->product->ind[i];

			if (ind->kind != KB_IND_MODULE)
				continue;
			for (j = 0; j < loaded.n && !ret; j++)
				if (!fnmatch(ind->value, loaded.v[j], 0))
					ret = add_module(hit, loaded.v[j], "loaded");
		}
	}
out:
	kb_strv_free(&loaded);
	free(path);
	return ret;
}
