// SPDX-License-Identifier: GPL-2.0
/*
 * verify without a TPM: a quote (TPMS_ATTEST) built by hand in the TPM's wire form and
 * signed by a software ECDSA P-256 key stands in for the TPM's, so every way a document
 * can be wrong is a fast host test. The document goes through the JSON writer and json-c
 * as attest and verify use them.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "attest/attest.h"
#include "test.h"

#define PCR 13
static const uint8_t nonce[] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };

struct fixture {
	EVP_PKEY *key, *other;
	char *pem, *other_pem;
	struct kb_measurement ev[8];
	size_t n;
	uint8_t pcr_value[32];
	uint8_t quote[256];
	size_t quote_len;
	uint8_t sig[128];
	size_t sig_len;
	struct kb_attest_doc doc;
};

static char *pem_of(EVP_PKEY *key)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out;
	long len;

	PEM_write_bio_PUBKEY(bio, key);
	len = BIO_get_mem_data(bio, &data);
	out = strndup(data, len);
	BIO_free(bio);
	return out;
}

static void add_event(struct fixture *f, uint32_t change, uint8_t fill, bool locked)
{
	struct kb_mrec r = {
		.version = KASBLOCK_MEASUREMENT_VERSION,
		.size = KASBLOCK_MEASUREMENT_SIZE,
		.seq = f->n,
		.generation = f->n,
		.change = change,
		.mode = KASBLOCK_MODE_ENFORCE,
		.locked = locked,
		.pcr = PCR,
		.nr_entries = f->n,
		.max_entries = 1 << 20,
		.max_hash_size = 512 << 20,
		.module_version = "0.1.0",
	};

	memset(r.policy_digest, fill, sizeof(r.policy_digest));
	kb_mrec_encode(&r, f->ev[f->n].record);
	f->ev[f->n].extended = true;
	f->n++;
}

static void put16(uint8_t *b, size_t *o, uint16_t v)
{
	b[(*o)++] = v >> 8;
	b[(*o)++] = v;
}

static void put32(uint8_t *b, size_t *o, uint32_t v)
{
	put16(b, o, v >> 16);
	put16(b, o, v);
}

/* TPMS_ATTEST of a quote of sha256:{pcr} = value, with extraData = n, signed by key. */
static void make_quote(struct fixture *f, EVP_PKEY *key, uint32_t magic, const uint8_t *n,
		       size_t nlen, unsigned int pcr, const uint8_t value[32])
{
	unsigned int md_len;
	EVP_MD_CTX *ctx;
	size_t o = 0;

	put32(f->quote, &o, magic);
	put16(f->quote, &o, 0x8018);
	put16(f->quote, &o, 4);			/* qualifiedSigner */
	memcpy(f->quote + o, "\x00\x0b\xaa\xbb", 4);
	o += 4;
	put16(f->quote, &o, nlen);		/* extraData */
	memcpy(f->quote + o, n, nlen);
	o += nlen;
	memset(f->quote + o, 0x11, 17 + 8);	/* clockInfo, firmwareVersion */
	o += 17 + 8;
	put32(f->quote, &o, 1);
	put16(f->quote, &o, 0x000b);
	f->quote[o++] = 3;
	memset(f->quote + o, 0, 3);
	f->quote[o + pcr / 8] = 1u << (pcr % 8);
	o += 3;
	put16(f->quote, &o, 32);
	EVP_Digest(value, 32, f->quote + o, &md_len, EVP_sha256(), NULL);
	o += 32;
	f->quote_len = o;
	ctx = EVP_MD_CTX_new();
	f->sig_len = sizeof(f->sig);
	EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key);
	EVP_DigestSign(ctx, f->sig, &f->sig_len, f->quote, f->quote_len);
	EVP_MD_CTX_free(ctx);
}

