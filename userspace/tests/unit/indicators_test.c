// SPDX-License-Identifier: GPL-2.0
/* Host tests for the indicators file parser, and for the installed data file itself. */

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "scan/indicators.h"
#include "test.h"

#ifndef DATA_FILE
#define DATA_FILE "data/indicators"
#endif

static int parse(struct kb_indicators *set, const char *text, struct kb_ind_error *err)
{
	memset(err, 0, sizeof(*err));
	return kb_indicators_parse(set, text, strlen(text), "t.ind", err);
}

static const struct kb_product *product(const struct kb_indicators *set, const char *id)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->products[i].id, id))
			return &set->products[i];
	return NULL;
}

static size_t count(const struct kb_product *p, enum kb_ind_kind kind)
{
	size_t i, n = 0;

	for (i = 0; p && i < p->n_ind; i++)
		n += p->ind[i].kind == kind;
	return n;
}

static void test_parses_every_keyword(void)
{
	struct kb_indicators set = { 0 };
	struct kb_ind_error err;
	const struct kb_product *p;

	CHECK_INT(parse(&set,
			"# comment\n"
			"\n"
			"product kesl\n"
			"name Kaspersky Endpoint Security  \n"
			"package kesl*\n"
			"dir /opt/kaspersky/kesl\n"
			"service kesl\n"
			"file /usr/bin/kesl-control\n"
			"module kav_*\n"
			"user kluser\n"
			"group kesladmin\n", &err), 0);
	CHECK_INT(set.n, 1);
	p = product(&set, "kesl");
	CHECK(p != NULL);
	if (!p)
		goto out;
	CHECK_STR(p->name, "Kaspersky Endpoint Security");
	CHECK_INT(p->n_ind, 7);
	CHECK_INT(count(p, KB_IND_PACKAGE), 1);
	CHECK_INT(count(p, KB_IND_DIR), 1);
	CHECK_INT(count(p, KB_IND_SERVICE), 1);
	CHECK_INT(count(p, KB_IND_FILE), 1);
	CHECK_INT(count(p, KB_IND_MODULE), 1);
	CHECK_INT(count(p, KB_IND_USER), 1);
	CHECK_INT(count(p, KB_IND_GROUP), 1);
	CHECK_INT(set.n_files, 1);
out:
	kb_indicators_free(&set);
}

static void test_blanks_crlf_and_no_final_newline(void)
{
	struct kb_indicators set = { 0 };
	struct kb_ind_error err;

	CHECK_INT(parse(&set, "\t product  a \r\n   # indented comment\r\n\tdir\t/opt/x/y/\r\npackage b", &err), 0);
	CHECK_INT(set.n, 1);
	if (set.n) {
		CHECK_STR(set.products[0].id, "a");
		CHECK_INT(set.products[0].n_ind, 2);
	}
	kb_indicators_free(&set);
}

static void test_hash_inside_value_is_kept(void)
{
	struct kb_indicators set = { 0 };
	struct kb_ind_error err;

	CHECK_INT(parse(&set, "product a\nname A #1 product\ndir /opt/a#b/c\n", &err), 0);
	if (set.n == 1) {
		CHECK_STR(set.products[0].name, "A #1 product");
		CHECK_STR(set.products[0].ind[0].value, "/opt/a#b/c");
	}
	kb_indicators_free(&set);
}

static void test_paths_are_normalised(void)
{
	struct kb_indicators set = { 0 };
	struct kb_ind_error err;

	CHECK_INT(parse(&set, "product a\ndir //opt///vendor/./x/\nfile /./usr//bin/y\n", &err), 0);
	if (set.n == 1 && set.products[0].n_ind == 2) {
		CHECK_STR(set.products[0].ind[0].value, "/opt/vendor/x");
		CHECK_STR(set.products[0].ind[1].value, "/usr/bin/y");
	}
	kb_indicators_free(&set);
}

static void test_repeated_product_merges_and_dedups(void)
{
	struct kb_indicators set = { 0 };
	struct kb_ind_error err;
	const struct kb_product *p;

	CHECK_INT(parse(&set, "product a\npackage x\nproduct b\npackage y\n", &err), 0);
	/* A second file (a drop-in) continues product a. */
	CHECK_INT(parse(&set, "product a\npackage x\npackage z\nname Later\n", &err), 0);
	CHECK_INT(set.n, 2);
	CHECK_INT(set.n_files, 2);
	p = product(&set, "a");
	CHECK_INT(count(p, KB_IND_PACKAGE), 2);
	CHECK(p && p->name && !strcmp(p->name, "Later"));
	kb_indicators_free(&set);
}

