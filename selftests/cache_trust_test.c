// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: the digest cache never answers for content it did not
 * hash, where a file's data can change without its inode saying so: a memfd
 * written through a shared mapping, and the real file under an overlay
 * written directly.
 *
 * Each test gets a file cached the way the old module would have (aged past the
 * racy-timestamp second, exec'd twice), changes it to listed bytes of the same
 * size, and checks the next exec is denied.
 */

#define _GNU_SOURCE
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

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

/* Rewrites fd's first len bytes through a shared mapping: no write(2), no mtime. */
static int rewrite_mapped(int fd, const void *data, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	memcpy(p, data, len);
	if (munmap(p, len))
		return -errno;
	return 0;
}

static int run_fd(int fd)
{
	struct kst_exec how = { .dirfd = fd, .flags = AT_EMPTY_PATH };

	return kst_run_ex("", &how);
}

FIXTURE(trust) {
	struct kst_nl nl;
	char dir[64];
	char *prog, *listed;		/* contents of one size; listed's digest is listed */
	size_t len;
	uint8_t prog_digest[KASBLOCK_DIGEST_LEN];
	int kmsg;
};

FIXTURE_SETUP(trust)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char path[PATH_MAX];
	size_t len;

	self->kmsg = -1;
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(path, sizeof(path), "%s/p", self->dir);
	ASSERT_EQ(0, kst_make_prog(path, "trust:prog", 0, self->prog_digest));
	self->prog = slurp(path, &self->len);
	ASSERT_NE(NULL, self->prog);
	snprintf(path, sizeof(path), "%s/l", self->dir);
	ASSERT_EQ(0, kst_make_prog(path, "trust:lstd", 0, digest));
	self->listed = slurp(path, &len);
	ASSERT_NE(NULL, self->listed);
	ASSERT_EQ(self->len, len);
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-trust"));
	self->kmsg = kst_kmsg_open();
	ASSERT_LE(0, self->kmsg);
}

FIXTURE_TEARDOWN(trust)
{
	char line[512];

	if (self->kmsg >= 0) {
		EXPECT_EQ(0, kst_kmsg_check(self->kmsg, line, sizeof(line), NULL)) {
			TH_LOG("kernel: %s", line);
		}
		close(self->kmsg);
	}
	free(self->prog);
	free(self->listed);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

/*
 * The memfd: a memfd's descriptors do not count as writers, and once
 * its pages are writable in a shared mapping, writes through it fault no more
 * and move no timestamp. Mapped, exec'd (cached by the old module), rewritten
 * through that same mapping, exec'd again.
 */
TEST_F(trust, memfd_rewritten_through_its_mapping_is_denied)
{
	int fd = memfd_create("kst-trust", MFD_CLOEXEC);
	char *p;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, self->len));
	p = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memcpy(p, self->prog, self->len);	/* the write faults happen here */
	usleep(KST_AGE_US);
	ASSERT_EQ(0, run_fd(fd));
	ASSERT_EQ(0, run_fd(fd));
	memcpy(p, self->listed, self->len);
	EXPECT_EQ(EPERM, run_fd(fd));
	/* And back: unlisted content runs again. */
	memcpy(p, self->prog, self->len);
	EXPECT_EQ(0, run_fd(fd));
	munmap(p, self->len);
	close(fd);
}

/* Sealed against writes, a memfd cannot change: it is cached like any file. */
TEST_F(trust, memfd_sealed_against_writes_is_cached)
{
	struct kst_status before, after;
	int fd = memfd_create("kst-trust", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)self->len, write(fd, self->prog, self->len));
	ASSERT_EQ(0, fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW));
	usleep(KST_AGE_US);
	ASSERT_EQ(0, run_fd(fd));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	ASSERT_EQ(0, run_fd(fd));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	EXPECT_LT(before.cache_hits, after.cache_hits);
	EXPECT_EQ(before.bytes_hashed, after.bytes_hashed);
	/* Nothing can map it writable now. */
	EXPECT_EQ(-EPERM, rewrite_mapped(fd, self->listed, self->len));
	ASSERT_EQ(0, kst_add(&self->nl, self->prog_digest, "kst-trust-sealed"));
	EXPECT_EQ(EPERM, run_fd(fd));
	close(fd);
}

/* An unsealed memfd is hashed at every exec. */
TEST_F(trust, memfd_unsealed_is_never_a_hit)
{
	struct kst_status before, after;
	int fd = memfd_create("kst-trust", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)self->len, write(fd, self->prog, self->len));
	/* Sealed against growth only: it can still be written. */
	ASSERT_EQ(0, fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
	usleep(KST_AGE_US);
	ASSERT_EQ(0, run_fd(fd));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	ASSERT_EQ(0, run_fd(fd));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	EXPECT_EQ(before.cache_hits, after.cache_hits);
	EXPECT_LT(before.bytes_hashed, after.bytes_hashed);
	close(fd);
}

/*
 * A file on a mounted tmpfs stays cacheable: its writer and the shared mapping
 * the writer makes count in i_writecount, and the first write fault moves the
 * times. Passed before the memfd change too; here so that it stays so.
 */
TEST_F(trust, tmpfs_file_rewritten_through_a_mapping_is_denied)
{
	struct kst_status before, after;
	char mnt[256], path[PATH_MAX];
	int fd;

	snprintf(mnt, sizeof(mnt), "%s/tmpfs", self->dir);
	ASSERT_EQ(0, mkdir(mnt, 0755));
	ASSERT_EQ(0, mount("kst-trust", mnt, "tmpfs", 0, "mode=755"));
	snprintf(path, sizeof(path), "%s/prog", mnt);
	ASSERT_EQ(0, kst_write_file(path, self->prog, self->len, 0755));
	usleep(KST_AGE_US);
	EXPECT_EQ(0, kst_run(path));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	EXPECT_EQ(0, kst_run(path));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	EXPECT_LT(before.cache_hits, after.cache_hits);
	fd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, rewrite_mapped(fd, self->listed, self->len));
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(EPERM, kst_run(path));
	umount2(mnt, MNT_DETACH);
}

