// SPDX-License-Identifier: GPL-2.0
/*
 * The indicators file the tool was built with (data/indicators), in the
 * binary, so that scan works from the build tree and on a host where the
 * data file is missing. The installed file wins when it is there: it is
 * what the package manager keeps up to date with the binary, and what an
 * administrator looks at. .incbin keeps the text byte for byte, with no
 * generated C file to go stale; the Makefile makes this object depend on it.
 */

#include <errno.h>
#include <string.h>

#include "indicators.h"

#ifndef KB_INDICATORS_SRC
#error "KB_INDICATORS_SRC must name data/indicators (the Makefile sets it)"
#endif

extern const char kb_indicators_builtin_text[];
extern const char kb_indicators_builtin_end[];

__asm__(".pushsection .rodata, \"a\"\n"
	".balign 16\n"
	".globl kb_indicators_builtin_text\n"
	"kb_indicators_builtin_text:\n"
	".incbin \"" KB_INDICATORS_SRC "\"\n"
	".globl kb_indicators_builtin_end\n"
	"kb_indicators_builtin_end:\n"
	".byte 0\n"
	".popsection\n");

int kb_indicators_load_builtin(struct kb_indicators *set, struct kb_ind_error *err)
{
	err->line = 0;
	err->reason = NULL;
	return kb_indicators_parse(set, kb_indicators_builtin_text,
				   (size_t)(kb_indicators_builtin_end - kb_indicators_builtin_text),
				   KB_INDICATORS_BUILTIN, err);
}
