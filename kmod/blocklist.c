// SPDX-License-Identifier: GPL-2.0
/*
 * The blocklist: a hash table of SHA-256 digests, read by the hooks on every check.
 *
 * Locking model:
 *  - Readers (the hooks, the dump) run under rcu_read_lock() and see the table through
 *    the one pointer `active`; they never take a lock and never allocate.
 *  - Writers (netlink commands, the mode parameter) hold policy_lock, a mutex, so they may
 *    allocate with GFP_KERNEL and wait in synchronize_rcu().
 *  - A published table changes only through hlist_*_rcu() operations, each of which keeps
 *    every chain walkable; an entry or table taken out of reach is freed only after
 *    synchronize_rcu(). Entries are immutable once published: a new label means a new
 *    entry put in place with hlist_replace_rcu().
 *  - Growing a published table copies it, so a reader walking the old chains never falls
 *    into the new ones and misses an entry. The staged table (atomic replace) is private
 *    to writers until commit publishes it with a single rcu_assign_pointer(): an exec
 *    sees the old list or the new one, never a mix.
 *  - The bucket is chosen by SipHash under a per-table random key: digests are file
 *    contents an attacker can grind, and must not be able to pile into one chain.
 *
 * Each change of the active list or the mode increments `generation`, under the lock,
 * and stamps it on the active table: a dump reports the generation of the table it
 * walked, so a part that walked a newly published table never carries the old number
 * (which would hide the change from the dump's consistency check).
 *
 * Once `locked` (until reboot), nothing may make the policy weaker: entries can be added,
 * but not deleted, flushed or replaced by a list that drops one, and the mode stays
 * enforce. The module pins itself so it cannot be unloaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include "kasblock.h"

#define MIN_BITS 10
#define MAX_BITS 24

struct kb_entry {
	struct hlist_node node;
	u8 digest[KASBLOCK_DIGEST_LEN];
	char *label;			/* NULL, or kmalloc'd and immutable */
};

struct kb_table {
	u64 generation;		/* what `generation` was when this table last changed */
	siphash_key_t key;
	unsigned int count;
	unsigned int bits;
	struct hlist_head buckets[];
};

static struct kmem_cache *entry_cache;
static struct kb_table __rcu *active;
static struct kb_table *staged;		/* under policy_lock */
static u32 staged_owner;		/* netlink portid that opened `staged` */
static DEFINE_MUTEX(policy_lock);
static u64 generation;
static int mode = KASBLOCK_MODE_ENFORCE;
static bool locked;
static u8 policy_digest[KASBLOCK_DIGEST_LEN];	/* cache of kb_blocklist_policy_digest() */
static u64 policy_digest_generation = U64_MAX;
static u64 measured_generation = U64_MAX;	/* the generation the last record holds */

#define deref_locked(p) rcu_dereference_protected(p, lockdep_is_held(&policy_lock))

/*
 * After an in-place change of the active table or of the mode. Under policy_lock.
 * There is no table yet while the load parameters are parsed (mode=monitor sets the
 * mode before kb_blocklist_init()); the first table takes the generation then.
 */
static void bump_generation(void)
{
	struct kb_table *t = deref_locked(active);
	u64 g = generation + 1;

	if (t)
		WRITE_ONCE(t->generation, g);
	/* Release: a reader that sees g sees the change (kb_blocklist_generation()). */
	smp_store_release(&generation, g);
}

static int policy_digest_locked(u8 out[KASBLOCK_DIGEST_LEN]);

/*
 * A change that moved the generation goes into the measurement log (measure.c), under
 * policy_lock: the log's order is the changes' order, and the state recorded is the one
 * this change left. policy_lock is taken by writers only, never on the exec path (which
 * reads under RCU), so a slow TPM holds up the next change, not an exec. The policy
 * digest costs a sort of the list, paid only when attestation is available.
 */
static void measure(u32 change)
{
	struct kb_measure_state s = {};

	lockdep_assert_held(&policy_lock);
	if (kb_measure_state() != KASBLOCK_ATTEST_AVAILABLE || !rcu_access_pointer(active))
		return;
	if (change != KASBLOCK_MEASURE_LOAD && measured_generation == generation)
		return;		/* nothing changed (the mode it already had) */
	s.generation = generation;
	s.mode = mode;
	s.locked = locked;
	s.fail_closed = READ_ONCE(kb_param_fail_closed);
	s.no_digest = policy_digest_locked(s.policy_digest) != 0;
	s.nr_entries = deref_locked(active)->count;
	s.max_entries = READ_ONCE(kb_param_max_entries);
	s.max_hash_size = READ_ONCE(kb_param_max_hash_size);
	kb_measure_change(&s, change);
	measured_generation = generation;
}

