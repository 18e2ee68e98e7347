// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: kasblockctl against the real module, checked through
 * the raw netlink interface and by exec.
 */

#define _GNU_SOURCE
#include "common.h"

#define OUT_MAX (256 * 1024)

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(((const struct kst_entry *)a)->digest,
		      ((const struct kst_entry *)b)->digest, KASBLOCK_DIGEST_LEN);
}

FIXTURE(tool) {
	struct kst_nl nl;
	char dir[64];
	char *out, *err;
};

FIXTURE_SETUP(tool)
{
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	self->out = malloc(OUT_MAX);
	self->err = malloc(OUT_MAX);
	ASSERT_NE(NULL, self->out);
	ASSERT_NE(NULL, self->err);
}

FIXTURE_TEARDOWN(tool)
{
	free(self->out);
	free(self->err);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F(tool, list_output_loads_back_to_the_same_list)
{
	struct kst_snapshot before, after;
	struct kst_entry e[3];
	char file[PATH_MAX], *first;
	char hex[KST_HEX_LEN + 1], line[KST_HEX_LEN + 64];
	const char *list[] = { "list", NULL };
	const char *load[] = { "load", file, NULL };

	kst_fake_entry(&e[0], 1, "kst-one");
	kst_fake_entry(&e[1], 2, NULL);
	kst_fake_entry(&e[2], 3, "kst two words");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e, 3));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &before));

	ASSERT_EQ(0, kst_tool(list, self->out, OUT_MAX, self->err, OUT_MAX)) {
		TH_LOG("stderr: %s", self->err);
	}
	/* "<hex>  <label>", or the bare hex without a label. */
	kst_hex(e[0].digest, hex);
	snprintf(line, sizeof(line), "%s  kst-one\n", hex);
	ASSERT_NE(NULL, strstr(self->out, line));
	kst_hex(e[1].digest, hex);
	snprintf(line, sizeof(line), "%s\n", hex);
	ASSERT_NE(NULL, strstr(self->out, line));
	kst_hex(e[2].digest, hex);
	snprintf(line, sizeof(line), "%s  kst two words\n", hex);
	ASSERT_NE(NULL, strstr(self->out, line));

	snprintf(file, sizeof(file), "%s/list", self->dir);
	ASSERT_EQ(0, kst_write_file(file, self->out, strlen(self->out), 0644));
	first = strdup(self->out);
	ASSERT_NE(NULL, first);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_FLUSH, NULL, 0));

	ASSERT_EQ(0, kst_tool(load, self->out, OUT_MAX, self->err, OUT_MAX)) {
		TH_LOG("stderr: %s", self->err);
	}
	ASSERT_EQ(0, kst_tool(list, self->out, OUT_MAX, self->err, OUT_MAX));
	ASSERT_STREQ(first, self->out);
	free(first);
	/* The same entries as at first; only the generation moved on. */
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_EQ(before.nr, after.nr);
	ASSERT_EQ(0, memcmp(before.sum, after.sum, sizeof(before.sum)));
	ASSERT_LT(before.generation, after.generation);
}

/* list --json: one kasblock-list/1 object; an entry without a label has "label":null. */
TEST_F(tool, list_json_names_every_entry)
{
	const char *list[] = { "list", "--json", NULL };
	char hex[KST_HEX_LEN + 1], want[KST_HEX_LEN + 64];
	struct kst_status st;
	struct kst_entry e[2];

	kst_fake_entry(&e[0], 1, "kst-one");
	kst_fake_entry(&e[1], 2, NULL);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e, 2));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(0, kst_tool(list, self->out, OUT_MAX, self->err, OUT_MAX)) {
		TH_LOG("stderr: %s", self->err);
	}
	snprintf(want, sizeof(want), "{\"schema\":\"kasblock-list/1\",\"generation\":%llu,\"entries\":[",
		 (unsigned long long)st.generation);
	ASSERT_EQ(0, strncmp(self->out, want, strlen(want))) {
		TH_LOG("got: %s", self->out);
	}
	kst_hex(e[0].digest, hex);
	snprintf(want, sizeof(want), "{\"sha256\":\"%s\",\"label\":\"kst-one\"}", hex);
	ASSERT_NE(NULL, strstr(self->out, want));
	kst_hex(e[1].digest, hex);
	snprintf(want, sizeof(want), "{\"sha256\":\"%s\",\"label\":null}", hex);
	ASSERT_NE(NULL, strstr(self->out, want));
	ASSERT_EQ('\n', self->out[strlen(self->out) - 1]);
}

