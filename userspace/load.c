// SPDX-License-Identifier: GPL-2.0
/* kasblockctl load: replace the whole active list, atomically, from a list file. */

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "netlink.h"
#include "subcommands.h"

static const char usage[] = "Usage: kasblockctl load FILE|-\n";
static const char help[] =
	"\n"
	"Replace the active blocklist with the entries of a list file (- reads\n"
	"standard input). The file is sha256sum output: \"<64 hex>  <name>\" per line,\n"
	"\" *<name>\" and sha256sum's \\-escaped form accepted, # comments, blank lines\n"
	"and bare digests. Names become labels, cut to 63 bytes. The whole file is\n"
	"checked before anything is sent; exec sees the old list or the new one,\n"
	"never a mix.\n"
	"\n"
	"  -h, --help   show this help\n";

static int parse(const char *path, struct kb_list *list)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct kb_parse_error perr;
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	int ret;

	if (!f) {
		kb_err("load: %s: %s", path, strerror(errno));
		return KB_EXIT_FAIL;
	}
	ret = kb_listfile_parse_file(f, list, &perr);
	if (f != stdin)
		fclose(f);
	if (ret == -EINVAL) {
		kb_err("%s:%lu: %s", name, perr.line, perr.reason);
		return KB_EXIT_USAGE;
	}
	if (ret < 0) {
		kb_err("load: %s: %s", name, strerror(-ret));
		return KB_EXIT_FAIL;
	}
	return 0;
}

int load_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_list list = { 0 };
	struct kb_nl *nl;
	char hex[KB_HEX_LEN + 1];
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return kb_bad_option("load", usage, c, argv);
		printf("%s%s", usage, help);
		return KB_EXIT_OK;
	}
	if (argc - optind != 1)
		return kb_usage_error("load", usage, argc == optind ? "no file given" :
							    "only one file at a time");

	/* All of it, before the kernel hears of it: a bad line must change nothing. */
	ret = parse(argv[optind], &list);
	if (ret)
		goto out;
	ret = kb_cmd_open("load", &nl);
	if (ret)
		goto out;

	ret = kb_nl_simple(nl, KASBLOCK_CMD_REPLACE_BEGIN);
	if (ret < 0) {
		ret = kb_report("load", NULL, ret, nl);
		goto close;
	}
	ret = kb_nl_send_entries(nl, KASBLOCK_CMD_REPLACE_ADD, list.entries, list.len);
	if (!ret)
		ret = kb_nl_simple(nl, KASBLOCK_CMD_REPLACE_COMMIT);
	if (ret < 0) {
		bool quote = nl->bad_entry >= 0 && ret == -EINVAL;

		if (quote)
			kb_hex_format(list.entries[nl->bad_entry].digest, hex);
		ret = kb_report("load", quote ? hex : NULL, ret, nl);
		/* Closing the socket would drop the staged list too; say so explicitly. */
		kb_nl_simple(nl, KASBLOCK_CMD_REPLACE_ABORT);
	}
close:
	kb_nl_close(nl);
out:
	kb_list_free(&list);
	return ret;
}