/* The first record of the measurement log: the state the module was loaded with. */
void kb_blocklist_measure_load(void)
{
	mutex_lock(&policy_lock);
	measure(KASBLOCK_MEASURE_LOAD);
	mutex_unlock(&policy_lock);
}

/*
 * Every change of the policy, and every refusal, is logged here, under policy_lock, so
 * the record carries the generation the change made and no path can change the policy
 * without one. Not while the load parameters are parsed (no table yet): the "loaded"
 * line says what they were. A change (not a refusal) is measured too.
 */
static void log_change(const char *change, unsigned int entries, int err, u32 what)
{
	struct kb_policy_change c = { .change = change, .entries = entries, .err = err };

	lockdep_assert_held(&policy_lock);
	if (rcu_access_pointer(active))
		kb_log_policy(&c);
	if (!err)
		measure(what);
}

static int refuse_locked(const char *what, struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG(extack, "locked: the policy cannot be weakened until reboot");
	pr_notice_ratelimited("refused %s: locked\n", what);
	return -EPERM;
}

static struct kb_table *table_alloc(unsigned int bits)
{
	struct kb_table *t;

	t = kvzalloc(struct_size(t, buckets, 1UL << bits), GFP_KERNEL);
	if (!t)
		return NULL;
	t->bits = bits;
	get_random_bytes(&t->key, sizeof(t->key));
	return t;
}

static struct hlist_head *bucket_of(struct kb_table *t, const u8 *digest)
{
	u64 h = siphash(digest, KASBLOCK_DIGEST_LEN, &t->key);

	return &t->buckets[h & ((1UL << t->bits) - 1)];
}

/* Under rcu_read_lock() or policy_lock. */
static struct kb_entry *table_find(struct kb_table *t, const u8 *digest)
{
	struct kb_entry *e;

	hlist_for_each_entry_rcu(e, bucket_of(t, digest), node, lockdep_is_held(&policy_lock))
		if (!memcmp(e->digest, digest, KASBLOCK_DIGEST_LEN))
			return e;
	return NULL;
}

static struct kb_entry *entry_new(const u8 *digest, const char *label)
{
	struct kb_entry *e = kmem_cache_alloc(entry_cache, GFP_KERNEL);

	if (!e)
		return NULL;
	memcpy(e->digest, digest, KASBLOCK_DIGEST_LEN);
	e->label = NULL;
	if (label && *label) {
		e->label = kstrdup(label, GFP_KERNEL);
		if (!e->label) {
			kmem_cache_free(entry_cache, e);
			return NULL;
		}
	}
	return e;
}

static void entry_free(struct kb_entry *e)
{
	kfree(e->label);
	kmem_cache_free(entry_cache, e);
}

static void table_free(struct kb_table *t)
{
	struct hlist_node *tmp;
	struct kb_entry *e;
	unsigned long i;

	if (!t)
		return;
	for (i = 0; i < (1UL << t->bits); i++) {
		hlist_for_each_entry_safe(e, tmp, &t->buckets[i], node)
			entry_free(e);
		if (!(i & 1023))
			cond_resched();
	}
	kvfree(t);
}

/* Load factor at most two entries per bucket: 4 to 8 bytes of bucket per entry. */
static unsigned int bits_for(u64 count)
{
	unsigned int bits = MIN_BITS;

	while (bits < MAX_BITS && (2ULL << bits) < count)
		bits++;
	return bits;
}

/*
 * A bigger copy of @t. A published table is copied entry by entry, because readers may
 * be walking it; a private one has its entries moved and is freed here.
 */
static struct kb_table *table_grow(struct kb_table *t, unsigned int bits, bool published)
{
	struct hlist_node *tmp;
	struct kb_table *nt;
	struct kb_entry *e, *c;
	unsigned long i;

	nt = table_alloc(bits);
	if (!nt)
		return NULL;
	for (i = 0; i < (1UL << t->bits); i++) {
		hlist_for_each_entry_safe(e, tmp, &t->buckets[i], node) {
			if (published) {
				c = entry_new(e->digest, e->label);
				if (!c) {
					table_free(nt);
					return NULL;
				}
			} else {
				hlist_del(&e->node);
				c = e;
			}
			hlist_add_head(&c->node, bucket_of(nt, c->digest));
			WRITE_ONCE(nt->count, nt->count + 1);
		}
		if (!(i & 1023))
			cond_resched();
	}
	if (!published)
		kvfree(t);
	return nt;
}

