// SPDX-License-Identifier: GPL-2.0
/*
 * The policy digest against known vectors: the SHA-256 of nothing for an empty
 * list, and for a small list the SHA-256 of its sorted digests (computed with
 * sha256sum, sort and xxd), whatever the order, duplicates and labels.
 */

#include "lib/policydigest.h"
#include "test.h"

/* sha256 of "a", "b" and "c". */
#define DA "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
#define DB "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"
#define DC "2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6"
/* printf '%s\n' DA DB DC | sort | xxd -r -p | sha256sum */
#define ABC "46c4cf3be906323205e07cbafdad7e8927571191219c9e48b052ddc906d44495"
/* printf DA | xxd -r -p | sha256sum */
#define A_ONLY "bf5d3affb73efd2ec6c36ad3112dd933efed63c4e1cbffcfa88e2759c144f2d8"
#define EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const char *digest_of(const char *text)
{
	static char hex[KB_HEX_LEN + 1];
	struct kb_list list = { 0 };
	struct kb_parse_error err;
	uint8_t d[KB_DIGEST_LEN];

	CHECK_INT(kb_listfile_parse_buf(text, strlen(text), &list, &err), 0);
	kb_policy_digest(&list, d);
	kb_hex_format(d, hex);
	kb_list_free(&list);
	return hex;
}

static void empty_list_is_sha256_of_nothing(void)
{
	CHECK_STR(digest_of(""), EMPTY);
	CHECK_STR(digest_of("# only a comment\n\n"), EMPTY);
}

static void one_entry(void)
{
	CHECK_STR(digest_of(DA "\n"), A_ONLY);
}

static void order_does_not_matter(void)
{
	CHECK_STR(digest_of(DA "  a\n" DB "  b\n" DC "  c\n"), ABC);
	CHECK_STR(digest_of(DC "  c\n" DA "  a\n" DB "  b\n"), ABC);
	CHECK_STR(digest_of(DB "\n" DC "\n" DA "\n"), ABC);
}

static void labels_case_and_duplicates_do_not_matter(void)
{
	CHECK_STR(digest_of(DA "  other name\n" DB " *bin\n" DC "\n" DA "  again\n"), ABC);
	CHECK_STR(digest_of("CA978112CA1BBDCAFAC231B39A23DC4DA786EFF8147C4E72B9807785AFEE48BB\n"
			    DB "\n" DC "\n"), ABC);
}

int main(void)
{
	RUN(empty_list_is_sha256_of_nothing);
	RUN(one_entry);
	RUN(order_does_not_matter);
	RUN(labels_case_and_duplicates_do_not_matter);
	return kbt_done();
}
