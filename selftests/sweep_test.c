// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: kasblockctl sweep finds what was already running when
 * its digest was listed (an executable, a dlopen()ed library, a deleted
 * executable) and, with --kill, stops exactly that and nothing else.
 *
 * The programs: kst-sleep (static, sleeps until killed), copied with a tag
 * appended so each test has digests of its own; kst-dlopen, which dlopen()s
 * a copy of libkst-sweep.so and sleeps. All are built by the Makefile.
 */

#define _GNU_SOURCE
#include <libgen.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"

#define OUT_MAX (256 * 1024)
#define MAX_CHILDREN 4

FIXTURE(sweep) {
	struct kst_nl nl;
	char dir[64];
	char *out, *err;
	pid_t children[MAX_CHILDREN];
	int n_children;
};

FIXTURE_SETUP(sweep)
{
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	self->out = malloc(OUT_MAX);
	self->err = malloc(OUT_MAX);
	ASSERT_NE(NULL, self->out);
	ASSERT_NE(NULL, self->err);
	self->n_children = 0;
}

FIXTURE_TEARDOWN(sweep)
{
	int i;

	for (i = 0; i < self->n_children; i++) {
		if (self->children[i] > 0) {
			kill(self->children[i], SIGKILL);
			waitpid(self->children[i], NULL, 0);
		}
	}
	free(self->out);
	free(self->err);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}



/*
 * Starts prog (with arg, if any) and returns its pid once it has exec'd, or
 * with ready_line, once it printed a line starting with "ok". -1 on failure.
 */
/*
 * Waits until pid sleeps (state S in /proc/PID/stat). The exec pipe closes at exec's point
 * of no return, before the ELF loader maps the program: listing it in that window gets the
 * mapping refused and the process killed, which is the module's job but not this test's.
 */
static bool wait_asleep(pid_t pid)
{
	char path[64], buf[512], *p;
	int i, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (i = 0; i < 1000; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return false;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return false;
		buf[n] = '\0';
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S')
			return true;
		if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
			return false;
		usleep(10000);
	}
	return false;
}

static pid_t start(FIXTURE_DATA(sweep) *self, const char *prog, const char *arg, bool ready_line)
{
	char buf[64];
	int fds[2];
	ssize_t n;
	pid_t pid;

	if (self->n_children == MAX_CHILDREN || pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *const argv[] = { (char *)prog, (char *)arg, NULL };
		char *const envp[] = { NULL };

		if (ready_line && dup2(fds[1], 1) < 0)
			_exit(126);
		execve(prog, argv, envp);
		_exit(127);
	}
	self->children[self->n_children++] = pid;
	close(fds[1]);
	/* EOF when the exec closed the pipe; or the program's own "ok". */
	do {
		n = read(fds[0], buf, sizeof(buf) - 1);
	} while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (ready_line && (n < 2 || strncmp(buf, "ok", 2)))
		return -1;
	/* Still running, not an exec failure that closed the pipe too. */
	if (waitpid(pid, NULL, WNOHANG) != 0)
		return -1;
	if (!ready_line && !wait_asleep(pid))
		return -1;
	return pid;
}

/* Forget a child the test has reaped. */
static void reaped(FIXTURE_DATA(sweep) *self, pid_t pid)
{
	int i;

	for (i = 0; i < self->n_children; i++)
		if (self->children[i] == pid)
			self->children[i] = 0;
}

