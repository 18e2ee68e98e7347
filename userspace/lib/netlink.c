// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink for kasblockctl, over libmnl.
 *
 * Every request asks for an ACK, and the socket has NETLINK_EXT_ACK (so a
 * rejection says why) and NETLINK_CAP_ACK (so it does not echo a 64 KiB
 * request back). Entry lists go out like ipset and wireguard-tools send them:
 * as many entries per message as fit (about 1600 in 64 KiB), and up to
 * KB_NL_WINDOW messages before reading their ACKs: a million entries take
 * about 600 messages.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>

#include "netlink.h"

/* struct kb_status keeps one bit per attribute. */
_Static_assert(KASBLOCK_A_MAX < 64 && KASBLOCK_COUNTER_A_MAX < 64, "kb_status bitmaps too small");

/* A dump message is at most 32 KiB; an error ACK is small (capped). */
#define RX_SIZE (2 * KB_NL_MSG_MAX)
/* How many times a dump is restarted when the list changes under it. */
#define DUMP_TRIES 16

/* The replies to one request: data messages go to cb, the ACK or NLMSG_DONE ends it. */
struct reply {
	uint32_t seq;
	int (*cb)(const struct nlmsghdr *nlh, void *data);
	void *data;
	int cb_err;
	int err;
	bool finished;
	bool intr;
};

/* The messages of one batched entry-list request, by sequence number. */
struct batch {
	uint32_t base;
	size_t sent;
	size_t acked;
	int err;
	bool pending[KB_NL_WINDOW];
	size_t first[KB_NL_WINDOW];
	size_t count[KB_NL_WINDOW];
};

const char *kb_mode_name(uint32_t mode)
{
	switch (mode) {
	case KASBLOCK_MODE_ENFORCE:
		return "enforce";
	case KASBLOCK_MODE_MONITOR:
		return "monitor";
	}
	return NULL;
}

int kb_mode_parse(const char *name)
{
	if (!strcmp(name, "enforce"))
		return KASBLOCK_MODE_ENFORCE;
	if (!strcmp(name, "monitor"))
		return KASBLOCK_MODE_MONITOR;
	return -EINVAL;
}

const char *kb_fail_policy_name(uint32_t policy)
{
	switch (policy) {
	case KASBLOCK_FAIL_OPEN:
		return "open";
	case KASBLOCK_FAIL_CLOSED:
		return "closed";
	}
	return NULL;
}

const char *kb_attest_state_name(uint32_t state)
{
	switch (state) {
	case KASBLOCK_ATTEST_DISABLED:
		return "disabled";
	case KASBLOCK_ATTEST_UNAVAILABLE:
		return "unavailable";
	case KASBLOCK_ATTEST_AVAILABLE:
		return "available";
	}
	return NULL;
}

struct nlmsghdr *kb_nl_put_header(void *buf, uint16_t family, uint8_t cmd, uint16_t flags,
				  uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = KASBLOCK_GENL_VERSION;
	return nlh;
}

size_t kb_nl_put_entries(struct nlmsghdr *nlh, size_t buflen, const struct kb_entry *entries,
			 size_t n, bool labels)
{
	struct nlattr *nest, *entry;
	char label[KASBLOCK_LABEL_MAX];
	size_t i, len;

	/* nla_len is 16 bits: the entry list must end within 64 KiB of where it starts. */
	if (buflen > MNL_ALIGN(nlh->nlmsg_len) + UINT16_MAX)
		buflen = MNL_ALIGN(nlh->nlmsg_len) + UINT16_MAX;
	nest = mnl_attr_nest_start_check(nlh, buflen, KASBLOCK_A_ENTRIES);
	if (!nest)
		return 0;
	for (i = 0; i < n && i < KASBLOCK_BATCH_MAX; i++) {
		entry = mnl_attr_nest_start_check(nlh, buflen, KASBLOCK_A_ENTRY);
		if (!entry)
			break;
		if (!mnl_attr_put_check(nlh, buflen, KASBLOCK_ENTRY_A_DIGEST, KASBLOCK_DIGEST_LEN,
					entries[i].digest))
			goto cancel;
		len = strnlen(entries[i].label, KASBLOCK_LABEL_MAX - 1);
		if (labels && len) {
			memcpy(label, entries[i].label, len);
			label[len] = '\0';
			if (!mnl_attr_put_check(nlh, buflen, KASBLOCK_ENTRY_A_LABEL, len + 1, label))
				goto cancel;
		}
		mnl_attr_nest_end(nlh, entry);
	}
	goto end;
cancel:
	mnl_attr_nest_cancel(nlh, entry);
end:
	if (!i) {
		mnl_attr_nest_cancel(nlh, nest);
		return 0;
	}
	mnl_attr_nest_end(nlh, nest);
	return i;
}

