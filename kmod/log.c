// SPDX-License-Identifier: GPL-2.0
/*
 * What kasblock says about a match, a failure or a policy change: one kernel log line in
 * a stable key=value form and one audit record of type AUDIT_KERNEL_OTHER.
 *
 * Matches are rate-limited in the log (with the count of lines suppressed since the last
 * one printed), not in audit: an auditor wants every denial, and each costs the user an
 * exec. Hash failures are cheaper to cause (any user can map a large file), so they pass
 * a gate of their own before they reach either the log or audit: one ratelimit per cause
 * and per uid slot, apart from the matches' state, so no user can push real denials out
 * of the kernel log or fill audit's backlog with failures. The counters in status still
 * count every one. Nothing is built for audit unless audit is enabled.
 *
 * The audit record says decision= and policy_mode= where the log line says action= and
 * mode=: auparse (ausearch -i) reads any field named action or mode as an audit rule
 * action or a file mode, and printed "action=unknown-action(deny) ... mode=000,000".
 * For the same reason a parameter is param= there, not name= (a path to auparse).
 *
 * Strings a user controls (path, comm, label) are escaped: in the log, bytes outside
 * printable ASCII and the characters " and \ become \xHH inside double quotes; in audit,
 * they follow audit's own convention (quoted when clean, else bare uppercase hex), written
 * here because audit_log_untrustedstring() is not exported to modules.
 *
 * Nothing here sleeps or waits for the audit backlog (GFP_NOWAIT): a full backlog loses
 * a record, it never stalls an exec.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/audit.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/string_helpers.h>
#include "compat.h"
#include "kasblock.h"

/* How the scratch buffer (KB_SCRATCH_SIZE) is carved up once hashing is done. */
#define PATH_OFF	0
#define PATH_LEN	PATH_MAX
#define ESC_OFF		(PATH_OFF + PATH_LEN)
#define ESC_LEN		(4 * PATH_MAX + 1)
#define HEX_OFF		(ESC_OFF + ESC_LEN)
#define HEX_LEN		(2 * PATH_MAX + 1)
static_assert(HEX_OFF + HEX_LEN <= KB_SCRATCH_SIZE);

static DEFINE_RATELIMIT_STATE(log_ratelimit, 5 * HZ, 10);
static atomic_t log_suppressed = ATOMIC_INIT(0);

/*
 * Hash failures, by cause and by uid: uid 0 (the system's own services) has a slot to
 * itself, every other uid hashes into one of the rest. Each slot lets FAIL_BURST
 * reports through per FAIL_INTERVAL and counts what it holds back.
 */
enum fail_cause { FAIL_OVERSIZE, FAIL_NOMEM, FAIL_UNKNOWN_DIGEST, FAIL_READ_ERROR, FAIL_CAUSES };
#define FAIL_UID_BITS	4
#define FAIL_INTERVAL	(5 * HZ)
#define FAIL_BURST	5

struct fail_gate {
	struct ratelimit_state rs;
	atomic_t suppressed;
};
static struct fail_gate fail_gates[FAIL_CAUSES][1 << FAIL_UID_BITS];

void kb_log_init(void)
{
	unsigned int c, u;

	/* We print our own suppressed= count; ratelimit's own message would be a second format. */
	ratelimit_set_flags(&log_ratelimit, RATELIMIT_MSG_ON_RELEASE);
	for (c = 0; c < FAIL_CAUSES; c++) {
		for (u = 0; u < ARRAY_SIZE(fail_gates[c]); u++) {
			ratelimit_state_init(&fail_gates[c][u].rs, FAIL_INTERVAL, FAIL_BURST);
			ratelimit_set_flags(&fail_gates[c][u].rs, RATELIMIT_MSG_ON_RELEASE);
			atomic_set(&fail_gates[c][u].suppressed, 0);
		}
	}
}

