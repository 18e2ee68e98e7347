// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: who may talk to the family. Every command needs
 * CAP_SYS_ADMIN or CAP_MAC_ADMIN in the initial user namespace, and the
 * family exists only in the initial network namespace.
 */

#define _GNU_SOURCE
#include <linux/capability.h>
#include <sched.h>

#include "common.h"

#define CAP(c) (1ULL << (c))

struct caller {
	uint64_t caps;		/* kept from the current ones */
	bool as_nobody;		/* uid/gid 65534 */
	bool new_userns;	/* in a child user namespace */
};

/* One request, made by the caller from a fresh socket. */
typedef int (*op_fn)(struct kst_nl *nl);

static int op_add(struct kst_nl *nl)
{
	struct kst_entry e;

	kst_fake_entry(&e, 77, "kst-perm");
	return kst_nl_cmd(nl, KASBLOCK_CMD_ADD, &e, 1);
}

static int op_del(struct kst_nl *nl)
{
	struct kst_entry e;

	kst_fake_entry(&e, 1, NULL);
	return kst_nl_cmd(nl, KASBLOCK_CMD_DEL, &e, 1);
}

static int op_flush(struct kst_nl *nl)
{
	return kst_nl_cmd(nl, KASBLOCK_CMD_FLUSH, NULL, 0);
}

static int op_replace_begin(struct kst_nl *nl)
{
	return kst_nl_cmd(nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0);
}

static int op_set_mode(struct kst_nl *nl)
{
	return kst_nl_set_mode(nl, KASBLOCK_MODE_MONITOR);
}

static int op_status(struct kst_nl *nl)
{
	struct kst_status st;

	return kst_nl_status(nl, &st);
}

static int op_file_digest(struct kst_nl *nl)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = kst_nl_file_digest(nl, fd, digest);
	close(fd);
	return ret;
}

static int op_dump(struct kst_nl *nl)
{
	struct kst_entry *e = NULL;
	size_t n;
	int ret;

	ret = kst_nl_dump(nl, &e, &n, NULL);
	free(e);
	return ret;
}

/*
 * Runs op in a child that has become caller. Returns what op returned, or
 * INT_MIN if the child could not get there (then *why says where it failed).
 */
static int as_caller(const struct caller *c, op_fn op, const char **why)
{
	int fds[2], ret = INT_MIN, status;
	struct kst_nl nl;
	pid_t pid;

	*why = "fork";
	if (pipe(fds))
		return INT_MIN;
	pid = fork();
	if (pid < 0)
		return INT_MIN;
	if (pid == 0) {
		int err;

		close(fds[0]);
		if (c->new_userns && unshare(CLONE_NEWUSER))
			err = 1;
		else if (!c->new_userns && kst_keep_only_caps(c->caps, c->as_nobody))
			err = 2;
		else if ((ret = kst_nl_open(&nl)))
			err = 3;
		else
			err = 0, ret = op(&nl);
		if (write(fds[1], &err, sizeof(err)) != sizeof(err) ||
		    write(fds[1], &ret, sizeof(ret)) != sizeof(ret))
			_exit(1);
		_exit(0);
	} else {
		int err = -1;

		close(fds[1]);
		if (read(fds[0], &err, sizeof(err)) != sizeof(err) ||
		    read(fds[0], &ret, sizeof(ret)) != sizeof(ret))
			err = -1;
		close(fds[0]);
		waitpid(pid, &status, 0);
		switch (err) {
		case 0:
			*why = NULL;
			return ret;
		case 1:
			*why = "unshare(CLONE_NEWUSER)";
			break;
		case 2:
			*why = "dropping privileges";
			break;
		case 3:
			*why = "opening the family";
			break;
		default:
			*why = "the child";
		}
		return INT_MIN;
	}
}

FIXTURE(unprivileged) {
	struct kst_nl nl;
	struct kst_snapshot before;
};

