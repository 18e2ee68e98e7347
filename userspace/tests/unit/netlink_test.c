// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink messages without a kernel: requests built by the tool parsed back
 * with libmnl (nesting, lengths, batch limits), and replies a module would
 * send parsed by the tool (ACKs with extack, status, dump parts).
 */

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "lib/netlink.h"
#include "test.h"

#define FAMILY 0x1d

static void make_entries(struct kb_entry *e, size_t n, const char *label_fmt)
{
	size_t i;

	memset(e, 0, n * sizeof(*e));
	for (i = 0; i < n; i++) {
		memcpy(e[i].digest, &i, sizeof(i));
		e[i].digest[31] = 0xa5;
		if (label_fmt)
			snprintf(e[i].label, sizeof(e[i].label), label_fmt, i);
	}
}

static const struct genlmsghdr *genl_of(const struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload(nlh);
}

/* Check one request's layout with plain libmnl, returning how many entries it holds. */
static size_t check_request(const struct nlmsghdr *nlh, uint8_t cmd, const struct kb_entry *e,
			    bool labels)
{
	const struct nlattr *attr, *entry, *a;
	size_t n = 0, top = 0;

	CHECK_INT(nlh->nlmsg_type, FAMILY);
	CHECK_INT(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	CHECK_INT(genl_of(nlh)->cmd, cmd);
	CHECK_INT(genl_of(nlh)->version, KASBLOCK_GENL_VERSION);
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		top++;
		CHECK_INT(attr->nla_type, KASBLOCK_A_ENTRIES | NLA_F_NESTED);
		/* The list runs to the end of the message: nothing lost to a 16-bit wrap. */
		CHECK_INT((const char *)attr + attr->nla_len - (const char *)nlh, nlh->nlmsg_len);
		mnl_attr_for_each_nested(entry, attr) {
			size_t digests = 0, nlabels = 0;

			CHECK_INT(entry->nla_type, KASBLOCK_A_ENTRY | NLA_F_NESTED);
			mnl_attr_for_each_nested(a, entry) {
				switch (mnl_attr_get_type(a)) {
				case KASBLOCK_ENTRY_A_DIGEST:
					digests++;
					CHECK_INT(mnl_attr_get_payload_len(a), KASBLOCK_DIGEST_LEN);
					CHECK(!memcmp(mnl_attr_get_payload(a), e[n].digest,
						      KASBLOCK_DIGEST_LEN));
					break;
				case KASBLOCK_ENTRY_A_LABEL:
					nlabels++;
					CHECK(mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0);
					CHECK_INT(mnl_attr_get_payload_len(a), strlen(e[n].label) + 1);
					CHECK(mnl_attr_get_payload_len(a) <= KASBLOCK_LABEL_MAX);
					CHECK_STR(mnl_attr_get_str(a), e[n].label);
					break;
				default:
					CHECK(!"unexpected entry attribute");
				}
			}
			CHECK_INT(digests, 1);
			CHECK_INT(nlabels, labels && e[n].label[0] ? 1 : 0);
			n++;
		}
	}
	CHECK_INT(top, 1);
	return n;
}

static void add_request_layout(void)
{
	static char buf[KB_NL_MSG_MAX];
	struct kb_entry e[3];
	struct nlmsghdr *nlh;

	make_entries(e, 3, NULL);
	strcpy(e[0].label, "evil");
	memset(e[2].label, 'L', 63);
	nlh = kb_nl_put_header(buf, FAMILY, KASBLOCK_CMD_ADD, NLM_F_ACK, 77);
	CHECK_INT(nlh->nlmsg_seq, 77);
	CHECK_INT(kb_nl_put_entries(nlh, sizeof(buf), e, 3, true), 3);
	CHECK_INT(check_request(nlh, KASBLOCK_CMD_ADD, e, true), 3);
	CHECK(nlh->nlmsg_len <= KB_NL_MSG_MAX);
}

