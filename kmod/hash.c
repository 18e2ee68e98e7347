// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 of whole files, for the exec and mmap hooks.
 *
 * The hooks run in the context of the task that is executing, so they may sleep, but they
 * must not stall: hashing uses one crypto tfm allocated at load time (shash tfms are
 * shareable; each caller brings its own descriptor) and scratch memory taken from a
 * small preallocated pool. When the pool is empty, one more scratch is made with
 * kvmalloc(), which falls back to order-0 pages: fragmentation cannot make it fail.
 *
 * A file whose data lives in its own page cache (every local disk filesystem, ramfs) is
 * hashed there, folio by folio: no copy, and no file_permission hook or fanotify event
 * per chunk, which a kernel_read() would raise for what is the kernel's own read. Pages
 * not cached are brought in by the readahead a sequential reader gets, and waited for
 * killably. What has no such page cache is read through kernel_read() into the scratch
 * buffer: shmem (tmpfs, memfd: its aops cannot read a folio in), overlayfs (its file's
 * mapping is another inode's), DAX, and network and FUSE filesystems, whose read path
 * revalidates the cache with the server first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/hash.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/kmod.h>
#include <linux/ktime.h>
#include <linux/pagemap.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "kasblock.h"

#define KB_POOL_MAX 16

struct kb_scratch {
	struct kb_scratch *next;	/* free list link */
	bool pooled;
	void *buf;			/* KB_SCRATCH_SIZE bytes: file data, later log text */
	struct shash_desc desc;		/* followed by the tfm's descriptor context */
};

static struct crypto_shash *tfm;
static DEFINE_SPINLOCK(pool_lock);
static struct kb_scratch *pool_free;

static struct kb_scratch *scratch_alloc(gfp_t gfp)
{
	struct kb_scratch *s;

	s = kmalloc(sizeof(*s) + crypto_shash_descsize(tfm), gfp);
	if (!s)
		return NULL;
	s->buf = kvmalloc(KB_SCRATCH_SIZE, gfp);
	if (!s->buf) {
		kfree(s);
		return NULL;
	}
	s->desc.tfm = tfm;
	s->pooled = false;
	return s;
}

static void scratch_free(struct kb_scratch *s)
{
	kvfree(s->buf);
	kfree(s);
}

struct kb_scratch *kb_scratch_get(void)
{
	struct kb_scratch *s;

	spin_lock(&pool_lock);
	s = pool_free;
	if (s)
		pool_free = s->next;
	spin_unlock(&pool_lock);
	if (s)
		return s;
	return scratch_alloc(GFP_KERNEL | __GFP_NOWARN);
}

void kb_scratch_put(struct kb_scratch *s)
{
	if (!s->pooled) {
		scratch_free(s);
		return;
	}
	spin_lock(&pool_lock);
	s->next = pool_free;
	pool_free = s;
	spin_unlock(&pool_lock);
}

char *kb_scratch_buf(struct kb_scratch *s)
{
	return s->buf;
}

/* Feeds @len bytes of @folio from @offset to the hash, a page at a time (highmem maps one). */
static int hash_folio(struct shash_desc *desc, struct folio *folio, size_t offset, size_t len)
{
	size_t n;
	void *addr;
	int err;

	for (; len; offset += n, len -= n) {
		n = min_t(size_t, len, PAGE_SIZE - offset_in_page(offset));
		addr = kmap_local_folio(folio, offset);
		err = crypto_shash_update(desc, addr, n);
		kunmap_local(addr);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The folio holding @index, up to date, with a reference; read in by readahead if it is
 * not cached. ERR_PTR(-EAGAIN) when it cannot be had that way (no memory for readahead,
 * a read error): the caller goes on through kernel_read(), which retries and reports.
 */
static struct folio *cached_folio(struct file *file, struct file_ra_state *ra, pgoff_t index,
				  pgoff_t last)
{
	struct address_space *mapping = file->f_mapping;
	struct page *page = find_get_page(mapping, index);
	struct folio *folio;
	int err;

	if (!page) {
		page_cache_sync_readahead(mapping, ra, file, index, last + 1 - index);
		page = find_get_page(mapping, index);
		if (!page)
			return ERR_PTR(-EAGAIN);
	}
	folio = page_folio(page);
	if (!folio_test_uptodate(folio)) {
		/* Being read in: wait as a reader does, killably. */
		err = folio_wait_locked_killable(folio);
		if (err || !folio_test_uptodate(folio)) {
			folio_put(folio);
			return ERR_PTR(err ?: -EAGAIN);
		}
	}
	return folio;
}

/* Whether @file's data is read from its own page cache, with no server to ask first. */
static bool page_cache_readable(struct file *file)
{
	struct inode *inode = file_inode(file);
	struct address_space *mapping = file->f_mapping;

	return mapping == inode->i_mapping && mapping->a_ops->read_folio && !IS_DAX(inode) &&
	       !kb_sb_remote(inode->i_sb);
}

/*
 * Hashes @file's page cache from *@pos, folio by folio, to the end of the file as it is
 * at each step (it may change length while we read; max_hash_size bounds the work).
 * Returns -EAGAIN with *@pos where kernel_read() must take over.
 */
static int hash_folios(struct kb_scratch *s, struct file *file, u64 limit, loff_t *pos)
{
	struct inode *inode = file_inode(file);
	struct file_ra_state ra;
	struct folio *folio;
	loff_t size;
	size_t offset, len;
	int err;

	file_ra_state_init(&ra, file->f_mapping);
	for (;;) {
		size = i_size_read(inode);
		if (*pos >= size)
			return 0;
		if (size > limit)
			return -EFBIG;
		if (fatal_signal_pending(current))
			return -EINTR;
		folio = cached_folio(file, &ra, *pos >> PAGE_SHIFT, (size - 1) >> PAGE_SHIFT);
		if (IS_ERR(folio))
			return PTR_ERR(folio);
		offset = *pos - folio_pos(folio);
		len = min_t(loff_t, folio_size(folio) - offset, size - *pos);
		err = hash_folio(&s->desc, folio, offset, len);
		folio_put(folio);
		if (err)
			return err;
		*pos += len;
		cond_resched();
	}
}

/*
 * Reads with kernel_read() from our own offset, never the file's f_pos, and stops at
 * end of file rather than at the size seen at open.
 */
static int hash_read(struct kb_scratch *s, struct file *file, u64 limit, loff_t *pos)
{
	ssize_t n;
	int err;

	for (;;) {
		n = kernel_read(file, s->buf, KB_SCRATCH_SIZE, pos);
		if (n <= 0)
			return n;
		if (*pos > limit)
			return -EFBIG;
		err = crypto_shash_update(&s->desc, s->buf, n);
		if (err)
			return err;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
}

/*
 * The whole file, whatever its length becomes while we read (a file mapped but not
 * write-denied may change), up to max_hash_size. A fatal signal stops the hash, so a
 * killed task never waits for a large file.
 */
int kb_hash_file(struct kb_scratch *s, struct file *file, u8 digest[KASBLOCK_DIGEST_LEN],
		 u64 *bytes)
{
	u64 limit = READ_ONCE(kb_param_max_hash_size);
	loff_t pos = 0;
	int err;

	*bytes = 0;
	if (i_size_read(file_inode(file)) > limit)
		return -EFBIG;
	err = crypto_shash_init(&s->desc);
	if (err)
		return err;
	err = page_cache_readable(file) ? hash_folios(s, file, limit, &pos) : -EAGAIN;
	if (err == -EAGAIN)
		err = hash_read(s, file, limit, &pos);
	*bytes = pos;
	return err ?: crypto_shash_final(&s->desc, digest);
}

/*
 * For callers that must not do I/O nor hold their lock long (mprotect, under the mmap
 * lock taken for write): hash @file from the pages already in its page cache, or give
 * up with -ENODATA if one is missing or not up to date, or if the file is larger than
 * KB_LOCKED_HASH_MAX. No read is started and no page lock is taken; the result is as
 * good as a kernel_read() racing with the same writers.
 */
int kb_hash_page_cache(struct kb_scratch *s, struct file *file, u8 digest[KASBLOCK_DIGEST_LEN])
{
	struct address_space *mapping = file->f_mapping;
	loff_t size = i_size_read(file_inode(file)), pos;
	struct folio *folio;
	struct page *page;
	size_t offset, len;
	int err;

	if (size > READ_ONCE(kb_param_max_hash_size))
		return -EFBIG;
	if (size > KB_LOCKED_HASH_MAX)
		return -ENODATA;
	err = crypto_shash_init(&s->desc);
	for (pos = 0; !err && pos < size; pos += len) {
		if (fatal_signal_pending(current))
			return -EINTR;
		page = find_get_page(mapping, pos >> PAGE_SHIFT);
		if (!page)
			return -ENODATA;
		folio = page_folio(page);
		if (!folio_test_uptodate(folio)) {
			folio_put(folio);
			return -ENODATA;
		}
		offset = pos - folio_pos(folio);
		len = min_t(loff_t, folio_size(folio) - offset, size - pos);
		err = hash_folio(&s->desc, folio, offset, len);
		folio_put(folio);
	}
	return err ?: crypto_shash_final(&s->desc, digest);
}

/* The whole buffer in one call: the crypto layer walks it, we need not chunk it. */
int kb_hash_buffer(struct kb_scratch *s, const void *buf, size_t len,
		   u8 digest[KASBLOCK_DIGEST_LEN])
{
	return crypto_shash_digest(&s->desc, buf, len, digest);
}

const char *kb_hash_driver(void)
{
	return crypto_shash_driver_name(tfm);
}

/*
 * The drivers of "sha256" a CPU may have, best first by the crypto layer's priorities.
 * Priority says what is fastest on hardware that executes the instructions natively;
 * it can be wrong elsewhere (an emulator runs AVX2 far slower than plain C), so the
 * choice is measured, as the kernel's xor and raid6 code measure theirs at boot.
 */
static const char *const sha256_drivers[] = {
	"sha256-ni", "sha256-avx2", "sha256-avx", "sha256-ssse3", "sha256-generic",
};

#define KB_BENCH_ROUNDS 3

/* Nanoseconds for the best of a few digests of @len bytes; U64_MAX if it fails. */
static u64 time_driver(struct crypto_shash *t, const void *buf, size_t len)
{
	u8 digest[KASBLOCK_DIGEST_LEN];
	u64 best = U64_MAX, start, ns;
	unsigned int i;

	for (i = 0; i < KB_BENCH_ROUNDS; i++) {
		start = ktime_get_ns();
		if (crypto_shash_tfm_digest(t, buf, len, digest))
			return U64_MAX;
		ns = ktime_get_ns() - start;
		best = min(best, ns);
		cond_resched();
	}
	return best;
}

/*
 * Allocates the fastest registered "sha256" driver, measured on one scratch buffer.
 * CRYPTO_NOLOAD: a driver that is not registered is skipped, not searched for with
 * request_module() (one usermode helper per name). Falls back to whatever
 * crypto_alloc_shash("sha256") picks if nothing could be measured.
 */
static struct crypto_shash *alloc_fastest(void)
{
	struct crypto_shash *best = NULL, *t;
	u64 best_ns = U64_MAX, ns;
	unsigned int i;
	void *buf;

	buf = kvzalloc(KB_SCRATCH_SIZE, GFP_KERNEL);
	if (!buf)
		return crypto_alloc_shash("sha256", 0, 0);
	for (i = 0; i < ARRAY_SIZE(sha256_drivers); i++) {
		t = crypto_alloc_shash(sha256_drivers[i], 0, CRYPTO_NOLOAD);
		if (IS_ERR(t))
			continue;
		ns = time_driver(t, buf, KB_SCRATCH_SIZE);
		pr_debug("%s: %llu ns per %u KiB\n", sha256_drivers[i], ns, KB_SCRATCH_SIZE / 1024);
		if (ns < best_ns) {
			if (best)
				crypto_free_shash(best);
			best = t;
			best_ns = ns;
		} else {
			crypto_free_shash(t);
		}
	}
	kvfree(buf);
	return best ?: crypto_alloc_shash("sha256", 0, 0);
}

int kb_hash_init(void)
{
	struct kb_scratch *s;
	unsigned int i, n;

	/*
	 * With the generic driver built in, nothing loads the SIMD module by itself, so ask
	 * for it first. Failure only costs speed.
	 */
	request_module("sha256_ssse3");
	tfm = alloc_fastest();
	if (IS_ERR(tfm)) {
		pr_err("cannot allocate sha256: %ld\n", PTR_ERR(tfm));
		return PTR_ERR(tfm);
	}
	n = min_t(unsigned int, 2 * num_possible_cpus(), KB_POOL_MAX);
	for (i = 0; i < n; i++) {
		s = scratch_alloc(GFP_KERNEL);
		if (!s) {
			kb_hash_exit();
			return -ENOMEM;
		}
		s->pooled = true;
		kb_scratch_put(s);
	}
	pr_info("sha256 driver %s (the fastest measured), %u scratch buffers of %u KiB\n",
		kb_hash_driver(), n, KB_SCRATCH_SIZE / 1024);
	return 0;
}

void kb_hash_exit(void)
{
	struct kb_scratch *s;

	while ((s = pool_free)) {
		pool_free = s->next;
		scratch_free(s);
	}
	crypto_free_shash(tfm);
}
