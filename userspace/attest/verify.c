// SPDX-License-Identifier: GPL-2.0
/*
 * Offline verification of an attestation document: the quote's signature against a
 * trusted AK public key (OpenSSL), the quote's fields (TPMS_ATTEST, unmarshalled by
 * libtss2-mu), and the log's replay to the quoted PCR value. No TPM is needed.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <tss2/tss2_mu.h>

#include "attest.h"
#include "lib/hexdigest.h"

static const char *const check_names[__KB_VERIFY_LAST] = {
	[KB_VERIFY_OK] = "ok",
	[KB_VERIFY_SIGNATURE] = "signature",
	[KB_VERIFY_QUOTE] = "quote",
	[KB_VERIFY_NONCE] = "nonce",
	[KB_VERIFY_PCR] = "pcr",
	[KB_VERIFY_LOG] = "log",
	[KB_VERIFY_REPLAY] = "replay",
	[KB_VERIFY_GAP] = "gap",
	[KB_VERIFY_DIGEST] = "expected-digest",
	[KB_VERIFY_LOCKED] = "expected-locked",
};

const char *kb_verify_check_name(enum kb_verify_check c)
{
	return c < __KB_VERIFY_LAST ? check_names[c] : "unknown";
}

static int fail(struct kb_verify_result *r, enum kb_verify_check c, const char *fmt, ...)
{
	va_list ap;

	r->failed = c;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return 0;
}

/*
 * The quote's TPMS_ATTEST, unmarshalled by libtss2-mu. Its magic and type are read first
 * on their own, so that a quote from no TPM, or a TPMS_ATTEST of another kind, says so
 * rather than "malformed".
 */
static bool parse_quote(const uint8_t *b, size_t len, TPMS_ATTEST *a, const char **why)
{
	TPM2_GENERATED magic;
	TPMI_ST_ATTEST type;
	size_t off = 0;

	memset(a, 0, sizeof(*a));
	if (Tss2_MU_UINT32_Unmarshal(b, len, &off, &magic) != TSS2_RC_SUCCESS ||
	    magic != TPM2_GENERATED_VALUE) {
		*why = "magic is not TPM_GENERATED_VALUE (not made by a TPM)";
		return false;
	}
	if (Tss2_MU_UINT16_Unmarshal(b, len, &off, &type) != TSS2_RC_SUCCESS ||
	    type != TPM2_ST_ATTEST_QUOTE) {
		*why = "type is not TPM_ST_ATTEST_QUOTE";
		return false;
	}
	off = 0;
	if (Tss2_MU_TPMS_ATTEST_Unmarshal(b, len, &off, a) != TSS2_RC_SUCCESS || off != len) {
		*why = "TPMS_ATTEST is truncated or has trailing bytes";
		return false;
	}
	if (a->attested.quote.pcrSelect.count != 1) {
		*why = "the quote does not select exactly one PCR bank";
		return false;
	}
	return true;
}

static bool signature_ok(const char *pem, const struct kb_attest_doc *doc, const char **why)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = false;

	if (!key) {
		*why = "the AK public key is not a PEM public key";
	} else if (!ctx || EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) != 1) {
		*why = "cannot verify with this key";
	} else if (EVP_DigestVerify(ctx, doc->sig, doc->sig_len, doc->quote,
				    doc->quote_len) != 1) {
		*why = "the quote's signature does not verify with the AK public key (another key or TPM, or altered)";
	} else {
		ok = true;
	}
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	BIO_free(bio);
	return ok;
}