/* Waits for pid and says whether SIGKILL ended it. */
static bool died_of_sigkill(FIXTURE_DATA(sweep) *self, pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return false;
	reaped(self, pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/* Still running (and not a zombie waiting for us)? */
static bool alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0 && kill(pid, 0) == 0;
}

/* Copies the line of out starting with "process pid=<pid> " into line; false if none. */
static bool process_line(const char *out, pid_t pid, char *line, size_t len)
{
	char prefix[48];
	const char *p = out, *nl;

	snprintf(prefix, sizeof(prefix), "process pid=%d ", (int)pid);
	for (; *p; p = *nl ? nl + 1 : nl) {
		nl = strchrnul(p, '\n');
		if (!strncmp(p, prefix, strlen(prefix))) {
			snprintf(line, len, "%.*s", (int)(nl - p), p);
			return true;
		}
	}
	return false;
}

static int sweep(FIXTURE_DATA(sweep) *self, const char *opt1, const char *opt2)
{
	const char *args[] = { "sweep", opt1, opt2, NULL };

	return kst_tool(args, self->out, OUT_MAX, self->err, OUT_MAX);
}

TEST_F(sweep, listed_binary_started_before_the_list_is_found)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char prog[PATH_MAX], hex[KST_HEX_LEN + 1], line[PATH_MAX * 2], want[PATH_MAX + 128];
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/daemon", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("kst-sleep", prog, "sweep:found", digest));
	pid = start(self, prog, NULL, false);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-sweep-daemon"));
	/* The list blocks the next exec; the running one is the sweep's business. */
	ASSERT_EQ(EPERM, kst_run(prog));

	ASSERT_EQ(10, sweep(self, NULL, NULL)) {
		TH_LOG("stdout: %s\nstderr: %s", self->out, self->err);
	}
	ASSERT_TRUE(process_line(self->out, pid, line, sizeof(line))) {
		TH_LOG("no line for pid %d in: %s", pid, self->out);
	}
	kst_hex(digest, hex);
	snprintf(want, sizeof(want), " match=exe path=\"%s\" sha256=%s label=\"kst-sweep-daemon\"",
		 prog, hex);
	ASSERT_NE(NULL, strstr(line, want)) {
		TH_LOG("line: %s\nwant: %s", line, want);
	}
	ASSERT_NE(NULL, strstr(line, " user=\"root\" comm=\"daemon\" "));
	ASSERT_EQ(NULL, strstr(line, "action="));
	ASSERT_NE(NULL, strstr(self->out, "\nsummary ")) {
		TH_LOG("stdout: %s", self->out);
	}
	/* Without --kill nothing is touched. */
	ASSERT_TRUE(alive(pid));
}

TEST_F(sweep, kill_stops_a_listed_binary_and_only_it)
{
	uint8_t listed[KASBLOCK_DIGEST_LEN], other[KASBLOCK_DIGEST_LEN];
	char a[PATH_MAX], b[PATH_MAX], line[PATH_MAX * 2];
	pid_t pa, pb;

	snprintf(a, sizeof(a), "%s/listed", self->dir);
	snprintf(b, sizeof(b), "%s/unlisted", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("kst-sleep", a, "sweep:kill:listed", listed));
	ASSERT_EQ(0, kst_copy_tagged("kst-sleep", b, "sweep:kill:unlisted", other));
	pa = start(self, a, NULL, false);
	pb = start(self, b, NULL, false);
	ASSERT_LT(0, pa);
	ASSERT_LT(0, pb);
	ASSERT_EQ(0, kst_add(&self->nl, listed, "kst-sweep-listed"));

	ASSERT_EQ(10, sweep(self, "--kill", NULL)) {
		TH_LOG("stdout: %s\nstderr: %s", self->out, self->err);
	}
	ASSERT_TRUE(process_line(self->out, pa, line, sizeof(line))) {
		TH_LOG("no line for pid %d in: %s", pa, self->out);
	}
	ASSERT_NE(NULL, strstr(line, " action=killed")) {
		TH_LOG("line: %s", line);
	}
	ASSERT_TRUE(died_of_sigkill(self, pa));
	/* The unlisted one is neither reported nor touched. */
	ASSERT_FALSE(process_line(self->out, pb, line, sizeof(line)));
	ASSERT_TRUE(alive(pb));
	ASSERT_NE(NULL, strstr(self->out, " stopped=1 not_stopped=0 ")) {
		TH_LOG("stdout: %s", self->out);
	}
}

