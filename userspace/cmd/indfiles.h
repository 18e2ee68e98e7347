/* SPDX-License-Identifier: GPL-2.0 */
/* The indicators a command scans with: scan and report read them the same way. */
#ifndef KB_INDFILES_H
#define KB_INDFILES_H

#include "lib/util.h"
#include "scan/scan.h"

/*
 * Load the indicators files named in files, or, when none is, the installed
 * file (else the copy built in) and KB_INDICATORS_DIR; push the names of what
 * was read onto read, and sort ind. Prints "CMD: ..." on failure and returns
 * the exit code (KB_EXIT_USAGE for a malformed file), else 0. For commands'
 * top level only: it prints.
 */
int kb_cmd_load_indicators(const char *cmd, struct kb_indicators *ind, const struct kb_strv *files,
			   struct kb_strv *read);

#endif
