// SPDX-License-Identifier: GPL-2.0
/*
 * kb_scan_run(): ask every source about every product, walk the product
 * directories that exist, and decide what was found. Evidence is gathered
 * per product; sources record what was looked at, so the report can say how
 * the count was made (the directive asked for the method, not just a number).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "collect.h"
#include "record.h"
#include "root.h"
#include "scan.h"

static const char *const ev_names[KB_EV__COUNT] = {
	[KB_EV_PACKAGE] = "package",
	[KB_EV_DIR] = "dir",
	[KB_EV_UNIT] = "unit",
	[KB_EV_INITSCRIPT] = "initscript",
	[KB_EV_FILE] = "file",
	[KB_EV_PROCESS] = "process",
	[KB_EV_MODULE] = "module",
	[KB_EV_USER] = "user",
	[KB_EV_GROUP] = "group",
};

const char *kb_ev_kind_name(enum kb_ev_kind kind)
{
	return kind < KB_EV__COUNT ? ev_names[kind] : "?";
}

const char *kb_status_name(enum kb_status status)
{
	return status == KB_FOUND ? "found" : status == KB_TRACES ? "traces" : "absent";
}

const char *kb_source_state_name(enum kb_source_state state)
{
	switch (state) {
	case KB_SRC_OK: return "ok";
	case KB_SRC_ABSENT: return "absent";
	case KB_SRC_SKIPPED: return "skipped";
	default: return "error";
	}
}

struct walk_ctx {
	struct kb_scan *scan;
	struct kb_hit *hit;
};

static int on_file(void *ctx, const char *path, enum kb_class cls, const uint8_t *digest,
		   const uint8_t *image, uint64_t size)
{
	struct walk_ctx *w = ctx;
	int ret;

	if (cls == KB_CLASS_MODULE) {
		ret = kb_strv_push(&w->hit->kos, path);
		if (ret)
			return ret;
	}
	return digest ? kb_blocklist_add_module(&w->scan->bl, digest, image, w->hit->product->id,
					       path, size) : 0;
}

struct dir_ref {
	const char *path;
	struct kb_hit *hit;
};

/*
 * Each existing product directory is walked once, and no walk enters another
 * product's directory: files in /opt/kaspersky/kesl are kesl's even though
 * the shared /opt/kaspersky is listed too, and what the walk of
 * /opt/kaspersky finds belongs to a product nobody named.
 */
static int walk_dirs(struct kb_scan *scan, int rootfd, const struct kb_scan_opts *opts)
{
	struct kb_strv all = { 0 };
	struct dir_ref *refs = NULL;
	size_t n = 0, cap = 0, h, i, j;
	int ret = 0;

	for (h = 0; h < scan->n_hits; h++) {
		const struct kb_product *p = scan->hits[h].product;

		for (i = 0; i < p->n_ind; i++) {
			struct stat st;

			if (p->ind[i].kind != KB_IND_DIR)
				continue;
			if (kb_root_stat(rootfd, p->ind[i].value, &st, 0) || !S_ISDIR(st.st_mode))
				continue;
			/* Named by two products: the first by id owns it. */
			for (j = 0; j < n; j++)
				if (!strcmp(refs[j].path, p->ind[i].value))
					break;
			if (j < n)
				continue;
			if (KB_GROW(refs, n, cap) || kb_strv_push(&all, p->ind[i].value)) {
				ret = -ENOMEM;
				goto out;
			}
			refs[n].path = p->ind[i].value;
			refs[n].hit = &scan->hits[h];
			n++;
		}
	}
	for (j = 0; j < n && !ret; j++) {
		struct walk_ctx ctx = { .scan = scan, .hit = refs[j].hit };
		struct kb_walk_opts wo = {
			.max_depth = opts->max_depth,
			.max_size = opts->max_size ? opts->max_size : KB_MAX_SIZE_DEFAULT,
			.hash = opts->hash,
			.prune = &all,
			.file = on_file,
			.ctx = &ctx,
			.progress = opts->progress,
			.progress_ctx = opts->progress_ctx,
		};
		struct kb_walk_stats st = { 0 };
		struct kb_buf d = { 0 };

		ret = kb_walk(rootfd, refs[j].path, &wo, &st);
		if (ret == -ENOMEM)
			break;
		if (ret) {
			scan->errors++;
			ret = kb_hit_add(refs[j].hit, KB_EV_DIR, true, refs[j].path, strerror(-ret));
			continue;
		}
		kb_walk_stats_add(&refs[j].hit->walk, &st);
		kb_walk_stats_add(&scan->walk, &st);
		scan->errors += st.unreadable;
		ret = kb_buf_printf(&d, "files %llu, executable %llu", (unsigned long long)st.files,
				    (unsigned long long)st.qualifying);
		if (!ret && st.unreadable)
			ret = kb_buf_printf(&d, ", unreadable %llu",
					    (unsigned long long)st.unreadable);
		if (!ret)
			ret = kb_hit_add(refs[j].hit, KB_EV_DIR, st.qualifying == 0, refs[j].path,
					 d.s);
		kb_buf_free(&d);
	}
out:
	free(refs);
	kb_strv_free(&all);
	return ret;
}