static void doc_of(struct fixture *f)
{
	kb_attest_replay(f->ev, f->n, f->pcr_value);
	make_quote(f, f->key, 0xff544347, nonce, sizeof(nonce), PCR, f->pcr_value);
	f->doc = (struct kb_attest_doc){
		.pcr = PCR, .quote = f->quote, .quote_len = f->quote_len, .sig = f->sig,
		.sig_len = f->sig_len, .ak_pem = f->pem, .nonce_len = sizeof(nonce),
		.events = f->ev, .n_events = f->n,
	};
	memcpy(f->doc.pcr_value, f->pcr_value, 32);
	memcpy(f->doc.nonce, nonce, sizeof(nonce));
}

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->key = EVP_EC_gen("P-256");
	f->other = EVP_EC_gen("P-256");
	f->pem = pem_of(f->key);
	f->other_pem = pem_of(f->other);
	add_event(f, KASBLOCK_MEASURE_LOAD, 0xe3, false);
	add_event(f, KASBLOCK_MEASURE_ADD, 0x01, false);
	add_event(f, KASBLOCK_MEASURE_LOCK, 0x01, true);
	doc_of(f);
}

static void teardown(struct fixture *f)
{
	EVP_PKEY_free(f->key);
	EVP_PKEY_free(f->other);
	free(f->pem);
	free(f->other_pem);
}

/* Through JSON and back, then verify. */
static enum kb_verify_check run(struct fixture *f, const struct kb_verify_opts *opts,
				struct kb_verify_result *r)
{
	struct kb_verify_opts o = { .ak_pem = f->pem, .nonce = nonce, .nonce_len = sizeof(nonce) };
	struct kb_attest_doc back;
	const char *reason = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (opts)
		o = *opts;
	mem = open_memstream(&text, &len);
	CHECK_INT(kb_attest_doc_write(mem, &f->doc), 0);
	fclose(mem);
	CHECK_INT(kb_attest_doc_read(text, len, &back, &reason), 0);
	free(text);
	CHECK_INT(kb_attest_verify(&back, &o, r), 0);
	kb_attest_doc_free(&back);
	return r->failed;
}

static void test_good_document_verifies(void)
{
	struct kb_verify_opts o = { .nonce = nonce, .nonce_len = sizeof(nonce),
				    .expect_locked = true };
	struct kb_verify_result r;
	uint8_t want[32];
	struct fixture f;

	setup(&f);
	memset(want, 0x01, sizeof(want));
	o.ak_pem = f.pem;
	o.expect_digest = want;
	CHECK_INT(run(&f, &o, &r), KB_VERIFY_OK);
	CHECK(r.have_final);
	CHECK_INT(r.final.locked, 1);
	CHECK_INT(r.final.seq, 2);
	CHECK_INT(r.gaps, 0);
	teardown(&f);
}

static void test_edited_record_fails_replay(void)
{
	struct kb_verify_result r;
	struct fixture f;

	setup(&f);
	f.ev[1].record[48] ^= 1;	/* the policy digest */
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_REPLAY);
	teardown(&f);
}

static void test_dropped_middle_event_fails_log(void)
{
	struct kb_verify_result r;
	struct fixture f;

	setup(&f);
	f.ev[1] = f.ev[2];
	f.doc.n_events = 2;
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_LOG);
	teardown(&f);
}

static void test_dropped_last_event_fails_replay(void)
{
	struct kb_verify_result r;
	struct fixture f;

	setup(&f);
	f.doc.n_events = 2;
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_REPLAY);
	teardown(&f);
}

static void test_other_nonce_fails(void)
{
	static const uint8_t other[] = { 1, 2, 3 };
	struct kb_verify_result r;
	struct fixture f;
	struct kb_verify_opts o;

	setup(&f);
	o = (struct kb_verify_opts){ .ak_pem = f.pem, .nonce = other, .nonce_len = sizeof(other) };
	CHECK_INT(run(&f, &o, &r), KB_VERIFY_NONCE);
	teardown(&f);
}

static void test_unexpected_digest_fails(void)
{
	struct kb_verify_result r;
	uint8_t want[32] = { 0 };
	struct fixture f;
	struct kb_verify_opts o;

	setup(&f);
	o = (struct kb_verify_opts){ .ak_pem = f.pem, .nonce = nonce, .nonce_len = sizeof(nonce),
				     .expect_digest = want };
	CHECK_INT(run(&f, &o, &r), KB_VERIFY_DIGEST);
	teardown(&f);
}

static void test_unlocked_fails_expect_locked(void)
{
	struct kb_verify_result r;
	struct fixture f;
	struct kb_verify_opts o;

	setup(&f);
	f.n = 2;
	doc_of(&f);
	o = (struct kb_verify_opts){ .ak_pem = f.pem, .nonce = nonce, .nonce_len = sizeof(nonce),
				     .expect_locked = true };
	CHECK_INT(run(&f, &o, &r), KB_VERIFY_LOCKED);
	teardown(&f);
}

