// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: the generic netlink family, one hand-built request at a
 * time: what each bad request gets, and the list semantics of good ones.
 */

#define _GNU_SOURCE
#include <libmnl/libmnl.h>
#include <sys/utsname.h>

#include "common.h"

/* Two entries every fixture starts with, so "unchanged" means something. */
static void base_entries(struct kst_entry e[2])
{
	kst_fake_entry(&e[0], 1, "kst-base-one");
	kst_fake_entry(&e[1], 2, NULL);
}

static int add_base(struct kst_nl *nl)
{
	struct kst_entry e[2];

	base_entries(e);
	return kst_nl_cmd(nl, KASBLOCK_CMD_ADD, e, 2);
}

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(((const struct kst_entry *)a)->digest,
		      ((const struct kst_entry *)b)->digest, KASBLOCK_DIGEST_LEN);
}

/* Request bodies, each wrong in one way (or right, for the ENOENT cases). */
typedef int (*build_fn)(struct nlmsghdr *h);

static int one_entry_digest_len(struct nlmsghdr *h, size_t len)
{
	uint8_t digest[64];
	struct nlattr *list, *entry;

	memset(digest, 0xab, sizeof(digest));
	list = mnl_attr_nest_start(h, KASBLOCK_A_ENTRIES);
	entry = mnl_attr_nest_start(h, KASBLOCK_A_ENTRY);
	mnl_attr_put(h, KASBLOCK_ENTRY_A_DIGEST, len, digest);
	mnl_attr_nest_end(h, entry);
	mnl_attr_nest_end(h, list);
	return 0;
}

static int build_digest_31(struct nlmsghdr *h)
{
	return one_entry_digest_len(h, KASBLOCK_DIGEST_LEN - 1);
}

static int build_digest_33(struct nlmsghdr *h)
{
	return one_entry_digest_len(h, KASBLOCK_DIGEST_LEN + 1);
}

static int build_digest_empty(struct nlmsghdr *h)
{
	return one_entry_digest_len(h, 0);
}

static int build_nothing(struct nlmsghdr *h)
{
	return 0;
}

static int build_entry_without_digest(struct nlmsghdr *h)
{
	struct nlattr *list, *entry;

	list = mnl_attr_nest_start(h, KASBLOCK_A_ENTRIES);
	entry = mnl_attr_nest_start(h, KASBLOCK_A_ENTRY);
	mnl_attr_put_strz(h, KASBLOCK_ENTRY_A_LABEL, "no-digest");
	mnl_attr_nest_end(h, entry);
	mnl_attr_nest_end(h, list);
	return 0;
}

static int build_empty_entry(struct nlmsghdr *h)
{
	struct nlattr *list;

	list = mnl_attr_nest_start(h, KASBLOCK_A_ENTRIES);
	mnl_attr_nest_end(h, mnl_attr_nest_start(h, KASBLOCK_A_ENTRY));
	mnl_attr_nest_end(h, list);
	return 0;
}

static int build_new_entry(struct nlmsghdr *h)
{
	struct kst_entry e;

	kst_fake_entry(&e, 1000, "kst-new");
	return kst_nl_put_entries(h, &e, 1);
}

static int build_unknown_attribute(struct nlmsghdr *h)
{
	int ret = build_new_entry(h);

	mnl_attr_put_u32(h, __KASBLOCK_A_LAST, 0);
	return ret;
}

static int build_unknown_entry_attribute(struct nlmsghdr *h)
{
	struct nlattr *list, *entry;
	struct kst_entry e;

	kst_fake_entry(&e, 1000, NULL);
	list = mnl_attr_nest_start(h, KASBLOCK_A_ENTRIES);
	entry = mnl_attr_nest_start(h, KASBLOCK_A_ENTRY);
	mnl_attr_put(h, KASBLOCK_ENTRY_A_DIGEST, KASBLOCK_DIGEST_LEN, e.digest);
	mnl_attr_put_u32(h, __KASBLOCK_ENTRY_A_LAST, 0);
	mnl_attr_nest_end(h, entry);
	mnl_attr_nest_end(h, list);
	return 0;
}

