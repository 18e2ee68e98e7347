// SPDX-License-Identifier: GPL-2.0
/*
 * The TPM side of attestation, through the TPM2 software stack's ESAPI (libtss2-esys)
 * and the device TCTI linked directly (no TCTI loader, nothing dlopen'd).
 *
 * The attestation key is ECDSA P-256/SHA-256, restricted signing, fixedTPM, a child of
 * the owner hierarchy's ECC storage primary key made from the TCG's SRK template. The
 * primary is not stored: the same template under the same owner seed makes the same key,
 * so it is recreated for every use and the AK file holds only the AK's public and
 * (TPM-wrapped) private blobs, which stay loadable across reboots (a saved context of a
 * transient object would not: it dies with the TPM reset).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tcti_device.h>

#include "attest.h"

#define AK_MAGIC "KBAK0001"

struct tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	char *why;
	size_t whylen;
};

static int tpm_fail(struct tpm *t, int err, const char *what, TSS2_RC rc)
{
	if (rc)
		snprintf(t->why, t->whylen, "%s: %s", what, Tss2_RC_Decode(rc));
	else
		snprintf(t->why, t->whylen, "%s", what);
	return err;
}

static int tpm_open(struct tpm *t, const char *dev)
{
	size_t size = 0;
	TSS2_RC rc;

	rc = Tss2_Tcti_Device_Init(NULL, &size, NULL);
	if (rc)
		return tpm_fail(t, -EIO, "Tss2_Tcti_Device_Init", rc);
	t->tcti = calloc(1, size);
	if (!t->tcti)
		return -ENOMEM;
	rc = Tss2_Tcti_Device_Init(t->tcti, &size, dev);
	if (rc) {
		free(t->tcti);
		t->tcti = NULL;
		return tpm_fail(t, -ENODEV, dev, rc);
	}
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc) {
		Tss2_Tcti_Finalize(t->tcti);
		free(t->tcti);
		t->tcti = NULL;
		return tpm_fail(t, -EIO, "Esys_Initialize", rc);
	}
	return 0;
}

static void tpm_close(struct tpm *t)
{
	if (t->esys)
		Esys_Finalize(&t->esys);
	if (t->tcti) {
		Tss2_Tcti_Finalize(t->tcti);
		free(t->tcti);
	}
}

/* The TCG's ECC P-256 storage root key template, with empty unique fields. */
static int create_srk(struct tpm *t, ESYS_TR *srk)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl = {
		.publicArea = {
			.type = TPM2_ALG_ECC,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT |
					    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
					    TPMA_OBJECT_SENSITIVEDATAORIGIN |
					    TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA,
			.parameters.eccDetail = {
				.symmetric = {
					.algorithm = TPM2_ALG_AES,
					.keyBits.aes = 128,
					.mode.aes = TPM2_ALG_CFB,
				},
				.scheme.scheme = TPM2_ALG_NULL,
				.curveID = TPM2_ECC_NIST_P256,
				.kdf.scheme = TPM2_ALG_NULL,
			},
			.unique.ecc = { .x.size = 32, .y.size = 32 },
		},
	};
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TSS2_RC rc;

	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &sens, &tmpl, &outside, &pcrs, srk, NULL, NULL,
				NULL, NULL);
	if (rc)
		return tpm_fail(t, -EIO, "creating the storage primary key (owner hierarchy)", rc);
	return 0;
}