/* A quote signed by another key (another TPM's AK) than the one the verifier trusts. */
static void test_other_key_fails_signature(void)
{
	struct kb_verify_result r;
	struct fixture f;

	setup(&f);
	make_quote(&f, f.other, 0xff544347, nonce, sizeof(nonce), PCR, f.pcr_value);
	f.doc.sig_len = f.sig_len;
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_SIGNATURE);
	teardown(&f);
}

static void test_altered_quote_fails_signature(void)
{
	struct kb_verify_result r;
	struct fixture f;

	setup(&f);
	f.quote[f.quote_len - 1] ^= 1;
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_SIGNATURE);
	teardown(&f);
}

static void test_not_tpm_generated_fails_quote(void)
{
	struct kb_verify_result r;
	struct fixture f;

	setup(&f);
	make_quote(&f, f.key, 0x12345678, nonce, sizeof(nonce), PCR, f.pcr_value);
	f.doc.sig_len = f.sig_len;
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_QUOTE);
	CHECK_STR(r.why, "magic is not TPM_GENERATED_VALUE (not made by a TPM)");
	teardown(&f);
}

/* The quote's first quote_len bytes (the rest of f->quote as it is), signed again. */
static void resign(struct fixture *f, size_t quote_len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	f->quote_len = f->doc.quote_len = quote_len;
	f->sig_len = sizeof(f->sig);
	EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, f->key);
	EVP_DigestSign(ctx, f->sig, &f->sig_len, f->quote, f->quote_len);
	EVP_MD_CTX_free(ctx);
	f->doc.sig_len = f->sig_len;
}

static void test_other_attest_type_fails_quote(void)
{
	struct kb_verify_result r;
	struct fixture f;

	setup(&f);
	f.quote[5] = 0x17;	/* TPM_ST_ATTEST_CERTIFY */
	resign(&f, f.quote_len);
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_QUOTE);
	CHECK_STR(r.why, "type is not TPM_ST_ATTEST_QUOTE");
	teardown(&f);
}

static void test_truncated_or_trailing_quote_fails_quote(void)
{
	struct kb_verify_result r;
	struct fixture f;
	size_t len;

	setup(&f);
	len = f.quote_len;
	resign(&f, len - 1);
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_QUOTE);
	CHECK_STR(r.why, "TPMS_ATTEST is truncated or has trailing bytes");
	resign(&f, 6);
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_QUOTE);
	CHECK_STR(r.why, "TPMS_ATTEST is truncated or has trailing bytes");
	resign(&f, 3);
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_QUOTE);
	CHECK_STR(r.why, "magic is not TPM_GENERATED_VALUE (not made by a TPM)");
	f.quote[len] = 0;
	resign(&f, len + 1);
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_QUOTE);
	CHECK_STR(r.why, "TPMS_ATTEST is truncated or has trailing bytes");
	teardown(&f);
}

static void test_other_pcr_fails(void)
{
	struct kb_verify_result r;
	struct fixture f;

	setup(&f);
	make_quote(&f, f.key, 0xff544347, nonce, sizeof(nonce), 10, f.pcr_value);
	f.doc.sig_len = f.sig_len;
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_PCR);
	teardown(&f);
}

static void test_pcr_value_not_quoted_fails(void)
{
	struct kb_verify_result r;
	struct fixture f;

	setup(&f);
	f.doc.pcr_value[0] ^= 1;
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_PCR);
	teardown(&f);
}

/* An event the PCR was not extended with, and the GAP record naming it: replay skips it. */
static void test_gap_replays_but_fails_gap(void)
{
	struct kb_verify_result r;
	struct kb_mrec g;
	struct fixture f;

	setup(&f);
	f.ev[2].extended = false;
	kb_mrec_decode(f.ev[2].record, &g);
	g.seq = 3;
	g.change = KASBLOCK_MEASURE_GAP;
	g.gap_seq = 2;
	kb_mrec_encode(&g, f.ev[3].record);
	f.ev[3].extended = true;
	f.n = 4;
	doc_of(&f);
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_GAP);
	CHECK_INT(r.gaps, 2);
	teardown(&f);
}

static void test_flipped_extended_flag_fails_replay(void)
{
	struct kb_verify_result r;
	struct fixture f;

	setup(&f);
	f.ev[1].extended = false;
	CHECK_INT(run(&f, NULL, &r), KB_VERIFY_REPLAY);
	teardown(&f);
}

