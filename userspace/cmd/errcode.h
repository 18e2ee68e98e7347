/* SPDX-License-Identifier: GPL-2.0 */
/* How commands report failures: one message format, one errno -> exit code mapping. */
#ifndef KB_ERRCODE_H
#define KB_ERRCODE_H

#include <stdio.h>

struct kb_nl;

/* Print "kasblockctl: <fmt>\n" to stderr. */
void kb_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Report a failed kernel operation of command cmd and return its exit code:
 * "kasblockctl: CMD[: SUBJECT]: <extack, or a default text>: <strerror>".
 * EPERM and EACCES get the capability message and KB_EXIT_PERM, unless the
 * module said something else (a locked policy): that is KB_EXIT_FAIL. subject
 * (for example the digest the kernel pointed at) and nl may be NULL.
 */
int kb_report(const char *cmd, const char *subject, int err, const struct kb_nl *nl);

/*
 * kb_nl_open() for commands: on failure prints why ("kasblock module is not
 * loaded" for a missing family) and returns the exit code, else 0.
 */
int kb_cmd_open(const char *cmd, struct kb_nl **nl);

/*
 * Report a usage error: "kasblockctl: CMD: <fmt>" and the command's usage
 * line(s) to stderr. Returns KB_EXIT_USAGE.
 */
int kb_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A write to stdout failed while the command ran (monitor stops on it): print
 * "kasblockctl: CMD: write error: <strerror(err)>" once; kb_cmd_exit() then
 * says nothing more.
 */
void kb_write_error(const char *cmd, int err);

/*
 * The last thing every command does, called from main(): flush and close
 * stdout. A failed write there ("status --json >/dev/full") is reported as a
 * write error with its errno and turns exit code ret, if it was 0, into
 * KB_EXIT_FAIL; otherwise ret is returned unchanged.
 */
int kb_cmd_exit(const char *cmd, int ret);

/* Report what getopt_long() (with a leading ':' in optstring) returned c for. */
int kb_bad_option(const char *cmd, const char *usage, int c, char **argv);

#endif
