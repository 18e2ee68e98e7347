// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: kasblock's own allocations failing.
 *
 * Fault injection (failslab) is confined to allocations whose call stack passes
 * through kasblock.ko's text (the stacktrace filter), so the rest of the kernel
 * never sees a failure. Most tests use /proc/thread-self/fail-nth, which fails
 * exactly the n-th such allocation of one thread: running an operation for
 * n = 1, 2, ... until it no longer reaches the n-th allocation fails every
 * allocation it makes once, in turn (the way syzkaller does it).
 *
 * Needs CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS and
 * CONFIG_FAULT_INJECTION_STACKTRACE_FILTER, which the debug kernel of
 * `make check-debug` has and Debian's kernels do not: every test skips there.
 * The kmemleak check needs CONFIG_DEBUG_KMEMLEAK.
 *
 * The injected failures are silent (verbose=0) and all of kasblock's failing
 * allocations are small: a large kvmalloc() would fall back to vmalloc(), whose
 * failure prints a warning with a stack trace that fails the run.
 */

#define _GNU_SOURCE
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"

#define DEBUGFS "/sys/kernel/debug"
#define FAILSLAB DEBUGFS "/failslab"
#define FAIL_PAGE_ALLOC DEBUGFS "/fail_page_alloc"
#define KMEMLEAK DEBUGFS "/kmemleak"

/* Enough for every allocation one command makes, with room to spare. */
#define MAX_NTH 400

/* A table of 2^10 buckets grows past 2048 entries: make the tested add cross that. */
#define PREFILL 2045
#define NR_ADD 4

static const char *const knob_names[] = {
	"probability", "interval", "times", "space", "verbose", "task-filter",
	"ignore-gfp-wait", "stacktrace-depth", "require-start", "require-end",
	"reject-start", "reject-end",
};
#define NR_KNOBS (sizeof(knob_names) / sizeof(knob_names[0]))

struct knobs {
	const char *dir;
	bool present;
	char saved[NR_KNOBS][64];
};

static int knob_write(const char *dir, const char *name, const char *val)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int knob_read(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int knobs_save(struct knobs *k, const char *dir)
{
	size_t i;
	int ret;

	k->dir = dir;
	k->present = false;
	for (i = 0; i < NR_KNOBS; i++) {
		ret = knob_read(dir, knob_names[i], k->saved[i], sizeof(k->saved[i]));
		if (ret)
			return ret;
	}
	k->present = true;
	return 0;
}

static void knobs_restore(struct knobs *k)
{
	size_t i;

	if (!k->present)
		return;
	/* Off first, so that no half-restored setting fails anything. */
	knob_write(k->dir, "probability", "0");
	for (i = 0; i < NR_KNOBS; i++)
		knob_write(k->dir, knob_names[i], k->saved[i]);
}

/*
 * Fail only what kasblock's own code allocates, silently, and only when asked:
 * probability 0 leaves fail-nth, which ignores it, as the only trigger.
 */
static int knobs_confine(const char *dir, unsigned long start, unsigned long end)
{
	char buf[32];
	int ret;

	ret = knob_write(dir, "probability", "0");
	ret = ret ?: knob_write(dir, "verbose", "0");
	ret = ret ?: knob_write(dir, "task-filter", "Y");
	ret = ret ?: knob_write(dir, "ignore-gfp-wait", "N");
	ret = ret ?: knob_write(dir, "interval", "1");
	ret = ret ?: knob_write(dir, "space", "0");
	ret = ret ?: knob_write(dir, "stacktrace-depth", "32");
	ret = ret ?: knob_write(dir, "reject-start", "0");
	ret = ret ?: knob_write(dir, "reject-end", "0");
	snprintf(buf, sizeof(buf), "0x%lx", start);
	ret = ret ?: knob_write(dir, "require-start", buf);
	snprintf(buf, sizeof(buf), "0x%lx", end);
	ret = ret ?: knob_write(dir, "require-end", buf);
	return ret;
}

/*
 * kasblock.ko's text, from its symbols in /proc/kallsyms. The last function has
 * no symbol after it: one page past its start covers it, and the vmalloc guard
 * page after the module's text keeps other modules out of that range.
 */
static int module_text_range(unsigned long *start, unsigned long *end)
{
	unsigned long addr, lo = ULONG_MAX, hi = 0;
	char line[512], name[256], mod[64], type;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx %c %255s [%63[^]]]", &addr, &type, name, mod) != 4)
			continue;
		if (strcmp(mod, "kasblock") || (type != 't' && type != 'T'))
			continue;
		if (addr < lo)
			lo = addr;
		if (addr > hi)
			hi = addr;
	}
	fclose(f);
	if (!hi)
		return -ENOENT;
	if (!lo)
		return -EPERM;	/* kptr_restrict hides the addresses */
	*start = lo;
	*end = hi + 4096;
	return 0;
}