/* The public key, PEM, for the AK's TPMT_PUBLIC (ECC or RSA). */
static int public_pem(const TPMT_PUBLIC *pub, char **pem)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *n = NULL, *e = NULL;
	uint8_t pt[1 + 2 * 66];
	BIO *bio = NULL;
	char *data;
	long len;
	int err = -EINVAL;
	size_t x, y;

	if (!bld)
		return -ENOMEM;
	if (pub->type == TPM2_ALG_ECC && pub->parameters.eccDetail.curveID == TPM2_ECC_NIST_P256) {
		x = pub->unique.ecc.x.size;
		y = pub->unique.ecc.y.size;
		if (x > 32 || y > 32)
			goto out;
		memset(pt, 0, sizeof(pt));
		pt[0] = 4;
		memcpy(pt + 1 + 32 - x, pub->unique.ecc.x.buffer, x);
		memcpy(pt + 1 + 64 - y, pub->unique.ecc.y.buffer, y);
		if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, 65))
			goto out;
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	} else if (pub->type == TPM2_ALG_RSA) {
		n = BN_bin2bn(pub->unique.rsa.buffer, pub->unique.rsa.size, NULL);
		e = BN_new();
		if (!n || !e || !BN_set_word(e, pub->parameters.rsaDetail.exponent ?
					     pub->parameters.rsaDetail.exponent : 65537) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
			goto out;
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	} else {
		goto out;	/* neither P-256 nor RSA */
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!ctx || !params || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	bio = BIO_new(BIO_s_mem());
	if (!bio || PEM_write_bio_PUBKEY(bio, key) != 1)
		goto out;
	len = BIO_get_mem_data(bio, &data);
	*pem = strndup(data, len);
	err = *pem ? 0 : -ENOMEM;
out:
	BIO_free(bio);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return err;
}

static int write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wx");
	int err = 0;

	if (!f)
		return -errno;
	if (fwrite(buf, 1, len, f) != len)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int kb_tpm_create_ak(const char *dev, const char *ak_file, const char *pem_file, char *why,
		     size_t whylen)
{
	struct tpm t = { .why = why, .whylen = whylen };
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl = {
		.publicArea = {
			.type = TPM2_ALG_ECC,
			.nameAlg = TPM2_ALG_SHA256,
			.objectAttributes = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT |
					    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
					    TPMA_OBJECT_SENSITIVEDATAORIGIN |
					    TPMA_OBJECT_USERWITHAUTH,
			.parameters.eccDetail = {
				.symmetric.algorithm = TPM2_ALG_NULL,
				.scheme = {
					.scheme = TPM2_ALG_ECDSA,
					.details.ecdsa.hashAlg = TPM2_ALG_SHA256,
				},
				.curveID = TPM2_ECC_NIST_P256,
				.kdf.scheme = TPM2_ALG_NULL,
			},
		},
	};
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	uint8_t buf[sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE) + 8];
	size_t off = 8;
	ESYS_TR srk = ESYS_TR_NONE;
	char *pem = NULL;
	TSS2_RC rc;
	int err;

	err = tpm_open(&t, dev);
	if (err)
		return err;
	err = create_srk(&t, &srk);
	if (err)
		goto out;
	rc = Esys_Create(t.esys, srk, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl,
			 &outside, &pcrs, &priv, &pub, NULL, NULL, NULL);
	if (rc) {
		err = tpm_fail(&t, -EIO, "creating the attestation key", rc);
		goto out;
	}
	memcpy(buf, AK_MAGIC, 8);
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, sizeof(buf), &off) ||
	    Tss2_MU_TPM2B_PRIVATE_Marshal(priv, buf, sizeof(buf), &off)) {
		err = tpm_fail(&t, -EIO, "marshalling the attestation key", 0);
		goto out;
	}
	err = public_pem(&pub->publicArea, &pem);
	if (err) {
		tpm_fail(&t, err, "converting the attestation key's public part", 0);
		goto out;
	}
	err = write_file(ak_file, buf, off);
	if (err) {
		snprintf(why, whylen, "%s: %s", ak_file, strerror(-err));
		goto out;
	}
	err = write_file(pem_file, pem, strlen(pem));
	if (err)
		snprintf(why, whylen, "%s: %s", pem_file, strerror(-err));
out:
	free(pem);
	Esys_Free(priv);
	Esys_Free(pub);
	if (srk != ESYS_TR_NONE)
		Esys_FlushContext(t.esys, srk);
	tpm_close(&t);
	return err;
}

