// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: KASBLOCK_CMD_GET_FILE_DIGEST, the digest cache read by
 * descriptor (what kasblockctl sweep asks before hashing a file itself).
 *
 * The answer must be exactly what an exec would trust: the digest of the
 * file's current content once an exec has hashed it, and ENODATA whenever the
 * cache cannot vouch for it (never hashed, rewritten, open for write). The
 * descriptor is the sender's own, and only a readable regular file's.
 */

#define _GNU_SOURCE
#include <libmnl/libmnl.h>
#include <sys/stat.h>

#include "common.h"

FIXTURE(file_digest) {
	struct kst_nl nl;
	char dir[64];
	char prog[PATH_MAX];
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	struct kst_snapshot before;
};

FIXTURE_SETUP(file_digest)
{
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->prog, sizeof(self->prog), "%s/prog", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->prog, "file-digest:prog", 0, self->digest));
	/* A listed digest, so that the module hashes (an empty list may skip it). */
	ASSERT_EQ(0, kst_add_unrelated(&self->nl));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &self->before));
	usleep(KST_AGE_US);
}

FIXTURE_TEARDOWN(file_digest)
{
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

static int query_path(struct kst_nl *nl, const char *path, int flags, uint8_t *digest)
{
	int fd = open(path, flags | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = kst_nl_file_digest(nl, fd, digest);
	close(fd);
	return ret;
}

TEST_F(file_digest, an_exec_fills_what_the_query_returns)
{
	uint8_t got[KASBLOCK_DIGEST_LEN];

	/* Never exec'd or mapped: the module has not hashed it, and does not now. */
	ASSERT_EQ(-ENODATA, query_path(&self->nl, self->prog, O_RDONLY, got));
	ASSERT_STREQ("not in the digest cache", self->nl.extack);

	ASSERT_EQ(0, kst_run(self->prog));
	memset(got, 0, sizeof(got));
	ASSERT_EQ(0, query_path(&self->nl, self->prog, O_RDONLY, got));
	ASSERT_EQ(0, memcmp(got, self->digest, sizeof(got)));
}

TEST_F(file_digest, any_path_to_the_same_file_gets_it)
{
	uint8_t got[KASBLOCK_DIGEST_LEN];
	char other_name[PATH_MAX];

	ASSERT_EQ(0, kst_run(self->prog));
	/* A symbolic link: a hard link would change the inode's ctime, and rightly lose it. */
	snprintf(other_name, sizeof(other_name), "%s/symlink", self->dir);
	ASSERT_EQ(0, symlink(self->prog, other_name));
	ASSERT_EQ(0, query_path(&self->nl, other_name, O_RDONLY, got));
	ASSERT_EQ(0, memcmp(got, self->digest, sizeof(got)));
}

TEST_F(file_digest, a_rewritten_file_is_not_vouched_for)
{
	uint8_t got[KASBLOCK_DIGEST_LEN];
	int fd;

	ASSERT_EQ(0, kst_run(self->prog));
	ASSERT_EQ(0, query_path(&self->nl, self->prog, O_RDONLY, got));
	/* One byte changed in place, same size: only the validator can tell. */
	fd = open(self->prog, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, "X", 1, 200));
	close(fd);
	ASSERT_EQ(-ENODATA, query_path(&self->nl, self->prog, O_RDONLY, got));
}

TEST_F(file_digest, a_file_open_for_write_is_not_vouched_for)
{
	uint8_t got[KASBLOCK_DIGEST_LEN];
	int writer;

	ASSERT_EQ(0, kst_run(self->prog));
	writer = open(self->prog, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, writer);
	ASSERT_EQ(-ENODATA, query_path(&self->nl, self->prog, O_RDONLY, got));
	close(writer);
	/* Opened, never written: unchanged, so vouched for again. */
	ASSERT_EQ(0, query_path(&self->nl, self->prog, O_RDONLY, got));
	ASSERT_EQ(0, memcmp(got, self->digest, sizeof(got)));
}

TEST_F(file_digest, the_query_is_not_counted_as_an_exec_hit)
{
	struct kst_status a, b;
	uint8_t got[KASBLOCK_DIGEST_LEN];

	char other[PATH_MAX];

	snprintf(other, sizeof(other), "%s/other", self->dir);
	ASSERT_EQ(0, kst_make_prog(other, "file-digest:other", 0, NULL));
	ASSERT_EQ(0, kst_run(self->prog));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &a));
	ASSERT_EQ(0, query_path(&self->nl, self->prog, O_RDONLY, got));
	ASSERT_EQ(-ENODATA, query_path(&self->nl, other, O_RDONLY, got));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &b));
	ASSERT_EQ(a.cache_hits, b.cache_hits);
	ASSERT_EQ(a.cache_misses, b.cache_misses);
	ASSERT_EQ(a.bytes_hashed, b.bytes_hashed);
}

