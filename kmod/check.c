// SPDX-License-Identifier: GPL-2.0
/*
 * The verdict on one file: hash it, look the digest up, apply the mode, or apply the
 * failure policy when the file cannot be hashed. Every hook funnels into kb_check_file().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include "kasblock.h"

struct kb_counters kb_counters;

/*
 * One policy for every way hashing can fail (too large, read error, no memory): allow
 * and log (fail-open, the default: a server that cannot boot its own binaries under
 * memory pressure is worse than a missed check), or deny with the cause's errno, so the
 * caller sees EFBIG, EIO or ENOMEM rather than a misleading EPERM.
 */
static int hash_failed(const char *op, struct file *file, int err, char *scratch)
{
	bool deny;

	if (err == -EINTR)
		return err;	/* the task is being killed; nothing to report */
	deny = READ_ONCE(kb_param_fail_closed);
	atomic64_inc(&kb_counters.errors);
	kb_log_hash_failure(op, file, err, deny, scratch);
	return deny ? err : 0;
}

int kb_check_file(struct file *file, const char *op)
{
	u8 digest[KASBLOCK_DIGEST_LEN];
	char label[KASBLOCK_LABEL_MAX];
	struct kb_scratch *scratch;
	bool enforced;
	u64 bytes;
	int err;

	atomic64_inc(&kb_counters.checks);
	/* Nothing listed: nothing to hash. An add racing with this exec orders after it. */
	if (kb_blocklist_is_empty())
		return 0;
	scratch = kb_scratch_get();
	if (!scratch)
		return hash_failed(op, file, -ENOMEM, NULL);
	err = kb_hash_file(scratch, file, digest, &bytes);
	atomic64_add(bytes, &kb_counters.bytes_hashed);
	if (err) {
		err = hash_failed(op, file, err, kb_scratch_buf(scratch));
		goto out;
	}
	if (!kb_blocklist_lookup(digest, label))
		goto out;
	atomic64_inc(&kb_counters.denials);
	enforced = kb_blocklist_mode() == KASBLOCK_MODE_ENFORCE;
	kb_log_match(op, file, digest, label, enforced, kb_scratch_buf(scratch));
	if (enforced)
		err = -EPERM;
out:
	kb_scratch_put(scratch);
	return err;
}
