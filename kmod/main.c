// SPDX-License-Identifier: GPL-2.0
/* kasblock: deny execution of files whose SHA-256 is on a blocklist. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include "kasblock.h"
#include "version.h"

static const char *attest_name(void)
{
	switch (kb_measure_state()) {
	case KASBLOCK_ATTEST_AVAILABLE:
		return "available";
	case KASBLOCK_ATTEST_UNAVAILABLE:
		return "unavailable";
	default:
		return "disabled";
	}
}

static int __init kb_init(void)
{
	int err;

	kb_log_init();
	err = kb_hash_init();
	if (err)
		return err;
	err = kb_cache_init();
	if (err)
		goto err_hash;
	err = kb_blocklist_init();
	if (err)
		goto err_cache;
	err = kb_measure_init();
	if (err)
		goto err_blocklist;
	/* Before anything can change the policy: the load record is the log's first. */
	kb_blocklist_measure_load();
	err = kb_netlink_init();
	if (err)
		goto err_measure;
	/* Last: once attached, the hooks may run, and everything they use is ready. */
	err = kb_attach_init();
	if (err)
		goto err_netlink;
	if (kb_param_locked)
		kb_blocklist_lock();
	pr_info("loaded: mode=%s max_entries=%u max_hash_size=%llu policy=%s cache_size=%u locked=%d attest=%s\n",
		kb_blocklist_mode() == KASBLOCK_MODE_MONITOR ? "monitor" : "enforce",
		kb_param_max_entries, kb_param_max_hash_size,
		kb_param_fail_closed ? "fail-closed" : "fail-open", kb_param_cache_size,
		kb_blocklist_locked(), attest_name());
	return 0;

err_netlink:
	kb_netlink_exit();
err_measure:
	kb_measure_exit();
err_blocklist:
	kb_blocklist_exit();
err_cache:
	kb_cache_exit();
err_hash:
	kb_hash_exit();
	return err;
}

static void __exit kb_exit(void)
{
	kb_attach_exit();
	kb_netlink_exit();
	kb_measure_exit();
	kb_blocklist_exit();
	kb_cache_exit();
	kb_hash_exit();
	pr_info("unloaded\n");
}

module_init(kb_init);
module_exit(kb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Deny execution of files whose SHA-256 is on a blocklist");
MODULE_AUTHOR("kasblock developers");
MODULE_VERSION(KASBLOCK_VERSION);
