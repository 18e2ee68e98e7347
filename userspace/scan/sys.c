// SPDX-License-Identifier: GPL-2.0
/* Evidence from the root's files: package databases, units, init scripts, named files, accounts. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect.h"
#include "pkg.h"
#include "record.h"
#include "root.h"
#include "scan.h"

#define DB_FILE_MAX (512u << 20)	/* a dpkg status file is a few MiB */
#define ACCOUNTS_MAX (64u << 20)

static void match_packages(struct kb_scan *scan, const struct kb_pkgs *pkgs, const char *db,
			   int *ret)
{
	size_t h, i, j;

	for (h = 0; h < scan->n_hits && !*ret; h++) {
		const struct kb_product *p = scan->hits[h].product;

		for (i = 0; i < p->n_ind && !*ret; i++) {
			if (p->ind[i].kind != KB_IND_PACKAGE)
				continue;
			for (j = 0; j < pkgs->n && !*ret; j++) {
				const struct kb_pkg *k = &pkgs->p[j];
				char detail[512];

				if (fnmatch(p->ind[i].value, k->name, 0))
					continue;
				snprintf(detail, sizeof(detail), "%s%s%s (%s: %s)", k->version,
					 *k->arch ? " " : "", k->arch, db, k->state);
				*ret = kb_hit_add(&scan->hits[h], KB_EV_PACKAGE, !k->installed,
						  k->name, detail);
			}
		}
	}
}

static int scan_dpkg(struct kb_scan *scan, int rootfd)
{
	static const char path[] = "/var/lib/dpkg/status";
	struct kb_pkgs pkgs = { 0 };
	size_t len;
	char *text;
	int ret;

	ret = kb_root_read(rootfd, path, DB_FILE_MAX, &text, &len);
	if (ret == -ENOENT)
		return kb_scan_source(scan, "dpkg", path, KB_SRC_ABSENT, "%s", "");
	if (ret)
		return kb_scan_source(scan, "dpkg", path, KB_SRC_ERROR, "%s", strerror(-ret));
	ret = kb_dpkg_parse(text, len, &pkgs);
	free(text);
	if (!ret)
		ret = kb_scan_source(scan, "dpkg", path, KB_SRC_OK, "%zu packages", pkgs.n);
	if (!ret)
		match_packages(scan, &pkgs, "dpkg", &ret);
	kb_pkgs_free(&pkgs);
	return ret;
}

static int scan_rpm(struct kb_scan *scan, int rootfd, const struct kb_scan_opts *opts)
{
	/* Newer systems keep the database in /usr/lib/sysimage/rpm, with /var/lib/rpm a link. */
	static const char *const dirs[] = { "/usr/lib/sysimage/rpm", "/var/lib/rpm" };
	static const struct { const char *file, *backend; } dbs[] = {
		{ "rpmdb.sqlite", "sqlite" },
		{ "Packages", "bdb_ro" },
		{ "Packages.db", "ndb" },
	};
	const char *cmd = opts->rpm_cmd ? opts->rpm_cmd : "rpm";
	char canon[PATH_MAX], errmsg[256];
	struct kb_pkgs pkgs = { 0 };
	size_t d, b;
	int ret;

	for (d = 0; d < ARRAY_SIZE(dirs); d++) {
		for (b = 0; b < ARRAY_SIZE(dbs); b++) {
			char *file = kb_path_join(dirs[d], dbs[b].file);
			struct stat st;

			if (!file)
				return -ENOMEM;
			ret = kb_root_stat(rootfd, file, &st, 0);
			free(file);
			if (!ret && S_ISREG(st.st_mode))
				goto found;
		}
	}
	return kb_scan_source(scan, "rpm", "/var/lib/rpm", KB_SRC_ABSENT, "%s", "");

found:
	/*
	 * rpm --root joins strings: give it the directory as resolved inside
	 * the root, so an absolute symlink in an image cannot send it to the
	 * host's database.
	 */
	ret = kb_root_canon(rootfd, dirs[d], canon, sizeof(canon));
	if (ret)
		return kb_scan_source(scan, "rpm", dirs[d], KB_SRC_ERROR, "%s", strerror(-ret));
	ret = kb_rpm_query(cmd, scan->root, canon, dbs[b].backend, &pkgs, errmsg, sizeof(errmsg));
	if (ret == -ENOENT)
		ret = kb_scan_source(scan, "rpm", canon, KB_SRC_ERROR,
				     "%s database found, but %s is not installed (Debian package \"rpm\")",
				     dbs[b].backend, cmd);
	else if (ret && ret != -ENOMEM)
		ret = kb_scan_source(scan, "rpm", canon, KB_SRC_ERROR, "%s: %s: %s",
				     dbs[b].backend, strerror(-ret), *errmsg ? errmsg : "no message");
	else if (!ret)
		ret = kb_scan_source(scan, "rpm", canon, KB_SRC_OK, "%zu packages (%s, read by %s)",
				     pkgs.n, dbs[b].backend, cmd);
	if (!ret)
		match_packages(scan, &pkgs, "rpm", &ret);
	kb_pkgs_free(&pkgs);
	return ret;
}