long kb_nl_entry_at(const struct nlmsghdr *nlh, uint32_t off)
{
	const struct nlattr *attr, *entry;
	long i = 0;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != KASBLOCK_A_ENTRIES)
			continue;
		mnl_attr_for_each_nested(entry, attr) {
			size_t start = (size_t)((const char *)entry - (const char *)nlh);

			if (off >= start && off < start + mnl_attr_get_len(entry))
				return i;
			i++;
		}
	}
	return -1;
}

struct ack_ctx {
	char *msg;
	size_t msglen;
	uint32_t *off;
};

static int ack_attr(const struct nlattr *attr, void *data)
{
	const struct ack_ctx *ctx = data;
	uint16_t len = mnl_attr_get_payload_len(attr);
	const char *p = mnl_attr_get_payload(attr);

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (ctx->msg && ctx->msglen) {
			size_t n = strnlen(p, len);

			if (n >= ctx->msglen)
				n = ctx->msglen - 1;
			memcpy(ctx->msg, p, n);
			ctx->msg[n] = '\0';
		}
		break;
	case NLMSGERR_ATTR_OFFS:
		if (ctx->off && len == sizeof(uint32_t))
			*ctx->off = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

int kb_nl_parse_ack(const struct nlmsghdr *nlh, char *msg, size_t msglen, uint32_t *off)
{
	size_t payload = mnl_nlmsg_get_payload_len(nlh), tlvs;
	struct ack_ctx ctx = { msg, msglen, off };
	int err;

	if (msg && msglen)
		msg[0] = '\0';
	if (off)
		*off = UINT32_MAX;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* A dump's end carries the dump's error, if any, then extack attributes. */
		if (payload < sizeof(int))
			return 0;
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		tlvs = sizeof(int);
	} else {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		if (payload < sizeof(*e))
			return -EBADMSG;
		err = e->error;
		tlvs = sizeof(*e);
		/* Without NETLINK_CAP_ACK the request follows; its header is already counted. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > sizeof(struct nlmsghdr))
			tlvs += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && MNL_ALIGN(tlvs) < payload)
		mnl_attr_parse(nlh, (unsigned int)tlvs, ack_attr, &ctx);
	return err > 0 ? -err : err;
}

static int status_counter(const struct nlattr *attr, void *data)
{
	struct kb_status *st = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == KASBLOCK_COUNTER_A_UNSPEC || type == KASBLOCK_COUNTER_A_PAD ||
	    type > KASBLOCK_COUNTER_A_MAX)
		return MNL_CB_OK;	/* a newer module's counter: not ours to show */
	if (mnl_attr_get_payload_len(attr) != sizeof(uint64_t))
		return MNL_CB_ERROR;
	st->counters[type] = mnl_attr_get_u64(attr);
	st->have_counters |= 1ULL << type;
	return MNL_CB_OK;
}

static int status_attr(const struct nlattr *attr, void *data)
{
	struct kb_status *st = data;
	uint16_t type = mnl_attr_get_type(attr), len = mnl_attr_get_payload_len(attr);
	size_t n;

	switch (type) {
	case KASBLOCK_A_MODE:
	case KASBLOCK_A_NR_ENTRIES:
	case KASBLOCK_A_MAX_ENTRIES:
	case KASBLOCK_A_FAIL_POLICY:
	case KASBLOCK_A_CACHE_ENTRIES:
	case KASBLOCK_A_CACHE_SIZE:
	case KASBLOCK_A_ATTEST_STATE:
	case KASBLOCK_A_ATTEST_PCR:
	case KASBLOCK_A_MEASUREMENT_COUNT:
	case KASBLOCK_A_MEASUREMENT_GAPS:
		if (len != sizeof(uint32_t))
			return MNL_CB_ERROR;
		if (type == KASBLOCK_A_ATTEST_STATE)
			st->attest_state = mnl_attr_get_u32(attr);
		else if (type == KASBLOCK_A_ATTEST_PCR)
			st->attest_pcr = mnl_attr_get_u32(attr);
		else if (type == KASBLOCK_A_MEASUREMENT_COUNT)
			st->measurements = mnl_attr_get_u32(attr);
		else if (type == KASBLOCK_A_MEASUREMENT_GAPS)
			st->measurement_gaps = mnl_attr_get_u32(attr);
		else if (type == KASBLOCK_A_MODE)
			st->mode = mnl_attr_get_u32(attr);
		else if (type == KASBLOCK_A_NR_ENTRIES)
			st->nr_entries = mnl_attr_get_u32(attr);
		else if (type == KASBLOCK_A_MAX_ENTRIES)
			st->max_entries = mnl_attr_get_u32(attr);
		else if (type == KASBLOCK_A_FAIL_POLICY)
			st->fail_policy = mnl_attr_get_u32(attr);
		else if (type == KASBLOCK_A_CACHE_ENTRIES)
			st->cache_entries = mnl_attr_get_u32(attr);
		else
			st->cache_size = mnl_attr_get_u32(attr);
		break;
	case KASBLOCK_A_LOCKED:
		if (len != sizeof(uint8_t))
			return MNL_CB_ERROR;
		st->locked = mnl_attr_get_u8(attr);
		break;
	case KASBLOCK_A_POLICY_DIGEST:
		if (len != KASBLOCK_DIGEST_LEN)
			return MNL_CB_ERROR;
		memcpy(st->policy_digest, mnl_attr_get_payload(attr), KASBLOCK_DIGEST_LEN);
		break;
	case KASBLOCK_A_GENERATION:
	case KASBLOCK_A_MAX_HASH_SIZE:
		if (len != sizeof(uint64_t))
			return MNL_CB_ERROR;
		if (type == KASBLOCK_A_GENERATION)
			st->generation = mnl_attr_get_u64(attr);
		else
			st->max_hash_size = mnl_attr_get_u64(attr);
		break;
	case KASBLOCK_A_HASH_DRIVER:
		n = strnlen(mnl_attr_get_payload(attr), len);
		if (n >= sizeof(st->hash_driver))
			n = sizeof(st->hash_driver) - 1;
		memcpy(st->hash_driver, mnl_attr_get_payload(attr), n);
		st->hash_driver[n] = '\0';
		break;
	case KASBLOCK_A_COUNTERS:
		if (mnl_attr_parse_nested(attr, status_counter, st) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;	/* padding, or something a newer module added */
	}
	st->have |= 1ULL << type;
	return MNL_CB_OK;
}

int kb_nl_parse_status(const struct nlmsghdr *nlh, struct kb_status *status)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), status_attr, status) < 0)
		return -EBADMSG;
	return 0;
}

