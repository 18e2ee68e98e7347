// SPDX-License-Identifier: GPL-2.0
/* kasblockctl status: what the module is doing, as text or as one JSON object. */

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>

#include "errcode.h"
#include "lib/json.h"
#include "lib/netlink.h"
#include "subcommands.h"

static const char usage[] = "Usage: kasblockctl status [--json]\n";
static const char help[] =
	"\n"
	"Print the mode, the number of entries and the limit, the list generation,\n"
	"the failure policy, the largest file hashed, the SHA-256 driver in use,\n"
	"the counters since the module was loaded, whether the policy is locked,\n"
	"the policy digest, the digest cache's use, and the attestation state\n"
	"(available, unavailable without a TPM, disabled with pcr=-1).\n"
	"\n"
	"  -j, --json   print one JSON object on one line\n"
	"  -h, --help   show this help\n";

static bool have(const struct kb_status *st, int attr)
{
	return st->have & (1ULL << attr);
}

static bool have_counter(const struct kb_status *st, int counter)
{
	return st->have_counters & (1ULL << counter);
}

/* A name the module reported: "unknown" for a value this tool has no name for. */
static void json_name(struct kb_json *j, const char *key, bool present, const char *name)
{
	if (present)
		kb_json_string(j, key, name ? name : "unknown");
	else
		kb_json_null(j, key);
}

static void json_counter(struct kb_json *j, const char *key, const struct kb_status *st, int c)
{
	kb_json_opt_u64(j, key, have_counter(st, c), st->counters[c]);
}

/* Schema kasblock-status/1 (kasblockctl(8)): a value the module did not send is null, not a made-up 0. */
static void print_json(const struct kb_status *st)
{
	const char *mode = kb_mode_name(st->mode);
	char hex[KB_HEX_LEN + 1];
	struct kb_json j;

	kb_json_begin(&j, stdout, "kasblock-status/1");
	kb_json_string(&j, "mode", mode ? mode : "unknown");
	kb_json_opt_u64(&j, "entries", have(st, KASBLOCK_A_NR_ENTRIES), st->nr_entries);
	kb_json_opt_u64(&j, "max_entries", have(st, KASBLOCK_A_MAX_ENTRIES), st->max_entries);
	kb_json_opt_u64(&j, "generation", have(st, KASBLOCK_A_GENERATION), st->generation);
	json_name(&j, "fail_policy", have(st, KASBLOCK_A_FAIL_POLICY),
		  kb_fail_policy_name(st->fail_policy));
	kb_json_opt_u64(&j, "max_hash_size", have(st, KASBLOCK_A_MAX_HASH_SIZE), st->max_hash_size);
	json_name(&j, "hash_driver", have(st, KASBLOCK_A_HASH_DRIVER), st->hash_driver);
	json_counter(&j, "checks", st, KASBLOCK_COUNTER_A_CHECKS);
	json_counter(&j, "denials", st, KASBLOCK_COUNTER_A_DENIALS);
	json_counter(&j, "bytes_hashed", st, KASBLOCK_COUNTER_A_BYTES_HASHED);
	json_counter(&j, "errors", st, KASBLOCK_COUNTER_A_ERRORS);
	/* Later additions go after the original keys, so readers of those see no change. */
	if (have(st, KASBLOCK_A_LOCKED))
		kb_json_bool(&j, "locked", st->locked);
	else
		kb_json_null(&j, "locked");
	kb_hex_format(st->policy_digest, hex);
	json_name(&j, "policy_digest", have(st, KASBLOCK_A_POLICY_DIGEST), hex);
	kb_json_opt_u64(&j, "cache_entries", have(st, KASBLOCK_A_CACHE_ENTRIES), st->cache_entries);
	kb_json_opt_u64(&j, "cache_size", have(st, KASBLOCK_A_CACHE_SIZE), st->cache_size);
	json_counter(&j, "cache_hits", st, KASBLOCK_COUNTER_A_CACHE_HITS);
	json_counter(&j, "cache_misses", st, KASBLOCK_COUNTER_A_CACHE_MISSES);
	json_counter(&j, "cache_evictions", st, KASBLOCK_COUNTER_A_CACHE_EVICTIONS);
	json_counter(&j, "events_dropped", st, KASBLOCK_COUNTER_A_EVENTS_DROPPED);
	json_name(&j, "attestation", have(st, KASBLOCK_A_ATTEST_STATE),
		  kb_attest_state_name(st->attest_state));
	kb_json_opt_u64(&j, "attest_pcr", have(st, KASBLOCK_A_ATTEST_PCR), st->attest_pcr);
	kb_json_opt_u64(&j, "measurements", have(st, KASBLOCK_A_MEASUREMENT_COUNT),
			st->measurements);
	kb_json_opt_u64(&j, "measurement_gaps", have(st, KASBLOCK_A_MEASUREMENT_GAPS),
			st->measurement_gaps);
	json_counter(&j, "tpm_errors", st, KASBLOCK_COUNTER_A_TPM_ERRORS);
	kb_json_end(&j);
}

