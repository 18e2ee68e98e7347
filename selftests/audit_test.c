// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: audit records, read as the audit daemon reads them.
 * The test registers itself as auditd (AUDIT_SET with AUDIT_STATUS_PID and
 * AUDIT_STATUS_ENABLED), so the kernel sends it every record, and checks the
 * type 1316 records of a denial (every field, and audit's hex encoding of
 * strings with a space) and of policy changes (who made them, refusals).
 * It unregisters and restores the audit state at the end.
 */

#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "common.h"

#define LABEL "kst-audit"
#define COMM "kst-auditprobe"

FIXTURE(audit) {
	struct kst_nl nl;
	char dir[64];
	char prog[PATH_MAX];
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char hex[KST_HEX_LEN + 1];
	int sock;
	uint32_t seq;
	bool registered;
	uint32_t old_enabled;
	char auid[16], ses[16];	/* this process's, which its children inherit */
};

/* Sends one AUDIT_* request and waits for its ACK; 0 or -errno. */
static int audit_request(int sock, uint32_t *seq, uint16_t type, const void *data, size_t len,
			 void *reply, size_t reply_len)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	uint64_t deadline = kst_now_ms() + 5000;
	bool acked = false;
	ssize_t n;

	memset(buf, 0, NLMSG_SPACE(len));
	h->nlmsg_len = NLMSG_LENGTH(len);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = ++*seq;
	memcpy(NLMSG_DATA(h), data, len);
	if (sendto(sock, h, h->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	while (kst_now_ms() < deadline) {
		n = recv(sock, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == ENOBUFS))
			continue;
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != *seq)
				continue;	/* a record, or an old reply */
			if (h->nlmsg_type == NLMSG_ERROR) {
				int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;

				if (err)
					return err;
				acked = true;
			} else if (reply && h->nlmsg_type == type) {
				memcpy(reply, NLMSG_DATA(h), reply_len);
				reply = NULL;
			}
		}
		/* AUDIT_GET's reply is sent by a kernel thread: before or after the ACK. */
		if (acked && !reply)
			return 0;
	}
	return -ETIMEDOUT;
}

static int audit_set(int sock, uint32_t *seq, uint32_t mask, uint32_t pid, uint32_t enabled)
{
	struct audit_status s = { .mask = mask, .pid = pid, .enabled = enabled };

	return audit_request(sock, seq, AUDIT_SET, &s, sizeof(s), NULL, 0);
}

