// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: a write to a policy parameter (max_hash_size,
 * fail_closed, max_entries) is a policy change like any other. It moves the
 * generation, shows in status, and is logged with its old and new value, as
 * "policy changed: change=param name=... old=... new=...". Writing the value
 * already in force changes nothing and logs nothing; a bad value is refused
 * and changes nothing. (Refusal once locked: lock_test.)
 */

#define _GNU_SOURCE
#include "common.h"

FIXTURE(param) {
	struct kst_nl nl;
};

FIXTURE_SETUP(param)
{
	kst_baseline(_metadata, &self->nl);
}

FIXTURE_TEARDOWN(param)
{
	kst_params_reset();
	kst_restore(&self->nl);
}

/* Finds the policy line for name's change from old to new, waiting for printk. */
static bool param_logged(const char *name, const char *old, const char *new,
			 uint64_t generation, char *line, size_t len)
{
	char what[128], gen[48];
	const char *needles[] = { "kasblock: policy changed: change=param ", what, gen,
				  " uid=0 ", NULL };
	int tries;

	snprintf(what, sizeof(what), " name=%s old=%s new=%s ", name, old, new);
	snprintf(gen, sizeof(gen), " generation=%llu ", (unsigned long long)generation);
	for (tries = 0; tries < 20; tries++) {
		if (!kst_klog_find(needles, line, len))
			return true;
		usleep(50000);
	}
	return false;
}

struct param_case {
	const char *name, *value;
	const char *old, *new;	/* as the log line prints them */
};

static const struct param_case cases[] = {
	{ "max_hash_size", "4096", KST_DEFAULT_MAX_HASH_SIZE, "4096" },
	{ "fail_closed", "Y", "0", "1" },
	{ "max_entries", "1000", KST_DEFAULT_MAX_ENTRIES, "1000" },
};

TEST_F(param, write_moves_the_generation_and_is_logged)
{
	struct kst_status before, after;
	char line[1024];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct param_case *c = &cases[i];

		ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
		ASSERT_EQ(0, kst_param_write(c->name, c->value));
		ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
		EXPECT_EQ(before.generation + 1, after.generation) {
			TH_LOG("%s=%s: generation %llu -> %llu", c->name, c->value,
			       (unsigned long long)before.generation,
			       (unsigned long long)after.generation);
		}
		EXPECT_TRUE(param_logged(c->name, c->old, c->new, after.generation, line,
					 sizeof(line))) {
			TH_LOG("no \"change=param name=%s old=%s new=%s\" line at generation %llu",
			       c->name, c->old, c->new, (unsigned long long)after.generation);
		}
	}
	/* And status says what is now in force. */
	EXPECT_EQ(4096, after.max_hash_size);
	EXPECT_EQ(KASBLOCK_FAIL_CLOSED, after.fail_policy);
	EXPECT_EQ(1000, after.max_entries);
}

TEST_F(param, weakening_write_is_logged_too)
{
	struct kst_status st;
	char line[1024];

	/* The write the hardening review named: every file becomes oversize. */
	ASSERT_EQ(0, kst_param_write("max_hash_size", "0"));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	EXPECT_EQ(0, st.max_hash_size);
	EXPECT_TRUE(param_logged("max_hash_size", KST_DEFAULT_MAX_HASH_SIZE, "0",
				 st.generation, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, " res=1 err=0")) {
		TH_LOG("got: %s", line);
	}
}

TEST_F(param, writing_the_value_in_force_changes_nothing)
{
	struct kst_status before, after;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	ASSERT_EQ(0, kst_param_write("max_hash_size", KST_DEFAULT_MAX_HASH_SIZE));
	ASSERT_EQ(0, kst_param_write("fail_closed", "N"));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	EXPECT_EQ(before.generation, after.generation);
}

TEST_F(param, bad_value_is_refused_and_changes_nothing)
{
	struct kst_status before, after;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	EXPECT_EQ(-EINVAL, kst_param_write("max_hash_size", "lots"));
	EXPECT_EQ(-EINVAL, kst_param_write("fail_closed", "perhaps"));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	EXPECT_EQ(before.generation, after.generation);
	EXPECT_EQ(before.max_hash_size, after.max_hash_size);
	EXPECT_EQ(before.fail_policy, after.fail_policy);
}

TEST_HARNESS_MAIN
