// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: a generic netlink client that builds messages by hand,
 * so tests can send what the tool never would and see the raw errno and
 * extended ACK message of each rejection.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "helpers.h"

#define RECV_BUF (64 * 1024)

/* Bytes of one entry in a message: its nest, the digest, the label. */
#define ENTRY_BYTES (MNL_ATTR_HDRLEN + MNL_ATTR_HDRLEN + MNL_ALIGN(KASBLOCK_DIGEST_LEN))
#define LABEL_BYTES (MNL_ATTR_HDRLEN + MNL_ALIGN(KASBLOCK_LABEL_MAX))
#define NLA_LEN_MAX 0xffff

static void read_extack(struct kst_nl *nl, const struct nlmsghdr *h,
			unsigned int offset)
{
	const struct nlattr *a;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	mnl_attr_for_each(a, h, offset) {
		if (mnl_attr_get_type(a) != NLMSGERR_ATTR_MSG)
			continue;
		snprintf(nl->extack, sizeof(nl->extack), "%.*s",
			 (int)mnl_attr_get_payload_len(a),
			 (const char *)mnl_attr_get_payload(a));
	}
}

/*
 * Sends nlh and reads replies until its ack (or the end of a dump). cb sees
 * each data message. -EINTR when a dump was flagged NLM_F_DUMP_INTR.
 */
static int talk(struct kst_nl *nl, struct nlmsghdr *nlh,
		int (*cb)(const struct nlmsghdr *h, void *data), void *data)
{
	uint32_t seq = nlh->nlmsg_seq;
	bool intr = false;
	char *buf;
	int ret;

	nl->extack[0] = '\0';
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	buf = malloc(RECV_BUF);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		int n = mnl_socket_recvfrom(nl->sock, buf, RECV_BUF);

		if (n < 0) {
			ret = -errno;
			goto out;
		}
		for (; mnl_nlmsg_ok(h, n); h = mnl_nlmsg_next(h, &n)) {
			/* Replies to an earlier request a test abandoned. */
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				unsigned int off = sizeof(*e);

				if (!(h->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - sizeof(e->msg);
				read_extack(nl, h, off);
				ret = e->error ? e->error : intr ? -EINTR : 0;
				goto out;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				const int *err = mnl_nlmsg_get_payload(h);

				ret = 0;
				if (mnl_nlmsg_get_payload_len(h) >= sizeof(*err)) {
					read_extack(nl, h, sizeof(*err));
					ret = *err;
				}
				if (!ret && intr)
					ret = -EINTR;
				goto out;
			}
			if (h->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			if (cb) {
				ret = cb(h, data);
				if (ret < 0)
					goto out;
			}
		}
	}
out:
	free(buf);
	return ret;
}

static void family_groups(struct kst_nl *nl, const struct nlattr *groups)
{
	const struct nlattr *g, *a;

	mnl_attr_for_each_nested(g, groups) {
		const char *name = NULL;
		uint32_t id = 0;

		mnl_attr_for_each_nested(a, g) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME)
				name = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID)
				id = mnl_attr_get_u32(a);
		}
		if (name && !strcmp(name, KASBLOCK_MCGRP_EVENTS))
			nl->events_group = id;
	}
}

static int family_cb(const struct nlmsghdr *h, void *data)
{
	struct kst_nl *nl = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, h, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_get_payload_len(a) == sizeof(uint16_t))
			nl->family = mnl_attr_get_u16(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
			family_groups(nl, a);
	}
	return 0;
}

int kst_nl_open(struct kst_nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct genlmsghdr *g;
	struct nlmsghdr *h;
	int one = 1, size = 4 << 20, ret;

	memset(nl, 0, sizeof(*nl));
	nl->seq = time(NULL);
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID)) {
		ret = -errno;
		goto err;
	}
	/* Root may exceed wmem_max; batches of a few thousand entries need it. */
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_SNDBUFFORCE,
		   &size, sizeof(size));
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE,
		   &size, sizeof(size));
	nl->portid = mnl_socket_get_portid(nl->sock);

	h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(h, CTRL_ATTR_FAMILY_NAME, KASBLOCK_GENL_NAME);
	ret = talk(nl, h, family_cb, nl);
	if (!ret && !nl->family)
		ret = -EPROTO;
	if (ret)
		goto err;
	return 0;
err:
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
	return ret;
}

