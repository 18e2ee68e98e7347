// SPDX-License-Identifier: GPL-2.0
/*
 * How kasblock's hooks get in front of the kernel's LSM entry points.
 *
 * A loadable module cannot register LSM hooks: security_add_hooks() is __init and the
 * hook lists are read-only after boot. So, as livepatch does, each security_*() entry
 * point we care about gets an ftrace_ops with FTRACE_OPS_FL_IPMODIFY whose callback sends
 * the call to a replacement here. The replacement runs the kasblock hook and, when that
 * allows, calls the original function, so the whole LSM chain (SELinux, AppArmor, IMA,
 * BPF LSM ...) still runs for everything kasblock lets through.
 *
 * Calling the original, and IBT. Debian's 6.12 kernel is built with X86_KERNEL_IBT: at
 * boot, the ENDBR instruction of every function whose address is never taken in the
 * kernel image (security_bprm_check is one) is overwritten ("sealed"). An indirect call
 * to such a function faults with #CP on CPUs that enforce IBT, and QEMU's TCG does not
 * enforce it, so tests could never show it. We therefore never call an original through
 * a function pointer: each original is reached through a static call, which the kernel
 * patches into a direct CALL (or, without inline static calls, a direct JMP from a
 * trampoline), and a direct branch does not need an ENDBR landing pad. Its address comes
 * from kallsyms_lookup_name(), itself located with a kprobe (it is no longer exported)
 * and called the same way.
 * Entering the replacement is safe as it is: ftrace returns into it, it is not called.
 *
 * Recursion: our own call of the original passes through the ftrace callback again; it
 * is recognised by its return address lying in this module's text and let through (one
 * range test: the callback runs twice on every call of a hooked function). For that to
 * hold, the call of the original must not be a tail call (whose return address would be
 * our caller's): the replacements do work after it, which rules a tail call out.
 *
 * Unloading: unregister_ftrace_function() stops new entries and waits for the
 * trampolines to drain, but not for tasks already inside a replacement, perhaps asleep in
 * the hash or in the original. Every replacement counts itself in a per-CPU counter; exit
 * waits for the sum to reach zero, then for one more RCU-tasks grace period so that the
 * last task to leave has also returned out of module text.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/binfmts.h>
#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/kernel_read_file.h>
#include <linux/kprobes.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <linux/personality.h>
#include <linux/percpu.h>
#include <linux/rcupdate_wait.h>
#include <linux/security.h>
#include <linux/static_call.h>
#include "compat.h"
#include "kasblock.h"

typedef unsigned long kallsyms_lookup_name_t(const char *name);

static DEFINE_PER_CPU(long, inflight);

/* this_cpu_*: one instruction on x86, no lock prefix, no shared cache line. */
static __always_inline void enter(void)
{
	this_cpu_inc(inflight);
}

static __always_inline void leave(void)
{
	this_cpu_dec(inflight);
}

/* path_noexec() from fs/exec.c, which is not exported. */
static bool mount_noexec(const struct path *path)
{
	return (path->mnt->mnt_flags & MNT_NOEXEC) ||
	       (path->mnt->mnt_sb->s_iflags & SB_I_NOEXEC);
}

/*
 * mmap_prot() from security/security.c, which security_mmap_file() applies before calling
 * the LSMs: READ_IMPLIES_EXEC personalities turn a readable mapping into an executable one.
 */
static unsigned long effective_mmap_prot(struct file *file, unsigned long prot)
{
	if ((prot & (PROT_READ | PROT_EXEC)) != PROT_READ)
		return prot;
	if (!(current->personality & READ_IMPLIES_EXEC))
		return prot;
	if (!file || !mount_noexec(&file->f_path))
		return prot | PROT_EXEC;
	return prot;
}

/* Originals that are not exported: reached through static calls (direct branches). */
DEFINE_STATIC_CALL_NULL(orig_bprm_check, security_bprm_check);
DEFINE_STATIC_CALL_NULL(orig_mmap_file, security_mmap_file);
DEFINE_STATIC_CALL_NULL(orig_file_mprotect, security_file_mprotect);

