/* SPDX-License-Identifier: GPL-2.0 */
/* The one place the kasblockctl version lives; the Makefile may override it. */
#ifndef KB_VERSION_H
#define KB_VERSION_H

#ifndef VERSION
#define VERSION "0.1.0"
#endif

#endif
