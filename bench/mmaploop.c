// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock bench: what one mmap(PROT_EXEC) of a file costs, the module's
 * check included (its verdict for the file is cached after the first call).
 *
 * usage: mmaploop [-r] N FILE
 * Maps FILE (MAP_PRIVATE, PROT_READ|PROT_EXEC; with -r PROT_READ only, which
 * the module's hook returns from before any check) and unmaps it N times after
 * N/10 unmeasured warm-up calls; prints "ns_per_call=X n=N". No page is
 * touched: the time is the syscalls' and the hooks', not page faults'.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int loop(int fd, int prot, long n)
{
	void *p;
	long i;

	for (i = 0; i < n; i++) {
		p = mmap(NULL, 4096, prot, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			perror("mmaploop: mmap");
			return -1;
		}
		munmap(p, 4096);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int fd, prot = PROT_READ | PROT_EXEC;
	double start;
	long n;

	if (argc == 4 && !strcmp(argv[1], "-r")) {
		prot = PROT_READ;
		argv++;
		argc--;
	}
	if (argc != 3 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: mmaploop [-r] N FILE\n");
		return 2;
	}
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("mmaploop: open");
		return 1;
	}
	if (loop(fd, prot, n / 10 + 1))
		return 1;
	start = now_ns();
	if (loop(fd, prot, n))
		return 1;
	printf("ns_per_call=%.2f n=%ld\n", (now_ns() - start) / n, n);
	return 0;
}
