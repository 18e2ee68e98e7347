// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: the failure policy for files that cannot be hashed.
 *
 * While these tests run, max_hash_size is tiny: with fail_closed=1 almost
 * nothing can be exec'ed, so they exec nothing but their own small files and
 * the teardown restores the parameters before anything else.
 */

#define _GNU_SOURCE
#include <sys/stat.h>

#include "common.h"

#define SMALL_MAX "16384"
#define BIG_SIZE 65536

FIXTURE(fail_policy) {
	struct kst_nl nl;
	char dir[64];
	char big[PATH_MAX];		/* larger than max_hash_size */
	uint8_t big_digest[KASBLOCK_DIGEST_LEN];
};

FIXTURE_VARIANT(fail_policy) {
	const char *fail_closed;
	uint32_t policy;
	int exec_errno;		/* what exec of an oversize file gets */
	const char *action;	/* in the "cannot hash" log line */
};

/* clang-format off */
FIXTURE_VARIANT_ADD(fail_policy, open) {
	/* clang-format on */
	.fail_closed = "N",
	.policy = KASBLOCK_FAIL_OPEN,
	.exec_errno = 0,
	.action = "allow",
};

/* clang-format off */
FIXTURE_VARIANT_ADD(fail_policy, closed) {
	/* clang-format on */
	.fail_closed = "Y",
	.policy = KASBLOCK_FAIL_CLOSED,
	.exec_errno = EFBIG,
	.action = "deny",
};

FIXTURE_SETUP(fail_policy)
{
	kst_baseline(_metadata, &self->nl);
	/* An empty list may skip hashing altogether. */
	ASSERT_EQ(0, kst_add_unrelated(&self->nl));
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->big, sizeof(self->big), "%s/big", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->big, "policy:big", BIG_SIZE, self->big_digest));
	ASSERT_EQ(0, kst_param_write("max_hash_size", SMALL_MAX));
	ASSERT_EQ(0, kst_param_write("fail_closed", variant->fail_closed));
}

FIXTURE_TEARDOWN(fail_policy)
{
	/* First, so that the system can exec again. */
	kst_params_reset();
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F(fail_policy, oversize_file_follows_the_policy)
{
	ASSERT_EQ(variant->exec_errno, kst_run(self->big));
}

TEST_F(fail_policy, oversize_listed_file_follows_the_policy)
{
	/* The module cannot know it is listed without hashing it. */
	ASSERT_EQ(0, kst_add(&self->nl, self->big_digest, "kst-big"));
	ASSERT_EQ(variant->exec_errno, kst_run(self->big));
}

TEST_F(fail_policy, small_file_is_still_checked)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char small[PATH_MAX];

	snprintf(small, sizeof(small), "%s/small", self->dir);
	ASSERT_EQ(0, kst_make_prog(small, "policy:small", 0, digest));
	ASSERT_EQ(0, kst_run(small));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-small"));
	ASSERT_EQ(EPERM, kst_run(small));
}

TEST_F(fail_policy, file_of_exactly_max_hash_size_is_hashed)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char limit[32], bigger[PATH_MAX];

	snprintf(limit, sizeof(limit), "%d", BIG_SIZE);
	ASSERT_EQ(0, kst_param_write("max_hash_size", limit));
	ASSERT_EQ(0, kst_add(&self->nl, self->big_digest, "kst-big"));
	ASSERT_EQ(EPERM, kst_run(self->big));

	/* One byte more is too big (another file: big's digest may be cached). */
	snprintf(bigger, sizeof(bigger), "%s/bigger", self->dir);
	ASSERT_EQ(0, kst_make_prog(bigger, "policy:bigger", BIG_SIZE + 1, digest));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-bigger"));
	ASSERT_EQ(variant->exec_errno, kst_run(bigger));
}

TEST_F(fail_policy, oversize_file_is_logged_with_its_reason)
{
	struct kst_exec how = { .dirfd = AT_FDCWD };
	char line[2048], path[PATH_MAX + 16], head[64];
	const char *needles[] = { head, path, NULL };

	/* The exec's line: an allowed exec may add one for mapping the file. */
	snprintf(head, sizeof(head), "kasblock: cannot hash: action=%s op=exec ",
		 variant->action);
	snprintf(path, sizeof(path), " path=\"%s\" ", self->big);
	ASSERT_EQ(variant->exec_errno,
		  kst_run_until_logged(self->big, &how, needles, line, sizeof(line)));
	ASSERT_NE('\0', line[0]) {
		TH_LOG("no line with \"%s\" and \"%s\"", head, path);
	}
	ASSERT_NE(NULL, strstr(line, " reason=oversize ")) {
		TH_LOG("got: %s", line);
	}
}

TEST_F(fail_policy, oversize_file_counts_an_error)
{
	struct kst_status before, after;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	ASSERT_EQ(variant->exec_errno, kst_run(self->big));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	/* At least the exec's; an allowed exec may also count the mapping's. */
	ASSERT_LT(before.errors, after.errors);
	ASSERT_EQ(before.denials, after.denials);
}

TEST_F(fail_policy, status_reports_the_policy_and_the_limit)
{
	struct kst_status st;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(variant->policy, st.fail_policy);
	ASSERT_EQ(strtoull(SMALL_MAX, NULL, 10), st.max_hash_size);
}

TEST_HARNESS_MAIN
