// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: the digest cache never answers for content it did not hash.
 *
 * Each test first gets a file into the cache (two execs, the second a hit), then
 * changes the file some way and checks that the next check sees the new content.
 * Where the filesystem has no i_version the module does not cache a file changed
 * within the last second, so the fixture ages its files before the first exec.
 */

#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>

#include "common.h"

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

/* mmap(PROT_EXEC) of path: 0, or the errno of the refusal. */
static int map_exec(const char *path)
{
	int fd, err = 0;
	void *p;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		err = errno;
	else
		munmap(p, 4096);
	close(fd);
	return err;
}

FIXTURE(cache) {
	struct kst_nl nl;
	char dir[64];
	char prog[PATH_MAX];		/* unlisted, aged, cached by the setup */
	char listed[PATH_MAX];		/* same size as prog, its digest is listed */
	uint8_t prog_digest[KASBLOCK_DIGEST_LEN];
	uint8_t listed_digest[KASBLOCK_DIGEST_LEN];
};

FIXTURE_SETUP(cache)
{
	struct kst_status before, after;

	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->prog, sizeof(self->prog), "%s/prog", self->dir);
	snprintf(self->listed, sizeof(self->listed), "%s/listed", self->dir);
	/* Tags of one length: the two files have the same size. */
	ASSERT_EQ(0, kst_make_prog(self->prog, "cache:prog", 0, self->prog_digest));
	ASSERT_EQ(0, kst_make_prog(self->listed, "cache:lstd", 0, self->listed_digest));
	ASSERT_EQ(0, kst_add(&self->nl, self->listed_digest, "kst-cache"));
	usleep(KST_AGE_US);

	/* The first exec hashes and stores, the second must be a hit. */
	ASSERT_EQ(0, kst_run(self->prog));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	ASSERT_EQ(0, kst_run(self->prog));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	ASSERT_LT(before.cache_hits, after.cache_hits);
	ASSERT_EQ(before.bytes_hashed, after.bytes_hashed);
}

FIXTURE_TEARDOWN(cache)
{
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F(cache, second_exec_is_a_hit)
{
	struct kst_status before, after;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	ASSERT_EQ(0, kst_run(self->prog));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	ASSERT_LT(before.cache_hits, after.cache_hits);
	ASSERT_EQ(before.bytes_hashed, after.bytes_hashed);
	ASSERT_LT(0, after.cache_entries);
}

/* The cache holds digests, not verdicts: a list change needs no flush. */
TEST_F(cache, listing_a_cached_digest_denies_at_once)
{
	ASSERT_EQ(0, kst_add(&self->nl, self->prog_digest, "kst-now-listed"));
	ASSERT_EQ(EPERM, kst_run(self->prog));
	ASSERT_EQ(0, kst_del(&self->nl, self->prog_digest));
	ASSERT_EQ(0, kst_run(self->prog));
}

/*
 * A hit that found the digest unlisted remembers the list generation it was checked at
 * and skips the list until the generation moves: an add must move it for a mapping too.
 * Two hits first, so that the second is answered from that memory.
 */
TEST_F(cache, listing_a_cached_digest_denies_its_mapping_at_once)
{
	struct kst_status before, after;

	ASSERT_EQ(0, map_exec(self->prog));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	ASSERT_EQ(0, map_exec(self->prog));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	ASSERT_LT(before.cache_hits, after.cache_hits);
	ASSERT_EQ(0, kst_add(&self->nl, self->prog_digest, "kst-now-listed"));
	ASSERT_EQ(EPERM, map_exec(self->prog));
	ASSERT_EQ(EPERM, kst_run(self->prog));
	ASSERT_EQ(0, kst_del(&self->nl, self->prog_digest));
	ASSERT_EQ(0, map_exec(self->prog));
	ASSERT_EQ(0, kst_run(self->prog));
}

/* An atomic replace publishes a new table, and a new generation with it. */
TEST_F(cache, replacing_the_list_with_a_cached_digest_denies_at_once)
{
	struct kst_entry e[2] = {};

	ASSERT_EQ(0, kst_run(self->prog));
	ASSERT_EQ(0, map_exec(self->prog));
	memcpy(e[0].digest, self->listed_digest, KASBLOCK_DIGEST_LEN);
	memcpy(e[1].digest, self->prog_digest, KASBLOCK_DIGEST_LEN);
	ASSERT_EQ(0, kst_nl_replace(&self->nl, e, 2));
	ASSERT_EQ(EPERM, kst_run(self->prog));
	ASSERT_EQ(EPERM, map_exec(self->prog));
	ASSERT_EQ(0, kst_nl_replace(&self->nl, e, 1));
	ASSERT_EQ(0, kst_run(self->prog));
	ASSERT_EQ(0, map_exec(self->prog));
}

TEST_F(cache, same_size_rewrite_in_place_is_denied)
{
	struct stat st0, st1;
	char *content;
	size_t len;
	int fd;

	content = slurp(self->listed, &len);
	ASSERT_NE(NULL, content);
	ASSERT_EQ(0, stat(self->prog, &st0));
	ASSERT_EQ((off_t)len, st0.st_size);
	/* Same inode, same size, the listed bytes; no O_TRUNC. */
	fd = open(self->prog, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)len, pwrite(fd, content, len, 0));
	ASSERT_EQ(0, close(fd));
	free(content);
	ASSERT_EQ(0, stat(self->prog, &st1));
	ASSERT_EQ(st0.st_ino, st1.st_ino);
	ASSERT_EQ(st0.st_size, st1.st_size);
	ASSERT_EQ(EPERM, kst_run(self->prog));
}