static int build_entries_holding_a_non_entry(struct nlmsghdr *h)
{
	struct nlattr *list;
	struct kst_entry e;

	/* A digest straight inside KASBLOCK_A_ENTRIES, without its entry. */
	kst_fake_entry(&e, 1000, NULL);
	list = mnl_attr_nest_start(h, KASBLOCK_A_ENTRIES);
	mnl_attr_put(h, KASBLOCK_ENTRY_A_DIGEST, KASBLOCK_DIGEST_LEN, e.digest);
	mnl_attr_nest_end(h, list);
	return 0;
}

static int build_label(struct nlmsghdr *h, const void *label, size_t len)
{
	struct nlattr *list, *entry;
	struct kst_entry e;

	kst_fake_entry(&e, 1000, NULL);
	list = mnl_attr_nest_start(h, KASBLOCK_A_ENTRIES);
	entry = mnl_attr_nest_start(h, KASBLOCK_A_ENTRY);
	mnl_attr_put(h, KASBLOCK_ENTRY_A_DIGEST, KASBLOCK_DIGEST_LEN, e.digest);
	mnl_attr_put(h, KASBLOCK_ENTRY_A_LABEL, len, label);
	mnl_attr_nest_end(h, entry);
	mnl_attr_nest_end(h, list);
	return 0;
}

static int build_label_too_long(struct nlmsghdr *h)
{
	char label[KASBLOCK_LABEL_MAX + 1];

	/* KASBLOCK_LABEL_MAX characters, so KASBLOCK_LABEL_MAX + 1 with the NUL. */
	memset(label, 'x', KASBLOCK_LABEL_MAX);
	label[KASBLOCK_LABEL_MAX] = '\0';
	return build_label(h, label, sizeof(label));
}

static int build_label_unterminated(struct nlmsghdr *h)
{
	return build_label(h, "abc", 3);
}

static int build_batch_with_one_bad_digest(struct nlmsghdr *h)
{
	struct nlattr *list, *entry;
	struct kst_entry e;

	kst_fake_entry(&e, 1000, "kst-good");
	list = mnl_attr_nest_start(h, KASBLOCK_A_ENTRIES);
	entry = mnl_attr_nest_start(h, KASBLOCK_A_ENTRY);
	mnl_attr_put(h, KASBLOCK_ENTRY_A_DIGEST, KASBLOCK_DIGEST_LEN, e.digest);
	mnl_attr_nest_end(h, entry);
	entry = mnl_attr_nest_start(h, KASBLOCK_A_ENTRY);
	mnl_attr_put(h, KASBLOCK_ENTRY_A_DIGEST, KASBLOCK_DIGEST_LEN - 1, e.digest);
	mnl_attr_nest_end(h, entry);
	mnl_attr_nest_end(h, list);
	return 0;
}

static int build_too_many_new_entries(struct nlmsghdr *h)
{
	struct kst_entry *e = calloc(KASBLOCK_BATCH_MAX + 1, sizeof(*e));
	int i, ret;

	if (!e)
		return -ENOMEM;
	for (i = 0; i <= KASBLOCK_BATCH_MAX; i++)
		kst_fake_entry(&e[i], 10000 + i, NULL);
	ret = kst_nl_put_entries(h, e, KASBLOCK_BATCH_MAX + 1);
	free(e);
	return ret;
}

static int build_too_many_listed_entries(struct nlmsghdr *h)
{
	struct kst_entry base[2], *e = calloc(KASBLOCK_BATCH_MAX + 1, sizeof(*e));
	int i, ret;

	/* Only listed digests: the count is the one thing wrong with it. */
	if (!e)
		return -ENOMEM;
	base_entries(base);
	for (i = 0; i <= KASBLOCK_BATCH_MAX; i++)
		memcpy(e[i].digest, base[i % 2].digest, KASBLOCK_DIGEST_LEN);
	ret = kst_nl_put_entries(h, e, KASBLOCK_BATCH_MAX + 1);
	free(e);
	return ret;
}

static int build_listed_and_unlisted(struct nlmsghdr *h)
{
	struct kst_entry e[2];

	base_entries(e);
	kst_fake_entry(&e[1], 1000, NULL);
	return kst_nl_put_entries(h, e, 2);
}

static int build_mode_unspec(struct nlmsghdr *h)
{
	mnl_attr_put_u32(h, KASBLOCK_A_MODE, KASBLOCK_MODE_UNSPEC);
	return 0;
}

