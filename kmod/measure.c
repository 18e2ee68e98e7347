// SPDX-License-Identifier: GPL-2.0
/*
 * The measurement log: one record per policy state, each extended into a TPM PCR.
 *
 * Locking model:
 *  - log_lock (a mutex) guards the log and the chip; the dump takes it, nothing on the
 *    exec path does.
 *  - kb_measure_change() is called by blocklist.c with policy_lock held (and by module
 *    init before the hooks are attached), in process context: the log's order is then the
 *    order of the changes, and the policy digest in a record is the state the change left.
 *    policy_lock is a writers' mutex that no hook takes (the hooks read under RCU), so a
 *    slow TPM delays the next policy change, never an exec or a mapping.
 *  - The PCR extend happens in the same call, under log_lock, so records reach the PCR in
 *    the order of the log.
 *
 * A TPM error never fails the change: it is logged (ratelimited), audited, counted, and
 * the record stays in the log with extended = false, followed by a GAP record naming it.
 * The log holds at most MAX_EVENTS records; the last slot is kept for LOG_FULL, after
 * which nothing more is measured until reboot (the uapi header says what a verifier sees).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/audit.h>
#include <linux/build_bug.h>
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tpm.h>
#include <crypto/sha2.h>
#include "kasblock.h"
#include "version.h"

#define MAX_EVENTS 4096

struct event {
	struct kasblock_measurement rec;
	bool extended;
};

static DEFINE_MUTEX(log_lock);
static struct event *events;		/* MAX_EVENTS of them; under log_lock */
static unsigned int nr_events, nr_gaps;
static bool full;
static struct tpm_chip *chip;		/* a reference from tpm_default_chip() */
static int state = KASBLOCK_ATTEST_DISABLED;
static atomic64_t tpm_errors;

/*
 * PCR 13: on Debian's default boot (shim + GRUB, no unified kernel image) nothing else
 * extends it; see the README ("Attestation") for the PCRs that are taken.
 */
static int pcr = 13;

