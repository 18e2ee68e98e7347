// SPDX-License-Identifier: GPL-2.0
/* kasblockctl scan: report the Kaspersky products on this host or image, and optionally list their files' hashes. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errcode.h"
#include "indfiles.h"
#include "listfiles.h"
#include "scan/scan.h"
#include "subcommands.h"

static const char usage[] =
	"Usage: kasblockctl scan [--root DIR] [--json | --csv] [--emit-blocklist FILE|-]\n"
	"                        [--indicators FILE]... [--exclude FILE]... [--max-size BYTES]\n"
	"                        [--max-depth N] [--quiet]\n";
static const char help[] =
	"\n"
	"Look for Kaspersky products: packages (dpkg, rpm), install and data\n"
	"directories, systemd units and init scripts, processes and kernel modules\n"
	"running from product directories, accounts and groups. Report each product\n"
	"found with its evidence and what was looked at. Needs no module.\n"
	"\n"
	"  --root DIR             scan the system mounted at DIR (processes and\n"
	"                         modules are only read for the running system)\n"
	"  -j, --json, --csv      machine-readable report (schema in kasblockctl(8))\n"
	"  --emit-blocklist FILE  write the SHA-256 of every executable, library,\n"
	"                         script and kernel module of the products found, as\n"
	"                         a list file for `kasblockctl load` (- : standard\n"
	"                         output, instead of the report)\n"
	"  --indicators FILE      read products from FILE instead of " KB_INDICATORS_PATH "\n"
	"                         (or, without it, the copy built in) and\n"
	"                         " KB_INDICATORS_DIR "/* (repeatable)\n"
	"  --exclude FILE         leave out digests listed in FILE, e.g. the hashes of\n"
	"                         the system's own binaries (repeatable)\n"
	"                         (a FILE of - is standard input, once)\n"
	"  --max-size BYTES       do not hash files larger than this (default 512M,\n"
	"                         the module's max_hash_size)\n"
	"  --max-depth N          descend at most N directories (default 64)\n"
	"  -q, --quiet            no progress on standard error\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 no product found, 10 product(s) found, 11 none found but some\n"
	"sources could not be read, 1 failure, 2 usage or malformed input.\n";

struct progress {
	struct timespec last;
	unsigned long long n;
	bool shown;
};

static void show_progress(void *ctx, const char *path)
{
	struct progress *p = ctx;
	struct timespec now;
	size_t len = strlen(path);

	p->n++;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - p->last.tv_sec) * 1000000000L + (now.tv_nsec - p->last.tv_nsec) <
	    200000000L)
		return;
	p->last = now;
	p->shown = true;
	/* The tail of the path: the part that changes. Control bytes would garble the line. */
	fprintf(stderr, "\r\033[Kscan: %llu entries: ", p->n);
	for (path += len > 50 ? len - 50 : 0; *path; path++)
		fputc((unsigned char)*path < ' ' || *path == 0x7f ? '?' : *path, stderr);
}

static int load_excludes(struct kb_blocklist *ex, const struct kb_strv *files)
{
	const char *reason = NULL;
	unsigned int line;
	size_t i;
	int ret;

	for (i = 0; i < files->n; i++) {
		ret = kb_blocklist_exclude_file(ex, files->v[i], &line, &reason);
		if (ret == -EINVAL && line) {
			kb_err("scan: %s:%u: %s", files->v[i], line, reason);
			return KB_EXIT_USAGE;
		}
		if (ret) {
			kb_err("scan: %s: %s", files->v[i], strerror(-ret));
			return KB_EXIT_FAIL;
		}
	}
	return KB_EXIT_OK;
}

static char *blocklist_header(const struct kb_scan *scan)
{
	struct kb_buf b = { 0 };
	bool first = true;
	size_t h;
	int ret;

	ret = kb_buf_printf(&b, "kasblock blocklist: kasblockctl scan of %s (%s)\nproducts:",
			    *scan->hostname ? scan->hostname : "-", scan->root);
	for (h = 0; h < scan->n_hits && !ret; h++) {
		if (scan->hits[h].status == KB_ABSENT)
			continue;
		ret = kb_buf_printf(&b, "%s %s (%s)", first ? "" : ",", scan->hits[h].product->id,
				    kb_status_name(scan->hits[h].status));
		first = false;
	}
	if (!ret && first)
		ret = kb_buf_adds(&b, " none");
	if (!ret)
		ret = kb_buf_printf(&b, "\n%zu entries; %zu repeated digests and %zu excluded left out",
				    scan->bl.n, scan->bl.duplicates, scan->bl.excluded);
	if (ret) {
		kb_buf_free(&b);
		return NULL;
	}
	return b.s;
}

static int emit(const struct kb_scan *scan, const char *path)
{
	char *header = blocklist_header(scan);
	int ret;

	if (!header) {
		kb_err("scan: %s", strerror(ENOMEM));
		return KB_EXIT_FAIL;
	}
	ret = strcmp(path, "-") ? kb_blocklist_write_file(&scan->bl, path, header) :
				  kb_blocklist_write(&scan->bl, stdout, header);
	free(header);
	if (ret && !strcmp(path, "-"))
		kb_write_error("scan", -ret);
	else if (ret)
		kb_err("scan: %s: %s", path, strerror(-ret));
	return ret ? KB_EXIT_FAIL : KB_EXIT_OK;
}

