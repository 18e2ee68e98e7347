// SPDX-License-Identifier: GPL-2.0
/* kasblockctl load: replace the whole active list, atomically, from list files. */

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "lib/netlink.h"
#include "listfiles.h"
#include "subcommands.h"
#include "sweep_result.h"

static const char usage[] = "Usage: kasblockctl load [--allow-empty] [--sweep[=kill]] FILE...\n";
static const char help[] =
	"\n"
	"Replace the active blocklist with the entries of the list files, all of\n"
	"them together (- reads standard input). A file is sha256sum output:\n"
	"\"<64 hex>  <name>\" per line, \" *<name>\" and sha256sum's \\-escaped form\n"
	"accepted, # comments, blank lines and bare digests. Names become labels,\n"
	"cut to 63 bytes. Every file is checked before anything is sent; exec sees\n"
	"the old list or the new one, never a mix. Files with no entries at all\n"
	"(empty, only comments, a truncated download) are refused, nothing sent.\n"
	"\n"
	"  -e, --allow-empty   load them anyway: the active list becomes empty\n"
	"                      (flush does that too)\n"
	"  -s, --sweep[=report|kill]  then run `kasblockctl sweep' against the new\n"
	"                      list: report what runs listed code (kill: and stop\n"
	"                      it; in monitor mode kill only reports); the exit\n"
	"                      status is then the sweep's\n"
	"  -h, --help          show this help\n";

int load_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sweep", optional_argument, NULL, 's' },
		{ "allow-empty", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_list list = { 0 };
	struct kb_nl *nl;
	char hex[KB_HEX_LEN + 1];
	bool sweep = false, sweep_kill = false, allow_empty = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hse", opts, NULL)) != -1) {
		if (c == 'e') {
			allow_empty = true;
			continue;
		}
		if (c == 's') {
			sweep = true;
			if (optarg && !strcmp(optarg, "kill"))
				sweep_kill = true;
			else if (optarg && strcmp(optarg, "report"))
				return kb_usage_error("load", usage, "--sweep takes 'kill' or 'report', not '%s'",
						      optarg);
			continue;
		}
		if (c != 'h')
			return kb_bad_option("load", usage, c, argv);
		printf("%s%s", usage, help);
		return KB_EXIT_OK;
	}
	if (argc == optind)
		return kb_usage_error("load", usage, "no file given");

	/* All of it, before the kernel hears of it: a bad line must change nothing. */
	ret = kb_cmd_read_lists("load", argv + optind, argc - optind, &list);
	if (ret)
		goto out;
	/* Replacing the list with nothing is what flush is for; a load that would is a mistake. */
	if (list.len == 0 && !allow_empty) {
		kb_err("load: no entries in %s; refusing to replace the list with an empty one "
		       "(--allow-empty does that, as does flush)",
		       argc - optind == 1 ? (strcmp(argv[optind], "-") ? argv[optind] : "standard input")
					  : "any of the files");
		ret = KB_EXIT_USAGE;
		goto out;
	}
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
	} else if (sweep) {
		/* What was running before the list arrived, which exec blocking cannot reach. */
		struct kb_sweep_active a;

		ret = kb_sweep_active(&a, nl, sweep_kill);
		ret = kb_cmd_sweep_result("load: sweep", &a, ret, nl, false);
		kb_sweep_active_free(&a);
	}
close:
	kb_nl_close(nl);
out:
	kb_list_free(&list);
	return ret;
}
