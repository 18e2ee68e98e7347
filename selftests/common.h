/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kasblock selftests: the harness plus what every test program's fixtures do.
 * Include from exactly one file per program (the harness defines functions).
 */
#ifndef KST_COMMON_H
#define KST_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "helpers.h"

/*
 * Brings the module to the state every test starts from, whatever an earlier
 * (possibly crashed) test left: loaded, default parameters, enforce mode,
 * empty list. Opens nl on the family.
 */
static inline void kst_baseline(struct __test_metadata *const _metadata,
				struct kst_nl *nl)
{
	int ret;

	if (!kst_module_loaded()) {
		ret = kst_module_load(NULL);
		ASSERT_TRUE(ret == 0 || ret == -EEXIST) {
			TH_LOG("cannot load the module: %s", strerror(-ret));
		}
	}
	ASSERT_EQ(0, kst_params_reset());
	ASSERT_EQ(0, kst_nl_open(nl));
	ASSERT_EQ(0, kst_nl_set_mode(nl, KASBLOCK_MODE_ENFORCE));
	ASSERT_EQ(0, kst_nl_cmd(nl, KASBLOCK_CMD_FLUSH, NULL, 0));
}

/* Best effort, for teardowns: a failed test must not spoil the next one. */
static inline void kst_restore(struct kst_nl *nl)
{
	if (!kst_module_loaded())
		kst_module_load(NULL);
	kst_params_reset();
	if (!nl->sock && kst_nl_open(nl))
		return;
	kst_nl_set_mode(nl, KASBLOCK_MODE_ENFORCE);
	kst_nl_cmd(nl, KASBLOCK_CMD_FLUSH, NULL, 0);
	kst_nl_close(nl);
}

/* Adds one digest with an optional label. */
static inline int kst_add(struct kst_nl *nl, const uint8_t digest[KASBLOCK_DIGEST_LEN],
			  const char *label)
{
	struct kst_entry e = { 0 };

	memcpy(e.digest, digest, KASBLOCK_DIGEST_LEN);
	if (label)
		snprintf(e.label, sizeof(e.label), "%s", label);
	return kst_nl_cmd(nl, KASBLOCK_CMD_ADD, &e, 1);
}

static inline int kst_del(struct kst_nl *nl, const uint8_t digest[KASBLOCK_DIGEST_LEN])
{
	struct kst_entry e = { 0 };

	memcpy(e.digest, digest, KASBLOCK_DIGEST_LEN);
	return kst_nl_cmd(nl, KASBLOCK_CMD_DEL, &e, 1);
}

/*
 * Adds an entry no test file has, so that the list is never empty when a test
 * needs the module to hash: an empty list may rightly skip hashing.
 */
static inline int kst_add_unrelated(struct kst_nl *nl)
{
	struct kst_entry e;

	kst_fake_entry(&e, 0xdecaf, "kst-unrelated");
	return kst_nl_cmd(nl, KASBLOCK_CMD_ADD, &e, 1);
}

/*
 * Denial lines are rate-limited and an earlier test may have used the burst:
 * run the program again (each try is a new pid) until a line naming its path
 * and pid turns up, for up to 15 s. Returns the last kst_run_ex() result.
 */
static inline int kst_run_until_logged(const char *path, struct kst_exec *how,
				       const char *const *needles, char *line,
				       size_t len)
{
	uint64_t deadline = kst_now_ms() + 15000;
	const char *all[16];
	char pid[32];
	int i, ret;

	for (i = 0; needles[i] && i < 14; i++)
		all[i] = needles[i];
	all[i + 1] = NULL;
	do {
		ret = kst_run_ex(path, how);
		snprintf(pid, sizeof(pid), " pid=%d ", how->pid);
		all[i] = pid;
		/* printk is asynchronous; give the console a moment. */
		usleep(50000);
		if (!kst_klog_find(all, line, len))
			return ret;
		usleep(400000);
	} while (kst_now_ms() < deadline);
	line[0] = '\0';
	return ret;
}

#endif /* KST_COMMON_H */
