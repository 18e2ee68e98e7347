// SPDX-License-Identifier: GPL-2.0
/* kasblockctl list: print the active list as a list file, sorted by digest. */

#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "errcode.h"
#include "lib/netlink.h"
#include "subcommands.h"

static const char usage[] = "Usage: kasblockctl list\n";
static const char help[] =
	"\n"
	"Print the active blocklist in the list format (\"<hex>  <label>\", or the bare\n"
	"digest when there is no label), sorted by digest, so that\n"
	"`kasblockctl list > f; kasblockctl load f` gives the same list back.\n"
	"\n"
	"  -h, --help   show this help\n";

int list_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char line[KB_LISTFILE_FORMAT_MAX];
	struct kb_list list = { 0 };
	struct kb_nl *nl;
	size_t i;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return kb_bad_option("list", usage, c, argv);
		printf("%s%s", usage, help);
		return KB_EXIT_OK;
	}
	if (optind != argc)
		return kb_usage_error("list", usage, "unexpected argument '%s'", argv[optind]);

	ret = kb_cmd_open("list", &nl);
	if (ret)
		return ret;
	ret = kb_nl_get_entries(nl, &list, NULL);
	if (ret < 0) {
		ret = kb_report("list", NULL, ret, nl);
		goto out;
	}
	kb_list_sort(&list);
	for (i = 0; i < list.len; i++)
		fwrite(line, 1, kb_listfile_format(&list.entries[i], line), stdout);
out:
	kb_list_free(&list);
	kb_nl_close(nl);
	return ret;
}
