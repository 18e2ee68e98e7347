// SPDX-License-Identifier: GPL-2.0
/* kasblockctl attest: a TPM quote over the module's PCR, with its measurement log, as JSON. */

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "errcode.h"
#include "lib/netlink.h"
#include "subcommands.h"

static const char usage[] =
	"Usage: kasblockctl attest --nonce HEX (--ak FILE | --ak-handle HANDLE) --out FILE [--tpm DEVICE]\n"
	"       kasblockctl attest --create-ak FILE [--ak-pub PEM] [--tpm DEVICE]\n";
static const char help[] =
	"\n"
	"Quote the PCR the module measures the policy into, signed by a TPM attestation\n"
	"key over the verifier's nonce, and write the quote, the signature, the PCR\n"
	"value, the measurement log and the key's public part as one JSON document\n"
	"(schema kasblock-attest/1) that `kasblockctl verify` checks on another machine.\n"
	"\n"
	"  -n, --nonce HEX       the verifier's nonce, 1 to 64 bytes of hex\n"
	"  -k, --ak FILE         the attestation key, from --create-ak\n"
	"      --ak-handle H     or a persistent key the admin provides (0x81xxxxxx)\n"
	"  -o, --out FILE        where to write the document (- for stdout)\n"
	"      --create-ak FILE  create an attestation key (ECDSA P-256, restricted\n"
	"                        signing, under the owner's storage primary) into FILE\n"
	"                        and its public key, PEM, into FILE.pem or --ak-pub\n"
	"      --tpm DEVICE      the TPM (default " KB_TPM_DEFAULT ")\n"
	"  -h, --help            show this help\n";

enum { OPT_CREATE = 256, OPT_AK_PUB, OPT_TPM, OPT_HANDLE };

static int create_ak(const char *tpm, const char *file, const char *pem)
{
	char why[KB_ATTEST_WHY] = "", *def = NULL;
	int err;

	if (!pem) {
		if (asprintf(&def, "%s.pem", file) < 0)
			return KB_EXIT_FAIL;
		pem = def;
	}
	err = kb_tpm_create_ak(tpm, file, pem, why, sizeof(why));
	if (err)
		kb_err("attest: --create-ak: %s", why[0] ? why : strerror(-err));
	else
		printf("attestation key: %s\npublic key: %s\n", file, pem);
	free(def);
	return err ? KB_EXIT_FAIL : KB_EXIT_OK;
}

static bool same_log(const struct kb_measurement *a, size_t na, const struct kb_measurement *b,
		     size_t nb)
{
	return na == nb && (!na || !memcmp(a, b, na * sizeof(*a)));
}

static int attest(const char *tpm, const char *ak, uint32_t handle, const uint8_t *nonce,
		  size_t nonce_len, const char *out)
{
	struct kb_measurement *log = NULL, *again = NULL;
	struct kb_attest_doc doc = { 0 };
	struct kb_tpm_quote q = { 0 };
	uint8_t replayed[KASBLOCK_DIGEST_LEN];
	char why[KB_ATTEST_WHY] = "";
	size_t n = 0, n2 = 0;
	struct kb_status st;
	struct kb_nl *nl;
	int ret, err, tries;
	FILE *f;

	ret = kb_cmd_open("attest", &nl);
	if (ret)
		return ret;
	err = kb_nl_get_status(nl, &st);
	if (err < 0) {
		ret = kb_report("attest", NULL, err, nl);
		goto out;
	}
	if (!(st.have & (1ULL << KASBLOCK_A_ATTEST_STATE)) ||
	    st.attest_state != KASBLOCK_ATTEST_AVAILABLE) {
		kb_err("attest: attestation is %s in the module",
		       !(st.have & (1ULL << KASBLOCK_A_ATTEST_STATE)) ? "not supported" :
		       st.attest_state == KASBLOCK_ATTEST_DISABLED ? "disabled (pcr=-1)" :
		       "unavailable (no TPM 2.0 with a SHA-256 bank)");
		ret = KB_EXIT_FAIL;
		goto out;
	}
	/* The log and the quote are read apart: retry until a policy change does not fall between. */
	for (tries = 0; tries < 5; tries++) {
		free(log);
		free(again);
		log = again = NULL;
		kb_tpm_quote_free(&q);
		err = kb_nl_get_measurements(nl, &log, &n);
		if (err < 0) {
			ret = kb_report("attest", "measurement log", err, nl);
			goto out;
		}
		err = kb_tpm_quote(tpm, ak, handle, st.attest_pcr, nonce, nonce_len, &q, why,
				   sizeof(why));
		if (err) {
			kb_err("attest: %s", why[0] ? why : strerror(-err));
			ret = KB_EXIT_FAIL;
			goto out;
		}
		err = kb_nl_get_measurements(nl, &again, &n2);
		if (err < 0) {
			ret = kb_report("attest", "measurement log", err, nl);
			goto out;
		}
		kb_attest_replay(log, n, replayed);
		if (same_log(log, n, again, n2) && !memcmp(replayed, q.pcr_value, sizeof(replayed)))
			break;
	}
	if (tries == 5) {
		kb_err("attest: the measurement log does not replay to PCR %u (the policy kept changing, or something else extends that PCR)",
		       st.attest_pcr);
		ret = KB_EXIT_FAIL;
		goto out;
	}
	doc.pcr = st.attest_pcr;
	memcpy(doc.pcr_value, q.pcr_value, KASBLOCK_DIGEST_LEN);
	doc.quote = q.quote;
	doc.quote_len = q.quote_len;
	doc.sig = q.sig;
	doc.sig_len = q.sig_len;
	doc.ak_pem = q.ak_pem;
	memcpy(doc.nonce, nonce, nonce_len);
	doc.nonce_len = nonce_len;
	doc.events = log;
	doc.n_events = n;
	f = strcmp(out, "-") ? fopen(out, "w") : stdout;
	if (!f) {
		kb_err("attest: %s: %s", out, strerror(errno));
		ret = KB_EXIT_FAIL;
		goto out;
	}
	err = kb_attest_doc_write(f, &doc);
	if (f != stdout && fclose(f) && !err)
		err = -errno;
	if (err) {
		kb_err("attest: %s: %s", out, strerror(-err));
		ret = KB_EXIT_FAIL;
	}
out:
	kb_tpm_quote_free(&q);
	free(log);
	free(again);
	kb_nl_close(nl);
	return ret;
}