struct entry_ctx {
	struct kb_entry e;
	bool have_digest;
};

static int entry_attr(const struct nlattr *attr, void *data)
{
	struct entry_ctx *ctx = data;
	uint16_t len = mnl_attr_get_payload_len(attr);
	size_t n;

	switch (mnl_attr_get_type(attr)) {
	case KASBLOCK_ENTRY_A_DIGEST:
		if (len != KASBLOCK_DIGEST_LEN)
			return MNL_CB_ERROR;
		memcpy(ctx->e.digest, mnl_attr_get_payload(attr), KASBLOCK_DIGEST_LEN);
		ctx->have_digest = true;
		break;
	case KASBLOCK_ENTRY_A_LABEL:
		n = strnlen(mnl_attr_get_payload(attr), len);
		if (n > KASBLOCK_LABEL_MAX - 1)
			n = KASBLOCK_LABEL_MAX - 1;
		memcpy(ctx->e.label, mnl_attr_get_payload(attr), n);
		ctx->e.label[n] = '\0';
		break;
	}
	return MNL_CB_OK;
}

struct dump_ctx {
	struct kb_list *list;
	uint64_t *generation;
	bool *have_generation;
};

static int dump_attr(const struct nlattr *attr, void *data)
{
	const struct dump_ctx *ctx = data;
	const struct nlattr *nested;
	struct entry_ctx ec;

	switch (mnl_attr_get_type(attr)) {
	case KASBLOCK_A_GENERATION:
		if (mnl_attr_get_payload_len(attr) != sizeof(uint64_t))
			return MNL_CB_ERROR;
		*ctx->generation = mnl_attr_get_u64(attr);
		*ctx->have_generation = true;
		break;
	case KASBLOCK_A_ENTRIES:
		mnl_attr_for_each_nested(nested, attr) {
			if (mnl_attr_get_type(nested) != KASBLOCK_A_ENTRY)
				continue;
			memset(&ec, 0, sizeof(ec));
			if (mnl_attr_parse_nested(nested, entry_attr, &ec) < 0 || !ec.have_digest)
				return MNL_CB_ERROR;
			if (kb_list_push(ctx->list, &ec.e) < 0) {
				errno = ENOMEM;
				return MNL_CB_ERROR;
			}
		}
		break;
	}
	return MNL_CB_OK;
}

