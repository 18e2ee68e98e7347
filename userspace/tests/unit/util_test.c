// SPDX-License-Identifier: GPL-2.0
/* lib/util.c's growable array: the one kb_grow every layer uses. */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/util.h"
#include "test.h"

struct slot {
	uint64_t a, b, c, d;
};

/* Grown slots read as zero even where the allocator hands back used memory. */
static void grow_zeroes_new_slots(void)
{
	struct slot *arr = NULL, *dirty;
	size_t n = 0, cap = 0, i;

	/* Leave a freed, dirty block of the size the first growth asks for. */
	dirty = malloc(8 * sizeof(*dirty));
	CHECK(dirty != NULL);
	if (!dirty)
		return;
	memset(dirty, 0xa5, 8 * sizeof(*dirty));
	free(dirty);
	for (i = 0; i < 20; i++) {
		CHECK_INT(KB_GROW(arr, n, cap), 0);
		CHECK(cap > n);
		CHECK(arr[n].a == 0 && arr[n].b == 0 && arr[n].c == 0 && arr[n].d == 0);
		arr[n].a = arr[n].b = arr[n].c = arr[n].d = i + 1;
		n++;
	}
	for (i = 0; i < n; i++)
		CHECK_INT(arr[i].d, i + 1);
	free(arr);
}

/* Room left: no realloc, nothing changes. */
static void grow_with_room_is_a_no_op(void)
{
	struct slot *arr = NULL, *was;
	size_t cap = 0;

	CHECK_INT(KB_GROW(arr, 0, cap), 0);
	was = arr;
	CHECK_INT(cap, 8);
	CHECK_INT(KB_GROW(arr, 7, cap), 0);
	CHECK(arr == was);
	CHECK_INT(cap, 8);
	free(arr);
}

/* A capacity whose double does not fit in a size_t, in elements or in bytes. */
static void grow_refuses_overflow(void)
{
	void *arr = (void *)0x1;	/* never dereferenced: refused before realloc */
	size_t cap;

	cap = SIZE_MAX / 2 + 1;
	CHECK_INT(kb_grow(&arr, &cap, cap, 1), -ENOMEM);
	CHECK_INT(cap, SIZE_MAX / 2 + 1);
	cap = SIZE_MAX / 64 + 1;
	CHECK_INT(kb_grow(&arr, &cap, cap, 32), -ENOMEM);
	CHECK_INT(cap, SIZE_MAX / 64 + 1);
	CHECK(arr == (void *)0x1);
}

int main(void)
{
	RUN(grow_zeroes_new_slots);
	RUN(grow_with_room_is_a_no_op);
	RUN(grow_refuses_overflow);
	return kbt_done();
}
