// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 of whole files, for the exec and mmap hooks.
 *
 * The hooks run in the context of the task that is executing, so they may sleep, but they
 * must not stall: hashing uses one crypto tfm allocated at load time (shash tfms are
 * shareable; each caller brings its own descriptor) and scratch buffers taken from a
 * small preallocated pool. When the pool is empty, one more buffer is tried with
 * __GFP_NORETRY, which fails fast instead of reclaiming hard or invoking the OOM killer;
 * a failure there is reported as -ENOMEM and handled by the failure policy.
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
	s->buf = kmalloc(KB_SCRATCH_SIZE, gfp);
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
	kfree(s->buf);
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
	return scratch_alloc(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
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

/*
 * Reads with kernel_read() from our own offset, never the file's f_pos, and stops at
 * end of file rather than at the size seen at open: a file mapped but not write-denied
 * may change length while we read, and max_hash_size bounds the work either way.
 * A fatal signal stops the hash, so a killed task never waits for a large file.
 */
int kb_hash_file(struct kb_scratch *s, struct file *file, u8 digest[KASBLOCK_DIGEST_LEN],
		 u64 *bytes)
{
	u64 limit = READ_ONCE(kb_param_max_hash_size);
	loff_t pos = 0;
	ssize_t n;
	int err;

	*bytes = 0;
	if (i_size_read(file_inode(file)) > limit)
		return -EFBIG;
	err = crypto_shash_init(&s->desc);
	if (err)
		return err;
	for (;;) {
		n = kernel_read(file, s->buf, KB_SCRATCH_SIZE, &pos);
		if (n < 0)
			return n;
		if (n == 0)
			break;
		*bytes += n;
		if (*bytes > limit)
			return -EFBIG;
		err = crypto_shash_update(&s->desc, s->buf, n);
		if (err)
			return err;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return crypto_shash_final(&s->desc, digest);
}

/*
 * For callers that must not do I/O (mprotect, under the mmap lock): hash @file from the
 * pages already in its page cache, or give up with -ENODATA if one is missing or not up
 * to date. No read is started and no page lock is taken; the result is as good as a
 * kernel_read() racing with the same writers.
 */
int kb_hash_page_cache(struct kb_scratch *s, struct file *file, u8 digest[KASBLOCK_DIGEST_LEN])
{
	struct address_space *mapping = file->f_mapping;
	loff_t size = i_size_read(file_inode(file)), pos;
	struct page *page;
	size_t len;
	void *addr;
	int err;

	if (size > READ_ONCE(kb_param_max_hash_size))
		return -EFBIG;
	err = crypto_shash_init(&s->desc);
	for (pos = 0; !err && pos < size; pos += len) {
		page = find_get_page(mapping, pos >> PAGE_SHIFT);
		if (!page)
			return -ENODATA;
		if (!PageUptodate(page)) {
			put_page(page);
			return -ENODATA;
		}
		len = min_t(loff_t, PAGE_SIZE, size - pos);
		addr = kmap_local_page(page);
		err = crypto_shash_update(&s->desc, addr, len);
		kunmap_local(addr);
		put_page(page);
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
