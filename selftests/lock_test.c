// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: KASBLOCK_CMD_LOCK. Locking lasts until reboot, so
 * run.sh runs this program after every other one; its fixture locks the
 * module once (the first test) and every test then checks one consequence.
 * Entries can still be added; nothing that weakens the policy is allowed.
 */

#define _GNU_SOURCE
#include "common.h"

FIXTURE(locked) {
	struct kst_nl nl;
	char dir[64];
	char listed[PATH_MAX];
	struct kst_snapshot before;
};

FIXTURE_SETUP(locked)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	struct kst_entry base[2];
	struct kst_status st;

	if (!kst_module_loaded())
		ASSERT_EQ(0, kst_module_load(NULL));
	ASSERT_EQ(0, kst_nl_open(&self->nl));
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	/* The same bytes in every test: the digest was listed before locking. */
	snprintf(self->listed, sizeof(self->listed), "%s/listed", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->listed, "lock:listed", 0, digest));

	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	if (!st.locked) {
		ASSERT_EQ(0, kst_params_reset());
		ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_ENFORCE));
		ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_FLUSH, NULL, 0));
		kst_fake_entry(&base[0], 1, "kst-lock-one");
		kst_fake_entry(&base[1], 2, NULL);
		ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, base, 2));
		ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-lock-listed"));
		ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_LOCK, NULL, 0)) {
			TH_LOG("extack: %s", self->nl.extack);
		}
	}
	ASSERT_EQ(0, kst_snapshot(&self->nl, &self->before));
}

FIXTURE_TEARDOWN(locked)
{
	kst_nl_close(&self->nl);
	kst_rmtree(self->dir);
}

/* The request is refused with EPERM and says why; the list is as it was. */
#define REFUSED(call) do {						\
		struct kst_snapshot after;				\
									\
		ASSERT_EQ(-EPERM, call);				\
		ASSERT_NE(NULL, strstr(self->nl.extack, "locked")) {	\
			TH_LOG("extack: \"%s\"", self->nl.extack);	\
		}							\
		ASSERT_EQ(0, kst_snapshot(&self->nl, &after));		\
		ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));	\
	} while (0)

TEST_F(locked, status_reports_locked_and_enforce)
{
	struct kst_status st;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_TRUE(st.locked);
	ASSERT_EQ(KASBLOCK_MODE_ENFORCE, st.mode);
}

TEST_F(locked, listed_binary_stays_denied)
{
	ASSERT_EQ(EPERM, kst_run(self->listed));
}

TEST_F(locked, add_is_still_allowed)
{
	struct kst_entry e;
	struct kst_status st;

	kst_fake_entry(&e, 1000 + getpid(), "kst-lock-added");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(self->before.nr + 1, st.nr_entries);
}

/* GET_FILE_DIGEST changes nothing, so the lock does not refuse it (uapi/kasblock.h). */
TEST_F(locked, file_digest_is_still_answered)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	int fd, ret;

	ASSERT_EQ(EPERM, kst_run(self->listed));
	fd = open(self->listed, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ret = kst_nl_file_digest(&self->nl, fd, digest);
	close(fd);
	ASSERT_TRUE(ret == 0 || ret == -ENODATA) {
		TH_LOG("GET_FILE_DIGEST when locked: %d (%s)", ret, self->nl.extack);
	}
}

TEST_F(locked, del_is_refused)
{
	struct kst_entry e;

	kst_fake_entry(&e, 1, NULL);
	REFUSED(kst_nl_cmd(&self->nl, KASBLOCK_CMD_DEL, &e, 1));
}

TEST_F(locked, flush_is_refused)
{
	REFUSED(kst_nl_cmd(&self->nl, KASBLOCK_CMD_FLUSH, NULL, 0));
}

TEST_F(locked, leaving_enforce_mode_is_refused)
{
	REFUSED(kst_nl_set_mode(&self->nl, KASBLOCK_MODE_MONITOR));
}

TEST_F(locked, replace_that_drops_an_entry_is_refused)
{
	struct kst_entry *e;
	size_t n;

	ASSERT_EQ(0, kst_nl_dump(&self->nl, &e, &n, NULL));
	ASSERT_LT(1, n);
	/* kst_nl_replace() aborts after the refused commit, leaving the extack. */
	REFUSED(kst_nl_replace(&self->nl, e + 1, n - 1));
	free(e);
}

TEST_F(locked, replace_that_keeps_every_entry_is_allowed)
{
	struct kst_entry *e;
	struct kst_status st;
	size_t n;

	ASSERT_EQ(0, kst_nl_dump(&self->nl, &e, &n, NULL));
	e = realloc(e, (n + 1) * sizeof(*e));
	ASSERT_NE(NULL, e);
	kst_fake_entry(&e[n], 2000 + getpid(), "kst-lock-replaced");
	ASSERT_EQ(0, kst_nl_replace(&self->nl, e, n + 1)) {
		TH_LOG("extack: %s", self->nl.extack);
	}
	free(e);
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(n + 1, st.nr_entries);
}

