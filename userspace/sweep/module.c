// SPDX-License-Identifier: GPL-2.0
/*
 * sweep: loaded kernel modules whose file has a listed digest.
 *
 * libkmod lists the loaded modules and finds each one's file, as
 * `modinfo -n` does (modules.dep.bin of the running kernel; its spelling of
 * names, its compressed paths). A module matches by the digest of its file
 * as it lies on disk or, when that is compressed, by that of the
 * decompressed image. A module that was
 * loaded from elsewhere (insmod PATH) has no file there: that is reported,
 * not guessed. Modules are reported, never unloaded: a running module cannot
 * be stopped safely from here.
 */

#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/modimage.h"
#include "priv.h"

/*
 * The listed entry for a module file: by the file's digest, or, when it is
 * compressed, by the decompressed image's, which is what init_module(2) from
 * a decompressing modprobe shows the kernel (lists carry both; see
 * kb_blocklist_add_module()).
 */
static int module_entry(struct kb_sweep *sw, int fd, const struct kb_entry **entry)
{
	uint8_t file[KB_SHA256_LEN], image[KB_SHA256_LEN];
	struct stat st;
	int has_image, ret;

	*entry = NULL;
	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((uint64_t)st.st_size > sw->max_size)
		return -EFBIG;
	if (!sw->list || !sw->list->len)
		return 0;
	ret = kb_module_list_digests(fd, file, image, &has_image);
	if (ret)
		return ret;
	sw->stats.files++;
	sw->stats.bytes += (uint64_t)st.st_size;
	*entry = kb_sweep_lookup(sw->list, file);
	if (!*entry && has_image)
		*entry = kb_sweep_lookup(sw->list, image);
	return 0;
}

/* One loaded module: path is its file as libkmod finds it, or NULL for none. */
static int check_module(struct kb_sweep *sw, const char *name, const char *path)
{
	const struct kb_entry *entry = NULL;
	struct kb_sweep_module *m;
	int fd, ret;

	sw->stats.modules++;
	if (!path) {
		sw->stats.modules_without_file++;
		return kb_sweep_unchecked_add(sw, 0, NULL, 0, name, ENOENT);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
	} else {
		ret = module_entry(sw, fd, &entry);
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

/* libkmod would print its complaints on stderr; library code prints nothing. */
static void quiet(void *data, int priority, const char *file, int line, const char *fn,
		  const char *format, va_list args)
{
	(void)data;
	(void)priority;
	(void)file;
	(void)line;
	(void)fn;
	(void)format;
	(void)args;
}

static int check_kmod(struct kb_sweep *sw, struct kmod_module *mod)
{
	return check_module(sw, kmod_module_get_name(mod), kmod_module_get_path(mod));
}

/* A procfs other than /proc (the tests'): its modules file read here, each name looked up. */
static int modules_of(struct kb_sweep *sw, struct kmod_ctx *ctx)
{
	char path[PATH_MAX], *line = NULL;
	struct kmod_module *mod;
	size_t cap = 0;
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/modules", sw->proc);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* "name size refcount deps state address" */
	while (!ret && getline(&line, &cap, f) > 0) {
		char *name = strtok(line, " \t\n");

		if (!name)
			continue;
		ret = kmod_module_new_from_name(ctx, name, &mod);
		if (ret < 0)
			break;
		ret = check_kmod(sw, mod);
		kmod_module_unref(mod);
	}
	if (!ret && ferror(f))
		ret = -EIO;
	free(line);
	fclose(f);
	return ret;
}

int kb_sweep_modules(struct kb_sweep *sw)
{
	static const char *const no_config[] = { NULL };
	struct kmod_list *loaded = NULL, *l;
	struct kmod_ctx *ctx;
	int ret = 0;

	/* NULL: libkmod's default, /lib/modules/<release>. No modprobe.d: names and paths only. */
	ctx = kmod_new(sw->moddir, no_config);
	if (!ctx)
		return -ENOMEM;
	kmod_set_log_fn(ctx, quiet, NULL);
	if (strcmp(sw->proc, "/proc")) {
		ret = modules_of(sw, ctx);
		goto out;
	}
	ret = kmod_module_new_from_loaded(ctx, &loaded);
	if (ret < 0)
		goto out;
	kmod_list_foreach(l, loaded) {
		struct kmod_module *mod = kmod_module_get_module(l);

		ret = check_kmod(sw, mod);
		kmod_module_unref(mod);
		if (ret)
			break;
	}
	kmod_module_unref_list(loaded);
out:
	kmod_unref(ctx);
	return ret;
}