static bool log_allowed(unsigned int *suppressed)
{
	if (!__ratelimit(&log_ratelimit)) {
		atomic_inc(&log_suppressed);
		return false;
	}
	*suppressed = atomic_xchg(&log_suppressed, 0);
	return true;
}

static struct fail_gate *fail_gate(enum fail_cause cause)
{
	u32 uid = from_kuid(&init_user_ns, current_uid());
	unsigned int slot = uid ? 1 + hash_32(uid, FAIL_UID_BITS) % ((1 << FAIL_UID_BITS) - 1) : 0;

	return &fail_gates[cause][slot];
}

static bool plain_log_char(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

/* Escapes @src into @dst, which holds 4 * strlen(src) + 1 bytes. */
static char *log_escape(char *dst, const char *src)
{
	char *p = dst;

	for (; *src; src++) {
		unsigned char c = *src;

		if (plain_log_char(c))
			*p++ = c;
		else
			p += sprintf(p, "\\x%02x", c);
	}
	*p = '\0';
	return dst;
}

/* audit_string_contains_control(), for modules. */
static bool audit_needs_hex(const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c < 0x21 || c > 0x7e)
			return true;
	}
	return false;
}

static void audit_untrusted(struct audit_buffer *ab, const char *key, const char *s, char *hex)
{
	size_t len = strlen(s);

	if (!audit_needs_hex(s)) {
		audit_log_format(ab, " %s=\"%s\"", key, s);
		return;
	}
	len = min_t(size_t, len, (HEX_LEN - 1) / 2);
	bin2hex(hex, s, len);
	hex[2 * len] = '\0';
	string_upper(hex, hex);
	audit_log_format(ab, " %s=%s", key, hex);
}

static const char *event_path(struct file *file, char *scratch)
{
	char *p;

	if (!file)
		return "-";	/* init_module(): a buffer, no file */
	if (!scratch)
		return "?";
	p = d_path(&file->f_path, scratch + PATH_OFF, PATH_LEN);
	return IS_ERR(p) ? "?" : p;
}

struct event {
	const char *what;	/* human prefix: "denied", "would deny", "cannot hash" */
	const char *action;	/* deny, would-deny, allow */
	const char *op;
	const char *reason;	/* NULL for a match */
	int err;
	struct file *file;
	const u8 *digest;	/* NULL for a failure */
	const char *label;
	const char *mode;
	struct fail_gate *gate;	/* a failure's own ratelimit, NULL for a match */
	unsigned int suppressed;	/* what that gate held back since its last report */
};

/* Device and inode of the file, or zeros when there is none. */
static void file_ids(struct file *file, unsigned int *major, unsigned int *minor,
		     unsigned long *ino, loff_t *size)
{
	struct inode *inode = file ? file_inode(file) : NULL;

	*major = inode ? MAJOR(inode->i_sb->s_dev) : 0;
	*minor = inode ? MINOR(inode->i_sb->s_dev) : 0;
	*ino = inode ? inode->i_ino : 0;
	*size = inode ? i_size_read(inode) : 0;
}

static void event_audit(const struct event *ev, const char *path, const char *comm, char *scratch)
{
	unsigned int major, minor;
	unsigned long ino;
	loff_t size;
	char *hex = scratch ? scratch + HEX_OFF : NULL;
	struct audit_buffer *ab;

	if (!audit_enabled)
		return;
	ab = audit_log_start(audit_context(), GFP_NOWAIT, AUDIT_KERNEL_OTHER);
	if (!ab)
		return;
	file_ids(ev->file, &major, &minor, &ino, &size);
	audit_log_format(ab, "kasblock decision=%s op=%s", ev->action, ev->op);
	if (ev->reason)
		audit_log_format(ab, " reason=%s err=%d suppressed=%u", ev->reason, ev->err,
				 ev->suppressed);
	audit_log_format(ab, " pid=%d uid=%u auid=%u ses=%u", task_tgid_nr(current),
			 from_kuid(&init_user_ns, current_uid()),
			 from_kuid(&init_user_ns, audit_get_loginuid(current)),
			 audit_get_sessionid(current));
	if (hex) {
		audit_untrusted(ab, "comm", comm, hex);
		audit_untrusted(ab, "path", path, hex);
	}
	audit_log_format(ab, " dev=%u:%u ino=%lu", major, minor, ino);
	if (ev->digest) {
		audit_log_format(ab, " sha256=%*phN", KASBLOCK_DIGEST_LEN, ev->digest);
		if (hex)
			audit_untrusted(ab, "label", ev->label, hex);
	}
	audit_log_format(ab, " policy_mode=%s", ev->mode);
	audit_log_end(ab);
}

