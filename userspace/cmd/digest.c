// SPDX-License-Identifier: GPL-2.0
/* kasblockctl digest: the policy digest of list files, computed offline. */

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include "errcode.h"
#include "lib/json.h"
#include "lib/policydigest.h"
#include "listfiles.h"
#include "subcommands.h"

static const char usage[] = "Usage: kasblockctl digest [--json] FILE...\n";
static const char help[] =
	"\n"
	"Print the policy digest of the list that `kasblockctl load FILE...' would\n"
	"load (- reads standard input): the SHA-256 of the distinct digests, sorted\n"
	"and concatenated. Order, duplicates, labels and comments do not change it.\n"
	"It is what `kasblockctl status' shows as \"policy digest\" once that list is\n"
	"loaded, so a fleet can check that every server runs the intended list.\n"
	"Needs no module.\n"
	"\n"
	"  -j, --json   print {\"schema\":\"kasblock-digest/1\",\"policy_digest\":HEX}\n"
	"  -h, --help   show this help\n";

int digest_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_list list = { 0 };
	uint8_t digest[KB_DIGEST_LEN];
	char hex[KB_HEX_LEN + 1];
	bool json = false;
	struct kb_json j;
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
			return kb_bad_option("digest", usage, c, argv);
		}
	}
	if (optind == argc)
		return kb_usage_error("digest", usage, "no file given");

	ret = kb_cmd_read_lists("digest", argv + optind, argc - optind, &list);
	if (!ret) {
		if (kb_policy_digest(&list, digest)) {
			kb_err("digest: %s", strerror(ENOMEM));
			ret = KB_EXIT_FAIL;
		} else if (json) {
			/* The key status --json uses: one jq path compares the two. */
			kb_hex_format(digest, hex);
			kb_json_begin(&j, stdout, "kasblock-digest/1");
			kb_json_string(&j, "policy_digest", hex);
			kb_json_end(&j);
		} else {
			kb_hex_format(digest, hex);
			printf("%s\n", hex);
		}
	}
	kb_list_free(&list);
	return ret;
}