void kst_nl_close(struct kst_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

struct nlmsghdr *kst_nl_msg(struct kst_nl *nl, void *buf, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	h->nlmsg_type = nl->family;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	h->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->cmd = cmd;
	g->version = KASBLOCK_GENL_VERSION;
	return h;
}

size_t kst_nl_entries_fit(bool labelled)
{
	return (NLA_LEN_MAX - MNL_ATTR_HDRLEN) /
	       (ENTRY_BYTES + (labelled ? LABEL_BYTES : 0));
}

int kst_nl_put_entries(struct nlmsghdr *nlh, const struct kst_entry *e, size_t n)
{
	struct nlattr *list, *entry;
	size_t i, len;

	list = mnl_attr_nest_start(nlh, KASBLOCK_A_ENTRIES);
	for (i = 0; i < n; i++) {
		entry = mnl_attr_nest_start(nlh, KASBLOCK_A_ENTRY);
		mnl_attr_put(nlh, KASBLOCK_ENTRY_A_DIGEST, KASBLOCK_DIGEST_LEN,
			     e[i].digest);
		if (e[i].label[0])
			mnl_attr_put_strz(nlh, KASBLOCK_ENTRY_A_LABEL, e[i].label);
		mnl_attr_nest_end(nlh, entry);
	}
	/* mnl_attr_nest_end() would silently truncate the 16-bit length. */
	len = (char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)list;
	if (len > NLA_LEN_MAX) {
		nlh->nlmsg_len -= len;
		return -EMSGSIZE;
	}
	mnl_attr_nest_end(nlh, list);
	return 0;
}

int kst_nl_send(struct kst_nl *nl, struct nlmsghdr *nlh)
{
	nlh->nlmsg_flags |= NLM_F_ACK;
	return talk(nl, nlh, NULL, NULL);
}

int kst_nl_cmd(struct kst_nl *nl, uint8_t cmd, const struct kst_entry *e, size_t n)
{
	struct nlmsghdr *h;
	void *buf;
	int ret;

	buf = malloc(KST_MSG_MAX);
	if (!buf)
		return -ENOMEM;
	h = kst_nl_msg(nl, buf, cmd, 0);
	ret = n ? kst_nl_put_entries(h, e, n) : 0;
	if (!ret)
		ret = kst_nl_send(nl, h);
	free(buf);
	return ret;
}

int kst_nl_set_mode(struct kst_nl *nl, uint32_t mode)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = kst_nl_msg(nl, buf, KASBLOCK_CMD_SET_MODE, 0);

	mnl_attr_put_u32(h, KASBLOCK_A_MODE, mode);
	return kst_nl_send(nl, h);
}

struct status_parse {
	struct kst_status *st;
	unsigned int seen;	/* bit per attribute type */
};

