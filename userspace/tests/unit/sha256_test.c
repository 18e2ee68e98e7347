// SPDX-License-Identifier: GPL-2.0
/* SHA-256: FIPS 180-4 vectors, block boundaries, split updates, and hashing an fd. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/hexdigest.h"
#include "lib/sha256.h"
#include "test.h"

static const char *hex_of(const void *data, size_t len)
{
	static char hex[KB_HEX_LEN + 1];
	struct kb_sha256 ctx;
	uint8_t d[KB_SHA256_LEN];

	kb_sha256_init(&ctx);
	kb_sha256_update(&ctx, data, len);
	kb_sha256_final(&ctx, d);
	kb_hex_format(d, hex);
	return hex;
}

static void fips_empty(void)
{
	CHECK_STR(hex_of("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void fips_abc(void)
{
	CHECK_STR(hex_of("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void fips_448_bits(void)
{
	static const char m[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	CHECK_STR(hex_of(m, sizeof(m) - 1),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void fips_896_bits(void)
{
	static const char m[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
				"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	CHECK_STR(hex_of(m, sizeof(m) - 1),
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void fips_million_a(void)
{
	char *m = malloc(1000000);

	CHECK(m);
	if (!m)
		return;
	memset(m, 'a', 1000000);
	CHECK_STR(hex_of(m, 1000000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}

/* Padding changes shape at 55/56 bytes and at every block edge. */
static void block_boundaries(void)
{
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c" },
		{ 128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e" },
	};
	char m[128];
	size_t i;

	memset(m, 'a', sizeof(m));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		CHECK_STR(hex_of(m, v[i].n), v[i].hex);
}

/* Any split of the input into updates gives the one-shot digest. */
static void split_updates(void)
{
	static const size_t steps[] = { 1, 3, 63, 64, 65, 127, 1000 };
	char expect[KB_HEX_LEN + 1], got[KB_HEX_LEN + 1];
	uint8_t data[5000], d[KB_SHA256_LEN];
	struct kb_sha256 ctx;
	size_t i, off, n;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + (i >> 8));
	strcpy(expect, hex_of(data, sizeof(data)));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		kb_sha256_init(&ctx);
		for (off = 0; off < sizeof(data); off += n) {
			n = steps[i] < sizeof(data) - off ? steps[i] : sizeof(data) - off;
			kb_sha256_update(&ctx, data + off, n);
		}
		kb_sha256_final(&ctx, d);
		kb_hex_format(d, got);
		CHECK_STR(got, expect);
	}
}

/* A file spanning several read buffers: bytes counted, digest as for the buffer. */
static void fd_whole_file(void)
{
	size_t len = 256 * 4099, i;
	uint8_t *buf = malloc(len), d[KB_SHA256_LEN];
	char path[] = "/tmp/kb_sha256_test.XXXXXX", hex[KB_HEX_LEN + 1];
	uint64_t bytes = 0;
	int fd;

	CHECK(buf);
	if (!buf)
		return;
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)i;
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		goto out;
	unlink(path);
	CHECK_INT(write(fd, buf, len), (long long)len);
	CHECK_INT(lseek(fd, 0, SEEK_SET), 0);
	CHECK_INT(kb_sha256_fd(fd, d, &bytes), 0);
	CHECK_INT(bytes, len);
	kb_hex_format(d, hex);
	CHECK_STR(hex, "94df93bd19ecda40a8c3554f6cd4030e1ae324cfbf4ab25855ca94cab992ad3c");
	close(fd);
out:
	free(buf);
}

static void fd_empty_pipe(void)
{
	char hex[KB_HEX_LEN + 1];
	uint8_t d[KB_SHA256_LEN];
	uint64_t bytes = 1;
	int p[2];

	CHECK_INT(pipe(p), 0);
	close(p[1]);
	CHECK_INT(kb_sha256_fd(p[0], d, &bytes), 0);
	CHECK_INT(bytes, 0);
	kb_hex_format(d, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	close(p[0]);
}

static void fd_directory_fails(void)
{
	uint8_t d[KB_SHA256_LEN];
	int fd = open("/", O_RDONLY | O_DIRECTORY);

	CHECK(fd >= 0);
	CHECK_INT(kb_sha256_fd(fd, d, NULL), -EISDIR);
	close(fd);
}

/* The one-shot form and the incremental one agree; init and final report success. */
static void one_shot_matches_incremental(void)
{
	static const char m[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t a[KB_SHA256_LEN], b[KB_SHA256_LEN];
	struct kb_sha256 ctx;

	CHECK_INT(kb_sha256(m, sizeof(m) - 1, a), 0);
	CHECK_INT(kb_sha256_init(&ctx), 0);
	kb_sha256_update(&ctx, m, sizeof(m) - 1);
	CHECK_INT(kb_sha256_final(&ctx, b), 0);
	CHECK(!memcmp(a, b, sizeof(a)));
	CHECK_STR(hex_of(m, sizeof(m) - 1),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* A context dropped on an error path leaks nothing (ASan's leak check) and can be dropped twice. */
static void free_without_final(void)
{
	struct kb_sha256 ctx;

	CHECK_INT(kb_sha256_init(&ctx), 0);
	kb_sha256_update(&ctx, "x", 1);
	kb_sha256_free(&ctx);
	kb_sha256_free(&ctx);
	CHECK(ctx.md == NULL);
}

int main(void)
{
	RUN(fips_empty);
	RUN(fips_abc);
	RUN(fips_448_bits);
	RUN(fips_896_bits);
	RUN(fips_million_a);
	RUN(block_boundaries);
	RUN(split_updates);
	RUN(fd_whole_file);
	RUN(fd_empty_pipe);
	RUN(fd_directory_fails);
	RUN(one_shot_matches_incremental);
	RUN(free_without_final);
	return kbt_done();
}