static void read_line(int rootfd, const char *path, char *out, size_t size)
{
	size_t len, i, o = 0;
	char *text;

	out[0] = '\0';
	if (kb_root_read(rootfd, path, 4096, &text, &len))
		return;
	for (i = 0; i < len && text[i] != '\n' && o + 1 < size; i++)
		if ((unsigned char)text[i] >= ' ' && text[i] != 0x7f)
			out[o++] = text[i];
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	free(text);
}

static bool is_host_root(int rootfd)
{
	struct stat a, b;

	return !fstat(rootfd, &a) && !stat("/", &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int cmp_ev(const void *a, const void *b)
{
	const struct kb_evidence *x = a, *y = b;
	int c;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	c = strcmp(x->value, y->value);
	return c ? c : strcmp(x->detail, y->detail);
}

static void decide(struct kb_scan *scan)
{
	size_t h, i;

	for (h = 0; h < scan->n_hits; h++) {
		struct kb_hit *hit = &scan->hits[h];
		bool strong = false;

		if (hit->n_ev > 1)
			qsort(hit->ev, hit->n_ev, sizeof(*hit->ev), cmp_ev);
		for (i = 0; i < hit->n_ev; i++)
			strong |= !hit->ev[i].weak;
		hit->status = strong ? KB_FOUND : hit->n_ev ? KB_TRACES : KB_ABSENT;
		if (hit->status == KB_FOUND)
			scan->n_found++;
		else if (hit->status == KB_TRACES)
			scan->n_traces++;
	}
}

int kb_scan_run(struct kb_scan *scan, const struct kb_indicators *ind,
		const struct kb_scan_opts *opts)
{
	const char *proc = opts->proc ? opts->proc : "/proc";
	struct utsname uts;
	size_t h;
	int rootfd, ret;

	memset(scan, 0, sizeof(*scan));
	scan->ind = ind;
	scan->opts = opts;
	scan->root = opts->root ? opts->root : "/";
	rootfd = kb_root_open(scan->root);
	if (rootfd < 0)
		return rootfd;
	scan->live = opts->live >= 0 ? opts->live : is_host_root(rootfd);
	scan->hashed = opts->hash;
	if (scan->live && !uname(&uts))
		snprintf(scan->hostname, sizeof(scan->hostname), "%s", uts.nodename);
	else
		read_line(rootfd, "/etc/hostname", scan->hostname, sizeof(scan->hostname));
	read_line(rootfd, "/etc/machine-id", scan->machine_id, sizeof(scan->machine_id));

	scan->hits = calloc(ind->n ? ind->n : 1, sizeof(*scan->hits));
	if (!scan->hits) {
		ret = -ENOMEM;
		goto out;
	}
	scan->n_hits = ind->n;
	for (h = 0; h < ind->n; h++)
		scan->hits[h].product = &ind->products[h];

	for (h = 0, ret = 0; opts->indicator_files && h < opts->indicator_files->n && !ret; h++)
		ret = kb_scan_source(scan, "indicators", opts->indicator_files->v[h], KB_SRC_OK,
				     "%s", "");
	if (!ret)
		ret = kb_scan_packages(scan, rootfd, opts);
	if (!ret)
		ret = kb_scan_services(scan, rootfd);
	if (!ret)
		ret = kb_scan_files(scan, rootfd);
	if (!ret)
		ret = kb_scan_accounts(scan, rootfd);
	if (!ret)
		ret = walk_dirs(scan, rootfd, opts);
	for (h = 0; h < scan->n_hits; h++)
		kb_strv_sort(&scan->hits[h].kos);
	if (!ret && scan->live) {
		ret = kb_scan_processes(scan, rootfd, proc);
		if (!ret)
			ret = kb_scan_modules(scan, proc);
	} else if (!ret) {
		ret = kb_scan_source(scan, "processes", proc, KB_SRC_SKIPPED, "%s",
				     "not the running system");
		if (!ret)
			ret = kb_scan_source(scan, "modules", proc, KB_SRC_SKIPPED, "%s",
					     "not the running system");
	}
	if (!ret && opts->exclude)
		ret = kb_blocklist_exclude_copy(&scan->bl, opts->exclude);
	if (!ret) {
		decide(scan);
		kb_blocklist_finish(&scan->bl);
	}
out:
	close(rootfd);
	scan->opts = NULL;
	if (ret)
		kb_scan_free(scan);
	return ret;
}

int kb_scan_exit_code(const struct kb_scan *scan)
{
	if (scan->n_found)
		return KB_EXIT_SCAN_FOUND;
	return scan->errors ? KB_EXIT_SCAN_INCOMPLETE : KB_EXIT_SCAN_NONE;
}

void kb_scan_free(struct kb_scan *scan)
{
	size_t h, i;

	for (h = 0; h < scan->n_hits; h++) {
		struct kb_hit *hit = &scan->hits[h];

		for (i = 0; i < hit->n_ev; i++) {
			free(hit->ev[i].value);
			free(hit->ev[i].detail);
		}
		free(hit->ev);
		kb_strv_free(&hit->kos);
	}
	free(scan->hits);
	for (i = 0; i < scan->n_src; i++) {
		free(scan->src[i].kind);
		free(scan->src[i].path);
		free(scan->src[i].detail);
	}
	free(scan->src);
	kb_blocklist_free(&scan->bl);
	memset(scan, 0, sizeof(*scan));
}
