// SPDX-License-Identifier: GPL-2.0
/* Error messages and exit codes, in one place so every command words them alike. */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "errcode.h"
#include "lib/netlink.h"
#include "subcommands.h"

void kb_err(const char *fmt, ...)
{
	va_list ap;

	fputs("kasblockctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool write_error_reported;

void kb_write_error(const char *cmd, int err)
{
	if (write_error_reported)
		return;
	write_error_reported = true;
	kb_err("%s: write error: %s", cmd, strerror(err));
}

int kb_cmd_exit(const char *cmd, int ret)
{
	/* An error flag set by an earlier write lost its errno: that write may have been partial. */
	int err = ferror(stdout) ? EIO : 0;

	if (fflush(stdout) == EOF)
		err = errno;
	if (fclose(stdout) == EOF && !err)
		err = errno;
	if (!err)
		return ret;
	kb_write_error(cmd, err);
	return ret == KB_EXIT_OK ? KB_EXIT_FAIL : ret;
}

/* What to say when the kernel gave no extack message. */
static const char *default_text(int err)
{
	switch (err) {
	case -ENOSPC:
		return "list full";
	case -EBUSY:
		return "another replace is in progress";
	case -E2BIG:
		return "too many entries in one message";
	case -EINVAL:
		return "the module rejected the request";
	case -EAGAIN:
		return "the list kept changing, try again";
	}
	return NULL;
}

int kb_report(const char *cmd, const char *subject, int err, const struct kb_nl *nl)
{
	const char *text = nl && nl->extack[0] ? nl->extack : default_text(err);
	char prefix[256];

	if (subject)
		snprintf(prefix, sizeof(prefix), "%s: %s", cmd, subject);
	else
		snprintf(prefix, sizeof(prefix), "%s", cmd);
	/*
	 * EPERM is also how a locked policy refuses a change (extack "locked"):
	 * that is the kernel refusing, not a missing capability. The module's
	 * capability message names the capabilities; anything else is a refusal.
	 */
	if ((err == -EPERM || err == -EACCES) && (!text || strstr(text, "CAP_"))) {
		kb_err("%s: not permitted: needs CAP_SYS_ADMIN or CAP_MAC_ADMIN", prefix);
		return KB_EXIT_PERM;
	}
	if (text)
		kb_err("%s: %s: %s", prefix, text, strerror(-err));
	else
		kb_err("%s: %s", prefix, strerror(-err));
	return KB_EXIT_FAIL;
}

int kb_cmd_open(const char *cmd, struct kb_nl **nl)
{
	int ret = kb_nl_open(nl);

	if (!ret)
		return 0;
	if (ret == -ENOENT) {
		/* The family only exists in the initial network namespace. */
		if (!access("/sys/module/kasblock", F_OK))
			kb_err("kasblock netlink family not found: the module serves only the initial network namespace");
		else
			kb_err("kasblock module is not loaded (try: modprobe kasblock)");
		return KB_EXIT_NOMODULE;
	}
	if (ret == -EPERM || ret == -EACCES)
		return kb_report(cmd, NULL, ret, NULL);
	kb_err("%s: cannot talk to the kernel: %s", cmd, strerror(-ret));
	return KB_EXIT_FAIL;
}

int kb_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kasblockctl: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return KB_EXIT_USAGE;
}

int kb_bad_option(const char *cmd, const char *usage, int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return kb_usage_error(cmd, usage, "option '%s' needs an argument", opt);
	if (optopt && !(opt[0] == '-' && opt[1] == '-'))
		return kb_usage_error(cmd, usage, "unknown option '-%c'", optopt);
	return kb_usage_error(cmd, usage, "unknown option '%s'", opt);
}