static void del_request_has_no_labels(void)
{
	static char buf[KB_NL_MSG_MAX];
	struct kb_entry e[4];
	struct nlmsghdr *nlh;

	make_entries(e, 4, "label %zu");
	nlh = kb_nl_put_header(buf, FAMILY, KASBLOCK_CMD_DEL, NLM_F_ACK, 1);
	CHECK_INT(kb_nl_put_entries(nlh, sizeof(buf), e, 4, false), 4);
	CHECK_INT(check_request(nlh, KASBLOCK_CMD_DEL, e, false), 4);
}

static void simple_request_layout(void)
{
	char buf[64];
	struct nlmsghdr *nlh = kb_nl_put_header(buf, FAMILY, KASBLOCK_CMD_FLUSH, NLM_F_ACK, 5);

	CHECK_INT(nlh->nlmsg_len, MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr));
	CHECK_INT(genl_of(nlh)->cmd, KASBLOCK_CMD_FLUSH);
}

/* Pack n entries the way kb_nl_send_entries() does and read every message back. */
static void pack_all(const struct kb_entry *e, size_t n, bool labels, size_t *msgs,
		     size_t *min_per_msg)
{
	static char buf[KB_NL_MSG_MAX];
	struct kb_list back = { 0 };
	struct nlmsghdr *nlh;
	size_t i = 0, k, j;
	uint64_t gen;
	bool have;

	*msgs = 0;
	*min_per_msg = SIZE_MAX;
	while (i < n) {
		nlh = kb_nl_put_header(buf, FAMILY, KASBLOCK_CMD_REPLACE_ADD, NLM_F_ACK, (uint32_t)*msgs);
		k = kb_nl_put_entries(nlh, sizeof(buf), e + i, n - i, labels);
		CHECK(k > 0);
		if (!k)
			return;
		CHECK(k <= KASBLOCK_BATCH_MAX);
		CHECK(nlh->nlmsg_len <= KB_NL_MSG_MAX);
		/* Full means full: one more entry would not have fitted. */
		if (i + k < n)
			CHECK(nlh->nlmsg_len + 4 + 4 + 32 + (labels ? 4 + 64 : 0) > KB_NL_MSG_MAX ||
			      k == KASBLOCK_BATCH_MAX);
		back.len = 0;
		CHECK_INT(kb_nl_parse_entries(nlh, &back, &gen, &have), 0);
		CHECK(!have);
		CHECK_INT(back.len, k);
		for (j = 0; j < back.len && j < k; j++) {
			if (memcmp(back.entries[j].digest, e[i + j].digest, KB_DIGEST_LEN) ||
			    strcmp(back.entries[j].label, labels ? e[i + j].label : "")) {
				CHECK(!"entry changed in transit");
				break;
			}
		}
		if (i + k < n && k < *min_per_msg)
			*min_per_msg = k;
		i += k;
		(*msgs)++;
	}
	CHECK_INT(i, n);
	kb_list_free(&back);
}