static void read_proc(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	snprintf(buf, len, "?");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

FIXTURE_SETUP(audit)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 1 };
	struct audit_status st = { 0 };
	int ret;

	self->sock = -1;
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->prog, sizeof(self->prog), "%s/audited", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->prog, "audit:probe", 0, self->digest));
	kst_hex(self->digest, self->hex);
	ASSERT_EQ(0, kst_add(&self->nl, self->digest, LABEL));
	read_proc("/proc/self/loginuid", self->auid, sizeof(self->auid));
	read_proc("/proc/self/sessionid", self->ses, sizeof(self->ses));

	self->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (self->sock < 0 && errno == EPROTONOSUPPORT)
		SKIP(return, "kernel without audit");
	ASSERT_LE(0, self->sock);
	ASSERT_EQ(0, bind(self->sock, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(0, setsockopt(self->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));

	ASSERT_EQ(0, audit_request(self->sock, &self->seq, AUDIT_GET, NULL, 0, &st, sizeof(st)));
	if (st.enabled == 2)
		SKIP(return, "audit configuration is locked (enabled=2)");
	if (st.pid)
		SKIP(return, "an audit daemon (pid %u) is running", st.pid);
	self->old_enabled = st.enabled;
	ret = audit_set(self->sock, &self->seq, AUDIT_STATUS_PID | AUDIT_STATUS_ENABLED, getpid(), 1);
	ASSERT_EQ(0, ret) {
		TH_LOG("cannot register as the audit daemon: %s", strerror(-ret));
	}
	self->registered = true;
}

FIXTURE_TEARDOWN(audit)
{
	if (self->registered) {
		audit_set(self->sock, &self->seq, AUDIT_STATUS_PID, 0, 0);
		audit_set(self->sock, &self->seq, AUDIT_STATUS_ENABLED, 0, self->old_enabled);
	}
	if (self->sock >= 0)
		close(self->sock);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

/*
 * Reads records until one of type 1316 contains every needle, for up to
 * timeout_ms. Copies its text (after "audit(...): ") into rec. 0 or -ENOENT.
 */
static int find_record(int sock, const char *const *needles, char *rec, size_t len,
		       int timeout_ms)
{
	static char buf[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	uint64_t deadline = kst_now_ms() + timeout_ms;
	struct nlmsghdr *h;
	char *text, *body;
	ssize_t n;
	int i;

	while (kst_now_ms() < deadline) {
		n = recv(sock, buf, sizeof(buf), 0);
		if (n < 0)
			continue;	/* timeout (SO_RCVTIMEO), EINTR, ENOBUFS */
		/*
		 * One record per datagram, and audit sets nlmsg_len to the length of
		 * the text alone, not of the message: take the datagram's length.
		 */
		h = (struct nlmsghdr *)buf;
		if (n < NLMSG_HDRLEN || h->nlmsg_type != AUDIT_KERNEL_OTHER)
			continue;
		text = strndup(NLMSG_DATA(h), n - NLMSG_HDRLEN);
		if (!text)
			return -ENOMEM;
		body = strstr(text, "): ");
		body = body ? body + 3 : text;
		for (i = 0; needles[i] && strstr(body, needles[i]); i++)
			;
		if (!needles[i]) {
			snprintf(rec, len, "%s", body);
			free(text);
			return 0;
		}
		free(text);
	}
	return -ENOENT;
}

/* Audit's encoding of an untrusted string: quoted if clean, else uppercase hex. */
static void audit_str(char *out, size_t len, const char *s)
{
	const unsigned char *p;
	bool hex = false;
	size_t o = 0;

	for (p = (const unsigned char *)s; *p; p++)
		hex |= *p == '"' || *p < 0x21 || *p > 0x7e;
	if (!hex) {
		snprintf(out, len, "\"%s\"", s);
		return;
	}
	for (p = (const unsigned char *)s; *p && o + 3 < len; p++)
		o += snprintf(out + o, len - o, "%02X", *p);
}

/* Runs prog as a child named comm and checks its record, field by field and in order. */
static void check_denial(struct __test_metadata *const _metadata, FIXTURE_DATA(audit) *self,
			 const char *prog, const char *comm, const char *label, const char *hex)
{
	struct kst_exec how = { .dirfd = AT_FDCWD, .comm = comm };
	char rec[16384], want[16384], ecomm[64], epath[PATH_MAX * 2 + 1], elabel[160];
	char pid[32];
	const char *needles[] = { "kasblock decision=deny op=exec ", pid, NULL };
	struct stat st;

	ASSERT_EQ(0, stat(prog, &st));
	ASSERT_EQ(EPERM, kst_run_ex(prog, &how));
	snprintf(pid, sizeof(pid), " pid=%d ", how.pid);
	ASSERT_EQ(0, find_record(self->sock, needles, rec, sizeof(rec), 10000)) {
		TH_LOG("no type %d record for pid %d", AUDIT_KERNEL_OTHER, how.pid);
	}
	audit_str(ecomm, sizeof(ecomm), comm);
	audit_str(epath, sizeof(epath), prog);
	audit_str(elabel, sizeof(elabel), label);
	snprintf(want, sizeof(want),
		 "kasblock decision=deny op=exec pid=%d uid=0 auid=%s ses=%s comm=%s path=%s "
		 "dev=%u:%u ino=%lu sha256=%s label=%s policy_mode=enforce",
		 how.pid, self->auid, self->ses, ecomm, epath, major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino, hex, elabel);
	ASSERT_STREQ(want, rec);
}

TEST_F(audit, denial_record_has_every_field)
{
	check_denial(_metadata, self, self->prog, COMM, LABEL, self->hex);
}

/* A space makes audit write the string as hex: path, comm and label alike. */
TEST_F(audit, strings_with_a_space_are_hex)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char prog[PATH_MAX], hex[KST_HEX_LEN + 1], rec[8192];
	const char *needles[] = { "kasblock decision=deny", hex, NULL };

	snprintf(prog, sizeof(prog), "%s/a b.sh", self->dir);
	ASSERT_EQ(0, kst_make_prog(prog, "audit:space", 0, digest));
	kst_hex(digest, hex);
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst label"));
	check_denial(_metadata, self, prog, "kst a", "kst label", hex);

	/* Spelled out, in case audit_str() above were wrong the same way. */
	ASSERT_EQ(EPERM, kst_run(prog));
	ASSERT_EQ(0, find_record(self->sock, needles, rec, sizeof(rec), 10000));
	ASSERT_NE(NULL, strstr(rec, " path=2F746D702F")) {	/* "/tmp/" */
		TH_LOG("%s", rec);
	}
	ASSERT_NE(NULL, strstr(rec, "2F6120622E7368 dev=")) {	/* "/a b.sh" */
		TH_LOG("%s", rec);
	}
	ASSERT_NE(NULL, strstr(rec, " label=6B7374206C6162656C ")) {	/* "kst label" */
		TH_LOG("%s", rec);
	}
}

TEST_F(audit, would_deny_record_in_monitor_mode)
{
	char rec[8192], pid[32];
	struct kst_exec how = { .dirfd = AT_FDCWD, .comm = COMM };
	const char *needles[] = { "kasblock decision=would-deny op=exec ", pid, NULL };

	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_MONITOR));
	ASSERT_EQ(0, kst_run_ex(self->prog, &how));
	snprintf(pid, sizeof(pid), " pid=%d ", how.pid);
	ASSERT_EQ(0, find_record(self->sock, needles, rec, sizeof(rec), 10000));
	ASSERT_NE(NULL, strstr(rec, " policy_mode=monitor")) {
		TH_LOG("%s", rec);
	}
}

