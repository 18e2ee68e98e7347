// SPDX-License-Identifier: GPL-2.0
/* kasblockctl verify: check an attest document offline, and say which policy it proves. */

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "errcode.h"
#include "lib/hexdigest.h"
#include "subcommands.h"

static const char usage[] =
	"Usage: kasblockctl verify FILE --ak-pub PEM --nonce HEX [--expect-digest HEX] [--expect-locked]\n";
static const char help[] =
	"\n"
	"Check, without a TPM, a document from `kasblockctl attest`: the quote's\n"
	"signature with the trusted attestation key, the nonce, the quoted PCR value,\n"
	"and the measurement log's replay to it; then print the policy state the log\n"
	"ends in. Exit 0 only if every check passes and the expectations hold; each\n"
	"failed check has its own exit code (kasblockctl(8)).\n"
	"\n"
	"Exit status: 0 verified, 1 a file cannot be read, 2 usage or not a document,\n"
	"21 signature, 22 quote, 23 nonce, 24 pcr, 25 log, 26 replay, 27 gap,\n"
	"28 expected digest, 29 expected locked.\n"
	"\n"
	"  -a, --ak-pub PEM          the attestation key's public key, as the verifier knows it\n"
	"  -n, --nonce HEX           the nonce the verifier chose for this quote\n"
	"  -d, --expect-digest HEX   the policy digest the log must end in\n"
	"  -l, --expect-locked       the policy must end locked\n"
	"  -h, --help                show this help\n";

/* Exit codes: KB_VERIFY_EXIT_BASE + enum kb_verify_check. */
#define KB_VERIFY_EXIT_BASE 20

/* The whole file, with at least one spare byte after the *len read. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t cap = 65536, n = 0, got;
	char *buf = NULL, *grown;

	if (!f)
		return NULL;
	for (;;) {
		grown = realloc(buf, cap);
		if (!grown) {
			free(buf);
			buf = NULL;
			errno = ENOMEM;
			break;
		}
		buf = grown;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap) {
			if (ferror(f)) {
				free(buf);
				buf = NULL;
				errno = EIO;
			}
			break;
		}
		if (cap >= (64u << 20)) {	/* 4096 events are under 2 MiB */
			free(buf);
			buf = NULL;
			errno = EFBIG;
			break;
		}
		cap *= 2;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return buf;
}

static void print_state(const struct kb_verify_result *r, const struct kb_attest_doc *doc)
{
	const struct kb_mrec *s = &r->final;
	char hex[KB_HEX_LEN + 1];

	printf("%-16s PCR %u, %zu events, %zu gaps\n", "measured:", doc->pcr, r->events, r->gaps);
	if (!r->have_final)
		return;
	kb_hex_format(s->policy_digest, hex);
	printf("%-16s %s%s\n", "policy digest:", hex,
	       s->flags & KASBLOCK_MEASUREMENT_F_NO_DIGEST ? " (unknown: out of memory)" : "");
	printf("%-16s %llu\n", "generation:", (unsigned long long)s->generation);
	printf("%-16s %s\n", "mode:", kb_mode_name(s->mode) ?: "unknown");
	printf("%-16s %s\n", "locked:", s->locked ? "yes" : "no");
	printf("%-16s %s\n", "fail policy:", kb_fail_policy_name(s->fail_policy) ?: "unknown");
	printf("%-16s %u of %u\n", "entries:", s->nr_entries, s->max_entries);
	printf("%-16s %llu bytes\n", "max hash size:", (unsigned long long)s->max_hash_size);
	printf("%-16s %s\n", "module version:", s->module_version);
}

int verify_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ak-pub", required_argument, NULL, 'a' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "expect-digest", required_argument, NULL, 'd' },
		{ "expect-locked", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pem_path = NULL, *nonce_hex = NULL, *digest_hex = NULL, *reason;
	struct kb_verify_opts o = { 0 };
	struct kb_attest_doc doc;
	struct kb_verify_result r;
	uint8_t nonce[KB_ATTEST_NONCE_MAX], digest[KB_DIGEST_LEN];
	char *text = NULL, *pem = NULL;
	size_t len, pem_len;
	int c, err, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":a:n:d:lh", opts, NULL)) != -1) {
		switch (c) {
		case 'a': pem_path = optarg; break;
		case 'n': nonce_hex = optarg; break;
		case 'd': digest_hex = optarg; break;
		case 'l': o.expect_locked = true; break;
		case 'h':
			printf("%s%s", usage, help);
			return KB_EXIT_OK;
		default:
			return kb_bad_option("verify", usage, c, argv);
		}
	}
	if (optind + 1 != argc)
		return kb_usage_error("verify", usage, "needs exactly one FILE");
	if (!pem_path || !nonce_hex)
		return kb_usage_error("verify", usage, "needs --ak-pub and --nonce");
	if (kb_attest_hex_parse(nonce_hex, nonce, sizeof(nonce), &o.nonce_len) || !o.nonce_len)
		return kb_usage_error("verify", usage, "--nonce '%s': not 1 to %d bytes of hex",
				      nonce_hex, KB_ATTEST_NONCE_MAX);
	o.nonce = nonce;
	if (digest_hex) {
		if (kb_hex_parse_str(digest_hex, digest, &reason))
			return kb_usage_error("verify", usage, "--expect-digest '%s': %s", digest_hex,
					      reason);
		o.expect_digest = digest;
	}
	pem = slurp(pem_path, &pem_len);
	if (!pem) {
		kb_err("verify: %s: %s", pem_path, strerror(errno));
		return KB_EXIT_FAIL;
	}
	pem[pem_len] = '\0';	/* slurp() leaves room: it stops on a short read */
	o.ak_pem = pem;
	text = slurp(argv[optind], &len);
	if (!text) {
		kb_err("verify: %s: %s", argv[optind], strerror(errno));
		free(pem);
		return KB_EXIT_FAIL;
	}
	err = kb_attest_doc_read(text, len, &doc, &reason);
	free(text);
	if (err) {
		kb_err("verify: %s: %s", argv[optind], reason);
		free(pem);
		return KB_EXIT_USAGE;
	}
	/*
	 * libtss2-mu logs a malformed TPMS_ATTEST to stderr itself; the FAILED line below
	 * says why. A TSS2_LOG the user set wins.
	 */
	setenv("TSS2_LOG", "marshal+none", 0);
	err = kb_attest_verify(&doc, &o, &r);
	if (err) {
		kb_err("verify: %s", strerror(-err));
		ret = KB_EXIT_FAIL;
	} else if (r.failed) {
		kb_err("verify: %s: FAILED check %s: %s", argv[optind],
		       kb_verify_check_name(r.failed), r.why);
		ret = KB_VERIFY_EXIT_BASE + r.failed;
	} else {
		printf("%-16s ok (signature, nonce, PCR, log replay%s%s)\n", "verified:",
		       o.expect_digest ? ", expected digest" : "",
		       o.expect_locked ? ", locked" : "");
		print_state(&r, &doc);
		ret = KB_EXIT_OK;
	}
	kb_attest_doc_free(&doc);
	free(pem);
	return ret;
}
