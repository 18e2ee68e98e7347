/* SPDX-License-Identifier: GPL-2.0 */
/* kasblockctl scan: find Kaspersky products on a host or image; the engine behind scan_main(). */
#ifndef KB_SCAN_H
#define KB_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "indicators.h"
#include "lib/blocklist.h"
#include "lib/util.h"
#include "walk.h"

/*
 * Exit codes of scan (harvest uses the global ones); see kasblockctl(8). 10
 * means "found" for sweep too; 11 is scan's alone; 12 is sweep's.
 */
enum {
	KB_EXIT_SCAN_NONE = 0,		/* looked everywhere, found no product */
	KB_EXIT_SCAN_FOUND = 10,	/* at least one product found */
	KB_EXIT_SCAN_INCOMPLETE = 11,	/* found none, but some sources could not be read */
};

/* In the order reports list them. */
enum kb_ev_kind {
	KB_EV_PACKAGE,
	KB_EV_DIR,
	KB_EV_UNIT,
	KB_EV_INITSCRIPT,
	KB_EV_FILE,
	KB_EV_PROCESS,
	KB_EV_MODULE,
	KB_EV_USER,
	KB_EV_GROUP,
	KB_EV__COUNT
};

/*
 * One fact that points at a product. Weak evidence (a removed package's
 * leftover configuration, a directory with no executable in it, an account
 * or group) shows the product was there; only strong evidence says it is.
 */
struct kb_evidence {
	enum kb_ev_kind kind;
	bool weak;
	char *value;		/* package name, path, unit name, account name */
	char *detail;		/* version and state, counts, pids; may be "" */
};

enum kb_status {
	KB_ABSENT,	/* no evidence */
	KB_TRACES,	/* weak evidence only */
	KB_FOUND,	/* strong evidence */
};

struct kb_hit {
	const struct kb_product *product;
	enum kb_status status;
	struct kb_evidence *ev;
	size_t n_ev;
	size_t cap_ev;
	struct kb_walk_stats walk;	/* over all of its directories */
	struct kb_strv kos;		/* kernel module files under its directories */
};

enum kb_source_state {
	KB_SRC_OK,		/* read */
	KB_SRC_ABSENT,		/* not on this system: nothing to read */
	KB_SRC_SKIPPED,		/* not applicable (live-only source on an image) */
	KB_SRC_ERROR,		/* there, but could not be read: the scan is incomplete */
};

/* What the scan looked at, for the report's "method". */
struct kb_source {
	char *kind;		/* "dpkg", "rpm", "units", "initscripts", "passwd", ... */
	char *path;
	enum kb_source_state state;
	char *detail;
};

struct kb_scan_opts {
	const char *root;		/* NULL or "/": the running system */
	int live;			/* -1: decide (root is "/"), 0: image, 1: running system */
	const char *proc;		/* procfs for processes and modules; NULL: "/proc" */
	const char *rpm_cmd;		/* NULL: "rpm" from PATH */
	bool hash;			/* hash qualifying files into blocklist */
	uint64_t max_size;		/* 0: KB_MAX_SIZE_DEFAULT */
	unsigned int max_depth;		/* 0: KB_WALK_DEPTH_DEFAULT */
	const struct kb_strv *indicator_files;	/* recorded as sources */
	const struct kb_blocklist *exclude;	/* its exclude digests are left out */
	void (*progress)(void *ctx, const char *path);
	void *progress_ctx;
};

struct kb_scan {
	const struct kb_indicators *ind;
	const char *root;
	bool live;
	bool hashed;			/* opts->hash: bl holds the blocklist */
	char hostname[256];
	char machine_id[64];
	struct kb_hit *hits;		/* one per product of ind, same order */
	size_t n_hits;
	struct kb_source *src;
	size_t n_src;
	size_t cap_src;
	size_t n_found;
	size_t n_traces;
	size_t errors;			/* sources in KB_SRC_ERROR and unreadable files */
	struct kb_walk_stats walk;	/* all walks together */
	struct kb_blocklist bl;		/* filled when opts->hash */
	const struct kb_scan_opts *opts;	/* during kb_scan_run() only */
};

/*
 * Scan. ind must be sorted (kb_indicators_sort) and outlive the result.
 * Returns 0 (read the sources for what went wrong where) or -errno when the
 * scan could not run at all: root not a directory, -ENOMEM.
 */
int kb_scan_run(struct kb_scan *scan, const struct kb_indicators *ind,
		const struct kb_scan_opts *opts);

void kb_scan_free(struct kb_scan *scan);

/* Exit code for a finished scan: KB_EXIT_SCAN_*. */
int kb_scan_exit_code(const struct kb_scan *scan);

const char *kb_ev_kind_name(enum kb_ev_kind kind);
const char *kb_status_name(enum kb_status status);
const char *kb_source_state_name(enum kb_source_state state);

/* Report writers (report.c): 0 or -EIO. */
#define KB_SCAN_SCHEMA "kasblock-scan/2"
int kb_scan_report_text(const struct kb_scan *scan, FILE *f);
int kb_scan_report_json(const struct kb_scan *scan, FILE *f);
/* The JSON report's members after "schema", into an object j has open (report embeds it). */
struct kb_json;
void kb_scan_report_json_members(const struct kb_scan *scan, struct kb_json *j);
int kb_scan_report_csv(const struct kb_scan *scan, FILE *f);

#endif
