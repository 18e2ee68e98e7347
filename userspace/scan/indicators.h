/* SPDX-License-Identifier: GPL-2.0 */
/* The indicators file: what a Kaspersky product looks like on a host (format in kasblockctl(8)). */
#ifndef KB_INDICATORS_H
#define KB_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>

#ifndef KB_INDICATORS_PATH
#define KB_INDICATORS_PATH "/usr/share/kasblock/indicators"
#endif
#ifndef KB_INDICATORS_DIR
#define KB_INDICATORS_DIR "/etc/kasblock/indicators.d"
#endif

#define KB_PRODUCT_ID_MAX 32	/* bytes, without the NUL */
#define KB_IND_LINE_MAX 4096	/* bytes in one line, newline excluded */

/* Keep in the order reports list evidence; kb_ind_kind_name() spells them. */
enum kb_ind_kind {
	KB_IND_PACKAGE,		/* dpkg or rpm package name, fnmatch(3) pattern */
	KB_IND_DIR,		/* install or data directory, absolute path */
	KB_IND_SERVICE,		/* systemd unit and SysV init script name */
	KB_IND_FILE,		/* one file, absolute path */
	KB_IND_MODULE,		/* kernel module name, fnmatch(3) pattern */
	KB_IND_USER,		/* account name, fnmatch(3) pattern */
	KB_IND_GROUP,		/* group name, fnmatch(3) pattern */
	KB_IND__COUNT
};

struct kb_indicator {
	enum kb_ind_kind kind;
	char *value;
};

struct kb_product {
	char id[KB_PRODUCT_ID_MAX + 1];
	char *name;		/* display name; NULL when the file gives none */
	struct kb_indicator *ind;
	size_t n_ind;
	size_t cap_ind;
};

struct kb_indicators {
	struct kb_product *products;
	size_t n;
	size_t cap;
	size_t n_files;		/* files read into this set */
};

/* Where and why parsing stopped; filled when a parser returns -EINVAL. */
struct kb_ind_error {
	char file[512];
	unsigned int line;
	const char *reason;
};

/*
 * Parse one file's text into set. A "product" block for an id already in
 * set adds to it. Returns 0, -EINVAL (err filled) or -ENOMEM. On -EINVAL the
 * set keeps what earlier lines added; callers discard it.
 */
int kb_indicators_parse(struct kb_indicators *set, const char *text, size_t len,
			const char *file, struct kb_ind_error *err);

/* What reports call the built-in copy below. */
#define KB_INDICATORS_BUILTIN "(built-in " KB_INDICATORS_PATH ")"

/*
 * Parse the copy of data/indicators built into the tool (scan/builtin.c):
 * scan's default when KB_INDICATORS_PATH is not installed. As parse.
 */
int kb_indicators_load_builtin(struct kb_indicators *set, struct kb_ind_error *err);

/*
 * Read and parse a file; path "-" is standard input (a file or a pipe, named
 * "<stdin>" in err). -errno from open/read (err->file set), -EFBIG past 4 MiB,
 * else as above.
 */
int kb_indicators_load_file(struct kb_indicators *set, const char *path, struct kb_ind_error *err);

/*
 * Parse every file in dir in C-locale name order, skipping names that start
 * with '.', end in '~', or are package-manager leftovers (.dpkg-old,
 * .dpkg-new, .dpkg-dist, .rpmnew, .rpmsave). A missing dir is not an error.
 */
int kb_indicators_load_dir(struct kb_indicators *set, const char *dir, struct kb_ind_error *err);

/* Sort products by id and each product's indicators by kind, then value. */
void kb_indicators_sort(struct kb_indicators *set);

void kb_indicators_free(struct kb_indicators *set);

const char *kb_ind_kind_name(enum kb_ind_kind kind);

/*
 * The unit file name and the init script name a "service" value stands for:
 * "kesl" -> "kesl.service" and "kesl"; "kesl.service" -> same; "x.socket" ->
 * "x.socket" and no init script (*init is set to "").
 */
void kb_service_names(const char *value, char *unit, size_t unit_len, char *init, size_t init_len);

#endif