static void batch_million_entries(void)
{
	size_t n = 1000000, msgs, per;
	struct kb_entry *e = malloc(n * sizeof(*e));
	struct timespec t0, t1;

	CHECK(e);
	if (!e)
		return;
	make_entries(e, n, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pack_all(e, n, false, &msgs, &per);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Unlabelled entries fill every message to the kernel's per-message limit. */
	CHECK(per == KASBLOCK_BATCH_MAX);
	CHECK(msgs <= n / KASBLOCK_BATCH_MAX + 1);
	printf("  %zu entries: %zu messages, >= %zu entries each, %.3f s packed and parsed back\n",
	       n, msgs, per,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(e);
}

static void batch_longest_labels(void)
{
	size_t n = 20000, msgs, per, i;
	struct kb_entry *e = malloc(n * sizeof(*e));

	CHECK(e);
	if (!e)
		return;
	make_entries(e, n, NULL);
	for (i = 0; i < n; i++) {
		memset(e[i].label, 'a' + (int)(i % 26), 63);
		e[i].label[63] = '\0';
	}
	pack_all(e, n, true, &msgs, &per);
	/* 108 bytes an entry. */
	CHECK(per >= 600);
	free(e);
}

static void batch_mixed_labels(void)
{
	size_t n = 10000, msgs, per;
	struct kb_entry *e = malloc(n * sizeof(*e));

	CHECK(e);
	if (!e)
		return;
	make_entries(e, n, "%zu");
	pack_all(e, n, true, &msgs, &per);
	free(e);
}

/* However big the buffer, the list's 16-bit length never wraps. */
static void nest_length_capped(void)
{
	size_t big = 1 << 20, k, n = 5000;
	char *buf = malloc(big);
	struct kb_entry *e = malloc(n * sizeof(*e));
	struct nlmsghdr *nlh;

	CHECK(buf && e);
	if (!buf || !e)
		goto out;
	make_entries(e, n, NULL);
	nlh = kb_nl_put_header(buf, FAMILY, KASBLOCK_CMD_ADD, NLM_F_ACK, 1);
	k = kb_nl_put_entries(nlh, big, e, n, false);
	CHECK(k > 0 && k < n);
	CHECK(nlh->nlmsg_len - MNL_NLMSG_HDRLEN - sizeof(struct genlmsghdr) <= UINT16_MAX);
	CHECK_INT(check_request(nlh, KASBLOCK_CMD_ADD, e, false), k);
out:
	free(buf);
	free(e);
}

static void no_room_leaves_message_alone(void)
{
	static char buf[KB_NL_MSG_MAX];
	struct nlmsghdr *nlh;
	struct kb_entry e;
	uint32_t len;

	make_entries(&e, 1, NULL);
	nlh = kb_nl_put_header(buf, FAMILY, KASBLOCK_CMD_ADD, NLM_F_ACK, 1);
	len = nlh->nlmsg_len;
	CHECK_INT(kb_nl_put_entries(nlh, len + 4 + 4 + 4 + 31, &e, 1, false), 0);
	CHECK_INT(nlh->nlmsg_len, len);
	CHECK_INT(kb_nl_put_entries(nlh, len + 4 + 4 + 4 + 32, &e, 1, false), 1);
	CHECK_INT(kb_nl_put_entries(nlh, sizeof(buf), &e, 0, false), 0);
}

/* An extack offset into the request names the entry the kernel refused. */
static void entry_at_offset(void)
{
	static char buf[KB_NL_MSG_MAX];
	const struct nlattr *attr, *entry;
	struct kb_entry e[5];
	struct nlmsghdr *nlh;
	uint32_t list_off = 0;
	long i = 0;

	make_entries(e, 5, "x%zu");
	nlh = kb_nl_put_header(buf, FAMILY, KASBLOCK_CMD_DEL, NLM_F_ACK, 1);
	kb_nl_put_entries(nlh, sizeof(buf), e, 5, true);
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		list_off = (uint32_t)((const char *)attr - (const char *)nlh);
		mnl_attr_for_each_nested(entry, attr) {
			uint32_t off = (uint32_t)((const char *)entry - (const char *)nlh);

			CHECK_INT(kb_nl_entry_at(nlh, off), i);
			/* The digest inside the entry points at the entry too. */
			CHECK_INT(kb_nl_entry_at(nlh, off + 4), i);
			i++;
		}
	}
	CHECK_INT(i, 5);
	CHECK_INT(kb_nl_entry_at(nlh, list_off), -1);
	CHECK_INT(kb_nl_entry_at(nlh, 0), -1);
	CHECK_INT(kb_nl_entry_at(nlh, nlh->nlmsg_len), -1);
}

/* An error ACK as the kernel sends it: header, nlmsgerr, [request], TLVs. */
static struct nlmsghdr *put_error(char *buf, int error, uint16_t flags, size_t echoed)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *err;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = 9;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(*err));
	err->error = error;
	err->msg.nlmsg_len = (uint32_t)(sizeof(struct nlmsghdr) + echoed);
	err->msg.nlmsg_type = FAMILY;
	if (echoed)
		memset(mnl_nlmsg_put_extra_header(nlh, echoed), 0xee, echoed);
	return nlh;
}

