// SPDX-License-Identifier: GPL-2.0
/*
 * The attestation document, schema kasblock-attest/1: what `attest` writes and `verify`
 * reads. Only the raw bytes (quote, signature, pcr_value, each event's record and
 * extended flag) are read back; the decoded fields beside them are for people, and
 * verify recomputes them from the records it checked.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attest.h"
#include "lib/hexdigest.h"
#include "lib/json.h"
#include "lib/jsonread.h"

static void put_hex(struct kb_json *j, const char *key, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * n + 1);
	size_t i;

	if (!s) {
		kb_json_null(j, key);
		return;
	}
	for (i = 0; i < n; i++) {
		s[2 * i] = digits[b[i] >> 4];
		s[2 * i + 1] = digits[b[i] & 15];
	}
	s[2 * n] = '\0';
	kb_json_string(j, key, s);
	free(s);
}

static void put_event(struct kb_json *j, const struct kb_measurement *m)
{
	char hex[KB_HEX_LEN + 1];
	struct kb_mrec r;
	bool ok = !kb_mrec_decode(m->record, &r);

	kb_json_object_start(j, NULL);
	put_hex(j, "record", m->record, KASBLOCK_MEASUREMENT_SIZE);
	kb_json_bool(j, "extended", m->extended);
	if (ok) {
		kb_json_u64(j, "seq", r.seq);
		kb_json_string(j, "change", kb_mrec_change_name(r.change));
		kb_json_u64(j, "generation", r.generation);
		kb_json_string(j, "mode", kb_mode_name(r.mode) ?: "unknown");
		kb_json_bool(j, "locked", r.locked);
		kb_json_string(j, "fail_policy", kb_fail_policy_name(r.fail_policy) ?: "unknown");
		kb_hex_format(r.policy_digest, hex);
		kb_json_string(j, "policy_digest", hex);
		kb_json_u64(j, "entries", r.nr_entries);
		kb_json_u64(j, "max_entries", r.max_entries);
		kb_json_u64(j, "max_hash_size", r.max_hash_size);
		kb_json_string(j, "module_version", r.module_version);
		if (r.change == KASBLOCK_MEASURE_GAP)
			kb_json_u64(j, "gap_seq", r.gap_seq);
	}
	kb_json_object_end(j);
}

int kb_attest_doc_write(FILE *f, const struct kb_attest_doc *doc)
{
	struct kb_json j;
	size_t i;

	kb_json_begin(&j, f, KB_ATTEST_SCHEMA);
	kb_json_u64(&j, "pcr", doc->pcr);
	kb_json_string(&j, "pcr_bank", "sha256");
	put_hex(&j, "pcr_value", doc->pcr_value, KASBLOCK_DIGEST_LEN);
	put_hex(&j, "nonce", doc->nonce, doc->nonce_len);
	put_hex(&j, "quote", doc->quote, doc->quote_len);
	kb_json_string(&j, "signature_alg", "ecdsa-sha256");
	put_hex(&j, "signature", doc->sig, doc->sig_len);
	kb_json_string(&j, "ak_public", doc->ak_pem);
	kb_json_array_start(&j, "events");
	for (i = 0; i < doc->n_events; i++)
		put_event(&j, &doc->events[i]);
	kb_json_array_end(&j);
	return kb_json_end(&j);
}

/* A hex member into a malloc'd buffer. */
static int get_hex(const struct kb_jv *v, const char *key, uint8_t **out, size_t *len)
{
	const char *s = kb_jv_get_str(v, key);
	size_t max;

	if (!s)
		return -EINVAL;
	max = strlen(s) / 2 + 1;
	*out = malloc(max);
	if (!*out)
		return -ENOMEM;
	if (kb_attest_hex_parse(s, *out, max, len)) {
		free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

static int get_fixed_hex(const struct kb_jv *v, const char *key, uint8_t *out, size_t want)
{
	const char *s = kb_jv_get_str(v, key);
	size_t len;

	if (!s || kb_attest_hex_parse(s, out, want, &len) || len != want)
		return -EINVAL;
	return 0;
}

int kb_attest_doc_read(const char *text, size_t len, struct kb_attest_doc *doc,
		       const char **reason)
{
	const struct kb_jv *pcr, *events, *e, *ext;
	const char *schema, *pem, *nonce;
	struct kb_jv root;
	size_t i;
	int err;

	memset(doc, 0, sizeof(*doc));
	err = kb_jv_parse(text, len, &root, NULL);
	if (err) {
		*reason = "not JSON";
		return err;
	}
	err = -EINVAL;
	schema = kb_jv_get_str(&root, "schema");
	if (!schema || strcmp(schema, KB_ATTEST_SCHEMA)) {
		*reason = "not a " KB_ATTEST_SCHEMA " document";
		goto out;
	}
	pcr = kb_jv_get(&root, "pcr");
	if (!pcr || pcr->type != KB_JV_NUMBER || pcr->num < 0 || pcr->num > 23 ||
	    pcr->num != (uint32_t)pcr->num) {
		*reason = "\"pcr\" is not a PCR index";
		goto out;
	}
	doc->pcr = pcr->num;
	if (get_fixed_hex(&root, "pcr_value", doc->pcr_value, KASBLOCK_DIGEST_LEN)) {
		*reason = "\"pcr_value\" is not 32 bytes of hex";
		goto out;
	}
	nonce = kb_jv_get_str(&root, "nonce");
	if (!nonce || kb_attest_hex_parse(nonce, doc->nonce, sizeof(doc->nonce), &doc->nonce_len)) {
		*reason = "\"nonce\" is not hex of at most 64 bytes";
		goto out;
	}
	if (get_hex(&root, "quote", &doc->quote, &doc->quote_len) ||
	    get_hex(&root, "signature", &doc->sig, &doc->sig_len)) {
		*reason = "\"quote\" or \"signature\" is not hex";
		goto out;
	}
	pem = kb_jv_get_str(&root, "ak_public");
	doc->ak_pem = strdup(pem ? pem : "");
	events = kb_jv_get(&root, "events");
	if (!events || events->type != KB_JV_ARRAY) {
		*reason = "no \"events\" array";
		goto out;
	}
	doc->events = calloc(events->n ? events->n : 1, sizeof(*doc->events));
	if (!doc->ak_pem || !doc->events) {
		*reason = "out of memory";
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < events->n; i++) {
		e = &events->items[i];
		ext = kb_jv_get(e, "extended");
		if (get_fixed_hex(e, "record", doc->events[i].record, KASBLOCK_MEASUREMENT_SIZE) ||
		    !ext || ext->type != KB_JV_BOOL) {
			*reason = "an event without a 128-byte \"record\" or a boolean \"extended\"";
			goto out;
		}
		doc->events[i].extended = ext->b;
		doc->events[i].have_record = doc->events[i].have_extended = true;
	}
	doc->n_events = events->n;
	err = 0;
out:
	kb_jv_free(&root);
	if (err)
		kb_attest_doc_free(doc);
	return err;
}

void kb_attest_doc_free(struct kb_attest_doc *doc)
{
	free(doc->quote);
	free(doc->sig);
	free(doc->ak_pem);
	free(doc->events);
	memset(doc, 0, sizeof(*doc));
}
