/* SPDX-License-Identifier: GPL-2.0 */
/* The policy digest: one SHA-256 that names a list, whatever its order and labels. */
#ifndef KB_POLICYDIGEST_H
#define KB_POLICYDIGEST_H

#include <stdint.h>

#include "listfile.h"

/*
 * SHA-256 over the list's distinct digests, sorted bytewise and concatenated
 * (the SHA-256 of nothing for an empty list): what the module reports as
 * KASBLOCK_A_POLICY_DIGEST for the same list. Sorts list. Returns 0 or -ENOMEM.
 */
int kb_policy_digest(struct kb_list *list, uint8_t out[KB_DIGEST_LEN]);

#endif