static void ack_capped_with_extack(void)
{
	char buf[512], msg[256];
	struct nlmsghdr *nlh = put_error(buf, -ENOSPC, NLM_F_CAPPED | NLM_F_ACK_TLVS, 0);
	uint32_t off = 0;

	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "list full (max_entries 5)");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 40);
	CHECK_INT(kb_nl_parse_ack(nlh, msg, sizeof(msg), &off), -ENOSPC);
	CHECK_STR(msg, "list full (max_entries 5)");
	CHECK_INT(off, 40);
}

static void ack_uncapped_skips_request(void)
{
	char buf[1024], msg[256];
	struct nlmsghdr *nlh = put_error(buf, -EINVAL, NLM_F_ACK_TLVS, 100);
	uint32_t off = 0;

	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "digest must be 32 bytes");
	CHECK_INT(kb_nl_parse_ack(nlh, msg, sizeof(msg), &off), -EINVAL);
	CHECK_STR(msg, "digest must be 32 bytes");
	CHECK_INT(off, UINT32_MAX);
}

static void ack_success_and_plain_error(void)
{
	char buf[512], msg[16] = "stale";
	struct nlmsghdr *nlh = put_error(buf, 0, NLM_F_CAPPED, 0);

	CHECK_INT(kb_nl_parse_ack(nlh, msg, sizeof(msg), NULL), 0);
	CHECK_STR(msg, "");
	nlh = put_error(buf, -EPERM, NLM_F_CAPPED, 0);
	CHECK_INT(kb_nl_parse_ack(nlh, msg, sizeof(msg), NULL), -EPERM);
	CHECK_STR(msg, "");
}