int kb_nl_parse_entries(const struct nlmsghdr *nlh, struct kb_list *list, uint64_t *generation,
			bool *have_generation)
{
	struct dump_ctx ctx = { list, generation, have_generation };

	*have_generation = false;
	errno = 0;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), dump_attr, &ctx) < 0)
		return errno == ENOMEM ? -ENOMEM : -EBADMSG;
	return 0;
}

static void reset_result(struct kb_nl *nl)
{
	nl->extack[0] = '\0';
	nl->bad_entry = -1;
	nl->done = 0;
}

/* Receive one datagram and pass each message in it that is addressed to us to handle(). */
static int recv_once(struct kb_nl *nl, void (*handle)(struct kb_nl *, const struct nlmsghdr *, void *),
		     void *arg)
{
	const struct nlmsghdr *nlh;
	ssize_t ret;
	int len;

	do
		ret = mnl_socket_recvfrom(nl->sock, nl->rx, RX_SIZE);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	len = (int)ret;
	for (nlh = (const struct nlmsghdr *)nl->rx; mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		if (mnl_nlmsg_portid_ok(nlh, nl->portid))
			handle(nl, nlh, arg);
	}
	return 0;
}

static void on_reply(struct kb_nl *nl, const struct nlmsghdr *nlh, void *arg)
{
	struct reply *r = arg;
	int ret;

	if (r->finished || nlh->nlmsg_seq != r->seq)
		return;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		r->intr = true;
	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
	case NLMSG_DONE:
		r->err = kb_nl_parse_ack(nlh, nl->extack, sizeof(nl->extack), NULL);
		r->finished = true;
		break;
	case NLMSG_NOOP:
	case NLMSG_OVERRUN:
		break;
	default:
		/* Keep reading after a callback error: the ACK must not be left behind. */
		if (r->cb && !r->cb_err) {
			ret = r->cb(nlh, r->data);
			if (ret < 0)
				r->cb_err = ret;
		}
	}
}

static int send_msg(struct kb_nl *nl, const struct nlmsghdr *nlh)
{
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

/* Send nlh and read its replies to the end. */
static int transact(struct kb_nl *nl, struct nlmsghdr *nlh,
		    int (*cb)(const struct nlmsghdr *, void *), void *data, bool *intr)
{
	struct reply r = { .seq = nlh->nlmsg_seq, .cb = cb, .data = data };
	int ret;

	reset_result(nl);
	ret = send_msg(nl, nlh);
	if (ret < 0)
		return ret;
	while (!r.finished) {
		ret = recv_once(nl, on_reply, &r);
		if (ret < 0)
			return ret;
	}
	if (intr)
		*intr = r.intr;
	return r.err ? r.err : r.cb_err;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_get_payload_len(attr) == sizeof(uint16_t)) {
			*(uint16_t *)data = mnl_attr_get_u16(attr);
			return 0;
		}
	}
	return -EBADMSG;
}