static int build_mode_out_of_range(struct nlmsghdr *h)
{
	mnl_attr_put_u32(h, KASBLOCK_A_MODE, __KASBLOCK_MODE_LAST);
	return 0;
}

static int build_mode_u8(struct nlmsghdr *h)
{
	mnl_attr_put_u8(h, KASBLOCK_A_MODE, KASBLOCK_MODE_MONITOR);
	return 0;
}

FIXTURE(bad_request) {
	struct kst_nl nl;
	struct kst_snapshot before;
};

FIXTURE_VARIANT(bad_request) {
	uint8_t cmd;
	build_fn build;
	int err;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_digest_31_bytes) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_digest_31, .err = ERANGE,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_digest_33_bytes) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_digest_33, .err = ERANGE,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_digest_empty) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_digest_empty, .err = ERANGE,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_without_entries) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_nothing, .err = EINVAL,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_entry_without_digest) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_entry_without_digest, .err = EINVAL,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_empty_entry) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_empty_entry, .err = EINVAL,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_unknown_attribute) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_unknown_attribute, .err = EINVAL,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_unknown_entry_attribute) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_unknown_entry_attribute,
	.err = EINVAL,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_entries_holding_a_non_entry) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_entries_holding_a_non_entry,
	.err = EINVAL,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_label_too_long) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_label_too_long, .err = EINVAL,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_label_unterminated) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_label_unterminated, .err = EINVAL,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_batch_with_one_bad_digest) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_batch_with_one_bad_digest,
	.err = ERANGE,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, add_more_than_batch_max) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_ADD, .build = build_too_many_new_entries, .err = E2BIG,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, del_unlisted_digest) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_DEL, .build = build_new_entry, .err = ENOENT,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, del_listed_and_unlisted_digest) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_DEL, .build = build_listed_and_unlisted, .err = ENOENT,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, del_digest_31_bytes) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_DEL, .build = build_digest_31, .err = ERANGE,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, del_without_entries) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_DEL, .build = build_nothing, .err = EINVAL,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, del_more_than_batch_max) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_DEL, .build = build_too_many_listed_entries,
	.err = E2BIG,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, replace_add_without_begin) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_REPLACE_ADD, .build = build_new_entry, .err = ENOENT,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, replace_commit_without_begin) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_REPLACE_COMMIT, .build = build_nothing, .err = ENOENT,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, set_mode_without_mode) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_SET_MODE, .build = build_nothing, .err = EINVAL,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, set_mode_unspec) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_SET_MODE, .build = build_mode_unspec, .err = ERANGE,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, set_mode_out_of_range) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_SET_MODE, .build = build_mode_out_of_range,
	.err = ERANGE,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(bad_request, set_mode_wrong_size) {
	/* clang-format on */
	.cmd = KASBLOCK_CMD_SET_MODE, .build = build_mode_u8, .err = EINVAL,
};

FIXTURE_SETUP(bad_request)
{
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, add_base(&self->nl));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &self->before));
	ASSERT_EQ(2, self->before.nr);
}

FIXTURE_TEARDOWN(bad_request)
{
	kst_restore(&self->nl);
}

TEST_F(bad_request, is_rejected_with_its_errno_and_changes_nothing)
{
	struct kst_snapshot after;
	struct kst_status st;
	struct nlmsghdr *h;
	void *buf = malloc(KST_MSG_MAX);

	ASSERT_NE(NULL, buf);
	h = kst_nl_msg(&self->nl, buf, variant->cmd, 0);
	ASSERT_EQ(0, variant->build(h)) {
		TH_LOG("cannot build the request: one KASBLOCK_A_ENTRIES holds at most %zu unlabelled entries, KASBLOCK_BATCH_MAX is %d",
		       kst_nl_entries_fit(false), KASBLOCK_BATCH_MAX);
	}
	ASSERT_EQ(-variant->err, kst_nl_send(&self->nl, h)) {
		TH_LOG("extack: \"%s\"", self->nl.extack);
	}
	free(buf);
	ASSERT_NE(0, strlen(self->nl.extack)) {
		TH_LOG("the rejection carries no extended ACK message");
	}
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &after)) {
		TH_LOG("generation %llu -> %llu, %zu -> %zu entries",
		       (unsigned long long)self->before.generation,
		       (unsigned long long)after.generation, self->before.nr,
		       after.nr);
	}
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(KASBLOCK_MODE_ENFORCE, st.mode);
}