TEST_F(tool, load_of_a_large_list_is_complete)
{
	const size_t total = 5000;
	char hex[KST_HEX_LEN + 1], file[PATH_MAX], *text, *p;
	const char *load[] = { "load", file, NULL };
	struct kst_entry *want, *got;
	size_t i, n;

	/* Bigger than one message: the tool must split it into batches. */
	want = calloc(total, sizeof(*want));
	text = malloc(total * (KST_HEX_LEN + KASBLOCK_LABEL_MAX + 4));
	ASSERT_NE(NULL, want);
	ASSERT_NE(NULL, text);
	for (i = 0, p = text; i < total; i++) {
		char label[32];

		snprintf(label, sizeof(label), "kst-large-%zu", i);
		kst_fake_entry(&want[i], 30000 + i, label);
		kst_hex(want[i].digest, hex);
		p += sprintf(p, "%s  %s\n", hex, label);
	}
	snprintf(file, sizeof(file), "%s/large", self->dir);
	ASSERT_EQ(0, kst_write_file(file, text, p - text, 0644));
	free(text);
	ASSERT_EQ(0, kst_tool(load, NULL, 0, self->err, OUT_MAX)) {
		TH_LOG("stderr: %s", self->err);
	}

	ASSERT_EQ(0, kst_nl_dump(&self->nl, &got, &n, NULL));
	ASSERT_EQ(total, n);
	qsort(want, total, sizeof(*want), cmp_digest);
	for (i = 0; i < total; i++) {
		ASSERT_EQ(0, memcmp(want[i].digest, got[i].digest, KASBLOCK_DIGEST_LEN));
		ASSERT_STREQ(want[i].label, got[i].label);
	}
	free(got);
	free(want);
}

TEST_F(tool, hash_prints_the_digest_the_module_matches)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char prog[PATH_MAX], hex[KST_HEX_LEN + 1], want[PATH_MAX + 80];
	const char *hash[] = { "hash", prog, NULL };
	const char *add[] = { "add", "--label", "kst-tool", hex, NULL };
	const char *del[] = { "del", hex, NULL };

	snprintf(prog, sizeof(prog), "%s/prog", self->dir);
	ASSERT_EQ(0, kst_make_prog(prog, "tool:prog", 0, digest));
	kst_hex(digest, hex);
	ASSERT_EQ(0, kst_tool(hash, self->out, OUT_MAX, self->err, OUT_MAX));
	snprintf(want, sizeof(want), "%s  %s\n", hex, prog);
	ASSERT_STREQ(want, self->out);

	ASSERT_EQ(0, kst_run(prog));
	ASSERT_EQ(0, kst_tool(add, self->out, OUT_MAX, self->err, OUT_MAX)) {
		TH_LOG("stderr: %s", self->err);
	}
	ASSERT_EQ(EPERM, kst_run(prog));
	ASSERT_EQ(0, kst_tool(del, self->out, OUT_MAX, self->err, OUT_MAX)) {
		TH_LOG("stderr: %s", self->err);
	}
	ASSERT_EQ(0, kst_run(prog));
}

TEST_F(tool, status_json_matches_the_module)
{
	const char *status[] = { "status", "--json", NULL };
	struct kst_entry e[2];
	struct kst_status st;
	char want[64];

	kst_fake_entry(&e[0], 1, NULL);
	kst_fake_entry(&e[1], 2, NULL);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e, 2));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(0, kst_tool(status, self->out, OUT_MAX, self->err, OUT_MAX));
	ASSERT_NE(NULL, strstr(self->out, "\"mode\":\"enforce\"")) {
		TH_LOG("got: %s", self->out);
	}
	ASSERT_NE(NULL, strstr(self->out, "\"entries\":2")) {
		TH_LOG("got: %s", self->out);
	}
	snprintf(want, sizeof(want), "\"generation\":%llu",
		 (unsigned long long)st.generation);
	ASSERT_NE(NULL, strstr(self->out, want)) {
		TH_LOG("got: %s", self->out);
	}
}

