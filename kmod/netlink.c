// SPDX-License-Identifier: GPL-2.0
/*
 * The "kasblock" generic netlink family: the only way to change the policy at run time.
 * Commands, attributes and errnos are documented in uapi/kasblock.h. Validation is the
 * policy's job where a policy can say it (exact digest length, string bounds, mode range,
 * unknown attributes under strict validation); what it cannot say is checked here, each
 * rejection with an extack message the tool prints.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include "compat.h"
#include "kasblock.h"

static struct genl_family kb_family;

static const struct nla_policy entry_policy[KASBLOCK_ENTRY_A_MAX + 1] = {
	[KASBLOCK_ENTRY_A_DIGEST] = NLA_POLICY_EXACT_LEN(KASBLOCK_DIGEST_LEN),
	[KASBLOCK_ENTRY_A_LABEL] = { .type = NLA_NUL_STRING, .len = KASBLOCK_LABEL_MAX - 1 },
};

/* Attributes left out are NLA_UNSPEC, which strict validation rejects: reply-only ones too. */
static const struct nla_policy kb_policy[KASBLOCK_A_MAX + 1] = {
	[KASBLOCK_A_ENTRIES] = NLA_POLICY_NESTED_ARRAY(entry_policy),
	[KASBLOCK_A_MODE] = NLA_POLICY_RANGE(NLA_U32, KASBLOCK_MODE_ENFORCE, KASBLOCK_MODE_MAX),
	[KASBLOCK_A_FD] = { .type = NLA_U32 },
};

/*
 * The socket's opener and the sender both need the capability (netlink_capable()), in the
 * initial user namespace: a container's root does not get to edit the host's policy.
 */
static int check_perm(struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN) || netlink_capable(skb, CAP_MAC_ADMIN))
		return 0;
	NL_SET_ERR_MSG(extack, "not permitted: needs CAP_SYS_ADMIN or CAP_MAC_ADMIN");
	return -EPERM;
}

/*
 * Every request passes here before its handler (the family's pre_doit, and a dump's
 * start), so a command added later cannot skip the permission check.
 */
static int pre_doit(const kb_genl_ops_t *ops, struct sk_buff *skb, struct genl_info *info)
{
	return check_perm(skb, info->extack);
}

/* Rejects attributes the policy knows but this command does not use. */
static int check_attrs(struct nlattr **attrs, struct netlink_ext_ack *extack,
		       unsigned long allowed)
{
	unsigned int i;

	for (i = 1; i <= KASBLOCK_A_MAX; i++) {
		if (attrs[i] && !(allowed & BIT(i))) {
			NL_SET_ERR_MSG_ATTR(extack, attrs[i], "attribute not valid for this command");
			return -EINVAL;
		}
	}
	return 0;
}

static int begin(struct sk_buff *skb, struct genl_info *info, unsigned long allowed)
{
	return check_attrs(info->attrs, info->extack, allowed);
}

