/* SPDX-License-Identifier: GPL-2.0 */
/* What goes on a generated blocklist, how it is labelled, and how it is written. */
#ifndef KB_BLOCKLIST_H
#define KB_BLOCKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sha256.h"

#define KB_LABEL_SIZE 64	/* KASBLOCK_LABEL_MAX: 63 bytes and the NUL */
#define KB_CLASS_HEAD 4		/* bytes of a file kb_file_classify() looks at */
/* Larger files are not hashed onto a generated list: the module's default max_hash_size. */
#define KB_MAX_SIZE_DEFAULT 536870912ULL

/*
 * Why a file qualifies for the blocklist. Checked in this order:
 * a kernel module by name (.ko, .ko.xz, .ko.gz, .ko.zst), an ELF file by its
 * magic (executables, shared libraries, modules under other names), a script
 * by its "#!", and anything else with an execute bit. Empty files never
 * qualify: their digest would match every empty file on the system.
 */
enum kb_class {
	KB_CLASS_NONE,
	KB_CLASS_MODULE,
	KB_CLASS_ELF,
	KB_CLASS_SCRIPT,
	KB_CLASS_EXEC,
};

enum kb_class kb_file_classify(const char *name, unsigned int mode, const uint8_t *head,
			       size_t head_len, uint64_t size);

const char *kb_class_name(enum kb_class cls);

/*
 * The module name a kernel module file loads as: basename without its
 * .ko[.xz|.gz|.zst] suffix, '-' read as '_'. False when name is no module.
 */
bool kb_module_name(const char *name, char *out, size_t size);

/*
 * "<owner>:<path>" in at most 63 bytes: the owner (a product id or package
 * name) cut to 31 bytes, and as much of the end of path as fits behind
 * ":..." when it is too long, starting at a '/', so the basename survives.
 * Control bytes become '?', trailing blanks go (as kb_label_set() does);
 * UTF-8 sequences are never cut in half.
 */
void kb_label_make(char out[KB_LABEL_SIZE], const char *owner, const char *path);

struct kb_bl_entry {
	uint8_t digest[KB_SHA256_LEN];
	char label[KB_LABEL_SIZE];
	char *owner;
	char *path;
	uint64_t size;
};

struct kb_blocklist {
	struct kb_bl_entry *e;
	size_t n;
	size_t cap;
	uint8_t (*exclude)[KB_SHA256_LEN];
	size_t n_exclude;
	size_t cap_exclude;
	size_t excluded;	/* entries dropped by kb_blocklist_finish() as excluded */
	size_t duplicates;	/* entries dropped as a repeat of a digest */
};

int kb_blocklist_add(struct kb_blocklist *bl, const uint8_t digest[KB_SHA256_LEN],
		     const char *owner, const char *path, uint64_t size);

/* As kb_blocklist_add(), with suffix (or NULL) after the path in the label. */
int kb_blocklist_add_as(struct kb_blocklist *bl, const uint8_t digest[KB_SHA256_LEN],
			const char *owner, const char *path, uint64_t size, const char *suffix);

/*
 * A compressed kernel module is listed by both its digests
 * (kb_module_digests()): the file's, which finit_module(2) shows the module,
 * labelled "<owner>:<path>" as any file, and the decompressed image's, which
 * init_module(2) from a decompressing modprobe shows, labelled
 * "<owner>:<path> (decompressed)", as `kasblockctl hash --module` labels it.
 * image NULL (an uncompressed module, one digest): kb_blocklist_add().
 */
#define KB_LABEL_IMAGE " (decompressed)"
int kb_blocklist_add_module(struct kb_blocklist *bl, const uint8_t file[KB_SHA256_LEN],
			    const uint8_t *image, const char *owner, const char *path,
			    uint64_t size);

/*
 * Read digests to leave out from a file in the list format (the hash column
 * only; names are ignored); path "-" is standard input. -EINVAL with *line and *reason for a bad line,
 * else 0 or -errno.
 */
int kb_blocklist_exclude_file(struct kb_blocklist *bl, const char *path, unsigned int *line,
			      const char **reason);

/* Add src's exclude digests to dst's. 0 or -ENOMEM. */
int kb_blocklist_exclude_copy(struct kb_blocklist *dst, const struct kb_blocklist *src);

/*
 * Drop excluded digests and repeats (the first by owner, then path, stays),
 * then sort by owner and path so the same tree always gives the same file.
 */
void kb_blocklist_finish(struct kb_blocklist *bl);

/*
 * Write "# " + each line of header, then one list line per entry
 * (kb_listfile_format(): "<hex>  <label>", escaped when the label needs it).
 * Returns 0 or -EIO.
 */
int kb_blocklist_write(const struct kb_blocklist *bl, FILE *f, const char *header);

/* Write to path through a temporary file and rename(2): no half-written list. */
int kb_blocklist_write_file(const struct kb_blocklist *bl, const char *path, const char *header);

void kb_blocklist_free(struct kb_blocklist *bl);

#endif
