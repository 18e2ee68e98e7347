/* SPDX-License-Identifier: GPL-2.0 */
/* kasblockctl's version is the module's (kmod/version.h); the Makefile may override it. */
#ifndef KB_VERSION_H
#define KB_VERSION_H

#include "../../kmod/version.h"

#ifndef VERSION
#define VERSION KASBLOCK_VERSION
#endif

#endif