int kb_attest_verify(const struct kb_attest_doc *doc, const struct kb_verify_opts *o,
		     struct kb_verify_result *r)
{
	uint8_t want[KASBLOCK_DIGEST_LEN], sel[TPM2_PCR_SELECT_MAX] = { 0 };
	char a[KB_HEX_LEN + 1], b[KB_HEX_LEN + 1];
	unsigned int md_len = 0;
	struct kb_mrec rec;
	const TPMS_PCR_SELECTION *bank;
	const TPM2B_DIGEST *digest;
	TPMS_ATTEST q;
	const char *why;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->events = doc->n_events;
	if (!signature_ok(o->ak_pem, doc, &why))
		return fail(r, KB_VERIFY_SIGNATURE, "%s", why);
	if (!parse_quote(doc->quote, doc->quote_len, &q, &why))
		return fail(r, KB_VERIFY_QUOTE, "%s", why);
	if (q.extraData.size != o->nonce_len || memcmp(q.extraData.buffer, o->nonce, o->nonce_len))
		return fail(r, KB_VERIFY_NONCE, "the quote's nonce is not the one given (a replayed or another quote)");
	if (doc->nonce_len != o->nonce_len || memcmp(doc->nonce, o->nonce, o->nonce_len))
		return fail(r, KB_VERIFY_NONCE, "the document's nonce is not the one given");
	sel[doc->pcr / 8] = 1u << (doc->pcr % 8);
	bank = &q.attested.quote.pcrSelect.pcrSelections[0];
	if (bank->hash != TPM2_ALG_SHA256 || bank->sizeofSelect < 3 ||
	    bank->sizeofSelect > sizeof(sel) || memcmp(bank->pcrSelect, sel, bank->sizeofSelect))
		return fail(r, KB_VERIFY_PCR, "the quote does not cover exactly sha256:%u", doc->pcr);
	if (EVP_Digest(doc->pcr_value, KASBLOCK_DIGEST_LEN, want, &md_len, EVP_sha256(), NULL) != 1)
		return -ENOMEM;
	digest = &q.attested.quote.pcrDigest;
	if (digest->size != KASBLOCK_DIGEST_LEN || memcmp(digest->buffer, want, sizeof(want)))
		return fail(r, KB_VERIFY_PCR, "pcr_value is not the value the quote signed");

	for (i = 0; i < doc->n_events; i++) {
		if (kb_mrec_decode(doc->events[i].record, &rec))
			return fail(r, KB_VERIFY_LOG, "event %zu is not a version 1 record", i);
		if (rec.seq != i)
			return fail(r, KB_VERIFY_LOG, "event %zu has sequence number %llu: an event is missing or out of order",
				    i, (unsigned long long)rec.seq);
		if (rec.pcr != doc->pcr)
			return fail(r, KB_VERIFY_LOG, "event %zu is for PCR %u", i, rec.pcr);
		if (!i && rec.change != KASBLOCK_MEASURE_LOAD)
			return fail(r, KB_VERIFY_LOG, "the log does not start with the load event");
		if (!doc->events[i].extended || rec.change == KASBLOCK_MEASURE_GAP ||
		    rec.change == KASBLOCK_MEASURE_LOG_FULL)
			r->gaps++;
		if (doc->events[i].extended && rec.change != KASBLOCK_MEASURE_GAP &&
		    rec.change != KASBLOCK_MEASURE_LOG_FULL) {
			r->final = rec;
			r->have_final = true;
		}
	}
	if (!doc->n_events)
		return fail(r, KB_VERIFY_LOG, "the log is empty");
	kb_attest_replay(doc->events, doc->n_events, r->replayed);
	if (memcmp(r->replayed, doc->pcr_value, KASBLOCK_DIGEST_LEN)) {
		kb_hex_format(r->replayed, a);
		kb_hex_format(doc->pcr_value, b);
		return fail(r, KB_VERIFY_REPLAY, "the log replays to %s, the quoted PCR is %s (an event was edited, added or dropped, or something else extended the PCR)",
			    a, b);
	}
	if (r->gaps)
		return fail(r, KB_VERIFY_GAP, "%zu event(s) are gaps: the PCR does not cover every policy state (TPM errors, or the log filled up)",
			    r->gaps);
	if (!r->have_final)
		return fail(r, KB_VERIFY_LOG, "no measured policy state");
	if (o->expect_digest && memcmp(o->expect_digest, r->final.policy_digest, KASBLOCK_DIGEST_LEN)) {
		kb_hex_format(r->final.policy_digest, a);
		return fail(r, KB_VERIFY_DIGEST, "the policy digest is %s, not the expected one", a);
	}
	if (o->expect_locked && !r->final.locked)
		return fail(r, KB_VERIFY_LOCKED, "the policy is not locked");
	return 0;
}
