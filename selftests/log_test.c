// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: the kernel log line and audit record of a denial.
 */

#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "common.h"

#define LABEL "kst-log-label"
#define COMM "kst-logprobe"

FIXTURE(denial_log) {
	struct kst_nl nl;
	char dir[64];
	char prog[PATH_MAX];
	char hex[KST_HEX_LEN + 1];
};

FIXTURE_VARIANT(denial_log) {
	uint32_t mode;
	uid_t uid;
	int exec_errno;		/* what the exec gets */
	const char *head;	/* the line up to the fields */
	const char *action;
	const char *mode_name;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(denial_log, enforce_root) {
	/* clang-format on */
	.mode = KASBLOCK_MODE_ENFORCE,
	.uid = 0,
	.exec_errno = EPERM,
	.head = "kasblock: denied exec: ",
	.action = "deny",
	.mode_name = "enforce",
};

/* clang-format off */
FIXTURE_VARIANT_ADD(denial_log, enforce_nobody) {
	/* clang-format on */
	.mode = KASBLOCK_MODE_ENFORCE,
	.uid = 65534,
	.exec_errno = EPERM,
	.head = "kasblock: denied exec: ",
	.action = "deny",
	.mode_name = "enforce",
};

/* clang-format off */
FIXTURE_VARIANT_ADD(denial_log, monitor_root) {
	/* clang-format on */
	.mode = KASBLOCK_MODE_MONITOR,
	.uid = 0,
	.exec_errno = 0,
	.head = "kasblock: would deny exec: ",
	.action = "would-deny",
	.mode_name = "monitor",
};

FIXTURE_SETUP(denial_log)
{
	uint8_t digest[KASBLOCK_DIGEST_LEN];

	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, variant->mode));
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->prog, sizeof(self->prog), "%s/logged", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->prog, "log:logged", 0, digest));
	kst_hex(digest, self->hex);
	ASSERT_EQ(0, kst_add(&self->nl, digest, LABEL));
}

FIXTURE_TEARDOWN(denial_log)
{
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

/* Whether line holds " field" as a whole space-separated token. */
static bool has_field(const char *line, const char *field)
{
	size_t len = strlen(field);
	const char *p;

	for (p = strstr(line, field); p; p = strstr(p + 1, field)) {
		if (p > line && p[-1] == ' ' && (p[len] == ' ' || p[len] == '\0'))
			return true;
	}
	return false;
}

TEST_F(denial_log, line_has_the_documented_fields)
{
	struct kst_exec how = {
		.dirfd = AT_FDCWD, .comm = COMM, .uid = variant->uid,
	};
	char line[2048], want[PATH_MAX + 64];
	const char *needles[] = { variant->head, self->hex, NULL };
	int i;

	ASSERT_EQ(variant->exec_errno,
		  kst_run_until_logged(self->prog, &how, needles, line, sizeof(line)));
	ASSERT_NE('\0', line[0]) {
		TH_LOG("no kernel log line for %s", self->prog);
	}
	/* The head, then the documented fields; others may come in between. */
	snprintf(want, sizeof(want), "%saction=%s op=exec ", variant->head,
		 variant->action);
	ASSERT_NE(NULL, strstr(line, want)) {
		TH_LOG("want: %s", want);
		TH_LOG("got:  %s", line);
	}
	for (i = 0; i < 7; i++) {
		switch (i) {
		case 0:
			snprintf(want, sizeof(want), "pid=%d", how.pid);
			break;
		case 1:
			snprintf(want, sizeof(want), "uid=%u", variant->uid);
			break;
		case 2:
			snprintf(want, sizeof(want), "comm=\"%s\"", COMM);
			break;
		case 3:
			snprintf(want, sizeof(want), "path=\"%s\"", self->prog);
			break;
		case 4:
			snprintf(want, sizeof(want), "sha256=%s", self->hex);
			break;
		case 5:
			snprintf(want, sizeof(want), "label=\"%s\"", LABEL);
			break;
		case 6:
			snprintf(want, sizeof(want), "mode=%s", variant->mode_name);
			break;
		}
		ASSERT_TRUE(has_field(line, want)) {
			TH_LOG("want: %s", want);
			TH_LOG("got:  %s", line);
		}
	}
	ASSERT_NE(NULL, strstr(line, " suppressed=")) {
		TH_LOG("got: %s", line);
	}
}

TEST_F(denial_log, line_escapes_quotes_backslashes_and_control_characters)
{
	struct kst_exec how = { .dirfd = AT_FDCWD, .comm = COMM };
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char line[2048], want[PATH_MAX + 1024], prog[PATH_MAX], hex[KST_HEX_LEN + 1];
	const char *needles[] = { variant->head, hex, NULL };
	struct kst_entry e = { 0 };

	/* A name that would forge fields or lines if printed raw. */
	snprintf(prog, sizeof(prog), "%s/q\"b\\n\nmode=x", self->dir);
	ASSERT_EQ(0, kst_make_prog(prog, "log:escaped", 0, digest));
	kst_hex(digest, hex);
	memcpy(e.digest, digest, sizeof(digest));
	strcpy(e.label, "l\"b\\\xff\x01");
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));

	ASSERT_EQ(variant->exec_errno,
		  kst_run_until_logged(prog, &how, needles, line, sizeof(line)));
	ASSERT_NE('\0', line[0]) {
		TH_LOG("no kernel log line (on one line) for sha256=%s", hex);
	}
	/* Whether hex digits are upper or lower case is not part of the contract. */
	snprintf(want, sizeof(want), " path=\"%s/q\\x22b\\x5cn\\x0amode=x\" ", self->dir);
	ASSERT_NE(NULL, strcasestr(line, want)) {
		TH_LOG("want: %s", want);
		TH_LOG("got:  %s", line);
	}
	snprintf(want, sizeof(want), " label=\"l\\x22b\\x5c\\xff\\x01\" ");
	ASSERT_NE(NULL, strcasestr(line, want)) {
		TH_LOG("want: %s", want);
		TH_LOG("got:  %s", line);
	}
}

