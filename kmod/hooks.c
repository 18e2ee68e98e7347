// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock's hook functions. Each has the signature and the meaning of the LSM hook it is
 * named after (include/linux/lsm_hook_defs.h), so the same functions can be registered as
 * a built-in LSM one day; today attach_ftrace.c puts them in front of the kernel's
 * security_*() entry points.
 */
#include <linux/binfmts.h>
#include "kasblock.h"

/*
 * Called for every file exec'd, and again for each interpreter in a #! chain
 * (exec_binprm() loops), so a listed script and a listed interpreter are both caught.
 * memfd and execveat(AT_EMPTY_PATH) arrive here with their file like any other.
 */
int hook_bprm_check_security(struct linux_binprm *bprm)
{
	return kb_check_file(bprm->file, "exec");
}
