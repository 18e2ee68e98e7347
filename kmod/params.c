// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock's module parameters: one place, so each is documented once.
 *
 * The writable ones are policy: max_hash_size=0 would turn every file into a hashing
 * failure, and fail-open would then let everything run. They refuse changes once the
 * policy is locked, and every change is logged like a change of the list.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include "kasblock.h"

/*
 * The writable parameters decide what is denied, so a write is a policy change: it goes
 * through kb_blocklist_set_param(), which refuses it once locked, logs and audits it with
 * the old and new value, and moves the generation.
 */
#define DEFINE_POLICY_PARAM_OPS(type, ctype)					\
static u64 type##_value(const struct kernel_param *kp)				\
{										\
	return READ_ONCE(*(ctype *)kp->arg);					\
}										\
static int set_policy_##type(const char *val, const struct kernel_param *kp)	\
{										\
	return kb_blocklist_set_param(val, kp, param_set_##type, type##_value);	\
}										\
static const struct kernel_param_ops policy_##type##_ops = {			\
	.set = set_policy_##type,						\
	.get = param_get_##type,						\
}

DEFINE_POLICY_PARAM_OPS(uint, unsigned int);
DEFINE_POLICY_PARAM_OPS(ullong, unsigned long long);
DEFINE_POLICY_PARAM_OPS(bool, bool);

unsigned int kb_param_max_entries = 1 << 20;
module_param_cb(max_entries, &policy_uint_ops, &kb_param_max_entries, 0644);
MODULE_PARM_DESC(max_entries, "Most digests the list may hold; adds past it fail with ENOSPC (default 1048576)");

unsigned long long kb_param_max_hash_size = 512ULL << 20;
module_param_cb(max_hash_size, &policy_ullong_ops, &kb_param_max_hash_size, 0644);
MODULE_PARM_DESC(max_hash_size, "Largest file hashed, in bytes; larger files follow the failure policy (default 512 MiB)");

bool kb_param_fail_closed;
module_param_cb(fail_closed, &policy_bool_ops, &kb_param_fail_closed, 0644);
MODULE_PARM_DESC(fail_closed, "Deny files that cannot be hashed (too large, read error, no memory) instead of allowing them (default N)");

unsigned int kb_param_cache_size = 16384;
module_param_named(cache_size, kb_param_cache_size, uint, 0444);
MODULE_PARM_DESC(cache_size, "Most file digests remembered between checks (0: hash on every check; default 16384)");

bool kb_param_locked;
module_param_named(locked, kb_param_locked, bool, 0444);
MODULE_PARM_DESC(locked, "Lock the policy at load, until reboot: entries can only be added, the mode stays enforce, no unload (default N)");

static int mode_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "enforce"))
		return kb_blocklist_set_mode(KASBLOCK_MODE_ENFORCE, NULL);
	if (sysfs_streq(val, "monitor"))
		return kb_blocklist_set_mode(KASBLOCK_MODE_MONITOR, NULL);
	return -EINVAL;
}

static int mode_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", kb_blocklist_mode() == KASBLOCK_MODE_MONITOR ?
			  "monitor" : "enforce");
}

static const struct kernel_param_ops mode_ops = {
	.set = mode_set,
	.get = mode_get,
};
/* Read-only in sysfs: a running system changes mode through netlink, where it is audited. */
module_param_cb(mode, &mode_ops, NULL, 0444);
MODULE_PARM_DESC(mode, "enforce (deny with EPERM, default) or monitor (log what would be denied)");

/*
 * Debugging: where the hooks' time goes (kasblock.h, enum kb_debug_slot). Setting it
 * starts collection afresh; debug_hook_stats reads the counts. Root only: the numbers
 * tell how long other users' execs took.
 */
bool kb_param_debug_hook_ns;

static int debug_hook_ns_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err = kstrtobool(val, &on);

	if (err)
		return err;
	if (on)
		kb_debug_reset();
	WRITE_ONCE(kb_param_debug_hook_ns, on);
	return 0;
}

static const struct kernel_param_ops debug_hook_ns_ops = {
	.set = debug_hook_ns_set,
	.get = param_get_bool,
};
module_param_cb(debug_hook_ns, &debug_hook_ns_ops, &kb_param_debug_hook_ns, 0600);
MODULE_PARM_DESC(debug_hook_ns, "Collect per-hook time for debug_hook_stats (setting it resets the counts; default N)");

static int debug_hook_stats_get(char *buf, const struct kernel_param *kp)
{
	return kb_debug_show(buf);
}

static int debug_hook_stats_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops debug_hook_stats_ops = {
	.set = debug_hook_stats_set,
	.get = debug_hook_stats_get,
};
module_param_cb(debug_hook_stats, &debug_hook_stats_ops, NULL, 0400);
MODULE_PARM_DESC(debug_hook_stats, "Per-hook time while debug_hook_ns is set: slot, calls, total ns, ns per call");