/* max_entries is small: what does not fit is refused, all of it. */
FIXTURE(list_full) {
	struct kst_nl nl;
	struct kst_snapshot before;
	struct kst_entry fresh[3];	/* not listed */
};

FIXTURE_SETUP(list_full)
{
	int i;

	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_param_write("max_entries", "4"));
	ASSERT_EQ(0, add_base(&self->nl));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &self->before));
	for (i = 0; i < 3; i++)
		kst_fake_entry(&self->fresh[i], 100 + i, "kst-fresh");
}

FIXTURE_TEARDOWN(list_full)
{
	kst_restore(&self->nl);
}

TEST_F(list_full, add_beyond_max_entries_fails_with_enospc_and_adds_nothing)
{
	struct kst_snapshot after;

	/* 2 + 3 > 4: none of the three goes in, not even the two that would fit. */
	ASSERT_EQ(-ENOSPC, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, self->fresh, 3));
	ASSERT_NE(0, strlen(self->nl.extack));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));
}

TEST_F(list_full, add_up_to_max_entries_succeeds)
{
	struct kst_status st;

	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, self->fresh, 2));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(4, st.nr_entries);
	ASSERT_EQ(4, st.max_entries);
	ASSERT_EQ(-ENOSPC, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &self->fresh[2], 1));
}

TEST_F(list_full, readding_a_listed_digest_needs_no_room)
{
	struct kst_entry base[2];
	struct kst_status st;

	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, self->fresh, 2));
	base_entries(base);
	strcpy(base[0].label, "kst-relabelled");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, base, 2));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(4, st.nr_entries);
}

TEST_F(list_full, replace_beyond_max_entries_fails_with_enospc)
{
	struct kst_entry e[5];
	struct kst_snapshot after;
	int i;

	for (i = 0; i < 5; i++)
		kst_fake_entry(&e[i], 200 + i, NULL);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(-ENOSPC, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ADD, e, 5));
	ASSERT_NE(0, strlen(self->nl.extack));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ABORT, NULL, 0));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));
}

/* What good requests do to the list. */
FIXTURE(list) {
	struct kst_nl nl;
};

FIXTURE_SETUP(list)
{
	kst_baseline(_metadata, &self->nl);
}

FIXTURE_TEARDOWN(list)
{
	kst_restore(&self->nl);
}

TEST_F(list, dump_returns_what_was_added_with_labels)
{
	struct kst_entry want[3], *got;
	size_t n;
	int i;

	kst_fake_entry(&want[0], 1, "kst-one");
	kst_fake_entry(&want[1], 2, NULL);
	kst_fake_entry(&want[2], 3, "kst label with spaces");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, want, 3));
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &got, &n, NULL));
	ASSERT_EQ(3, n);
	for (i = 0; i < 3; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (!memcmp(got[j].digest, want[i].digest, KASBLOCK_DIGEST_LEN))
				break;
		ASSERT_LT(j, n);
		ASSERT_STREQ(want[i].label, got[j].label);
	}
	free(got);
}

TEST_F(list, label_of_longest_length_is_kept_whole)
{
	struct kst_entry e, *got;
	size_t n;

	kst_fake_entry(&e, 1, NULL);
	memset(e.label, 'L', KASBLOCK_LABEL_MAX - 1);
	e.label[KASBLOCK_LABEL_MAX - 1] = '\0';
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &got, &n, NULL));
	ASSERT_EQ(1, n);
	ASSERT_STREQ(e.label, got[0].label);
	free(got);
}

TEST_F(list, adding_a_listed_digest_replaces_its_label)
{
	struct kst_entry e, *got;
	size_t n;

	kst_fake_entry(&e, 1, "kst-old");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	strcpy(e.label, "kst-new");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &got, &n, NULL));
	ASSERT_EQ(1, n);
	ASSERT_STREQ("kst-new", got[0].label);
	free(got);
}

/*
 * One batch naming a digest several times: the label given last wins,
 * wherever the repeats sit among other digests (the kernel sorts the batch,
 * and lib/sort alone would not keep repeats in their order).
 */
