// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock bench: N random SHA-256-sized digests in the list format.
 * usage: gendigests N > FILE     (random from getrandom(2): no collisions in practice)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

int main(int argc, char **argv)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[32];
	char line[66];
	long i, n;
	int j;

	if (argc != 2 || (n = atol(argv[1])) <= 0)
		return 2;
	line[64] = '\n';
	line[65] = 0;
	for (i = 0; i < n; i++) {
		if (getrandom(d, sizeof(d), 0) != sizeof(d))
			return 1;
		for (j = 0; j < 32; j++) {
			line[2 * j] = hex[d[j] >> 4];
			line[2 * j + 1] = hex[d[j] & 15];
		}
		fputs(line, stdout);
	}
	return fflush(stdout) ? 1 : 0;
}