/* CTRL_CMD_GETFAMILY for name: its answer goes to cb. */
static int get_family(struct kb_nl *nl, const char *name,
		      int (*cb)(const struct nlmsghdr *, void *), void *data)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	char buf[256];

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	return transact(nl, nlh, cb, data, NULL);
}

static int resolve_family(struct kb_nl *nl, const char *name)
{
	uint16_t id = 0;
	int ret;

	ret = get_family(nl, name, family_cb, &id);
	if (ret < 0)
		return ret;
	if (!id)
		return -EBADMSG;
	nl->family = id;
	return 0;
}

struct mcast_ctx {
	const char *group;
	uint32_t id;
};

static int mcast_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr, *grp, *a;
	struct mcast_ctx *ctx = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		mnl_attr_for_each_nested(grp, attr) {
			const char *name = NULL;
			uint32_t id = 0;

			mnl_attr_for_each_nested(a, grp) {
				uint16_t len = mnl_attr_get_payload_len(a);

				if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
				    len && !((const char *)mnl_attr_get_payload(a))[len - 1])
					name = mnl_attr_get_str(a);
				else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
					 len == sizeof(uint32_t))
					id = mnl_attr_get_u32(a);
			}
			if (name && id && !strcmp(name, ctx->group))
				ctx->id = id;
		}
	}
	return 0;
}

int kb_nl_mcast_group(struct kb_nl *nl, const char *family, const char *group, uint32_t *id)
{
	struct mcast_ctx ctx = { group, 0 };
	int ret;

	ret = get_family(nl, family, mcast_cb, &ctx);
	if (ret < 0)
		return ret;
	if (!ctx.id)
		return -ENOENT;
	*id = ctx.id;
	return 0;
}

int kb_nl_open(struct kb_nl **out)
{
	return kb_nl_open_family(out, KASBLOCK_GENL_NAME);
}

int kb_nl_open_family(struct kb_nl **out, const char *family)
{
	struct kb_nl *nl;
	int one = 1, ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->rx = malloc(RX_SIZE);
	if (!nl->rx) {
		ret = -ENOMEM;
		goto err;
	}
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock) {
		ret = -errno;
		goto err;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	if (mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one)) < 0 ||
	    mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one)) < 0) {
		ret = -errno;
		goto err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	ret = resolve_family(nl, family);
	if (ret < 0)
		goto err;
	reset_result(nl);
	*out = nl;
	return 0;

err:
	kb_nl_close(nl);
	return ret;
}

void kb_nl_close(struct kb_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->tx);
	free(nl->rx);
	free(nl);
}

int kb_nl_simple(struct kb_nl *nl, uint8_t cmd)
{
	char buf[MNL_NLMSG_HDRLEN + 64];
	struct nlmsghdr *nlh = kb_nl_put_header(buf, nl->family, cmd, NLM_F_ACK, ++nl->seq);

	return transact(nl, nlh, NULL, NULL, NULL);
}

int kb_nl_set_mode(struct kb_nl *nl, uint32_t mode)
{
	char buf[MNL_NLMSG_HDRLEN + 64];
	struct nlmsghdr *nlh;

	nlh = kb_nl_put_header(buf, nl->family, KASBLOCK_CMD_SET_MODE, NLM_F_ACK, ++nl->seq);
	mnl_attr_put_u32(nlh, KASBLOCK_A_MODE, mode);
	return transact(nl, nlh, NULL, NULL, NULL);
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	return kb_nl_parse_status(nlh, data);
}

int kb_nl_get_status(struct kb_nl *nl, struct kb_status *status)
{
	char buf[MNL_NLMSG_HDRLEN + 64];
	struct nlmsghdr *nlh;
	int ret;

	memset(status, 0, sizeof(*status));
	nlh = kb_nl_put_header(buf, nl->family, KASBLOCK_CMD_GET_STATUS, NLM_F_ACK, ++nl->seq);
	ret = transact(nl, nlh, status_cb, status, NULL);
	if (!ret && !(status->have & (1ULL << KASBLOCK_A_MODE)))
		ret = -EBADMSG;
	return ret;
}

struct file_digest_reply {
	uint8_t *digest;
	bool have;
};

