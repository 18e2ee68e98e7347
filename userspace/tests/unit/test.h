/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny harness for kasblockctl's host tests. A test is a void function;
 * main() runs each with RUN(fn) and returns kbt_done(), which prints
 * "N passed, N failed, N skipped". A failed CHECK prints where and goes on, so
 * one run shows every broken case. A test that cannot run here says
 * SKIP("why") and returns: it counts as skipped, not passed.
 */
#ifndef KB_TEST_H
#define KB_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int kbt_passed, kbt_failed, kbt_skipped, kbt_failures;
static const char *kbt_skip_reason;

#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (!(cond)) {                                                           \
			printf("  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
			kbt_failures++;                                                  \
		}                                                                        \
	} while (0)

#define CHECK_INT(a, b)                                                                  \
	do {                                                                             \
		long long kbt_a = (long long)(a), kbt_b = (long long)(b);                \
		if (kbt_a != kbt_b) {                                                    \
			printf("  %s:%d: %s == %lld, expected %s == %lld\n", __FILE__,      \
			       __LINE__, #a, kbt_a, #b, kbt_b);                          \
			kbt_failures++;                                                  \
		}                                                                        \
	} while (0)

#define CHECK_STR(a, b)                                                                  \
	do {                                                                             \
		const char *kbt_a = (a), *kbt_b = (b);                                   \
		if (!kbt_a || !kbt_b || strcmp(kbt_a, kbt_b)) {                          \
			printf("  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,        \
			       __LINE__, #a, kbt_a ? kbt_a : "(null)",                   \
			       kbt_b ? kbt_b : "(null)");                                \
			kbt_failures++;                                                  \
		}                                                                        \
	} while (0)

/* Leave the test, counted as skipped (unless a CHECK before it failed). */
#define SKIP(reason)                                                                     \
	do {                                                                             \
		kbt_skip_reason = (reason);                                              \
		return;                                                                  \
	} while (0)

#define RUN(fn) kbt_run(#fn, fn)

static inline void kbt_run(const char *name, void (*fn)(void))
{
	kbt_failures = 0;
	kbt_skip_reason = NULL;
	fn();
	if (kbt_failures) {
		printf("FAIL %s\n", name);
		kbt_failed++;
	} else if (kbt_skip_reason) {
		printf("skip %s: %s\n", name, kbt_skip_reason);
		kbt_skipped++;
	} else {
		printf("ok   %s\n", name);
		kbt_passed++;
	}
	fflush(stdout);
}

/* A test main() cannot even start here (a feature not built in). */
static inline void kbt_skip(const char *name, const char *reason)
{
	printf("skip %s: %s\n", name, reason);
	kbt_skipped++;
}

static inline int kbt_done(void)
{
	printf("%d passed, %d failed, %d skipped\n", kbt_passed, kbt_failed, kbt_skipped);
	return kbt_failed ? 1 : 0;
}

#endif
