/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kasblock's version, the one place it is written: the module's
 * MODULE_VERSION, kasblockctl --version and dkms.conf's PACKAGE_VERSION (filled
 * in when the DKMS source is staged) come from here; debian/changelog must say
 * the same (debian/check-version, run by the package build and the host tests).
 */
#ifndef KASBLOCK_VERSION_H
#define KASBLOCK_VERSION_H

#define KASBLOCK_VERSION "0.1.0"

#endif
