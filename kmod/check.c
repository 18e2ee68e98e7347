// SPDX-License-Identifier: GPL-2.0
/*
 * The verdict on one file or buffer: find its digest (digest cache, else hash), look it
 * up, apply the mode; or apply the failure policy when it cannot be hashed. Every hook
 * funnels into kb_check_file(), kb_check_known_file() or kb_check_buffer().
 *
 * The common case, a file already seen, costs a list-empty test, a cache lookup and a
 * blocklist lookup: RCU reads only, no lock, no allocation. Scratch memory is taken
 * only to hash, or to log a match.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include "kasblock.h"

struct kb_counters kb_counters;
DEFINE_PER_CPU(struct kb_hot_counters, kb_hot_counters);

/* Each CPU's counts only grow, so a sum read while they move is still a fair reading. */
void kb_hot_counters_sum(struct kb_hot_counters *sum)
{
	const struct kb_hot_counters *c;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(&kb_hot_counters, cpu);
		sum->checks += READ_ONCE(c->checks);
		sum->cache_hits += READ_ONCE(c->cache_hits);
		sum->cache_misses += READ_ONCE(c->cache_misses);
	}
}

/*
 * One policy for every way hashing can fail (too large, read error, no memory, or, for
 * mprotect, a digest not known without I/O): allow and log (fail-open, the default: a
 * server that cannot run its own binaries under memory pressure is worse off than one
 * that misses a check), or deny with the cause's errno, so the caller sees EFBIG, EIO or
 * ENOMEM rather than a misleading EPERM.
 */
static int hash_failed(const char *op, struct file *file, int err)
{
	struct kb_scratch *scratch;
	bool deny;

	if (err == -EINTR)
		return err;	/* the task is being killed; nothing to report */
	deny = READ_ONCE(kb_param_fail_closed);
	atomic64_inc(&kb_counters.errors);
	if (!kb_log_hash_failure_allowed(err))
		return deny ? err : 0;
	scratch = kb_scratch_get();
	kb_log_hash_failure(op, file, err, deny, scratch ? kb_scratch_buf(scratch) : NULL);
	if (scratch)
		kb_scratch_put(scratch);
	return deny ? err : 0;
}

static int verdict(const char *op, struct file *file, const u8 digest[KASBLOCK_DIGEST_LEN])
{
	char label[KASBLOCK_LABEL_MAX];
	struct kb_scratch *scratch;
	bool enforced;

	if (!kb_blocklist_lookup(digest, label))
		return 0;
	atomic64_inc(&kb_counters.denials);
	enforced = kb_blocklist_mode() == KASBLOCK_MODE_ENFORCE;
	scratch = kb_scratch_get();
	kb_log_match(op, file, digest, label, enforced, scratch ? kb_scratch_buf(scratch) : NULL);
	if (scratch)
		kb_scratch_put(scratch);
	return enforced ? -EPERM : 0;
}

/*
 * Hashes @file once however many tasks ask at the same time, and caches the result. A
 * task waits for another's hash of the same file only for a bounded time
 * (kb_cache_wait()), then hashes it itself.
 */
static int hash_and_cache(struct file *file, u8 digest[KASBLOCK_DIGEST_LEN])
{
	struct kb_cache_claim *claim = NULL, *busy;
	struct kb_validator before = {};
	struct kb_scratch *scratch;
	unsigned int tries;
	u64 bytes;
	int err;

	for (tries = 0; tries < 3; tries++) {
		busy = kb_cache_claim(file, &claim);
		if (!busy)
			break;
		err = kb_cache_wait(busy);
		if (err == -ETIMEDOUT)
			break;	/* the other hash is slow: do our own, unclaimed */
		if (err)
			return err;
		if (kb_cache_lookup(file, digest))
			return 0;
	}
	scratch = kb_scratch_get();
	if (!scratch) {
		err = -ENOMEM;
		goto release;
	}
	kb_cache_validator(file, &before);
	err = kb_hash_file(scratch, file, digest, &bytes);
	atomic64_add(bytes, &kb_counters.bytes_hashed);
	kb_scratch_put(scratch);
release:
	kb_cache_release(claim, file, &before, err ? NULL : digest);
	return err;
}

int kb_check_file(struct file *file, const char *op)
{
	u8 digest[KASBLOCK_DIGEST_LEN];
	int err;

	this_cpu_inc(kb_hot_counters.checks);
	/* Nothing listed: nothing to hash. An add racing with this check orders after it. */
	if (kb_blocklist_is_empty())
		return 0;
	if (!kb_cache_lookup(file, digest)) {
		err = hash_and_cache(file, digest);
		if (err)
			return hash_failed(op, file, err);
	}
	return verdict(op, file, digest);
}

/*
 * For hooks that must not do I/O (mprotect runs under the mmap lock): decide from what is
 * already known, the digest cache, else the file's pages if all are in the page cache. A
 * file known neither way follows the failure policy (reason unknown-digest).
 */
int kb_check_known_file(struct file *file, const char *op)
{
	u8 digest[KASBLOCK_DIGEST_LEN];
	struct kb_validator before;
	struct kb_scratch *scratch;
	int err;

	this_cpu_inc(kb_hot_counters.checks);
	if (kb_blocklist_is_empty())
		return 0;
	if (kb_cache_lookup(file, digest))
		return verdict(op, file, digest);
	scratch = kb_scratch_get();
	if (!scratch)
		return hash_failed(op, file, -ENOMEM);
	kb_cache_validator(file, &before);
	err = kb_hash_page_cache(scratch, file, digest);
	kb_scratch_put(scratch);
	if (err)
		return hash_failed(op, file, err);
	kb_cache_store(file, &before, digest);
	return verdict(op, file, digest);
}

/* Bytes the kernel already holds (a module image); @file is NULL for init_module(). */
int kb_check_buffer(const void *buf, size_t size, struct file *file, const char *op)
{
	u8 digest[KASBLOCK_DIGEST_LEN];
	struct kb_scratch *scratch;
	int err;

	this_cpu_inc(kb_hot_counters.checks);
	if (kb_blocklist_is_empty())
		return 0;
	scratch = kb_scratch_get();
	if (!scratch)
		return hash_failed(op, file, -ENOMEM);
	err = kb_hash_buffer(scratch, buf, size, digest);
	kb_scratch_put(scratch);
	if (err)
		return hash_failed(op, file, err);
	atomic64_add(size, &kb_counters.bytes_hashed);
	return verdict(op, file, digest);
}
