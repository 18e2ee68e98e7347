// SPDX-License-Identifier: GPL-2.0
/* kasblockctl hash: SHA-256 of whole files, as the module computes it, in sha256sum format. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errcode.h"
#include "listfile.h"
#include "sha256.h"
#include "subcommands.h"

static const char usage[] = "Usage: kasblockctl hash FILE...\n";
static const char help[] =
	"\n"
	"Print the SHA-256 of each FILE (- for standard input) over its whole\n"
	"contents, which is what the module compares against the list, in\n"
	"sha256sum's format: the output is a list file `kasblockctl load` accepts.\n"
	"Needs no module.\n"
	"\n"
	"  -h, --help   show this help\n";

static int hash_one(const char *path)
{
	uint8_t digest[KB_SHA256_LEN];
	char hex[KB_HEX_LEN + 1], *name;
	int fd = 0, ret, escaped;

	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			kb_err("hash: %s: %s", path, strerror(errno));
			return -errno;
		}
	}
	ret = kb_sha256_fd(fd, digest, NULL);
	if (fd)
		close(fd);
	if (ret < 0) {
		kb_err("hash: %s: %s", path, strerror(-ret));
		return ret;
	}
	name = malloc(2 * strlen(path) + 1);
	if (!name) {
		kb_err("hash: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	escaped = kb_name_escape(path, strlen(path), name);
	kb_hex_format(digest, hex);
	printf("%s%s  %s\n", escaped ? "\\" : "", hex, name);
	free(name);
	return 0;
}

int hash_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = KB_EXIT_OK;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c != 'h')
			return kb_bad_option("hash", usage, c, argv);
		printf("%s%s", usage, help);
		return KB_EXIT_OK;
	}
	if (optind == argc)
		return kb_usage_error("hash", usage, "no file given");
	/* Like sha256sum: report a file that cannot be read and go on with the others. */
	for (; optind < argc; optind++) {
		if (hash_one(argv[optind]) < 0)
			ret = KB_EXIT_FAIL;
	}
	if (fflush(stdout)) {
		kb_err("hash: write error: %s", strerror(errno));
		ret = KB_EXIT_FAIL;
	}
	return ret;
}
