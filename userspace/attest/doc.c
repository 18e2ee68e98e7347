// SPDX-License-Identifier: GPL-2.0
/*
 * The attestation document, schema kasblock-attest/1: what `attest` writes and `verify`
 * reads. Only the raw bytes (quote, signature, pcr_value, each event's record and
 * extended flag) are read back; the decoded fields beside them are for people, and
 * verify recomputes them from the records it checked. Written by lib/json.c, read by
 * json-c.
 */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "attest.h"
#include "lib/hexdigest.h"
#include "lib/json.h"

#define KB_DOC_DEPTH 16

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

/* A member's string, or NULL when absent or not a string. */
static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *m;

	if (!json_object_object_get_ex(o, key, &m) || !json_object_is_type(m, json_type_string))
		return NULL;
	return json_object_get_string(m);
}

/*
 * Whether s is UTF-8 as lib/json.c writes it (kb_utf8_seq()), without a NUL. json-c lets
 * a string hold "\u0000", and its own UTF-8 check lets overlong forms (c0 ba) through.
 */
static bool utf8(const char *s, size_t n)
{
	size_t i, step;

	for (i = 0; i < n; i += step) {
		step = s[i] ? kb_utf8_seq((const unsigned char *)s + i, n - i) : 0;
		if (!step)
			return false;
	}
	return true;
}

/* Every string in v, names included, is utf8(). Recursion is bounded by KB_DOC_DEPTH. */
static bool strings_ok(struct json_object *v)
{
	size_t i, n;

	switch (json_object_get_type(v)) {
	case json_type_string:
		return utf8(json_object_get_string(v), json_object_get_string_len(v));
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (!strings_ok(json_object_array_get_idx(v, i)))
				return false;
		return true;
	case json_type_object: {
		json_object_object_foreach(v, key, val)
			if (!utf8(key, strlen(key)) || !strings_ok(val))
				return false;
		return true;
	}
	default:
		return true;
	}
}

/* A hex member into a malloc'd buffer. */
static int get_hex(struct json_object *o, const char *key, uint8_t **out, size_t *len)
{
	const char *s = get_str(o, key);
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

static int get_fixed_hex(struct json_object *o, const char *key, uint8_t *out, size_t want)
{
	const char *s = get_str(o, key);
	size_t len;

	if (!s || kb_attest_hex_parse(s, out, want, &len) || len != want)
		return -EINVAL;
	return 0;
}

/* A PCR index: an integer 0..23 (written as 13, or 13.0). */
static bool get_pcr(struct json_object *o, uint32_t *pcr)
{
	struct json_object *m;
	double d;

	if (!json_object_object_get_ex(o, "pcr", &m))
		return false;
	if (json_object_is_type(m, json_type_int)) {
		int64_t v = json_object_get_int64(m);

		if (v < 0 || v > 23)
			return false;
		*pcr = v;
		return true;
	}
	if (!json_object_is_type(m, json_type_double))
		return false;
	d = json_object_get_double(m);
	if (!(d >= 0 && d <= 23) || d != (uint32_t)d)
		return false;
	*pcr = d;
	return true;
}

/*
 * The text as one JSON value, by json-c: strict RFC 8259, strings valid UTF-8, nesting
 * at most KB_DOC_DEPTH deep, nothing but whitespace after it. NULL when it is not.
 */
static struct json_object *parse(const char *text, size_t len)
{
	struct json_tokener *tok;
	struct json_object *root;
	size_t end;

	if (len > INT_MAX)
		return NULL;
	tok = json_tokener_new_ex(KB_DOC_DEPTH);
	if (!tok)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, text, (int)len);
	/* json_tokener_continue: the text ended inside the value. */
	if (root && json_tokener_get_error(tok) == json_tokener_success) {
		for (end = json_tokener_get_parse_end(tok); end < len; end++)
			if (!strchr(" \t\n\r", text[end]) || !text[end])
				break;
		if (end == len && strings_ok(root)) {
			json_tokener_free(tok);
			return root;
		}
	}
	json_object_put(root);
	json_tokener_free(tok);
	return NULL;
}

int kb_attest_doc_read(const char *text, size_t len, struct kb_attest_doc *doc,
		       const char **reason)
{
	struct json_object *root, *events, *e, *ext;
	const char *schema, *pem, *nonce;
	size_t i, n;
	int err;

	memset(doc, 0, sizeof(*doc));
	root = parse(text, len);
	if (!root) {
		*reason = "not JSON";
		return -EINVAL;
	}
	err = -EINVAL;
	/* Not an object: get_str() and json_object_object_get_ex() find nothing. */
	schema = get_str(root, "schema");
	if (!schema || strcmp(schema, KB_ATTEST_SCHEMA)) {
		*reason = "not a " KB_ATTEST_SCHEMA " document";
		goto out;
	}
	if (!get_pcr(root, &doc->pcr)) {
		*reason = "\"pcr\" is not a PCR index";
		goto out;
	}
	if (get_fixed_hex(root, "pcr_value", doc->pcr_value, KASBLOCK_DIGEST_LEN)) {
		*reason = "\"pcr_value\" is not 32 bytes of hex";
		goto out;
	}
	nonce = get_str(root, "nonce");
	if (!nonce || kb_attest_hex_parse(nonce, doc->nonce, sizeof(doc->nonce), &doc->nonce_len)) {
		*reason = "\"nonce\" is not hex of at most 64 bytes";
		goto out;
	}
	if (get_hex(root, "quote", &doc->quote, &doc->quote_len) ||
	    get_hex(root, "signature", &doc->sig, &doc->sig_len)) {
		*reason = "\"quote\" or \"signature\" is not hex";
		goto out;
	}
	pem = get_str(root, "ak_public");
	doc->ak_pem = strdup(pem ? pem : "");
	if (!json_object_object_get_ex(root, "events", &events) ||
	    !json_object_is_type(events, json_type_array)) {
		*reason = "no \"events\" array";
		goto out;
	}
	n = json_object_array_length(events);
	doc->events = calloc(n ? n : 1, sizeof(*doc->events));
	if (!doc->ak_pem || !doc->events) {
		*reason = "out of memory";
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(events, i);
		if (!json_object_is_type(e, json_type_object) ||
		    get_fixed_hex(e, "record", doc->events[i].record, KASBLOCK_MEASUREMENT_SIZE) ||
		    !json_object_object_get_ex(e, "extended", &ext) ||
		    !json_object_is_type(ext, json_type_boolean)) {
			*reason = "an event without a 128-byte \"record\" or a boolean \"extended\"";
			goto out;
		}
		doc->events[i].extended = json_object_get_boolean(ext);
		doc->events[i].have_record = doc->events[i].have_extended = true;
	}
	doc->n_events = n;
	err = 0;
out:
	json_object_put(root);
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