static int spec_cmp(const void *a, const void *b)
{
	const struct kb_entry_spec *x = a, *y = b;

	return memcmp(x->digest, y->digest, KASBLOCK_DIGEST_LEN);
}

/*
 * lib/sort is a heapsort, which does not keep equal elements in order: ties are broken
 * by where the entry sat in the message (specs point into it in message order), so
 * "the last one given" below means what it says.
 */
static int spec_cmp_stable(const void *a, const void *b)
{
	const struct kb_entry_spec *x = a, *y = b;

	return spec_cmp(a, b) ?: (x->attr > y->attr) - (x->attr < y->attr);
}

/* Sorts @specs and drops repeated digests; the last label given for a digest wins. */
static unsigned int sort_unique(struct kb_entry_spec *specs, unsigned int n)
{
	unsigned int i, out = 0;

	sort(specs, n, sizeof(*specs), spec_cmp_stable, NULL);
	for (i = 0; i < n; i++) {
		if (out && !spec_cmp(&specs[out - 1], &specs[i]))
			specs[out - 1] = specs[i];
		else
			specs[out++] = specs[i];
	}
	return out;
}

static bool label_differs(const struct kb_entry *e, const char *label)
{
	if (!label || !*label)
		return false;	/* no label given: keep the entry as it is */
	return !e->label || strcmp(e->label, label);
}

/*
 * Adds every spec to *@tp or none. Everything that can fail happens before the first
 * change; after that, each step is an RCU-safe publication.
 */