static int status_cb(const struct nlmsghdr *h, void *data)
{
	struct status_parse *p = data;
	struct kst_status *st = p->st;
	const struct nlattr *a, *c;

	mnl_attr_for_each(a, h, sizeof(struct genlmsghdr)) {
		unsigned int type = mnl_attr_get_type(a);

		if (type < 32)
			p->seen |= 1u << type;
		switch (type) {
		case KASBLOCK_A_MODE:
			st->mode = mnl_attr_get_u32(a);
			break;
		case KASBLOCK_A_GENERATION:
			st->generation = mnl_attr_get_u64(a);
			break;
		case KASBLOCK_A_NR_ENTRIES:
			st->nr_entries = mnl_attr_get_u32(a);
			break;
		case KASBLOCK_A_MAX_ENTRIES:
			st->max_entries = mnl_attr_get_u32(a);
			break;
		case KASBLOCK_A_MAX_HASH_SIZE:
			st->max_hash_size = mnl_attr_get_u64(a);
			break;
		case KASBLOCK_A_FAIL_POLICY:
			st->fail_policy = mnl_attr_get_u32(a);
			break;
		case KASBLOCK_A_HASH_DRIVER:
			snprintf(st->hash_driver, sizeof(st->hash_driver), "%.*s",
				 (int)mnl_attr_get_payload_len(a),
				 (const char *)mnl_attr_get_payload(a));
			break;
		case KASBLOCK_A_CACHE_ENTRIES:
			st->cache_entries = mnl_attr_get_u32(a);
			break;
		case KASBLOCK_A_CACHE_SIZE:
			st->cache_size = mnl_attr_get_u32(a);
			break;
		case KASBLOCK_A_LOCKED:
			st->locked = mnl_attr_get_u8(a);
			break;
		case KASBLOCK_A_ATTEST_STATE:
			st->attest_state = mnl_attr_get_u32(a);
			st->has_attest_state = true;
			break;
		case KASBLOCK_A_ATTEST_PCR:
			st->attest_pcr = mnl_attr_get_u32(a);
			st->has_attest_pcr = true;
			break;
		case KASBLOCK_A_MEASUREMENT_COUNT:
			st->measurements = mnl_attr_get_u32(a);
			break;
		case KASBLOCK_A_MEASUREMENT_GAPS:
			st->measurement_gaps = mnl_attr_get_u32(a);
			break;
		case KASBLOCK_A_POLICY_DIGEST:
			if (mnl_attr_get_payload_len(a) != KASBLOCK_DIGEST_LEN)
				return -EPROTO;
			memcpy(st->policy_digest, mnl_attr_get_payload(a),
			       KASBLOCK_DIGEST_LEN);
			st->has_policy_digest = true;
			break;
		case KASBLOCK_A_COUNTERS:
			mnl_attr_for_each_nested(c, a) {
				switch (mnl_attr_get_type(c)) {
				case KASBLOCK_COUNTER_A_CHECKS:
					st->checks = mnl_attr_get_u64(c);
					break;
				case KASBLOCK_COUNTER_A_DENIALS:
					st->denials = mnl_attr_get_u64(c);
					break;
				case KASBLOCK_COUNTER_A_BYTES_HASHED:
					st->bytes_hashed = mnl_attr_get_u64(c);
					break;
				case KASBLOCK_COUNTER_A_ERRORS:
					st->errors = mnl_attr_get_u64(c);
					break;
				case KASBLOCK_COUNTER_A_TPM_ERRORS:
					st->tpm_errors = mnl_attr_get_u64(c);
					break;
				case KASBLOCK_COUNTER_A_CACHE_HITS:
					st->cache_hits = mnl_attr_get_u64(c);
					break;
				case KASBLOCK_COUNTER_A_CACHE_MISSES:
					st->cache_misses = mnl_attr_get_u64(c);
					break;
				case KASBLOCK_COUNTER_A_CACHE_EVICTIONS:
					st->cache_evictions = mnl_attr_get_u64(c);
					break;
				case KASBLOCK_COUNTER_A_EVENTS_DROPPED:
					st->events_dropped = mnl_attr_get_u64(c);
					break;
				}
			}
			break;
		}
	}
	return 0;
}

int kst_nl_status(struct kst_nl *nl, struct kst_status *st)
{
	const unsigned int want = 1u << KASBLOCK_A_MODE | 1u << KASBLOCK_A_GENERATION |
		1u << KASBLOCK_A_NR_ENTRIES | 1u << KASBLOCK_A_MAX_ENTRIES |
		1u << KASBLOCK_A_MAX_HASH_SIZE | 1u << KASBLOCK_A_FAIL_POLICY |
		1u << KASBLOCK_A_HASH_DRIVER | 1u << KASBLOCK_A_COUNTERS |
		1u << KASBLOCK_A_CACHE_ENTRIES | 1u << KASBLOCK_A_CACHE_SIZE;
	struct status_parse p = { .st = st };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h;
	int ret;

	memset(st, 0, sizeof(*st));
	h = kst_nl_msg(nl, buf, KASBLOCK_CMD_GET_STATUS, NLM_F_ACK);
	ret = talk(nl, h, status_cb, &p);
	if (ret)
		return ret;
	/* A reply missing a documented attribute breaks the contract. */
	return (p.seen & want) == want ? 0 : -EPROTO;
}

struct dump_parse {
	struct kst_entry *e;
	size_t n, cap;
	uint64_t generation;
	bool have_generation;
	int err;
};