TEST_F(list, repeated_digest_in_one_batch_keeps_the_last_label)
{
	enum { N = 200, REPEATS = 7 };
	struct kst_entry *e = calloc(N, sizeof(*e)), *got;
	size_t n, i;
	int r;

	ASSERT_NE(NULL, e);
	for (i = 0; i < N; i++)
		kst_fake_entry(&e[i], 1000 + i, "kst-other");
	/* The repeats, spread through the batch, labelled in order. */
	for (r = 0; r < REPEATS; r++) {
		i = (size_t)r * (N / REPEATS) + 3;
		kst_fake_entry(&e[i], 7, NULL);
		snprintf(e[i].label, sizeof(e[i].label), "kst-repeat-%d", r);
	}
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e, N));
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &got, &n, NULL));
	ASSERT_EQ(N - REPEATS + 1, n);
	for (i = 0; i < n; i++) {
		struct kst_entry want;

		kst_fake_entry(&want, 7, NULL);
		if (!memcmp(want.digest, got[i].digest, KASBLOCK_DIGEST_LEN))
			break;
	}
	ASSERT_LT(i, n);
	EXPECT_STREQ("kst-repeat-6", got[i].label);
	free(got);
	free(e);
}

/*
 * Whether a dump's start can carry an extended ACK message: netlink hands the
 * start callback an extack only since 6.2 (netlink_dump_control.extack).
 */
static bool dump_start_has_extack(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return true;
	return major > 6 || (major == 6 && minor >= 2);
}

/* A dump takes no attributes: one it does not use is refused, with a reason. */
TEST_F(list, dump_with_an_attribute_is_refused)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = kst_nl_msg(&self->nl, buf, KASBLOCK_CMD_GET_ENTRIES, NLM_F_DUMP);

	mnl_attr_put_u32(h, KASBLOCK_A_MODE, KASBLOCK_MODE_MONITOR);
	ASSERT_EQ(-EINVAL, kst_nl_send(&self->nl, h));
	if (!dump_start_has_extack()) {
		TH_LOG("this kernel gives a dump's start no extack: errno only");
		return;
	}
	EXPECT_NE(NULL, strstr(self->nl.extack, "not valid for this command")) {
		TH_LOG("extack: \"%s\"", self->nl.extack);
	}
}

TEST_F(list, adding_a_listed_digest_without_label_keeps_its_label)
{
	struct kst_entry e, *got;
	size_t n;

	kst_fake_entry(&e, 1, "kst-old");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	e.label[0] = '\0';
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &got, &n, NULL));
	ASSERT_EQ(1, n);
	ASSERT_STREQ("kst-old", got[0].label);
	free(got);
}

TEST_F(list, del_removes_only_the_given_digests)
{
	struct kst_entry e[3], *got;
	size_t n;

	kst_fake_entry(&e[0], 1, NULL);
	kst_fake_entry(&e[1], 2, NULL);
	kst_fake_entry(&e[2], 3, NULL);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e, 3));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_DEL, &e[1], 1));
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &got, &n, NULL));
	ASSERT_EQ(2, n);
	ASSERT_NE(0, memcmp(got[0].digest, e[1].digest, KASBLOCK_DIGEST_LEN));
	ASSERT_NE(0, memcmp(got[1].digest, e[1].digest, KASBLOCK_DIGEST_LEN));
	free(got);
	/* Deleted means deleted: a second time it is not listed. */
	ASSERT_EQ(-ENOENT, kst_nl_cmd(&self->nl, KASBLOCK_CMD_DEL, &e[1], 1));
}

TEST_F(list, batch_of_batch_max_entries_is_accepted)
{
	struct kst_entry *e = calloc(KASBLOCK_BATCH_MAX, sizeof(*e));
	struct kst_status st;
	int i;

	ASSERT_NE(NULL, e);
	for (i = 0; i < KASBLOCK_BATCH_MAX; i++)
		kst_fake_entry(&e[i], 5000 + i, NULL);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e, KASBLOCK_BATCH_MAX)) {
		TH_LOG("extack: \"%s\" (one KASBLOCK_A_ENTRIES holds at most %zu unlabelled entries)",
		       self->nl.extack, kst_nl_entries_fit(false));
	}
	free(e);
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(KASBLOCK_BATCH_MAX, st.nr_entries);
}

