// SPDX-License-Identifier: GPL-2.0
/* kasblockctl: control the kasblock exec blocklist. main() only dispatches. */

#include <stdio.h>
#include <string.h>

#include "cmd/errcode.h"
#include "cmd/subcommands.h"
#include "lib/version.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} subcommands[] = {
	{ "add", add_main, "Add digests to the blocklist" },
	{ "del", del_main, "Delete digests from the blocklist" },
	{ "load", load_main, "Replace the whole blocklist from list files, atomically" },
	{ "list", list_main, "Print the blocklist as a list file, sorted by digest" },
	{ "flush", flush_main, "Empty the blocklist" },
	{ "status", status_main, "Show mode, limits, hash driver and counters" },
	{ "mode", mode_main, "Show or set the mode: enforce or monitor" },
	{ "hash", hash_main, "Print SHA-256 digests of files as the module computes them" },
	{ "lock", lock_main, "Lock the policy until reboot" },
	{ "monitor", monitor_main, "Print denials as they happen (the event stream)" },
	{ "digest", digest_main, "Print the policy digest of list files, as status shows it" },
	{ "sweep", sweep_main, "Find (and stop) running processes and modules whose code is listed" },
	{ "scan", scan_main, "Look for installed Kaspersky products; optionally emit their digests as a list" },
	{ "harvest", harvest_main, "Write the digests of the files inside packages as a list file" },
	{ "report", report_main, "One report of this host: products found, enforcement, listed code running" },
	{ "attest", attest_main, "Quote the measured policy with the TPM, for a remote verifier" },
	{ "verify", verify_main, "Check an attest document offline and print the policy it proves" },
};

#define NR_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void show_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: kasblockctl COMMAND [ARGS]\n\nCommands:\n");
	for (i = 0; i < NR_SUBCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].help);
	fprintf(f, "\n`kasblockctl help COMMAND' or `kasblockctl COMMAND --help' shows a command's usage.\n"
		   "`kasblockctl --version' shows the version.\n");
}

static int find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_SUBCOMMANDS; i++) {
		if (!strcmp(name, subcommands[i].name))
			return (int)i;
	}
	return -1;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		show_usage(stderr);
		return KB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("kasblockctl %s\n", VERSION);
		return kb_cmd_exit("--version", KB_EXIT_OK);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (argc == 2 || strcmp(argv[1], "help")) {
			show_usage(stdout);
			return kb_cmd_exit("help", KB_EXIT_OK);
		}
		i = find(argv[2]);
		if (i < 0 || argc > 3) {
			if (i < 0)
				fprintf(stderr, "kasblockctl: help: unknown command '%s'\n", argv[2]);
			else
				fprintf(stderr, "kasblockctl: help: too many arguments\n");
			show_usage(stderr);
			return KB_EXIT_USAGE;
		}
		{
			char help[] = "--help";
			char *help_argv[] = { argv[2], help, NULL };

			return kb_cmd_exit(argv[2], subcommands[i].fn(2, help_argv));
		}
	}

	i = find(argv[1]);
	if (i < 0) {
		fprintf(stderr, "kasblockctl: unknown command '%s'\n", argv[1]);
		show_usage(stderr);
		return KB_EXIT_USAGE;
	}
	/* Every command's output is checked once, here: stdout flushed and closed. */
	return kb_cmd_exit(argv[1], subcommands[i].fn(argc - 1, argv + 1));
}
