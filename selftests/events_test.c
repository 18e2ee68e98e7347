// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: the events multicast group. Each match is multicast as
 * a KASBLOCK_CMD_EVENT; only CAP_SYS_ADMIN may listen (events name files
 * and users). `kasblockctl monitor` prints them with the kernel log line's
 * fields, as text and as JSON, reports a socket overrun and goes on, and
 * ends cleanly on SIGTERM.
 */

#define _GNU_SOURCE
#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "common.h"

#define LABEL "kst-event-label"
#define COMM "kst-evprobe"

struct event {
	char action[32], op[32], comm[32], path[PATH_MAX], label[KASBLOCK_LABEL_MAX];
	uint32_t pid, uid, mode;
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	bool has_digest;
};

static void copy_str(char *dst, size_t len, const struct nlattr *a)
{
	snprintf(dst, len, "%.*s", (int)mnl_attr_get_payload_len(a),
		 (const char *)mnl_attr_get_payload(a));
}

/* Fills ev from one message; false if it is not a kasblock event. */
static bool parse_event(const struct nlmsghdr *h, uint16_t family, struct event *ev)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(h);
	const struct nlattr *a, *f;
	bool found = false;

	if (h->nlmsg_type != family || g->cmd != KASBLOCK_CMD_EVENT)
		return false;
	memset(ev, 0, sizeof(*ev));
	mnl_attr_for_each(a, h, sizeof(*g)) {
		if (mnl_attr_get_type(a) != KASBLOCK_A_EVENT)
			continue;
		found = true;
		mnl_attr_for_each_nested(f, a) {
			switch (mnl_attr_get_type(f)) {
			case KASBLOCK_EVENT_A_ACTION:
				copy_str(ev->action, sizeof(ev->action), f);
				break;
			case KASBLOCK_EVENT_A_OP:
				copy_str(ev->op, sizeof(ev->op), f);
				break;
			case KASBLOCK_EVENT_A_PID:
				ev->pid = mnl_attr_get_u32(f);
				break;
			case KASBLOCK_EVENT_A_UID:
				ev->uid = mnl_attr_get_u32(f);
				break;
			case KASBLOCK_EVENT_A_COMM:
				copy_str(ev->comm, sizeof(ev->comm), f);
				break;
			case KASBLOCK_EVENT_A_PATH:
				copy_str(ev->path, sizeof(ev->path), f);
				break;
			case KASBLOCK_EVENT_A_DIGEST:
				if (mnl_attr_get_payload_len(f) == KASBLOCK_DIGEST_LEN) {
					memcpy(ev->digest, mnl_attr_get_payload(f),
					       KASBLOCK_DIGEST_LEN);
					ev->has_digest = true;
				}
				break;
			case KASBLOCK_EVENT_A_LABEL:
				copy_str(ev->label, sizeof(ev->label), f);
				break;
			case KASBLOCK_EVENT_A_MODE:
				ev->mode = mnl_attr_get_u32(f);
				break;
			}
		}
	}
	return found;
}

/* Joins the events group on a socket of its own. */
static int join_events(struct kst_nl *ev)
{
	struct timeval tv = { .tv_usec = 200000 };
	int ret, fd;

	ret = kst_nl_open(ev);
	if (ret)
		return ret;
	if (!ev->events_group)
		return -ENOENT;
	fd = mnl_socket_get_fd(ev->sock);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &ev->events_group,
		       sizeof(ev->events_group)))
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

/*
 * Reads events until one for op and pid arrives (true), or none is left to
 * read for a while (false).
 */
static bool next_event(struct kst_nl *ev, const char *op, pid_t pid, struct event *out)
{
	static char buf[65536];
	uint64_t deadline = kst_now_ms() + 3000;

	while (kst_now_ms() < deadline) {
		int n = mnl_socket_recvfrom(ev->sock, buf, sizeof(buf));
		const struct nlmsghdr *h = (const void *)buf;

		if (n < 0)
			continue;	/* timeout, or ENOBUFS: events were dropped */
		for (; mnl_nlmsg_ok(h, n); h = mnl_nlmsg_next(h, &n)) {
			if (parse_event(h, ev->family, out) && !strcmp(out->op, op) &&
			    out->pid == (uint32_t)pid)
				return true;
		}
	}
	return false;
}

FIXTURE(events) {
	struct kst_nl nl, ev;
	char dir[64];
	char listed[PATH_MAX], unlisted[PATH_MAX];
	uint8_t digest[KASBLOCK_DIGEST_LEN];
};