/* Arms the n-th fault-injection point of the calling thread; 0 disarms. */
static int fail_nth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* Points still to pass before the armed one: 0 once the failure was injected. */
static long fail_nth_left(int fd)
{
	char buf[16];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static int make_it_fail(int on)
{
	return knob_write("/proc/self", "make-it-fail", on ? "1" : "0");
}

/* Adds n fake entries from seed on, unlabelled, as many per message as fit. */
static int prefill(struct kst_nl *nl, uint32_t seed, size_t n)
{
	size_t per = kst_nl_entries_fit(false), i, done, chunk;
	struct kst_entry *e;
	int ret = 0;

	if (per > KASBLOCK_BATCH_MAX)
		per = KASBLOCK_BATCH_MAX;
	e = calloc(n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		kst_fake_entry(&e[i], seed + i, NULL);
	for (done = 0; !ret && done < n; done += chunk) {
		chunk = n - done < per ? n - done : per;
		ret = kst_nl_cmd(nl, KASBLOCK_CMD_ADD, e + done, chunk);
	}
	free(e);
	return ret;
}

FIXTURE(fault) {
	struct kst_nl nl;
	struct knobs slab, page;
	char dir[64];
	int nth;	/* /proc/thread-self/fail-nth */
};

FIXTURE_SETUP(fault)
{
	unsigned long start, end;
	int ret;

	self->nth = -1;
	self->dir[0] = '\0';
	kst_baseline(_metadata, &self->nl);
	if (access(FAILSLAB, F_OK))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	if (access(FAILSLAB "/require-start", F_OK) ||
	    access("/proc/thread-self/fail-nth", F_OK))
		SKIP(return, "no failslab with a stacktrace filter (the debug kernel of make check-debug has it)");
	ret = module_text_range(&start, &end);
	ASSERT_EQ(0, ret) {
		TH_LOG("kasblock's text range from /proc/kallsyms: %s", strerror(-ret));
	}
	ASSERT_EQ(0, knobs_save(&self->slab, FAILSLAB));
	ASSERT_EQ(0, knobs_confine(FAILSLAB, start, end));
	/* Page allocations count for fail-nth too: confine them the same way. */
	if (!knobs_save(&self->page, FAIL_PAGE_ALLOC))
		ASSERT_EQ(0, knobs_confine(FAIL_PAGE_ALLOC, start, end));
	self->nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
}

FIXTURE_TEARDOWN(fault)
{
	if (self->nth >= 0) {
		fail_nth_arm(self->nth, 0);
		close(self->nth);
	}
	make_it_fail(0);
	knobs_restore(&self->slab);
	knobs_restore(&self->page);
	kst_restore(&self->nl);
	if (self->dir[0])
		kst_rmtree(self->dir);
}

TEST_F(fault, tool_add_reports_enomem_and_changes_nothing)
{
	struct kst_snapshot before, after;
	char hex[KST_HEX_LEN + 1], out[4096], err[4096], left[32];
	const char *add[] = { "add", "--label", "kst-fault", hex, NULL };
	const char *tool = getenv("KASBLOCKCTL") ?: KST_TOOL_DEFAULT;
	struct kst_entry e;
	int ret;

	if (access(tool, X_OK))
		SKIP(return, "no kasblockctl at %s", tool);
	/* A listed entry, so that the tool's own exec goes through the hooks too. */
	ASSERT_EQ(0, kst_add_unrelated(&self->nl));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &before));
	kst_fake_entry(&e, 0xfa17, NULL);
	kst_hex(e.digest, hex);

	/* Every kasblock allocation of this task and its children fails. */
	ASSERT_EQ(0, knob_write(FAILSLAB, "times", "1000"));
	ASSERT_EQ(0, knob_write(FAILSLAB, "probability", "100"));
	ASSERT_EQ(0, make_it_fail(1));
	ret = kst_tool(add, out, sizeof(out), err, sizeof(err));
	ASSERT_EQ(0, make_it_fail(0));
	ASSERT_EQ(0, knob_write(FAILSLAB, "probability", "0"));

	ASSERT_EQ(0, knob_read(FAILSLAB, "times", left, sizeof(left)));
	ASSERT_GT(1000, atoi(left)) {
		TH_LOG("no allocation was failed: is the stacktrace filter right?");
	}
	ASSERT_EQ(1, ret) {
		TH_LOG("kasblockctl add exited %d; stderr: %s", ret, err);
	}
	ASSERT_EQ(0, strncmp(err, "kasblockctl: ", 13)) {
		TH_LOG("stderr: %s", err);
	}
	ASSERT_NE(NULL, strstr(err, "out of memory")) {
		TH_LOG("stderr: %s", err);
	}
	ASSERT_NE(NULL, strstr(err, strerror(ENOMEM))) {
		TH_LOG("stderr: %s", err);
	}
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&before, &after));
}

