// SPDX-License-Identifier: GPL-2.0
/*
 * The verdict on one file or buffer: find its digest (digest cache, else hash), look it
 * up, apply the mode; or apply the failure policy when it cannot be hashed. Every hook
 * funnels into kb_check_file(), kb_check_known_file() or kb_check_buffer().
 *
 * The common case, a file already seen and the list unchanged since it was last looked up,
 * costs a list-empty test and a cache lookup, whose entry carries the list generation at
 * which its digest was last found unlisted; after a change of the list, one blocklist
 * lookup more. RCU reads only, no lock, no allocation. Scratch memory is taken only to
 * hash, or to log a match.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/sysfs.h>
#include "kasblock.h"

struct kb_counters kb_counters;
DEFINE_PER_CPU(struct kb_hot_counters, kb_hot_counters);
DEFINE_PER_CPU(struct kb_debug_ns, kb_debug_ns);

static const char *const debug_slot_names[KB_DBG_NR] = {
	[KB_DBG_BPRM_CHECK] = "bprm_check",
	[KB_DBG_BPRM_CHECK_ORIG] = "bprm_check.original",
	[KB_DBG_MMAP_FILE] = "mmap_file",
	[KB_DBG_MMAP_FILE_ORIG] = "mmap_file.original",
	[KB_DBG_FILE_MPROTECT] = "file_mprotect",
	[KB_DBG_FILE_MPROTECT_ORIG] = "file_mprotect.original",
	[KB_DBG_POST_READ_FILE] = "kernel_post_read_file",
	[KB_DBG_POST_READ_FILE_ORIG] = "kernel_post_read_file.original",
	[KB_DBG_POST_LOAD_DATA] = "kernel_post_load_data",
	[KB_DBG_POST_LOAD_DATA_ORIG] = "kernel_post_load_data.original",
	[KB_DBG_CHECK_EMPTY] = "check.list_empty",
	[KB_DBG_CHECK_CACHE] = "check.cache_lookup",
	[KB_DBG_CHECK_LIST] = "check.list_lookup",
};

/* What one clock read costs, measured when collection starts, to subtract by eye. */
static u64 debug_clock_ns;

/* Counts racing with the reset may survive it; this is a debugging aid. */
void kb_debug_reset(void)
{
	unsigned int i;
	u64 t0, t1;
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&kb_debug_ns, cpu), 0, sizeof(struct kb_debug_ns));
	t0 = ktime_get_ns();
	for (i = 0; i < 1000; i++)
		t1 = ktime_get_ns();
	debug_clock_ns = (t1 - t0) / 1000;
}

/* One line per slot that ran: name, calls, total ns, ns per call. */
int kb_debug_show(char *buf)
{
	u64 calls, ns;
	int cpu, len;
	unsigned int i;

	len = sysfs_emit(buf, "clock_read_ns %llu\n", debug_clock_ns);
	for (i = 0; i < KB_DBG_NR; i++) {
		calls = ns = 0;
		for_each_possible_cpu(cpu) {
			calls += READ_ONCE(per_cpu_ptr(&kb_debug_ns, cpu)->calls[i]);
			ns += READ_ONCE(per_cpu_ptr(&kb_debug_ns, cpu)->ns[i]);
		}
		if (calls)
			len += sysfs_emit_at(buf, len, "%s %llu %llu %llu\n", debug_slot_names[i],
					     calls, ns, div64_u64(ns, calls));
	}
	return len;
}

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

/* No generation to record a clean verdict at: the digest is not of a cached file. */
#define NO_GEN U64_MAX

/*
 * @gen: the list generation read before this lookup; an unlisted digest is recorded
 * clean at it in @file's cache entry, so the next hit skips the lookup until the list
 * changes.
 */
static int verdict(const char *op, struct file *file, const u8 digest[KASBLOCK_DIGEST_LEN],
		   u64 gen)
{
	char label[KASBLOCK_LABEL_MAX];
	struct kb_scratch *scratch;
	bool enforced;

	if (!kb_blocklist_lookup(digest, label)) {
		if (gen != NO_GEN)
			kb_cache_set_clean(file, digest, gen);
		return 0;
	}
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
		if (kb_cache_lookup(file, digest, NULL))
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
	u64 gen, clean_gen = NO_GEN;
	bool hit;
	u64 t;
	int err;

	this_cpu_inc(kb_hot_counters.checks);
	t = kb_debug_start();
	/* Nothing listed: nothing to hash. An add racing with this check orders after it. */
	if (kb_blocklist_is_empty())
		return 0;
	t = kb_debug_lap(KB_DBG_CHECK_EMPTY, t);
	/* Before any lookup: a change after this read moves it past what we record. */
	gen = kb_blocklist_generation();
	hit = kb_cache_lookup(file, digest, &clean_gen);
	t = kb_debug_lap(KB_DBG_CHECK_CACHE, t);
	if (hit && clean_gen == gen)
		return 0;	/* unlisted at this very generation */
	if (!hit) {
		err = hash_and_cache(file, digest);
		if (err)
			return hash_failed(op, file, err);
		t = kb_debug_start();
	}
	err = verdict(op, file, digest, gen);
	kb_debug_lap(KB_DBG_CHECK_LIST, t);
	return err;
}

/*
 * For hooks that must not do I/O (mprotect runs under the mmap lock): decide from what is
 * already known, the digest cache, else the file's pages if all are in the page cache. A
 * file known neither way follows the failure policy (reason unknown-digest).
 */
int kb_check_known_file(struct file *file, const char *op)
{
	u8 digest[KASBLOCK_DIGEST_LEN];
	u64 gen, clean_gen = NO_GEN;
	struct kb_validator before;
	struct kb_scratch *scratch;
	int err;

	this_cpu_inc(kb_hot_counters.checks);
	if (kb_blocklist_is_empty())
		return 0;
	gen = kb_blocklist_generation();
	if (kb_cache_lookup(file, digest, &clean_gen)) {
		if (clean_gen == gen)
			return 0;
		return verdict(op, file, digest, gen);
	}
	scratch = kb_scratch_get();
	if (!scratch)
		return hash_failed(op, file, -ENOMEM);
	kb_cache_validator(file, &before);
	err = kb_hash_page_cache(scratch, file, digest);
	kb_scratch_put(scratch);
	if (err)
		return hash_failed(op, file, err);
	kb_cache_store(file, &before, digest);
	return verdict(op, file, digest, gen);
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
	return verdict(op, file, digest, NO_GEN);
}
