// SPDX-License-Identifier: GPL-2.0
/*
 * sweep: loaded kernel modules whose file has a listed digest.
 *
 * /proc/modules gives names only; the file is the one modules.dep of the
 * running kernel names for that module now, as `modinfo -n` finds it, and
 * it is hashed as it lies on disk (compressed, when it is). A module that was
 * loaded from elsewhere (insmod PATH) has no file there: that is reported,
 * not guessed. Modules are reported, never unloaded: a running module cannot
 * be stopped safely from here.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "priv.h"

struct dep {
	char name[64];
	char *path;		/* as modules.dep spells it: relative to moddir, or absolute */
};

struct deps {
	struct dep *v;
	size_t n, cap;
};

static void deps_free(struct deps *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].path);
	free(d->v);
}

static int dep_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dep *)a)->name, ((const struct dep *)b)->name);
}

/* Every "path: deps" line of modules.dep, sorted by module name. -errno if it cannot be read. */
static int deps_read(const char *moddir, struct deps *d)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;
	int ret = 0;

	if (snprintf(path, sizeof(path), "%s/modules.dep", moddir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while ((len = getline(&line, &cap, f)) > 0) {
		char *colon = strchr(line, ':');
		struct dep dep;

		if (!colon)
			continue;
		*colon = '\0';
		if (kb_sweep_module_name(line, dep.name, sizeof(dep.name)))
			continue;
		if (KB_GROW(d->v, d->n, d->cap)) {
			ret = -ENOMEM;
			break;
		}
		dep.path = strdup(line);
		if (!dep.path) {
			ret = -ENOMEM;
			break;
		}
		d->v[d->n++] = dep;
	}
	if (!ret && ferror(f))
		ret = -EIO;
	free(line);
	fclose(f);
	if (d->n > 1)
		qsort(d->v, d->n, sizeof(*d->v), dep_cmp);
	return ret;
}

static const struct dep *deps_find(const struct deps *d, const char *name)
{
	struct dep key;

	if (!d->n || strlen(name) >= sizeof(key.name))
		return NULL;
	strcpy(key.name, name);
	return bsearch(&key, d->v, d->n, sizeof(*d->v), dep_cmp);
}

static int check_module(struct kb_sweep *sw, const char *moddir, const char *name,
			const struct dep *dep)
{
	const struct kb_entry *entry = NULL;
	struct kb_sweep_module *m;
	char path[PATH_MAX];
	int fd, ret;

	if (!dep) {
		sw->stats.modules_without_file++;
		return kb_sweep_unchecked_add(sw, 0, NULL, 0, name, ENOENT);
	}
	if (dep->path[0] == '/')
		ret = snprintf(path, sizeof(path), "%s", dep->path);
	else
		ret = snprintf(path, sizeof(path), "%s/%s", moddir, dep->path);
	fd = ret < (int)sizeof(path) ? open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK) : -1;
	if (ret >= (int)sizeof(path)) {
		ret = -ENAMETOOLONG;
	} else if (fd < 0) {
		ret = -errno;
	} else {
		ret = kb_sweep_hash_fd(sw, fd, &entry);
		close(fd);
	}
	if (ret == -ENOMEM)
		return ret;
	if (ret < 0) {
		if (ret == -EFBIG)
			sw->stats.files_oversize++;
		/* Its file, as far as we can tell, could not be read. */
		return kb_sweep_unchecked_add(sw, 0, path, strlen(path), name, -ret);
	}
	if (!entry)
		return 0;
	if (KB_GROW(sw->mods, sw->n_mods, sw->cap_mods))
		return -ENOMEM;
	m = &sw->mods[sw->n_mods];
	m->name = strdup(name);
	m->path = strdup(path);
	m->entry = entry;
	if (!m->name || !m->path) {
		free(m->name);
		free(m->path);
		return -ENOMEM;
	}
	sw->n_mods++;
	return 0;
}

int kb_sweep_modules(struct kb_sweep *sw)
{
	char path[PATH_MAX], moddir[PATH_MAX], *line = NULL;
	struct deps deps = { 0 };
	bool deps_tried = false;
	struct utsname uts;
	size_t cap = 0;
	FILE *f;
	int ret = 0;

	if (sw->moddir) {
		snprintf(moddir, sizeof(moddir), "%s", sw->moddir);
	} else {
		if (uname(&uts))
			return -errno;
		snprintf(moddir, sizeof(moddir), "/lib/modules/%s", uts.release);
	}
	snprintf(path, sizeof(path), "%s/modules", sw->proc);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* "name size refcount deps state address" */
	while (getline(&line, &cap, f) > 0) {
		char *name = strtok(line, " \t\n");

		if (!name)
			continue;
		sw->stats.modules++;
		if (!deps_tried) {
			/* Without modules.dep, every module is one without a file. */
			ret = deps_read(moddir, &deps);
			deps_tried = true;
			if (ret == -ENOMEM)
				break;
			ret = 0;
		}
		ret = check_module(sw, moddir, name, deps_find(&deps, name));
		if (ret)
			break;
	}
	if (!ret && ferror(f))
		ret = -EIO;
	free(line);
	fclose(f);
	deps_free(&deps);
	return ret;
}
