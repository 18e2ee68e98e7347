// SPDX-License-Identifier: GPL-2.0
/* The kernel log line's quoting: "..." with \xHH for anything not printable ASCII, '"' and '\'. */

#include <string.h>

#include "logstr.h"

void kb_log_quote(FILE *f, const char *s, size_t len)
{
	size_t i;

	putc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\')
			putc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
	putc('"', f);
}

void kb_log_quotes(FILE *f, const char *s)
{
	kb_log_quote(f, s, strlen(s));
}
