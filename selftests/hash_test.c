// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: how files are read to be hashed.
 *
 * A file whose data is in its own page cache (ramfs here, every disk
 * filesystem on a server) is hashed from it folio by folio: the whole file,
 * and without raising a fanotify event or file_permission hook per chunk, as
 * kernel_read() would. mprotect(PROT_EXEC), which runs under the mmap lock,
 * hashes only what is cached and at most 16 MiB (KB_LOCKED_HASH_MAX); beyond
 * that the failure policy decides (reason unknown-digest).
 */

#define _GNU_SOURCE
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"

#define MULTI_FOLIO_SIZE (3 << 20)
#define LOCKED_HASH_MAX (16 << 20)	/* kmod/kasblock.h KB_LOCKED_HASH_MAX */

FIXTURE(hashing) {
	struct kst_nl nl;
	char dir[64];
	char ram[128];		/* a ramfs mount */
	bool mounted;
};

FIXTURE_SETUP(hashing)
{
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_add_unrelated(&self->nl));
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->ram, sizeof(self->ram), "%s/ram", self->dir);
	ASSERT_EQ(0, mkdir(self->ram, 0755));
	ASSERT_EQ(0, mount("kst-ramfs", self->ram, "ramfs", 0, "mode=0755"));
	self->mounted = true;
}

FIXTURE_TEARDOWN(hashing)
{
	kst_params_reset();
	if (self->mounted)
		umount2(self->ram, MNT_DETACH);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

/* Flips the last byte of path: same size, another digest. */
static int flip_last_byte(const char *path)
{
	struct stat st;
	unsigned char c;
	int fd = open(path, O_RDWR | O_CLOEXEC), ret = -1;

	if (fd < 0)
		return -1;
	if (!fstat(fd, &st) && pread(fd, &c, 1, st.st_size - 1) == 1) {
		c ^= 0xff;
		if (pwrite(fd, &c, 1, st.st_size - 1) == 1)
			ret = 0;
	}
	close(fd);
	return ret;
}

/* Every folio counts: the last byte of a 3 MiB file decides. */
TEST_F(hashing, page_cache_file_is_hashed_to_its_last_byte)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char path[PATH_MAX];
	struct kst_status before, after;

	snprintf(path, sizeof(path), "%s/big", self->ram);
	ASSERT_EQ(0, kst_make_prog(path, "hash:big", MULTI_FOLIO_SIZE, digest));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-big"));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	EXPECT_EQ(EPERM, kst_run(path));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	EXPECT_LE(before.bytes_hashed + MULTI_FOLIO_SIZE, after.bytes_hashed);

	ASSERT_EQ(0, flip_last_byte(path));
	EXPECT_EQ(0, kst_run(path));
	ASSERT_EQ(0, flip_last_byte(path));
	EXPECT_EQ(EPERM, kst_run(path));
}

/*
 * Counts pid's fanotify permission events (allowing each) until it exits;
 * its wait status goes to *status.
 */
static int count_events(int fan, pid_t pid, int *status)
{
	char buf[4096] __attribute__((aligned(8)));
	uint64_t end = kst_now_ms() + 30000;
	int count = 0;

	while (kst_now_ms() < end) {
		struct fanotify_event_metadata *m;
		struct pollfd pfd = { .fd = fan, .events = POLLIN };
		ssize_t len;

		if (poll(&pfd, 1, 50) <= 0) {
			if (waitpid(pid, status, WNOHANG) == pid)
				return count;
			continue;
		}
		len = read(fan, buf, sizeof(buf));
		for (m = (void *)buf; len > 0 && FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			struct fanotify_response r = { .fd = m->fd, .response = FAN_ALLOW };

			if (m->fd < 0)
				continue;
			if (m->pid == pid)
				count++;
			if (write(fan, &r, sizeof(r)) != sizeof(r))
				return -1;
			close(m->fd);
		}
	}
	return -1;
}

/*
 * The exec reads the file once itself (prepare_binprm()); kasblock's hash of
 * its 3 MiB adds no read of its own that fanotify would see. Through
 * kernel_read() it would add one per 64 KiB.
 */
