// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: the policy digest, end to end. What the module reports
 * for a list loaded with `kasblockctl load` equals `kasblockctl digest` of
 * the list file and an independent computation (SHA-256 of the sorted
 * digests); the same list in another order, with other labels, or added one
 * by one, has the same digest (and a new generation); load of several files
 * is their union. (netlink_test checks the digest over raw netlink.)
 */

#define _GNU_SOURCE
#include "common.h"

#define EMPTY_DIGEST "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

FIXTURE(policy_digest) {
	struct kst_nl nl;
	char dir[64];
	char file[PATH_MAX], reversed[PATH_MAX];
	struct kst_entry e[5];
	char want[KST_HEX_LEN + 1];	/* the digest of e, computed here */
};

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(((const struct kst_entry *)a)->digest, ((const struct kst_entry *)b)->digest,
		      KASBLOCK_DIGEST_LEN);
}

/* SHA-256 of the sorted, distinct digests: independent of the module and the tool. */
static void policy_digest(const struct kst_entry *e, size_t n, char hex[KST_HEX_LEN + 1])
{
	struct kst_entry *s = calloc(n + 1, sizeof(*s));
	uint8_t *all = calloc(n + 1, KASBLOCK_DIGEST_LEN), d[KASBLOCK_DIGEST_LEN];
	size_t i, k = 0;

	memcpy(s, e, n * sizeof(*e));
	qsort(s, n, sizeof(*s), cmp_digest);
	for (i = 0; i < n; i++)
		if (!i || cmp_digest(&s[i - 1], &s[i]))
			memcpy(all + KASBLOCK_DIGEST_LEN * k++, s[i].digest, KASBLOCK_DIGEST_LEN);
	kst_sha256(all, k * KASBLOCK_DIGEST_LEN, d);
	kst_hex(d, hex);
	free(all);
	free(s);
}

/* A list file of e[from..to] (step ±1), labelled with prefix. */
static int write_list(const char *path, const struct kst_entry *e, int from, int to,
		      const char *prefix)
{
	char buf[4096], hex[KST_HEX_LEN + 1];
	size_t len = 0;
	int i, step = from <= to ? 1 : -1;

	len += snprintf(buf + len, sizeof(buf) - len, "# policy digest test\n");
	for (i = from;; i += step) {
		kst_hex(e[i].digest, hex);
		len += snprintf(buf + len, sizeof(buf) - len, "%s  %s-%d\n", hex, prefix, i);
		if (i == to)
			break;
	}
	return kst_write_file(path, buf, len, 0644);
}

/* The policy digest and generation the module reports in its status. */
static int status_digest(struct kst_nl *nl, char hex[KST_HEX_LEN + 1], uint64_t *generation)
{
	struct kst_status st;
	int ret;

	ret = kst_nl_status(nl, &st);
	if (ret)
		return ret;
	if (!st.has_policy_digest)
		return -ENODATA;
	kst_hex(st.policy_digest, hex);
	*generation = st.generation;
	return 0;
}

static int tool_digest(char hex[KST_HEX_LEN + 1], const char *file, const char *file2)
{
	const char *args[] = { "digest", file, file2, NULL };
	char out[256];

	if (kst_tool(args, out, sizeof(out), NULL, 0) || strlen(out) != KST_HEX_LEN + 1)
		return -1;
	memcpy(hex, out, KST_HEX_LEN);
	hex[KST_HEX_LEN] = '\0';
	return 0;
}

static int tool_load(const char *file, const char *file2)
{
	const char *args[] = { "load", file, file2, NULL };

	return kst_tool(args, NULL, 0, NULL, 0);
}

FIXTURE_SETUP(policy_digest)
{
	int i;

	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	for (i = 0; i < 5; i++)
		kst_fake_entry(&self->e[i], 0xd1600 + i, NULL);
	policy_digest(self->e, 5, self->want);
	snprintf(self->file, sizeof(self->file), "%s/forward.list", self->dir);
	snprintf(self->reversed, sizeof(self->reversed), "%s/reversed.list", self->dir);
	ASSERT_EQ(0, write_list(self->file, self->e, 0, 4, "kst-fwd"));
	ASSERT_EQ(0, write_list(self->reversed, self->e, 4, 0, "kst-rev"));
}

