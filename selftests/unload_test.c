// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: unloading and reloading the module, also while
 * programs are being exec'ed and while a replace is staged. Every test leaves
 * the module loaded with default parameters.
 */

#define _GNU_SOURCE
#include <sys/stat.h>

#include "common.h"

#define CYCLES 4
#define CYCLES_MS 60000

FIXTURE(unload) {
	struct kst_nl nl;
	char dir[64];
	char a[PATH_MAX], b[PATH_MAX];
	uint8_t a_digest[KASBLOCK_DIGEST_LEN];
	struct kst_loop *loop;
	bool reload_defaults;	/* the test loaded it with parameters */
};

FIXTURE_SETUP(unload)
{
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->a, sizeof(self->a), "%s/a", self->dir);
	snprintf(self->b, sizeof(self->b), "%s/b", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->a, "unload:a", 0, self->a_digest));
	ASSERT_EQ(0, kst_make_prog(self->b, "unload:b", 0, NULL));
	ASSERT_EQ(0, kst_add(&self->nl, self->a_digest, "kst-a"));
}

FIXTURE_TEARDOWN(unload)
{
	kst_loop_free(self->loop);
	kst_nl_close(&self->nl);
	if (self->reload_defaults && kst_module_loaded())
		kst_module_unload(10000);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F_TIMEOUT(unload, rmmod_and_insmod_under_an_exec_loop, 150)
{
	uint64_t deadline = kst_now_ms() + CYCLES_MS;
	int i;

	kst_nl_close(&self->nl);
	self->loop = kst_loop_start(self->a, self->b);
	ASSERT_NE(NULL, self->loop);

	for (i = 0; i < CYCLES && kst_now_ms() < deadline; i++) {
		ASSERT_TRUE(kst_module_loaded());
		ASSERT_EQ(0, kst_nl_open(&self->nl));
		if (i)
			ASSERT_EQ(0, kst_add(&self->nl, self->a_digest, "kst-a"));
		kst_nl_close(&self->nl);
		ASSERT_EQ(EPERM, kst_run(self->a));
		/* Let the loop exec a while with the module there... */
		usleep(300000);
		ASSERT_EQ(0, kst_module_unload(10000));
		ASSERT_FALSE(kst_module_loaded());
		/* ...and a while without it. */
		ASSERT_EQ(0, kst_run(self->a));
		usleep(200000);
		ASSERT_EQ(0, kst_module_load(NULL));
	}
	kst_loop_stop(self->loop);
	/* a_killed: A was listed in the middle of one of its execs. */
	TH_LOG("%d cycles; A denied %lu, ran %lu, killed %lu; B ran %lu", i,
	       self->loop->a_denied, self->loop->a_ran, self->loop->a_killed,
	       self->loop->b_ran);
	ASSERT_LE(2, i);
	ASSERT_EQ(0, self->loop->b_failed) {
		TH_LOG("B's exec once gave %d, wait status 0x%x",
		       self->loop->b_failed_result, self->loop->b_failed_status);
	}
	ASSERT_EQ(0, self->loop->a_other) {
		TH_LOG("A's exec once gave %d, wait status 0x%x",
		       self->loop->a_other_result, self->loop->a_other_status);
	}
	ASSERT_LT(0, self->loop->a_denied);
	ASSERT_LT(0, self->loop->a_ran);

	/* Back, and working. */
	ASSERT_TRUE(kst_module_loaded());
	ASSERT_EQ(0, kst_nl_open(&self->nl));
	ASSERT_EQ(0, kst_add(&self->nl, self->a_digest, "kst-a"));
	ASSERT_EQ(EPERM, kst_run(self->a));
	ASSERT_EQ(0, kst_run(self->b));
}

TEST_F(unload, reload_starts_with_an_empty_list)
{
	struct kst_status st;

	kst_nl_close(&self->nl);
	ASSERT_EQ(0, kst_module_unload(10000));
	ASSERT_EQ(0, kst_module_load(NULL));
	ASSERT_EQ(0, kst_nl_open(&self->nl));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(0, st.nr_entries);
	ASSERT_EQ(KASBLOCK_MODE_ENFORCE, st.mode);
	ASSERT_EQ(0, kst_run(self->a));
}

TEST_F(unload, family_and_tool_report_the_module_missing)
{
	const char *status[] = { "status", NULL };
	char err[4096];
	struct kst_nl nl;

	kst_nl_close(&self->nl);
	ASSERT_EQ(0, kst_module_unload(10000));
	ASSERT_EQ(-ENOENT, kst_nl_open(&nl));
	ASSERT_EQ(3, kst_tool(status, NULL, 0, err, sizeof(err))) {
		TH_LOG("stderr: %s", err);
	}
	ASSERT_EQ(0, strncmp(err, "kasblockctl: ", 13));
}

TEST_F(unload, load_parameters_apply)
{
	struct kst_status st;
	struct kst_entry e[5];
	int i;

	kst_nl_close(&self->nl);
	self->reload_defaults = true;
	ASSERT_EQ(0, kst_module_unload(10000));
	ASSERT_EQ(0, kst_module_load("mode=monitor max_entries=4"));
	ASSERT_EQ(0, kst_nl_open(&self->nl));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(KASBLOCK_MODE_MONITOR, st.mode);
	ASSERT_EQ(4, st.max_entries);

	ASSERT_EQ(0, kst_add(&self->nl, self->a_digest, "kst-a"));
	ASSERT_EQ(0, kst_run(self->a));
	for (i = 0; i < 4; i++)
		kst_fake_entry(&e[i], 40 + i, NULL);
	ASSERT_EQ(-ENOSPC, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e, 4));
}

TEST_F(unload, cache_size_0_hashes_on_every_check)
{
	struct kst_status first, second;
	struct stat st;

	kst_nl_close(&self->nl);
	self->reload_defaults = true;
	ASSERT_EQ(0, kst_module_unload(10000));
	ASSERT_EQ(0, kst_module_load("cache_size=0"));
	ASSERT_EQ(0, kst_nl_open(&self->nl));
	ASSERT_EQ(0, kst_add(&self->nl, self->a_digest, "kst-a"));
	ASSERT_EQ(0, stat(self->b, &st));

	ASSERT_EQ(0, kst_run(self->b));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &first));
	ASSERT_EQ(0, kst_run(self->b));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &second));
	ASSERT_LE(first.bytes_hashed + st.st_size, second.bytes_hashed);
	ASSERT_EQ(first.cache_hits, second.cache_hits);
	ASSERT_EQ(0, second.cache_size);
}

TEST_F(unload, unload_with_a_staged_replace)
{
	struct kst_entry e[3];
	struct kst_status st;
	int i, ret;

	for (i = 0; i < 3; i++)
		kst_fake_entry(&e[i], 60 + i, NULL);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ADD, e, 3));
	/*
	 * Whether an open transaction holds the module is not part of the
	 * contract; either way nothing may leak or crash, and closing the
	 * socket must let it go.
	 */
	ret = kst_module_unload(1000);
	ASSERT_TRUE(ret == 0 || ret == -EAGAIN || ret == -EBUSY) {
		TH_LOG("delete_module: %s", strerror(-ret));
	}
	kst_nl_close(&self->nl);
	if (ret)
		ASSERT_EQ(0, kst_module_unload(10000));
	ASSERT_FALSE(kst_module_loaded());

	ASSERT_EQ(0, kst_module_load(NULL));
	ASSERT_EQ(0, kst_nl_open(&self->nl));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(0, st.nr_entries);
	/* No stale transaction survived the reload. */
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ABORT, NULL, 0));
}

TEST_HARNESS_MAIN