/* Collects the entry list into specs pointing into the message; the caller kvfree()s. */
static int parse_entries(struct genl_info *info, struct kb_entry_spec **specsp, unsigned int *np)
{
	struct nlattr *list = info->attrs[KASBLOCK_A_ENTRIES], *e;
	struct nlattr *tb[KASBLOCK_ENTRY_A_MAX + 1];
	struct kb_entry_spec *specs;
	unsigned int n = 0, i = 0;
	int rem, err;

	if (!list) {
		NL_SET_ERR_MSG(info->extack, "missing attribute KASBLOCK_A_ENTRIES");
		return -EINVAL;
	}
	nla_for_each_nested(e, list, rem) {
		if (nla_type(e) != KASBLOCK_A_ENTRY) {
			NL_SET_ERR_MSG_ATTR(info->extack, e, "entry list holds an attribute other than KASBLOCK_A_ENTRY");
			return -EINVAL;
		}
		n++;
	}
	if (!n) {
		NL_SET_ERR_MSG_ATTR(info->extack, list, "entry list is empty");
		return -EINVAL;
	}
	if (n > KASBLOCK_BATCH_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, list, "too many entries in one message (KASBLOCK_BATCH_MAX)");
		return -E2BIG;
	}
	specs = kvcalloc(n, sizeof(*specs), GFP_KERNEL);
	if (!specs) {
		NL_SET_ERR_MSG(info->extack, "out of memory");
		return -ENOMEM;
	}
	nla_for_each_nested(e, list, rem) {
		err = nla_parse_nested(tb, KASBLOCK_ENTRY_A_MAX, e, entry_policy, info->extack);
		if (err)
			goto fail;
		if (!tb[KASBLOCK_ENTRY_A_DIGEST]) {
			NL_SET_ERR_MSG_ATTR(info->extack, e, "entry without KASBLOCK_ENTRY_A_DIGEST");
			err = -EINVAL;
			goto fail;
		}
		specs[i].digest = nla_data(tb[KASBLOCK_ENTRY_A_DIGEST]);
		specs[i].label = tb[KASBLOCK_ENTRY_A_LABEL] ? nla_data(tb[KASBLOCK_ENTRY_A_LABEL]) : NULL;
		specs[i].attr = e;
		i++;
	}
	*specsp = specs;
	*np = n;
	return 0;
fail:
	kvfree(specs);
	return err;
}

static int cmd_add(struct sk_buff *skb, struct genl_info *info)
{
	struct kb_entry_spec *specs;
	unsigned int n;
	int err;

	err = begin(skb, info, BIT(KASBLOCK_A_ENTRIES));
	if (err)
		return err;
	err = parse_entries(info, &specs, &n);
	if (err)
		return err;
	err = kb_blocklist_add(specs, n, info->extack);
	kvfree(specs);
	return err;
}

static int cmd_del(struct sk_buff *skb, struct genl_info *info)
{
	struct kb_entry_spec *specs;
	unsigned int n;
	int err;

	err = begin(skb, info, BIT(KASBLOCK_A_ENTRIES));
	if (err)
		return err;
	err = parse_entries(info, &specs, &n);
	if (err)
		return err;
	err = kb_blocklist_del(specs, n, info->extack);
	kvfree(specs);
	return err;
}

static int cmd_replace_begin(struct sk_buff *skb, struct genl_info *info)
{
	return begin(skb, info, 0) ?: kb_blocklist_stage_begin(info->snd_portid, info->extack);
}

static int cmd_replace_add(struct sk_buff *skb, struct genl_info *info)
{
	struct kb_entry_spec *specs;
	unsigned int n;
	int err;

	err = begin(skb, info, BIT(KASBLOCK_A_ENTRIES));
	if (err)
		return err;
	err = parse_entries(info, &specs, &n);
	if (err)
		return err;
	err = kb_blocklist_stage_add(info->snd_portid, specs, n, info->extack);
	kvfree(specs);
	return err;
}

static int cmd_replace_commit(struct sk_buff *skb, struct genl_info *info)
{
	int err = begin(skb, info, 0);

	if (err)
		return err;
	return kb_blocklist_stage_commit(info->snd_portid, info->extack);
}

static int cmd_replace_abort(struct sk_buff *skb, struct genl_info *info)
{
	return begin(skb, info, 0) ?: kb_blocklist_stage_abort(info->snd_portid, info->extack);
}

static int cmd_flush(struct sk_buff *skb, struct genl_info *info)
{
	int err = begin(skb, info, 0);

	if (err)
		return err;
	return kb_blocklist_flush(info->extack);
}

static int cmd_set_mode(struct sk_buff *skb, struct genl_info *info)
{
	int err = begin(skb, info, BIT(KASBLOCK_A_MODE));

	if (err)
		return err;
	if (!info->attrs[KASBLOCK_A_MODE]) {
		NL_SET_ERR_MSG(info->extack, "missing attribute KASBLOCK_A_MODE");
		return -EINVAL;
	}
	return kb_blocklist_set_mode(nla_get_u32(info->attrs[KASBLOCK_A_MODE]), info->extack);
}