static int replace_bprm_check(struct linux_binprm *bprm)
{
	int ret;
	u64 t;

	enter();
	t = kb_debug_start();
	ret = hook_bprm_check_security(bprm);
	t = kb_debug_lap(KB_DBG_BPRM_CHECK, t);
	if (!ret) {
		ret = static_call(orig_bprm_check)(bprm);
		kb_debug_lap(KB_DBG_BPRM_CHECK_ORIG, t);
	}
	leave();
	return ret;
}

static int replace_mmap_file(struct file *file, unsigned long prot, unsigned long flags)
{
	int ret;
	u64 t;

	enter();
	t = kb_debug_start();
	ret = hook_mmap_file(file, prot, effective_mmap_prot(file, prot), flags);
	t = kb_debug_lap(KB_DBG_MMAP_FILE, t);
	if (!ret) {
		ret = static_call(orig_mmap_file)(file, prot, flags);
		kb_debug_lap(KB_DBG_MMAP_FILE_ORIG, t);
	}
	leave();
	return ret;
}

static int replace_file_mprotect(struct vm_area_struct *vma, unsigned long reqprot,
				 unsigned long prot)
{
	int ret;
	u64 t;

	enter();
	t = kb_debug_start();
	ret = hook_file_mprotect(vma, reqprot, prot);
	t = kb_debug_lap(KB_DBG_FILE_MPROTECT, t);
	if (!ret) {
		ret = static_call(orig_file_mprotect)(vma, reqprot, prot);
		kb_debug_lap(KB_DBG_FILE_MPROTECT_ORIG, t);
	}
	leave();
	return ret;
}

/* Exported originals: a plain call by name is already a direct call. */
static int replace_kernel_post_read_file(struct file *file, char *buf, loff_t size,
					 enum kernel_read_file_id id)
{
	int ret;
	u64 t;

	enter();
	t = kb_debug_start();
	ret = hook_kernel_post_read_file(file, buf, size, id);
	t = kb_debug_lap(KB_DBG_POST_READ_FILE, t);
	if (!ret) {
		ret = security_kernel_post_read_file(file, buf, size, id);
		kb_debug_lap(KB_DBG_POST_READ_FILE_ORIG, t);
	}
	leave();
	return ret;
}

static int replace_kernel_post_load_data(char *buf, loff_t size, enum kernel_load_data_id id,
					 char *description)
{
	int ret;
	u64 t;

	enter();
	t = kb_debug_start();
	ret = hook_kernel_post_load_data(buf, size, id, description);
	t = kb_debug_lap(KB_DBG_POST_LOAD_DATA, t);
	if (!ret) {
		ret = security_kernel_post_load_data(buf, size, id, description);
		kb_debug_lap(KB_DBG_POST_LOAD_DATA_ORIG, t);
	}
	leave();
	return ret;
}

struct kb_ftrace_hook {
	const char *name;
	void *replacement;
	struct static_call_key *orig_key;
	void *orig_tramp;
	struct ftrace_ops ops;
	bool registered;
};

#define HOOK_STATIC_CALL(_name, _replacement, _orig) {			\
	.name = #_name,							\
	.replacement = _replacement,					\
	.orig_key = &STATIC_CALL_KEY(_orig),				\
	.orig_tramp = STATIC_CALL_TRAMP_ADDR(_orig),			\
}
#define HOOK_EXPORTED(_name, _replacement) {				\
	.name = #_name,							\
	.replacement = _replacement,					\
}

static struct kb_ftrace_hook hooks[] = {
	HOOK_STATIC_CALL(security_bprm_check, replace_bprm_check, orig_bprm_check),
	HOOK_STATIC_CALL(security_mmap_file, replace_mmap_file, orig_mmap_file),
	HOOK_STATIC_CALL(security_file_mprotect, replace_file_mprotect, orig_file_mprotect),
	HOOK_EXPORTED(security_kernel_post_read_file, replace_kernel_post_read_file),
	HOOK_EXPORTED(security_kernel_post_load_data, replace_kernel_post_load_data),
};

