// SPDX-License-Identifier: GPL-2.0
/* Error messages and exit codes: the exact lines users and scripts see. */

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmd/errcode.h"
#include "cmd/subcommands.h"
#include "lib/netlink.h"
#include "test.h"

static char got[1024];

/* Run kb_report() with stderr captured into got (without the trailing newline). */
static int report(const char *cmd, const char *subject, int err, const char *extack)
{
	struct kb_nl nl = { .bad_entry = -1 };
	FILE *tmp = tmpfile();
	int saved = dup(2), ret;
	size_t n;

	snprintf(nl.extack, sizeof(nl.extack), "%s", extack ? extack : "");
	fflush(stderr);
	dup2(fileno(tmp), 2);
	ret = kb_report(cmd, subject, err, extack ? &nl : NULL);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(got, 1, sizeof(got) - 1, tmp);
	got[n] = '\0';
	if (n && got[n - 1] == '\n')
		got[n - 1] = '\0';
	fclose(tmp);
	return ret;
}

static void list_full_as_documented(void)
{
	CHECK_INT(report("add", NULL, -ENOSPC, "list full (max_entries 1048576)"), KB_EXIT_FAIL);
	CHECK_STR(got, "kasblockctl: add: list full (max_entries 1048576): No space left on device");
}

static void list_full_without_extack(void)
{
	CHECK_INT(report("add", NULL, -ENOSPC, NULL), KB_EXIT_FAIL);
	CHECK_STR(got, "kasblockctl: add: list full: No space left on device");
}

static void no_capability(void)
{
	static const char msg[] = "kasblockctl: flush: not permitted: needs CAP_SYS_ADMIN or CAP_MAC_ADMIN";

	CHECK_INT(report("flush", NULL, -EPERM, NULL), KB_EXIT_PERM);
	CHECK_STR(got, msg);
	CHECK_INT(report("flush", NULL, -EPERM, "not permitted: needs CAP_SYS_ADMIN or CAP_MAC_ADMIN"),
		  KB_EXIT_PERM);
	CHECK_STR(got, msg);
	CHECK_INT(report("flush", NULL, -EACCES, NULL), KB_EXIT_PERM);
}

static void locked_is_a_refusal(void)
{
	CHECK_INT(report("del", NULL, -EPERM, "locked"), KB_EXIT_FAIL);
	CHECK_STR(got, "kasblockctl: del: locked: Operation not permitted");
}

static void subject_named(void)
{
	CHECK_INT(report("del", "00ff", -ENOENT, "digest not listed"), KB_EXIT_FAIL);
	CHECK_STR(got, "kasblockctl: del: 00ff: digest not listed: No such file or directory");
}

static void plain_errno(void)
{
	CHECK_INT(report("list", NULL, -ENOMEM, NULL), KB_EXIT_FAIL);
	CHECK_STR(got, "kasblockctl: list: Cannot allocate memory");
	CHECK_INT(report("load", NULL, -EBUSY, NULL), KB_EXIT_FAIL);
	CHECK_STR(got, "kasblockctl: load: another replace is in progress: Device or resource busy");
}

int main(void)
{
	RUN(list_full_as_documented);
	RUN(list_full_without_extack);
	RUN(no_capability);
	RUN(locked_is_a_refusal);
	RUN(subject_named);
	RUN(plain_errno);
	return kbt_done();
}