static void ack_long_message_truncated(void)
{
	char buf[1024], msg[8], text[300];
	struct nlmsghdr *nlh = put_error(buf, -EBUSY, NLM_F_CAPPED | NLM_F_ACK_TLVS, 0);

	memset(text, 'm', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
	CHECK_INT(kb_nl_parse_ack(nlh, msg, sizeof(msg), NULL), -EBUSY);
	CHECK_STR(msg, "mmmmmmm");
}

static void ack_short_message_is_bad(void)
{
	char buf[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = NLMSG_ERROR;
	mnl_nlmsg_put_extra_header(nlh, 4);
	CHECK_INT(kb_nl_parse_ack(nlh, NULL, 0, NULL), -EBADMSG);
}

static void dump_done_with_error(void)
{
	char buf[256], msg[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int *err;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	err = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*err = -EINTR;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump failed");
	CHECK_INT(kb_nl_parse_ack(nlh, msg, sizeof(msg), NULL), -EINTR);
	CHECK_STR(msg, "dump failed");

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = 0;
	CHECK_INT(kb_nl_parse_ack(nlh, msg, sizeof(msg), NULL), 0);
}

static struct nlmsghdr *put_reply(char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = kb_nl_put_header(buf, FAMILY, cmd, 0, 3);

	nlh->nlmsg_flags = 0;
	return nlh;
}

static void status_reply_parsed(void)
{
	static char buf[4096];
	struct nlmsghdr *nlh = put_reply(buf, KASBLOCK_CMD_GET_STATUS);
	struct kb_status st;
	struct nlattr *nest;

	mnl_attr_put_u32(nlh, KASBLOCK_A_MODE, KASBLOCK_MODE_MONITOR);
	mnl_attr_put(nlh, KASBLOCK_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, KASBLOCK_A_GENERATION, 0x100000002ULL);
	mnl_attr_put_u32(nlh, KASBLOCK_A_NR_ENTRIES, 12);
	mnl_attr_put_u32(nlh, KASBLOCK_A_MAX_ENTRIES, 1048576);
	mnl_attr_put_u64(nlh, KASBLOCK_A_MAX_HASH_SIZE, 536870912);
	mnl_attr_put_u32(nlh, KASBLOCK_A_FAIL_POLICY, KASBLOCK_FAIL_CLOSED);
	mnl_attr_put_strz(nlh, KASBLOCK_A_HASH_DRIVER, "sha256-avx2");
	mnl_attr_put_u32(nlh, KASBLOCK_A_CACHE_ENTRIES, 17);
	mnl_attr_put_u32(nlh, KASBLOCK_A_CACHE_SIZE, 4096);
	mnl_attr_put_u8(nlh, KASBLOCK_A_LOCKED, 1);
	mnl_attr_put(nlh, KASBLOCK_A_POLICY_DIGEST, KASBLOCK_DIGEST_LEN, "0123456789abcdef0123456789abcdef");
	mnl_attr_put_u32(nlh, 200, 1);	/* from a newer module: ignored */
	nest = mnl_attr_nest_start(nlh, KASBLOCK_A_COUNTERS);
	mnl_attr_put_u64(nlh, KASBLOCK_COUNTER_A_CHECKS, 1000);
	mnl_attr_put_u64(nlh, KASBLOCK_COUNTER_A_DENIALS, 3);
	mnl_attr_put_u64(nlh, KASBLOCK_COUNTER_A_BYTES_HASHED, 1ULL << 40);
	mnl_attr_put_u64(nlh, KASBLOCK_COUNTER_A_ERRORS, 2);
	mnl_attr_put_u64(nlh, KASBLOCK_COUNTER_A_EVENTS_DROPPED, 9);
	mnl_attr_put_u64(nlh, 60, 7);
	mnl_attr_nest_end(nlh, nest);

	memset(&st, 0, sizeof(st));
	CHECK_INT(kb_nl_parse_status(nlh, &st), 0);
	CHECK_INT(st.mode, KASBLOCK_MODE_MONITOR);
	CHECK_INT(st.generation, 0x100000002ULL);
	CHECK_INT(st.nr_entries, 12);
	CHECK_INT(st.max_entries, 1048576);
	CHECK_INT(st.max_hash_size, 536870912);
	CHECK_INT(st.fail_policy, KASBLOCK_FAIL_CLOSED);
	CHECK_STR(st.hash_driver, "sha256-avx2");
	CHECK_INT(st.cache_entries, 17);
	CHECK_INT(st.cache_size, 4096);
	CHECK_INT(st.locked, 1);
	CHECK(!memcmp(st.policy_digest, "0123456789abcdef0123456789abcdef", KASBLOCK_DIGEST_LEN));
	CHECK_INT(st.counters[KASBLOCK_COUNTER_A_EVENTS_DROPPED], 9);
	CHECK_INT(st.counters[KASBLOCK_COUNTER_A_CHECKS], 1000);
	CHECK_INT(st.counters[KASBLOCK_COUNTER_A_DENIALS], 3);
	CHECK_INT(st.counters[KASBLOCK_COUNTER_A_BYTES_HASHED], 1ULL << 40);
	CHECK_INT(st.counters[KASBLOCK_COUNTER_A_ERRORS], 2);
	CHECK(st.have & (1ULL << KASBLOCK_A_MODE));
	CHECK(st.have & (1ULL << KASBLOCK_A_COUNTERS));
	CHECK(!(st.have & (1ULL << KASBLOCK_A_PAD)));
	CHECK_INT(st.have_counters, (1 << KASBLOCK_COUNTER_A_CHECKS) | (1 << KASBLOCK_COUNTER_A_DENIALS) |
				    (1 << KASBLOCK_COUNTER_A_BYTES_HASHED) |
				    (1 << KASBLOCK_COUNTER_A_ERRORS) |
				    (1 << KASBLOCK_COUNTER_A_EVENTS_DROPPED));
}

static void status_reply_partial(void)
{
	char buf[256];
	struct nlmsghdr *nlh = put_reply(buf, KASBLOCK_CMD_GET_STATUS);
	struct kb_status st;

	mnl_attr_put_u32(nlh, KASBLOCK_A_MODE, KASBLOCK_MODE_ENFORCE);
	memset(&st, 0, sizeof(st));
	CHECK_INT(kb_nl_parse_status(nlh, &st), 0);
	CHECK_INT(st.have, 1ULL << KASBLOCK_A_MODE);
	CHECK_INT(st.have_counters, 0);
}

static void status_reply_bad_length(void)
{
	char buf[256];
	struct nlmsghdr *nlh = put_reply(buf, KASBLOCK_CMD_GET_STATUS);
	struct kb_status st;

	mnl_attr_put_u16(nlh, KASBLOCK_A_MODE, 1);
	memset(&st, 0, sizeof(st));
	CHECK_INT(kb_nl_parse_status(nlh, &st), -EBADMSG);

	nlh = put_reply(buf, KASBLOCK_CMD_GET_STATUS);
	mnl_attr_put_u32(nlh, KASBLOCK_A_GENERATION, 1);
	CHECK_INT(kb_nl_parse_status(nlh, &st), -EBADMSG);

	nlh = put_reply(buf, KASBLOCK_CMD_GET_STATUS);
	mnl_attr_put(nlh, KASBLOCK_A_POLICY_DIGEST, 31, "0123456789abcdef0123456789abcde");
	CHECK_INT(kb_nl_parse_status(nlh, &st), -EBADMSG);
}

static void dump_part_parsed(void)
{
	static char buf[4096];
	struct nlmsghdr *nlh = put_reply(buf, KASBLOCK_CMD_GET_ENTRIES);
	struct nlattr *list, *entry;
	struct kb_list out = { 0 };
	uint8_t d1[32], d2[32];
	uint64_t gen = 0;
	bool have = false;

	memset(d1, 0x11, 32);
	memset(d2, 0x22, 32);
	mnl_attr_put_u64(nlh, KASBLOCK_A_GENERATION, 42);
	list = mnl_attr_nest_start(nlh, KASBLOCK_A_ENTRIES);
	entry = mnl_attr_nest_start(nlh, KASBLOCK_A_ENTRY);
	mnl_attr_put(nlh, KASBLOCK_ENTRY_A_DIGEST, 32, d1);
	mnl_attr_put_strz(nlh, KASBLOCK_ENTRY_A_LABEL, "kesl");
	mnl_attr_nest_end(nlh, entry);
	entry = mnl_attr_nest_start(nlh, KASBLOCK_A_ENTRY);
	mnl_attr_put(nlh, KASBLOCK_ENTRY_A_DIGEST, 32, d2);
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, list);

	CHECK_INT(kb_nl_parse_entries(nlh, &out, &gen, &have), 0);
	CHECK(have);
	CHECK_INT(gen, 42);
	CHECK_INT(out.len, 2);
	if (out.len == 2) {
		CHECK(!memcmp(out.entries[0].digest, d1, 32));
		CHECK_STR(out.entries[0].label, "kesl");
		CHECK(!memcmp(out.entries[1].digest, d2, 32));
		CHECK_STR(out.entries[1].label, "");
	}
	kb_list_free(&out);
}

static void dump_part_malformed(void)
{
	static char buf[4096];
	struct nlmsghdr *nlh;
	struct nlattr *list, *entry;
	struct kb_list out = { 0 };
	uint8_t d[32] = { 0 };
	char label[100];
	uint64_t gen;
	bool have;

	/* An entry without a digest. */
	nlh = put_reply(buf, KASBLOCK_CMD_GET_ENTRIES);
	list = mnl_attr_nest_start(nlh, KASBLOCK_A_ENTRIES);
	entry = mnl_attr_nest_start(nlh, KASBLOCK_A_ENTRY);
	mnl_attr_put_strz(nlh, KASBLOCK_ENTRY_A_LABEL, "orphan");
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, list);
	CHECK_INT(kb_nl_parse_entries(nlh, &out, &gen, &have), -EBADMSG);

	/* A short digest. */
	nlh = put_reply(buf, KASBLOCK_CMD_GET_ENTRIES);
	list = mnl_attr_nest_start(nlh, KASBLOCK_A_ENTRIES);
	entry = mnl_attr_nest_start(nlh, KASBLOCK_A_ENTRY);
	mnl_attr_put(nlh, KASBLOCK_ENTRY_A_DIGEST, 31, d);
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, list);
	CHECK_INT(kb_nl_parse_entries(nlh, &out, &gen, &have), -EBADMSG);

	/* An overlong label without NUL is cut, not overrun. */
	nlh = put_reply(buf, KASBLOCK_CMD_GET_ENTRIES);
	list = mnl_attr_nest_start(nlh, KASBLOCK_A_ENTRIES);
	entry = mnl_attr_nest_start(nlh, KASBLOCK_A_ENTRY);
	mnl_attr_put(nlh, KASBLOCK_ENTRY_A_DIGEST, 32, d);
	memset(label, 'z', sizeof(label));
	mnl_attr_put(nlh, KASBLOCK_ENTRY_A_LABEL, sizeof(label), label);
	mnl_attr_nest_end(nlh, entry);
	mnl_attr_nest_end(nlh, list);
	out.len = 0;
	CHECK_INT(kb_nl_parse_entries(nlh, &out, &gen, &have), 0);
	CHECK_INT(out.len, 1);
	if (out.len == 1)
		CHECK_INT(strlen(out.entries[0].label), KASBLOCK_LABEL_MAX - 1);
	kb_list_free(&out);
}