static int load_ak(struct tpm *t, const char *ak_file, ESYS_TR *srk, ESYS_TR *ak,
		   TPM2B_PUBLIC *pub)
{
	uint8_t buf[sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE) + 8];
	TPM2B_PRIVATE priv = { 0 };
	size_t len, off = 8;
	FILE *f = fopen(ak_file, "r");
	TSS2_RC rc;
	int err;

	if (!f) {
		snprintf(t->why, t->whylen, "%s: %s", ak_file, strerror(errno));
		return -errno;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (len < 8 || memcmp(buf, AK_MAGIC, 8) ||
	    Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, pub) ||
	    Tss2_MU_TPM2B_PRIVATE_Unmarshal(buf, len, &off, &priv) || off != len) {
		snprintf(t->why, t->whylen, "%s: not an attestation key file from attest --create-ak",
			 ak_file);
		return -EINVAL;
	}
	err = create_srk(t, srk);
	if (err)
		return err;
	rc = Esys_Load(t->esys, *srk, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &priv, pub, ak);
	if (rc)
		return tpm_fail(t, -EIO, "loading the attestation key (made by another TPM or owner seed?)", rc);
	return 0;
}

static int read_pcr(struct tpm *t, uint32_t pcr, uint8_t out[KASBLOCK_DIGEST_LEN])
{
	TPML_PCR_SELECTION sel = { .count = 1 };
	TPML_PCR_SELECTION *sel_out = NULL;
	TPML_DIGEST *values = NULL;
	uint32_t counter;
	TSS2_RC rc;
	int err = 0;

	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[pcr / 8] = 1u << (pcr % 8);
	rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, &counter,
			   &sel_out, &values);
	if (rc)
		return tpm_fail(t, -EIO, "reading the PCR", rc);
	if (values->count != 1 || values->digests[0].size != KASBLOCK_DIGEST_LEN)
		err = tpm_fail(t, -EIO, "the TPM has no SHA-256 value for this PCR", 0);
	else
		memcpy(out, values->digests[0].buffer, KASBLOCK_DIGEST_LEN);
	Esys_Free(sel_out);
	Esys_Free(values);
	return err;
}

/* The signature as verify reads it: DER for ECDSA, the raw PKCS#1 v1.5 bytes for RSA. */
static int signature_bytes(const TPMT_SIGNATURE *s, uint8_t **out, size_t *len)
{
	ECDSA_SIG *sig;
	BIGNUM *r, *ss;
	unsigned char *der = NULL;
	int n;

	if (s->sigAlg == TPM2_ALG_RSASSA) {
		*out = malloc(s->signature.rsassa.sig.size);
		if (!*out)
			return -ENOMEM;
		memcpy(*out, s->signature.rsassa.sig.buffer, s->signature.rsassa.sig.size);
		*len = s->signature.rsassa.sig.size;
		return 0;
	}
	if (s->sigAlg != TPM2_ALG_ECDSA || s->signature.ecdsa.hash != TPM2_ALG_SHA256)
		return -EINVAL;
	sig = ECDSA_SIG_new();
	r = BN_bin2bn(s->signature.ecdsa.signatureR.buffer, s->signature.ecdsa.signatureR.size, NULL);
	ss = BN_bin2bn(s->signature.ecdsa.signatureS.buffer, s->signature.ecdsa.signatureS.size, NULL);
	if (!sig || !r || !ss || !ECDSA_SIG_set0(sig, r, ss)) {
		ECDSA_SIG_free(sig);
		BN_free(r);
		BN_free(ss);
		return -ENOMEM;
	}
	n = i2d_ECDSA_SIG(sig, &der);
	ECDSA_SIG_free(sig);
	if (n <= 0)
		return -ENOMEM;
	*out = malloc(n);
	if (*out)
		memcpy(*out, der, n);
	OPENSSL_free(der);
	*len = n;
	return *out ? 0 : -ENOMEM;
}