/* Output that does not get out is a failure: status --json into /dev/full exits 1, saying why. */
TEST_F(tool, status_json_to_a_full_device_fails_with_enospc)
{
	const char *tool = getenv("KASBLOCKCTL") ?: KST_TOOL_DEFAULT;
	char errfile[PATH_MAX];
	int status, fd;
	ssize_t n;
	pid_t pid;

	snprintf(errfile, sizeof(errfile), "%s/err", self->dir);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int out = open("/dev/full", O_WRONLY), err = open(errfile, O_WRONLY | O_CREAT, 0600);

		if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(125);
		execl(tool, "kasblockctl", "status", "--json", (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(1, WEXITSTATUS(status));
	fd = open(errfile, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, self->err, OUT_MAX - 1);
	close(fd);
	ASSERT_LT(0, n);
	self->err[n] = '\0';
	ASSERT_NE(NULL, strstr(self->err, "status: write error: No space left on device")) {
		TH_LOG("stderr: %s", self->err);
	}
}

TEST_F(tool, unprivileged_caller_exits_4)
{
	const char *status[] = { "status", NULL };

	ASSERT_EQ(4, kst_tool_as(65534, status, self->out, OUT_MAX, self->err,
				 OUT_MAX)) {
		TH_LOG("stderr: %s", self->err);
	}
	ASSERT_EQ(0, strncmp(self->err, "kasblockctl: ", 13));
}

/* Bad command lines: exit 2, a message, and nothing sent. */
FIXTURE(bad_args) {
	struct kst_nl nl;
	struct kst_snapshot before;
	char out[4096], err[4096];
};

FIXTURE_VARIANT(bad_args) {
	const char *args[4];
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_args, add_non_hex_digest) {
	/* clang-format on */
	.args = { "add", "zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_args, add_63_hex_digits) {
	/* clang-format on */
	.args = { "add", "123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_args, add_65_hex_digits) {
	/* clang-format on */
	.args = { "add", "00123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_args, del_non_hex_digest) {
	/* clang-format on */
	.args = { "del", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg" },
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_args, mode_unknown) {
	/* clang-format on */
	.args = { "mode", "permissive" },
};

FIXTURE_SETUP(bad_args)
{
	struct kst_entry e;

	kst_baseline(_metadata, &self->nl);
	kst_fake_entry(&e, 1, "kst-base");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &self->before));
}

FIXTURE_TEARDOWN(bad_args)
{
	kst_restore(&self->nl);
}

TEST_F(bad_args, exit_2_and_change_nothing)
{
	struct kst_snapshot after;

	ASSERT_EQ(2, kst_tool(variant->args, self->out, sizeof(self->out),
			      self->err, sizeof(self->err))) {
		TH_LOG("stderr: %s", self->err);
	}
	ASSERT_EQ(0, strncmp(self->err, "kasblockctl: ", 13)) {
		TH_LOG("stderr: %s", self->err);
	}
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));
}

/* Bad list files: exit 2, "FILE:LINE:", and nothing sent. */
#define GOOD_HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

FIXTURE(bad_list_file) {
	struct kst_nl nl;
	struct kst_snapshot before;
	char dir[64];
	char file[PATH_MAX];
	char out[4096], err[4096];
};

FIXTURE_VARIANT(bad_list_file) {
	const char *bad_line;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_list_file, non_hex_digest) {
	/* clang-format on */
	.bad_line = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeX  bad",
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_list_file, short_digest) {
	/* clang-format on */
	.bad_line = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde  bad",
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_list_file, not_a_digest) {
	/* clang-format on */
	.bad_line = "this is not a list line",
};

FIXTURE_SETUP(bad_list_file)
{
	char text[1024];
	struct kst_entry e;
	int len;

	kst_baseline(_metadata, &self->nl);
	kst_fake_entry(&e, 1, "kst-base");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &self->before));
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->file, sizeof(self->file), "%s/list", self->dir);
	/* The bad line is line 4: a comment and a blank line count too. */
	len = snprintf(text, sizeof(text), "# kst list\n\n%s  good\n%s\n%s\n",
		       GOOD_HEX, variant->bad_line, GOOD_HEX);
	ASSERT_EQ(0, kst_write_file(self->file, text, len, 0644));
}

FIXTURE_TEARDOWN(bad_list_file)
{
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F(bad_list_file, load_exits_2_names_the_line_and_changes_nothing)
{
	const char *load[] = { "load", self->file, NULL };
	struct kst_snapshot after;
	char where[PATH_MAX + 16];

	ASSERT_EQ(2, kst_tool(load, self->out, sizeof(self->out), self->err,
			      sizeof(self->err))) {
		TH_LOG("stderr: %s", self->err);
	}
	snprintf(where, sizeof(where), "%s:4:", self->file);
	ASSERT_NE(NULL, strstr(self->err, where)) {
		TH_LOG("want: %s", where);
		TH_LOG("stderr: %s", self->err);
	}
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));
}

TEST_HARNESS_MAIN
