// SPDX-License-Identifier: GPL-2.0
/*
 * The digest cache: what each file hashed to, so a file is hashed once, not on every
 * exec and every mapping of it.
 *
 * It stores digests, so a change of the list needs no flush. Beside the digest an entry
 * remembers the list generation at which its digest was last found unlisted (clean_gen):
 * while the generation has not moved, a hit needs no blocklist lookup; any change of the
 * list moves it, and the next check looks the digest up again. An entry is
 * keyed by the identity of the inode whose data a read returns (d_real_inode(), so an
 * overlayfs file is keyed and validated on its upper or lower inode, as IMA does): the
 * superblock, the inode's address, number and generation. It carries a validator taken
 * *before* the file was hashed: the inode's change cookie (i_version) where the
 * filesystem keeps one, and always ctime, mtime and size. A lookup trusts the entry only
 * if the validator still matches and nobody has the inode open for write. Where there is
 * no i_version, a file whose ctime or mtime falls within the last second is not cached at
 * all: timestamps are coarse, and a write in the same tick as our hash would not change
 * them (git's "racy clean" problem).
 *
 * A digest is stored only if the file was cacheable (below) and had no writer both
 * before the hash started and after it ended, and the validator did not move in between.
 * A writer that opens, writes and closes entirely inside the hash is seen by the
 * validator: write(2) and the page_mkwrite of every page-cache filesystem update mtime
 * and i_version. What remains open is a writer that changes data without telling the
 * inode: FMODE_NOCMTIME (XFS's invisible I/O, CAP_SYS_ADMIN only), a filesystem that
 * does not update times on a shared-mapping write (shmem, hugetlbfs: excluded below) and
 * a write in the same timestamp tick on a filesystem without i_version (racy_timestamps()).
 *
 * Never cached, because no validator sees every change of their data:
 *  - memfd (shmem files the kernel made on its internal mount, SB_KERNMOUNT): their
 *    descriptors are not counted in i_writecount (alloc_file_pseudo(), no FMODE_WRITER),
 *    and a write through a shared mapping whose pages are already writable faults no
 *    more, so no timestamp moves either. Cached only while sealed F_SEAL_WRITE, or sealed
 *    F_SEAL_FUTURE_WRITE with no writable mapping left (no new one can be made). A file
 *    on a mounted tmpfs is opened by open(2): every writer, and every shared writable
 *    mapping (it holds its file), counts in i_writecount, and a first write fault
 *    updates the times (fault_dirty_shared_page()), as on any other filesystem.
 *  - hugetlbfs: the same, and its seals are not reachable from a module.
 *  - filesystems whose mounter is not trusted (SB_I_UNTRUSTED_MOUNTER: FUSE in a user
 *    namespace), FUSE and virtiofs at all, and network and cluster filesystems: their
 *    server decides what a read returns, whatever the inode says.
 *
 * An entry holds no reference on its inode or superblock, so both can go away and their
 * memory be reused. A stale entry answers only for an inode at the same address, on a
 * superblock at the same address, with the same number, generation, change cookie,
 * ctime, mtime and size. Within one superblock that is the same file read in again. A
 * new superblock meeting all of it would have to be mounted from an image crafted to
 * match, which needs CAP_SYS_ADMIN in the initial namespace: the filesystems a user
 * namespace may mount that hold file data are FUSE (never cached), overlayfs (keyed on
 * its real inodes), ramfs, whose inode numbers come from the global get_next_ino() and
 * are not reused until it wraps, and tmpfs, whose generations are random and whose
 * ctime no user can set (there is no image to craft). Flushing a superblock's
 * entries when it dies would need one more hook (security_sb_free(), called under
 * sb_lock); that is not worth a hook for what is left.
 *
 * Locking: lookups walk the hash chains under rcu_read_lock() and take no lock (the hot
 * lookup under rcu_read_lock_sched(): on a preemptible-RCU kernel two out-of-line calls
 * cheaper, and call_rcu() waits for preemption-disabled readers too). Inserts,
 * evictions and the claim list are under cache_lock, a spinlock (never held across I/O
 * or allocation that may sleep); evicted entries are freed after a grace period by
 * call_rcu(), which rcu_barrier() can wait for at unload (kfree_rcu()'s batches it cannot).
 *
 * Eviction is CLOCK ("second chance"): entries join the tail of a FIFO; a hit sets
 * `referenced`; the evictor takes the head, and gives a referenced entry one more lap.
 *
 * Concurrent first execs of one file: the first task claims the inode and hashes; the
 * others wait (killably, and for at most CLAIM_WAIT) for its claim to be released and
 * then look again; past the bound they hash the file themselves, so a slow or
 * low-priority first task cannot hold up everyone's exec of a shared binary.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/iversion.h>
#include <linux/magic.h>
#include <linux/shmem_fs.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include "compat.h"
#include "kasblock.h"

/* About one entry per bucket when full: cache_size rounded up to a power of two. */
#define MIN_BUCKET_BITS 6
#define MAX_BUCKET_BITS 20
/* How many referenced entries eviction passes over before it takes one anyway. */
#define EVICT_SCAN 8
#define CLAIM_WAIT (5 * HZ)