FIXTURE_TEARDOWN(policy_digest)
{
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F(policy_digest, empty_list_is_sha256_of_nothing)
{
	char hex[KST_HEX_LEN + 1];
	uint64_t gen;

	ASSERT_EQ(0, status_digest(&self->nl, hex, &gen));
	ASSERT_STREQ(EMPTY_DIGEST, hex);
}

TEST_F(policy_digest, status_equals_offline_digest_of_the_loaded_file)
{
	char status[KST_HEX_LEN + 1], offline[KST_HEX_LEN + 1];
	uint64_t gen;

	ASSERT_EQ(0, tool_load(self->file, NULL));
	ASSERT_EQ(0, status_digest(&self->nl, status, &gen));
	ASSERT_EQ(0, tool_digest(offline, self->file, NULL));
	ASSERT_STREQ(self->want, status);
	ASSERT_STREQ(self->want, offline);
}

TEST_F(policy_digest, another_order_and_labels_give_the_same_digest)
{
	char first[KST_HEX_LEN + 1], second[KST_HEX_LEN + 1], offline[KST_HEX_LEN + 1];
	uint64_t gen1, gen2;

	ASSERT_EQ(0, tool_load(self->file, NULL));
	ASSERT_EQ(0, status_digest(&self->nl, first, &gen1));
	ASSERT_EQ(0, tool_load(self->reversed, NULL));
	ASSERT_EQ(0, status_digest(&self->nl, second, &gen2));
	ASSERT_STREQ(first, second);
	ASSERT_EQ(0, tool_digest(offline, self->reversed, NULL));
	ASSERT_STREQ(first, offline);
	/* The same policy, but a change: the generation says it was reloaded. */
	ASSERT_LT(gen1, gen2);
}

/* Added one by one over netlink, in yet another order: still the same list. */
TEST_F(policy_digest, entries_added_one_by_one_give_the_same_digest)
{
	static const int order[] = { 2, 0, 4, 1, 3 };
	char hex[KST_HEX_LEN + 1];
	uint64_t gen;
	int i;

	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &self->e[order[i]], 1));
	}
	ASSERT_EQ(0, status_digest(&self->nl, hex, &gen));
	ASSERT_STREQ(self->want, hex);
}

TEST_F(policy_digest, digest_follows_changes)
{
	struct kst_entry rest[4] = { self->e[0], self->e[1], self->e[2], self->e[4] };
	char hex[KST_HEX_LEN + 1], four[KST_HEX_LEN + 1];
	uint64_t gen;

	policy_digest(rest, 4, four);
	ASSERT_EQ(0, tool_load(self->file, NULL));
	ASSERT_EQ(0, kst_del(&self->nl, self->e[3].digest));
	ASSERT_EQ(0, status_digest(&self->nl, hex, &gen));
	ASSERT_STRNE(self->want, hex);
	ASSERT_STREQ(four, hex);
	ASSERT_EQ(0, kst_add(&self->nl, self->e[3].digest, NULL));
	ASSERT_EQ(0, status_digest(&self->nl, hex, &gen));
	ASSERT_STREQ(self->want, hex);
}

/* load of several files is one replace of their union; digest agrees. */
TEST_F(policy_digest, several_files_load_their_union)
{
	char part1[PATH_MAX], part2[PATH_MAX], status[KST_HEX_LEN + 1], offline[KST_HEX_LEN + 1];
	uint64_t gen;

	snprintf(part1, sizeof(part1), "%s/part1.list", self->dir);
	snprintf(part2, sizeof(part2), "%s/part2.list", self->dir);
	/* Overlapping on e[2]. */
	ASSERT_EQ(0, write_list(part1, self->e, 0, 2, "kst-p1"));
	ASSERT_EQ(0, write_list(part2, self->e, 4, 2, "kst-p2"));
	ASSERT_EQ(0, tool_load(part1, part2));
	ASSERT_EQ(0, status_digest(&self->nl, status, &gen));
	ASSERT_EQ(0, tool_digest(offline, part2, part1));
	ASSERT_STREQ(self->want, status);
	ASSERT_STREQ(self->want, offline);
}

TEST_HARNESS_MAIN