FIXTURE(audit) {
	struct kst_nl nl;
	char dir[64];
	char prog[PATH_MAX];
	char hex[KST_HEX_LEN + 1];
	int sock;
};

FIXTURE_SETUP(audit)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1 << (AUDIT_NLGRP_READLOG - 1),
	};
	struct timeval tv = { .tv_sec = 1 };
	uint8_t digest[KASBLOCK_DIGEST_LEN];

	self->sock = -1;
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->prog, sizeof(self->prog), "%s/audited", self->dir);
	ASSERT_EQ(0, kst_make_prog(self->prog, "log:audited", 0, digest));
	kst_hex(digest, self->hex);
	ASSERT_EQ(0, kst_add(&self->nl, digest, LABEL));

	/* The read-only multicast group sees every record, with or without auditd. */
	self->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (self->sock < 0 && errno == EPROTONOSUPPORT)
		SKIP(return, "kernel without audit");
	ASSERT_LE(0, self->sock);
	ASSERT_EQ(0, bind(self->sock, (struct sockaddr *)&addr, sizeof(addr)));
	ASSERT_EQ(0, setsockopt(self->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
}

FIXTURE_TEARDOWN(audit)
{
	if (self->sock >= 0)
		close(self->sock);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

TEST_F(audit, denial_is_an_audit_kernel_other_record)
{
	uint64_t deadline = kst_now_ms() + 15000;
	static char buf[16384];
	bool found = false;

	while (!found && kst_now_ms() < deadline) {
		ASSERT_EQ(EPERM, kst_run(self->prog));
		for (;;) {
			const struct nlmsghdr *h = (const void *)buf;
			ssize_t n = recv(self->sock, buf, sizeof(buf) - 1, 0);

			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			/* ENOBUFS: records were dropped; keep reading. */
			if (n < 0 && errno == ENOBUFS)
				continue;
			ASSERT_LT(0, n);
			buf[n] = '\0';
			if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != AUDIT_KERNEL_OTHER)
				continue;
			if (strstr(NLMSG_DATA(h), self->hex) &&
			    strstr(NLMSG_DATA(h), self->prog)) {
				TH_LOG("record: %s", (char *)NLMSG_DATA(h));
				found = true;
				break;
			}
		}
	}
	ASSERT_TRUE(found) {
		TH_LOG("no type %d record naming %s", AUDIT_KERNEL_OTHER, self->prog);
	}
}

TEST_HARNESS_MAIN
