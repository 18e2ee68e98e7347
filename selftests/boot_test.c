// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: the boot script (userspace/boot/kasblock-boot, copied
 * beside these programs) against the real module, under the VM's busybox sh:
 * the list files become the list in one replace, MODE applies, and a broken
 * list file fails the script and leaves the list that was in force. LOCK=yes
 * is left to the host test (the lock would outlive this program).
 */

#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"

FIXTURE(boot) {
	struct kst_nl nl;
	char dir[64];
	char lists[128];
	char script[PATH_MAX];
	struct kst_entry e[4];
};

FIXTURE_SETUP(boot)
{
	char self_dir[PATH_MAX - 32];
	ssize_t n;
	int i;

	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->lists, sizeof(self->lists), "%s/blocklist.d", self->dir);
	ASSERT_EQ(0, mkdir(self->lists, 0755));
	n = readlink("/proc/self/exe", self_dir, sizeof(self_dir) - 1);
	ASSERT_LT(0, n);
	self_dir[n] = '\0';
	*strrchr(self_dir, '/') = '\0';
	snprintf(self->script, sizeof(self->script), "%s/kasblock-boot", self_dir);
	if (access(self->script, X_OK))
		SKIP(return, "no kasblock-boot beside the test programs");
	for (i = 0; i < 4; i++)
		kst_fake_entry(&self->e[i], 0xb0070 + i, NULL);
}

FIXTURE_TEARDOWN(boot)
{
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

/* A list file of entries [from, to) in dir/blocklist.d. */
static int write_list(FIXTURE_DATA(boot) *self, const char *name, int from, int to)
{
	char path[256], buf[1024], hex[KST_HEX_LEN + 1];
	size_t len = 0;
	int i;

	for (i = from; i < to; i++) {
		kst_hex(self->e[i].digest, hex);
		len += snprintf(buf + len, sizeof(buf) - len, "%s  kst-boot-%d\n", hex, i);
	}
	snprintf(path, sizeof(path), "%s/%s", self->lists, name);
	return kst_write_file(path, buf, len, 0644);
}

/* Runs the script with the test's config directory; its exit status, output in out. */
static int boot(FIXTURE_DATA(boot) *self, char *out, size_t len)
{
	char cmd[PATH_MAX * 3];
	FILE *p;
	size_t n;
	int status;

	snprintf(cmd, sizeof(cmd), "KASBLOCK_CONFDIR='%s' /bin/sh '%s' --no-modprobe 2>&1",
		 self->dir, self->script);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool listed(struct kst_nl *nl, const struct kst_entry *want, size_t nwant, size_t total)
{
	struct kst_entry *e;
	size_t n, i, j, found = 0;

	if (kst_nl_dump(nl, &e, &n, NULL))
		return false;
	for (i = 0; i < nwant; i++)
		for (j = 0; j < n; j++)
			if (!memcmp(want[i].digest, e[j].digest, KASBLOCK_DIGEST_LEN)) {
				found++;
				break;
			}
	free(e);
	return found == nwant && n == total;
}

TEST_F(boot, list_files_become_the_list)
{
	char out[4096];

	/* Something else listed before: load replaces, it does not add. */
	ASSERT_EQ(0, kst_add_unrelated(&self->nl));
	ASSERT_EQ(0, write_list(self, "10-a.list", 0, 2));
	ASSERT_EQ(0, write_list(self, "20-b.list", 1, 4));
	ASSERT_EQ(0, boot(self, out, sizeof(out))) {
		TH_LOG("%s", out);
	}
	ASSERT_TRUE(listed(&self->nl, self->e, 4, 4));
	ASSERT_NE(NULL, strstr(out, "loaded 2 list file(s)")) {
		TH_LOG("%s", out);
	}
}

TEST_F(boot, broken_list_fails_and_keeps_the_list_in_force)
{
	struct kst_snapshot before, after;
	char out[4096], path[256];

	ASSERT_EQ(0, write_list(self, "10-a.list", 0, 2));
	ASSERT_EQ(0, boot(self, out, sizeof(out)));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &before));

	ASSERT_EQ(0, write_list(self, "20-b.list", 2, 4));
	snprintf(path, sizeof(path), "%s/30-broken.list", self->lists);
	ASSERT_EQ(0, kst_write_file(path, "# ok\nnot a digest\n", 18, 0644));
	ASSERT_NE(0, boot(self, out, sizeof(out)));
	ASSERT_NE(NULL, strstr(out, "30-broken.list:2: ")) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&before, &after));
}

TEST_F(boot, mode_setting_applies)
{
	char out[4096], conf[256];
	struct kst_status st;

	snprintf(conf, sizeof(conf), "%s/kasblock.conf", self->dir);
	ASSERT_EQ(0, kst_write_file(conf, "LOCK=no\nMODE=monitor\n", 21, 0644));
	ASSERT_EQ(0, boot(self, out, sizeof(out))) {
		TH_LOG("%s", out);
	}
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(KASBLOCK_MODE_MONITOR, st.mode);
}

TEST_HARNESS_MAIN
