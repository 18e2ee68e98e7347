// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: the kernel log line of a denial (its audit record:
 * audit_test, which registers as the audit daemon; nothing is sent to audit
 * while it is disabled).
 */

#define _GNU_SOURCE

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

TEST_HARNESS_MAIN
