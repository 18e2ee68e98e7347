// SPDX-License-Identifier: GPL-2.0
/*
 * The digest cache: what each file hashed to, so a file is hashed once, not on every
 * exec and every mapping of it.
 *
 * It stores digests, not verdicts, so a change of the list needs no flush. An entry is
 * keyed by the file's identity (superblock, inode number, generation) and carries a
 * validator taken *before* the file was hashed: the inode's change cookie (i_version)
 * where the filesystem keeps one, and always ctime, mtime and size. A lookup trusts the
 * entry only if the validator still matches and nobody has the inode open for write.
 * Where there is no i_version, a file whose ctime or mtime falls within the last second
 * is not cached at all: timestamps are coarse, and a write in the same tick as our hash
 * would not change them (git's "racy clean" problem).
 *
 * Locking: lookups walk the hash chains under rcu_read_lock() and take no lock. Inserts,
 * evictions and the claim list are under cache_lock, a spinlock (never held across I/O
 * or allocation that may sleep); evicted entries are freed after a grace period by
 * call_rcu(), which rcu_barrier() can wait for at unload (kfree_rcu()'s batches it cannot).
 *
 * Eviction is CLOCK ("second chance"): entries join the tail of a FIFO; a hit sets
 * `referenced`; the evictor takes the head, and gives a referenced entry one more lap.
 *
 * Concurrent first execs of one file: the first task claims the inode and hashes; the
 * others wait (killably) for its claim to be released and then look again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/iversion.h>
#include <linux/rculist.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include "compat.h"
#include "kasblock.h"

#define CACHE_BITS 12

struct cache_entry {
	struct hlist_node node;
	struct list_head fifo;
	struct rcu_head rcu;
	const struct super_block *sb;
	unsigned long ino;
	u32 generation;
	bool referenced;
	struct kb_validator v;
	u8 digest[KASBLOCK_DIGEST_LEN];
};

struct kb_cache_claim {
	struct list_head node;
	const struct inode *inode;
	struct completion done;
	refcount_t ref;
};

static struct kmem_cache *entry_cache;
static siphash_key_t cache_key;
static struct hlist_head buckets[1 << CACHE_BITS];
static LIST_HEAD(fifo);
static LIST_HEAD(claims);
static unsigned int nr_cached;
static DEFINE_SPINLOCK(cache_lock);

struct kb_cache_stats kb_cache_stats;

static struct hlist_head *bucket_of(const struct inode *inode)
{
	u64 h = siphash_3u32((u32)inode->i_ino, (u32)((u64)inode->i_ino >> 32),
			     inode->i_generation ^ (u32)(unsigned long)inode->i_sb, &cache_key);

	return &buckets[h & ((1 << CACHE_BITS) - 1)];
}

static void validator_read(struct inode *inode, struct kb_validator *v)
{
	v->has_iversion = IS_I_VERSION(inode);
	/* Query, not peek: it makes the next change of the inode bump the cookie. */
	v->iversion = v->has_iversion ? inode_query_iversion(inode) : 0;
	v->ctime = kb_inode_ctime(inode);
	v->mtime = kb_inode_mtime(inode);
	v->size = i_size_read(inode);
}

static bool validator_equal(const struct kb_validator *a, const struct kb_validator *b)
{
	return a->has_iversion == b->has_iversion && a->iversion == b->iversion &&
	       timespec64_equal(&a->ctime, &b->ctime) &&
	       timespec64_equal(&a->mtime, &b->mtime) && a->size == b->size;
}

static bool open_for_write(struct inode *inode)
{
	return atomic_read(&inode->i_writecount) > 0;
}

static bool same_file(const struct cache_entry *e, const struct inode *inode)
{
	return e->sb == inode->i_sb && e->ino == inode->i_ino &&
	       e->generation == inode->i_generation;
}

/* Under rcu_read_lock() or cache_lock. */
static struct cache_entry *find(const struct inode *inode)
{
	struct cache_entry *e;

	hlist_for_each_entry_rcu(e, bucket_of(inode), node, lockdep_is_held(&cache_lock))
		if (same_file(e, inode))
			return e;
	return NULL;
}

static bool lookup(struct file *file, u8 digest[KASBLOCK_DIGEST_LEN])
{
	struct inode *inode = file_inode(file);
	struct cache_entry *e;
	struct kb_validator now;
	bool hit = false;

	if (!READ_ONCE(kb_param_cache_size) || open_for_write(inode))
		return false;
	validator_read(inode, &now);
	rcu_read_lock();
	e = find(inode);
	if (e && validator_equal(&e->v, &now)) {
		memcpy(digest, e->digest, KASBLOCK_DIGEST_LEN);
		if (!READ_ONCE(e->referenced))
			WRITE_ONCE(e->referenced, true);
		hit = true;
	}
	rcu_read_unlock();
	return hit;
}

/* For the hooks: counted as a hit or a miss. */
bool kb_cache_lookup(struct file *file, u8 digest[KASBLOCK_DIGEST_LEN])
{
	bool hit = lookup(file, digest);

	if (hit)
		this_cpu_inc(kb_hot_counters.cache_hits);
	else
		this_cpu_inc(kb_hot_counters.cache_misses);
	return hit;
}

/*
 * For GET_FILE_DIGEST (a sweep asking what it need not hash): the same trust as an
 * exec's lookup, but not counted, so that hits and misses keep describing execs.
 */