/*
 * The result of one netlink command with its n-th allocation failing: success
 * (a failure the module absorbs, e.g. of kmemleak's own bookkeeping) or ENOMEM
 * with its extack message. Returns how many points were left (0: injected).
 */
static long nl_cmd_nth(struct __test_metadata *const _metadata, int nth,
		       unsigned int n, struct kst_nl *nl, uint8_t cmd,
		       const struct kst_entry *e, size_t nr, int *ret)
{
	long left;

	ASSERT_EQ(0, fail_nth_arm(nth, n));
	*ret = kst_nl_cmd(nl, cmd, e, nr);
	left = fail_nth_left(nth);
	ASSERT_EQ(0, fail_nth_arm(nth, 0));
	ASSERT_LE(0, left);
	if (left > 0)
		ASSERT_EQ(0, *ret) {
			TH_LOG("command %u failed without an injected failure: %s (%s)",
			       cmd, strerror(-*ret), nl->extack);
		}
	ASSERT_TRUE(*ret == 0 || *ret == -ENOMEM) {
		TH_LOG("allocation %u failing made command %u fail with %s (%s)",
		       n, cmd, strerror(-*ret), nl->extack);
	}
	if (*ret == -ENOMEM)
		ASSERT_STREQ("out of memory", nl->extack);
	return left;
}

