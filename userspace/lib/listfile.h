/* SPDX-License-Identifier: GPL-2.0 */
/* List files (sha256sum output) and the in-memory entry list they become. */
#ifndef KB_LISTFILE_H
#define KB_LISTFILE_H

#include <stdint.h>
#include <stdio.h>

#include "hexdigest.h"
#include "kasblock.h"

/* One blocklist entry; label is "" when it has none. */
struct kb_entry {
	uint8_t digest[KB_DIGEST_LEN];
	char label[KASBLOCK_LABEL_MAX];
};

/* A growable array of entries. Zero-initialised is empty. */
struct kb_list {
	struct kb_entry *entries;
	size_t len;
	size_t cap;
};

/* Where and why parsing stopped. reason is a static string. */
struct kb_parse_error {
	unsigned long line;	/* 1-based; 0 if the error is not about one line */
	const char *reason;
};

/* Longest accepted line, without its newline: an escaped PATH_MAX name fits. */
#define KB_LISTFILE_LINE_MAX 16384
/* Room kb_listfile_format() needs: '\', hex, two spaces, a fully escaped label, newline, NUL. */
#define KB_LISTFILE_FORMAT_MAX (1 + KB_HEX_LEN + 2 + 2 * (KASBLOCK_LABEL_MAX - 1) + 2)

void kb_list_free(struct kb_list *list);
/* Returns 0 or -ENOMEM. */
int kb_list_push(struct kb_list *list, const struct kb_entry *entry);
/* Sort by digest, bytewise, which is also the order of their hex forms. */
void kb_list_sort(struct kb_list *list);

/*
 * Turn a name (len bytes, no NUL inside) into a label: cut to at most
 * KASBLOCK_LABEL_MAX - 1 bytes without splitting a UTF-8 sequence, and drop
 * trailing blanks, which a list file could not carry. Zero-fills the rest.
 */
void kb_label_set(char label[KASBLOCK_LABEL_MAX], const char *name, size_t len);

/*
 * Parse one line (len bytes, without its '\n'). Returns 1 and fills *entry,
 * 0 for a blank or comment line, or -EINVAL with *reason set.
 */
int kb_listfile_parse_line(const char *line, size_t len, struct kb_entry *entry,
			   const char **reason);

/*
 * Parse a whole list file, appending its entries to list. Returns 0, -EINVAL
 * for a malformed line (err says which and why), -ENOMEM, or a read error's
 * -errno (err->line is then 0). Never prints.
 */
int kb_listfile_parse_file(FILE *file, struct kb_list *list, struct kb_parse_error *err);
int kb_listfile_parse_buf(const char *buf, size_t len, struct kb_list *list,
			  struct kb_parse_error *err);

/*
 * Write entry as one list line with its '\n' into buf (at least
 * KB_LISTFILE_FORMAT_MAX bytes) and return its length. Labels holding '\',
 * newline or carriage return use sha256sum's escaped form so that parsing
 * the line gives the entry back.
 */
size_t kb_listfile_format(const struct kb_entry *entry, char buf[KB_LISTFILE_FORMAT_MAX]);

/*
 * Write name for a sha256sum-style line into buf (at least 2 * len + 1
 * bytes), escaping '\', newline and carriage return. Returns whether
 * anything needed escaping: the line then starts with '\'.
 */
int kb_name_escape(const char *name, size_t len, char *buf);

#endif