TEST_F(cache, one_byte_changed_in_place_is_denied)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char *content;
	size_t len;
	int fd;

	content = slurp(self->prog, &len);
	ASSERT_NE(NULL, content);
	/* The last byte is the tag's newline. */
	content[len - 1] = 'Y';
	kst_sha256(content, len, digest);
	free(content);
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-one-byte"));
	ASSERT_EQ(0, kst_run(self->prog));

	fd = open(self->prog, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, pwrite(fd, "Y", 1, len - 1));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(EPERM, kst_run(self->prog));
}

TEST_F(cache, extended_then_truncated_gets_a_new_verdict_each_time)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char *content;
	size_t len;

	content = slurp(self->prog, &len);
	ASSERT_NE(NULL, content);
	content = realloc(content, len + 4096);
	ASSERT_NE(NULL, content);
	memset(content + len, 0, 4096);
	kst_sha256(content, len + 4096, digest);
	free(content);
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-extended"));

	/* Zeros appended by truncate(2): only the size and times change. */
	ASSERT_EQ(0, truncate(self->prog, len + 4096));
	ASSERT_EQ(EPERM, kst_run(self->prog));
	ASSERT_EQ(0, truncate(self->prog, len));
	ASSERT_EQ(0, kst_run(self->prog));
}

TEST_F(cache, truncated_to_listed_prefix_is_denied)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char *content;
	size_t len;

	content = slurp(self->prog, &len);
	ASSERT_NE(NULL, content);
	/* Without the tag's newline: still a valid program. */
	kst_sha256(content, len - 1, digest);
	free(content);
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-shorter"));
	ASSERT_EQ(0, truncate(self->prog, len - 1));
	ASSERT_EQ(EPERM, kst_run(self->prog));
}

TEST_F(cache, listed_file_renamed_over_is_denied)
{
	ASSERT_EQ(0, rename(self->listed, self->prog));
	ASSERT_EQ(EPERM, kst_run(self->prog));
}

TEST_F(cache, unlinked_and_recreated_with_listed_content_is_denied)
{
	char *content;
	size_t len;

	content = slurp(self->listed, &len);
	ASSERT_NE(NULL, content);
	/* The inode number may well be reused: the generation tells them apart. */
	ASSERT_EQ(0, unlink(self->prog));
	ASSERT_EQ(0, kst_write_file(self->prog, content, len, 0755));
	free(content);
	ASSERT_EQ(EPERM, kst_run(self->prog));
}

/*
 * exec of a file open for write fails with ETXTBSY, but mmap(PROT_EXEC) is
 * allowed and checked: while a writer holds the file, no digest is trusted.
 */
TEST_F(cache, file_open_for_write_is_rehashed)
{
	struct kst_status before, after;
	char *content;
	size_t len;
	int wfd;

	content = slurp(self->listed, &len);
	ASSERT_NE(NULL, content);
	ASSERT_EQ(0, map_exec(self->prog));

	wfd = open(self->prog, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, wfd);
	ASSERT_EQ(ETXTBSY, kst_run(self->prog));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	ASSERT_EQ(0, map_exec(self->prog));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	/* Not a hit although the content did not change: it was hashed. */
	ASSERT_LT(before.bytes_hashed, after.bytes_hashed);

	ASSERT_EQ((ssize_t)len, pwrite(wfd, content, len, 0));
	free(content);
	/* The writer is still there: the listed content is seen right away. */
	ASSERT_EQ(EPERM, map_exec(self->prog));
	ASSERT_EQ(0, close(wfd));
	ASSERT_EQ(EPERM, map_exec(self->prog));
	ASSERT_EQ(EPERM, kst_run(self->prog));
}

TEST_HARNESS_MAIN