static int dump_entry(struct dump_parse *p, const struct nlattr *entry)
{
	const struct nlattr *a;
	struct kst_entry *e;
	bool digest = false;

	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 1024;
		void *more = realloc(p->e, cap * sizeof(*p->e));

		if (!more)
			return -ENOMEM;
		p->e = more;
		p->cap = cap;
	}
	e = &p->e[p->n];
	memset(e, 0, sizeof(*e));
	mnl_attr_for_each_nested(a, entry) {
		switch (mnl_attr_get_type(a)) {
		case KASBLOCK_ENTRY_A_DIGEST:
			if (mnl_attr_get_payload_len(a) != KASBLOCK_DIGEST_LEN)
				return -EPROTO;
			memcpy(e->digest, mnl_attr_get_payload(a), KASBLOCK_DIGEST_LEN);
			digest = true;
			break;
		case KASBLOCK_ENTRY_A_LABEL:
			snprintf(e->label, sizeof(e->label), "%.*s",
				 (int)mnl_attr_get_payload_len(a),
				 (const char *)mnl_attr_get_payload(a));
			break;
		}
	}
	if (!digest)
		return -EPROTO;
	p->n++;
	return 0;
}

static int dump_cb(const struct nlmsghdr *h, void *data)
{
	struct dump_parse *p = data;
	const struct nlattr *a, *entry;
	int ret;

	mnl_attr_for_each(a, h, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case KASBLOCK_A_GENERATION:
			/*
			 * Every part of one uninterrupted dump shows one generation. A part
			 * that shows another must be flagged as interrupted (then the dump
			 * starts again); unflagged, the kernel has mixed two lists.
			 */
			if (p->have_generation && p->generation != mnl_attr_get_u64(a))
				return h->nlmsg_flags & NLM_F_DUMP_INTR ? -EINTR : -ESTALE;
			p->generation = mnl_attr_get_u64(a);
			p->have_generation = true;
			break;
		case KASBLOCK_A_ENTRIES:
			mnl_attr_for_each_nested(entry, a) {
				if (mnl_attr_get_type(entry) != KASBLOCK_A_ENTRY)
					return -EPROTO;
				ret = dump_entry(p, entry);
				if (ret)
					return ret;
			}
			break;
		}
	}
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return memcmp(((const struct kst_entry *)a)->digest,
		      ((const struct kst_entry *)b)->digest, KASBLOCK_DIGEST_LEN);
}

int kst_nl_dump(struct kst_nl *nl, struct kst_entry **entries, size_t *n,
		uint64_t *generation)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_parse p;
	struct nlmsghdr *h;
	int tries, ret;

	for (tries = 0; tries < 20; tries++) {
		memset(&p, 0, sizeof(p));
		h = kst_nl_msg(nl, buf, KASBLOCK_CMD_GET_ENTRIES, NLM_F_DUMP);
		ret = talk(nl, h, dump_cb, &p);
		if (ret != -EINTR)
			break;
		free(p.e);
	}
	if (ret) {
		free(p.e);
		return ret;
	}
	if (!p.have_generation) {
		/* An empty list may come back as nothing but NLMSG_DONE. */
		struct kst_status st;

		ret = kst_nl_status(nl, &st);
		if (ret) {
			free(p.e);
			return ret;
		}
		p.generation = st.generation;
	}
	if (p.n)
		qsort(p.e, p.n, sizeof(*p.e), cmp_entry);
	*entries = p.e;
	*n = p.n;
	if (generation)
		*generation = p.generation;
	return 0;
}

struct measurements_parse {
	struct kst_measurement *m;
	size_t n, cap;
};

static int measurements_cb(const struct nlmsghdr *h, void *data)
{
	struct measurements_parse *p = data;
	const struct nlattr *a, *b;
	struct kst_measurement *m;
	bool rec, ext;

	mnl_attr_for_each(a, h, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != KASBLOCK_A_MEASUREMENT)
			return -EPROTO;
		if (p->n == p->cap) {
			size_t cap = p->cap ? 2 * p->cap : 64;
			void *more = realloc(p->m, cap * sizeof(*p->m));

			if (!more)
				return -ENOMEM;
			p->m = more;
			p->cap = cap;
		}
		m = &p->m[p->n];
		rec = ext = false;
		mnl_attr_for_each_nested(b, a) {
			switch (mnl_attr_get_type(b)) {
			case KASBLOCK_MEASUREMENT_A_RECORD:
				if (mnl_attr_get_payload_len(b) != sizeof(m->rec))
					return -EPROTO;
				memcpy(&m->rec, mnl_attr_get_payload(b), sizeof(m->rec));
				rec = true;
				break;
			case KASBLOCK_MEASUREMENT_A_EXTENDED:
				if (mnl_attr_get_payload_len(b) != 1)
					return -EPROTO;
				m->extended = mnl_attr_get_u8(b);
				ext = true;
				break;
			default:
				return -EPROTO;
			}
		}
		if (!rec || !ext)
			return -EPROTO;
		p->n++;
	}
	return 0;
}

