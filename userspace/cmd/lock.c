// SPDX-License-Identifier: GPL-2.0
/* kasblockctl lock: freeze the policy until reboot. */

#include <getopt.h>

#include "errcode.h"
#include "lib/netlink.h"
#include "subcommands.h"

static const char usage[] = "Usage: kasblockctl lock\n";
static const char help[] =
	"\n"
	"Lock the policy until the next reboot: the mode becomes enforce and stays\n"
	"so, entries can still be added but no longer deleted, flushed or replaced\n"
	"by a list that drops one, and the module cannot be unloaded. There is no\n"
	"unlock.\n"
	"\n"
	"  -h, --help   show this help\n";

int lock_main(int argc, char **argv)
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
			return kb_bad_option("lock", usage, c, argv);
		printf("%s%s", usage, help);
		return KB_EXIT_OK;
	}
	if (optind != argc)
		return kb_usage_error("lock", usage, "unexpected argument '%s'", argv[optind]);

	ret = kb_cmd_open("lock", &nl);
	if (ret)
		return ret;
	ret = kb_nl_simple(nl, KASBLOCK_CMD_LOCK);
	if (ret < 0)
		ret = kb_report("lock", NULL, ret, nl);
	kb_nl_close(nl);
	return ret;
}
