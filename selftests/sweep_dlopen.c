// SPDX-License-Identifier: GPL-2.0
/*
 * kst-dlopen LIBRARY: dlopen() LIBRARY, say "ok" on standard output (or why
 * not on standard error, exit 1), then sleep until killed. sweep_test lists
 * the library afterwards and expects the sweep to find this process by it.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int (*fn)(void);
	void *h;

	if (argc != 2) {
		fprintf(stderr, "usage: kst-dlopen LIBRARY\n");
		return 2;
	}
	h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "kst-dlopen: %s\n", dlerror());
		return 1;
	}
	/* Call into it: its code is mapped executable, not merely present. */
	fn = (int (*)(void))dlsym(h, "kst_sweep_lib");
	if (!fn || fn() != 42) {
		fprintf(stderr, "kst-dlopen: kst_sweep_lib missing or wrong\n");
		return 1;
	}
	printf("ok\n");
	fflush(stdout);
	for (;;)
		pause();
}
