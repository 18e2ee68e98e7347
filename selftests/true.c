// SPDX-License-Identifier: GPL-2.0
/*
 * kst-true: the smallest program that exits 0. Tests copy it and append bytes
 * to make programs with distinct digests; small, so hashing it is cheap even
 * under TCG, and static, so no ld.so or library is involved in its exec.
 */
void _start(void)
{
	asm volatile("mov $60, %eax\n\t"	/* __NR_exit */
		     "xor %edi, %edi\n\t"
		     "syscall");
	__builtin_unreachable();
}
