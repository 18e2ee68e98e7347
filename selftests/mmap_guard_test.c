// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: the mmap hook looks only at what the kernel would map.
 *
 * security_mmap_file() runs before do_mmap() checks the file, so the hook sees
 * write-only descriptors, pipes, sockets, devices and files on noexec mounts.
 * The module must leave all of them to the kernel: the kernel's own errno (or
 * success), at once, with no read, no log line, no denial or error counted and
 * no warning.
 */

#define _GNU_SOURCE
#include <grp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"

/* A read the hook must not do would block for good: a child with an alarm. */
#define GUARD_ALARM_S 3
#define GUARD_PROMPT_MS 1500

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * mmap(PROT_READ | PROT_EXEC, MAP_PRIVATE) of fd in a child that an alarm
 * interrupts: 0 when mapped, the errno of the refusal, or -1 if the child did
 * not report. *ms receives how long the call took.
 */
static int map_exec_fd(int fd, uint64_t *ms)
{
	struct { int err; uint64_t ms; } *res;
	int status, err = -1;
	pid_t pid;

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return -1;
	res->err = -1;
	res->ms = 0;
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
		uint64_t t0;
		void *p;

		sigaction(SIGALRM, &sa, NULL);
		alarm(GUARD_ALARM_S);
		t0 = kst_now_ms();
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		res->ms = kst_now_ms() - t0;
		res->err = p == MAP_FAILED ? errno : 0;
		_exit(0);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		err = res->err;
	*ms = res->ms;
	munmap(res, sizeof(*res));
	return err;
}

FIXTURE(guard) {
	struct kst_nl nl;
	char dir[64];
	char listed[PATH_MAX];
	int kmsg;
	struct kst_status before;
};

FIXTURE_SETUP(guard)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];

	self->kmsg = -1;
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->listed, sizeof(self->listed), "%s/listed", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->listed, "guard:listed", 0, digest));
	/* Listed: the module would hash, log and count whatever it looked at. */
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-guard"));
	self->kmsg = kst_kmsg_open();
	ASSERT_LE(0, self->kmsg);
	ASSERT_EQ(0, kst_nl_status(&self->nl, &self->before));
}

FIXTURE_TEARDOWN(guard)
{
	if (self->kmsg >= 0)
		close(self->kmsg);
	kst_restore(&self->nl);
	umount2(self->dir, MNT_DETACH);
	kst_rmtree(self->dir);
}

/*
 * Nothing was hashed, denied or failed, and the kernel did not complain. The
 * checks counter is not compared: it counts every exec in the VM, and a
 * process another test program left behind moved it once during a full run
 * on 6.1 (all of those were cache hits: bytes_hashed did not move).
 */
static void assert_untouched(struct __test_metadata *const _metadata,
			     FIXTURE_DATA(guard) *self)
{
	struct kst_status after;
	char line[512];

	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	EXPECT_EQ(self->before.bytes_hashed, after.bytes_hashed);
	EXPECT_EQ(self->before.denials, after.denials);
	EXPECT_EQ(self->before.errors, after.errors);
	usleep(50000);
	EXPECT_EQ(0, kst_kmsg_check(self->kmsg, line, sizeof(line), NULL)) {
		TH_LOG("kernel: %s", line);
	}
}

/* The reproducer printed "WARNING ... at fs/read_write.c __kernel_read". */
TEST_F(guard, write_only_descriptor_gets_the_kernels_eacces)
{
	uint64_t ms;
	int fd;

	fd = open(self->listed, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EACCES, map_exec_fd(fd, &ms));
	close(fd);
	assert_untouched(_metadata, self);
}

/* The same as an unprivileged user, who owns the file it maps. */
TEST_F(guard, write_only_descriptor_as_nobody_gets_the_kernels_eacces)
{
	int status, fd;
	pid_t pid;

	ASSERT_EQ(0, chown(self->listed, 65534, 65534));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t ms;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100);
		fd = open(self->listed, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			_exit(101);
		_exit(map_exec_fd(fd, &ms) == EACCES ? 0 : 102);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	assert_untouched(_metadata, self);
}

/*
 * What the kernel answers an executable mapping of a pipe or socket: ENODEV from
 * do_mmap() (no ->mmap) up to 6.12; 7.2 refuses it earlier with EPERM, the pseudo
 * filesystems being SB_I_NOEXEC. Either is the kernel's, not kasblock's:
 * assert_untouched() checks that kasblock counted and logged nothing.
 */
static bool kernel_refusal(int err)
{
	return err == ENODEV || err == EPERM;
}

/* A read of an empty pipe blocks: the task stuck in the hook. */
TEST_F(guard, pipe_read_end_is_refused_at_once)
{
	uint64_t ms;
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	EXPECT_TRUE(kernel_refusal(map_exec_fd(p[0], &ms)));
	EXPECT_GT(GUARD_PROMPT_MS, ms);
	close(p[0]);
	close(p[1]);
	assert_untouched(_metadata, self);
}

TEST_F(guard, fifo_is_refused_at_once)
{
	char path[PATH_MAX];
	uint64_t ms;
	int fd;

	snprintf(path, sizeof(path), "%s/fifo", self->dir);
	ASSERT_EQ(0, mkfifo(path, 0600));
	fd = open(path, O_RDWR | O_CLOEXEC);	/* a reader and a writer: no data */
	ASSERT_LE(0, fd);
	EXPECT_TRUE(kernel_refusal(map_exec_fd(fd, &ms)));
	EXPECT_GT(GUARD_PROMPT_MS, ms);
	close(fd);
	assert_untouched(_metadata, self);
}

TEST_F(guard, socket_is_refused_at_once)
{
	uint64_t ms;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	EXPECT_TRUE(kernel_refusal(map_exec_fd(sv[0], &ms)));
	EXPECT_GT(GUARD_PROMPT_MS, ms);
	close(sv[0]);
	close(sv[1]);
	assert_untouched(_metadata, self);
}

/* /dev/zero maps (privately, as anonymous memory) and would read forever. */
TEST_F(guard, dev_zero_maps_at_once_unhashed)
{
	uint64_t ms;
	int fd;

	fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, map_exec_fd(fd, &ms));
	EXPECT_GT(GUARD_PROMPT_MS, ms);
	close(fd);
	assert_untouched(_metadata, self);
}

/* A listed file on a noexec mount: the kernel's EPERM, not kasblock's. */
TEST_F(guard, noexec_mount_gets_the_kernels_eperm_unlogged)
{
	char mnt[256], path[PATH_MAX], line[512];
	const char *needles[] = { "kasblock", "/guard-noexec", NULL };
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	uint64_t ms;
	int fd;

	snprintf(mnt, sizeof(mnt), "%s/noexec", self->dir);
	ASSERT_EQ(0, mkdir(mnt, 0755));
	ASSERT_EQ(0, mount("kst-noexec", mnt, "tmpfs", MS_NOEXEC, "mode=755"));
	snprintf(path, sizeof(path), "%s/guard-noexec", mnt);
	ASSERT_EQ(0, kst_make_prog(path, "guard:noexec", 0, digest));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-guard-noexec"));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &self->before));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EPERM, map_exec_fd(fd, &ms));
	close(fd);
	assert_untouched(_metadata, self);
	EXPECT_EQ(EACCES, kst_run(path));
	assert_untouched(_metadata, self);
	EXPECT_EQ(-ENOENT, kst_klog_find(needles, line, sizeof(line))) {
		TH_LOG("logged: %s", line);
	}
	umount2(mnt, MNT_DETACH);
}

TEST_HARNESS_MAIN