TEST_F_TIMEOUT(fault, add_is_all_or_nothing_whichever_allocation_fails, 600)
{
	struct kst_snapshot before, after;
	struct kst_entry add[NR_ADD];
	unsigned int n, failed = 0;
	long left = 0;
	int i, ret;

	/* The add makes the table grow: that allocation is failed too. */
	ASSERT_EQ(0, prefill(&self->nl, 0x100000, PREFILL));
	for (i = 0; i < NR_ADD; i++)
		kst_fake_entry(&add[i], 0x200000 + i, "kst-fault-add");
	for (n = 1; n < MAX_NTH; n++) {
		ASSERT_EQ(0, kst_snapshot(&self->nl, &before));
		left = nl_cmd_nth(_metadata, self->nth, n, &self->nl, KASBLOCK_CMD_ADD,
				  add, NR_ADD, &ret);
		ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
		if (ret) {
			failed++;
			ASSERT_TRUE(kst_snapshot_equal(&before, &after)) {
				TH_LOG("allocation %u: a failed add changed the list", n);
			}
			continue;
		}
		ASSERT_EQ(before.nr + NR_ADD, after.nr);
		if (left)
			break;	/* the add no longer reaches allocation n */
		ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_DEL, add, NR_ADD));
	}
	ASSERT_LT(0, left);
	ASSERT_LT(0, failed);
	TH_LOG("an add makes %u failable allocations, %u of them fail it", n - 1, failed);
}

TEST_F_TIMEOUT(fault, relabel_keeps_the_old_label_when_it_fails, 300)
{
	struct kst_entry old, relabel, *dump;
	unsigned int n, failed = 0;
	uint64_t gen;
	size_t nr;
	long left = 0;
	int ret;

	kst_fake_entry(&old, 0x300000, "kst-old-label");
	kst_fake_entry(&relabel, 0x300000, "kst-new-label");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &old, 1));
	for (n = 1; n < MAX_NTH; n++) {
		left = nl_cmd_nth(_metadata, self->nth, n, &self->nl, KASBLOCK_CMD_ADD,
				  &relabel, 1, &ret);
		ASSERT_EQ(0, kst_nl_dump(&self->nl, &dump, &nr, &gen));
		ASSERT_EQ(1, nr);
		ASSERT_STREQ(ret ? "kst-old-label" : "kst-new-label", dump[0].label);
		free(dump);
		if (ret) {
			failed++;
			continue;
		}
		if (left)
			break;
		ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &old, 1));
	}
	ASSERT_LT(0, left);
	ASSERT_LT(0, failed);
}

TEST_F_TIMEOUT(fault, del_is_all_or_nothing_whichever_allocation_fails, 600)
{
	struct kst_snapshot before, after;
	struct kst_entry del[NR_ADD];
	unsigned int n, failed = 0;
	long left = 0;
	int i, ret;

	ASSERT_EQ(0, prefill(&self->nl, 0x100000, 16));
	for (i = 0; i < NR_ADD; i++)
		kst_fake_entry(&del[i], 0x400000 + i, "kst-fault-del");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, del, NR_ADD));
	for (n = 1; n < MAX_NTH; n++) {
		ASSERT_EQ(0, kst_snapshot(&self->nl, &before));
		left = nl_cmd_nth(_metadata, self->nth, n, &self->nl, KASBLOCK_CMD_DEL,
				  del, NR_ADD, &ret);
		ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
		if (ret) {
			failed++;
			ASSERT_TRUE(kst_snapshot_equal(&before, &after));
			continue;
		}
		ASSERT_EQ(before.nr - NR_ADD, after.nr);
		if (left)
			break;
		ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, del, NR_ADD));
	}
	ASSERT_LT(0, left);
	ASSERT_LT(0, failed);
}

