/* SPDX-License-Identifier: GPL-2.0 */
/* kasblockctl harvest: a blocklist from vendor packages (.deb, .rpm, tarballs), never installed. */
#ifndef KB_HARVEST_H
#define KB_HARVEST_H

#include <stddef.h>
#include <stdint.h>

#include "lib/blocklist.h"

#define KB_PKG_FIELD_MAX 256

struct kb_harvest_pkg {
	const char *file;			/* as given */
	const char *format;			/* "deb", "rpm" or "archive" */
	char name[KB_PKG_FIELD_MAX];		/* package name: labels its files */
	char version[KB_PKG_FIELD_MAX];		/* "" when the package does not say */
	uint64_t files;				/* regular files in the payload */
	uint64_t qualifying;
	uint64_t hashed;
	uint64_t oversize;
};

/*
 * Hash the qualifying files of one package (kb_file_classify() rules, as
 * scan) into bl, labelled "<package name>:<installed path>". Reads .deb (ar
 * with control.tar.* and data.tar.*), .rpm (header, then the cpio payload)
 * and, for products shipped as tarballs, any archive libarchive reads (named
 * after the file, "stdin" on standard input). path "-" is standard input, a
 * file or a pipe; a pipe is first copied to an unlinked file in $TMPDIR (/tmp). Returns 0, -EINVAL for a file that is none of these or is
 * corrupt (errmsg says why), -ENOTSUP when built without libarchive, or -errno.
 */
int kb_harvest_file(const char *path, uint64_t max_size, struct kb_blocklist *bl,
		    struct kb_harvest_pkg *pkg, char *errmsg, size_t errmsg_len);

/*
 * NAME, VERSION-RELEASE from an RPM's lead and header (buf holds the file's
 * first len bytes). Returns 0, or -EINVAL (not an RPM, or the header is cut
 * or malformed), or -E2BIG when len is too short to reach the fields.
 */
int kb_rpm_header_name(const uint8_t *buf, size_t len, char name[KB_PKG_FIELD_MAX],
		       char version[KB_PKG_FIELD_MAX]);

/* Package and Version from a deb control file's text. 0 or -EINVAL (no Package field). */
int kb_deb_control_name(const char *text, size_t len, char name[KB_PKG_FIELD_MAX],
			char version[KB_PKG_FIELD_MAX]);

#endif