static int cmd_lock(struct sk_buff *skb, struct genl_info *info)
{
	int err = begin(skb, info, 0);

	if (err)
		return err;
	kb_blocklist_lock();
	return 0;
}

/*
 * Generic netlink runs a request's handler synchronously in the sending task (as
 * rtnetlink's IFLA_NET_NS_FD relies on), so the descriptor is looked up in the sender's
 * file table. fget() never returns an O_PATH file; one not open for reading is refused
 * too: the caller learns only what it could have read and hashed itself.
 */
static int cmd_get_file_digest(struct sk_buff *skb, struct genl_info *info)
{
	u8 digest[KASBLOCK_DIGEST_LEN];
	struct sk_buff *msg;
	struct file *file;
	bool known;
	void *hdr;
	int err;

	err = begin(skb, info, BIT(KASBLOCK_A_FD));
	if (err)
		return err;
	if (!info->attrs[KASBLOCK_A_FD]) {
		NL_SET_ERR_MSG(info->extack, "missing attribute KASBLOCK_A_FD");
		return -EINVAL;
	}
	file = fget(nla_get_u32(info->attrs[KASBLOCK_A_FD]));
	if (!file) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KASBLOCK_A_FD],
				    "no such file descriptor in the sending process");
		return -EBADF;
	}
	if (!(file->f_mode & FMODE_READ)) {
		fput(file);
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KASBLOCK_A_FD],
				    "file descriptor not open for reading");
		return -EBADF;
	}
	if (!S_ISREG(file_inode(file)->i_mode)) {
		fput(file);
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KASBLOCK_A_FD],
				    "not a regular file");
		return -EINVAL;
	}
	known = kb_cache_query(file, digest);
	fput(file);
	if (!known) {
		NL_SET_ERR_MSG(info->extack, "not in the digest cache");
		return -ENODATA;
	}
	msg = genlmsg_new(nla_total_size(KASBLOCK_DIGEST_LEN), GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG(info->extack, "out of memory");
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &kb_family, 0, KASBLOCK_CMD_GET_FILE_DIGEST);
	if (!hdr || nla_put(msg, KASBLOCK_A_FILE_DIGEST, KASBLOCK_DIGEST_LEN, digest)) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG(info->extack, "reply does not fit in one message");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int put_counters(struct sk_buff *msg)
{
	struct nlattr *nest = nla_nest_start(msg, KASBLOCK_A_COUNTERS);
	struct kb_hot_counters hot;

	kb_hot_counters_sum(&hot);
	if (!nest ||
	    nla_put_u64_64bit(msg, KASBLOCK_COUNTER_A_CHECKS, hot.checks, KASBLOCK_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(msg, KASBLOCK_COUNTER_A_DENIALS, atomic64_read(&kb_counters.denials),
			      KASBLOCK_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(msg, KASBLOCK_COUNTER_A_BYTES_HASHED,
			      atomic64_read(&kb_counters.bytes_hashed), KASBLOCK_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(msg, KASBLOCK_COUNTER_A_ERRORS, atomic64_read(&kb_counters.errors),
			      KASBLOCK_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(msg, KASBLOCK_COUNTER_A_CACHE_HITS, hot.cache_hits,
			      KASBLOCK_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(msg, KASBLOCK_COUNTER_A_CACHE_MISSES, hot.cache_misses,
			      KASBLOCK_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(msg, KASBLOCK_COUNTER_A_CACHE_EVICTIONS,
			      atomic64_read(&kb_cache_stats.evictions), KASBLOCK_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(msg, KASBLOCK_COUNTER_A_EVENTS_DROPPED,
			      atomic64_read(&kb_events_dropped), KASBLOCK_COUNTER_A_PAD) ||
	    nla_put_u64_64bit(msg, KASBLOCK_COUNTER_A_TPM_ERRORS, kb_measure_tpm_errors(),
			      KASBLOCK_COUNTER_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_attest(struct sk_buff *msg)
{
	int state = kb_measure_state();
	unsigned int n, gaps;

	if (nla_put_u32(msg, KASBLOCK_A_ATTEST_STATE, state))
		return -EMSGSIZE;
	if (state == KASBLOCK_ATTEST_DISABLED)
		return 0;
	kb_measure_counts(&n, &gaps);
	if (nla_put_u32(msg, KASBLOCK_A_ATTEST_PCR, kb_measure_pcr()) ||
	    nla_put_u32(msg, KASBLOCK_A_MEASUREMENT_COUNT, n) ||
	    nla_put_u32(msg, KASBLOCK_A_MEASUREMENT_GAPS, gaps))
		return -EMSGSIZE;
	return 0;
}

static int cmd_get_status(struct sk_buff *skb, struct genl_info *info)
{
	u8 policy[KASBLOCK_DIGEST_LEN];
	struct sk_buff *msg;
	void *hdr;
	int err;

	err = begin(skb, info, 0);
	if (err)
		return err;
	err = kb_blocklist_policy_digest(policy);
	if (err) {
		NL_SET_ERR_MSG(info->extack, "out of memory computing the policy digest");
		return err;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		NL_SET_ERR_MSG(info->extack, "out of memory");
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &kb_family, 0, KASBLOCK_CMD_GET_STATUS);
	if (!hdr)
		goto toobig;
	if (nla_put_u32(msg, KASBLOCK_A_MODE, kb_blocklist_mode()) ||
	    nla_put_u64_64bit(msg, KASBLOCK_A_GENERATION, kb_blocklist_generation(), KASBLOCK_A_PAD) ||
	    nla_put_u32(msg, KASBLOCK_A_NR_ENTRIES, kb_blocklist_count()) ||
	    nla_put_u32(msg, KASBLOCK_A_MAX_ENTRIES, READ_ONCE(kb_param_max_entries)) ||
	    nla_put_u64_64bit(msg, KASBLOCK_A_MAX_HASH_SIZE, READ_ONCE(kb_param_max_hash_size),
			      KASBLOCK_A_PAD) ||
	    nla_put_u32(msg, KASBLOCK_A_FAIL_POLICY, READ_ONCE(kb_param_fail_closed) ?
			KASBLOCK_FAIL_CLOSED : KASBLOCK_FAIL_OPEN) ||
	    nla_put_string(msg, KASBLOCK_A_HASH_DRIVER, kb_hash_driver()) ||
	    nla_put_u32(msg, KASBLOCK_A_CACHE_ENTRIES, kb_cache_count()) ||
	    nla_put_u32(msg, KASBLOCK_A_CACHE_SIZE, kb_param_cache_size) ||
	    nla_put_u8(msg, KASBLOCK_A_LOCKED, kb_blocklist_locked()) ||
	    nla_put(msg, KASBLOCK_A_POLICY_DIGEST, KASBLOCK_DIGEST_LEN, policy) ||
	    put_counters(msg) || put_attest(msg))
		goto toobig;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
toobig:
	nlmsg_free(msg);
	NL_SET_ERR_MSG(info->extack, "status reply does not fit in one message");
	return -EMSGSIZE;
}

static int dump_start(struct netlink_callback *cb)
{
	return check_perm(cb->skb, cb->extack) ?:
	       check_attrs(kb_genl_dump_attrs(cb), cb->extack, 0);
}

static int emit_entry(void *ctx, const u8 *digest, const char *label)
{
	struct sk_buff *skb = ctx;
	struct nlattr *nest = nla_nest_start(skb, KASBLOCK_A_ENTRY);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, KASBLOCK_ENTRY_A_DIGEST, KASBLOCK_DIGEST_LEN, digest) ||
	    (label && nla_put_string(skb, KASBLOCK_ENTRY_A_LABEL, label))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* cb->args: [0] bucket, [1] entries of that bucket already sent, [2] walk finished. */
static int cmd_get_entries(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr *gen_attr, *list;
	void *hdr;
	u64 gen;
	int err;

	if (cb->args[2])
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, &kb_family,
			  NLM_F_MULTI, KASBLOCK_CMD_GET_ENTRIES);
	if (!hdr)
		return -EMSGSIZE;
	/* The generation is only known once the walk has picked its table: fill it in after. */
	gen_attr = nla_reserve_64bit(skb, KASBLOCK_A_GENERATION, sizeof(u64), KASBLOCK_A_PAD);
	list = nla_nest_start(skb, KASBLOCK_A_ENTRIES);
	if (!gen_attr || !list) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	err = kb_blocklist_walk(&cb->args[0], &cb->args[1], &gen, emit_entry, skb);
	nla_nest_end(skb, list);
	memcpy(nla_data(gen_attr), &gen, sizeof(gen));
	/* A part walked over a different table than the one before it: flag NLM_F_DUMP_INTR. */
	cb->seq = (unsigned int)gen + 1;
	genl_dump_check_consistent(cb, hdr);
	genlmsg_end(skb, hdr);
	if (!err)
		cb->args[2] = 1;
	return skb->len;
}

static int emit_measurement(void *ctx, const struct kasblock_measurement *rec, bool extended)
{
	struct sk_buff *skb = ctx;
	struct nlattr *nest = nla_nest_start(skb, KASBLOCK_A_MEASUREMENT);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put(skb, KASBLOCK_MEASUREMENT_A_RECORD, sizeof(*rec), rec) ||
	    nla_put_u8(skb, KASBLOCK_MEASUREMENT_A_EXTENDED, extended)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * cb->args: [0] the next record, [1] walk finished. The log only grows and a record never
 * changes, so resuming by index is consistent: the dump is a prefix of the log.
 */
static int cmd_get_measurements(struct sk_buff *skb, struct netlink_callback *cb)
{
	void *hdr;
	int err;

	if (cb->args[1])
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, &kb_family,
			  NLM_F_MULTI, KASBLOCK_CMD_GET_MEASUREMENTS);
	if (!hdr)
		return -EMSGSIZE;
	err = kb_measure_walk(&cb->args[0], emit_measurement, skb);
	genlmsg_end(skb, hdr);
	if (!err)
		cb->args[1] = 1;
	return skb->len;
}

static const struct genl_ops kb_ops[] = {
	{ .cmd = KASBLOCK_CMD_ADD, .doit = cmd_add },
	{ .cmd = KASBLOCK_CMD_DEL, .doit = cmd_del },
	{ .cmd = KASBLOCK_CMD_REPLACE_BEGIN, .doit = cmd_replace_begin },
	{ .cmd = KASBLOCK_CMD_REPLACE_ADD, .doit = cmd_replace_add },
	{ .cmd = KASBLOCK_CMD_REPLACE_COMMIT, .doit = cmd_replace_commit },
	{ .cmd = KASBLOCK_CMD_REPLACE_ABORT, .doit = cmd_replace_abort },
	{ .cmd = KASBLOCK_CMD_FLUSH, .doit = cmd_flush },
	{ .cmd = KASBLOCK_CMD_GET_ENTRIES, .start = dump_start, .dumpit = cmd_get_entries },
	{ .cmd = KASBLOCK_CMD_GET_STATUS, .doit = cmd_get_status },
	{ .cmd = KASBLOCK_CMD_SET_MODE, .doit = cmd_set_mode },
	{ .cmd = KASBLOCK_CMD_LOCK, .doit = cmd_lock },
	{ .cmd = KASBLOCK_CMD_GET_FILE_DIGEST, .doit = cmd_get_file_digest },
	{ .cmd = KASBLOCK_CMD_GET_MEASUREMENTS, .start = dump_start,
	  .dumpit = cmd_get_measurements },
};

/* Events name files and users: only CAP_SYS_ADMIN may listen. */
static const struct genl_multicast_group kb_mcgrps[] = {
	{ .name = KASBLOCK_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_SYS_ADMIN },
};

atomic64_t kb_events_dropped;

/*
 * Called from the hooks, in the context of the task being checked: GFP_NOWAIT and no
 * waiting for slow listeners. A listener whose socket buffer is full loses the event and
 * sees ENOBUFS on its next read. events_dropped counts failed allocations, and overruns
 * only of listeners that set NETLINK_BROADCAST_ERROR (kasblockctl monitor does): the
 * kernel reports no other listener's overrun to the sender.
 */
void kb_netlink_event(const struct kb_event_fields *f)
{
	struct sk_buff *skb;
	struct nlattr *nest;
	void *hdr;
	int err;

	if (!genl_has_listeners(&kb_family, &init_net, 0))
		return;
	skb = genlmsg_new(strlen(f->path) + strlen(f->comm) + strlen(f->label) + 256,
			  GFP_NOWAIT | __GFP_NOWARN);
	if (!skb)
		goto dropped;
	hdr = genlmsg_put(skb, 0, 0, &kb_family, 0, KASBLOCK_CMD_EVENT);
	if (!hdr)
		goto free;
	nest = nla_nest_start(skb, KASBLOCK_A_EVENT);
	if (!nest ||
	    nla_put_string(skb, KASBLOCK_EVENT_A_ACTION, f->action) ||
	    nla_put_string(skb, KASBLOCK_EVENT_A_OP, f->op) ||
	    nla_put_u32(skb, KASBLOCK_EVENT_A_PID, task_tgid_nr(current)) ||
	    nla_put_u32(skb, KASBLOCK_EVENT_A_UID, from_kuid(&init_user_ns, current_uid())) ||
	    nla_put_string(skb, KASBLOCK_EVENT_A_COMM, f->comm) ||
	    nla_put_string(skb, KASBLOCK_EVENT_A_PATH, f->path) ||
	    nla_put_u32(skb, KASBLOCK_EVENT_A_DEV, f->dev) ||
	    nla_put_u64_64bit(skb, KASBLOCK_EVENT_A_INO, f->ino, KASBLOCK_EVENT_A_PAD) ||
	    nla_put(skb, KASBLOCK_EVENT_A_DIGEST, KASBLOCK_DIGEST_LEN, f->digest) ||
	    nla_put_string(skb, KASBLOCK_EVENT_A_LABEL, f->label) ||
	    nla_put_u32(skb, KASBLOCK_EVENT_A_MODE, f->mode))
		goto free;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	err = genlmsg_multicast(&kb_family, skb, 0, 0, GFP_NOWAIT);
	if (err && err != -ESRCH)
		goto dropped;
	return;
free:
	nlmsg_free(skb);
dropped:
	atomic64_inc(&kb_events_dropped);
}

static struct genl_family kb_family = {
	.name = KASBLOCK_GENL_NAME,
	.version = KASBLOCK_GENL_VERSION,
	.maxattr = KASBLOCK_A_MAX,
	.policy = kb_policy,
	.pre_doit = pre_doit,
	.netnsok = false,	/* the policy is the host's: only the initial network namespace */
	.module = THIS_MODULE,
	.ops = kb_ops,
	.n_ops = ARRAY_SIZE(kb_ops),
	.mcgrps = kb_mcgrps,
	.n_mcgrps = ARRAY_SIZE(kb_mcgrps),
};

/* A socket that staged a replace and closed without committing leaves nothing behind. */
static int netlink_release_notify(struct notifier_block *nb, unsigned long state, void *ptr)
{
	struct netlink_notify *n = ptr;

	if (state == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    net_eq(n->net, &init_net))
		kb_blocklist_owner_gone(n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block release_notifier = {
	.notifier_call = netlink_release_notify,
};

int kb_netlink_init(void)
{
	int err = netlink_register_notifier(&release_notifier);

	if (err)
		return err;
	err = genl_register_family(&kb_family);
	if (err)
		netlink_unregister_notifier(&release_notifier);
	return err;
}

void kb_netlink_exit(void)
{
	genl_unregister_family(&kb_family);
	netlink_unregister_notifier(&release_notifier);
}