/* Every change, made here directly: who (this pid, uid, auid, comm) and the result. */
TEST_F(audit, policy_changes_say_who_made_them)
{
	char rec[8192], want[512], pid[32], comm[32], ecomm[80];
	const char *needles[] = { want, pid, NULL };
	struct kst_entry e;

	snprintf(pid, sizeof(pid), " pid=%d ", getpid());
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	audit_str(ecomm, sizeof(ecomm), comm);
	kst_fake_entry(&e, 4242, NULL);

	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	snprintf(want, sizeof(want), "kasblock op=policy change=add entries=1 total=2 ");
	ASSERT_EQ(0, find_record(self->sock, needles, rec, sizeof(rec), 10000));
	snprintf(want, sizeof(want), " policy_mode=enforce locked=0 pid=%d uid=0 auid=%s ses=%s comm=%s res=1",
		 getpid(), self->auid, self->ses, ecomm);
	ASSERT_NE(NULL, strstr(rec, want)) {
		TH_LOG("want: %s", want);
		TH_LOG("got:  %s", rec);
	}

	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_DEL, &e, 1));
	snprintf(want, sizeof(want), "kasblock op=policy change=del entries=1 total=1 ");
	ASSERT_EQ(0, find_record(self->sock, needles, rec, sizeof(rec), 10000));

	/* A refusal is audited too: res=0. */
	ASSERT_EQ(-ENOENT, kst_nl_cmd(&self->nl, KASBLOCK_CMD_DEL, &e, 1));
	snprintf(want, sizeof(want), "kasblock op=policy change=del ");
	needles[2] = " res=0";
	ASSERT_EQ(0, find_record(self->sock, needles, rec, sizeof(rec), 10000));
	needles[2] = NULL;

	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_MONITOR));
	snprintf(want, sizeof(want), "kasblock op=policy change=mode-monitor ");
	ASSERT_EQ(0, find_record(self->sock, needles, rec, sizeof(rec), 10000));
	ASSERT_NE(NULL, strstr(rec, " policy_mode=monitor ")) {
		TH_LOG("%s", rec);
	}

	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_FLUSH, NULL, 0));
	snprintf(want, sizeof(want), "kasblock op=policy change=flush ");
	ASSERT_EQ(0, find_record(self->sock, needles, rec, sizeof(rec), 10000));
	ASSERT_NE(NULL, strstr(rec, " total=0 ")) {
		TH_LOG("%s", rec);
	}
}