static void text_u64(const char *key, bool present, uint64_t v, const char *unit)
{
	if (present)
		printf("%-16s %" PRIu64 "%s\n", key, v, unit);
}

static void print_text(const struct kb_status *st)
{
	const char *mode = kb_mode_name(st->mode), *policy = kb_fail_policy_name(st->fail_policy);
	char hex[KB_HEX_LEN + 1];

	printf("%-16s %s\n", "mode:", mode ? mode : "unknown");
	if (have(st, KASBLOCK_A_NR_ENTRIES) && have(st, KASBLOCK_A_MAX_ENTRIES))
		printf("%-16s %u of %u\n", "entries:", st->nr_entries, st->max_entries);
	else
		text_u64("entries:", have(st, KASBLOCK_A_NR_ENTRIES), st->nr_entries, "");
	text_u64("generation:", have(st, KASBLOCK_A_GENERATION), st->generation, "");
	if (have(st, KASBLOCK_A_FAIL_POLICY))
		printf("%-16s %s\n", "fail policy:", policy ? policy : "unknown");
	text_u64("max hash size:", have(st, KASBLOCK_A_MAX_HASH_SIZE), st->max_hash_size, " bytes");
	if (have(st, KASBLOCK_A_HASH_DRIVER))
		printf("%-16s %s\n", "hash driver:", st->hash_driver);
	text_u64("checks:", have_counter(st, KASBLOCK_COUNTER_A_CHECKS),
		 st->counters[KASBLOCK_COUNTER_A_CHECKS], "");
	text_u64("denials:", have_counter(st, KASBLOCK_COUNTER_A_DENIALS),
		 st->counters[KASBLOCK_COUNTER_A_DENIALS], "");
	text_u64("bytes hashed:", have_counter(st, KASBLOCK_COUNTER_A_BYTES_HASHED),
		 st->counters[KASBLOCK_COUNTER_A_BYTES_HASHED], "");
	text_u64("errors:", have_counter(st, KASBLOCK_COUNTER_A_ERRORS),
		 st->counters[KASBLOCK_COUNTER_A_ERRORS], "");
	if (have(st, KASBLOCK_A_LOCKED))
		printf("%-16s %s\n", "locked:", st->locked ? "yes (until reboot)" : "no");
	if (have(st, KASBLOCK_A_POLICY_DIGEST)) {
		kb_hex_format(st->policy_digest, hex);
		printf("%-16s %s\n", "policy digest:", hex);
	}
	if (have(st, KASBLOCK_A_CACHE_ENTRIES) && have(st, KASBLOCK_A_CACHE_SIZE))
		printf("%-16s %u of %u\n", "cache:", st->cache_entries, st->cache_size);
	text_u64("cache hits:", have_counter(st, KASBLOCK_COUNTER_A_CACHE_HITS),
		 st->counters[KASBLOCK_COUNTER_A_CACHE_HITS], "");
	text_u64("cache misses:", have_counter(st, KASBLOCK_COUNTER_A_CACHE_MISSES),
		 st->counters[KASBLOCK_COUNTER_A_CACHE_MISSES], "");
	text_u64("cache evictions:", have_counter(st, KASBLOCK_COUNTER_A_CACHE_EVICTIONS),
		 st->counters[KASBLOCK_COUNTER_A_CACHE_EVICTIONS], "");
	text_u64("events dropped:", have_counter(st, KASBLOCK_COUNTER_A_EVENTS_DROPPED),
		 st->counters[KASBLOCK_COUNTER_A_EVENTS_DROPPED], "");
	if (have(st, KASBLOCK_A_ATTEST_STATE)) {
		const char *a = kb_attest_state_name(st->attest_state);

		printf("%-16s %s", "attestation:", a ? a : "unknown");
		if (st->attest_state == KASBLOCK_ATTEST_UNAVAILABLE)
			printf(" (no TPM 2.0 with a SHA-256 bank)");
		else if (st->attest_state == KASBLOCK_ATTEST_AVAILABLE &&
			 have(st, KASBLOCK_A_ATTEST_PCR))
			printf(" (PCR %u, %u events, %u gaps)", st->attest_pcr, st->measurements,
			       st->measurement_gaps);
		printf("\n");
	}
	text_u64("tpm errors:", have_counter(st, KASBLOCK_COUNTER_A_TPM_ERRORS),
		 st->counters[KASBLOCK_COUNTER_A_TPM_ERRORS], "");
}

int status_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_status st;
	struct kb_nl *nl;
	bool json = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("%s%s", usage, help);
			return KB_EXIT_OK;
		default:
			return kb_bad_option("status", usage, c, argv);
		}
	}
	if (optind != argc)
		return kb_usage_error("status", usage, "unexpected argument '%s'", argv[optind]);

	ret = kb_cmd_open("status", &nl);
	if (ret)
		return ret;
	ret = kb_nl_get_status(nl, &st);
	if (ret < 0)
		ret = kb_report("status", NULL, ret, nl);
	else if (json)
		print_json(&st);
	else
		print_text(&st);
	kb_nl_close(nl);
	return ret;
}