static void mode_names(void)
{
	CHECK_STR(kb_mode_name(KASBLOCK_MODE_ENFORCE), "enforce");
	CHECK_STR(kb_mode_name(KASBLOCK_MODE_MONITOR), "monitor");
	CHECK(!kb_mode_name(KASBLOCK_MODE_UNSPEC));
	CHECK(!kb_mode_name(99));
	CHECK_INT(kb_mode_parse("enforce"), KASBLOCK_MODE_ENFORCE);
	CHECK_INT(kb_mode_parse("monitor"), KASBLOCK_MODE_MONITOR);
	CHECK_INT(kb_mode_parse("Enforce"), -EINVAL);
	CHECK_INT(kb_mode_parse(""), -EINVAL);
	CHECK_STR(kb_fail_policy_name(KASBLOCK_FAIL_OPEN), "open");
	CHECK_STR(kb_fail_policy_name(KASBLOCK_FAIL_CLOSED), "closed");
	CHECK(!kb_fail_policy_name(7));
}

/* The rest talk to this kernel, which has no kasblock family but has nlctrl. */

static void open_without_module_is_enoent(void)
{
	struct kb_nl *nl = NULL;

	if (!access("/sys/module/kasblock", F_OK)) {
		SKIP("kasblock is loaded here");
	}
	CHECK_INT(kb_nl_open(&nl), -ENOENT);
	CHECK(!nl);
}

