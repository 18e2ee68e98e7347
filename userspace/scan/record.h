/* SPDX-License-Identifier: GPL-2.0 */
/* scan: recording into a scan (record.c), for the engine and the collectors. */
#ifndef KB_SCAN_RECORD_H
#define KB_SCAN_RECORD_H

#include <stdbool.h>

#include "scan.h"

/* Add one piece of evidence to hit; value and detail (NULL: "") are copied. 0 or -ENOMEM. */
int kb_hit_add(struct kb_hit *hit, enum kb_ev_kind kind, bool weak, const char *value,
	       const char *detail);

/* Note a source looked at, in state, with a printf-formatted detail. 0 or -ENOMEM. */
int kb_scan_source(struct kb_scan *scan, const char *kind, const char *path,
		   enum kb_source_state state, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Hash path (inside the root) onto the blocklist for hit if it qualifies and hashing is on. */
int kb_scan_hash_one(struct kb_scan *scan, int rootfd, struct kb_hit *hit, const char *path);

#endif
