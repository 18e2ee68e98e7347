// SPDX-License-Identifier: GPL-2.0
/* kasblockctl sweep: find, and with --kill stop, running code whose digest is listed. */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errcode.h"
#include "lib/netlink.h"
#include "subcommands.h"
#include "sweep/report.h"
#include "sweep/sweep.h"

/* How long --kill waits for SIGKILLed processes to exit before calling them "signalled". */
#define KILL_WAIT_MS 5000

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
	"  -k, --kill   SIGKILL each process found (the whole thread group), after\n"
	"               checking its pid still names it; modules are only reported\n"
	"  -j, --json   print one JSON object instead\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 nothing found, 10 found (and, with --kill, all of it stopped),\n"
	"11 found and some processes could not be stopped, 1 error, 3 module not\n"
	"loaded, 4 not permitted.\n";

static int module_digest(void *ctx, int fd, uint8_t digest[KB_DIGEST_LEN])
{
	return kb_nl_file_digest(ctx, fd, digest);
}

int kb_sweep_cmd(struct kb_nl *nl, const char *cmd, unsigned int flags)
{
	struct kb_sweep_report report = { .kill = flags & KB_SWEEP_KILL };
	struct kb_list list = { 0 };
	struct kb_status status;
	struct kb_sweep sw;
	size_t alive = 0;
	char what[64];
	int ret;

	/* Messages read "sweep: ..." or, after a load, "load: sweep: ...". */
	snprintf(what, sizeof(what), "%s%s", strcmp(cmd, "sweep") ? cmd : "",
		 strcmp(cmd, "sweep") ? ": sweep" : "sweep");
	ret = kb_nl_get_status(nl, &status);
	if (ret < 0)
		return kb_report(what, NULL, ret, nl);
	ret = kb_nl_get_entries(nl, &list, &report.generation);
	if (ret < 0)
		return kb_report(what, NULL, ret, nl);
	kb_list_sort(&list);
	report.entries = list.len;

	kb_sweep_init(&sw, &list);
	sw.self = getpid();
	sw.known_digest = module_digest;
	sw.known_ctx = nl;
	/* What the module would not hash at exec, the sweep does not either. */
	if (status.have & (1ULL << KASBLOCK_A_MAX_HASH_SIZE))
		sw.max_size = status.max_hash_size;

	ret = kb_sweep_processes(&sw);
	if (ret < 0) {
		kb_err("%s: %s: %s", what, sw.proc, strerror(-ret));
		ret = KB_EXIT_FAIL;
		goto out;
	}
	/* No /proc/modules: a kernel without modules has none to look at. */
	ret = kb_sweep_modules(&sw);
	if (ret < 0 && ret != -ENOENT) {
		kb_err("%s: modules: %s", what, strerror(-ret));
		ret = KB_EXIT_FAIL;
		goto out;
	}
	if (flags & KB_SWEEP_KILL)
		alive = kb_sweep_kill(&sw, KILL_WAIT_MS);

	if (flags & KB_SWEEP_JSON)
		kb_sweep_report_json(stdout, &sw, &report);
	else
		kb_sweep_report_text(stdout, &sw, &report);
	if (fflush(stdout)) {
		kb_err("%s: write error: %s", what, strerror(errno));
		ret = KB_EXIT_FAIL;
		goto out;
	}
	if (alive)
		ret = KB_EXIT_SWEEP_ALIVE;
	else if (sw.n_procs || sw.n_mods)
		ret = KB_EXIT_SWEEP_FOUND;
	else
		ret = KB_EXIT_OK;
out:
	kb_sweep_free(&sw);
	kb_list_free(&list);
	return ret;
}

int sweep_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kill", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int flags = 0;
	struct kb_nl *nl;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":kjh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			flags |= KB_SWEEP_KILL;
			break;
		case 'j':
			flags |= KB_SWEEP_JSON;
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
	ret = kb_sweep_cmd(nl, "sweep", flags);
	kb_nl_close(nl);
	return ret;
}
