// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for what `kasblockctl verify` reads from another machine: the
 * attestation document (attest/doc.c over json-c). Beyond "no crash, no leak": an
 * accepted document holds what the schema allows (a PCR index, records of exactly 128
 * bytes, a nonce of at most 64), and written back out by attest's writer it reads back to
 * the same bytes; a rejection always says why.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const struct kb_attest_doc *a, const struct kb_attest_doc *b)
{
	size_t i;

	MUST(a->pcr == b->pcr && !memcmp(a->pcr_value, b->pcr_value, sizeof(a->pcr_value)));
	MUST(a->nonce_len == b->nonce_len && !memcmp(a->nonce, b->nonce, a->nonce_len));
	MUST(a->quote_len == b->quote_len && (!a->quote_len || !memcmp(a->quote, b->quote, a->quote_len)));
	MUST(a->sig_len == b->sig_len && (!a->sig_len || !memcmp(a->sig, b->sig, a->sig_len)));
	MUST(!strcmp(a->ak_pem, b->ak_pem));
	MUST(a->n_events == b->n_events);
	for (i = 0; i < a->n_events; i++) {
		MUST(!memcmp(a->events[i].record, b->events[i].record, KASBLOCK_MEASUREMENT_SIZE));
		MUST(a->events[i].extended == b->events[i].extended);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kb_attest_doc doc, again;
	const char *reason = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	ret = kb_attest_doc_read((const char *)data, size, &doc, &reason);
	if (ret == -ENOMEM)
		return 0;
	if (ret) {
		MUST(ret == -EINVAL && reason && *reason);
		return 0;
	}
	MUST(doc.pcr <= 23 && doc.nonce_len <= KB_ATTEST_NONCE_MAX && doc.ak_pem);
	f = open_memstream(&text, &len);
	MUST(f);
	MUST(kb_attest_doc_write(f, &doc) == 0);
	MUST(!fclose(f));
	MUST(kb_attest_doc_read(text, len, &again, &reason) == 0);
	same(&doc, &again);
	kb_attest_doc_free(&again);
	kb_attest_doc_free(&doc);
	free(text);
	return 0;
}