static void test_reader_rejects_malformed_documents(void)
{
	static const char *const bad[] = {
		"", "{", "[]", "{\"schema\":\"kasblock-status/1\"}",
		"{\"schema\":\"kasblock-attest/1\",\"pcr\":99}",
		"{\"schema\":\"kasblock-attest/1\",\"pcr\":\"13\"}",
		"{\"schema\":\"kasblock-attest/1\",\"pcr\":13.5}",
		"{\"schema\":\"kasblock-attest/1\",\"pcr\":13,\"pcr_value\":\"00\"}",
		"{\"schema\":\"kasblock-attest/1\\u0000\"}", "{\"a\":1} x", "{\"a\":\"\xff\"}",
		"{\"a\":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}", "{'a':1}", "{\"a\":01}",
	};
	struct kb_attest_doc doc;
	const char *reason;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reason = NULL;
		CHECK_INT(kb_attest_doc_read(bad[i], strlen(bad[i]), &doc, &reason), -EINVAL);
		CHECK(reason && *reason);
	}
}

/* The fixture's document as attest writes it, NUL-terminated. */
static char *doc_text(struct fixture *f, size_t *len)
{
	char *text = NULL;
	FILE *mem = open_memstream(&text, len);

	CHECK_INT(kb_attest_doc_write(mem, &f->doc), 0);
	fclose(mem);
	return text;
}

/* text with what replaces the first occurrence of from. */
static int read_edited(const char *text, const char *from, const char *to, const char **reason)
{
	const char *at = strstr(text, from);
	struct kb_attest_doc doc;
	char *s;
	int err;

	CHECK(at);
	if (!at)
		return 0;
	if (asprintf(&s, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from)) < 0)
		return -ENOMEM;
	*reason = NULL;
	err = kb_attest_doc_read(s, strlen(s), &doc, reason);
	if (!err)
		kb_attest_doc_free(&doc);
	free(s);
	return err;
}

static void test_reader_takes_whitespace_and_escapes(void)
{
	struct kb_attest_doc doc;
	const char *reason;
	struct fixture f;
	char *text, *s;
	size_t len;

	setup(&f);
	text = doc_text(&f, &len);
	CHECK(asprintf(&s, " \n%s\t\r\n ", text) > 0);
	CHECK_INT(kb_attest_doc_read(s, strlen(s), &doc, &reason), 0);
	CHECK_INT(doc.pcr, PCR);
	CHECK_INT(doc.n_events, 3);
	kb_attest_doc_free(&doc);
	free(s);
	/* \u escapes, a surrogate pair among them, decode to UTF-8; 13.0 is PCR 13. */
	CHECK_INT(read_edited(text, "\"ak_public\":\"", "\"ak_public\":\"\\u00e9\\ud83d\\ude00", &reason), 0);
	CHECK_INT(read_edited(text, "\"pcr\":13", "\"pcr\":13.0", &reason), 0);
	free(text);
	teardown(&f);
}