static int batch_add(struct kb_table **tp, bool published, struct kb_entry_spec *specs,
		     unsigned int n, struct netlink_ext_ack *extack)
{
	struct kb_table *t = *tp, *nt = NULL, *target;
	struct kb_entry **fresh, *old;
	unsigned int i, missing = 0, bits;
	bool replaced = false;
	int err = -ENOMEM;

	n = sort_unique(specs, n);
	fresh = kvcalloc(n, sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		goto nomem;
	for (i = 0; i < n; i++)
		if (!table_find(t, specs[i].digest))
			missing++;
	if ((u64)t->count + missing > READ_ONCE(kb_param_max_entries)) {
		NL_SET_ERR_MSG(extack, "list full: adding these entries would exceed max_entries");
		err = -ENOSPC;
		goto free_fresh;
	}
	for (i = 0; i < n; i++) {
		old = table_find(t, specs[i].digest);
		if (old && !label_differs(old, specs[i].label))
			continue;
		fresh[i] = entry_new(specs[i].digest, specs[i].label);
		if (!fresh[i])
			goto free_fresh;
	}
	bits = bits_for((u64)t->count + missing);
	if (bits > t->bits) {
		nt = table_grow(t, bits, published);
		if (!nt)
			goto free_fresh;
		if (!published)
			t = NULL;	/* moved into nt and freed */
	}

	/* Nothing below fails. */
	target = nt ?: t;
	for (i = 0; i < n; i++) {
		if (!fresh[i])
			continue;
		old = table_find(target, specs[i].digest);
		if (old) {
			hlist_replace_rcu(&old->node, &fresh[i]->node);
			replaced = true;
		} else {
			hlist_add_head_rcu(&fresh[i]->node, bucket_of(target, specs[i].digest));
			WRITE_ONCE(target->count, target->count + 1);
		}
		fresh[i] = old;		/* from here on: what to free */
	}
	if (nt) {
		if (published) {
			/* The generation the caller is about to bump to, stamped before publishing. */
			nt->generation = generation + 1;
			rcu_assign_pointer(active, nt);
			synchronize_rcu();
			table_free(t);
		}
		*tp = nt;
	} else if (published && replaced) {
		synchronize_rcu();
	}
	err = 0;
	/* On success fresh[] holds replaced entries; on failure, unpublished new ones. */
free_fresh:
	for (i = 0; i < n; i++)
		if (fresh[i])
			entry_free(fresh[i]);
	kvfree(fresh);
	if (!err)
		return 0;
nomem:
	if (err == -ENOMEM)
		NL_SET_ERR_MSG(extack, "out of memory");
	return err;
}

int kb_blocklist_add(struct kb_entry_spec *specs, unsigned int n, struct netlink_ext_ack *extack)
{
	struct kb_table *t;
	int err;

	mutex_lock(&policy_lock);
	t = deref_locked(active);
	err = batch_add(&t, true, specs, n, extack);
	if (!err)
		bump_generation();
	log_change("add", n, err, KASBLOCK_MEASURE_ADD);
	mutex_unlock(&policy_lock);
	return err;
}

int kb_blocklist_del(struct kb_entry_spec *specs, unsigned int n, struct netlink_ext_ack *extack)
{
	struct kb_table *t;
	struct kb_entry **gone;
	unsigned int i;
	unsigned int asked = n;
	int err = 0;

	mutex_lock(&policy_lock);
	if (locked) {
		err = refuse_locked("del", extack);
		goto unlock;
	}
	t = deref_locked(active);
	n = sort_unique(specs, n);
	gone = kvcalloc(n, sizeof(*gone), GFP_KERNEL);
	if (!gone) {
		NL_SET_ERR_MSG(extack, "out of memory");
		err = -ENOMEM;
		goto unlock;
	}
	for (i = 0; i < n; i++) {
		gone[i] = table_find(t, specs[i].digest);
		if (!gone[i]) {
			NL_SET_ERR_MSG_ATTR(extack, specs[i].attr, "digest is not in the list");
			err = -ENOENT;
			goto free;
		}
	}
	for (i = 0; i < n; i++) {
		hlist_del_rcu(&gone[i]->node);
		WRITE_ONCE(t->count, t->count - 1);
	}
	bump_generation();
	synchronize_rcu();
	for (i = 0; i < n; i++)
		entry_free(gone[i]);
free:
	kvfree(gone);
unlock:
	log_change("del", asked, err, KASBLOCK_MEASURE_DEL);
	mutex_unlock(&policy_lock);
	return err;
}

/* Publishes @t as the active list and frees the one it replaces. */
static void publish(struct kb_table *t)
{
	struct kb_table *old = deref_locked(active);

	t->generation = generation + 1;
	rcu_assign_pointer(active, t);
	smp_store_release(&generation, t->generation);
	synchronize_rcu();
	table_free(old);
}

int kb_blocklist_flush(struct netlink_ext_ack *extack)
{
	struct kb_table *t = table_alloc(MIN_BITS);
	int err = 0;

	if (!t) {
		NL_SET_ERR_MSG(extack, "out of memory");
		return -ENOMEM;
	}
	mutex_lock(&policy_lock);
	if (locked) {
		err = refuse_locked("flush", extack);
	} else {
		publish(t);
		t = NULL;
	}
	log_change("flush", 0, err, KASBLOCK_MEASURE_FLUSH);
	mutex_unlock(&policy_lock);
	table_free(t);
	return err;
}

int kb_blocklist_stage_begin(u32 owner, struct netlink_ext_ack *extack)
{
	struct kb_table *t = table_alloc(MIN_BITS);
	int err = 0;

	if (!t) {
		NL_SET_ERR_MSG(extack, "out of memory");
		return -ENOMEM;
	}
	mutex_lock(&policy_lock);
	if (staged && staged_owner != owner) {
		NL_SET_ERR_MSG(extack, "another replace is in progress");
		err = -EBUSY;
	} else {
		/* The same socket starting again drops what it had staged. */
		table_free(staged);
		staged = t;
		staged_owner = owner;
		t = NULL;
	}
	mutex_unlock(&policy_lock);
	table_free(t);
	return err;
}

static bool owns_stage(u32 owner, struct netlink_ext_ack *extack)
{
	if (staged && staged_owner == owner)
		return true;
	NL_SET_ERR_MSG(extack, "no replace in progress on this socket");
	return false;
}

int kb_blocklist_stage_add(u32 owner, struct kb_entry_spec *specs, unsigned int n,
			   struct netlink_ext_ack *extack)
{
	int err = -ENOENT;

	mutex_lock(&policy_lock);
	if (owns_stage(owner, extack))
		err = batch_add(&staged, false, specs, n, extack);
	mutex_unlock(&policy_lock);
	return err;
}

/* Whether every digest of @small is also in @big. */
static bool covers(struct kb_table *big, struct kb_table *small)
{
	struct kb_entry *e;
	unsigned long i;

	for (i = 0; i < (1UL << small->bits); i++) {
		hlist_for_each_entry(e, &small->buckets[i], node)
			if (!table_find(big, e->digest))
				return false;
		if (!(i & 1023))
			cond_resched();
	}
	return true;
}

int kb_blocklist_stage_commit(u32 owner, struct netlink_ext_ack *extack)
{
	int err = -ENOENT;

	mutex_lock(&policy_lock);
	if (owns_stage(owner, extack)) {
		if (locked && !covers(staged, deref_locked(active))) {
			err = refuse_locked("replace that drops entries", extack);
		} else {
			publish(staged);
			staged = NULL;
			err = 0;
		}
		log_change("replace", deref_locked(active)->count, err, KASBLOCK_MEASURE_REPLACE);
	}
	mutex_unlock(&policy_lock);
	return err;
}

int kb_blocklist_stage_abort(u32 owner, struct netlink_ext_ack *extack)
{
	int err = -ENOENT;

	mutex_lock(&policy_lock);
	if (owns_stage(owner, extack)) {
		table_free(staged);
		staged = NULL;
		err = 0;
	}
	mutex_unlock(&policy_lock);
	return err;
}

/* The socket that opened a staged replace closed without committing: drop it. */
void kb_blocklist_owner_gone(u32 owner)
{
	mutex_lock(&policy_lock);
	if (staged && staged_owner == owner) {
		table_free(staged);
		staged = NULL;
	}
	mutex_unlock(&policy_lock);
}

/*
 * On every exec and executable mapping: a sched-RCU read section (preemption off) costs
 * less than a preemptible one, and synchronize_rcu() waits for it too.
 */
bool kb_blocklist_is_empty(void)
{
	bool empty;

	rcu_read_lock_sched();
	empty = !READ_ONCE(rcu_dereference_sched(active)->count);
	rcu_read_unlock_sched();
	return empty;
}

bool kb_blocklist_lookup(const u8 digest[KASBLOCK_DIGEST_LEN], char label[KASBLOCK_LABEL_MAX])
{
	struct kb_entry *e;

	rcu_read_lock();
	e = table_find(rcu_dereference(active), digest);
	if (e && label)
		strscpy(label, e->label ?: "", KASBLOCK_LABEL_MAX);
	rcu_read_unlock();
	return e;
}

/*
 * Emits entries from bucket *@bucket, skipping the first *@skip of its chain, until
 * @emit fails; then records where to resume and returns -EMSGSIZE. Returns 0 at the end.
 * *@gen gets the generation of the table walked, so the caller can flag a dump that
 * spans a change.
 */
int kb_blocklist_walk(unsigned long *bucket, unsigned long *skip, u64 *gen,
		      kb_entry_emit_t emit, void *ctx)
{
	struct kb_table *t;
	struct kb_entry *e;
	unsigned long b, i;
	int err = 0;

	rcu_read_lock();
	t = rcu_dereference(active);
	*gen = READ_ONCE(t->generation);
	for (b = *bucket; b < (1UL << t->bits); b++) {
		i = 0;
		hlist_for_each_entry_rcu(e, &t->buckets[b], node) {
			if (i++ < *skip)
				continue;
			if (emit(ctx, e->digest, e->label)) {
				*bucket = b;
				*skip = i - 1;
				err = -EMSGSIZE;
				goto out;
			}
		}
		*skip = 0;
	}
	*bucket = b;
out:
	rcu_read_unlock();
	return err;
}

int kb_blocklist_set_mode(int m, struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&policy_lock);
	if (locked && m != KASBLOCK_MODE_ENFORCE) {
		err = refuse_locked("mode change", extack);
	} else if (mode != m) {
		WRITE_ONCE(mode, m);
		bump_generation();
	}
	log_change(m == KASBLOCK_MODE_MONITOR ? "mode-monitor" : "mode-enforce", 0, err,
		   KASBLOCK_MEASURE_MODE);
	mutex_unlock(&policy_lock);
	return err;
}

