// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: exec while the list changes under it.
 *
 * A child runs program A (listed all along) and program B (never listed) in
 * a tight loop while the test rewrites the list around A. Every exec must see
 * a whole list, old or new: A never runs, B never fails.
 */

#define _GNU_SOURCE
#include "common.h"

/* List sizes to cycle through: tiny, batch-sized, and several batches. */
static const size_t sizes[] = { 1, 5000, 2, 4096, 3, 1000, 4097, 17, 2500, 64 };

#define CHURN_MS 20000	/* TCG is slow: bound by time as well as by count */
#define CHURN_ROUNDS 40

enum churn {
	CHURN_REPLACE,		/* REPLACE_BEGIN/ADD.../COMMIT, A in every list */
	CHURN_ADD_DEL,		/* add then delete thousands of others around A */
};

FIXTURE(exec_loop) {
	struct kst_nl nl;
	char dir[64];
	char a[PATH_MAX], b[PATH_MAX];
	struct kst_entry a_entry;
	struct kst_entry *others;
	struct kst_loop *loop;
};

FIXTURE_VARIANT(exec_loop) {
	enum churn churn;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(exec_loop, replace) {
	/* clang-format on */
	.churn = CHURN_REPLACE,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(exec_loop, add_del) {
	/* clang-format on */
	.churn = CHURN_ADD_DEL,
};

FIXTURE_SETUP(exec_loop)
{
	size_t i, most = 0;

	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->a, sizeof(self->a), "%s/a", self->dir);
	snprintf(self->b, sizeof(self->b), "%s/b", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->a, "churn:a", 0, self->a_entry.digest));
	ASSERT_EQ(0, kst_make_prog(self->b, "churn:b", 0, NULL));
	strcpy(self->a_entry.label, "kst-a");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &self->a_entry, 1));

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		most = sizes[i] > most ? sizes[i] : most;
	self->others = calloc(most, sizeof(*self->others));
	ASSERT_NE(NULL, self->others);

	self->loop = kst_loop_start(self->a, self->b);
	ASSERT_NE(NULL, self->loop);
}

FIXTURE_TEARDOWN(exec_loop)
{
	kst_loop_free(self->loop);
	free(self->others);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

/* Round r's list: n entries, distinct from other rounds', with a somewhere if set. */
static void round_list(struct kst_entry *e, size_t n, unsigned int r,
		       const struct kst_entry *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		kst_fake_entry(&e[i], r * 10000 + i, NULL);
	if (a)
		e[(r * 7919) % n] = *a;
}

static int add_del(struct kst_nl *nl, struct kst_entry *e, size_t n)
{
	size_t batch = kst_nl_entries_fit(false), done;
	int ret;

	if (batch > KASBLOCK_BATCH_MAX)
		batch = KASBLOCK_BATCH_MAX;
	for (done = 0; done < n; done += batch) {
		ret = kst_nl_cmd(nl, KASBLOCK_CMD_ADD, e + done,
				 n - done < batch ? n - done : batch);
		if (ret)
			return ret;
	}
	for (done = 0; done < n; done += batch) {
		ret = kst_nl_cmd(nl, KASBLOCK_CMD_DEL, e + done,
				 n - done < batch ? n - done : batch);
		if (ret)
			return ret;
	}
	return 0;
}

TEST_F_TIMEOUT(exec_loop, listed_never_runs_and_unlisted_never_fails, 120)
{
	uint64_t deadline, start = kst_now_ms();
	struct kst_status st;
	uint64_t generation = 0;
	unsigned int r;

	/* Let the loop get going before the first change. */
	while (!self->loop->b_ran && kst_now_ms() < start + 10000)
		usleep(10000);
	ASSERT_LT(0, self->loop->b_ran);

	deadline = kst_now_ms() + CHURN_MS;
	for (r = 0; r < CHURN_ROUNDS && kst_now_ms() < deadline; r++) {
		size_t n = sizes[r % (sizeof(sizes) / sizeof(sizes[0]))];

		if (variant->churn == CHURN_REPLACE) {
			round_list(self->others, n, r + 1, &self->a_entry);
			ASSERT_EQ(0, kst_nl_replace(&self->nl, self->others, n)) {
				TH_LOG("round %u (%zu entries): %s", r, n, self->nl.extack);
			}
		} else {
			/* The entries around A, never A itself. */
			round_list(self->others, n, r + 1, NULL);
			ASSERT_EQ(0, add_del(&self->nl, self->others, n)) {
				TH_LOG("round %u (%zu entries): %s", r, n, self->nl.extack);
			}
		}
		ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
		ASSERT_EQ(variant->churn == CHURN_REPLACE ? n : 1, st.nr_entries);
		ASSERT_LT(generation, st.generation);
		generation = st.generation;
	}
	kst_loop_stop(self->loop);
	TH_LOG("%u rounds; A denied %lu times, B ran %lu times", r,
	       self->loop->a_denied, self->loop->b_ran);

	ASSERT_LE(3, r);
	ASSERT_EQ(0, self->loop->a_ran);
	/* Listed all along: refused cleanly at the exec check, never killed. */
	ASSERT_EQ(0, self->loop->a_killed);
	ASSERT_EQ(0, self->loop->a_other) {
		TH_LOG("A's exec once gave %d, wait status 0x%x",
		       self->loop->a_other_result, self->loop->a_other_status);
	}
	ASSERT_EQ(0, self->loop->b_failed) {
		TH_LOG("B's exec once gave %d, wait status 0x%x",
		       self->loop->b_failed_result, self->loop->b_failed_status);
	}
	ASSERT_LT(0, self->loop->a_denied);
}

TEST_HARNESS_MAIN
