// SPDX-License-Identifier: GPL-2.0
/* A harmless stand-in for a program an administrator wants blocked (make demo). */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("kesl-demo: running as pid %d\n", (int)getpid());
	return 0;
}