TEST_F(sweep, process_that_dlopened_a_listed_library_is_found)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char lib[PATH_MAX], prog[PATH_MAX], hex[KST_HEX_LEN + 1], line[PATH_MAX * 2];
	char want[PATH_MAX + 128];
	pid_t pid;

	snprintf(lib, sizeof(lib), "%s/libkav.so", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("libkst-sweep.so", lib, "sweep:dlopen", digest));
	kst_sibling("kst-dlopen", prog);
	pid = start(self, prog, lib, true);
	ASSERT_LT(0, pid) {
		TH_LOG("kst-dlopen %s did not come up", lib);
	}
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-sweep-lib"));

	ASSERT_EQ(10, sweep(self, NULL, NULL)) {
		TH_LOG("stdout: %s\nstderr: %s", self->out, self->err);
	}
	ASSERT_TRUE(process_line(self->out, pid, line, sizeof(line))) {
		TH_LOG("no line for pid %d in: %s", pid, self->out);
	}
	kst_hex(digest, hex);
	/* The library's own mapping is named, not the program. */
	snprintf(want, sizeof(want), " path=\"%s\" sha256=%s label=\"kst-sweep-lib\"", lib, hex);
	ASSERT_NE(NULL, strstr(line, " match=mapping range=")) {
		TH_LOG("line: %s", line);
	}
	ASSERT_NE(NULL, strstr(line, want)) {
		TH_LOG("line: %s\nwant: %s", line, want);
	}

	ASSERT_EQ(10, sweep(self, "--kill", NULL));
	ASSERT_TRUE(died_of_sigkill(self, pid));
}

TEST_F(sweep, deleted_running_executable_is_found_and_killed)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char prog[PATH_MAX], line[PATH_MAX * 2], want[PATH_MAX + 64];
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/gone", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("kst-sleep", prog, "sweep:deleted", digest));
	pid = start(self, prog, NULL, false);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, unlink(prog));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-sweep-gone"));

	ASSERT_EQ(10, sweep(self, "--kill", NULL)) {
		TH_LOG("stdout: %s\nstderr: %s", self->out, self->err);
	}
	ASSERT_TRUE(process_line(self->out, pid, line, sizeof(line))) {
		TH_LOG("no line for pid %d in: %s", pid, self->out);
	}
	snprintf(want, sizeof(want), " match=exe path=\"%s\" ", prog);
	ASSERT_NE(NULL, strstr(line, want)) {
		TH_LOG("line: %s", line);
	}
	ASSERT_NE(NULL, strstr(line, " deleted=yes")) {
		TH_LOG("line: %s", line);
	}
	ASSERT_NE(NULL, strstr(line, " action=killed"));
	ASSERT_TRUE(died_of_sigkill(self, pid));
}

TEST_F(sweep, nothing_listed_running_exits_0)
{
	char prog[PATH_MAX];
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/clean", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("kst-sleep", prog, "sweep:clean", digest));
	pid = start(self, prog, NULL, false);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kst_add_unrelated(&self->nl));

	ASSERT_EQ(0, sweep(self, "--kill", NULL)) {
		TH_LOG("stdout: %s\nstderr: %s", self->out, self->err);
	}
	ASSERT_EQ(NULL, strstr(self->out, "process ")) {
		TH_LOG("stdout: %s", self->out);
	}
	ASSERT_NE(NULL, strstr(self->out, " found_processes=0 "));
	ASSERT_TRUE(alive(pid));
}

TEST_F(sweep, json_report_names_the_process_and_the_counts)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char prog[PATH_MAX], hex[KST_HEX_LEN + 1], want[PATH_MAX + 160];
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/json", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("kst-sleep", prog, "sweep:json", digest));
	pid = start(self, prog, NULL, false);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-sweep-json"));

	ASSERT_EQ(10, sweep(self, "--json", NULL)) {
		TH_LOG("stdout: %s\nstderr: %s", self->out, self->err);
	}
	kst_hex(digest, hex);
	snprintf(want, sizeof(want), "{\"pid\":%d,\"comm\":\"json\",\"uid\":0,\"user\":\"root\","
		 "\"exe\":\"%s\",", (int)pid, prog);
	ASSERT_NE(NULL, strstr(self->out, want)) {
		TH_LOG("stdout: %s\nwant: %s", self->out, want);
	}
	snprintf(want, sizeof(want), "\"sha256\":\"%s\",\"label\":\"kst-sweep-json\"}]", hex);
	ASSERT_NE(NULL, strstr(self->out, want));
	ASSERT_EQ(0, strncmp(self->out, "{\"schema\":\"kasblock-sweep/1\",\"generation\":",
			     strlen("{\"schema\":\"kasblock-sweep/1\",\"generation\":")));
	ASSERT_NE(NULL, strstr(self->out, "\"skipped\":{\"kernel_threads\":"));
	/* One object on one line. */
	ASSERT_EQ(self->out + strlen(self->out) - 1, strchr(self->out, '\n'));
	ASSERT_TRUE(alive(pid));
}