static void test_reader_rejects_edited_documents(void)
{
	const char *reason;
	struct fixture f;
	char *text, *s;
	size_t len;

	setup(&f);
	text = doc_text(&f, &len);
	/* Anything but whitespace after the object, a NUL included. */
	CHECK(asprintf(&s, "%s x", text) > 0);
	CHECK_INT(kb_attest_doc_read(s, strlen(s), &(struct kb_attest_doc){ 0 }, &reason), -EINVAL);
	CHECK_STR(reason, "not JSON");
	free(s);
	CHECK_INT(kb_attest_doc_read(text, len + 1, &(struct kb_attest_doc){ 0 }, &reason), -EINVAL);
	CHECK_STR(reason, "not JSON");
	/* Cut short. */
	CHECK_INT(kb_attest_doc_read(text, len - 3, &(struct kb_attest_doc){ 0 }, &reason), -EINVAL);
	CHECK_STR(reason, "not JSON");
	/* Strings are UTF-8 (json-c turns a lone \ud83d into U+FFFD, which is). */
	CHECK_INT(read_edited(text, "\"ak_public\":\"", "\"ak_public\":\"\xc3(", &reason), -EINVAL);
	CHECK_STR(reason, "not JSON");
	/* Not even in overlong form (json-c's own check lets c0 ba through), anywhere. */
	CHECK_INT(read_edited(text, "\"ak_public\":\"", "\"ak_public\":\"\xc0\xba", &reason), -EINVAL);
	CHECK_STR(reason, "not JSON");
	CHECK_INT(read_edited(text, "\"events\":[", "\"x\":\"\xc0\xba\",\"events\":[", &reason), -EINVAL);
	CHECK_STR(reason, "not JSON");
	/* No NUL inside a string. */
	CHECK_INT(read_edited(text, "\"nonce\":\"", "\"nonce\":\"\\u0000", &reason), -EINVAL);
	CHECK_STR(reason, "not JSON");
	/* Wrong types and lengths. */
	CHECK_INT(read_edited(text, "\"extended\":true", "\"extended\":1", &reason), -EINVAL);
	CHECK_STR(reason, "an event without a 128-byte \"record\" or a boolean \"extended\"");
	CHECK_INT(read_edited(text, "\"record\":\"", "\"record\":\"00", &reason), -EINVAL);
	CHECK_STR(reason, "an event without a 128-byte \"record\" or a boolean \"extended\"");
	CHECK_INT(read_edited(text, "\"events\":[", "\"events\":[1,", &reason), -EINVAL);
	CHECK_STR(reason, "an event without a 128-byte \"record\" or a boolean \"extended\"");
	CHECK_INT(read_edited(text, "\"events\":[", "\"events\":{\"a\":[", &reason), -EINVAL);
	CHECK_INT(read_edited(text, "\"pcr\":13", "\"pcr\":-1", &reason), -EINVAL);
	CHECK_STR(reason, "\"pcr\" is not a PCR index");
	CHECK_INT(read_edited(text, "\"pcr\":13", "\"pcr\":null", &reason), -EINVAL);
	CHECK_STR(reason, "\"pcr\" is not a PCR index");
	CHECK_INT(read_edited(text, "\"quote\":\"", "\"quote\":\"0", &reason), -EINVAL);
	CHECK_STR(reason, "\"quote\" or \"signature\" is not hex");
	free(text);
	teardown(&f);
}

/*
 * A key twice: json-c keeps the last. Nothing verify trusts rides on which one wins, as
 * the quote's signature and the log's replay decide; this pins what reading does.
 */
static void test_reader_duplicate_key_last_wins(void)
{
	struct kb_attest_doc doc;
	const char *reason;
	struct fixture f;
	char *text, *s;
	size_t len;

	setup(&f);
	text = doc_text(&f, &len);
	CHECK(asprintf(&s, "{\"pcr\":3,%s", text + 1) > 0);
	CHECK_INT(kb_attest_doc_read(s, strlen(s), &doc, &reason), 0);
	CHECK_INT(doc.pcr, PCR);
	kb_attest_doc_free(&doc);
	free(s);
	text[len - 2] = '\0';	/* "}\n" */
	CHECK(asprintf(&s, "%s,\"pcr\":3}", text) > 0);
	CHECK_INT(kb_attest_doc_read(s, strlen(s), &doc, &reason), 0);
	CHECK_INT(doc.pcr, 3);
	kb_attest_doc_free(&doc);
	free(s);
	free(text);
	teardown(&f);
}

int main(void)
{
	RUN(test_good_document_verifies);
	RUN(test_edited_record_fails_replay);
	RUN(test_dropped_middle_event_fails_log);
	RUN(test_dropped_last_event_fails_replay);
	RUN(test_other_nonce_fails);
	RUN(test_unexpected_digest_fails);
	RUN(test_unlocked_fails_expect_locked);
	RUN(test_other_key_fails_signature);
	RUN(test_altered_quote_fails_signature);
	RUN(test_not_tpm_generated_fails_quote);
	RUN(test_other_attest_type_fails_quote);
	RUN(test_truncated_or_trailing_quote_fails_quote);
	RUN(test_other_pcr_fails);
	RUN(test_pcr_value_not_quoted_fails);
	RUN(test_gap_replays_but_fails_gap);
	RUN(test_flipped_extended_flag_fails_replay);
	RUN(test_reader_rejects_malformed_documents);
	RUN(test_reader_takes_whitespace_and_escapes);
	RUN(test_reader_rejects_edited_documents);
	RUN(test_reader_duplicate_key_last_wins);
	return kbt_done();
}
