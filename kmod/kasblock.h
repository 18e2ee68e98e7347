/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared between kasblock's objects. */
#ifndef _KASBLOCK_H
#define _KASBLOCK_H

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>
#include <linux/types.h>
#include "uapi/kasblock.h"

struct file;
struct linux_binprm;
struct sk_buff;
struct netlink_ext_ack;

/* params.c: module parameters, read with READ_ONCE() wherever they are used. */
extern unsigned int kb_param_max_entries;
extern unsigned long long kb_param_max_hash_size;
extern bool kb_param_fail_closed;
extern unsigned int kb_param_cache_size;
extern bool kb_param_locked;
extern bool kb_param_debug_hook_ns;

/* hash.c: SHA-256 of whole files through the crypto API, with bounded scratch memory. */
#define KB_SCRATCH_SIZE (64 * 1024)
struct kb_scratch;
int kb_hash_init(void);
void kb_hash_exit(void);
const char *kb_hash_driver(void);
/**
 * kb_scratch_get() - a hash descriptor and KB_SCRATCH_SIZE bytes of scratch memory
 *
 * From the preallocated pool, else freshly made with kvmalloc(). Process context.
 * Return: the scratch, or NULL when memory is short; give it back with kb_scratch_put().
 */
struct kb_scratch *kb_scratch_get(void);
void kb_scratch_put(struct kb_scratch *scratch);
char *kb_scratch_buf(struct kb_scratch *scratch);
/**
 * kb_hash_file() - SHA-256 of a whole file, read as it is now
 * @scratch: from kb_scratch_get()
 * @file: a regular file open for reading
 * @digest: the result
 * @bytes: how many bytes were hashed, also on failure
 *
 * May sleep and do I/O; a fatal signal ends it. Context: process, no locks held.
 * Return: 0, -EFBIG past max_hash_size, -EINTR when killed, or the read's error.
 */
int kb_hash_file(struct kb_scratch *scratch, struct file *file,
		 u8 digest[KASBLOCK_DIGEST_LEN], u64 *bytes);
/* The most kb_hash_page_cache() hashes: it runs under the mmap lock. */
#define KB_LOCKED_HASH_MAX (16 << 20)
/**
 * kb_hash_page_cache() - SHA-256 of a file from its cached pages only
 * @scratch: from kb_scratch_get()
 * @file: a regular file open for reading
 * @digest: the result
 *
 * Starts no I/O and takes no page lock, so it may run under the mmap lock.
 * Return: 0; -ENODATA when a page is not cached and up to date or the file is larger
 * than KB_LOCKED_HASH_MAX; -EFBIG past max_hash_size; -EINTR when killed.
 */
int kb_hash_page_cache(struct kb_scratch *scratch, struct file *file,
		       u8 digest[KASBLOCK_DIGEST_LEN]);
/**
 * kb_hash_buffer() - SHA-256 of bytes in kernel memory (a module image)
 * @scratch: from kb_scratch_get()
 * @buf: the bytes
 * @len: how many
 * @digest: the result
 *
 * Return: 0 or the crypto API's error.
 */
int kb_hash_buffer(struct kb_scratch *scratch, const void *buf, size_t len,
		   u8 digest[KASBLOCK_DIGEST_LEN]);

/* blocklist.c: the table of listed digests. */
struct kb_entry_spec {
	const u8 *digest;		/* KASBLOCK_DIGEST_LEN bytes */
	const char *label;		/* NULL or NUL-terminated, < KASBLOCK_LABEL_MAX */
	const struct nlattr *attr;	/* where it came from, for extack */
};
int kb_blocklist_init(void);
void kb_blocklist_exit(void);
bool kb_blocklist_is_empty(void);
/**
 * kb_blocklist_lookup() - whether a digest is listed
 * @digest: the file's SHA-256
 * @label: receives the entry's label ("" if none) when it is listed
 *
 * Context: any; takes rcu_read_lock() only, never a lock, never allocates.
 * Return: true if listed.
 */
