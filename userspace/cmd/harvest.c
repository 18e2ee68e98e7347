// SPDX-License-Identifier: GPL-2.0
/* kasblockctl harvest: the blocklist of vendor packages, built without installing them. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "harvest/harvest.h"
#include "listfiles.h"
#include "lib/util.h"
#include "subcommands.h"

static const char usage[] =
	"Usage: kasblockctl harvest [-o FILE] [--exclude FILE]... [--max-size BYTES] PACKAGE...\n";
static const char help[] =
	"\n"
	"Write the SHA-256 of every executable, library, script and kernel module\n"
	"inside each PACKAGE (.deb, .rpm, or a tarball such as Kaspersky Scan\n"
	"Engine's) as a list file for `kasblockctl load`, labelled\n"
	"<package>:<path>. Nothing is installed or unpacked to disk. Needs no module.\n"
	"A PACKAGE or FILE of - is standard input (once).\n"
	"\n"
	"  -o, --output FILE   write the list to FILE (replaced atomically) instead of\n"
	"                      standard output\n"
	"  --exclude FILE      leave out digests listed in FILE (repeatable)\n"
	"  --max-size BYTES    do not hash files larger than this (default 512M)\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 list written, 1 a package could not be read (nothing is\n"
	"written), 2 usage or malformed input.\n";

static char *header(const struct kb_harvest_pkg *pkgs, size_t n, const struct kb_blocklist *bl)
{
	struct kb_buf b = { 0 };
	size_t i;
	int ret;

	ret = kb_buf_adds(&b, "kasblock blocklist: kasblockctl harvest");
	for (i = 0; i < n && !ret; i++)
		ret = kb_buf_printf(&b, "\n%s: %s %s (%s): files %llu, executable %llu, hashed %llu"
				    "%s",
				    kb_path_base(pkgs[i].file), pkgs[i].name,
				    *pkgs[i].version ? pkgs[i].version : "-", pkgs[i].format,
				    (unsigned long long)pkgs[i].files,
				    (unsigned long long)pkgs[i].qualifying,
				    (unsigned long long)pkgs[i].hashed,
				    pkgs[i].oversize ? ", some too big to hash" : "");
	if (!ret)
		ret = kb_buf_printf(&b, "\n%zu entries; %zu repeated digests and %zu excluded left out",
				    bl->n, bl->duplicates, bl->excluded);
	if (ret) {
		kb_buf_free(&b);
		return NULL;
	}
	return b.s;
}

int harvest_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "max-size", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_harvest_pkg *pkgs = NULL;
	struct kb_blocklist bl = { 0 };
	unsigned long long max_size = KB_MAX_SIZE_DEFAULT, oversize = 0;
	const char *output = NULL, *reason;
	char errmsg[512], *hdr = NULL;
	bool stdin_seen = false;
	unsigned int line;
	size_t n = 0, i;
	int c, ret;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'x':
			ret = kb_cmd_stdin_once("harvest", optarg, &stdin_seen);
			if (ret)
				goto out;
			ret = kb_blocklist_exclude_file(&bl, optarg, &line, &reason);
			if (ret == -EINVAL && line) {
				kb_err("harvest: %s:%u: %s", optarg, line, reason);
				ret = KB_EXIT_USAGE;
				goto out;
			}
			if (ret) {
				kb_err("harvest: %s: %s", optarg, strerror(-ret));
				ret = KB_EXIT_FAIL;
				goto out;
			}
			break;
		case 's':
			if (kb_parse_size(optarg, &max_size) || !max_size) {
				ret = kb_usage_error("harvest", usage, "bad --max-size '%s'", optarg);
				goto out;
			}
			break;
		case 'h':
			printf("%s%s", usage, help);
			ret = KB_EXIT_OK;
			goto out;
		default:
			ret = kb_bad_option("harvest", usage, c, argv);
			goto out;
		}
	}
	if (optind == argc) {
		ret = kb_usage_error("harvest", usage, "no package given");
		goto out;
	}
	n = (size_t)(argc - optind);
	for (i = 0; i < n; i++) {
		ret = kb_cmd_stdin_once("harvest", argv[optind + i], &stdin_seen);
		if (ret)
			goto out;
	}
	pkgs = calloc(n, sizeof(*pkgs));
	if (!pkgs) {
		kb_err("harvest: %s", strerror(ENOMEM));
		ret = KB_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = kb_harvest_file(argv[optind + i], max_size, &bl, &pkgs[i], errmsg,
				      sizeof(errmsg));
		if (ret) {
			kb_err("harvest: %s: %s", argv[optind + i],
			       *errmsg ? errmsg : strerror(-ret));
			ret = KB_EXIT_FAIL;
			goto out;
		}
		oversize += pkgs[i].oversize;
	}
	kb_blocklist_finish(&bl);
	hdr = header(pkgs, n, &bl);
	if (!hdr) {
		kb_err("harvest: %s", strerror(ENOMEM));
		ret = KB_EXIT_FAIL;
		goto out;
	}
	ret = output ? kb_blocklist_write_file(&bl, output, hdr) : kb_blocklist_write(&bl, stdout, hdr);
	if (ret && !output) {
		kb_write_error("harvest", -ret);
		ret = KB_EXIT_FAIL;
		goto out;
	} else if (ret) {
		kb_err("harvest: %s: %s", output, strerror(-ret));
		ret = KB_EXIT_FAIL;
		goto out;
	}
	if (oversize)
		kb_err("harvest: warning: %llu executable files larger than --max-size were not hashed",
		       oversize);
	if (!bl.n)
		kb_err("harvest: warning: no executable, library, script or module in the packages");
	ret = KB_EXIT_OK;
out:
	free(hdr);
	free(pkgs);
	kb_blocklist_free(&bl);
	return ret;
}