TEST_F_TIMEOUT(hashing, page_cache_hash_raises_no_fanotify_event, 90)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char path[PATH_MAX];
	int fan, events, status = 0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/watched", self->ram);
	ASSERT_EQ(0, kst_make_prog(path, "hash:watched", MULTI_FOLIO_SIZE, digest));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-watched"));
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY | O_CLOEXEC);
	if (fan < 0)
		SKIP(return, "no fanotify permission events: %s", strerror(errno));
	ASSERT_EQ(0, fanotify_mark(fan, FAN_MARK_ADD, FAN_ACCESS_PERM, AT_FDCWD, path));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		execl(path, path, (char *)NULL);
		_exit(errno == EPERM ? 42 : 127);
	}
	events = count_events(fan, pid, &status);
	close(fan);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42) {
		TH_LOG("the exec was not refused with EPERM (status 0x%x)", status);
	}
	EXPECT_EQ(1, events) {
		TH_LOG("%d read events for one exec of a %d-byte listed file", events,
		       MULTI_FOLIO_SIZE);
	}
}

/* A listed file mapped for reading only, never hashed: mprotect decides from its pages. */
static void *map_for_read(const char *path, size_t size, int *fd)
{
	volatile unsigned char sum = 0;
	unsigned char *p;
	size_t i;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return MAP_FAILED;
	p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, *fd, 0);
	if (p == MAP_FAILED)
		return p;
	for (i = 0; i < size; i += 4096)	/* every page in the page cache */
		sum += p[i];
	return p;
}

TEST_F(hashing, mprotect_decides_an_unhashed_file_from_its_pages)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char path[PATH_MAX];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/small", self->ram);
	ASSERT_EQ(0, kst_make_prog(path, "hash:mprotect", MULTI_FOLIO_SIZE, digest));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-mprotect"));
	p = map_for_read(path, MULTI_FOLIO_SIZE, &fd);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, 4096, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EPERM, errno);
	munmap(p, MULTI_FOLIO_SIZE);
	close(fd);
}

FIXTURE_VARIANT(hashing) {
	const char *fail_closed;
	int mprotect_errno;	/* for a file past the bound */
};

/* clang-format off */
FIXTURE_VARIANT_ADD(hashing, fail_open) {
	/* clang-format on */
	.fail_closed = "N",
	.mprotect_errno = 0,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(hashing, fail_closed) {
	/* clang-format on */
	.fail_closed = "Y",
	.mprotect_errno = ENODATA,
};

/*
 * Past 16 MiB, mprotect does not hash under the mmap lock, cached or not: the
 * failure policy decides, and the log says why.
 */
TEST_F(hashing, mprotect_past_the_bound_follows_the_failure_policy)
{
	const size_t size = LOCKED_HASH_MAX + 4096;
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char path[PATH_MAX], spath[PATH_MAX + 16], line[2048];
	const char *needles[] = { "kasblock: cannot hash: ", " op=mprotect ",
				  " reason=unknown-digest ", spath, NULL };
	uint64_t deadline;
	void *p;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/huge", self->ram);
	snprintf(spath, sizeof(spath), " path=\"%s\" ", path);
	ASSERT_EQ(0, kst_make_prog(path, "hash:huge", size, digest));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-huge"));
	ASSERT_EQ(0, kst_param_write("fail_closed", variant->fail_closed));
	p = map_for_read(path, size, &fd);
	ASSERT_NE(MAP_FAILED, p);
	/* Failure lines are rate-limited per uid: try until one names this file. */
	deadline = kst_now_ms() + 15000;
	do {
		ret = mprotect(p, 4096, PROT_READ | PROT_EXEC);
		EXPECT_EQ(variant->mprotect_errno, ret ? errno : 0);
		if (!ret)
			mprotect(p, 4096, PROT_READ);
		usleep(100000);
		if (!kst_klog_find(needles, line, sizeof(line)))
			break;
		usleep(400000);
	} while (kst_now_ms() < deadline);
	EXPECT_EQ(0, kst_klog_find(needles, line, sizeof(line)));
	munmap(p, size);
	close(fd);
}

TEST_HARNESS_MAIN
