/* SPDX-License-Identifier: GPL-2.0 */
/* Installed packages: the dpkg status database, and the RPM database through rpm(8). */
#ifndef KB_SCAN_PKG_H
#define KB_SCAN_PKG_H

#include <stdbool.h>
#include <stddef.h>

struct kb_pkg {
	char *name;
	char *version;
	char *arch;
	char *state;		/* dpkg: the Status field; rpm: "installed" */
	bool installed;		/* files on disk: not "config-files" or "not-installed" */
};

struct kb_pkgs {
	struct kb_pkg *p;
	size_t n;
	size_t cap;
};

/* Parse a dpkg status file's text. 0 or -ENOMEM; malformed stanzas are skipped. */
int kb_dpkg_parse(const char *text, size_t len, struct kb_pkgs *out);

/*
 * Parse "NAME<TAB>VERSION<TAB>ARCH" lines, the query format kb_rpm_query()
 * asks rpm for. 0, -EINVAL on a line without two tabs, or -ENOMEM.
 */
int kb_rpm_parse(const char *text, size_t len, struct kb_pkgs *out);

/*
 * Run "rpm --root ROOT --dbpath DBPATH [--define '_db_backend BACKEND'] -qa"
 * (rpm_cmd found through PATH unless it holds a '/') without a shell, with a
 * 120 s time limit, and parse what it prints. -ENOENT when rpm_cmd does not
 * exist, -ETIMEDOUT, -EIO when rpm fails (its first stderr line in errmsg).
 */
int kb_rpm_query(const char *rpm_cmd, const char *root, const char *dbpath, const char *backend,
		 struct kb_pkgs *out, char *errmsg, size_t errmsg_len);

void kb_pkgs_free(struct kb_pkgs *pkgs);

#endif
