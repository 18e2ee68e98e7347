// SPDX-License-Identifier: GPL-2.0
/*
 * sweep: a sweep for the list the module enforces now, which is what
 * kasblockctl sweep and load --sweep both run. The module is asked over
 * netlink; what it says goes into a struct kb_sweep, and the rest is the
 * sweep's own. The commands print the outcome.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "lib/netlink.h"
#include "sweep.h"

/* How long a kill waits for SIGKILLed processes to exit before calling them "signalled". */
#define KILL_WAIT_MS 5000

static int module_digest(void *ctx, int fd, uint8_t digest[KB_DIGEST_LEN])
{
	return kb_nl_file_digest(ctx, fd, digest);
}

int kb_sweep_active(struct kb_sweep_active *a, struct kb_nl *nl, bool kill)
{
	struct kb_status status;
	int ret;

	memset(a, 0, sizeof(*a));
	kb_sweep_init(&a->sw, &a->list);
	a->report.kill = kill;
	a->failed = KB_SWEEP_STEP_LIST;
	ret = kb_nl_get_status(nl, &status);
	if (ret < 0)
		return ret;
	/*
	 * Monitor mode lets listed code run and only logs it: a kill would
	 * enforce what the administrator chose not to. Report instead.
	 */
	if (kill && (status.have & (1ULL << KASBLOCK_A_MODE)) &&
	    status.mode == KASBLOCK_MODE_MONITOR) {
		kill = false;
		a->report.kill = false;
		a->kill_monitor = true;
	}
	ret = kb_nl_get_entries(nl, &a->list, &a->report.generation);
	if (ret < 0)
		return ret;
	kb_list_sort(&a->list);
	a->report.entries = a->list.len;

	a->sw.self = getpid();
	a->sw.known_digest = module_digest;
	a->sw.known_ctx = nl;
	/* What the module would not hash at exec, the sweep does not either. */
	if (status.have & (1ULL << KASBLOCK_A_MAX_HASH_SIZE))
		a->sw.max_size = status.max_hash_size;

	a->failed = KB_SWEEP_STEP_PROCESSES;
	ret = kb_sweep_processes(&a->sw);
	if (ret < 0)
		return ret;
	/* No /proc/modules: a kernel without modules has none to look at. */
	a->failed = KB_SWEEP_STEP_MODULES;
	ret = kb_sweep_modules(&a->sw);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (kill)
		a->alive = kb_sweep_kill_all(&a->sw, KILL_WAIT_MS);
	return 0;
}

void kb_sweep_active_free(struct kb_sweep_active *a)
{
	kb_sweep_free(&a->sw);
	kb_list_free(&a->list);
}