TEST_F(locked, unload_is_refused)
{
	int ret = kst_module_unload(1000);

	ASSERT_TRUE(ret == -EAGAIN || ret == -EBUSY) {
		TH_LOG("delete_module: %s", strerror(-ret));
	}
	ASSERT_TRUE(kst_module_loaded());
}

TEST_F(locked, asking_for_enforce_mode_is_allowed)
{
	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_ENFORCE));
}

TEST_F(locked, locking_again_changes_nothing)
{
	struct kst_snapshot after;

	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_LOCK, NULL, 0));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));
}

/* The kernel log line of a refusal: "policy refused: change=X ... locked=1 pid=P ...". */
static bool refusal_logged(const char *change)
{
	char line[1024], want[64], pid[32];
	const char *needles[] = { want, pid, " locked=1 ", NULL };
	uint64_t deadline = kst_now_ms() + 5000;

	snprintf(want, sizeof(want), "policy refused: change=%s ", change);
	snprintf(pid, sizeof(pid), " pid=%d ", getpid());
	do {
		if (!kst_klog_find(needles, line, sizeof(line)))
			return true;
		usleep(100000);
	} while (kst_now_ms() < deadline);
	return false;
}

/* max_hash_size=0 would make every file a hashing failure, and fail-open would let it run. */
TEST_F(locked, parameter_writes_are_refused)
{
	static const struct {
		const char *name, *value;
	} writes[] = {
		{ "max_hash_size", "0" },
		{ "max_entries", "1" },
		{ "fail_closed", "N" },
	};
	char before[64], after[64];
	size_t i;

	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		ASSERT_EQ(0, kst_param_read(writes[i].name, before, sizeof(before)));
		ASSERT_EQ(-EPERM, kst_param_write(writes[i].name, writes[i].value)) {
			TH_LOG("writing %s=%s", writes[i].name, writes[i].value);
		}
		ASSERT_EQ(0, kst_param_read(writes[i].name, after, sizeof(after)));
		ASSERT_STREQ(before, after);
	}
	/* Refused writes are policy refusals, logged with who asked. */
	ASSERT_TRUE(refusal_logged("param name=max_hash_size"));
	ASSERT_TRUE(refusal_logged("param name=fail_closed"));
}

/* Every refusal is logged with who asked (and audited: see audit_test). */
TEST_F(locked, refusals_are_logged)
{
	struct kst_entry *e, one;
	size_t n;

	kst_fake_entry(&one, 1, NULL);
	ASSERT_EQ(-EPERM, kst_nl_cmd(&self->nl, KASBLOCK_CMD_DEL, &one, 1));
	ASSERT_TRUE(refusal_logged("del"));
	ASSERT_EQ(-EPERM, kst_nl_cmd(&self->nl, KASBLOCK_CMD_FLUSH, NULL, 0));
	ASSERT_TRUE(refusal_logged("flush"));
	ASSERT_EQ(-EPERM, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_MONITOR));
	ASSERT_TRUE(refusal_logged("mode-monitor"));
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &e, &n, NULL));
	ASSERT_EQ(-EPERM, kst_nl_replace(&self->nl, e + 1, n - 1));
	free(e);
	ASSERT_TRUE(refusal_logged("replace"));
}

/* kasblockctl says "locked" and exits 1 (refused), not 4 (no capability). */
TEST_F(locked, kasblockctl_reports_locked)
{
	char hex[KST_HEX_LEN + 1], file[PATH_MAX], out[4096], err[1024];
	const char *del[] = { "del", hex, NULL };
	const char *flush[] = { "flush", NULL };
	const char *mode[] = { "mode", "monitor", NULL };
	const char *load[] = { "load", file, NULL };
	const char *const *refused[] = { del, flush, mode, load };
	const char *status[] = { "status", NULL };
	const char *status_json[] = { "status", "--json", NULL };
	const char *lock[] = { "lock", NULL };
	struct kst_entry one;
	struct kst_snapshot after;
	size_t i;

	kst_fake_entry(&one, 1, NULL);
	kst_hex(one.digest, hex);
	/* A list of one entry: loading it would drop all the others. */
	snprintf(file, sizeof(file), "%s/one.list", self->dir);
	ASSERT_EQ(0, kst_write_file(file, hex, strlen(hex), 0644));
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ASSERT_EQ(1, kst_tool(refused[i], NULL, 0, err, sizeof(err))) {
			TH_LOG("kasblockctl %s: %s", refused[i][0], err);
		}
		ASSERT_NE(NULL, strstr(err, "locked")) {
			TH_LOG("kasblockctl %s: %s", refused[i][0], err);
		}
	}
	ASSERT_EQ(0, kst_tool(lock, NULL, 0, err, sizeof(err)));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));

	ASSERT_EQ(0, kst_tool(status, out, sizeof(out), NULL, 0));
	ASSERT_NE(NULL, strstr(out, "yes (until reboot)\n")) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(0, kst_tool(status_json, out, sizeof(out), NULL, 0));
	ASSERT_NE(NULL, strstr(out, ",\"locked\":true,")) {
		TH_LOG("%s", out);
	}
}

TEST_HARNESS_MAIN
