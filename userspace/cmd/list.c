// SPDX-License-Identifier: GPL-2.0
/* kasblockctl list: print the active list as a list file (or JSON), sorted by digest. */

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "errcode.h"
#include "lib/hexdigest.h"
#include "lib/json.h"
#include "lib/netlink.h"
#include "subcommands.h"

static const char usage[] = "Usage: kasblockctl list [--json]\n";
static const char help[] =
	"\n"
	"Print the active blocklist in the list format (\"<hex>  <label>\", or the bare\n"
	"digest when there is no label), sorted by digest, so that\n"
	"`kasblockctl list > f; kasblockctl load f` gives the same list back.\n"
	"\n"
	"  -j, --json   print one JSON object on one line (schema kasblock-list/1)\n"
	"  -h, --help   show this help\n";

/* Schema kasblock-list/1 (kasblockctl(8)): the generation the dump saw, the entries by digest. */
static void print_json(const struct kb_list *list, uint64_t generation)
{
	char hex[KB_HEX_LEN + 1];
	struct kb_json j;
	size_t i;

	kb_json_begin(&j, stdout, "kasblock-list/1");
	kb_json_u64(&j, "generation", generation);
	kb_json_array_start(&j, "entries");
	for (i = 0; i < list->len; i++) {
		kb_hex_format(list->entries[i].digest, hex);
		kb_json_object_start(&j, NULL);
		kb_json_string(&j, "sha256", hex);
		kb_json_string(&j, "label", *list->entries[i].label ? list->entries[i].label : NULL);
		kb_json_object_end(&j);
	}
	kb_json_array_end(&j);
	kb_json_end(&j);
}

int list_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char line[KB_LISTFILE_FORMAT_MAX];
	struct kb_list list = { 0 };
	uint64_t generation = 0;
	bool json = false;
	struct kb_nl *nl;
	size_t i;
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
			return kb_bad_option("list", usage, c, argv);
		}
	}
	if (optind != argc)
		return kb_usage_error("list", usage, "unexpected argument '%s'", argv[optind]);

	ret = kb_cmd_open("list", &nl);
	if (ret)
		return ret;
	ret = kb_nl_get_entries(nl, &list, &generation);
	if (ret < 0) {
		ret = kb_report("list", NULL, ret, nl);
		goto out;
	}
	kb_list_sort(&list);
	if (json)
		print_json(&list, generation);
	for (i = 0; !json && i < list.len; i++)
		fwrite(line, 1, kb_listfile_format(&list.entries[i], line), stdout);
out:
	kb_list_free(&list);
	kb_nl_close(nl);
	return ret;
}