TEST_F(list, dump_of_many_entries_is_complete_and_consistent)
{
	const size_t total = 5000;
	struct kst_entry *e = calloc(total, sizeof(*e)), *got;
	size_t i, n, done, batch = kst_nl_entries_fit(true);
	uint64_t generation;
	struct kst_status st;

	ASSERT_NE(NULL, e);
	for (i = 0; i < total; i++) {
		char label[32];

		snprintf(label, sizeof(label), "kst-%zu", i);
		kst_fake_entry(&e[i], 20000 + i, i % 3 ? label : NULL);
	}
	for (done = 0; done < total; done += batch) {
		size_t k = total - done < batch ? total - done : batch;

		ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e + done, k));
	}
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &got, &n, &generation));
	ASSERT_EQ(total, n);
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(st.generation, generation);
	qsort(e, total, sizeof(*e), cmp_digest);
	for (i = 0; i < total; i++) {
		ASSERT_EQ(0, memcmp(e[i].digest, got[i].digest, KASBLOCK_DIGEST_LEN));
		ASSERT_STREQ(e[i].label, got[i].label);
	}
	free(got);
	free(e);
}

TEST_F(list, every_change_increments_the_generation)
{
	struct kst_status st;
	struct kst_entry e;
	uint64_t last;

	kst_fake_entry(&e, 1, NULL);
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	last = st.generation;
#define CHANGED(call) do {						\
		ASSERT_EQ(0, call);					\
		ASSERT_EQ(0, kst_nl_status(&self->nl, &st));		\
		ASSERT_LT(last, st.generation) {			\
			TH_LOG("not incremented by %s", #call);		\
		}							\
		last = st.generation;					\
	} while (0)
	CHANGED(kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	CHANGED(kst_nl_cmd(&self->nl, KASBLOCK_CMD_DEL, &e, 1));
	CHANGED(kst_nl_set_mode(&self->nl, KASBLOCK_MODE_MONITOR));
	CHANGED(kst_nl_set_mode(&self->nl, KASBLOCK_MODE_ENFORCE));
	CHANGED(kst_nl_replace(&self->nl, &e, 1));
	CHANGED(kst_nl_cmd(&self->nl, KASBLOCK_CMD_FLUSH, NULL, 0));
#undef CHANGED
}

TEST_F(list, flush_empties_the_list)
{
	struct kst_entry e[2], *got;
	size_t n;

	base_entries(e);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e, 2));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_FLUSH, NULL, 0));
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &got, &n, NULL));
	ASSERT_EQ(0, n);
	free(got);
}

TEST_F(list, status_reports_entries_and_parameters)
{
	struct kst_entry e[2];
	struct kst_status st;
	char value[64];

	base_entries(e);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e, 2));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(KASBLOCK_MODE_ENFORCE, st.mode);
	ASSERT_EQ(2, st.nr_entries);
	ASSERT_EQ(0, kst_param_read("max_entries", value, sizeof(value)));
	ASSERT_EQ(strtoul(value, NULL, 10), st.max_entries);
	ASSERT_EQ(0, kst_param_read("max_hash_size", value, sizeof(value)));
	ASSERT_EQ(strtoull(value, NULL, 10), st.max_hash_size);
	ASSERT_EQ(KASBLOCK_FAIL_OPEN, st.fail_policy);
	ASSERT_NE(0, strlen(st.hash_driver));
	TH_LOG("hash driver: %s", st.hash_driver);
}

TEST_F(list, policy_digest_covers_the_sorted_digests_and_nothing_else)
{
	uint8_t want[KASBLOCK_DIGEST_LEN], cat[3 * KASBLOCK_DIGEST_LEN];
	struct kst_entry e[3];
	struct kst_status st;
	int i;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_TRUE(st.has_policy_digest);
	kst_sha256("", 0, want);
	ASSERT_EQ(0, memcmp(want, st.policy_digest, sizeof(want)));

	kst_fake_entry(&e[0], 1, "kst-one");
	kst_fake_entry(&e[1], 2, NULL);
	kst_fake_entry(&e[2], 3, "kst-three");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e, 3));
	qsort(e, 3, sizeof(e[0]), cmp_digest);
	for (i = 0; i < 3; i++)
		memcpy(cat + i * KASBLOCK_DIGEST_LEN, e[i].digest, KASBLOCK_DIGEST_LEN);
	kst_sha256(cat, sizeof(cat), want);
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(0, memcmp(want, st.policy_digest, sizeof(want)));

	/* Labels are not part of it. */
	strcpy(e[1].label, "kst-relabelled");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e[1], 1));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(0, memcmp(want, st.policy_digest, sizeof(want)));
}