bool kb_blocklist_lookup(const u8 digest[KASBLOCK_DIGEST_LEN], char label[KASBLOCK_LABEL_MAX]);
int kb_blocklist_add(struct kb_entry_spec *specs, unsigned int n, struct netlink_ext_ack *extack);
int kb_blocklist_del(struct kb_entry_spec *specs, unsigned int n, struct netlink_ext_ack *extack);
int kb_blocklist_flush(struct netlink_ext_ack *extack);
int kb_blocklist_stage_begin(u32 owner, struct netlink_ext_ack *extack);
int kb_blocklist_stage_add(u32 owner, struct kb_entry_spec *specs, unsigned int n,
			   struct netlink_ext_ack *extack);
int kb_blocklist_stage_commit(u32 owner, struct netlink_ext_ack *extack);
int kb_blocklist_stage_abort(u32 owner, struct netlink_ext_ack *extack);
void kb_blocklist_owner_gone(u32 owner);
int kb_blocklist_set_mode(int mode, struct netlink_ext_ack *extack);
struct kernel_param;
/**
 * kb_blocklist_set_param() - change a policy parameter as a policy change
 * @val: the text written to the parameter
 * @kp: the parameter
 * @set: its setter (param_set_uint() and the like)
 * @value: reads its value back as a number
 *
 * Refused once locked; a change moves the generation; a change or refusal is logged
 * and audited with the old and new value. Context: process, may sleep (policy_lock).
 * Return: 0, -EPERM when locked, or @set's error.
 */
int kb_blocklist_set_param(const char *val, const struct kernel_param *kp,
			   int (*set)(const char *val, const struct kernel_param *kp),
			   u64 (*value)(const struct kernel_param *kp));
bool kb_blocklist_lock(void);
/* Measures the state at load: the measurement log's first record. Context: module init. */
void kb_blocklist_measure_load(void);
bool kb_blocklist_locked(void);
int kb_blocklist_policy_digest(u8 out[KASBLOCK_DIGEST_LEN]);
int kb_blocklist_mode(void);
/*
 * kb_blocklist_generation() - the generation of the list and mode now in force
 *
 * Moves (release) after every change is in place: a lookup that follows a read of it
 * (acquire) sees at least the list of that generation.
 */
u64 kb_blocklist_generation(void);
unsigned int kb_blocklist_count(void);
/* Dump walk: resumes at (bucket, skip); -EMSGSIZE when emit ran out of room, 0 at the end. */
typedef int (*kb_entry_emit_t)(void *ctx, const u8 *digest, const char *label);
int kb_blocklist_walk(unsigned long *bucket, unsigned long *skip, u64 *generation,
		      kb_entry_emit_t emit, void *ctx);

/* cache.c: file digests remembered by inode identity, revalidated on every use. */
struct kb_validator {
	u64 iversion;
	bool cacheable;		/* no writer, and a filesystem whose validator sees writes */
	bool has_iversion;
	struct timespec64 ctime;
	struct timespec64 mtime;
	loff_t size;
};
struct kb_cache_claim;
struct kb_cache_stats {
	atomic64_t evictions;	/* hits and misses are in kb_hot_counters */
};
extern struct kb_cache_stats kb_cache_stats;
int kb_cache_init(void);
void kb_cache_exit(void);
/**
 * kb_cache_lookup() - the cached digest of a file, if it can still be trusted
 * @file: the file about to be exec'd or mapped
 * @digest: receives the digest on a hit
 * @clean_gen: receives, on a hit, the list generation at which the digest was last found
 *	unlisted (kb_cache_set_clean()), U64_MAX if never
 *
 * Trusted only with an unchanged validator, no writer, and a file whose validator sees
 * every change (see cache.c). Counts a hit or a miss. Context: any; RCU only.
 * Return: true on a hit.
 */
bool kb_cache_lookup(struct file *file, u8 digest[KASBLOCK_DIGEST_LEN], u64 *clean_gen);
bool kb_cache_query(struct file *file, u8 digest[KASBLOCK_DIGEST_LEN]);
void kb_cache_set_clean(struct file *file, const u8 digest[KASBLOCK_DIGEST_LEN], u64 gen);
void kb_cache_validator(struct file *file, struct kb_validator *v);
struct kb_cache_claim *kb_cache_claim(struct file *file, struct kb_cache_claim **claimp);
int kb_cache_wait(struct kb_cache_claim *c);
void kb_cache_release(struct kb_cache_claim *c, struct file *file,
		      const struct kb_validator *before, const u8 *digest);