/*
 * A write to a parameter that decides what is denied (max_entries, max_hash_size,
 * fail_closed) is a policy change like any other: refused once locked, and otherwise
 * logged with its old and new value, and the generation moves if the value did. @set is
 * the parameter's own setter, @value reads it back as a number. Module parameters are
 * set under the kernel's param lock, which is always taken before policy_lock.
 */
int kb_blocklist_set_param(const char *val, const struct kernel_param *kp,
			   int (*set)(const char *val, const struct kernel_param *kp),
			   u64 (*value)(const struct kernel_param *kp))
{
	struct kb_policy_change c = { .change = "param", .param = kp->name };
	int err;

	mutex_lock(&policy_lock);
	c.old_value = c.new_value = value(kp);
	if (locked) {
		err = refuse_locked(kp->name, NULL);
	} else {
		err = set(val, kp);
		c.new_value = value(kp);
		if (!err && c.new_value != c.old_value)
			bump_generation();
	}
	c.err = err;
	/* A write of the value already in force changes nothing, and says nothing. */
	if (rcu_access_pointer(active) && (err || c.new_value != c.old_value))
		kb_log_policy(&c);
	if (!err && c.new_value != c.old_value)
		measure(KASBLOCK_MEASURE_PARAM);
	mutex_unlock(&policy_lock);
	return err;
}

