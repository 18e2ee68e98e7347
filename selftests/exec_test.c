// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: what a listed digest does to exec(2).
 */

#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>

#include "common.h"

/* Reads all of path into a malloc'ed buffer. */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !(buf = malloc(st.st_size + 1)) ||
	    read(fd, buf, st.st_size) != st.st_size) {
		close(fd);
		return NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

/* Rewrites path's content in place: same inode, new bytes. */
static int rewrite(const char *path, const void *data, size_t len)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		ret = -EIO;
	close(fd);
	return ret;
}

FIXTURE(exec) {
	struct kst_nl nl;
	char dir[64];
	char listed[PATH_MAX];		/* its digest is on the list */
	char unlisted[PATH_MAX];
	uint8_t listed_digest[KASBLOCK_DIGEST_LEN];
};

FIXTURE_SETUP(exec)
{
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->listed, sizeof(self->listed), "%s/listed", self->dir);
	snprintf(self->unlisted, sizeof(self->unlisted), "%s/unlisted", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->listed, "exec:listed", 0,
				   self->listed_digest));
	ASSERT_EQ(0, kst_make_prog(self->unlisted, "exec:unlisted", 0, NULL));
	ASSERT_EQ(0, kst_add(&self->nl, self->listed_digest, "kst-listed"));
}

FIXTURE_TEARDOWN(exec)
{
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F(exec, listed_binary_is_denied)
{
	ASSERT_EQ(EPERM, kst_run(self->listed));
}

TEST_F(exec, unlisted_binary_runs)
{
	ASSERT_EQ(0, kst_run(self->unlisted));
}

TEST_F(exec, listed_binary_is_denied_for_nobody)
{
	struct kst_exec how = { .dirfd = AT_FDCWD, .uid = 65534 };

	/* Nobody can run files here at all... */
	ASSERT_EQ(0, kst_run_ex(self->unlisted, &how));
	/* ...but not the listed one. */
	ASSERT_EQ(EPERM, kst_run_ex(self->listed, &how));
}

TEST_F(exec, deleting_the_digest_allows_exec_again)
{
	ASSERT_EQ(EPERM, kst_run(self->listed));
	ASSERT_EQ(0, kst_del(&self->nl, self->listed_digest));
	ASSERT_EQ(0, kst_run(self->listed));
}

TEST_F(exec, flush_allows_exec_again)
{
	ASSERT_EQ(EPERM, kst_run(self->listed));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_FLUSH, NULL, 0));
	ASSERT_EQ(0, kst_run(self->listed));
}

TEST_F(exec, file_rewritten_with_listed_content_is_denied)
{
	char *content;
	size_t len;

	/* A first exec lets the module remember this inode's digest... */
	ASSERT_EQ(0, kst_run(self->unlisted));
	content = slurp(self->listed, &len);
	ASSERT_NE(NULL, content);
	/* ...which must not outlive a change of content. */
	ASSERT_EQ(0, rewrite(self->unlisted, content, len));
	free(content);
	ASSERT_EQ(EPERM, kst_run(self->unlisted));
}

TEST_F(exec, listed_file_rewritten_with_other_content_runs)
{
	char *content;
	size_t len;

	ASSERT_EQ(EPERM, kst_run(self->listed));
	content = slurp(self->unlisted, &len);
	ASSERT_NE(NULL, content);
	ASSERT_EQ(0, rewrite(self->listed, content, len));
	free(content);
	ASSERT_EQ(0, kst_run(self->listed));
}

TEST_F(exec, file_modified_in_place_without_size_change_is_hashed_again)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char *content;
	size_t len;
	int fd;

	ASSERT_EQ(0, kst_run(self->unlisted));
	content = slurp(self->unlisted, &len);
	ASSERT_NE(NULL, content);
	/* The last byte is the tag's newline: flip it, same size, same inode. */
	content[len - 1] = 'X';
	kst_sha256(content, len, digest);
	free(content);
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-modified"));
	/* Still the old content: runs. */
	ASSERT_EQ(0, kst_run(self->unlisted));

	fd = open(self->unlisted, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, "X", 1, len - 1));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(EPERM, kst_run(self->unlisted));
}

TEST_F(exec, listed_script_is_denied)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char script[PATH_MAX], text[PATH_MAX + 64];
	int len;

	/* The interpreter is unlisted: only the script's own digest matches. */
	snprintf(script, sizeof(script), "%s/script", self->dir);
	len = snprintf(text, sizeof(text), "#!%s\n# listed script\n", self->unlisted);
	ASSERT_EQ(0, kst_write_file(script, text, len, 0755));
	ASSERT_EQ(0, kst_run(script));

	kst_sha256(text, len, digest);
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-script"));
	ASSERT_EQ(EPERM, kst_run(script));
}

TEST_F(exec, script_with_listed_interpreter_is_denied)
{
	char script[PATH_MAX], text[PATH_MAX + 64];
	int len;

	snprintf(script, sizeof(script), "%s/script", self->dir);
	len = snprintf(text, sizeof(text), "#!%s\n", self->listed);
	ASSERT_EQ(0, kst_write_file(script, text, len, 0755));
	ASSERT_EQ(EPERM, kst_run(script));
}