/* Each bad request: its errno, its extack message, and an unchanged list. */
#define BAD(expect_errno, msg, call) do {					\
		struct kst_snapshot after;					\
		uint8_t got[KASBLOCK_DIGEST_LEN];				\
									\
		(void)got;							\
		ASSERT_EQ(-(expect_errno), (call));				\
		ASSERT_STREQ(msg, self->nl.extack);				\
		ASSERT_EQ(0, kst_snapshot(&self->nl, &after));			\
		ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));		\
	} while (0)

#define NOFD "no such file descriptor in the sending process"
#define NOTREG "not a regular file"

TEST_F(file_digest, missing_descriptor_is_einval)
{
	BAD(EINVAL, "missing attribute KASBLOCK_A_FD", kst_nl_file_digest(&self->nl, -1, got));
}

TEST_F(file_digest, descriptor_not_open_is_ebadf)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	close(fd);	/* a number that was valid a moment ago */
	BAD(EBADF, NOFD, kst_nl_file_digest(&self->nl, fd, got));
	BAD(EBADF, NOFD, kst_nl_file_digest(&self->nl, 1 << 30, got));
}

TEST_F(file_digest, write_only_and_o_path_descriptors_are_ebadf)
{
	ASSERT_EQ(0, kst_run(self->prog));
	/* fget() does not hand out O_PATH files: to the module there is no such descriptor. */
	BAD(EBADF, NOFD, query_path(&self->nl, self->prog, O_PATH, got));
	/* Write-only: also makes the file open for write, but EBADF comes first. */
	BAD(EBADF, "file descriptor not open for reading",
	    query_path(&self->nl, self->prog, O_WRONLY, got));
}

TEST_F(file_digest, not_a_regular_file_is_einval)
{
	int fds[2];

	BAD(EINVAL, NOTREG, query_path(&self->nl, self->dir, O_RDONLY | O_DIRECTORY, got));
	BAD(EINVAL, NOTREG, query_path(&self->nl, "/dev/null", O_RDONLY, got));
	ASSERT_EQ(0, pipe(fds));
	BAD(EINVAL, NOTREG, kst_nl_file_digest(&self->nl, fds[0], got));
	close(fds[0]);
	close(fds[1]);
}

/* A request with KASBLOCK_A_FD of len bytes (the policy wants exactly 4). */
static int send_fd_attr_of_len(struct kst_nl *nl, size_t len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint8_t raw[8] = { 0 };
	struct nlmsghdr *h = kst_nl_msg(nl, buf, KASBLOCK_CMD_GET_FILE_DIGEST, 0);

	mnl_attr_put(h, KASBLOCK_A_FD, len, raw);
	return kst_nl_send(nl, h);
}

TEST_F(file_digest, descriptor_attribute_of_the_wrong_size_is_einval)
{
	static const size_t lens[] = { 0, 2, 8 };
	struct kst_snapshot after;
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		ASSERT_EQ(-EINVAL, send_fd_attr_of_len(&self->nl, lens[i]));
		/* The netlink policy's own message: the kernel words it, not kasblock. */
		ASSERT_NE('\0', self->nl.extack[0]) {
			TH_LOG("no extack for a %zu-byte KASBLOCK_A_FD", lens[i]);
		}
	}
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));
}

/* ADD with a descriptor beside its entries: refused whole, nothing added. */
static int add_with_fd_attr(struct kst_nl *nl)
{
	struct kst_entry e;
	struct nlmsghdr *h;
	void *buf = malloc(KST_MSG_MAX);
	int ret;

	if (!buf)
		return -ENOMEM;
	kst_fake_entry(&e, 4242, "kst-fd-extra");
	h = kst_nl_msg(nl, buf, KASBLOCK_CMD_ADD, 0);
	ret = kst_nl_put_entries(h, &e, 1);
	if (!ret) {
		mnl_attr_put_u32(h, KASBLOCK_A_FD, 0);
		ret = kst_nl_send(nl, h);
	}
	free(buf);
	return ret;
}

TEST_F(file_digest, descriptor_attribute_on_another_command_is_einval)
{
	BAD(EINVAL, "attribute not valid for this command", add_with_fd_attr(&self->nl));
}

TEST_HARNESS_MAIN
