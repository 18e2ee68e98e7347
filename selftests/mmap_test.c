// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: executable file mappings (what ld.so and dlopen() do)
 * and module loading, the other ways code gets into a process or the kernel.
 */

#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/syscall.h>

#include "common.h"

FIXTURE(mapping) {
	struct kst_nl nl;
	char dir[64];
	char listed[PATH_MAX], unlisted[PATH_MAX];
	int listed_fd, unlisted_fd;
};

FIXTURE_SETUP(mapping)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];

	self->listed_fd = self->unlisted_fd = -1;
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->listed, sizeof(self->listed), "%s/listed", self->dir);
	snprintf(self->unlisted, sizeof(self->unlisted), "%s/unlisted", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->listed, "mmap:listed", 0, digest));
	ASSERT_EQ(0, kst_make_prog(self->unlisted, "mmap:unlisted", 0, NULL));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-mapped"));
	self->listed_fd = open(self->listed, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->listed_fd);
	self->unlisted_fd = open(self->unlisted, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->unlisted_fd);
}

FIXTURE_TEARDOWN(mapping)
{
	if (self->listed_fd >= 0)
		close(self->listed_fd);
	if (self->unlisted_fd >= 0)
		close(self->unlisted_fd);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F(mapping, exec_mapping_of_a_listed_file_is_denied)
{
	ASSERT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE,
				   self->listed_fd, 0));
	ASSERT_EQ(EPERM, errno);
}

TEST_F(mapping, read_mapping_of_a_listed_file_is_allowed)
{
	void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, self->listed_fd, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, 4096));
}

TEST_F(mapping, exec_mapping_of_an_unlisted_file_is_allowed)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE,
		       self->unlisted_fd, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, 4096));
}

TEST_F(mapping, mprotect_to_exec_of_a_listed_file_is_denied)
{
	void *p;

	/*
	 * mprotect() may not read the file (it holds the mmap lock): it decides
	 * from what is known. A denied exec has just hashed this file.
	 */
	ASSERT_EQ(EPERM, kst_run(self->listed));
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, self->listed_fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(-1, mprotect(p, 4096, PROT_READ | PROT_EXEC));
	ASSERT_EQ(EPERM, errno);
	ASSERT_EQ(0, munmap(p, 4096));
}

TEST_F(mapping, exec_mapping_of_a_listed_file_is_allowed_in_monitor_mode)
{
	void *p;

	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_MONITOR));
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, self->listed_fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, 4096));
}

/*
 * Module loading is checked on the bytes before the loader parses them, so
 * bytes that are no module at all tell the two apart: a listed blob is
 * refused with EPERM, an unlisted one reaches the ELF checks (ENOEXEC).
 */
FIXTURE(module_load) {
	struct kst_nl nl;
	char dir[64];
	char file[PATH_MAX];
	char blob[8192];
	uint8_t digest[KASBLOCK_DIGEST_LEN];
};

FIXTURE_SETUP(module_load)
{
	size_t i;

	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_add_unrelated(&self->nl));
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->blob, sizeof(self->blob), "kst: not a module, pid %d\n", getpid());
	for (i = strlen(self->blob); i < sizeof(self->blob); i++)
		self->blob[i] = i * 7;
	kst_sha256(self->blob, sizeof(self->blob), self->digest);
	snprintf(self->file, sizeof(self->file), "%s/blob.ko", self->dir);
	ASSERT_EQ(0, kst_write_file(self->file, self->blob, sizeof(self->blob), 0644));
}

FIXTURE_TEARDOWN(module_load)
{
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F(module_load, init_module_of_unlisted_bytes_reaches_the_loader)
{
	ASSERT_EQ(-1, syscall(SYS_init_module, self->blob, sizeof(self->blob), ""));
	ASSERT_EQ(ENOEXEC, errno);
}

TEST_F(module_load, init_module_of_listed_bytes_is_denied)
{
	ASSERT_EQ(0, kst_add(&self->nl, self->digest, "kst-module"));
	ASSERT_EQ(-1, syscall(SYS_init_module, self->blob, sizeof(self->blob), ""));
	ASSERT_EQ(EPERM, errno);
}

TEST_F(module_load, finit_module_of_an_unlisted_file_reaches_the_loader)
{
	int fd = open(self->file, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(-1, syscall(SYS_finit_module, fd, "", 0));
	ASSERT_EQ(ENOEXEC, errno);
	close(fd);
}

TEST_F(module_load, finit_module_of_a_listed_file_is_denied)
{
	int fd = open(self->file, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kst_add(&self->nl, self->digest, "kst-module"));
	ASSERT_EQ(-1, syscall(SYS_finit_module, fd, "", 0));
	ASSERT_EQ(EPERM, errno);
	close(fd);
}

TEST_HARNESS_MAIN
