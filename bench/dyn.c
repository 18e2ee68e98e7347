// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock bench: the smallest dynamically linked program. Its spawn is an
 * exec plus ld.so and libc mapped (each mapping an mmap(PROT_EXEC) the module
 * checks) and libc's start-up.
 */
#include <stdio.h>

int main(void)
{
	return fflush(stdout);
}