static void warn_files(const struct kb_scan *scan)
{
	if (scan->walk.oversize)
		kb_err("scan: warning: %llu executable files larger than --max-size were not hashed",
		       (unsigned long long)scan->walk.oversize);
	if (scan->walk.unreadable)
		kb_err("scan: warning: %llu files or directories could not be read",
		       (unsigned long long)scan->walk.unreadable);
}

enum {
	OPT_ROOT = 256,
	OPT_JSON,
	OPT_CSV,
	OPT_EMIT,
	OPT_INDICATORS,
	OPT_EXCLUDE,
	OPT_MAX_SIZE,
	OPT_MAX_DEPTH,
};

int scan_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "emit-blocklist", required_argument, NULL, OPT_EMIT },
		{ "indicators", required_argument, NULL, OPT_INDICATORS },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_scan_opts so = { .live = -1 };
	struct kb_strv ind_files = { 0 }, ex_files = { 0 }, ind_read = { 0 };
	struct kb_indicators ind = { 0 };
	struct kb_blocklist ex = { 0 };
	struct progress prog = { 0 };
	const char *emit_path = NULL;
	int c, format = 0, ret;
	unsigned long long v;
	bool quiet = false, stdin_seen = false;
	struct kb_scan scan;
	char *end;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":jqh", longopts, NULL)) != -1) {
		if (c == 'j')
			c = OPT_JSON;
		switch (c) {
		case OPT_ROOT:
			so.root = optarg;
			break;
		case OPT_JSON:
		case OPT_CSV:
			if (format && format != c) {
				ret = kb_usage_error("scan", usage, "--json and --csv exclude each other");
				goto out;
			}
			format = c;
			break;
		case OPT_EMIT:
			emit_path = optarg;
			break;
		case OPT_INDICATORS:
		case OPT_EXCLUDE:
			ret = kb_cmd_stdin_once("scan", optarg, &stdin_seen);
			if (ret)
				goto out;
			if (kb_strv_push(c == OPT_EXCLUDE ? &ex_files : &ind_files, optarg)) {
				kb_err("scan: %s", strerror(ENOMEM));
				ret = KB_EXIT_FAIL;
				goto out;
			}
			break;
		case OPT_MAX_SIZE:
			if (kb_parse_size(optarg, &v) || !v) {
				ret = kb_usage_error("scan", usage, "bad --max-size '%s'", optarg);
				goto out;
			}
			so.max_size = v;
			break;
		case OPT_MAX_DEPTH:
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg || v == 0 || v > 4096) {
				ret = kb_usage_error("scan", usage, "bad --max-depth '%s' (1-4096)",
						     optarg);
				goto out;
			}
			so.max_depth = (unsigned int)v;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			printf("%s%s", usage, help);
			ret = KB_EXIT_OK;
			goto out;
		default:
			ret = kb_bad_option("scan", usage, c, argv);
			goto out;
		}
	}
	if (optind < argc) {
		ret = kb_usage_error("scan", usage, "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (emit_path && !strcmp(emit_path, "-") && format) {
		ret = kb_usage_error("scan", usage,
				     "--emit-blocklist - takes standard output from the report");
		goto out;
	}
	ret = kb_cmd_load_indicators("scan", &ind, &ind_files, &ind_read);
	if (!ret)
		ret = load_excludes(&ex, &ex_files);
	if (ret)
		goto out;

	so.hash = emit_path != NULL;
	so.exclude = &ex;
	so.indicator_files = &ind_read;
	if (!quiet && isatty(STDERR_FILENO)) {
		so.progress = show_progress;
		so.progress_ctx = &prog;
	}
	ret = kb_scan_run(&scan, &ind, &so);
	if (prog.shown)
		fputs("\r\033[K", stderr);
	if (ret) {
		kb_err("scan: %s: %s", so.root ? so.root : "/", strerror(-ret));
		ret = KB_EXIT_FAIL;
		goto out;
	}
	if (!emit_path || strcmp(emit_path, "-")) {
		int r = format == OPT_JSON ? kb_scan_report_json(&scan, stdout) :
			format == OPT_CSV ? kb_scan_report_csv(&scan, stdout) :
			kb_scan_report_text(&scan, stdout);

		if (r) {
			kb_write_error("scan", -r);
			ret = KB_EXIT_FAIL;
			goto out_scan;
		}
	}
	if (emit_path) {
		ret = emit(&scan, emit_path);
		if (ret)
			goto out_scan;
		warn_files(&scan);
	}
	ret = kb_scan_exit_code(&scan);
out_scan:
	kb_scan_free(&scan);
out:
	kb_indicators_free(&ind);
	kb_blocklist_free(&ex);
	kb_strv_free(&ind_files);
	kb_strv_free(&ex_files);
	kb_strv_free(&ind_read);
	return ret;
}