int attest_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nonce", required_argument, NULL, 'n' },
		{ "ak", required_argument, NULL, 'k' },
		{ "ak-handle", required_argument, NULL, OPT_HANDLE },
		{ "out", required_argument, NULL, 'o' },
		{ "create-ak", required_argument, NULL, OPT_CREATE },
		{ "ak-pub", required_argument, NULL, OPT_AK_PUB },
		{ "tpm", required_argument, NULL, OPT_TPM },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *nonce_hex = NULL, *ak = NULL, *out = NULL, *create = NULL, *pem = NULL;
	const char *tpm = KB_TPM_DEFAULT, *handle_s = NULL;
	uint8_t nonce[KB_ATTEST_NONCE_MAX];
	unsigned long handle = 0;
	size_t nonce_len;
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:k:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': nonce_hex = optarg; break;
		case 'k': ak = optarg; break;
		case 'o': out = optarg; break;
		case OPT_CREATE: create = optarg; break;
		case OPT_AK_PUB: pem = optarg; break;
		case OPT_TPM: tpm = optarg; break;
		case OPT_HANDLE: handle_s = optarg; break;
		case 'h':
			printf("%s%s", usage, help);
			return KB_EXIT_OK;
		default:
			return kb_bad_option("attest", usage, c, argv);
		}
	}
	if (optind != argc)
		return kb_usage_error("attest", usage, "unexpected argument '%s'", argv[optind]);
	if (create) {
		if (nonce_hex || ak || out || handle_s)
			return kb_usage_error("attest", usage, "--create-ak takes only --ak-pub and --tpm");
		return create_ak(tpm, create, pem);
	}
	if (pem)
		return kb_usage_error("attest", usage, "--ak-pub goes with --create-ak");
	if (!nonce_hex || !out || !!ak == !!handle_s)
		return kb_usage_error("attest", usage,
				      "needs --nonce, --out and one of --ak or --ak-handle");
	if (kb_attest_hex_parse(nonce_hex, nonce, sizeof(nonce), &nonce_len) || !nonce_len)
		return kb_usage_error("attest", usage, "--nonce '%s': not 1 to %d bytes of hex",
				      nonce_hex, KB_ATTEST_NONCE_MAX);
	if (handle_s) {
		errno = 0;
		handle = strtoul(handle_s, &end, 0);
		if (errno || *end || handle < 0x81000000ul || handle > 0x81fffffful)
			return kb_usage_error("attest", usage,
					      "--ak-handle '%s': not a persistent handle (0x81000000..0x81ffffff)",
					      handle_s);
	}
	return attest(tpm, ak, handle, nonce, nonce_len, out);
}
