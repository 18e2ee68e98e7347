// SPDX-License-Identifier: GPL-2.0
/* kasblockctl add / del: change single entries of the active list. */

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "errcode.h"
#include "lib/netlink.h"
#include "subcommands.h"

static const char add_usage[] = "Usage: kasblockctl add [--label NAME] HASH...\n";
static const char add_help[] =
	"\n"
	"Add SHA-256 digests (64 hex characters each) to the active blocklist.\n"
	"A digest already listed stays listed; with --label its label is replaced.\n"
	"\n"
	"  -l, --label NAME   label shown in denial logs (at most 63 bytes)\n"
	"  -h, --help         show this help\n";

static const char del_usage[] = "Usage: kasblockctl del HASH...\n";
static const char del_help[] =
	"\n"
	"Delete SHA-256 digests from the active blocklist. Fails, deleting none of\n"
	"them, if one is not listed.\n"
	"\n"
	"  -h, --help   show this help\n";

static int entry_cmp(const void *a, const void *b)
{
	return memcmp(a, b, KB_DIGEST_LEN);
}

/* Drop repeated digests: the kernel would refuse a message deleting one twice. */
static size_t sort_unique(struct kb_entry *e, size_t n)
{
	size_t i, out = 0;

	qsort(e, n, sizeof(*e), entry_cmp);
	for (i = 0; i < n; i++) {
		if (out && !memcmp(e[out - 1].digest, e[i].digest, KB_DIGEST_LEN))
			continue;
		e[out++] = e[i];
	}
	return out;
}

static int entries_main(int argc, char **argv, uint8_t cmd)
{
	static const struct option add_opts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool add = cmd == KASBLOCK_CMD_ADD;
	const char *name = add ? "add" : "del", *usage = add ? add_usage : del_usage;
	const char *label = NULL, *reason;
	struct kb_entry *entries;
	struct kb_nl *nl;
	size_t i, n;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, add ? ":l:h" : ":h", add_opts + (add ? 0 : 1),
				NULL)) != -1) {
		switch (c) {
		case 'l':
			label = optarg;
			break;
		case 'h':
			printf("%s%s", usage, add ? add_help : del_help);
			return KB_EXIT_OK;
		default:
			return kb_bad_option(name, usage, c, argv);
		}
	}
	if (optind == argc)
		return kb_usage_error(name, usage, "no digest given");
	if (label && strlen(label) > KASBLOCK_LABEL_MAX - 1)
		return kb_usage_error(name, usage, "label too long (at most %d bytes)",
				      KASBLOCK_LABEL_MAX - 1);

	n = (size_t)(argc - optind);
	entries = calloc(n, sizeof(*entries));
	if (!entries) {
		kb_err("%s: %s", name, strerror(ENOMEM));
		return KB_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		if (kb_hex_parse_str(argv[optind + i], entries[i].digest, &reason) < 0) {
			kb_err("%s: bad digest \"%s\": %s", name, argv[optind + i], reason);
			free(entries);
			return KB_EXIT_USAGE;
		}
		if (label)
			kb_label_set(entries[i].label, label, strlen(label));
	}
	n = sort_unique(entries, n);

	ret = kb_cmd_open(name, &nl);
	if (ret) {
		free(entries);
		return ret;
	}
	ret = kb_nl_send_entries(nl, cmd, entries, n);
	if (ret < 0) {
		char hex[KB_HEX_LEN + 1];

		/* Name the digest when it is the cause (not listed, refused), not for a full list. */
		bool quote = nl->bad_entry >= 0 && (ret == -ENOENT || ret == -EINVAL);

		if (quote)
			kb_hex_format(entries[nl->bad_entry].digest, hex);
		ret = kb_report(name, quote ? hex : NULL, ret, nl);
		/* Each message is all-or-nothing, but a long argument list takes several. */
		if (nl->done)
			kb_err("%s: %zu of %zu digests were %s nonetheless", name, nl->done, n,
			       add ? "added" : "deleted");
	}
	kb_nl_close(nl);
	free(entries);
	return ret;
}

int add_main(int argc, char **argv)
{
	return entries_main(argc, argv, KASBLOCK_CMD_ADD);
}

int del_main(int argc, char **argv)
{
	return entries_main(argc, argv, KASBLOCK_CMD_DEL);
}
