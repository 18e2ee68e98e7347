// SPDX-License-Identifier: GPL-2.0
/*
 * kst-sleep: sleeps until killed. sweep_test copies it (with a tag appended
 * for a digest of its own) to stand for a listed daemon that was already
 * running when the list arrived. Static and without libc, like kst-true, so
 * its only file mapping is itself.
 */
void _start(void)
{
	for (;;)
		asm volatile("mov $34, %%eax\n\t"	/* __NR_pause */
			     "syscall"
			     ::: "rax", "rcx", "r11", "memory");
}
