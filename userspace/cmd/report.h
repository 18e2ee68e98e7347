/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kasblockctl report's two halves: report.c reads the host and scans it;
 * report_kernel.c asks the kernel (status, hardening, sweep). They are apart
 * because scan's and netlink's headers both name a kb_status.
 */
#ifndef KB_REPORT_H
#define KB_REPORT_H

#include <stddef.h>

struct kb_json;

/* What a section could not read: the key and why. Its "unreadable" array. */
struct kb_report_unreadable {
	const char *key[8];
	char why[8][96];
	size_t n;
};

void kb_report_mark(struct kb_report_unreadable *u, const char *key, int err);
void kb_report_unreadable_json(struct kb_json *j, const struct kb_report_unreadable *u);
/* Print "unreadable (why)" for key. */
void kb_report_unreadable_text(const struct kb_report_unreadable *u, const char *key);
/* The first line of a file, without its newline: 0 or -errno. */
int kb_report_read_line(const char *path, char *buf, size_t len);

/* Enforcement and remediation, read once: NULL only when out of memory. */
struct kb_report_kernel;
struct kb_report_kernel *kb_report_kernel_read(void);
/* The "enforcement" and "remediation" members, into the object j has open. */
void kb_report_kernel_json(struct kb_json *j, const struct kb_report_kernel *k);
void kb_report_kernel_text(const struct kb_report_kernel *k);
void kb_report_kernel_free(struct kb_report_kernel *k);

#endif
