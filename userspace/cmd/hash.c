// SPDX-License-Identifier: GPL-2.0
/* kasblockctl hash: SHA-256 of whole files, as the module computes it, in sha256sum format or JSON. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errcode.h"
#include "lib/json.h"
#include "lib/listfile.h"
#include "lib/modimage.h"
#include "lib/sha256.h"
#include "subcommands.h"

static const char usage[] = "Usage: kasblockctl hash [--module] [--json] FILE...\n";
static const char help[] =
	"\n"
	"Print the SHA-256 of each FILE (- for standard input) over its whole\n"
	"contents, which is what the module compares against the list, in\n"
	"sha256sum's format: the output is a list file `kasblockctl load` accepts.\n"
	"Needs no module.\n"
	"\n"
	"  -m, --module  for a compressed kernel module (.ko.xz, .ko.zst, .ko.gz),\n"
	"                also print the digest of the decompressed image, labelled\n"
	"                \"FILE (decompressed)\": finit_module() hashes the file,\n"
	"                init_module() the image modprobe decompressed. List both.\n"
	"  -j, --json    print one JSON object (schema kasblock-hash/1): a member of\n"
	"                \"files\" per FILE, with \"sha256\" (null when FILE could not\n"
	"                be read) and, with --module, \"image_sha256\"\n"
	"  -h, --help    show this help\n";

/* Where the digests go: sha256sum lines, or the members of one JSON object. */
static struct kb_json *json;

/* One sha256sum line: the escaped form when the name needs it. */
static int print_line(const uint8_t digest[KB_SHA256_LEN], const char *name)
{
	char hex[KB_HEX_LEN + 1], *escaped;
	int marker;

	escaped = malloc(2 * strlen(name) + 1);
	if (!escaped) {
		kb_err("hash: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	marker = kb_name_escape(name, strlen(name), escaped);
	kb_hex_format(digest, hex);
	printf("%s%s  %s\n", marker ? "\\" : "", hex, escaped);
	free(escaped);
	return 0;
}

static int hash_one(const char *path, bool module)
{
	uint8_t digest[KB_SHA256_LEN], image[KB_SHA256_LEN];
	enum kb_compression comp = KB_COMP_NONE;
	char *name, hex[KB_HEX_LEN + 1];
	int fd = 0, ret;

	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			kb_err("hash: %s: %s", path, strerror(errno));
			return -errno;
		}
	}
	if (module)
		ret = kb_module_digests(fd, &comp, digest, image);
	else
		ret = kb_sha256_fd(fd, digest, NULL);
	if (fd)
		close(fd);
	if (ret == -EOPNOTSUPP) {
		kb_err("hash: %s: %s-compressed, and kasblockctl was built without %s support",
		       path, kb_compression_name(comp), kb_compression_name(comp));
		return ret;
	}
	if (ret == -EBADMSG) {
		kb_err("hash: %s: corrupt or truncated %s data", path, kb_compression_name(comp));
		return ret;
	}
	if (ret < 0) {
		kb_err("hash: %s: %s", path, strerror(-ret));
		return ret;
	}
	if (json) {
		kb_hex_format(digest, hex);
		kb_json_string(json, "sha256", hex);
		if (module && comp != KB_COMP_NONE) {
			kb_hex_format(image, hex);
			kb_json_string(json, "image_sha256", hex);
		} else if (module) {
			kb_json_null(json, "image_sha256");
		}
		return 0;
	}
	ret = print_line(digest, path);
	if (ret < 0 || comp == KB_COMP_NONE)
		return ret;
	/* A name a list line can carry: the label says which digest this is. */
	if (asprintf(&name, "%s (decompressed)", path) < 0) {
		kb_err("hash: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = print_line(image, name);
	free(name);
	return ret;
}

int hash_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "module", no_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = KB_EXIT_OK;
	bool module = false;
	struct kb_json j;

	opterr = 0;
	json = NULL;
	while ((c = getopt_long(argc, argv, ":mjh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			module = true;
			break;
		case 'j':
			json = &j;
			break;
		case 'h':
			printf("%s%s", usage, help);
			return KB_EXIT_OK;
		default:
			return kb_bad_option("hash", usage, c, argv);
		}
	}
	if (optind == argc)
		return kb_usage_error("hash", usage, "no file given");
	if (json) {
		kb_json_begin(json, stdout, "kasblock-hash/1");
		kb_json_array_start(json, "files");
	}
	/* Like sha256sum: report a file that cannot be read and go on with the others. */
	for (; optind < argc; optind++) {
		if (json) {
			kb_json_object_start(json, NULL);
			kb_json_string(json, "file", argv[optind]);
		}
		if (hash_one(argv[optind], module) < 0) {
			ret = KB_EXIT_FAIL;
			if (json)
				kb_json_null(json, "sha256");
			if (json && module)
				kb_json_null(json, "image_sha256");
		}
		if (json)
			kb_json_object_end(json);
	}
	if (json) {
		kb_json_array_end(json);
		kb_json_end(json);
	}
	return ret;
}
