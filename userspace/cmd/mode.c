// SPDX-License-Identifier: GPL-2.0
/* kasblockctl mode: show or set enforce / monitor. */

#include <getopt.h>
#include <stdbool.h>

#include "errcode.h"
#include "lib/json.h"
#include "lib/netlink.h"
#include "subcommands.h"

static const char usage[] = "Usage: kasblockctl mode [--json] [enforce|monitor]\n";
static const char help[] =
	"\n"
	"Without an argument, print the mode. enforce denies the exec of a listed\n"
	"file with EPERM; monitor lets it run and only logs it.\n"
	"\n"
	"  -j, --json   print the mode as {\"schema\":\"kasblock-mode/1\",\"mode\":NAME}\n"
	"               (when setting it, print nothing)\n"
	"  -h, --help   show this help\n";

int mode_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_status st;
	struct kb_nl *nl;
	const char *name;
	int c, mode = 0, ret;
	bool json = false;
	struct kb_json j;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("%s%s", usage, help);
			return KB_EXIT_OK;
		default:
			return kb_bad_option("mode", usage, c, argv);
		}
	}
	if (argc - optind > 1)
		return kb_usage_error("mode", usage, "too many arguments");
	if (optind < argc) {
		mode = kb_mode_parse(argv[optind]);
		if (mode < 0)
			return kb_usage_error("mode", usage, "unknown mode \"%s\" (enforce or monitor)",
					      argv[optind]);
	}

	ret = kb_cmd_open("mode", &nl);
	if (ret)
		return ret;
	if (mode) {
		ret = kb_nl_set_mode(nl, (uint32_t)mode);
		if (ret < 0)
			ret = kb_report("mode", NULL, ret, nl);
		goto out;
	}
	ret = kb_nl_get_status(nl, &st);
	if (ret < 0) {
		ret = kb_report("mode", NULL, ret, nl);
		goto out;
	}
	name = kb_mode_name(st.mode);
	if (json) {
		kb_json_begin(&j, stdout, "kasblock-mode/1");
		kb_json_string(&j, "mode", name ? name : "unknown");
		kb_json_end(&j);
	} else if (name)
		printf("%s\n", name);
	else
		printf("unknown (%u)\n", st.mode);
out:
	kb_nl_close(nl);
	return ret;
}
