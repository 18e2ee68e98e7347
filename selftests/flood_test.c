// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: what any user can make the module write to the kernel
 * log. Hash failures (here, files larger than max_hash_size, failing open)
 * pass a ratelimit of their own, per cause and per uid, before they reach the
 * log and audit: a user who causes hundreds of them neither pushes a real
 * denial out of the kernel log nor silences root's failures, and gets only a
 * few lines through per interval. The counters still count every failure.
 */

#define _GNU_SOURCE
#include "common.h"

#define SMALL_MAX "16384"
#define BIG_SIZE 65536
#define FLOOD 100
/* kmod/log.c: FAIL_BURST reports per FAIL_INTERVAL, per cause and uid slot. */
#define GATE_BURST 5
#define GATE_INTERVAL_MS 5000
/* The matches' own ratelimit interval (log.c's log_ratelimit). */
#define MATCH_INTERVAL_MS 5000

FIXTURE(flood) {
	struct kst_nl nl;
	char dir[64];
	char big[PATH_MAX];		/* larger than max_hash_size */
	char listed[PATH_MAX];
};

FIXTURE_SETUP(flood)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];

	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->big, sizeof(self->big), "%s/big", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->big, "flood:big", BIG_SIZE, NULL));
	snprintf(self->listed, sizeof(self->listed), "%s/listed", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->listed, "flood:listed", 0, digest));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-flood"));
	ASSERT_EQ(0, kst_param_write("max_hash_size", SMALL_MAX));
}

FIXTURE_TEARDOWN(flood)
{
	/* First, so that the system can exec large files again. */
	kst_params_reset();
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

/* Whether a line with every needle and " pid=PID " is in the log (printk is asynchronous). */
static bool logged_for(pid_t pid, const char *a, const char *b)
{
	char line[2048], spid[32];
	const char *needles[] = { a, b, spid, NULL };
	int tries;

	snprintf(spid, sizeof(spid), " pid=%d ", pid);
	for (tries = 0; tries < 10; tries++) {
		if (!kst_klog_find(needles, line, sizeof(line)))
			return true;
		usleep(50000);
	}
	return false;
}

TEST_F_TIMEOUT(flood, failures_do_not_silence_denials_or_other_users, 180)
{
	struct kst_exec nobody = { .dirfd = AT_FDCWD, .uid = 65534 };
	struct kst_exec root = { .dirfd = AT_FDCWD };
	struct kst_exec victim = { .dirfd = AT_FDCWD };
	struct kst_status before, after;
	char path[PATH_MAX + 16];
	const char *needles[] = { "kasblock: cannot hash: ", " uid=65534 ", path, NULL };
	uint64_t t0, elapsed;
	int i, lines;

	snprintf(path, sizeof(path), " path=\"%s\" ", self->big);
	/* A window of the denials' ratelimit that nothing before this test used. */
	usleep((MATCH_INTERVAL_MS + 500) * 1000);

	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	t0 = kst_now_ms();
	for (i = 0; i < FLOOD; i++)
		ASSERT_EQ(0, kst_run_ex(self->big, &nobody));	/* fail-open: it runs */

	/* Right behind the flood: root's own failure, and a denial. */
	EXPECT_EQ(0, kst_run_ex(self->big, &root));
	EXPECT_EQ(EPERM, kst_run_ex(self->listed, &victim));
	elapsed = kst_now_ms() - t0;
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));

	EXPECT_TRUE(logged_for(victim.pid, "kasblock: denied exec: action=deny ", self->listed)) {
		TH_LOG("the denial of pid %d is not in the kernel log", victim.pid);
	}
	EXPECT_TRUE(logged_for(root.pid, "kasblock: cannot hash: ", " uid=0 ")) {
		TH_LOG("root's failure (pid %d) is not in the kernel log", root.pid);
	}
	/* Counted, every one (each run fails at least at its exec). */
	EXPECT_LE(before.errors + FLOOD + 1, after.errors);
	EXPECT_EQ(before.denials + 1, after.denials);
	/* Logged, a few per interval: the exec's and the mapping's share one gate. */
	lines = kst_klog_count(needles);
	EXPECT_LT(0, lines);
	EXPECT_GE(GATE_BURST * (int)(elapsed / GATE_INTERVAL_MS + 1), lines) {
		TH_LOG("%d lines for uid 65534 in %llu ms", lines, (unsigned long long)elapsed);
	}
}

TEST_HARNESS_MAIN
