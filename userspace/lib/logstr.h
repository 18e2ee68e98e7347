/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel log line's quoting, for text output that the same tools read as
 * the module's log lines (monitor, sweep): a string in double quotes, with
 * every byte outside printable ASCII, '"' and '\' written as \xHH.
 */
#ifndef KB_LOGSTR_H
#define KB_LOGSTR_H

#include <stddef.h>
#include <stdio.h>

void kb_log_quote(FILE *f, const char *s, size_t len);

/* The same for a NUL-terminated string. */
void kb_log_quotes(FILE *f, const char *s);

#endif
