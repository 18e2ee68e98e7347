// SPDX-License-Identifier: GPL-2.0
/* kasblockctl flush: empty the active list. */

#include <getopt.h>

#include "errcode.h"
#include "lib/netlink.h"
#include "subcommands.h"

static const char usage[] = "Usage: kasblockctl flush\n";
static const char help[] =
	"\n"
	"Remove every entry from the active blocklist.\n"
	"\n"
	"  -h, --help   show this help\n";

int flush_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_nl *nl;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return kb_bad_option("flush", usage, c, argv);
		printf("%s%s", usage, help);
		return KB_EXIT_OK;
	}
	if (optind != argc)
		return kb_usage_error("flush", usage, "unexpected argument '%s'", argv[optind]);

	ret = kb_cmd_open("flush", &nl);
	if (ret)
		return ret;
	ret = kb_nl_simple(nl, KASBLOCK_CMD_FLUSH);
	if (ret < 0)
		ret = kb_report("flush", NULL, ret, nl);
	kb_nl_close(nl);
	return ret;
}