void kb_cache_store(struct file *file, const struct kb_validator *before,
		    const u8 digest[KASBLOCK_DIGEST_LEN]);
unsigned int kb_cache_count(void);
struct super_block;
bool kb_sb_remote(const struct super_block *sb);

/* check.c: the verdict for one file, shared by every hook. */

/*
 * What every exec and executable mapping counts, on every CPU at once: per-CPU, so the
 * hot path touches no shared cache line; summed when status is read.
 */
struct kb_hot_counters {
	u64 checks;
	u64 cache_hits;
	u64 cache_misses;
};
DECLARE_PER_CPU(struct kb_hot_counters, kb_hot_counters);
void kb_hot_counters_sum(struct kb_hot_counters *sum);

/* Rare events: a denial, a hash, an error. */
struct kb_counters {
	atomic64_t denials;
	atomic64_t bytes_hashed;
	atomic64_t errors;
};
extern struct kb_counters kb_counters;
/**
 * kb_check_file() - the verdict on a file about to be exec'd or mapped executable
 * @file: the file
 * @op: what is being done, for the log ("exec", "mmap")
 *
 * Digest from the cache, else hashed (and cached); a match is logged, audited and
 * sent to listeners. Context: process, no locks held; may sleep and do I/O.
 * Return: 0 to allow, -EPERM for a listed file in enforce mode, or under fail-closed
 * the hashing error (-EFBIG, -EIO, -ENOMEM); -EINTR when the task is being killed.
 */
int kb_check_file(struct file *file, const char *op);
/**
 * kb_check_known_file() - kb_check_file() without I/O, for callers under the mmap lock
 * @file: the file
 * @op: what is being done, for the log ("mprotect")
 *
 * Return: as kb_check_file(); a digest not known without I/O is the failure policy's
 * (-ENODATA when fail-closed).
 */
int kb_check_known_file(struct file *file, const char *op);
/**
 * kb_check_buffer() - the verdict on bytes the kernel already holds (a module image)
 * @buf: the bytes
 * @size: how many
 * @file: where they came from, or NULL (init_module())
 * @op: what is being done, for the log ("module")
 *
 * Return: as kb_check_file().
 */
int kb_check_buffer(const void *buf, size_t size, struct file *file, const char *op);

/*
 * check.c: where a hook's time goes, collected only while the debug_hook_ns parameter is
 * set (off by default: it costs two clock reads per slot). Under the bench's
 * instruction-count clock a nanosecond is one guest instruction. Each hook has a slot for
 * kasblock's own work and one for the original security_*() it calls; the check has
 * slots for its parts.
 */
enum kb_debug_slot {
	KB_DBG_BPRM_CHECK,
	KB_DBG_BPRM_CHECK_ORIG,
	KB_DBG_MMAP_FILE,
	KB_DBG_MMAP_FILE_ORIG,
	KB_DBG_FILE_MPROTECT,
	KB_DBG_FILE_MPROTECT_ORIG,
	KB_DBG_POST_READ_FILE,
	KB_DBG_POST_READ_FILE_ORIG,
	KB_DBG_POST_LOAD_DATA,
	KB_DBG_POST_LOAD_DATA_ORIG,
	KB_DBG_CHECK_EMPTY,		/* the list-empty test */
	KB_DBG_CHECK_CACHE,		/* the digest cache lookup */
	KB_DBG_CHECK_LIST,		/* the blocklist lookup (skipped by a clean hit) */
	KB_DBG_NR
};
struct kb_debug_ns {
	u64 calls[KB_DBG_NR];
	u64 ns[KB_DBG_NR];
};
DECLARE_PER_CPU(struct kb_debug_ns, kb_debug_ns);

/* A start time while debug_hook_ns is set, else 0 (and the slot is not counted). */
static __always_inline u64 kb_debug_start(void)
{
	return unlikely(READ_ONCE(kb_param_debug_hook_ns)) ? ktime_get_ns() : 0;
}

/* Counts the time since @start in @slot; returns the time now, the next slot's start. */
static __always_inline u64 kb_debug_lap(enum kb_debug_slot slot, u64 start)
{
	u64 now;

	if (likely(!start))
		return 0;
	now = ktime_get_ns();
	this_cpu_inc(kb_debug_ns.calls[slot]);
	this_cpu_add(kb_debug_ns.ns[slot], now - start);
	return now;
}
void kb_debug_reset(void);
int kb_debug_show(char *buf);

