// SPDX-License-Identifier: GPL-2.0
/*
 * The printing half of a sweep of the active list, shared by the two commands
 * that run one (sweep, and load --sweep once the new list is in), so that
 * both say the same thing the same way.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "errcode.h"
#include "subcommands.h"
#include "sweep_result.h"

int kb_cmd_sweep_result(const char *what, const struct kb_sweep_active *a, int err,
			const struct kb_nl *nl, bool json)
{
	if (err < 0) {
		switch (a->failed) {
		case KB_SWEEP_STEP_LIST:
			return kb_report(what, NULL, err, nl);
		case KB_SWEEP_STEP_PROCESSES:
			kb_err("%s: %s: %s", what, a->sw.proc, strerror(-err));
			return KB_EXIT_FAIL;
		case KB_SWEEP_STEP_MODULES:
			kb_err("%s: modules: %s", what, strerror(-err));
			return KB_EXIT_FAIL;
		}
	}
	if (a->kill_monitor)
		kb_err("%s: the module is in monitor mode: reporting what runs listed code, "
		       "killing nothing (kasblockctl mode enforce first to kill)", what);
	if (json)
		kb_sweep_report_json(stdout, &a->sw, &a->report);
	else
		kb_sweep_report_text(stdout, &a->sw, &a->report);
	/* A report that did not get out is a failure, whatever it found. */
	if (fflush(stdout)) {
		kb_write_error(what, errno);
		return KB_EXIT_FAIL;
	}
	if (a->alive)
		return KB_EXIT_SWEEP_ALIVE;
	if (a->sw.n_procs || a->sw.n_mods)
		return KB_EXIT_SWEEP_FOUND;
	return KB_EXIT_OK;
}
