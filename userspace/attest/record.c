// SPDX-License-Identifier: GPL-2.0
/* Measurement records: the uapi header's byte layout, decoded and replayed. */

#include <endian.h>
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "attest.h"
#include "lib/hexdigest.h"

static const char *const change_names[__KASBLOCK_MEASURE_LAST] = {
	[KASBLOCK_MEASURE_LOAD] = "load",
	[KASBLOCK_MEASURE_ADD] = "add",
	[KASBLOCK_MEASURE_DEL] = "del",
	[KASBLOCK_MEASURE_REPLACE] = "replace",
	[KASBLOCK_MEASURE_FLUSH] = "flush",
	[KASBLOCK_MEASURE_MODE] = "mode",
	[KASBLOCK_MEASURE_PARAM] = "param",
	[KASBLOCK_MEASURE_LOCK] = "lock",
	[KASBLOCK_MEASURE_GAP] = "gap",
	[KASBLOCK_MEASURE_LOG_FULL] = "log-full",
};

_Static_assert(sizeof(struct kasblock_measurement) == KASBLOCK_MEASUREMENT_SIZE,
	       "the record layout is 128 bytes");

const char *kb_mrec_change_name(uint32_t change)
{
	return change < __KASBLOCK_MEASURE_LAST ? change_names[change] : NULL;
}

int kb_mrec_decode(const uint8_t raw[KASBLOCK_MEASUREMENT_SIZE], struct kb_mrec *out)
{
	struct kasblock_measurement m;

	memcpy(&m, raw, sizeof(m));
	memset(out, 0, sizeof(*out));
	out->version = le16toh(m.version);
	out->size = le16toh(m.size);
	out->seq = le64toh(m.seq);
	out->generation = le64toh(m.generation);
	out->change = le32toh(m.change);
	out->mode = le32toh(m.mode);
	out->locked = m.locked;
	out->fail_policy = m.fail_policy;
	out->pcr = le16toh(m.pcr);
	out->flags = le32toh(m.flags);
	out->gap_seq = le64toh(m.gap_seq);
	memcpy(out->policy_digest, m.policy_digest, KASBLOCK_DIGEST_LEN);
	memcpy(out->module_version, m.module_version, KASBLOCK_MEASUREMENT_MODVER_LEN);
	out->nr_entries = le32toh(m.nr_entries);
	out->max_entries = le32toh(m.max_entries);
	out->max_hash_size = le64toh(m.max_hash_size);
	if (memcmp(m.magic, KASBLOCK_MEASUREMENT_MAGIC, 4) ||
	    out->version != KASBLOCK_MEASUREMENT_VERSION ||
	    out->size != KASBLOCK_MEASUREMENT_SIZE || (out->flags & ~KASBLOCK_MEASUREMENT_F_ALL) ||
	    !kb_mrec_change_name(out->change))
		return -EINVAL;
	return 0;
}

void kb_mrec_encode(const struct kb_mrec *r, uint8_t raw[KASBLOCK_MEASUREMENT_SIZE])
{
	struct kasblock_measurement m;

	memset(&m, 0, sizeof(m));
	memcpy(m.magic, KASBLOCK_MEASUREMENT_MAGIC, 4);
	m.version = htole16(r->version);
	m.size = htole16(r->size);
	m.seq = htole64(r->seq);
	m.generation = htole64(r->generation);
	m.change = htole32(r->change);
	m.mode = htole32(r->mode);
	m.locked = r->locked;
	m.fail_policy = r->fail_policy;
	m.pcr = htole16(r->pcr);
	m.flags = htole32(r->flags);
	m.gap_seq = htole64(r->gap_seq);
	memcpy(m.policy_digest, r->policy_digest, KASBLOCK_DIGEST_LEN);
	memcpy(m.module_version, r->module_version,
	       strnlen(r->module_version, KASBLOCK_MEASUREMENT_MODVER_LEN));
	m.nr_entries = htole32(r->nr_entries);
	m.max_entries = htole32(r->max_entries);
	m.max_hash_size = htole64(r->max_hash_size);
	memcpy(raw, &m, sizeof(m));
}

/* out may be a: it is written only at the end. */
static void sha256(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t d[32] = { 0 };

	/* Only allocation can fail here; a zero result then fails the comparison. */
	if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, a, alen) == 1 && (!b || EVP_DigestUpdate(ctx, b, blen) == 1))
		EVP_DigestFinal_ex(ctx, d, NULL);
	EVP_MD_CTX_free(ctx);
	memcpy(out, d, sizeof(d));
}

void kb_attest_replay(const struct kb_measurement *ev, size_t n,
		      uint8_t pcr[KASBLOCK_DIGEST_LEN])
{
	uint8_t d[KASBLOCK_DIGEST_LEN];
	size_t i;

	memset(pcr, 0, KASBLOCK_DIGEST_LEN);
	for (i = 0; i < n; i++) {
		if (!ev[i].extended)
			continue;
		sha256(ev[i].record, KASBLOCK_MEASUREMENT_SIZE, NULL, 0, d);
		sha256(pcr, KASBLOCK_DIGEST_LEN, d, sizeof(d), pcr);
	}
}

int kb_attest_hex_parse(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(s), i;
	int hi, lo;

	if (n % 2 || n / 2 > max)
		return -EINVAL;
	for (i = 0; i < n / 2; i++) {
		hi = kb_hex_value(s[2 * i]);
		lo = kb_hex_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	*len = n / 2;
	return 0;
}