/* The staged replace: BEGIN, REPLACE_ADD..., COMMIT or ABORT. */
FIXTURE(replace) {
	struct kst_nl nl, other;
	struct kst_snapshot before;
	struct kst_entry next[3];
};

FIXTURE_SETUP(replace)
{
	int i;

	self->other.sock = NULL;
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, add_base(&self->nl));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &self->before));
	ASSERT_EQ(0, kst_nl_open(&self->other));
	for (i = 0; i < 3; i++)
		kst_fake_entry(&self->next[i], 300 + i, "kst-next");
}

FIXTURE_TEARDOWN(replace)
{
	kst_nl_close(&self->other);
	kst_restore(&self->nl);
}

static bool list_is(struct kst_nl *nl, const struct kst_entry *want, size_t count)
{
	struct kst_entry *got;
	size_t n, i, j;
	bool same;

	if (kst_nl_dump(nl, &got, &n, NULL))
		return false;
	same = n == count;
	for (i = 0; same && i < count; i++) {
		for (j = 0; j < n; j++)
			if (!memcmp(got[j].digest, want[i].digest, KASBLOCK_DIGEST_LEN) &&
			    !strcmp(got[j].label, want[i].label))
				break;
		same = j < n;
	}
	free(got);
	return same;
}

TEST_F(replace, commit_makes_the_staged_list_active)
{
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ADD, self->next, 2));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ADD, &self->next[2], 1));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_COMMIT, NULL, 0));
	ASSERT_TRUE(list_is(&self->nl, self->next, 3));
}

TEST_F(replace, staged_list_is_invisible_until_commit)
{
	struct kst_snapshot mid;

	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ADD, self->next, 3));
	ASSERT_EQ(0, kst_snapshot(&self->other, &mid));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &mid));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_COMMIT, NULL, 0));
	ASSERT_TRUE(list_is(&self->other, self->next, 3));
}

TEST_F(replace, staged_list_starts_empty)
{
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ADD, self->next, 1));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_COMMIT, NULL, 0));
	ASSERT_TRUE(list_is(&self->nl, self->next, 1));
}

TEST_F(replace, commit_of_nothing_empties_the_list)
{
	struct kst_status st;

	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_COMMIT, NULL, 0));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(0, st.nr_entries);
}

TEST_F(replace, abort_keeps_the_active_list)
{
	struct kst_snapshot after;

	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ADD, self->next, 3));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ABORT, NULL, 0));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));
	/* Nothing is staged any more. */
	ASSERT_EQ(-ENOENT, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_COMMIT, NULL, 0));
}

TEST_F(replace, second_begin_from_another_socket_is_busy)
{
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(-EBUSY, kst_nl_cmd(&self->other, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_NE(0, strlen(self->other.extack));
	/* The first socket's transaction is unharmed. */
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ADD, self->next, 3));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_COMMIT, NULL, 0));
	ASSERT_TRUE(list_is(&self->nl, self->next, 3));
}

TEST_F(replace, staged_list_belongs_to_its_socket)
{
	struct kst_snapshot after;

	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(-ENOENT, kst_nl_cmd(&self->other, KASBLOCK_CMD_REPLACE_ADD, self->next, 3));
	ASSERT_NE(0, strlen(self->other.extack));
	ASSERT_EQ(-ENOENT, kst_nl_cmd(&self->other, KASBLOCK_CMD_REPLACE_COMMIT, NULL, 0));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));
}

TEST_F(replace, closing_the_socket_aborts_its_staged_list)
{
	struct kst_snapshot after;

	ASSERT_EQ(0, kst_nl_cmd(&self->other, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(0, kst_nl_cmd(&self->other, KASBLOCK_CMD_REPLACE_ADD, self->next, 3));
	kst_nl_close(&self->other);
	/* Another socket may begin now, and the active list never changed. */
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ABORT, NULL, 0));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));
}

TEST_HARNESS_MAIN