static int file_digest_attr(const struct nlattr *attr, void *data)
{
	struct file_digest_reply *r = data;

	if (mnl_attr_get_type(attr) == KASBLOCK_A_FILE_DIGEST &&
	    mnl_attr_get_payload_len(attr) == KASBLOCK_DIGEST_LEN) {
		memcpy(r->digest, mnl_attr_get_payload(attr), KASBLOCK_DIGEST_LEN);
		r->have = true;
	}
	return MNL_CB_OK;
}

static int file_digest_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), file_digest_attr, data) < 0 ? -EBADMSG : 0;
}

int kb_nl_file_digest(struct kb_nl *nl, int fd, uint8_t digest[KASBLOCK_DIGEST_LEN])
{
	struct file_digest_reply r = { .digest = digest };
	char buf[MNL_NLMSG_HDRLEN + 64];
	struct nlmsghdr *nlh;
	int ret;

	if (fd < 0)
		return -EBADF;
	nlh = kb_nl_put_header(buf, nl->family, KASBLOCK_CMD_GET_FILE_DIGEST, NLM_F_ACK, ++nl->seq);
	mnl_attr_put_u32(nlh, KASBLOCK_A_FD, (uint32_t)fd);
	ret = transact(nl, nlh, file_digest_cb, &r, NULL);
	if (!ret && !r.have)
		ret = -EBADMSG;
	return ret;
}

struct dump_state {
	struct kb_list *list;
	uint64_t generation;
	bool have_generation;
	bool changed;
};

static int entries_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_state *d = data;
	uint64_t gen = 0;
	bool have = false;
	int ret;

	ret = kb_nl_parse_entries(nlh, d->list, &gen, &have);
	if (ret < 0)
		return ret;
	if (have) {
		/* A generation change between parts is a change the kernel's dump check may not see. */
		if (d->have_generation && gen != d->generation)
			d->changed = true;
		d->generation = gen;
		d->have_generation = true;
	}
	return 0;
}

int kb_nl_dump(struct kb_nl *nl, uint8_t cmd, int (*cb)(const struct nlmsghdr *, void *),
	       void *data, bool *intr)
{
	char buf[MNL_NLMSG_HDRLEN + 64];
	struct nlmsghdr *nlh = kb_nl_put_header(buf, nl->family, cmd, NLM_F_DUMP, ++nl->seq);

	return transact(nl, nlh, cb, data, intr);
}

int kb_nl_get_entries(struct kb_nl *nl, struct kb_list *list, uint64_t *generation)
{
	struct dump_state d;
	bool intr;
	int ret, tries;

	for (tries = 0; tries < DUMP_TRIES; tries++) {
		list->len = 0;
		memset(&d, 0, sizeof(d));
		d.list = list;
		ret = kb_nl_dump(nl, KASBLOCK_CMD_GET_ENTRIES, entries_cb, &d, &intr);
		if (ret < 0)
			return ret;
		if (!intr && !d.changed) {
			if (generation)
				*generation = d.generation;
			return 0;
		}
	}
	list->len = 0;
	return -EAGAIN;
}

static void on_batch_ack(struct kb_nl *nl, const struct nlmsghdr *nlh, void *arg)
{
	struct batch *b = arg;
	uint32_t idx = nlh->nlmsg_seq - b->base, off;
	char msg[sizeof(nl->extack)];
	size_t slot;
	long bad;
	int err;

	if (nlh->nlmsg_type != NLMSG_ERROR || idx >= b->sent)
		return;
	slot = idx % KB_NL_WINDOW;
	if (!b->pending[slot])
		return;
	b->pending[slot] = false;
	b->acked++;
	err = kb_nl_parse_ack(nlh, msg, sizeof(msg), &off);
	if (!err) {
		nl->done += b->count[slot];
		return;
	}
	if (b->err)
		return;
	/* The kernel handles messages in order: the first error read is the first one made. */
	b->err = err;
	memcpy(nl->extack, msg, sizeof(msg));
	if (off != UINT32_MAX) {
		bad = kb_nl_entry_at((const struct nlmsghdr *)(nl->tx + slot * KB_NL_MSG_MAX), off);
		if (bad >= 0)
			nl->bad_entry = (long)b->first[slot] + bad;
	}
}