TEST_F(exec, checks_and_denials_are_counted)
{
	struct kst_status before, mid, after;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	ASSERT_EQ(0, kst_run(self->unlisted));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &mid));
	ASSERT_LT(before.checks, mid.checks);
	ASSERT_EQ(before.denials, mid.denials);

	ASSERT_EQ(EPERM, kst_run(self->listed));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	ASSERT_LT(mid.checks, after.checks);
	ASSERT_EQ(mid.denials + 1, after.denials);
}

TEST_F(exec, bytes_hashed_counts_a_new_file)
{
	struct kst_status before, after;
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/fresh", self->dir);
	ASSERT_EQ(0, kst_make_prog(path, "exec:fresh", 20000, NULL));
	ASSERT_EQ(0, stat(path, &st));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	ASSERT_EQ(0, kst_run(path));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	ASSERT_LE(before.bytes_hashed + st.st_size, after.bytes_hashed);
}

TEST_F(exec, unchanged_file_is_not_hashed_twice)
{
	struct kst_status first, second;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/cached", self->dir);
	ASSERT_EQ(0, kst_make_prog(path, "exec:cached", 20000, NULL));
	ASSERT_EQ(0, kst_run(path));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &first));
	ASSERT_EQ(0, kst_run(path));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &second));
	ASSERT_EQ(first.bytes_hashed, second.bytes_hashed);
	ASSERT_LT(first.cache_hits, second.cache_hits);
	ASSERT_LT(first.checks, second.checks);
}

TEST_F(exec, status_reports_the_cache)
{
	struct kst_status st;
	char value[32];

	ASSERT_EQ(0, kst_run(self->unlisted));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(0, kst_param_read("cache_size", value, sizeof(value)));
	ASSERT_EQ(strtoul(value, NULL, 10), st.cache_size);
	ASSERT_LT(0, st.cache_entries);
	ASSERT_GE(st.cache_size, st.cache_entries);
}

TEST_F(exec, monitor_mode_runs_a_listed_binary)
{
	struct kst_status before, after;

	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_MONITOR));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	ASSERT_EQ(KASBLOCK_MODE_MONITOR, before.mode);
	ASSERT_EQ(0, kst_run(self->listed));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	/* A would-deny is still a match. */
	ASSERT_LT(before.denials, after.denials);

	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_ENFORCE));
	ASSERT_EQ(EPERM, kst_run(self->listed));
}

/* The same listed bytes, reached some other way than the original name. */
enum reach {
	REACH_COPY,
	REACH_HARDLINK,
	REACH_SYMLINK,
	REACH_RENAME,
	REACH_FD,
	REACH_MEMFD,
};

FIXTURE(listed_content) {
	struct kst_nl nl;
	char dir[64];
	char listed[PATH_MAX];
	char other[PATH_MAX];
	int fd;
};

FIXTURE_VARIANT(listed_content) {
	enum reach reach;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(listed_content, copy) {
	/* clang-format on */
	.reach = REACH_COPY,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(listed_content, hardlink) {
	/* clang-format on */
	.reach = REACH_HARDLINK,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(listed_content, symlink) {
	/* clang-format on */
	.reach = REACH_SYMLINK,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(listed_content, rename) {
	/* clang-format on */
	.reach = REACH_RENAME,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(listed_content, execveat_fd) {
	/* clang-format on */
	.reach = REACH_FD,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(listed_content, memfd) {
	/* clang-format on */
	.reach = REACH_MEMFD,
};

FIXTURE_SETUP(listed_content)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char *content;
	size_t len;

	self->fd = -1;
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->listed, sizeof(self->listed), "%s/listed", self->dir);
	snprintf(self->other, sizeof(self->other), "%s/other-name", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->listed, "content:listed", 0, digest));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-content"));
	content = slurp(self->listed, &len);
	ASSERT_NE(NULL, content);

	switch (variant->reach) {
	case REACH_COPY:
		ASSERT_EQ(0, kst_write_file(self->other, content, len, 0755));
		break;
	case REACH_HARDLINK:
		ASSERT_EQ(0, link(self->listed, self->other));
		break;
	case REACH_SYMLINK:
		ASSERT_EQ(0, symlink(self->listed, self->other));
		break;
	case REACH_RENAME:
		ASSERT_EQ(0, rename(self->listed, self->other));
		break;
	case REACH_FD:
		self->fd = open(self->listed, O_PATH);
		ASSERT_LE(0, self->fd);
		break;
	case REACH_MEMFD:
		self->fd = memfd_create("kst-listed", 0);
		ASSERT_LE(0, self->fd);
		ASSERT_EQ((ssize_t)len, write(self->fd, content, len));
		break;
	}
	free(content);
}

FIXTURE_TEARDOWN(listed_content)
{
	if (self->fd >= 0)
		close(self->fd);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F(listed_content, is_denied)
{
	struct kst_exec how = { .dirfd = AT_FDCWD };

	if (self->fd >= 0) {
		how.dirfd = self->fd;
		how.flags = AT_EMPTY_PATH;
		ASSERT_EQ(EPERM, kst_run_ex("", &how));
	} else {
		ASSERT_EQ(EPERM, kst_run_ex(self->other, &how));
	}
}

TEST_HARNESS_MAIN
