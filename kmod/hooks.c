// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock's hook functions. Each has the signature and the meaning of the LSM hook it is
 * named after (include/linux/lsm_hook_defs.h), so the same functions can be registered as
 * a built-in LSM one day; today attach_ftrace.c puts them in front of the kernel's
 * security_*() entry points.
 */
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/kernel_read_file.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/security.h>
#include "kasblock.h"

/*
 * What the kernel could map executable at all: a regular file, open for reading, on a
 * mount that allows exec. security_mmap_file() runs before do_mmap() checks any of it,
 * so the hook sees write-only descriptors (__kernel_read() WARNs on them), pipes and
 * sockets (a read blocks), devices (/dev/zero never ends) and noexec mounts; the kernel
 * refuses or allows those with its own errno, and they are none of kasblock's business.
 * path_noexec() is not exported; this is its body.
 */
static bool mappable_code(struct file *file)
{
	const struct path *path = &file->f_path;

	return S_ISREG(file_inode(file)->i_mode) && (file->f_mode & FMODE_READ) &&
	       !(path->mnt->mnt_flags & MNT_NOEXEC) &&
	       !(path->mnt->mnt_sb->s_iflags & SB_I_NOEXEC);
}

/*
 * Every file exec'd, and again each interpreter of a #! chain (exec_binprm() loops), so a
 * listed script and a listed interpreter are both caught. memfd, fexecve() and
 * execveat(AT_EMPTY_PATH) arrive with their file like any other, and so do files reached
 * through overlayfs or a bind mount: the content is what is hashed, not the path.
 * do_open_execat() has already refused anything but a regular file, opened for reading,
 * on an exec-allowed mount, so the file is always one mappable_code() would accept.
 */
int hook_bprm_check_security(struct linux_binprm *bprm)
{
	return kb_check_file(bprm->file, "exec");
}

/*
 * Executable file mappings: the dynamic loader mapping itself (PT_INTERP never passes
 * bprm_check), `ld.so ./prog`, every shared library at startup and every dlopen(). Runs
 * without the mmap lock held (vm_mmap_pgoff()), so it may read the file. Anything that is
 * not an executable file mapping returns before any work.
 */
int hook_mmap_file(struct file *file, unsigned long reqprot, unsigned long prot,
		   unsigned long flags)
{
	if (!file || !(prot & PROT_EXEC) || !mappable_code(file))
		return 0;
	return kb_check_file(file, "mmap");
}

/*
 * A file mapping made executable after the fact. This runs under mmap_write_lock, where
 * reading the file could stall every thread of the process (or deadlock, with a FUSE
 * server in the same mm), so the verdict comes from what is already known: the digest
 * cache, or the file's pages when all are in the page cache (kb_check_known_file()).
 * A mapping of a write-only file or of a noexec mount has no VM_MAYEXEC and is refused
 * before this hook; a device's mapping is not, hence mappable_code().
 */
int hook_file_mprotect(struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot)
{
	if (!(prot & PROT_EXEC) || (vma->vm_flags & VM_EXEC) || !vma->vm_file ||
	    !mappable_code(vma->vm_file))
		return 0;
	return kb_check_known_file(vma->vm_file, "mprotect");
}

/*
 * finit_module(): the bytes of the module file exactly as read, so a compressed .ko.xz
 * loaded with MODULE_INIT_COMPRESSED_FILE is hashed compressed (sha256sum of the file).
 */
int hook_kernel_post_read_file(struct file *file, char *buf, loff_t size,
			       enum kernel_read_file_id id)
{
	if (id != READING_MODULE || !buf)
		return 0;
	return kb_check_buffer(buf, size, file, "module");
}

/*
 * init_module(): the image user space passed, which modprobe has already decompressed;
 * `kasblockctl hash --module` prints both digests of a .ko.xz for that reason.
 */
int hook_kernel_post_load_data(char *buf, loff_t size, enum kernel_load_data_id id,
			       char *description)
{
	if (id != LOADING_MODULE || !buf)
		return 0;
	return kb_check_buffer(buf, size, NULL, "module");
}