/* BEGIN, ADD, COMMIT with the n-th allocation of the three failing. */
TEST_F_TIMEOUT(fault, replace_is_atomic_whichever_allocation_fails, 600)
{
	struct kst_snapshot before, after, wanted;
	struct kst_entry old[3], new[5];
	const char *step;
	unsigned int n, failed = 0;
	long left = 0;
	int i, ret;

	for (i = 0; i < 5; i++)
		kst_fake_entry(&new[i], 0x500000 + i, "kst-fault-new");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, new, 5));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &wanted));
	for (i = 0; i < 3; i++)
		kst_fake_entry(&old[i], 0x600000 + i, i ? "kst-fault-old" : NULL);
	ASSERT_EQ(0, kst_nl_replace(&self->nl, old, 3));

	for (n = 1; n < MAX_NTH; n++) {
		ASSERT_EQ(0, kst_snapshot(&self->nl, &before));
		ASSERT_EQ(0, fail_nth_arm(self->nth, n));
		step = "begin";
		ret = kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0);
		if (!ret) {
			step = "add";
			ret = kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ADD, new, 5);
		}
		if (!ret) {
			step = "commit";
			ret = kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_COMMIT, NULL, 0);
		}
		left = fail_nth_left(self->nth);
		ASSERT_EQ(0, fail_nth_arm(self->nth, 0));
		ASSERT_LE(0, left);
		ASSERT_TRUE(ret == 0 || ret == -ENOMEM) {
			TH_LOG("allocation %u: %s: %s (%s)", n, step, strerror(-ret), self->nl.extack);
		}
		if (ret)
			ASSERT_STREQ("out of memory", self->nl.extack) {
				TH_LOG("allocation %u failed the %s", n, step);
			}
		ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
		if (ret) {
			failed++;
			ASSERT_EQ(0, left);
			ASSERT_TRUE(kst_snapshot_equal(&before, &after));
			/* A staged list may remain (nothing to abort is fine). */
			ret = kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ABORT, NULL, 0);
			ASSERT_TRUE(ret == 0 || ret == -ENOENT);
			continue;
		}
		ASSERT_EQ(wanted.nr, after.nr);
		ASSERT_EQ(0, memcmp(wanted.sum, after.sum, sizeof(after.sum)));
		if (left)
			break;
		ASSERT_EQ(0, kst_nl_replace(&self->nl, old, 3));
	}
	ASSERT_LT(0, left);
	ASSERT_LT(0, failed);
}

TEST_F_TIMEOUT(fault, status_succeeds_or_fails_with_enomem, 300)
{
	struct kst_status st;
	unsigned int n, failed = 0;
	long left = 0;
	int ret;

	for (n = 1; n < MAX_NTH; n++) {
		ASSERT_EQ(0, fail_nth_arm(self->nth, n));
		ret = kst_nl_status(&self->nl, &st);
		left = fail_nth_left(self->nth);
		ASSERT_EQ(0, fail_nth_arm(self->nth, 0));
		ASSERT_TRUE(ret == 0 || ret == -ENOMEM) {
			TH_LOG("allocation %u: %s (%s)", n, strerror(-ret), self->nl.extack);
		}
		if (ret) {
			failed++;
			ASSERT_EQ(0, left);
			/* Every rejection says why (uapi/kasblock.h). */
			ASSERT_NE(NULL, strstr(self->nl.extack, "out of memory")) {
				TH_LOG("allocation %u: ENOMEM with extack \"%s\"", n,
				       self->nl.extack);
			}
		} else if (left) {
			break;
		}
	}
	ASSERT_LT(0, left);
	ASSERT_LT(0, failed);
}

/*
 * Forks a child that arms fail-nth n and executes path. Returns what
 * kst_run() would (0 ran, > 0 the exec's errno, -1 otherwise); *left gets the
 * child's remaining count (0: a failure was injected).
 */
static int run_nth(const char *path, unsigned int n, long *left)
{
	char proc[64], buf[16];
	siginfo_t si;
	int status, fd;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *const argv[] = { "kst-prog", NULL };
		char *const envp[] = { NULL };

		fd = open("/proc/thread-self/fail-nth", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || fail_nth_arm(fd, n))
			_exit(98);
		execve(path, argv, envp);
		_exit(errno < 100 ? 100 + errno : 99);
	}
	/* Read the exited child's count before reaping it. */
	if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT))
		return -1;
	snprintf(proc, sizeof(proc), "/proc/%d", pid);
	*left = knob_read(proc, "fail-nth", buf, sizeof(buf)) ? -1 : strtol(buf, NULL, 10);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	status = WEXITSTATUS(status);
	if (status == 0)
		return 0;
	return status > 100 ? status - 100 : -1;
}

