/* SPDX-License-Identifier: GPL-2.0 */
/* The list files named on a command line (load, digest): read, and their errors worded, in one place. */
#ifndef KB_LISTFILES_H
#define KB_LISTFILES_H

#include <stdbool.h>

#include "lib/listfile.h"

/*
 * Parse the n list files in paths ("-" is standard input, at most once) into
 * list, in order. On a malformed line prints "FILE:LINE: reason" and returns
 * KB_EXIT_USAGE; an unreadable file is "CMD: FILE: error" and KB_EXIT_FAIL.
 * Returns 0 when every file parsed. For commands' top level only: it prints.
 */
/*
 * Standard input can be read once: for each path a command is given, returns
 * KB_EXIT_USAGE with "CMD: standard input (-) given twice" for a second "-",
 * else 0. *seen starts false.
 */
int kb_cmd_stdin_once(const char *cmd, const char *path, bool *seen);

int kb_cmd_read_lists(const char *cmd, char *const *paths, int n, struct kb_list *list);

#endif
