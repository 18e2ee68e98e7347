/* SPDX-License-Identifier: GPL-2.0 */
/* What sweep and load --sweep print after a sweep of the active list, and their exit codes. */
#ifndef KB_SWEEP_RESULT_H
#define KB_SWEEP_RESULT_H

#include <stdbool.h>

#include "sweep/sweep.h"

/*
 * kasblockctl sweep's exit codes beyond subcommands.h's. One meaning per code
 * across commands (kasblockctl(8), EXIT STATUS): 10 is scan's "found" too,
 * 11 is scan's "incomplete" and never a sweep's, 12 is only this.
 */
enum {
	KB_EXIT_SWEEP_FOUND = 10,	/* found something (and, with --kill, stopped all of it) */
	KB_EXIT_SWEEP_ALIVE = 12,	/* found processes, and some could not be stopped */
};

/*
 * Print the outcome of kb_sweep_active(a, nl, ...), which returned err: the
 * report to stdout (as one JSON object with json), or why there is none to
 * stderr, worded "WHAT: ..." ("sweep", or "load: sweep" after a load).
 * Returns the exit code.
 */
int kb_cmd_sweep_result(const char *what, const struct kb_sweep_active *a, int err,
			const struct kb_nl *nl, bool json);

#endif