static void event_log(const struct event *ev, const char *path, const char *comm, char *scratch)
{
	unsigned int major, minor;
	unsigned long ino;
	loff_t size;
	char ecomm[4 * TASK_COMM_LEN + 1], elabel[4 * KASBLOCK_LABEL_MAX + 1];
	const char *epath = scratch ? log_escape(scratch + ESC_OFF, path) : "?";
	unsigned int suppressed = ev->suppressed;

	if (!ev->gate && !log_allowed(&suppressed))
		return;
	file_ids(ev->file, &major, &minor, &ino, &size);
	log_escape(ecomm, comm);
	if (ev->digest) {
		log_escape(elabel, ev->label);
		pr_warn("%s %s: action=%s op=%s pid=%d uid=%u comm=\"%s\" path=\"%s\" dev=%u:%u ino=%lu sha256=%*phN label=\"%s\" mode=%s suppressed=%u\n",
			ev->what, ev->op, ev->action, ev->op, task_tgid_nr(current),
			from_kuid(&init_user_ns, current_uid()), ecomm, epath, major, minor, ino,
			KASBLOCK_DIGEST_LEN, ev->digest, elabel, ev->mode, suppressed);
	} else {
		pr_warn("%s: action=%s op=%s reason=%s err=%d pid=%d uid=%u comm=\"%s\" path=\"%s\" dev=%u:%u ino=%lu size=%lld policy=%s mode=%s suppressed=%u\n",
			ev->what, ev->action, ev->op, ev->reason, ev->err, task_tgid_nr(current),
			from_kuid(&init_user_ns, current_uid()), ecomm, epath, major, minor, ino,
			size, kb_param_fail_closed ? "fail-closed" : "fail-open",
			ev->mode, suppressed);
	}
}

static const char *mode_name(void)
{
	return kb_blocklist_mode() == KASBLOCK_MODE_MONITOR ? "monitor" : "enforce";
}

static void event_multicast(const struct event *ev, const char *path, const char *comm)
{
	unsigned int major, minor;
	unsigned long ino;
	loff_t size;
	struct kb_event_fields f = {
		.action = ev->action,
		.op = ev->op,
		.comm = comm,
		.path = path,
		.label = ev->label,
		.digest = ev->digest,
		.mode = kb_blocklist_mode(),
	};

	file_ids(ev->file, &major, &minor, &ino, &size);
	f.dev = major << 20 | minor;
	f.ino = ino;
	kb_netlink_event(&f);
}

static void event_emit(const struct event *ev, char *scratch)
{
	char comm[TASK_COMM_LEN];
	const char *path;

	get_task_comm(comm, current);
	path = event_path(ev->file, scratch);
	event_log(ev, path, comm, scratch);
	event_audit(ev, path, comm, scratch);
	if (ev->digest)
		event_multicast(ev, path, comm);
}

void kb_log_match(const char *op, struct file *file, const u8 *digest, const char *label,
		  bool enforced, char *scratch)
{
	struct event ev = {
		.what = enforced ? "denied" : "would deny",
		.action = enforced ? "deny" : "would-deny",
		.op = op,
		.file = file,
		.digest = digest,
		.label = label,
		.mode = enforced ? "enforce" : "monitor",
	};

	event_emit(&ev, scratch);
}