static int pcr_set(const char *val, const struct kernel_param *kp)
{
	int v, err = kstrtoint(val, 0, &v);

	if (err)
		return err;
	/* 16 (debug) and 23 (application) can be reset from the OS: a replay would prove nothing. */
	if (v != -1 && (v < 0 || v > 23 || v == 16 || v == 23))
		return -EINVAL;
	*(int *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops pcr_ops = {
	.set = pcr_set,
	.get = param_get_int,
};
module_param_cb(pcr, &pcr_ops, &pcr, 0444);
MODULE_PARM_DESC(pcr, "TPM PCR the measurement log extends, 0..23 but not 16 or 23; -1 disables attestation (default 13)");

int kb_measure_state(void)
{
	return READ_ONCE(state);
}

int kb_measure_pcr(void)
{
	return pcr;
}

void kb_measure_counts(unsigned int *n, unsigned int *gaps)
{
	mutex_lock(&log_lock);
	*n = nr_events;
	*gaps = nr_gaps;
	mutex_unlock(&log_lock);
}

u64 kb_measure_tpm_errors(void)
{
	return atomic64_read(&tpm_errors);
}

/*
 * Every allocated bank needs a digest (tpm_pcr_extend() sends one per bank). Like IMA,
 * which extends banks it has no hash for with a padded SHA-1, the other banks get the
 * record's SHA-256 truncated or zero-padded: only the SHA-256 bank is meant to be quoted.
 */
static int extend(const u8 sha256[SHA256_DIGEST_SIZE])
{
	struct tpm_digest *d;
	unsigned int i;
	int err;

	d = kcalloc(chip->nr_allocated_banks, sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	for (i = 0; i < chip->nr_allocated_banks; i++) {
		d[i].alg_id = chip->allocated_banks[i].alg_id;
		memcpy(d[i].digest, sha256, min_t(unsigned int, SHA256_DIGEST_SIZE,
						  chip->allocated_banks[i].digest_size));
	}
	err = tpm_pcr_extend(chip, pcr, d);
	kfree(d);
	return err;
}

static void audit_failure(u64 seq, int err)
{
	struct audit_buffer *ab;

	if (!audit_enabled)
		return;
	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_KERNEL_OTHER);
	if (!ab)
		return;
	audit_log_format(ab, "kasblock op=measure pcr=%d seq=%llu err=%d res=0", pcr, seq, err);
	audit_log_end(ab);
}

static int record_digest(const struct kasblock_measurement *rec, u8 out[SHA256_DIGEST_SIZE])
{
	struct kb_scratch *scratch = kb_scratch_get();
	int err;

	if (!scratch)
		return -ENOMEM;
	err = kb_hash_buffer(scratch, rec, sizeof(*rec), out);
	kb_scratch_put(scratch);
	return err;
}

/* Appends a record and extends the PCR with it. Under log_lock; there is a free slot. */
static bool append(const struct kb_measure_state *s, u32 change, u64 gap_seq)
{
	struct event *ev = &events[nr_events];
	struct kasblock_measurement *r = &ev->rec;
	u8 digest[SHA256_DIGEST_SIZE];
	int err;

	memset(ev, 0, sizeof(*ev));
	memcpy(r->magic, KASBLOCK_MEASUREMENT_MAGIC, sizeof(r->magic));
	r->version = cpu_to_le16(KASBLOCK_MEASUREMENT_VERSION);
	r->size = cpu_to_le16(sizeof(*r));
	r->seq = cpu_to_le64(nr_events);
	r->generation = cpu_to_le64(s->generation);
	r->change = cpu_to_le32(change);
	r->mode = cpu_to_le32(s->mode);
	r->locked = s->locked;
	r->fail_policy = s->fail_closed ? KASBLOCK_FAIL_CLOSED : KASBLOCK_FAIL_OPEN;
	r->pcr = cpu_to_le16(pcr);
	r->flags = cpu_to_le32(s->no_digest ? KASBLOCK_MEASUREMENT_F_NO_DIGEST : 0);
	r->gap_seq = cpu_to_le64(gap_seq);
	memcpy(r->policy_digest, s->policy_digest, KASBLOCK_DIGEST_LEN);
	strscpy_pad(r->module_version, KASBLOCK_VERSION, sizeof(r->module_version));
	r->nr_entries = cpu_to_le32(s->nr_entries);
	r->max_entries = cpu_to_le32(s->max_entries);
	r->max_hash_size = cpu_to_le64(s->max_hash_size);
	nr_events++;

	err = record_digest(r, digest) ?: extend(digest);
	if (!err) {
		ev->extended = true;
		return true;
	}
	nr_gaps++;
	atomic64_inc(&tpm_errors);
	pr_warn_ratelimited("measure: PCR %d not extended with event %u: error %d\n", pcr,
			    nr_events - 1, err);
	audit_failure(nr_events - 1, err);
	return false;
}

void kb_measure_change(const struct kb_measure_state *s, u32 change)
{
	u64 seq;

	if (READ_ONCE(state) != KASBLOCK_ATTEST_AVAILABLE)
		return;
	mutex_lock(&log_lock);
	if (full)
		goto unlock;
	/* Keep the last slot for LOG_FULL, and room for a GAP after this one. */
	if (nr_events + 2 >= MAX_EVENTS) {
		append(s, KASBLOCK_MEASURE_LOG_FULL, 0);
		full = true;
		pr_warn("measure: the measurement log is full (%u events): later policy changes are not measured\n",
			nr_events);
		goto unlock;
	}
	seq = nr_events;
	if (!append(s, change, 0))
		append(s, KASBLOCK_MEASURE_GAP, seq);
unlock:
	mutex_unlock(&log_lock);
}

int kb_measure_walk(unsigned long *pos, kb_measure_emit_t emit, void *ctx)
{
	int err = 0;

	mutex_lock(&log_lock);
	for (; *pos < nr_events; (*pos)++) {
		err = emit(ctx, &events[*pos].rec, events[*pos].extended);
		if (err)
			break;
	}
	mutex_unlock(&log_lock);
	return err;
}

/* Finds the TPM; "unavailable" is not an error, nothing else depends on it. */
int kb_measure_init(void)
{
	struct tpm_chip *c;
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct kasblock_measurement) != KASBLOCK_MEASUREMENT_SIZE);
	BUILD_BUG_ON(offsetof(struct kasblock_measurement, policy_digest) != 48);
	BUILD_BUG_ON(offsetof(struct kasblock_measurement, nr_entries) != 112);
	if (pcr < 0)
		return 0;
	state = KASBLOCK_ATTEST_UNAVAILABLE;
	c = tpm_default_chip();
	if (!c) {
		pr_info("measure: no TPM: attestation unavailable\n");
		return 0;
	}
	if (!(c->flags & TPM_CHIP_FLAG_TPM2))
		goto unavailable;
	for (i = 0; i < c->nr_allocated_banks; i++)
		if (c->allocated_banks[i].alg_id == TPM_ALG_SHA256)
			break;
	if (i == c->nr_allocated_banks)
		goto unavailable;
	events = kvcalloc(MAX_EVENTS, sizeof(*events), GFP_KERNEL);
	if (!events) {
		put_device(&c->dev);
		return -ENOMEM;
	}
	chip = c;
	WRITE_ONCE(state, KASBLOCK_ATTEST_AVAILABLE);
	return 0;
unavailable:
	pr_info("measure: the TPM is not a TPM 2.0 with a SHA-256 bank: attestation unavailable\n");
	put_device(&c->dev);
	return 0;
}

void kb_measure_exit(void)
{
	if (chip)
		put_device(&chip->dev);
	chip = NULL;
	kvfree(events);
	events = NULL;
}
