/* SPDX-License-Identifier: GPL-2.0 */
/* What the libFuzzer harnesses share: a check that survives NDEBUG, and line counting. */
#ifndef KB_FUZZ_H
#define KB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A violated property must crash, so that libFuzzer keeps the input as a
 * reproducer; assert() would vanish under -DNDEBUG. The message says which
 * property, since the stack trace alone only says "abort".
 */
#define MUST(cond)									\
	do {										\
		if (!(cond)) {								\
			fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__,	\
				__LINE__, #cond);					\
			abort();							\
		}									\
	} while (0)

/* Lines as the parsers number them: a last line without its '\n' still counts. */
static inline unsigned long fuzz_count_lines(const uint8_t *data, size_t size)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

/* Where 1-based line lineno starts, and its length without the '\n'. */
static inline const uint8_t *fuzz_line(const uint8_t *data, size_t size, unsigned long lineno,
				       size_t *len)
{
	const uint8_t *p = data, *end = data + size, *nl;

	for (;;) {
		nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (--lineno == 0)
			break;
		MUST(nl);
		p = nl + 1;
	}
	*len = (size_t)((nl ? nl : end) - p);
	return p;
}

#endif
