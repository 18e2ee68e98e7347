/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attestation: the module's measurement log, a TPM2 quote over its PCR, and the offline
 * check of both (kasblockctl attest, verify). Returns -errno; never prints.
 */
#ifndef KB_ATTEST_H
#define KB_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kasblock.h"
#include "lib/netlink.h"

#define KB_ATTEST_SCHEMA "kasblock-attest/1"
#define KB_ATTEST_NONCE_MAX 64		/* a TPM2B_DATA holds at most a TPMT_HA */
#define KB_ATTEST_WHY 256

/* A struct kasblock_measurement, decoded from its little-endian bytes. */
struct kb_mrec {
	uint16_t version, size, pcr;
	uint64_t seq, generation, gap_seq, max_hash_size;
	uint32_t change, mode, flags, nr_entries, max_entries;
	uint8_t locked, fail_policy;
	uint8_t policy_digest[KASBLOCK_DIGEST_LEN];
	char module_version[KASBLOCK_MEASUREMENT_MODVER_LEN + 1];
};

/* -EINVAL for a record that is not version 1 of the layout (magic, size, flags, change). */
int kb_mrec_decode(const uint8_t raw[KASBLOCK_MEASUREMENT_SIZE], struct kb_mrec *out);
void kb_mrec_encode(const struct kb_mrec *r, uint8_t raw[KASBLOCK_MEASUREMENT_SIZE]);
/* "load", "add", ...; NULL for a value without a name. */
const char *kb_mrec_change_name(uint32_t change);

/* What `attest` writes and `verify` reads (schema kasblock-attest/1, kasblockctl(8)). */
struct kb_attest_doc {
	uint32_t pcr;
	uint8_t pcr_value[KASBLOCK_DIGEST_LEN];
	uint8_t *quote;		/* TPMS_ATTEST as the TPM signed it */
	size_t quote_len;
	uint8_t *sig;		/* ECDSA signature, DER */
	size_t sig_len;
	char *ak_pem;		/* the AK's public key (informational: verify takes its own) */
	uint8_t nonce[KB_ATTEST_NONCE_MAX];
	size_t nonce_len;
	struct kb_measurement *events;
	size_t n_events;
};

/* Writes doc as one JSON object, each event's record in hex and decoded. 0 or -EIO. */
int kb_attest_doc_write(FILE *f, const struct kb_attest_doc *doc);
/* Reads one back; -EINVAL with *reason for a document that is not one. */
int kb_attest_doc_read(const char *text, size_t len, struct kb_attest_doc *doc,
		       const char **reason);
void kb_attest_doc_free(struct kb_attest_doc *doc);

/* The checks verify makes, in order; each failure has its own exit code (kasblockctl(8)). */
enum kb_verify_check {
	KB_VERIFY_OK,
	KB_VERIFY_SIGNATURE,	/* the quote is not signed by the given AK */
	KB_VERIFY_QUOTE,	/* not a TPM-generated quote (magic, type), or malformed */
	KB_VERIFY_NONCE,	/* the quote's extraData is not the nonce */
	KB_VERIFY_PCR,		/* the quote does not cover exactly sha256:{pcr} with pcr_value */
	KB_VERIFY_LOG,		/* a record is malformed, out of sequence or for another PCR */
	KB_VERIFY_REPLAY,	/* the log does not replay to the quoted PCR value */
	KB_VERIFY_GAP,		/* the PCR misses an event, or the log filled up */
	KB_VERIFY_DIGEST,	/* the final policy digest is not the expected one */
	KB_VERIFY_LOCKED,	/* the final policy is not locked, and that was expected */
	__KB_VERIFY_LAST
};
const char *kb_verify_check_name(enum kb_verify_check c);

struct kb_verify_opts {
	const char *ak_pem;		/* PEM text of the trusted AK public key */
	const uint8_t *nonce;
	size_t nonce_len;
	const uint8_t *expect_digest;	/* NULL: no expectation */
	bool expect_locked;
};

struct kb_verify_result {
	enum kb_verify_check failed;
	char why[KB_ATTEST_WHY];
	size_t events, gaps;
	bool have_final;
	struct kb_mrec final;		/* the last measured state-bearing record */
	uint8_t replayed[KASBLOCK_DIGEST_LEN];
};

/*
 * Every check; stops at the first that fails. Returns 0 when the checks ran (r->failed
 * says how they went), -errno when they could not (no memory).
 */
int kb_attest_verify(const struct kb_attest_doc *doc, const struct kb_verify_opts *o,
		     struct kb_verify_result *r);

/* SHA-256 replay of the records marked extended, from 32 zero bytes. */
void kb_attest_replay(const struct kb_measurement *ev, size_t n,
		      uint8_t pcr[KASBLOCK_DIGEST_LEN]);

/* The TPM side (tpm.c, libtss2-esys). tpm is a device, "/dev/tpmrm0" by default. */
#define KB_TPM_DEFAULT "/dev/tpmrm0"
/*
 * Creates an attestation key: ECDSA P-256/SHA-256, restricted signing, fixedTPM, under
 * the owner hierarchy's ECC storage primary (the standard SRK template, recreated on
 * every use). Writes its public and private blobs to ak_file and its public key, PEM,
 * to pem_file. why says which TPM call failed.
 */
int kb_tpm_create_ak(const char *tpm, const char *ak_file, const char *pem_file, char *why,
		     size_t whylen);
struct kb_tpm_quote {
	uint8_t *quote;
	size_t quote_len;
	uint8_t *sig;
	size_t sig_len;
	uint8_t pcr_value[KASBLOCK_DIGEST_LEN];
	char *ak_pem;
};
/*
 * Quotes sha256:{pcr} with the nonce, signed by the AK in ak_file (from
 * kb_tpm_create_ak()) or, when ak_file is NULL, the persistent key at ak_handle.
 */
int kb_tpm_quote(const char *tpm, const char *ak_file, uint32_t ak_handle, uint32_t pcr,
		 const uint8_t *nonce, size_t nonce_len, struct kb_tpm_quote *q, char *why,
		 size_t whylen);
void kb_tpm_quote_free(struct kb_tpm_quote *q);

/* Helpers shared with the tests: hex of any length. */
int kb_attest_hex_parse(const char *s, uint8_t *out, size_t max, size_t *len);

#endif