/* Not in <uapi/linux/magic.h>. */
#define KB_GFS2_MAGIC		0x01161970
#define KB_ORANGEFS_MAGIC	0x20030528

struct cache_entry {
	struct hlist_node node;
	struct list_head fifo;
	struct rcu_head rcu;
	const struct super_block *sb;
	const struct inode *inode;
	unsigned long ino;
	u32 generation;
	bool referenced;
	u64 clean_gen;		/* list generation the digest was last found unlisted at */
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
static unsigned long cache_salt;
static struct hlist_head *buckets;
static unsigned int bucket_bits;
static LIST_HEAD(fifo);
static LIST_HEAD(claims);
static unsigned int nr_cached;
static DEFINE_SPINLOCK(cache_lock);

struct kb_cache_stats kb_cache_stats;

/*
 * By the inode's address alone, salted per boot, with the kernel's multiplicative pointer
 * hash: this runs on every exec and executable mapping, where SipHash cost more than the
 * rest of the lookup. The address is not attacker data: the slab allocator chooses it and
 * no user sees it (kptr_restrict), so no one can aim inodes at one chain; and the chains
 * are bounded by cache_size however they fill. same_file() compares the whole identity.
 */
static __always_inline struct hlist_head *bucket_of(const struct inode *inode)
{
	return &buckets[hash_long((unsigned long)inode ^ cache_salt, bucket_bits)];
}

static __always_inline bool open_for_write(struct inode *inode)
{
	return atomic_read(&inode->i_writecount) > 0;
}

/* The inode a read of @file returns the data of: overlayfs's upper or lower one. */
static __always_inline struct inode *real_inode(struct file *file)
{
	return d_real_inode(file->f_path.dentry);
}

/* Where the server, not the inode, says what the data is (see the top of the file). */
static __always_inline bool sb_remote(const struct super_block *sb)
{
	if (sb->s_iflags & SB_I_UNTRUSTED_MOUNTER)
		return true;
	switch (sb->s_magic) {
	case FUSE_SUPER_MAGIC:		/* also virtiofs */
	case NFS_SUPER_MAGIC:
	case SMB_SUPER_MAGIC:
	case CIFS_SUPER_MAGIC:
	case SMB2_SUPER_MAGIC:
	case V9FS_MAGIC:
	case CEPH_SUPER_MAGIC:
	case AFS_SUPER_MAGIC:
	case AFS_FS_MAGIC:
	case CODA_SUPER_MAGIC:
	case OCFS2_SUPER_MAGIC:
	case KB_GFS2_MAGIC:
	case KB_ORANGEFS_MAGIC:
		return true;
	}
	return false;
}

bool kb_sb_remote(const struct super_block *sb)
{
	return sb_remote(sb);
}

/*
 * Whether a digest of @inode's data can stay true without a validator change. memfd
 * seals only ever grow, so a sealed file stays cacheable; seals is read without the
 * inode lock, and a seal added after the read only makes the answer too cautious.
 */
static __always_inline bool cacheable(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	unsigned int seals;

	if (!READ_ONCE(kb_param_cache_size) || sb_remote(sb))
		return false;
	switch (sb->s_magic) {
	case TMPFS_MAGIC:
		if (!(sb->s_flags & SB_KERNMOUNT))
			return true;	/* a mounted tmpfs: open(2) counts its writers */
		if (!shmem_mapping(inode->i_mapping))
			return false;	/* tmpfs without CONFIG_SHMEM is ramfs, not this */
		seals = READ_ONCE(SHMEM_I(inode)->seals);
		if (seals & F_SEAL_WRITE)
			return true;
		return (seals & F_SEAL_FUTURE_WRITE) &&
		       !mapping_writably_mapped(inode->i_mapping);
	case HUGETLBFS_MAGIC:
		return false;
	}
	return true;
}

/*
 * Read before the hash, and again after it: @v->cacheable says whether the file could be
 * cached at that moment (no writer, a filesystem whose validator sees every change).
 */
static void validator_read(struct inode *inode, struct kb_validator *v)
{
	v->cacheable = cacheable(inode) && !open_for_write(inode);
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

/*
 * A lookup's validator_read() + validator_equal(), read straight from the inode. The
 * change cookie is peeked, not queried: @v's was queried when the entry was stored, so
 * any change since has bumped it past @v->iversion.
 */
static __always_inline bool validator_unchanged(const struct kb_validator *v,
						struct inode *inode)
{
	struct timespec64 ctime = kb_inode_ctime(inode), mtime = kb_inode_mtime(inode);

	if (v->has_iversion != !!IS_I_VERSION(inode) ||
	    (v->has_iversion && v->iversion != inode_peek_iversion(inode)))
		return false;
	return timespec64_equal(&v->ctime, &ctime) && timespec64_equal(&v->mtime, &mtime) &&
	       v->size == i_size_read(inode);
}

static __always_inline bool same_file(const struct cache_entry *e, const struct inode *inode)
{
	return e->inode == inode && e->sb == inode->i_sb && e->ino == inode->i_ino &&
	       e->generation == inode->i_generation;
}

/* Under rcu_read_lock(), rcu_read_lock_sched() or cache_lock. */
static __always_inline struct cache_entry *find(const struct inode *inode)
{
	struct cache_entry *e;

	hlist_for_each_entry_rcu(e, bucket_of(inode), node, lockdep_is_held(&cache_lock))
		if (same_file(e, inode))
			return e;
	return NULL;
}

/* The hot path of every exec and executable mapping: everything inline. */
static __always_inline bool lookup(struct file *file, u8 digest[KASBLOCK_DIGEST_LEN],
				   u64 *clean_gen)
{
	struct inode *inode = real_inode(file);
	struct cache_entry *e;
	bool hit = false;

	if (!cacheable(inode) || open_for_write(inode))
		return false;
	rcu_read_lock_sched();
	e = find(inode);
	if (e && validator_unchanged(&e->v, inode)) {
		memcpy(digest, e->digest, KASBLOCK_DIGEST_LEN);
		if (clean_gen)
			*clean_gen = READ_ONCE(e->clean_gen);
		if (!READ_ONCE(e->referenced))
			WRITE_ONCE(e->referenced, true);
		hit = true;
	}
	rcu_read_unlock_sched();
	return hit;
}

/* For the hooks: counted as a hit or a miss. */
bool kb_cache_lookup(struct file *file, u8 digest[KASBLOCK_DIGEST_LEN], u64 *clean_gen)
{
	bool hit = lookup(file, digest, clean_gen);

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
	return lookup(file, digest, NULL);
}

/*
 * The list did not hold @digest at generation @gen (read before that lookup). Recorded
 * only on an entry that still holds @digest: the file may have been stored anew, with
 * other content, since the caller's lookup.
 */
void kb_cache_set_clean(struct file *file, const u8 digest[KASBLOCK_DIGEST_LEN], u64 gen)
{
	struct inode *inode = real_inode(file);
	struct cache_entry *e;

	rcu_read_lock();
	e = find(inode);
	if (e && !memcmp(e->digest, digest, KASBLOCK_DIGEST_LEN) &&
	    READ_ONCE(e->clean_gen) != gen)
		WRITE_ONCE(e->clean_gen, gen);
	rcu_read_unlock();
}

static void entry_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(entry_cache, container_of(rcu, struct cache_entry, rcu));
}

static void unlink_entry(struct cache_entry *e)
{
	hlist_del_rcu(&e->node);
	list_del(&e->fifo);
	WRITE_ONCE(nr_cached, nr_cached - 1);
	call_rcu(&e->rcu, entry_free_rcu);
}

/*
 * CLOCK, bounded: a referenced entry at the head gets a second chance, but under
 * cache_lock we pass over at most EVICT_SCAN of them (a cache where every entry was hit
 * would otherwise cost a whole lap), then evict the head whatever its bit says.
 */
static void evict_one(void)
{
	struct cache_entry *e;
	unsigned int scanned;

	for (scanned = 0; scanned < EVICT_SCAN; scanned++) {
		e = list_first_entry_or_null(&fifo, struct cache_entry, fifo);
		if (!e || !READ_ONCE(e->referenced))
			break;
		WRITE_ONCE(e->referenced, false);
		list_move_tail(&e->fifo, &fifo);
	}
	e = list_first_entry_or_null(&fifo, struct cache_entry, fifo);
	if (!e)
		return;
	unlink_entry(e);
	atomic64_inc(&kb_cache_stats.evictions);
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
 * Records that @file hashed to @digest, if it was cacheable with no writer when @before
 * was read (before hashing), is so still, and did not change in between.
 */
void kb_cache_store(struct file *file, const struct kb_validator *before,
		    const u8 digest[KASBLOCK_DIGEST_LEN])
{
	struct inode *inode = real_inode(file);
	struct cache_entry *e, *old;
	struct kb_validator after;

	if (!before->cacheable || racy_timestamps(before))
		return;
	validator_read(inode, &after);
	if (!after.cacheable || !validator_equal(before, &after))
		return;
	e = kmem_cache_alloc(entry_cache, GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	if (!e)
		return;
	e->sb = inode->i_sb;
	e->inode = inode;
	e->ino = inode->i_ino;
	e->generation = inode->i_generation;
	e->referenced = false;
	e->clean_gen = U64_MAX;		/* the list has never been asked */
	e->v = *before;
	memcpy(e->digest, digest, KASBLOCK_DIGEST_LEN);

	spin_lock(&cache_lock);
	old = find(inode);
	if (old)
		unlink_entry(old);
	while (nr_cached && nr_cached >= READ_ONCE(kb_param_cache_size))
		evict_one();
	hlist_add_head_rcu(&e->node, bucket_of(inode));
	list_add_tail(&e->fifo, &fifo);
	WRITE_ONCE(nr_cached, nr_cached + 1);
	spin_unlock(&cache_lock);
}

/*
 * Claims the right to hash @file. Returns NULL if the caller should hash (and then call
 * kb_cache_release(), which fills *claimp), or a claim to wait on with kb_cache_wait().
 */
struct kb_cache_claim *kb_cache_claim(struct file *file, struct kb_cache_claim **claimp)
{
	struct inode *inode = real_inode(file);
	struct kb_cache_claim *c, *mine;

	*claimp = NULL;
	/* Nothing to wait for where the result would not be cached. */
	if (!cacheable(inode) || open_for_write(inode))
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

/*
 * Waits for another task's hash of the same file, for at most CLAIM_WAIT: 0 when it
 * ended, -ETIMEDOUT past the bound (the caller then hashes by itself), -EINTR if we are
 * being killed.
 */
int kb_cache_wait(struct kb_cache_claim *c)
{
	long left = wait_for_completion_killable_timeout(&c->done, CLAIM_WAIT);

	claim_put(c);
	if (left < 0)
		return -EINTR;
	return left ? 0 : -ETIMEDOUT;
}

void kb_cache_validator(struct file *file, struct kb_validator *v)
{
	validator_read(real_inode(file), v);
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
	/* cache_size is fixed at load (0444), so the table is sized once. */
	bucket_bits = clamp_t(unsigned int, order_base_2(kb_param_cache_size),
			      MIN_BUCKET_BITS, MAX_BUCKET_BITS);
	buckets = kvcalloc(1U << bucket_bits, sizeof(*buckets), GFP_KERNEL);
	if (!buckets)
		return -ENOMEM;
	entry_cache = kmem_cache_create("kasblock_cache_entry", sizeof(struct cache_entry),
					__alignof__(struct cache_entry), 0, NULL);
	if (!entry_cache) {
		kvfree(buckets);
		return -ENOMEM;
	}
	get_random_bytes(&cache_salt, sizeof(cache_salt));
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
	kvfree(buckets);
}