static void resolve_real_family(void)
{
	struct kb_nl *nl = NULL;

	CHECK_INT(kb_nl_open_family(&nl, "nlctrl"), 0);
	if (!nl)
		return;
	CHECK_INT(nl->family, GENL_ID_CTRL);
	kb_nl_close(nl);
}

/* nlctrl has no operation for these command numbers: every request is refused. */
static void kernel_error_ack_read(void)
{
	struct kb_nl *nl = NULL;

	CHECK_INT(kb_nl_open_family(&nl, "nlctrl"), 0);
	if (!nl)
		return;
	CHECK_INT(kb_nl_simple(nl, CTRL_CMD_NEWFAMILY), -EOPNOTSUPP);
	/* The socket stays usable after an error. */
	CHECK_INT(kb_nl_simple(nl, CTRL_CMD_NEWFAMILY), -EOPNOTSUPP);
	kb_nl_close(nl);
}

/* A refused batch: every ACK read, none left behind, first error returned, nothing counted done. */
static void kernel_batch_errors_drained(void)
{
	static const size_t sizes[] = { 1, 5000, 100000 };
	struct kb_entry *e = malloc(100000 * sizeof(*e));
	struct kb_list list = { 0 };
	struct kb_nl *nl = NULL;
	size_t i;

	CHECK(e);
	if (!e)
		return;
	make_entries(e, 100000, "l%zu");
	CHECK_INT(kb_nl_open_family(&nl, "nlctrl"), 0);
	if (!nl)
		goto out;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CHECK_INT(kb_nl_send_entries(nl, CTRL_CMD_NEWFAMILY, e, sizes[i]), -EOPNOTSUPP);
		CHECK_INT(nl->done, 0);
		CHECK_INT(nl->bad_entry, -1);
		/* Nothing left unread on the socket. */
		CHECK_INT(recv(mnl_socket_get_fd(nl->sock), nl->rx, 64, MSG_DONTWAIT), -1);
		CHECK_INT(errno, EAGAIN);
	}
	CHECK_INT(kb_nl_send_entries(nl, CTRL_CMD_NEWFAMILY, e, 0), 0);
	CHECK_INT(kb_nl_get_entries(nl, &list, NULL), -EOPNOTSUPP);
	kb_nl_close(nl);