static void test_sort_orders_products_and_indicators(void)
{
	struct kb_indicators set = { 0 };
	struct kb_ind_error err;

	CHECK_INT(parse(&set, "product z\ngroup g\npackage p2\npackage p1\nproduct a\nuser u\n", &err), 0);
	kb_indicators_sort(&set);
	CHECK_STR(set.products[0].id, "a");
	CHECK_STR(set.products[1].id, "z");
	CHECK_INT(set.products[1].ind[0].kind, KB_IND_PACKAGE);
	CHECK_STR(set.products[1].ind[0].value, "p1");
	CHECK_STR(set.products[1].ind[1].value, "p2");
	CHECK_INT(set.products[1].ind[2].kind, KB_IND_GROUP);
	kb_indicators_free(&set);
}

struct bad_case {
	const char *text;
	unsigned int line;
	const char *reason;
};

static void test_rejects_malformed_lines_with_line_numbers(void)
{
	static const struct bad_case cases[] = {
		{ "package kesl\n", 1, "keyword before the first 'product' line" },
		{ "product a\nfrobnicate x\n", 2, "unknown keyword" },
		{ "product a\n\ndir opt/kaspersky\n", 3, "path must be absolute" },
		{ "product a\ndir /opt/../etc\n", 2, "'..' in path" },
		{ "product a\ndir /\n", 2, NULL },
		{ "product a\ndir /opt\n", 2, NULL },
		{ "product a\nfile /\n", 2, "path names no file" },
		{ "product a\npackage\n", 2, "keyword needs a value" },
		{ "product a\npackage two words\n", 2, "blank or control character in name" },
		{ "product a\nuser a/b\n", 2, "'/' in name" },
		{ "product\n", 1, NULL },
		{ "product has space\n", 1, NULL },
		{ "product abcdefghijklmnopqrstuvwxyz0123456\n", 1, NULL },
		{ "product a\nname\n", 2, "'name' needs a value" },
		{ "product a\ndir /opt/a\x01x\n", 2, "control character in value" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kb_indicators set = { 0 };
		struct kb_ind_error err;
		int ret = parse(&set, cases[i].text, &err);

		if (ret != -EINVAL || err.line != cases[i].line)
			printf("  case %zu: ret %d line %u (%s)\n", i, ret, err.line,
			       err.reason ? err.reason : "-");
		CHECK_INT(ret, -EINVAL);
		CHECK_INT(err.line, cases[i].line);
		CHECK_STR(err.file, "t.ind");
		CHECK(err.reason != NULL);
		if (cases[i].reason)
			CHECK_STR(err.reason, cases[i].reason);
		kb_indicators_free(&set);
	}
}

static void test_rejects_nul_and_overlong_lines(void)
{
	struct kb_indicators set = { 0 };
	struct kb_ind_error err;
	char *text;

	CHECK_INT(kb_indicators_parse(&set, "product a\0x\n", 12, "t", &err), -EINVAL);
	kb_indicators_free(&set);

	text = malloc(KB_IND_LINE_MAX + 32);
	if (!text)
		return;
	strcpy(text, "product a\nname ");
	memset(text + 15, 'x', KB_IND_LINE_MAX + 1);
	text[15 + KB_IND_LINE_MAX + 1] = '\0';
	CHECK_INT(parse(&set, text, &err), -EINVAL);
	CHECK_INT(err.line, 2);
	kb_indicators_free(&set);
	free(text);
}

static char tmpdir[] = "/tmp/kb-ind-test.XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void test_dropin_dir_order_and_skips(void)
{
	struct kb_indicators set = { 0 };
	struct kb_ind_error err;
	char dir[256];
	const struct kb_product *p;

	snprintf(dir, sizeof(dir), "%s/d", tmpdir);
	mkdir(dir, 0755);
	write_file("d/20-b", "product a\nname from 20\n");
	write_file("d/10-a", "product a\nname from 10\npackage one\n");
	write_file("d/.hidden", "garbage\n");
	write_file("d/30-c~", "garbage\n");
	write_file("d/40-d.dpkg-old", "garbage\n");
	snprintf(dir, sizeof(dir), "%s/d/sub", tmpdir);
	mkdir(dir, 0755);
	snprintf(dir, sizeof(dir), "%s/d", tmpdir);
	CHECK_INT(kb_indicators_load_dir(&set, dir, &err), 0);
	CHECK_INT(set.n_files, 2);
	p = product(&set, "a");
	CHECK(p && p->name && !strcmp(p->name, "from 20"));
	CHECK_INT(count(p, KB_IND_PACKAGE), 1);
	kb_indicators_free(&set);

	/* An error names the drop-in and its line. */
	write_file("d/50-e", "product a\nbogus x\n");
	CHECK_INT(kb_indicators_load_dir(&set, dir, &err), -EINVAL);
	CHECK(strstr(err.file, "/d/50-e") != NULL);
	CHECK_INT(err.line, 2);
	kb_indicators_free(&set);

	snprintf(dir, sizeof(dir), "%s/missing", tmpdir);
	CHECK_INT(kb_indicators_load_dir(&set, dir, &err), 0);
	CHECK_INT(set.n, 0);
	kb_indicators_free(&set);
}

static void test_load_file_errors(void)
{
	struct kb_indicators set = { 0 };
	struct kb_ind_error err;
	char path[256];

	snprintf(path, sizeof(path), "%s/nope", tmpdir);
	CHECK_INT(kb_indicators_load_file(&set, path, &err), -ENOENT);
	CHECK_STR(err.file, path);
	CHECK_INT(kb_indicators_load_file(&set, tmpdir, &err), -EISDIR);
	/* A FIFO is refused without blocking on it. */
	snprintf(path, sizeof(path), "%s/fifo", tmpdir);
	mkfifo(path, 0600);
	CHECK_INT(kb_indicators_load_file(&set, path, &err), -EINVAL);
	kb_indicators_free(&set);
}

static void test_service_names(void)
{
	char unit[64], init[64];

	kb_service_names("kesl", unit, sizeof(unit), init, sizeof(init));
	CHECK_STR(unit, "kesl.service");
	CHECK_STR(init, "kesl");
	kb_service_names("klnagent64.service", unit, sizeof(unit), init, sizeof(init));
	CHECK_STR(unit, "klnagent64.service");
	CHECK_STR(init, "klnagent64");
	kb_service_names("kesl.socket", unit, sizeof(unit), init, sizeof(init));
	CHECK_STR(unit, "kesl.socket");
	CHECK_STR(init, "");
}

/* The shipped data file parses, and holds the products the facts list. */
static void test_shipped_data_file(void)
{
	static const char *const ids[] = {
		"kaspersky", "kesl", "klnagent", "ksc64", "kav4fs", "kav4ws", "kes4lwks", "klms",
		"kav4proxy", "kwts", "scanengine", "kics", "kess", "kfl", "kuma",
	};
	struct kb_indicators set = { 0 };
	struct kb_ind_error err = { 0 };
	size_t i;
	int ret;

	ret = kb_indicators_load_file(&set, DATA_FILE, &err);
	if (ret)
		printf("  %s:%u: %s (%s)\n", err.file, err.line, err.reason ? err.reason : "-",
		       strerror(-ret));
	CHECK_INT(ret, 0);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		if (!product(&set, ids[i]))
			printf("  missing product %s\n", ids[i]);
		CHECK(product(&set, ids[i]) != NULL);
	}
	CHECK_INT(count(product(&set, "kesl"), KB_IND_GROUP), 4);
	CHECK_INT(count(product(&set, "kics"), KB_IND_GROUP), 4);
	kb_indicators_free(&set);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_parses_every_keyword);
	RUN(test_blanks_crlf_and_no_final_newline);
	RUN(test_hash_inside_value_is_kept);
	RUN(test_paths_are_normalised);
	RUN(test_repeated_product_merges_and_dedups);
	RUN(test_sort_orders_products_and_indicators);
	RUN(test_rejects_malformed_lines_with_line_numbers);
	RUN(test_rejects_nul_and_overlong_lines);
	RUN(test_dropin_dir_order_and_skips);
	RUN(test_load_file_errors);
	RUN(test_service_names);
	RUN(test_shipped_data_file);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd))
		printf("  could not remove %s\n", tmpdir);
	return kbt_done();
}