static void notrace ftrace_thunk(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct kb_ftrace_hook *hook = container_of(ops, struct kb_ftrace_hook, ops);

	if (!kb_within_module_text(parent_ip, THIS_MODULE))
		kb_ftrace_set_ip(fregs, (unsigned long)hook->replacement);
}

/*
 * kallsyms_lookup_name() is not exported. One kprobe on it (a function no exec passes
 * through) tells its address; after that every lookup is a plain call. Probing the hooked
 * entry points themselves would patch their text twice more while execs run through them.
 * The call goes through a static call too: kallsyms_lookup_name's ENDBR is sealed.
 */
DEFINE_STATIC_CALL_NULL(kallsyms_lookup, kallsyms_lookup_name_t);

static int kallsyms_lookup_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int err;

	err = register_kprobe(&kp);
	if (err) {
		pr_err("cannot locate kallsyms_lookup_name: %d\n", err);
		return err;
	}
	static_call_update(kallsyms_lookup, (kallsyms_lookup_name_t *)kp.addr);
	unregister_kprobe(&kp);
	return 0;
}

static unsigned long symbol_address(const char *name)
{
	unsigned long addr = static_call(kallsyms_lookup)(name);

	if (!addr)
		pr_err("cannot locate %s\n", name);
	return addr;
}

static int hook_attach(struct kb_ftrace_hook *hook)
{
	unsigned long addr;
	int err;

	if (hook->orig_key) {
		addr = symbol_address(hook->name);
		if (!addr)
			return -ENOENT;
		__static_call_update(hook->orig_key, hook->orig_tramp, (void *)addr);
	}

	hook->ops.func = ftrace_thunk;
	/*
	 * PERMANENT: while we are attached, sysctl kernel.ftrace_enabled=0 fails instead of
	 * silently switching the blocklist off.
	 */
	hook->ops.flags = FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_PERMANENT | KB_FTRACE_REGS_FLAGS;
	err = ftrace_set_filter(&hook->ops, (unsigned char *)hook->name, strlen(hook->name), 0);
	if (err) {
		pr_err("cannot trace %s: %d\n", hook->name, err);
		return err;
	}
	err = register_ftrace_function(&hook->ops);
	if (err) {
		if (err == -EBUSY)
			pr_err("%s is already redirected by another ftrace user (a livepatch?)\n",
			       hook->name);
		else
			pr_err("cannot attach to %s: %d\n", hook->name, err);
		ftrace_free_filter(&hook->ops);
		return err;
	}
	hook->registered = true;
	return 0;
}

static void hook_detach(struct kb_ftrace_hook *hook)
{
	int err;

	if (!hook->registered)
		return;
	err = unregister_ftrace_function(&hook->ops);
	if (WARN_ON_ONCE(err))
		pr_err("cannot detach from %s: %d\n", hook->name, err);
	ftrace_free_filter(&hook->ops);
	hook->registered = false;
}

static long inflight_sum(void)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(inflight, cpu);
	return sum;
}

static void wait_for_hooks_to_drain(void)
{
	/* Tasks that took the redirect but have not yet counted themselves. */
	synchronize_rcu_tasks();
	/*
	 * Only decrements happen now, so a sum read CPU by CPU can only overstate what is
	 * left: reading zero means zero.
	 */
	while (inflight_sum() > 0)
		msleep(20);
	synchronize_rcu_tasks();
}

int kb_attach_init(void)
{
	unsigned int i;
	int err;

	err = kallsyms_lookup_init();
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		err = hook_attach(&hooks[i]);
		if (err)
			goto detach;
	}
	return 0;
detach:
	while (i--)
		hook_detach(&hooks[i]);
	wait_for_hooks_to_drain();
	return err;
}

void kb_attach_exit(void)
{
	unsigned int i = ARRAY_SIZE(hooks);

	while (i--)
		hook_detach(&hooks[i]);
	wait_for_hooks_to_drain();
}
