// SPDX-License-Identifier: GPL-2.0
/*
 * The ways to run a file other than exec'ing it: through the dynamic loader
 * (ld.so ./prog), dlopen() of a library, and files reached through a bind
 * mount or an overlay. Each has its negative twin: an unlisted file of the
 * same kind still works. Denials through the loader are mmap denials: the log
 * line must say op=mmap.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define LDSO "/lib64/ld-linux-x86-64.so.2"

FIXTURE(paths) {
	struct kst_nl nl;
	char dir[64];
};

FIXTURE_SETUP(paths)
{
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
}

FIXTURE_TEARDOWN(paths)
{
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}



/*
 * Runs argv; true if it printed "ok" (kst-dlopen's sign that the library's
 * code ran), after which it is killed. The child's stderr is discarded.
 */
static bool prints_ok(char *const argv[])
{
	char buf[16] = "";
	int fds[2], devnull;
	pid_t pid;
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC))
		return false;
	pid = fork();
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(fds[1], 1);
		if (devnull >= 0)
			dup2(devnull, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	do {
		n = read(fds[0], buf, sizeof(buf) - 1);
	} while (n < 0 && errno == EINTR);
	close(fds[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return n >= 2 && !strncmp(buf, "ok", 2);
}

static bool logged_mmap_denial(const char *path)
{
	char want[PATH_MAX + 16], line[4096];
	const char *needles[] = { "action=deny", "op=mmap", want, NULL };

	snprintf(want, sizeof(want), "path=\"%s\"", path);
	return kst_klog_find(needles, line, sizeof(line)) == 0;
}

TEST_F(paths, ldso_runs_an_unlisted_program)
{
	char prog[PATH_MAX], lib[PATH_MAX];

	snprintf(prog, sizeof(prog), "%s/prog", self->dir);
	kst_sibling("libkst-sweep.so", lib);
	ASSERT_EQ(0, kst_copy_tagged("kst-dlopen", prog, "paths:ldso:unlisted", NULL));
	char *const argv[] = { LDSO, prog, lib, NULL };

	ASSERT_TRUE(prints_ok(argv));
}

TEST_F(paths, ldso_of_a_listed_program_is_denied)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char prog[PATH_MAX], lib[PATH_MAX];

	snprintf(prog, sizeof(prog), "%s/listed-via-ldso", self->dir);
	kst_sibling("libkst-sweep.so", lib);
	ASSERT_EQ(0, kst_copy_tagged("kst-dlopen", prog, "paths:ldso:listed", digest));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-ldso"));
	/* The direct exec is refused at bprm_check ... */
	ASSERT_EQ(EPERM, kst_run(prog));
	/* ... and ld.so mapping it is refused at mmap. */
	char *const argv[] = { LDSO, prog, lib, NULL };

	ASSERT_FALSE(prints_ok(argv));
	ASSERT_TRUE(logged_mmap_denial(prog));
}

TEST_F(paths, dlopen_of_an_unlisted_library_works)
{
	char prog[PATH_MAX], lib[PATH_MAX];

	kst_sibling("kst-dlopen", prog);
	snprintf(lib, sizeof(lib), "%s/libunlisted.so", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("libkst-sweep.so", lib, "paths:dlopen:unlisted", NULL));
	char *const argv[] = { prog, lib, NULL };

	ASSERT_TRUE(prints_ok(argv));
}

TEST_F(paths, dlopen_of_a_listed_library_is_denied)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char prog[PATH_MAX], lib[PATH_MAX];

	kst_sibling("kst-dlopen", prog);
	snprintf(lib, sizeof(lib), "%s/liblisted.so", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("libkst-sweep.so", lib, "paths:dlopen:listed", digest));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-lib"));
	char *const argv[] = { prog, lib, NULL };

	ASSERT_FALSE(prints_ok(argv));
	ASSERT_TRUE(logged_mmap_denial(lib));
}

TEST_F(paths, listed_file_through_a_bind_mount_is_denied)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char src[256], dst[256], listed[PATH_MAX], other[PATH_MAX];

	snprintf(src, sizeof(src), "%s/src", self->dir);
	snprintf(dst, sizeof(dst), "%s/dst", self->dir);
	ASSERT_EQ(0, mkdir(src, 0755));
	ASSERT_EQ(0, mkdir(dst, 0755));
	snprintf(listed, sizeof(listed), "%s/listed", src);
	snprintf(other, sizeof(other), "%s/other", src);
	ASSERT_EQ(0, kst_make_prog(listed, "paths:bind:listed", 0, digest));
	ASSERT_EQ(0, kst_make_prog(other, "paths:bind:other", 0, NULL));
	ASSERT_EQ(0, mount(src, dst, NULL, MS_BIND, NULL));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-bind"));
	snprintf(listed, sizeof(listed), "%s/listed", dst);
	snprintf(other, sizeof(other), "%s/other", dst);
	EXPECT_EQ(EPERM, kst_run(listed));
	EXPECT_EQ(0, kst_run(other));
	umount2(dst, MNT_DETACH);
}

TEST_F(paths, listed_file_through_an_overlay_is_denied)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char lower[256], upper[256], work[256], merged[256];
	char opts[4 * PATH_MAX], path[PATH_MAX];

	snprintf(lower, sizeof(lower), "%s/lower", self->dir);
	snprintf(upper, sizeof(upper), "%s/upper", self->dir);
	snprintf(work, sizeof(work), "%s/work", self->dir);
	snprintf(merged, sizeof(merged), "%s/merged", self->dir);
	ASSERT_EQ(0, mkdir(lower, 0755));
	ASSERT_EQ(0, mkdir(upper, 0755));
	ASSERT_EQ(0, mkdir(work, 0755));
	ASSERT_EQ(0, mkdir(merged, 0755));
	snprintf(path, sizeof(path), "%s/listed", lower);
	ASSERT_EQ(0, kst_make_prog(path, "paths:overlay:listed", 0, digest));
	snprintf(path, sizeof(path), "%s/other", lower);
	ASSERT_EQ(0, kst_make_prog(path, "paths:overlay:other", 0, NULL));
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
	if (mount("overlay", merged, "overlay", 0, opts)) {
		/* overlay is a module on Debian's kernels: load it if the VM carries it. */
		if (system("modprobe overlay >/dev/null 2>&1") ||
		    mount("overlay", merged, "overlay", 0, opts))
			SKIP(return, "no overlayfs in this kernel: %s", strerror(errno));
	}
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-overlay"));
	snprintf(path, sizeof(path), "%s/listed", merged);
	EXPECT_EQ(EPERM, kst_run(path));
	snprintf(path, sizeof(path), "%s/other", merged);
	EXPECT_EQ(0, kst_run(path));
	umount2(merged, MNT_DETACH);
}

TEST_HARNESS_MAIN
