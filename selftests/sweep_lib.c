// SPDX-License-Identifier: GPL-2.0
/* libkst-sweep.so: the shared library kst-dlopen loads for sweep_test. */
int kst_sweep_lib(void);

int kst_sweep_lib(void)
{
	return 42;
}
