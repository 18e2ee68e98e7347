// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: the events multicast group. Each match is multicast as
 * a KASBLOCK_CMD_EVENT; only CAP_SYS_ADMIN may listen (events name files
 * and users).
 */

#define _GNU_SOURCE
#include <libmnl/libmnl.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>

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

TEST_HARNESS_MAIN