/* Fail-open (the default): an unlisted program runs whatever allocation fails. */
TEST_F_TIMEOUT(fault, unlisted_program_runs_when_fail_open, 300)
{
	char path[PATH_MAX], tag[32];
	unsigned int n, injected = 0;
	long left = 0;
	int ret;

	ASSERT_EQ(0, kst_add_unrelated(&self->nl));
	for (n = 1; n < MAX_NTH; n++) {
		/* A new file each time: a cached digest needs no allocation. */
		snprintf(path, sizeof(path), "%s/open-%u", self->dir, n);
		snprintf(tag, sizeof(tag), "fault:open:%u", n);
		ASSERT_EQ(0, kst_make_prog(path, tag, 0, NULL));
		ret = run_nth(path, n, &left);
		ASSERT_EQ(0, ret) {
			TH_LOG("allocation %u failing stopped an unlisted program: %s", n,
			       ret > 0 ? strerror(ret) : "crashed");
		}
		ASSERT_LE(0, left);
		if (left)
			break;
		injected++;
	}
	ASSERT_LT(0, left);
	ASSERT_LT(0, injected);
}

/* Fail-closed: a listed program never runs, whatever allocation fails. */
TEST_F_TIMEOUT(fault, listed_program_never_runs_when_fail_closed, 300)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char path[PATH_MAX], tag[32];
	unsigned int n, injected = 0;
	long left = 0;
	int ret;

	ASSERT_EQ(0, kst_param_write("fail_closed", "Y"));
	for (n = 1; n < MAX_NTH; n++) {
		snprintf(path, sizeof(path), "%s/closed-%u", self->dir, n);
		snprintf(tag, sizeof(tag), "fault:closed:%u", n);
		ASSERT_EQ(0, kst_make_prog(path, tag, 0, digest));
		ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-fault-closed"));
		ret = run_nth(path, n, &left);
		ASSERT_TRUE(ret == EPERM || ret == ENOMEM) {
			TH_LOG("allocation %u failing: listed program gave %d (%s)", n, ret,
			       ret > 0 ? strerror(ret) : ret ? "crashed" : "it ran");
		}
		ASSERT_LE(0, left);
		if (left)
			break;
		injected++;
	}
	ASSERT_LT(0, left);
	ASSERT_LT(0, injected);
}

/*
 * Last: kmemleak finds nothing kasblock allocated and lost, after every test
 * above made it fail allocations. An object is reported once it is 5 s old and
 * unreferenced; two scans settle pointers that were in flight.
 */
FIXTURE(leak) {};
FIXTURE_SETUP(leak) {}
FIXTURE_TEARDOWN(leak) {}

TEST_F_TIMEOUT(leak, kmemleak_finds_no_kasblock_leak, 120)
{
	char *report, *hit;
	FILE *f;
	size_t n = 0;

	if (access(KMEMLEAK, F_OK))
		SKIP(return, "no kmemleak (CONFIG_DEBUG_KMEMLEAK)");
	sleep(6);
	ASSERT_EQ(0, knob_write(DEBUGFS, "kmemleak", "scan"));
	ASSERT_EQ(0, knob_write(DEBUGFS, "kmemleak", "scan"));
	report = calloc(1, 1 << 20);
	ASSERT_NE(NULL, report);
	f = fopen(KMEMLEAK, "re");
	ASSERT_NE(NULL, f);
	n = fread(report, 1, (1 << 20) - 1, f);
	fclose(f);
	report[n] = '\0';
	hit = strstr(report, "[kasblock]");
	ASSERT_EQ(NULL, hit) {
		TH_LOG("kmemleak report:\n%s", report);
	}
	free(report);
}

TEST_HARNESS_MAIN