FIXTURE_VARIANT(events) {
	uint32_t mode;
	int exec_errno;
	const char *action;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(events, enforce) {
	/* clang-format on */
	.mode = KASBLOCK_MODE_ENFORCE,
	.exec_errno = EPERM,
	.action = "deny",
};

/* clang-format off */
FIXTURE_VARIANT_ADD(events, monitor) {
	/* clang-format on */
	.mode = KASBLOCK_MODE_MONITOR,
	.exec_errno = 0,
	.action = "would-deny",
};

FIXTURE_SETUP(events)
{
	self->ev.sock = NULL;
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, variant->mode));
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->listed, sizeof(self->listed), "%s/listed", self->dir);
	snprintf(self->unlisted, sizeof(self->unlisted), "%s/unlisted", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->listed, "events:listed", 0, self->digest));
	ASSERT_EQ(0, kst_make_prog(self->unlisted, "events:unlisted", 0, NULL));
	ASSERT_EQ(0, kst_add(&self->nl, self->digest, LABEL));
	ASSERT_EQ(0, join_events(&self->ev));
}

FIXTURE_TEARDOWN(events)
{
	kst_nl_close(&self->ev);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F(events, match_is_multicast_with_its_fields)
{
	struct kst_exec how = { .dirfd = AT_FDCWD, .comm = COMM, .uid = 65534 };
	struct event ev;

	ASSERT_EQ(variant->exec_errno, kst_run_ex(self->listed, &how));
	ASSERT_TRUE(next_event(&self->ev, "exec", how.pid, &ev)) {
		TH_LOG("no exec event for pid %d", how.pid);
	}
	ASSERT_STREQ(variant->action, ev.action);
	ASSERT_EQ(65534, ev.uid);
	ASSERT_STREQ(COMM, ev.comm);
	ASSERT_STREQ(self->listed, ev.path);
	ASSERT_TRUE(ev.has_digest);
	ASSERT_EQ(0, memcmp(self->digest, ev.digest, KASBLOCK_DIGEST_LEN));
	ASSERT_STREQ(LABEL, ev.label);
	ASSERT_EQ(variant->mode, ev.mode);
}

TEST_F(events, unlisted_exec_sends_no_event)
{
	struct kst_exec how = { .dirfd = AT_FDCWD };
	struct event ev;

	ASSERT_EQ(0, kst_run_ex(self->unlisted, &how));
	ASSERT_FALSE(next_event(&self->ev, "exec", how.pid, &ev));
}

/* Who may not listen. */
FIXTURE(events_join) {
	struct kst_nl nl;
};

FIXTURE_VARIANT(events_join) {
	uint64_t caps;
	bool new_userns;
	int err;		/* what joining gets */
};

#define CAP(c) (1ULL << (c))

/* clang-format off */
FIXTURE_VARIANT_ADD(events_join, nobody) {
	/* clang-format on */
	.caps = 0,
	.err = EPERM,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(events_join, nobody_with_net_admin) {
	/* clang-format on */
	.caps = CAP(CAP_NET_ADMIN),
	.err = EPERM,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(events_join, root_of_a_child_user_namespace) {
	/* clang-format on */
	.new_userns = true,
	.err = EPERM,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(events_join, nobody_with_sys_admin) {
	/* clang-format on */
	.caps = CAP(CAP_SYS_ADMIN),
	.err = 0,
};

FIXTURE_SETUP(events_join)
{
	kst_baseline(_metadata, &self->nl);
}

FIXTURE_TEARDOWN(events_join)
{
	kst_restore(&self->nl);
}

TEST_F(events_join, needs_cap_sys_admin)
{
	int fds[2], ret = INT_MIN, status;
	pid_t pid;

	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kst_nl ev;

		if (variant->new_userns ? unshare(CLONE_NEWUSER) :
					  kst_keep_only_caps(variant->caps, true))
			ret = INT_MIN + 1;
		else
			ret = join_events(&ev);
		_exit(write(fds[1], &ret, sizeof(ret)) == sizeof(ret) ? 0 : 1);
	}
	close(fds[1]);
	ASSERT_EQ(sizeof(ret), read(fds[0], &ret, sizeof(ret)));
	close(fds[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_NE(INT_MIN + 1, ret) {
		TH_LOG("could not become the caller");
	}
	ASSERT_EQ(-variant->err, ret);
}

/* kasblockctl monitor, the event stream's reader. */

#define DROPPED_TEXT "dropped events: the kernel could not deliver some events (socket overrun)"
#define DROPPED_JSON "{\"schema\":\"kasblock-event/1\",\"dropped\":true}"

/* A running `kasblockctl monitor ARGS`, its standard output read line by line. */
struct monitor_proc {
	pid_t pid;
	int fd;
	char buf[65536];
	size_t len;
};

static int monitor_start(struct monitor_proc *m, const char *const *args)
{
	const char *tool = getenv("KASBLOCKCTL") ?: KST_TOOL_DEFAULT;
	const char *argv[8] = { "kasblockctl", "monitor" };
	int o[2], i;

	for (i = 0; args[i] && i < 5; i++)
		argv[i + 2] = args[i];
	m->len = 0;
	if (pipe2(o, O_CLOEXEC))
		return -errno;
	m->pid = fork();
	if (m->pid < 0)
		return -errno;
	if (m->pid == 0) {
		if (dup2(o[1], 1) < 0)
			_exit(125);
		execv(tool, (char *const *)argv);
		_exit(127);
	}
	close(o[1]);
	m->fd = o[0];
	return 0;
}

/* The next line (without its newline) within timeout_ms: 1, 0 on timeout, -1 at EOF. */
static int monitor_line(struct monitor_proc *m, char *line, size_t len, int timeout_ms)
{
	uint64_t deadline = kst_now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = m->fd, .events = POLLIN };
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(m->buf, '\n', m->len);
		if (nl) {
			size_t l = nl - m->buf;

			snprintf(line, len, "%.*s", (int)l, m->buf);
			memmove(m->buf, nl + 1, m->len - l - 1);
			m->len -= l + 1;
			return 1;
		}
		if (kst_now_ms() >= deadline)
			return 0;
		if (poll(&pfd, 1, (int)(deadline - kst_now_ms())) <= 0)
			continue;
		n = read(m->fd, m->buf + m->len, sizeof(m->buf) - 1 - m->len);
		if (n <= 0)
			return -1;
		m->len += n;
	}
}

/* Ends the monitor (signal 0: waits for it to exit by itself); its wait status. */
static int monitor_stop(struct monitor_proc *m, int sig)
{
	int status = -1;

	if (m->pid <= 0)
		return -1;
	if (sig)
		kill(m->pid, sig);
	waitpid(m->pid, &status, 0);
	close(m->fd);
	m->pid = 0;
	return status;
}

FIXTURE(monitor) {
	struct kst_nl nl;
	char dir[64];
	char prog[PATH_MAX];
	char hex[KST_HEX_LEN + 1];
	struct monitor_proc mon;
};

FIXTURE_VARIANT(monitor) {
	bool json;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(monitor, text) {
	/* clang-format on */
	.json = false,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(monitor, json) {
	/* clang-format on */
	.json = true,
};

FIXTURE_SETUP(monitor)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];

	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->prog, sizeof(self->prog), "%s/monitored", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->prog, "events:monitor", 0, digest));
	kst_hex(digest, self->hex);
	ASSERT_EQ(0, kst_add(&self->nl, digest, LABEL));
}

FIXTURE_TEARDOWN(monitor)
{
	if (self->mon.pid > 0)
		monitor_stop(&self->mon, SIGKILL);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

/*
 * Runs prog (as comm COMM) until the monitor prints a line, for up to 20 s:
 * the monitor joins the group some time after it starts. Every exec's pid
 * goes into pids (up to max); returns the line's result.
 */
static int run_until_event(struct monitor_proc *m, const char *prog, int want_errno, char *line,
			   size_t len, pid_t *pids, int max, int *npids)
{
	uint64_t deadline = kst_now_ms() + 20000;
	struct kst_exec how = { .dirfd = AT_FDCWD, .comm = COMM };
	int ret = 0;

	*npids = 0;
	while (kst_now_ms() < deadline) {
		if (kst_run_ex(prog, &how) != want_errno)
			return -2;
		if (*npids < max)
			pids[(*npids)++] = how.pid;
		ret = monitor_line(m, line, len, 200);
		if (ret)
			return ret;
	}
	return 0;
}

/* The line the monitor must print for an exec of path by pid, digest hex. */
static void expected(bool json, char *want, size_t len, pid_t pid, const char *path,
		     const char *path_printed, const char *hex, const char *action,
		     const char *mode)
{
	struct stat st;

	if (stat(path, &st))
		memset(&st, 0, sizeof(st));
	if (json)
		snprintf(want, len,
			 "{\"schema\":\"kasblock-event/1\",\"action\":\"%s\",\"op\":\"exec\",\"pid\":%d,\"uid\":0,\"comm\":\"%s\","
			 "\"path\":\"%s\",\"dev\":\"%u:%u\",\"ino\":%lu,\"sha256\":\"%s\","
			 "\"label\":\"%s\",\"mode\":\"%s\"}",
			 action, pid, COMM, path_printed, major(st.st_dev), minor(st.st_dev),
			 (unsigned long)st.st_ino, hex, LABEL, mode);
	else
		snprintf(want, len,
			 "action=%s op=exec pid=%d uid=0 comm=\"%s\" path=\"%s\" dev=%u:%u "
			 "ino=%lu sha256=%s label=\"%s\" mode=%s",
			 action, pid, COMM, path_printed, major(st.st_dev), minor(st.st_dev),
			 (unsigned long)st.st_ino, hex, LABEL, mode);
}

/* The pid the line names, or -1. */
static pid_t line_pid(const char *line)
{
	const char *p = strstr(line, "pid=");

	if (!p)
		p = strstr(line, "\"pid\":");
	if (!p)
		return -1;
	return atoi(strchr(p, p[3] == '=' ? '=' : ':') + 1);
}

static bool pid_in(pid_t pid, const pid_t *pids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static void check_one_event(struct __test_metadata *const _metadata, struct monitor_proc *m,
			    bool json, const char *prog, const char *printed, const char *hex,
			    int want_errno, const char *action, const char *mode)
{
	static const char *const text_args[] = { "--count", "1", NULL };
	static const char *const json_args[] = { "--json", "--count", "1", NULL };
	const char *const *args = json ? json_args : text_args;
	char line[PATH_MAX * 5], want[PATH_MAX * 5];
	pid_t pids[256];
	int n, status;

	ASSERT_EQ(0, monitor_start(m, args));
	ASSERT_EQ(1, run_until_event(m, prog, want_errno, line, sizeof(line), pids, 256, &n)) {
		TH_LOG("no event line from kasblockctl monitor");
	}
	ASSERT_TRUE(pid_in(line_pid(line), pids, n)) {
		TH_LOG("the event names pid %d, which did not run %s: %s", line_pid(line), prog,
		       line);
	}
	expected(json, want, sizeof(want), line_pid(line), prog, printed, hex, action, mode);
	ASSERT_STREQ(want, line);
	/* --count 1: it exits by itself, successfully, after that one event. */
	status = monitor_stop(m, 0);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_F_TIMEOUT(monitor, prints_a_denial, 60)
{
	check_one_event(_metadata, &self->mon, variant->json, self->prog, self->prog, self->hex,
			EPERM, "deny", "enforce");
}

/*
 * In monitor mode one run gives two events: the exec, then the loader's mapping
 * of the same file (op=mmap), now allowed. A monitor that joins the group
 * between the two would see the mmap first, so the run that counts happens only
 * once the monitor has shown it listens (a denial printed in enforce mode).
 */
TEST_F_TIMEOUT(monitor, prints_a_would_deny_in_monitor_mode, 60)
{
	static const char *const text_args[] = { NULL };
	static const char *const json_args[] = { "--json", NULL };
	struct kst_exec how = { .dirfd = AT_FDCWD, .comm = COMM };
	char line[PATH_MAX * 5], want[PATH_MAX * 5];
	pid_t pids[256];
	int n, status;

	ASSERT_EQ(0, monitor_start(&self->mon, variant->json ? json_args : text_args));
	ASSERT_EQ(1, run_until_event(&self->mon, self->prog, EPERM, line, sizeof(line), pids,
				     256, &n)) {
		TH_LOG("no event line from kasblockctl monitor");
	}
	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_MONITOR));
	ASSERT_EQ(0, kst_run_ex(self->prog, &how));
	/* Denials of earlier runs may still be queued: the first would-deny is this run's exec. */
	do {
		ASSERT_EQ(1, monitor_line(&self->mon, line, sizeof(line), 10000)) {
			TH_LOG("no would-deny line from kasblockctl monitor");
		}
	} while (!strstr(line, "would-deny"));
	expected(variant->json, want, sizeof(want), how.pid, self->prog, self->prog, self->hex,
		 "would-deny", "monitor");
	ASSERT_STREQ(want, line);
	/* SIGTERM ends a monitor without --count successfully. */
	status = monitor_stop(&self->mon, SIGTERM);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

/* The text line escapes as the kernel log does; JSON escapes as JSON does. */
TEST_F_TIMEOUT(monitor, escapes_the_path, 60)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char prog[PATH_MAX], printed[PATH_MAX * 4], hex[KST_HEX_LEN + 1];

	snprintf(prog, sizeof(prog), "%s/q\"b\\n\nmode=x y", self->dir);
	ASSERT_EQ(0, kst_make_prog(prog, "events:escaped", 0, digest));
	kst_hex(digest, hex);
	ASSERT_EQ(0, kst_add(&self->nl, digest, LABEL));
	if (variant->json)
		snprintf(printed, sizeof(printed), "%s/q\\\"b\\\\n\\u000amode=x y", self->dir);
	else
		snprintf(printed, sizeof(printed), "%s/q\\x22b\\x5cn\\x0amode=x y", self->dir);
	check_one_event(_metadata, &self->mon, variant->json, prog, printed, hex, EPERM, "deny",
			"enforce");
}

/*
 * Many denials while the monitor is stopped overflow its socket: the module
 * drops events instead of waiting, counts them, and the monitor says so
 * when it runs again, then goes on with the events that did fit. Denied
 * mmap(PROT_EXEC) calls make events far faster than execs.
 */
TEST_F_TIMEOUT(monitor, reports_an_overrun_and_goes_on, 300)
{
	const char *args[] = { variant->json ? "--json" : NULL, NULL };
	const char *status_json[] = { "status", "--json", NULL };
	char line[PATH_MAX * 5], out[4096], *p;
	uint64_t deadline, before = 0, dropped = 0;
	int fd, n, i, status, after = 0;
	pid_t pids[4];
	bool seen = false;
	void *map;

	ASSERT_EQ(0, monitor_start(&self->mon, args));
	ASSERT_EQ(1, run_until_event(&self->mon, self->prog, EPERM, line, sizeof(line), pids, 4,
				     &n));
	ASSERT_EQ(0, kst_tool(status_json, out, sizeof(out), NULL, 0));
	p = strstr(out, "\"events_dropped\":");
	ASSERT_NE(NULL, p);
	before = strtoull(p + 17, NULL, 10);

	fd = open(self->prog, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	map = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	ASSERT_EQ(MAP_FAILED, map) {
		TH_LOG("mmap(PROT_EXEC) of a listed file was not denied");
	}
	ASSERT_EQ(EPERM, errno);

	ASSERT_EQ(0, kill(self->mon.pid, SIGSTOP));
	deadline = kst_now_ms() + 120000;
	while (dropped <= before && kst_now_ms() < deadline) {
		for (i = 0; i < 2000; i++)
			mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		ASSERT_EQ(0, kst_tool(status_json, out, sizeof(out), NULL, 0));
		p = strstr(out, "\"events_dropped\":");
		ASSERT_NE(NULL, p);
		dropped = strtoull(p + 17, NULL, 10);
	}
	close(fd);
	/* The module counts what it could not deliver (kasblockctl asks it to). */
	ASSERT_LT(before, dropped) {
		TH_LOG("no event was counted as dropped in 120 s of denials");
	}
	ASSERT_EQ(0, kill(self->mon.pid, SIGCONT));

	/* The overrun line, then at least one of the events that were queued. */
	deadline = kst_now_ms() + 60000;
	while (kst_now_ms() < deadline && !(seen && after)) {
		if (monitor_line(&self->mon, line, sizeof(line), 1000) != 1)
			continue;
		if (!strcmp(line, variant->json ? DROPPED_JSON : DROPPED_TEXT))
			seen = true;
		else if (seen && strstr(line, self->hex))
			after++;
	}
	ASSERT_TRUE(seen) {
		TH_LOG("no \"%s\" line", variant->json ? DROPPED_JSON : DROPPED_TEXT);
	}
	ASSERT_LT(0, after);
	/* SIGTERM is a normal end. */
	status = monitor_stop(&self->mon, SIGTERM);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
}

TEST_F(monitor, as_nobody_is_not_permitted)
{
	const char *args[] = { "monitor", variant->json ? "--json" : "--count",
			       variant->json ? "--count" : "1", variant->json ? "1" : NULL, NULL };
	char out[256], err[1024];

	ASSERT_EQ(4, kst_tool_as(65534, args, out, sizeof(out), err, sizeof(err)));
	ASSERT_NE(NULL, strstr(err, "kasblockctl: monitor: not permitted")) {
		TH_LOG("stderr: %s", err);
	}
}

TEST_HARNESS_MAIN
