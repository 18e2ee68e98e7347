// SPDX-License-Identifier: GPL-2.0
/*
 * The policy digest, computed offline exactly as the module computes it, so a
 * fleet tool can compare `kasblockctl digest LIST` with every server's status.
 * Labels are left out: they name entries, they do not change what is blocked.
 */

#include <errno.h>
#include <string.h>

#include "policydigest.h"
#include "sha256.h"

_Static_assert(KB_SHA256_LEN == KB_DIGEST_LEN, "policy digest length");

int kb_policy_digest(struct kb_list *list, uint8_t out[KB_DIGEST_LEN])
{
	struct kb_sha256 ctx;
	size_t i;

	kb_list_sort(list);
	if (kb_sha256_init(&ctx))
		return -ENOMEM;
	for (i = 0; i < list->len; i++) {
		/* A digest listed twice is one entry in the module. */
		if (i && !memcmp(list->entries[i - 1].digest, list->entries[i].digest, KB_DIGEST_LEN))
			continue;
		kb_sha256_update(&ctx, list->entries[i].digest, KB_DIGEST_LEN);
	}
	return kb_sha256_final(&ctx, out);
}