int kb_tpm_quote(const char *dev, const char *ak_file, uint32_t ak_handle, uint32_t pcr,
		 const uint8_t *nonce, size_t nonce_len, struct kb_tpm_quote *q, char *why,
		 size_t whylen)
{
	struct tpm t = { .why = why, .whylen = whylen };
	TPML_PCR_SELECTION sel = { .count = 1 };
	TPMT_SIG_SCHEME scheme = { .scheme = TPM2_ALG_NULL };
	TPM2B_DATA qualifying = { 0 };
	ESYS_TR srk = ESYS_TR_NONE, ak = ESYS_TR_NONE;
	TPM2B_PUBLIC pub = { 0 }, *read_pub = NULL;
	uint8_t before[KASBLOCK_DIGEST_LEN];
	TPMT_SIGNATURE *sig = NULL;
	TPM2B_ATTEST *quoted = NULL;
	int err, tries;
	TSS2_RC rc;

	memset(q, 0, sizeof(*q));
	if (pcr > 23 || nonce_len > sizeof(qualifying.buffer))
		return -EINVAL;
	err = tpm_open(&t, dev);
	if (err)
		return err;
	if (ak_file) {
		err = load_ak(&t, ak_file, &srk, &ak, &pub);
	} else {
		rc = Esys_TR_FromTPMPublic(t.esys, ak_handle, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, &ak);
		if (!rc)
			rc = Esys_ReadPublic(t.esys, ak, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
					     &read_pub, NULL, NULL);
		if (rc)
			err = tpm_fail(&t, -EIO, "the persistent attestation key", rc);
		else
			pub = *read_pub;
	}
	if (err)
		goto out;
	err = public_pem(&pub.publicArea, &q->ak_pem);
	if (err) {
		tpm_fail(&t, err, "the attestation key is neither ECC P-256 nor RSA", 0);
		goto out;
	}
	qualifying.size = nonce_len;
	memcpy(qualifying.buffer, nonce, nonce_len);
	sel.pcrSelections[0].hash = TPM2_ALG_SHA256;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[pcr / 8] = 1u << (pcr % 8);
	/* The PCR read and the quote are two commands: retry while a change lands between them. */
	for (tries = 0; tries < 5; tries++) {
		Esys_Free(quoted);
		Esys_Free(sig);
		quoted = NULL;
		sig = NULL;
		err = read_pcr(&t, pcr, before);
		if (err)
			goto out;
		rc = Esys_Quote(t.esys, ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				&qualifying, &scheme, &sel, &quoted, &sig);
		if (rc) {
			err = tpm_fail(&t, -EIO, "quoting the PCR", rc);
			goto out;
		}
		err = read_pcr(&t, pcr, q->pcr_value);
		if (err)
			goto out;
		if (!memcmp(before, q->pcr_value, sizeof(before)))
			break;
	}
	if (tries == 5) {
		err = tpm_fail(&t, -EAGAIN, "the PCR kept changing during the quote", 0);
		goto out;
	}
	q->quote = malloc(quoted->size);
	if (!q->quote) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(q->quote, quoted->attestationData, quoted->size);
	q->quote_len = quoted->size;
	err = signature_bytes(sig, &q->sig, &q->sig_len);
	if (err)
		tpm_fail(&t, err, "the quote's signature is neither ECDSA/SHA-256 nor RSASSA", 0);
out:
	Esys_Free(quoted);
	Esys_Free(sig);
	Esys_Free(read_pub);
	if (ak_file && ak != ESYS_TR_NONE)
		Esys_FlushContext(t.esys, ak);
	if (srk != ESYS_TR_NONE)
		Esys_FlushContext(t.esys, srk);
	tpm_close(&t);
	if (err)
		kb_tpm_quote_free(q);
	return err;
}

void kb_tpm_quote_free(struct kb_tpm_quote *q)
{
	free(q->quote);
	free(q->sig);
	free(q->ak_pem);
	memset(q, 0, sizeof(*q));
}