/* log.c: kernel log lines and audit records. */
void kb_log_match(const char *op, struct file *file, const u8 *digest, const char *label,
		  bool enforced, char *scratch);
/**
 * kb_log_hash_failure_allowed() - whether a hash failure may be reported now
 * @err: the failure's errno (its cause)
 *
 * One ratelimit per cause and uid slot, apart from the matches'. Counts what it holds
 * back, for the next report's suppressed=. Context: any.
 */
bool kb_log_hash_failure_allowed(int err);
void kb_log_hash_failure(const char *op, struct file *file, int err, bool denied, char *scratch);
void kb_log_init(void);
/* One change of the policy, or one refused: what blocklist.c hands kb_log_policy(). */
struct kb_policy_change {
	const char *change;		/* add, del, replace, flush, mode-*, lock, param */
	unsigned int entries;		/* how many the request named */
	const char *param;		/* change=param: the parameter's name, else NULL */
	unsigned long long old_value, new_value;
	int err;			/* 0, or why it was refused */
};
/**
 * kb_log_policy() - log and audit a policy change or refusal
 * @c: the change
 *
 * Context: under blocklist.c's policy lock, so the state it prints is the change's.
 */
void kb_log_policy(const struct kb_policy_change *c);

/* measure.c: the measurement log, each record extended into a TPM PCR (attestation). */
struct kb_measure_state {
	u64 generation;
	int mode;
	bool locked;
	bool fail_closed;
	bool no_digest;			/* policy_digest could not be computed */
	u8 policy_digest[KASBLOCK_DIGEST_LEN];
	u32 nr_entries;
	u32 max_entries;
	u64 max_hash_size;
};
int kb_measure_init(void);
void kb_measure_exit(void);
/* enum kasblock_attest_state; KASBLOCK_ATTEST_AVAILABLE once init found a usable TPM. */
int kb_measure_state(void);
int kb_measure_pcr(void);
void kb_measure_counts(unsigned int *n, unsigned int *gaps);
u64 kb_measure_tpm_errors(void);
/**
 * kb_measure_change() - append a record of the policy state @s and extend the PCR with it
 * @s: the state after the change
 * @change: enum kasblock_measure_change
 *
 * Does nothing unless attestation is available. A TPM error is logged, audited, counted
 * and marked in the log, never returned. Context: process, may sleep; called with
 * blocklist.c's policy_lock held (never from a hook).
 */
void kb_measure_change(const struct kb_measure_state *s, u32 change);
/* Dump walk from record *@pos; stops at @emit's first error (left at *@pos) or the end. */
typedef int (*kb_measure_emit_t)(void *ctx, const struct kasblock_measurement *rec,
				 bool extended);
int kb_measure_walk(unsigned long *pos, kb_measure_emit_t emit, void *ctx);

/* hooks.c: hook functions with LSM signatures. */
struct vm_area_struct;
enum kernel_read_file_id;
enum kernel_load_data_id;
int hook_bprm_check_security(struct linux_binprm *bprm);
int hook_mmap_file(struct file *file, unsigned long reqprot, unsigned long prot,
		   unsigned long flags);
int hook_file_mprotect(struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot);
int hook_kernel_post_read_file(struct file *file, char *buf, loff_t size,
			       enum kernel_read_file_id id);
int hook_kernel_post_load_data(char *buf, loff_t size, enum kernel_load_data_id id,
			       char *description);

/* attach_ftrace.c: how the hooks get in front of the kernel's security_*() functions. */
int kb_attach_init(void);
void kb_attach_exit(void);

/* netlink.c: the generic netlink family. */
int kb_netlink_init(void);
void kb_netlink_exit(void);
struct kb_event_fields {
	const char *action, *op, *comm, *path, *label;
	const u8 *digest;
	u32 dev;
	u64 ino;
	int mode;
};
/**
 * kb_netlink_event() - send a match to the event listeners
 * @f: what to say
 *
 * Context: any task context; GFP_NOWAIT, never waits for a slow listener.
 */
void kb_netlink_event(const struct kb_event_fields *f);
extern atomic64_t kb_events_dropped;

#endif /* _KASBLOCK_H */