/* Returns true if this call locked the policy (false if it already was). */
bool kb_blocklist_lock(void)
{
	bool newly;

	mutex_lock(&policy_lock);
	newly = !locked;
	if (newly) {
		WRITE_ONCE(locked, true);
		WRITE_ONCE(mode, KASBLOCK_MODE_ENFORCE);
		bump_generation();
		/* Never put: rmmod now fails with "in use" until reboot. */
		__module_get(THIS_MODULE);
	}
	log_change("lock", 0, 0, KASBLOCK_MEASURE_LOCK);
	mutex_unlock(&policy_lock);
	return newly;
}

bool kb_blocklist_locked(void)
{
	return READ_ONCE(locked);
}

static int digest_cmp(const void *a, const void *b)
{
	return memcmp(a, b, KASBLOCK_DIGEST_LEN);
}

/*
 * SHA-256 over the listed digests, sorted, concatenated: the list's identity whatever the
 * order it was loaded in and whatever its labels. Computed when asked, at most once per
 * generation.
 */
static int policy_digest_locked(u8 out[KASBLOCK_DIGEST_LEN])
{
	struct kb_scratch *scratch;
	struct kb_table *t;
	struct kb_entry *e;
	unsigned long i, n = 0;
	u8 *all;
	int err = 0;

	lockdep_assert_held(&policy_lock);
	if (policy_digest_generation == generation)
		goto copy;
	t = deref_locked(active);
	all = kvmalloc_array(max(t->count, 1U), KASBLOCK_DIGEST_LEN, GFP_KERNEL);
	scratch = kb_scratch_get();
	if (!all || !scratch) {
		err = -ENOMEM;
		goto free;
	}
	for (i = 0; i < (1UL << t->bits); i++)
		hlist_for_each_entry(e, &t->buckets[i], node)
			memcpy(all + KASBLOCK_DIGEST_LEN * n++, e->digest, KASBLOCK_DIGEST_LEN);
	sort(all, n, KASBLOCK_DIGEST_LEN, digest_cmp, NULL);
	err = kb_hash_buffer(scratch, all, n * KASBLOCK_DIGEST_LEN, policy_digest);
	if (!err)
		policy_digest_generation = generation;
free:
	if (scratch)
		kb_scratch_put(scratch);
	kvfree(all);
copy:
	if (!err)
		memcpy(out, policy_digest, KASBLOCK_DIGEST_LEN);
	return err;
}

int kb_blocklist_policy_digest(u8 out[KASBLOCK_DIGEST_LEN])
{
	int err;

	mutex_lock(&policy_lock);
	err = policy_digest_locked(out);
	mutex_unlock(&policy_lock);
	return err;
}

int kb_blocklist_mode(void)
{
	return READ_ONCE(mode);
}

u64 kb_blocklist_generation(void)
{
	return smp_load_acquire(&generation);
}

unsigned int kb_blocklist_count(void)
{
	unsigned int n;

	rcu_read_lock();
	n = READ_ONCE(rcu_dereference(active)->count);
	rcu_read_unlock();
	return n;
}

int kb_blocklist_init(void)
{
	struct kb_table *t;

	entry_cache = kmem_cache_create("kasblock_entry", sizeof(struct kb_entry),
					__alignof__(struct kb_entry), 0, NULL);
	if (!entry_cache)
		return -ENOMEM;
	t = table_alloc(MIN_BITS);
	if (!t) {
		kmem_cache_destroy(entry_cache);
		return -ENOMEM;
	}
	t->generation = generation;
	RCU_INIT_POINTER(active, t);
	return 0;
}

/* Called when no hook and no netlink command can run any more. */
void kb_blocklist_exit(void)
{
	table_free(staged);
	staged = NULL;
	table_free(rcu_dereference_protected(active, 1));
	RCU_INIT_POINTER(active, NULL);
	kmem_cache_destroy(entry_cache);
}
