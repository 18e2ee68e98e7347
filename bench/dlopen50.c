// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock bench: dlopen()s libbench1.so ... libbenchN.so from the directory
 * given (each an mmap(PROT_EXEC) the module checks), calls one function of each.
 * usage: dlopen50 DIR [N]
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int i, n = argc > 2 ? atoi(argv[2]) : 50;
	char path[4096];
	int (*fn)(void);
	void *h;

	if (argc < 2)
		return 2;
	for (i = 1; i <= n; i++) {
		snprintf(path, sizeof(path), "%s/libbench%d.so", argv[1], i);
		h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			fprintf(stderr, "dlopen50: %s\n", dlerror());
			return 1;
		}
		fn = (int (*)(void))dlsym(h, "bench_lib_id");
		if (!fn || fn() != i)
			return 1;
	}
	return 0;
}
