// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for the indicators parser, linked with the indicators.c
 * that kasblockctl runs. Drop-in files in /etc/kasblock/indicators.d are
 * written by hand, so beyond "no crash, no leak" this checks what scan relies
 * on: every accepted value is in the form scan looks up (a normalised absolute
 * path that cannot climb out with "..", or a name without blanks or '/'), the
 * parsed set written back out parses to the same set, reading the same file
 * twice adds nothing (drop-ins merge), and an error names a real line.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scan/indicators.h"

#define NAME_MAX_LEN 255	/* indicators.c's limit on package, unit, module, account names */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void check_id(const char *id)
{
	size_t len = strnlen(id, KB_PRODUCT_ID_MAX + 1), i;

	MUST(len >= 1 && len <= KB_PRODUCT_ID_MAX);
	for (i = 0; i < len; i++)
		MUST(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-",
			    id[i]));
}

/* scan joins these under --root: no "..", nothing to normalise any more. */
static void check_path(const char *v, size_t min_components)
{
	size_t components = 0;
	const char *p;

	MUST(v[0] == '/');
	MUST(!v[1] || v[strlen(v) - 1] != '/');
	for (p = v; *p; p++) {
		/* A tab is the only control character a value may hold. */
		MUST((unsigned char)*p >= ' ' || *p == '\t');
		if (*p != '/')
			continue;
		components++;
		MUST(p[1] != '/');
		MUST(!(p[1] == '.' && (p[2] == '/' || !p[2])));
		MUST(!(p[1] == '.' && p[2] == '.' && (p[3] == '/' || !p[3])));
	}
	MUST(components >= min_components);
}

static void check_name(const char *v)
{
	const unsigned char *p;

	MUST(*v && strlen(v) <= NAME_MAX_LEN);
	for (p = (const unsigned char *)v; *p; p++)
		MUST(*p > ' ' && *p != 0x7f && *p != '/');
}

static void check_product(const struct kb_product *p)
{
	char unit[NAME_MAX_LEN + 16], init[NAME_MAX_LEN + 16];
	size_t i, j;

	check_id(p->id);
	if (p->name) {
		size_t len = strlen(p->name);

		/* The rest of the line, trimmed: a report prints it as is. */
		MUST(len && !is_blank(p->name[0]) && !is_blank(p->name[len - 1]));
		for (i = 0; i < len; i++)
			MUST((unsigned char)p->name[i] >= ' ' || p->name[i] == '\t');
	}
	MUST(p->n_ind <= p->cap_ind);
	for (i = 0; i < p->n_ind; i++) {
		const struct kb_indicator *ind = &p->ind[i];

		MUST(ind->kind < KB_IND__COUNT && ind->value);
		switch (ind->kind) {
		case KB_IND_DIR:
			check_path(ind->value, 2);
			break;
		case KB_IND_FILE:
			check_path(ind->value, 1);
			break;
		case KB_IND_SERVICE:
			check_name(ind->value);
			/* The init script's name is the unit's without a suffix, or none. */
			kb_service_names(ind->value, unit, sizeof(unit), init, sizeof(init));
			MUST(*unit && !strncmp(unit, init, strlen(init)));
			break;
		default:
			check_name(ind->value);
			break;
		}
		for (j = 0; j < i; j++)
			MUST(p->ind[j].kind != ind->kind || strcmp(p->ind[j].value, ind->value));
	}
}

static void check_set(const struct kb_indicators *set)
{
	size_t i, j;

	MUST(set->n <= set->cap);
	for (i = 0; i < set->n; i++) {
		check_product(&set->products[i]);
		for (j = 0; j < i; j++)
			MUST(strcmp(set->products[j].id, set->products[i].id));
	}
}

/* The set as an indicators file, in its own order; NUL-terminated, *len set. */
static char *write_set(const struct kb_indicators *set, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	size_t i, j;

	MUST(f);
	for (i = 0; i < set->n; i++) {
		const struct kb_product *p = &set->products[i];

		fprintf(f, "product %s\n", p->id);
		if (p->name)
			fprintf(f, "name %s\n", p->name);
		for (j = 0; j < p->n_ind; j++) {
			const char *v = p->ind[j].value;

			/*
			 * "file /opt/x /" names "/opt/x ", a file whose name ends in a
			 * blank; only the slash keeps that blank from being trimmed.
			 */
			fprintf(f, "%s %s%s\n", kb_ind_kind_name(p->ind[j].kind), v,
				is_blank(v[strlen(v) - 1]) ? "/" : "");
		}
	}
	MUST(!fclose(f));
	return text;
}

static void check_sorted(struct kb_indicators *set)
{
	size_t i, j;

	kb_indicators_sort(set);
	for (i = 0; i < set->n; i++) {
		const struct kb_product *p = &set->products[i];

		MUST(!i || strcmp(set->products[i - 1].id, p->id) < 0);
		for (j = 1; j < p->n_ind; j++)
			MUST(p->ind[j - 1].kind < p->ind[j].kind ||
			     (p->ind[j - 1].kind == p->ind[j].kind &&
			      strcmp(p->ind[j - 1].value, p->ind[j].value) < 0));
	}
}

static void check_accepted(const uint8_t *data, size_t size, struct kb_indicators *set)
{
	struct kb_indicators again = { 0 };
	struct kb_ind_error err;
	char *text, *text2;
	size_t len, len2;

	MUST(set->n_files == 1);
	check_set(set);
	text = write_set(set, &len);

	/* Written back out, it parses to itself: normalising is idempotent. */
	MUST(kb_indicators_parse(&again, text, len, "again", &err) == 0);
	text2 = write_set(&again, &len2);
	MUST(len == len2 && !memcmp(text, text2, len));
	free(text2);
	kb_indicators_free(&again);

	/* The same file read again, as a drop-in would be, changes nothing. */
	MUST(kb_indicators_parse(set, (const char *)data, size, "fuzz", &err) == 0);
	MUST(set->n_files == 2);
	text2 = write_set(set, &len2);
	MUST(len == len2 && !memcmp(text, text2, len));
	free(text2);
	free(text);

	check_sorted(set);
}

static void check_error(const uint8_t *data, size_t size, const struct kb_indicators *set,
			const struct kb_ind_error *err)
{
	MUST(err->reason);
	MUST(!strcmp(err->file, "fuzz"));
	/* The NUL check runs over the whole text first, and is the only error without a line. */
	if (memchr(data, '\0', size))
		MUST(err->line == 0);
	else
		MUST(err->line >= 1 && err->line <= fuzz_count_lines(data, size));
	MUST(set->n_files == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_indicators set = { 0 };
	struct kb_ind_error err;
	int ret;

	memset(&err, 0x5a, sizeof(err));
	ret = kb_indicators_parse(&set, (const char *)data, size, "fuzz", &err);
	switch (ret) {
	case 0:
		check_accepted(data, size, &set);
		break;
	case -EINVAL:
		/* Callers discard the set, but what it holds must still be sound to free. */
		check_set(&set);
		check_error(data, size, &set, &err);
		break;
	case -ENOMEM:
		break;
	default:
		MUST(!"unexpected return value");
	}
	kb_indicators_free(&set);
	return 0;
}
