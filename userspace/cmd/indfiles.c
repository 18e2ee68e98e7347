// SPDX-License-Identifier: GPL-2.0
/* The indicators a command scans with (scan, report): read, and their errors worded, in one place. */

#include <errno.h>
#include <string.h>

#include "errcode.h"
#include "indfiles.h"
#include "subcommands.h"

int kb_cmd_load_indicators(const char *cmd, struct kb_indicators *ind, const struct kb_strv *files,
			   struct kb_strv *read)
{
	struct kb_ind_error err = { 0 };
	size_t i, before;
	int ret = 0;

	if (files->n) {
		for (i = 0; i < files->n && !ret; i++) {
			ret = kb_indicators_load_file(ind, files->v[i], &err);
			if (!ret)
				ret = kb_strv_push(read, files->v[i]);
		}
	} else {
		/* Installed, else the copy built in (from the build tree, say). */
		const char *what = KB_INDICATORS_PATH;

		ret = kb_indicators_load_file(ind, KB_INDICATORS_PATH, &err);
		if (ret == -ENOENT) {
			what = KB_INDICATORS_BUILTIN;
			ret = kb_indicators_load_builtin(ind, &err);
		}
		if (!ret)
			ret = kb_strv_push(read, what);
		before = ind->n_files;
		if (!ret)
			ret = kb_indicators_load_dir(ind, KB_INDICATORS_DIR, &err);
		if (!ret && ind->n_files > before)
			ret = kb_strv_push(read, KB_INDICATORS_DIR);
	}
	if (ret == -EINVAL && err.reason) {
		if (err.line)
			kb_err("%s: %s:%u: %s", cmd, err.file, err.line, err.reason);
		else
			kb_err("%s: %s: %s", cmd, err.file, err.reason);
		return KB_EXIT_USAGE;
	}
	if (ret) {
		kb_err("%s: %s: %s", cmd, err.file, strerror(-ret));
		return KB_EXIT_FAIL;
	}
	if (!ind->n) {
		kb_err("%s: the indicators name no product", cmd);
		return KB_EXIT_USAGE;
	}
	kb_indicators_sort(ind);
	return KB_EXIT_OK;
}