int kb_nl_send_entries(struct kb_nl *nl, uint8_t cmd, const struct kb_entry *entries, size_t n)
{
	struct batch b = { .base = nl->seq + 1 };
	struct nlmsghdr *nlh;
	size_t i = 0, k, slot;
	int ret = 0;

	reset_result(nl);
	if (!nl->tx) {
		nl->tx = malloc((size_t)KB_NL_WINDOW * KB_NL_MSG_MAX);
		if (!nl->tx)
			return -ENOMEM;
	}
	while (i < n && !b.err) {
		/* A buffer is reused only once its message is answered: errors point into it. */
		slot = b.sent % KB_NL_WINDOW;
		while (b.pending[slot] && !ret)
			ret = recv_once(nl, on_batch_ack, &b);
		if (ret < 0 || b.err)
			break;
		nlh = kb_nl_put_header(nl->tx + slot * KB_NL_MSG_MAX, nl->family, cmd, NLM_F_ACK,
				       ++nl->seq);
		k = kb_nl_put_entries(nlh, KB_NL_MSG_MAX, entries + i, n - i,
				      cmd != KASBLOCK_CMD_DEL);
		if (!k) {
			ret = -EMSGSIZE;
			break;
		}
		ret = send_msg(nl, nlh);
		if (ret < 0)
			break;
		b.first[slot] = i;
		b.count[slot] = k;
		b.pending[slot] = true;
		b.sent++;
		i += k;
	}
	while (b.acked < b.sent) {
		int r = recv_once(nl, on_batch_ack, &b);

		if (r < 0)
			return ret ? ret : r;
	}
	return b.err ? b.err : ret;
}

struct measurements_ctx {
	struct kb_measurement *recs;
	size_t n, cap;
	int err;
};

static int measurement_attr(const struct nlattr *attr, void *data)
{
	struct kb_measurement *m = data;

	switch (mnl_attr_get_type(attr)) {
	case KASBLOCK_MEASUREMENT_A_RECORD:
		if (mnl_attr_get_payload_len(attr) != KASBLOCK_MEASUREMENT_SIZE)
			return MNL_CB_ERROR;
		memcpy(m->record, mnl_attr_get_payload(attr), KASBLOCK_MEASUREMENT_SIZE);
		m->have_record = true;
		break;
	case KASBLOCK_MEASUREMENT_A_EXTENDED:
		if (mnl_attr_get_payload_len(attr) != sizeof(uint8_t))
			return MNL_CB_ERROR;
		m->extended = mnl_attr_get_u8(attr);
		m->have_extended = true;
		break;
	}
	return MNL_CB_OK;
}

static int measurements_msg_attr(const struct nlattr *attr, void *data)
{
	struct measurements_ctx *ctx = data;
	struct kb_measurement m, *grown;

	if (mnl_attr_get_type(attr) != KASBLOCK_A_MEASUREMENT)
		return MNL_CB_OK;
	memset(&m, 0, sizeof(m));
	if (mnl_attr_parse_nested(attr, measurement_attr, &m) < 0 || !m.have_record ||
	    !m.have_extended) {
		ctx->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	if (ctx->n == ctx->cap) {
		ctx->cap = ctx->cap ? 2 * ctx->cap : 64;
		grown = realloc(ctx->recs, ctx->cap * sizeof(*grown));
		if (!grown) {
			ctx->err = -ENOMEM;
			return MNL_CB_ERROR;
		}
		ctx->recs = grown;
	}
	ctx->recs[ctx->n++] = m;
	return MNL_CB_OK;
}

static int measurements_cb(const struct nlmsghdr *nlh, void *data)
{
	struct measurements_ctx *ctx = data;

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), measurements_msg_attr, ctx) < 0)
		return ctx->err ? ctx->err : -EBADMSG;
	return 0;
}

int kb_nl_get_measurements(struct kb_nl *nl, struct kb_measurement **recs, size_t *n)
{
	struct measurements_ctx ctx = { 0 };
	bool intr;
	int ret;

	ret = kb_nl_dump(nl, KASBLOCK_CMD_GET_MEASUREMENTS, measurements_cb, &ctx, &intr);
	if (ret < 0) {
		free(ctx.recs);
		return ret;
	}
	*recs = ctx.recs;
	*n = ctx.n;
	return 0;
}
