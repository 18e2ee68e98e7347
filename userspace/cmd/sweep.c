// SPDX-License-Identifier: GPL-2.0
/* kasblockctl sweep: find, and with --kill stop, running code whose digest is listed. */

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "errcode.h"
#include "lib/netlink.h"
#include "subcommands.h"
#include "sweep_result.h"

static const char usage[] = "Usage: kasblockctl sweep [--kill] [--json]\n";
static const char help[] =
	"\n"
	"Find every running process whose executable or any executable mapping\n"
	"(shared libraries, dlopen()ed code, memfds) has a digest on the active\n"
	"list, and every loaded module whose file has one. Blocking exec does not\n"
	"stop what was already running when the list arrived; this finds it.\n"
	"Each distinct file is looked at once: the module's digest cache answers for\n"
	"what was exec'd or mapped (and is unchanged since); the rest is hashed.\n"
	"Deleted files and containers' files are read through /proc/PID/map_files,\n"
	"which needs CAP_SYS_ADMIN.\n"
	"\n"
	"One line per finding: \"process ...\" per matching file of a process,\n"
	"\"module ...\", \"unchecked ...\" for what could not be read, and a closing\n"
	"\"summary ...\" line with the counts.\n"
	"\n"
	"  -k, --kill   SIGSTOP each process found (after checking its pid still\n"
	"               names it), sweep again until nothing new turns up (forks),\n"
	"               continue any that no longer runs listed code, SIGKILL the\n"
	"               rest (the whole thread group); modules are only reported.\n"
	"               In monitor mode nothing is killed: the sweep reports, and\n"
	"               says so\n"
	"  -j, --json   print one JSON object instead\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 nothing found, 10 found (and, with --kill, all of it stopped),\n"
	"12 found and some processes could not be stopped, 1 error, 3 module not\n"
	"loaded, 4 not permitted.\n";

int sweep_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kill", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_sweep_active a;
	bool kill = false, json = false;
	struct kb_nl *nl;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":kjh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kill = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			printf("%s%s", usage, help);
			return KB_EXIT_OK;
		default:
			return kb_bad_option("sweep", usage, c, argv);
		}
	}
	if (optind != argc)
		return kb_usage_error("sweep", usage, "unexpected argument '%s'", argv[optind]);

	ret = kb_cmd_open("sweep", &nl);
	if (ret)
		return ret;
	ret = kb_sweep_active(&a, nl, kill);
	ret = kb_cmd_sweep_result("sweep", &a, ret, nl, json);
	kb_sweep_active_free(&a);
	kb_nl_close(nl);
	return ret;
}
