// SPDX-License-Identifier: GPL-2.0
/*
 * Stand-ins for scan and harvest, so kasblockctl links before (or without)
 * cmd/scan.c and cmd/harvest.c. Their real definitions override these at link time.
 */

#include <stdio.h>

#include "subcommands.h"

__attribute__((weak)) int scan_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("kasblockctl: scan: not built\n", stderr);
	return KB_EXIT_FAIL;
}

__attribute__((weak)) int harvest_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("kasblockctl: harvest: not built\n", stderr);
	return KB_EXIT_FAIL;
}