FIXTURE_VARIANT(unprivileged) {
	struct caller caller;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(unprivileged, nobody) {
	/* clang-format on */
	.caller = { .caps = 0, .as_nobody = true },
};

/* clang-format off */
FIXTURE_VARIANT_ADD(unprivileged, root_without_sys_admin_and_mac_admin) {
	/* clang-format on */
	.caller = { .caps = ~(CAP(CAP_SYS_ADMIN) | CAP(CAP_MAC_ADMIN)) },
};

/* clang-format off */
FIXTURE_VARIANT_ADD(unprivileged, nobody_with_net_admin) {
	/* clang-format on */
	.caller = { .caps = CAP(CAP_NET_ADMIN), .as_nobody = true },
};

/* clang-format off */
FIXTURE_VARIANT_ADD(unprivileged, root_of_a_child_user_namespace) {
	/* clang-format on */
	.caller = { .new_userns = true },
};

FIXTURE_SETUP(unprivileged)
{
	struct kst_entry e;

	kst_baseline(_metadata, &self->nl);
	kst_fake_entry(&e, 1, "kst-base");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &self->before));
}

FIXTURE_TEARDOWN(unprivileged)
{
	kst_restore(&self->nl);
}

/* The caller gets EPERM, and the list and mode are as they were. */
#define REFUSED(op) do {						\
		struct kst_snapshot after;				\
		const char *why;					\
									\
		ASSERT_EQ(-EPERM, as_caller(&variant->caller, op, &why)) { \
			if (why)					\
				TH_LOG("failed at %s", why);		\
		}							\
		ASSERT_EQ(0, kst_snapshot(&self->nl, &after));		\
		ASSERT_TRUE(kst_snapshot_equal(&self->before, &after));	\
	} while (0)

TEST_F(unprivileged, add_is_refused)
{
	REFUSED(op_add);
}

TEST_F(unprivileged, del_is_refused)
{
	REFUSED(op_del);
}

TEST_F(unprivileged, flush_is_refused)
{
	REFUSED(op_flush);
}

TEST_F(unprivileged, replace_begin_is_refused)
{
	REFUSED(op_replace_begin);
	/* Nothing is left staged: a privileged socket may begin. */
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ABORT, NULL, 0));
}

TEST_F(unprivileged, set_mode_is_refused)
{
	REFUSED(op_set_mode);
}

TEST_F(unprivileged, status_is_refused)
{
	REFUSED(op_status);
}

TEST_F(unprivileged, dump_is_refused)
{
	REFUSED(op_dump);
}

TEST_F(unprivileged, file_digest_is_refused)
{
	REFUSED(op_file_digest);
}

/* Either capability alone is enough, even without uid 0. */
FIXTURE(privileged) {
	struct kst_nl nl;
};

FIXTURE_VARIANT(privileged) {
	struct caller caller;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(privileged, nobody_with_sys_admin) {
	/* clang-format on */
	.caller = { .caps = CAP(CAP_SYS_ADMIN), .as_nobody = true },
};

/* clang-format off */
FIXTURE_VARIANT_ADD(privileged, nobody_with_mac_admin) {
	/* clang-format on */
	.caller = { .caps = CAP(CAP_MAC_ADMIN), .as_nobody = true },
};

FIXTURE_SETUP(privileged)
{
	kst_baseline(_metadata, &self->nl);
}

FIXTURE_TEARDOWN(privileged)
{
	kst_restore(&self->nl);
}

TEST_F(privileged, add_is_allowed)
{
	struct kst_status st;
	const char *why;

	ASSERT_EQ(0, as_caller(&variant->caller, op_add, &why)) {
		if (why)
			TH_LOG("failed at %s", why);
	}
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(1, st.nr_entries);
}

TEST_F(privileged, status_is_allowed)
{
	const char *why;

	ASSERT_EQ(0, as_caller(&variant->caller, op_status, &why)) {
		if (why)
			TH_LOG("failed at %s", why);
	}
}

TEST_F(privileged, dump_is_allowed)
{
	const char *why;

	ASSERT_EQ(0, as_caller(&variant->caller, op_dump, &why)) {
		if (why)
			TH_LOG("failed at %s", why);
	}
}

TEST(family_is_absent_from_other_network_namespaces)
{
	int fds[2], ret = INT_MIN, status;
	struct kst_nl here;
	pid_t pid;

	/* It is there in this one. */
	ASSERT_EQ(0, kst_nl_open(&here));
	kst_nl_close(&here);

	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kst_nl nl;

		ret = unshare(CLONE_NEWNET) ? INT_MIN : kst_nl_open(&nl);
		_exit(write(fds[1], &ret, sizeof(ret)) == sizeof(ret) ? 0 : 1);
	}
	close(fds[1]);
	ASSERT_EQ(sizeof(ret), read(fds[0], &ret, sizeof(ret)));
	close(fds[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(-ENOENT, ret);
}

TEST_HARNESS_MAIN
