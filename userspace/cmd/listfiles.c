// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the list files a command names. Every file is read before anything
 * is done with any of them, so a bad line anywhere changes nothing.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "errcode.h"
#include "listfiles.h"
#include "subcommands.h"

static int read_one(const char *cmd, const char *path, struct kb_list *list)
{
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	struct kb_parse_error perr;
	FILE *f = is_stdin ? stdin : fopen(path, "re");
	int ret;

	if (!f) {
		kb_err("%s: %s: %s", cmd, path, strerror(errno));
		return KB_EXIT_FAIL;
	}
	ret = kb_listfile_parse_file(f, list, &perr);
	if (!is_stdin)
		fclose(f);
	if (ret == -EINVAL) {
		kb_err("%s:%lu: %s", name, perr.line, perr.reason);
		return KB_EXIT_USAGE;
	}
	if (ret < 0) {
		kb_err("%s: %s: %s", cmd, name, strerror(-ret));
		return KB_EXIT_FAIL;
	}
	return 0;
}

int kb_cmd_stdin_once(const char *cmd, const char *path, bool *seen)
{
	if (strcmp(path, "-"))
		return 0;
	if (*seen) {
		kb_err("%s: standard input (-) given twice", cmd);
		return KB_EXIT_USAGE;
	}
	*seen = true;
	return 0;
}

int kb_cmd_read_lists(const char *cmd, char *const *paths, int n, struct kb_list *list)
{
	bool stdin_seen = false;
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = kb_cmd_stdin_once(cmd, paths[i], &stdin_seen);
		if (!ret)
			ret = read_one(cmd, paths[i], list);
		if (ret)
			return ret;
	}
	return 0;
}