/* Through the tool: the record names kasblockctl, and load is a replace. */
TEST_F(audit, changes_made_by_kasblockctl_name_it)
{
	char rec[8192], file[PATH_MAX], line[KST_HEX_LEN + 16];
	const char *load[] = { "load", file, NULL };
	const char *needles[] = { "kasblock op=policy change=replace entries=1 total=1 ",
				  " comm=\"kasblockctl\" res=1", NULL };

	snprintf(file, sizeof(file), "%s/one.list", self->dir);
	snprintf(line, sizeof(line), "%s  x\n", self->hex);
	ASSERT_EQ(0, kst_write_file(file, line, strlen(line), 0644));
	ASSERT_EQ(0, kst_tool(load, NULL, 0, NULL, 0));
	ASSERT_EQ(0, find_record(self->sock, needles, rec, sizeof(rec), 10000));
}

/* A parameter write is a policy change, audited with its old and new value. */
TEST_F(audit, parameter_changes_are_audited)
{
	char rec[8192], pid[32];
	const char *needles[] = {
		"kasblock op=policy change=param param=max_hash_size old=536870912 new=4096 ",
		pid, " res=1", NULL
	};

	snprintf(pid, sizeof(pid), " pid=%d ", getpid());
	ASSERT_EQ(0, kst_param_write("max_hash_size", "4096"));
	ASSERT_EQ(0, find_record(self->sock, needles, rec, sizeof(rec), 10000));
	ASSERT_EQ(0, kst_params_reset());
}

/*
 * With audit disabled nothing is built for it: no denial record and no policy
 * record, even with a daemon registered. Enabled again, records come back.
 */
TEST_F(audit, nothing_is_sent_while_audit_is_disabled)
{
	char rec[8192], pid[32];
	const char *denial[] = { "kasblock decision=deny op=exec ", self->hex, NULL };
	const char *change[] = { "kasblock op=policy change=add ", pid, NULL };
	struct kst_entry e;

	snprintf(pid, sizeof(pid), " pid=%d ", getpid());
	kst_fake_entry(&e, 4343, NULL);
	ASSERT_EQ(0, audit_set(self->sock, &self->seq, AUDIT_STATUS_ENABLED, 0, 0));
	ASSERT_EQ(EPERM, kst_run(self->prog));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	EXPECT_EQ(-ENOENT, find_record(self->sock, denial, rec, sizeof(rec), 2000)) {
		TH_LOG("sent while disabled: %s", rec);
	}
	EXPECT_EQ(-ENOENT, find_record(self->sock, change, rec, sizeof(rec), 500)) {
		TH_LOG("sent while disabled: %s", rec);
	}

	ASSERT_EQ(0, audit_set(self->sock, &self->seq, AUDIT_STATUS_ENABLED, 0, 1));
	ASSERT_EQ(EPERM, kst_run(self->prog));
	EXPECT_EQ(0, find_record(self->sock, denial, rec, sizeof(rec), 10000));
}

TEST_HARNESS_MAIN
