/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scan: the collectors kb_scan_run() asks about every product, each adding
 * evidence and sources through record.h: installed files and records
 * (sys.c), and on a running system its processes and modules (live.c).
 * A source that cannot be read is recorded as a source in error; a negative
 * return (-ENOMEM) stops the scan.
 */
#ifndef KB_SCAN_COLLECT_H
#define KB_SCAN_COLLECT_H

#include "scan.h"

int kb_scan_packages(struct kb_scan *scan, int rootfd, const struct kb_scan_opts *opts);
int kb_scan_services(struct kb_scan *scan, int rootfd);
int kb_scan_files(struct kb_scan *scan, int rootfd);
int kb_scan_accounts(struct kb_scan *scan, int rootfd);
int kb_scan_processes(struct kb_scan *scan, int rootfd, const char *proc);
int kb_scan_modules(struct kb_scan *scan, const char *proc);

#endif