/*
 * What an exec hashed, the sweep takes from the module's digest cache instead of
 * reading the file again (KASBLOCK_CMD_GET_FILE_DIGEST); the summary says how many.
 */
TEST_F(sweep, digests_the_module_knows_are_taken_from_its_cache)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN], known[KASBLOCK_DIGEST_LEN];
	char prog[PATH_MAX];
	const char *p;
	long cached;
	pid_t pid;
	int fd;

	snprintf(prog, sizeof(prog), "%s/cached", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("kst-sleep", prog, "sweep:cached", digest));
	/* Hashed at exec only with something listed; cached only once a second old. */
	ASSERT_EQ(0, kst_add_unrelated(&self->nl));
	usleep(KST_AGE_US);
	pid = start(self, prog, NULL, false);
	ASSERT_LT(0, pid);
	fd = open(prog, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, kst_nl_file_digest(&self->nl, fd, known));
	close(fd);
	ASSERT_EQ(0, memcmp(known, digest, sizeof(known)));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-sweep-cached"));

	ASSERT_EQ(10, sweep(self, "--json", NULL)) {
		TH_LOG("stdout: %s\nstderr: %s", self->out, self->err);
	}
	ASSERT_NE(NULL, strstr(self->out, "\"label\":\"kst-sweep-cached\""));
	p = strstr(self->out, "\"files_cached\":");
	ASSERT_NE(NULL, p) {
		TH_LOG("stdout: %s", self->out);
	}
	cached = strtol(p + strlen("\"files_cached\":"), NULL, 10);
	/* At least the program; in practice also busybox, the tests and their libraries. */
	ASSERT_LE(1, cached) {
		TH_LOG("stdout: %s", self->out);
	}

	ASSERT_EQ(10, sweep(self, NULL, NULL));
	ASSERT_NE(NULL, strstr(self->out, " files_cached="));
	ASSERT_TRUE(alive(pid));
}

/* Monitor mode lets listed code run: --kill then reports, says why, and kills nothing. */
TEST_F(sweep, kill_in_monitor_mode_reports_and_kills_nothing)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char prog[PATH_MAX], line[PATH_MAX * 2];
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/monitored", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("kst-sleep", prog, "sweep:monitor", digest));
	pid = start(self, prog, NULL, false);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-sweep-monitor"));
	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_MONITOR));

	ASSERT_EQ(10, sweep(self, "--kill", NULL)) {
		TH_LOG("stdout: %s\nstderr: %s", self->out, self->err);
	}
	ASSERT_NE(NULL, strstr(self->err, "monitor mode")) {
		TH_LOG("stderr: %s", self->err);
	}
	ASSERT_TRUE(process_line(self->out, pid, line, sizeof(line))) {
		TH_LOG("no line for pid %d in: %s", pid, self->out);
	}
	ASSERT_EQ(NULL, strstr(line, "action=")) {
		TH_LOG("line: %s", line);
	}
	usleep(100000);
	ASSERT_TRUE(alive(pid));
}

TEST_F(sweep, load_with_sweep_kill_stops_what_the_new_list_names)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char prog[PATH_MAX], list[PATH_MAX], hex[KST_HEX_LEN + 1], text[KST_HEX_LEN + 32];
	const char *load[] = { "load", "--sweep=kill", list, NULL };
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/loaded", self->dir);
	snprintf(list, sizeof(list), "%s/list", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("kst-sleep", prog, "sweep:load", digest));
	pid = start(self, prog, NULL, false);
	ASSERT_LT(0, pid);
	kst_hex(digest, hex);
	snprintf(text, sizeof(text), "%s  kst-sweep-load\n", hex);
	ASSERT_EQ(0, kst_write_file(list, text, strlen(text), 0644));

	ASSERT_EQ(10, kst_tool(load, self->out, OUT_MAX, self->err, OUT_MAX)) {
		TH_LOG("stdout: %s\nstderr: %s", self->out, self->err);
	}
	ASSERT_NE(NULL, strstr(self->out, "label=\"kst-sweep-load\" action=killed")) {
		TH_LOG("stdout: %s", self->out);
	}
	ASSERT_TRUE(died_of_sigkill(self, pid));
	/* And the list was loaded. */
	ASSERT_EQ(EPERM, kst_run(prog));
}

TEST_HARNESS_MAIN
