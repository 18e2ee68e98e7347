/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels kasblock builds against lives here, probed by
 * feature (a macro or symbol the header defines) rather than by version number where
 * the headers allow it.
 */
#ifndef _KASBLOCK_COMPAT_H
#define _KASBLOCK_COMPAT_H

#include <linux/ftrace.h>
#include <linux/version.h>

/*
 * The callback redirects the traced call by rewriting the saved instruction pointer.
 * With DYNAMIC_FTRACE_WITH_ARGS the architecture defines the ftrace_regs setter
 * (6.1 names it ftrace_instruction_pointer_set(), 6.3+ ftrace_regs_set_instruction_pointer());
 * without it, include/linux/ftrace.h defines that setter as a no-op, which would
 * silently never redirect, so then go through the full pt_regs that SAVE_REGS
 * (KB_FTRACE_REGS_FLAGS below) makes ftrace save, as livepatch once did.
 */
#if defined(CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS)
#if defined(ftrace_regs_set_instruction_pointer)
#define kb_ftrace_set_ip(fregs, ip) ftrace_regs_set_instruction_pointer(fregs, ip)
#elif defined(ftrace_instruction_pointer_set)
#define kb_ftrace_set_ip(fregs, ip) ftrace_instruction_pointer_set(fregs, ip)
#else
#error "kasblock: no ftrace_regs instruction pointer setter on this kernel"
#endif
#elif defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS)
#define kb_ftrace_set_ip(fregs, ip) instruction_pointer_set(ftrace_get_regs(fregs), ip)
#else
#error "kasblock needs an architecture that can redirect ftrace'd calls (DYNAMIC_FTRACE_WITH_ARGS or _REGS)"
#endif

/*
 * Livepatch asks for SAVE_REGS only where ftrace cannot hand over the argument
 * registers (kernel/livepatch/patch.c); do the same.
 */
#ifdef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#define KB_FTRACE_REGS_FLAGS 0
#else
#define KB_FTRACE_REGS_FLAGS FTRACE_OPS_FL_SAVE_REGS
#endif

/*
 * Whether an address lies in a module's core text: what the ftrace callback asks of every
 * call's return address. within_module() tests the init and core areas (on 6.4+ seven
 * ranges, one per memory type); kasblock's callers of an original are all core text.
 * 6.4 replaced core_layout with one mem[] range per type; there is no macro to probe.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define kb_within_module_text(addr, mod)					\
	((addr) - (unsigned long)(mod)->core_layout.base < (mod)->core_layout.text_size)
#else
#define kb_within_module_text(addr, mod) within_module_mem_type(addr, mod, MOD_TEXT)
#endif

/* 6.7 hid the inode timestamps behind accessors; 6.1.y has only the ctime one backported. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
#define kb_inode_ctime(inode) ((inode)->i_ctime)
#define kb_inode_mtime(inode) ((inode)->i_mtime)
#else
#define kb_inode_ctime(inode) inode_get_ctime(inode)
#define kb_inode_mtime(inode) inode_get_mtime(inode)
#endif

/*
 * 6.2 split generic netlink ops into do and dump halves and handed pre_doit the split
 * form; 6.6 put a whole genl_info (attrs, extack) in a dump's info. Neither left a
 * macro to probe.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define kb_genl_ops_t struct genl_ops
#else
#define kb_genl_ops_t struct genl_split_ops
#endif
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#define kb_genl_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#else
#define kb_genl_dump_attrs(cb) (genl_info_dump(cb)->attrs)
#endif

/* 7.2 moved bin2hex() and the other hex helpers out of <linux/kernel.h> into <linux/hex.h>. */
#if __has_include(<linux/hex.h>)
#include <linux/hex.h>
#endif

#endif /* _KASBLOCK_COMPAT_H */