static enum fail_cause failure_cause(int err)
{
	switch (err) {
	case -EFBIG:
		return FAIL_OVERSIZE;
	case -ENOMEM:
		return FAIL_NOMEM;
	case -ENODATA:
		return FAIL_UNKNOWN_DIGEST;	/* mprotect: not hashed before, and no I/O allowed */
	default:
		return FAIL_READ_ERROR;
	}
}

static const char *const failure_reasons[FAIL_CAUSES] = {
	[FAIL_OVERSIZE] = "oversize",
	[FAIL_NOMEM] = "nomem",
	[FAIL_UNKNOWN_DIGEST] = "unknown-digest",
	[FAIL_READ_ERROR] = "read-error",
};

/*
 * A policy change or a refused one, with who asked: always logged and audited (changes
 * are rare, and an auditor needs every one). Called by blocklist.c under its policy lock,
 * so generation, mode, lock and count are those the change left. GFP_NOWAIT: a full
 * audit backlog must not hold the policy lock.
 */
void kb_log_policy(const struct kb_policy_change *c)
{
	char comm[TASK_COMM_LEN], ecomm[4 * TASK_COMM_LEN + 1], what[96] = "";
	u32 uid = from_kuid(&init_user_ns, current_uid());
	u32 auid = from_kuid(&init_user_ns, audit_get_loginuid(current));
	struct audit_buffer *ab;

	if (c->param)
		snprintf(what, sizeof(what), "%s old=%llu new=%llu", c->param, c->old_value,
			 c->new_value);
	get_task_comm(comm, current);
	pr_info("policy %s: change=%s%s%s entries=%u total=%u generation=%llu mode=%s locked=%d pid=%d uid=%u auid=%u comm=\"%s\" res=%d err=%d\n",
		c->err ? "refused" : "changed", c->change, c->param ? " name=" : "", what,
		c->entries, kb_blocklist_count(),
		kb_blocklist_generation(), mode_name(), kb_blocklist_locked(),
		task_tgid_nr(current), uid, auid, log_escape(ecomm, comm), !c->err, c->err);
	if (!audit_enabled)
		return;
	ab = audit_log_start(audit_context(), GFP_NOWAIT, AUDIT_KERNEL_OTHER);
	if (!ab)
		return;
	audit_log_format(ab, "kasblock op=policy change=%s%s%s entries=%u total=%u generation=%llu policy_mode=%s locked=%d pid=%d uid=%u auid=%u ses=%u",
			 c->change, c->param ? " param=" : "", what, c->entries, kb_blocklist_count(), kb_blocklist_generation(),
			 mode_name(), kb_blocklist_locked(), task_tgid_nr(current), uid, auid,
			 audit_get_sessionid(current));
	audit_untrusted(ab, "comm", comm, ecomm);
	audit_log_format(ab, " res=%d", !c->err);
	audit_log_end(ab);
}

bool kb_log_hash_failure_allowed(int err)
{
	struct fail_gate *gate = fail_gate(failure_cause(err));

	if (__ratelimit(&gate->rs))
		return true;
	atomic_inc(&gate->suppressed);
	return false;
}

/* After kb_log_hash_failure_allowed() said yes for @err. */
void kb_log_hash_failure(const char *op, struct file *file, int err, bool denied, char *scratch)
{
	enum fail_cause cause = failure_cause(err);
	struct fail_gate *gate = fail_gate(cause);
	struct event ev = {
		.what = "cannot hash",
		.action = denied ? "deny" : "allow",
		.op = op,
		.reason = failure_reasons[cause],
		.err = err,
		.file = file,
		.mode = mode_name(),
		.gate = gate,
		.suppressed = atomic_xchg(&gate->suppressed, 0),
	};

	event_emit(&ev, scratch);
}