out:
	kb_list_free(&list);
	free(e);
}

struct families {
	size_t msgs;
	bool saw_nlctrl;
};

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct families *f = data;
	const struct nlattr *attr;

	f->msgs++;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_NAME &&
		    !strcmp(mnl_attr_get_str(attr), "nlctrl"))
			f->saw_nlctrl = true;
	}
	return 0;
}

static int refuse_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(size_t *)data)++;
	return -EBADMSG;
}

/* A real multi-part dump (nlctrl's family list) is read to NLMSG_DONE, twice on one socket. */
static void kernel_dump_read_to_done(void)
{
	struct families f = { 0 };
	struct kb_nl *nl = NULL;
	bool intr = true;
	size_t calls = 0;

	CHECK_INT(kb_nl_open_family(&nl, "nlctrl"), 0);
	if (!nl)
		return;
	CHECK_INT(kb_nl_dump(nl, CTRL_CMD_GETFAMILY, family_cb, &f, &intr), 0);
	CHECK(f.msgs >= 2);
	CHECK(f.saw_nlctrl);
	CHECK(!intr);
	/* A callback error is returned, after the dump is drained. */
	CHECK_INT(kb_nl_dump(nl, CTRL_CMD_GETFAMILY, refuse_cb, &calls, NULL), -EBADMSG);
	CHECK_INT(calls, 1);
	CHECK_INT(recv(mnl_socket_get_fd(nl->sock), nl->rx, 64, MSG_DONTWAIT), -1);
	CHECK_INT(errno, EAGAIN);
	f.msgs = 0;
	CHECK_INT(kb_nl_dump(nl, CTRL_CMD_GETFAMILY, family_cb, &f, NULL), 0);
	CHECK(f.msgs >= 2);
	kb_nl_close(nl);
}

int main(void)
{
	RUN(add_request_layout);
	RUN(del_request_has_no_labels);
	RUN(simple_request_layout);
	RUN(batch_million_entries);
	RUN(batch_longest_labels);
	RUN(batch_mixed_labels);
	RUN(nest_length_capped);
	RUN(no_room_leaves_message_alone);
	RUN(entry_at_offset);
	RUN(ack_capped_with_extack);
	RUN(ack_uncapped_skips_request);
	RUN(ack_success_and_plain_error);
	RUN(ack_long_message_truncated);
	RUN(ack_short_message_is_bad);
	RUN(dump_done_with_error);
	RUN(status_reply_parsed);
	RUN(status_reply_partial);
	RUN(status_reply_bad_length);
	RUN(dump_part_parsed);
	RUN(dump_part_malformed);
	RUN(mode_names);
	RUN(open_without_module_is_enoent);
	RUN(resolve_real_family);
	RUN(kernel_error_ack_read);
	RUN(kernel_batch_errors_drained);
	RUN(kernel_dump_read_to_done);
	return kbt_done();
}