int kst_nl_measurements(struct kst_nl *nl, struct kst_measurement **m, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct measurements_parse p = { 0 };
	struct nlmsghdr *h;
	int ret;

	h = kst_nl_msg(nl, buf, KASBLOCK_CMD_GET_MEASUREMENTS, NLM_F_DUMP);
	ret = talk(nl, h, measurements_cb, &p);
	if (ret) {
		free(p.m);
		return ret;
	}
	*m = p.m;
	*n = p.n;
	return 0;
}

int kst_nl_replace(struct kst_nl *nl, const struct kst_entry *e, size_t n)
{
	char why[sizeof(nl->extack)];
	size_t done = 0, batch, i;
	bool labels = false;
	int ret;

	for (i = 0; i < n; i++)
		labels |= !!e[i].label[0];
	batch = kst_nl_entries_fit(labels);
	if (batch > KASBLOCK_BATCH_MAX)
		batch = KASBLOCK_BATCH_MAX;

	ret = kst_nl_cmd(nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0);
	if (ret)
		return ret;
	while (done < n) {
		size_t k = n - done < batch ? n - done : batch;

		ret = kst_nl_cmd(nl, KASBLOCK_CMD_REPLACE_ADD, e + done, k);
		if (ret)
			goto abort;
		done += k;
	}
	ret = kst_nl_cmd(nl, KASBLOCK_CMD_REPLACE_COMMIT, NULL, 0);
	if (ret)
		goto abort;
	return 0;
abort:
	/* Keep the extack of the refusal, not of the abort. */
	memcpy(why, nl->extack, sizeof(why));
	kst_nl_cmd(nl, KASBLOCK_CMD_REPLACE_ABORT, NULL, 0);
	memcpy(nl->extack, why, sizeof(why));
	return ret;
}

int kst_snapshot(struct kst_nl *nl, struct kst_snapshot *snap)
{
	struct kst_entry *e;
	size_t n;
	int ret;

	ret = kst_nl_dump(nl, &e, &n, &snap->generation);
	if (ret)
		return ret;
	snap->nr = n;
	/* Labels are NUL-padded in kst_entry, so equal lists hash equal. */
	kst_sha256(e, n * sizeof(*e), snap->sum);
	free(e);
	return 0;
}

bool kst_snapshot_equal(const struct kst_snapshot *a, const struct kst_snapshot *b)
{
	return a->generation == b->generation && a->nr == b->nr &&
	       !memcmp(a->sum, b->sum, sizeof(a->sum));
}

void kst_fake_entry(struct kst_entry *e, uint32_t seed, const char *label)
{
	uint8_t in[8] = { 'k', 's', 't', '!' };

	memcpy(in + 4, &seed, sizeof(seed));
	memset(e, 0, sizeof(*e));
	kst_sha256(in, sizeof(in), e->digest);
	if (label)
		snprintf(e->label, sizeof(e->label), "%s", label);
}

struct file_digest_parse {
	uint8_t *digest;
	bool have;
};

static int file_digest_cb(const struct nlmsghdr *h, void *data)
{
	struct file_digest_parse *p = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, h, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == KASBLOCK_A_FILE_DIGEST &&
		    mnl_attr_get_payload_len(a) == KASBLOCK_DIGEST_LEN) {
			memcpy(p->digest, mnl_attr_get_payload(a), KASBLOCK_DIGEST_LEN);
			p->have = true;
		}
	}
	return 0;
}

int kst_nl_file_digest(struct kst_nl *nl, int fd, uint8_t digest[KASBLOCK_DIGEST_LEN])
{
	struct file_digest_parse p = { .digest = digest };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = kst_nl_msg(nl, buf, KASBLOCK_CMD_GET_FILE_DIGEST, NLM_F_ACK);
	int ret;

	if (fd >= 0)
		mnl_attr_put_u32(h, KASBLOCK_A_FD, (uint32_t)fd);
	ret = talk(nl, h, file_digest_cb, &p);
	if (!ret && !p.have)
		ret = -EBADMSG;
	return ret;
}