int kb_scan_packages(struct kb_scan *scan, int rootfd, const struct kb_scan_opts *opts)
{
	int ret = scan_dpkg(scan, rootfd);

	return ret ? ret : scan_rpm(scan, rootfd, opts);
}

struct lookdir {
	const char *path;
	bool present;
	struct stat st;
};

/* Note which of dirs exist, as sources; a directory reached twice (/lib -> usr/lib) counts once. */
static int look_dirs(struct kb_scan *scan, int rootfd, const char *kind, struct lookdir *dirs,
		     size_t n)
{
	size_t i, j;
	int ret;

	for (i = 0; i < n; i++) {
		const char *same = NULL;

		dirs[i].present = !kb_root_stat(rootfd, dirs[i].path, &dirs[i].st, 0) &&
				  S_ISDIR(dirs[i].st.st_mode);
		for (j = 0; dirs[i].present && j < i; j++) {
			if (dirs[j].present && dirs[j].st.st_dev == dirs[i].st.st_dev &&
			    dirs[j].st.st_ino == dirs[i].st.st_ino)
				same = dirs[j].path;
		}
		if (same) {
			dirs[i].present = false;
			ret = kb_scan_source(scan, kind, dirs[i].path, KB_SRC_OK, "same as %s", same);
		} else {
			ret = kb_scan_source(scan, kind, dirs[i].path,
					     dirs[i].present ? KB_SRC_OK : KB_SRC_ABSENT, "%s", "");
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* "", or " -> target" for a symlink; true when the link masks a unit (points to /dev/null). */
static bool link_note(int rootfd, const char *path, const struct stat *lst, char *out, size_t size)
{
	char target[PATH_MAX];

	out[0] = '\0';
	if (!S_ISLNK(lst->st_mode) || kb_root_readlink(rootfd, path, target, sizeof(target)) < 0)
		return false;
	snprintf(out, size, " -> %s", target);
	return !strcmp(target, "/dev/null");
}

int kb_scan_services(struct kb_scan *scan, int rootfd)
{
	struct lookdir units[] = {
		{ .path = "/etc/systemd/system" }, { .path = "/run/systemd/system" },
		{ .path = "/usr/local/lib/systemd/system" }, { .path = "/lib/systemd/system" },
		{ .path = "/usr/lib/systemd/system" },
	};
	struct lookdir inits[] = { { .path = "/etc/init.d" }, { .path = "/etc/rc.d/init.d" } };
	const size_t n_units = ARRAY_SIZE(units);
	const size_t n_inits = ARRAY_SIZE(inits);
	size_t h, i, d;
	int ret;

	ret = look_dirs(scan, rootfd, "units", units, n_units);
	if (!ret)
		ret = look_dirs(scan, rootfd, "initscripts", inits, n_inits);
	for (h = 0; h < scan->n_hits && !ret; h++) {
		struct kb_hit *hit = &scan->hits[h];
		const struct kb_product *p = hit->product;

		for (i = 0; i < p->n_ind && !ret; i++) {
			char unit[NAME_MAX + 1], init[NAME_MAX + 1], note[PATH_MAX + 8];

			if (p->ind[i].kind != KB_IND_SERVICE)
				continue;
			kb_service_names(p->ind[i].value, unit, sizeof(unit), init, sizeof(init));
			for (d = 0; d < n_units + n_inits && !ret; d++) {
				bool is_unit = d < n_units;
				struct lookdir *ld = is_unit ? &units[d] : &inits[d - n_units];
				const char *name = is_unit ? unit : init;
				struct stat st;
				char *path;
				bool masked;

				if (!ld->present || !*name)
					continue;
				path = kb_path_join(ld->path, name);
				if (!path)
					return -ENOMEM;
				if (kb_root_stat(rootfd, path, &st, 1)) {
					free(path);
					continue;
				}
				masked = link_note(rootfd, path, &st, note, sizeof(note));
				ret = kb_hit_add(hit, is_unit ? KB_EV_UNIT : KB_EV_INITSCRIPT,
						 masked, path, note[0] ? note + 1 : "");
				if (!ret && !is_unit && S_ISREG(st.st_mode))
					ret = kb_scan_hash_one(scan, rootfd, hit, path);
				free(path);
			}
		}
	}
	return ret;
}

int kb_scan_files(struct kb_scan *scan, int rootfd)
{
	size_t h, i;
	int ret = 0;

	for (h = 0; h < scan->n_hits && !ret; h++) {
		struct kb_hit *hit = &scan->hits[h];
		const struct kb_product *p = hit->product;

		for (i = 0; i < p->n_ind && !ret; i++) {
			char note[PATH_MAX + 8];
			const char *path = p->ind[i].value;
			struct stat st;

			if (p->ind[i].kind != KB_IND_FILE || kb_root_stat(rootfd, path, &st, 1))
				continue;
			link_note(rootfd, path, &st, note, sizeof(note));
			ret = kb_hit_add(hit, KB_EV_FILE, false, path, note[0] ? note + 1 : "");
			/* Only the file itself: a link's target may be anyone's. */
			if (!ret && S_ISREG(st.st_mode))
				ret = kb_scan_hash_one(scan, rootfd, hit, path);
		}
	}
	return ret;
}

/* Match field 1 of each passwd/group line against the products' user or group patterns. */
static int scan_db(struct kb_scan *scan, int rootfd, const char *path, enum kb_ind_kind ik,
		   enum kb_ev_kind ek, const char *idname)
{
	size_t len, h, i;
	char *text, *line, *save = NULL;
	size_t entries = 0;
	int ret;

	ret = kb_root_read(rootfd, path, ACCOUNTS_MAX, &text, &len);
	if (ret == -ENOENT)
		return kb_scan_source(scan, ek == KB_EV_USER ? "passwd" : "group", path,
				      KB_SRC_ABSENT, "%s", "");
	if (ret)
		return kb_scan_source(scan, ek == KB_EV_USER ? "passwd" : "group", path,
				      KB_SRC_ERROR, "%s", strerror(-ret));
	ret = 0;
	for (line = strtok_r(text, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save)) {
		char *f2, *f3, *end;

		f2 = strchr(line, ':');
		if (!f2 || f2 == line || *line == '#' || *line == '+' || *line == '-')
			continue;
		*f2++ = '\0';
		entries++;
		f3 = strchr(f2, ':');
		if (f3) {
			f3++;
			end = strchr(f3, ':');
			if (end)
				*end = '\0';
		}
		for (h = 0; h < scan->n_hits && !ret; h++) {
			const struct kb_product *p = scan->hits[h].product;

			for (i = 0; i < p->n_ind && !ret; i++) {
				char detail[64];

				if (p->ind[i].kind != ik || fnmatch(p->ind[i].value, line, 0))
					continue;
				snprintf(detail, sizeof(detail), "%s %.16s", idname, f3 ? f3 : "?");
				ret = kb_hit_add(&scan->hits[h], ek, true, line, detail);
			}
		}
	}
	free(text);
	if (!ret)
		ret = kb_scan_source(scan, ek == KB_EV_USER ? "passwd" : "group", path, KB_SRC_OK,
				     "%zu entries", entries);
	return ret;
}

int kb_scan_accounts(struct kb_scan *scan, int rootfd)
{
	int ret = scan_db(scan, rootfd, "/etc/passwd", KB_IND_USER, KB_EV_USER, "uid");

	return ret ? ret : scan_db(scan, rootfd, "/etc/group", KB_IND_GROUP, KB_EV_GROUP, "gid");
}