/*
 * Through an overlay the kernel reads the lower file; a direct write to it
 * changes nothing the overlay's inode shows. The entry is the lower inode's.
 */
TEST_F(trust, overlay_lower_written_directly_is_denied)
{
	char l1[256], l2[256], merged[256], opts[1024];
	char lower[PATH_MAX], path[PATH_MAX];
	int fd;

	snprintf(l1, sizeof(l1), "%s/l1", self->dir);
	snprintf(l2, sizeof(l2), "%s/l2", self->dir);
	snprintf(merged, sizeof(merged), "%s/merged", self->dir);
	ASSERT_EQ(0, mkdir(l1, 0755));
	ASSERT_EQ(0, mkdir(l2, 0755));
	ASSERT_EQ(0, mkdir(merged, 0755));
	snprintf(lower, sizeof(lower), "%s/prog", l1);
	ASSERT_EQ(0, kst_write_file(lower, self->prog, self->len, 0755));
	/* Two lower layers and no upper: a read-only overlay, no xattrs needed. */
	snprintf(opts, sizeof(opts), "lowerdir=%s:%s", l1, l2);
	if (mount("overlay", merged, "overlay", MS_RDONLY, opts)) {
		if (system("modprobe overlay >/dev/null 2>&1") ||
		    mount("overlay", merged, "overlay", MS_RDONLY, opts))
			SKIP(return, "no overlayfs in this kernel: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/prog", merged);
	usleep(KST_AGE_US);
	EXPECT_EQ(0, kst_run(path));
	EXPECT_EQ(0, kst_run(path));
	fd = open(lower, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)self->len, pwrite(fd, self->listed, self->len, 0));
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(EPERM, kst_run(path));
	umount2(merged, MNT_DETACH);
}

static void fan_allow(int fan, int fd)
{
	struct fanotify_response r = { .fd = fd, .response = FAN_ALLOW };

	if (write(fan, &r, sizeof(r)) != sizeof(r))
		return;
	close(fd);
}

/*
 * Answers fan's permission events, allowing all but the n-th of pid hold
 * (n > 0), whose descriptor it returns; -1 if none came within ms. With
 * n == 0 it answers everything until ms pass or child exits (status set).
 */
static int fan_serve(int fan, pid_t hold, int n, uint64_t ms, pid_t child, int *status)
{
	uint64_t end = kst_now_ms() + ms;
	char buf[4096] __attribute__((aligned(8)));
	int seen = 0;

	while (kst_now_ms() < end) {
		struct fanotify_event_metadata *m;
		struct pollfd pfd = { .fd = fan, .events = POLLIN };
		ssize_t len;

		if (child > 0 && waitpid(child, status, WNOHANG) == child)
			return 0;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		len = read(fan, buf, sizeof(buf));
		if (len <= 0)
			continue;
		for (m = (void *)buf; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			if (m->fd < 0)
				continue;
			if (n > 0 && m->pid == hold && ++seen == n)
				return m->fd;	/* later events in buf: none, it is stuck */
			fan_allow(fan, m->fd);
		}
	}
	return -1;
}

/*
 * A first exec whose hash does not finish must not hold up the next exec of
 * the same file for longer than the bound. A fanotify permission event on the
 * first task's read, left unanswered, stops its hash: its first read of the
 * file is prepare_binprm()'s, its second is kasblock's. The second task's
 * events are answered; it must run within the 5 s bound plus its own hash.
 * The file is on tmpfs, which kasblock reads through kernel_read() (kmod/hash.c):
 * from a page-cache filesystem it raises no event, and held would be -1.
 */
TEST_F_TIMEOUT(trust, waiter_for_a_stuck_hash_hashes_by_itself, 90)
{
	char path[PATH_MAX];
	int fan, held, status = 0, astatus;
	uint64_t t0, waited;
	pid_t a, b;

	snprintf(path, sizeof(path), "%s/stuck", self->dir);
	ASSERT_EQ(0, kst_write_file(path, self->prog, self->len, 0755));
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC, O_RDONLY | O_CLOEXEC);
	if (fan < 0)
		SKIP(return, "no fanotify permission events: %s", strerror(errno));
	ASSERT_EQ(0, fanotify_mark(fan, FAN_MARK_ADD, FAN_ACCESS_PERM, AT_FDCWD, path));

	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	held = fan_serve(fan, a, 2, 10000, 0, NULL);
	ASSERT_LE(0, held);

	t0 = kst_now_ms();
	b = fork();
	ASSERT_LE(0, b);
	if (b == 0) {
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	EXPECT_EQ(0, fan_serve(fan, 0, 0, 20000, b, &status));
	waited = kst_now_ms() - t0;
	/*
	 * Let the first task go: answer its read and every one after. Closing the
	 * group would not do: the children hold it until their exec closes it.
	 */
	fan_allow(fan, held);
	if (waited >= 20000)
		EXPECT_EQ(0, fan_serve(fan, 0, 0, 20000, b, &status));
	EXPECT_EQ(0, fan_serve(fan, 0, 0, 20000, a, &astatus));
	close(fan);
	EXPECT_TRUE(WIFEXITED(astatus) && WEXITSTATUS(astatus) == 0);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_GT(15000, waited) {
		TH_LOG("the second exec took %llu ms", (unsigned long long)waited);
	}
}

TEST_HARNESS_MAIN
