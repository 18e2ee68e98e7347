/* SPDX-License-Identifier: GPL-2.0 */
/* sweep: the report, as text (one line per finding) or as one JSON object. */
#ifndef KB_SWEEP_REPORT_H
#define KB_SWEEP_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "sweep.h"

/* What the report says about the sweep as a whole. */
struct kb_sweep_report {
	uint64_t generation;		/* of the list swept for */
	size_t entries;
	bool kill;
};

void kb_sweep_report_text(FILE *f, const struct kb_sweep *sw, const struct kb_sweep_report *r);
void kb_sweep_report_json(FILE *f, const struct kb_sweep *sw, const struct kb_sweep_report *r);

/* Escape s as the module's log lines do: \xHH for bytes outside printable ASCII, '"' and '\'. */
void kb_sweep_put_quoted(FILE *f, const char *s);
/* s as a JSON string; bytes that are not UTF-8 become U+FFFD. */
void kb_sweep_put_json(FILE *f, const char *s);

#endif
