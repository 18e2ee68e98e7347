// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock bench: how long a program takes to start and finish.
 *
 * usage: spawn [-w W] N PROGRAM [ARG...]
 * Runs PROGRAM W times unmeasured (warm-up: page cache, dentries, the
 * module's verdict cache), then N times measured, one after the other (fork,
 * execv, wait), and prints "median_us=M min_us=M max_us=M n=N". The
 * program's stdout goes to /dev/null. Exits 1 if any run failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double *t, start;
	int i, n, w = 0, status, quiet;
	pid_t pid;

	if (argc > 2 && !strcmp(argv[1], "-w")) {
		w = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 3 || (n = atoi(argv[1])) <= 0 || w < 0) {
		fprintf(stderr, "usage: spawn [-w W] N PROGRAM [ARG...]\n");
		return 2;
	}
	quiet = open("/dev/null", O_WRONLY | O_CLOEXEC);
	t = calloc(n, sizeof(*t));
	if (!t)
		return 1;
	for (i = -w; i < n; i++) {
		start = now_us();
		pid = fork();
		if (pid < 0) {
			perror("spawn: fork");
			return 1;
		}
		if (pid == 0) {
			/* Only our line on stdout: the program's output is not wanted. */
			if (quiet >= 0)
				dup2(quiet, 1);
			execv(argv[2], argv + 2);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0)
			return 1;
		if (i >= 0)
			t[i] = now_us() - start;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "spawn: %s: run %d ended with status %#x\n", argv[2], i, status);
			return 1;
		}
	}
	qsort(t, n, sizeof(*t), cmp);
	printf("median_us=%.3f min_us=%.3f max_us=%.3f n=%d\n", n % 2 ? t[n / 2] :
	       (t[n / 2 - 1] + t[n / 2]) / 2, t[0], t[n - 1], n);
	return 0;
}
