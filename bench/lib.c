// SPDX-License-Identifier: GPL-2.0
/* kasblock bench: one of the shared libraries dlopen-50 loads (LIBNO differs). */
int bench_lib_id(void)
{
	return LIBNO;
}