bool kb_cache_query(struct file *file, u8 digest[KASBLOCK_DIGEST_LEN])
{
	return lookup(file, digest);
}

static void entry_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(entry_cache, container_of(rcu, struct cache_entry, rcu));
}

static void unlink_entry(struct cache_entry *e)
{
	hlist_del_rcu(&e->node);
	list_del(&e->fifo);
	nr_cached--;
	call_rcu(&e->rcu, entry_free_rcu);
}

static void evict_one(void)
{
	struct cache_entry *e;

	while ((e = list_first_entry_or_null(&fifo, struct cache_entry, fifo))) {
		if (e->referenced) {
			e->referenced = false;
			list_move_tail(&e->fifo, &fifo);
			continue;
		}
		unlink_entry(e);
		atomic64_inc(&kb_cache_stats.evictions);
		return;
	}
}

static bool racy_timestamps(const struct kb_validator *v)
{
	struct timespec64 now;

	if (v->has_iversion)
		return false;
	ktime_get_coarse_real_ts64(&now);
	return now.tv_sec - v->ctime.tv_sec <= 1 || now.tv_sec - v->mtime.tv_sec <= 1;
}

/*
 * Records that @file hashed to @digest, if the file did not change since @before was
 * read (before hashing) and is not open for write now.
 */
void kb_cache_store(struct file *file, const struct kb_validator *before,
		    const u8 digest[KASBLOCK_DIGEST_LEN])
{
	struct inode *inode = file_inode(file);
	struct cache_entry *e, *old;
	struct kb_validator after;

	if (!READ_ONCE(kb_param_cache_size) || open_for_write(inode) || racy_timestamps(before))
		return;
	validator_read(inode, &after);
	if (!validator_equal(before, &after))
		return;
	e = kmem_cache_alloc(entry_cache, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	if (!e)
		return;
	e->sb = inode->i_sb;
	e->ino = inode->i_ino;
	e->generation = inode->i_generation;
	e->referenced = false;
	e->v = *before;
	memcpy(e->digest, digest, KASBLOCK_DIGEST_LEN);

	spin_lock(&cache_lock);
	old = find(inode);
	if (old)
		unlink_entry(old);
	while (nr_cached >= kb_param_cache_size)
		evict_one();
	hlist_add_head_rcu(&e->node, bucket_of(inode));
	list_add_tail(&e->fifo, &fifo);
	nr_cached++;
	spin_unlock(&cache_lock);
}

/*
 * Claims the right to hash @file. Returns NULL if the caller should hash (and then call
 * kb_cache_release(), which fills *claimp), or a claim to wait on with kb_cache_wait().
 */
struct kb_cache_claim *kb_cache_claim(struct file *file, struct kb_cache_claim **claimp)
{
	struct inode *inode = file_inode(file);
	struct kb_cache_claim *c, *mine;

	*claimp = NULL;
	if (!READ_ONCE(kb_param_cache_size) || open_for_write(inode))
		return NULL;
	mine = kmalloc(sizeof(*mine), GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	spin_lock(&cache_lock);
	list_for_each_entry(c, &claims, node) {
		if (c->inode == inode) {
			refcount_inc(&c->ref);
			spin_unlock(&cache_lock);
			kfree(mine);
			return c;
		}
	}
	if (mine) {
		mine->inode = inode;
		init_completion(&mine->done);
		refcount_set(&mine->ref, 1);
		list_add(&mine->node, &claims);
	}
	spin_unlock(&cache_lock);
	*claimp = mine;
	return NULL;
}

static void claim_put(struct kb_cache_claim *c)
{
	if (refcount_dec_and_test(&c->ref))
		kfree(c);
}

/* Waits for another task's hash of the same file; -EINTR if we are being killed. */
int kb_cache_wait(struct kb_cache_claim *c)
{
	int err = wait_for_completion_killable(&c->done);

	claim_put(c);
	return err ? -EINTR : 0;
}

void kb_cache_validator(struct file *file, struct kb_validator *v)
{
	validator_read(file_inode(file), v);
}

/* Ends a claim; with @digest non-NULL the result is cached first, then waiters wake. */
void kb_cache_release(struct kb_cache_claim *c, struct file *file,
		      const struct kb_validator *before, const u8 *digest)
{
	if (digest)
		kb_cache_store(file, before, digest);
	if (!c)
		return;
	spin_lock(&cache_lock);
	list_del(&c->node);
	spin_unlock(&cache_lock);
	complete_all(&c->done);
	claim_put(c);
}

unsigned int kb_cache_count(void)
{
	return READ_ONCE(nr_cached);
}

int kb_cache_init(void)
{
	entry_cache = KMEM_CACHE(cache_entry, 0);
	if (!entry_cache)
		return -ENOMEM;
	get_random_bytes(&cache_key, sizeof(cache_key));
	return 0;
}

/* No hook runs any more: no lookup, no claim. */
void kb_cache_exit(void)
{
	struct cache_entry *e, *tmp;

	spin_lock(&cache_lock);
	list_for_each_entry_safe(e, tmp, &fifo, fifo)
		unlink_entry(e);
	spin_unlock(&cache_lock);
	/* Wait for the call_rcu() callbacks before the cache they free into goes away. */
	rcu_barrier();
	kmem_cache_destroy(entry_cache);
}
