// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: netlink fuzzing. Tens of thousands of random and
 * mutated datagrams to the family, as root and as nobody: random bytes after
 * a valid nlmsghdr, every command's valid request mutated (bit flips,
 * truncation, lying lengths, attribute types out of range, nested garbage,
 * NLA_F_NESTED flips, duplicated and zero-length attributes, huge entry
 * counts), unknown commands, truncated headers, wrong versions, NLM_F_DUMP on
 * commands without a dump, several messages in one datagram.
 *
 * Every whole message gets an answer (an error or an ack); a message the
 * kernel refused leaves the list, the mode and the generation as they were;
 * nobody is refused everything. KASBLOCK_CMD_LOCK is never sent: it would
 * lock the module until reboot.
 *
 * Reproducible: the datagram i of a run depends only on the seed and i. The
 * seed is printed; KST_FUZZ_SEED=<seed> repeats a run, KST_FUZZ_ITERS=<n>
 * changes its length (root and nobody each send n datagrams).
 */

#define _GNU_SOURCE
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "common.h"

#define FUZZ_ITERS 20000
/* Under TCG on a busy host: stop early rather than be killed by the harness. */
#define FUZZ_ROOT_MS 60000
#define FUZZ_NOBODY_MS 20000

#define DGRAM_MAX (96 * 1024)
#define MSG_MAX (80 * 1024)
#define MAX_MSGS 256		/* whole messages in one datagram */
#define RECV_MAX (256 * 1024)

/* Digests the valid requests draw from: a few listed from the start, so DEL can hit. */
#define POOL 48
#define BASE 8
/* Past this many entries (a rare accepted huge batch), the list is put back. */
#define LIST_CAP 256

#define DUMP_EVERY 16		/* datagrams between full dumps */
#define LOG_EVERY 256		/* datagrams between kernel log scans */

/* splitmix64: small, fast, and each datagram's stream depends on (seed, i) alone. */
struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnd(r) % n) : 0;
}

static bool one_in(struct rng *r, uint32_t n)
{
	return below(r, n) == 0;
}

static void rnd_bytes(struct rng *r, uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd(r);
}

/* What a datagram is made of, for the statistics and for nobody's rules. */
enum kind {
	K_VERBATIM,	/* a valid request of one command, unchanged */
	K_MUTATED,	/* a valid request, mutated one to four times */
	K_RANDOM,	/* random bytes after a valid nlmsghdr */
	K_UNKNOWN_CMD,	/* a command the family does not have */
	K_SHORT_NLMSG,	/* no whole nlmsghdr: the kernel drops it silently */
	K_SHORT_GENL,	/* a whole nlmsghdr, not a whole genlmsghdr */
	K_VERSION,	/* a valid request with another genl version */
	K_DUMP_FLAG,	/* NLM_F_DUMP where there is no dump, or none where there is */
	K_HUGE,		/* entry counts around and far beyond KASBLOCK_BATCH_MAX */
	K_MULTI,	/* several of the above in one datagram */
	NR_KINDS
};

static const char *const kind_names[NR_KINDS] = {
	"verbatim", "mutated", "random", "unknown-cmd", "short-nlmsg",
	"short-genl", "version", "dump-flag", "huge", "multi",
};

/* Out of 100. */
static const uint8_t kind_weights[NR_KINDS] = {
	[K_VERBATIM] = 4, [K_MUTATED] = 50, [K_RANDOM] = 10,
	[K_UNKNOWN_CMD] = 6, [K_SHORT_NLMSG] = 4, [K_SHORT_GENL] = 3,
	[K_VERSION] = 4, [K_DUMP_FLAG] = 4, [K_HUGE] = 3, [K_MULTI] = 12,
};

/* Commands that change the active list or the mode when they succeed. */
static bool changes_policy(uint8_t cmd)
{
	return cmd == KASBLOCK_CMD_ADD || cmd == KASBLOCK_CMD_DEL ||
	       cmd == KASBLOCK_CMD_REPLACE_COMMIT || cmd == KASBLOCK_CMD_FLUSH ||
	       cmd == KASBLOCK_CMD_SET_MODE;
}

/* Any command of the family but LOCK (never sent) and EVENT (kernel to user). */
static uint8_t any_cmd(struct rng *r)
{
	uint8_t cmd;

	do {
		cmd = 1 + below(r, KASBLOCK_CMD_MAX);
	} while (cmd == KASBLOCK_CMD_LOCK || cmd == KASBLOCK_CMD_EVENT);
	return cmd;
}

struct fuzz {
	uint16_t family;
	uint64_t seed;
	uint32_t seq;
	struct kst_entry pool[POOL];
	uint8_t *dgram, *msg;
	uint8_t *recv;
	int file_fd;		/* for GET_FILE_DIGEST: this program, open for reading */
};

/* One whole message of a datagram, as the kernel will frame it. */
struct expect {
	uint32_t seq;
	int16_t cmd;		/* -1: no whole genlmsghdr */
	bool answered;
	int err;		/* the answer: 0 or -errno */
};

struct outcome {
	enum kind kind;
	size_t len;		/* of the datagram */
	int nmsg;
	struct expect ex[MAX_MSGS];
	int accepted, rejected;
	bool changed;		/* an accepted command that changes the policy */
};

/* --- Building requests ------------------------------------------------------ */

static struct nlmsghdr *put_header(struct fuzz *f, uint8_t *b, uint8_t cmd,
				   uint16_t flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(b);
	struct genlmsghdr *g;

	h->nlmsg_type = f->family;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = ++f->seq;
	g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->cmd = cmd;
	g->version = KASBLOCK_GENL_VERSION;
	return h;
}

static void put_label(struct rng *r, struct nlmsghdr *h)
{
	char label[KASBLOCK_LABEL_MAX];

	switch (below(r, 4)) {
	case 0:
		return;
	case 1:
		mnl_attr_put_strz(h, KASBLOCK_ENTRY_A_LABEL, "");
		return;
	case 2:
		snprintf(label, sizeof(label), "kst-fuzz-%u", below(r, 1000));
		break;
	default:
		memset(label, 'a' + below(r, 26), KASBLOCK_LABEL_MAX - 1);
		label[KASBLOCK_LABEL_MAX - 1] = '\0';
		break;
	}
	mnl_attr_put_strz(h, KASBLOCK_ENTRY_A_LABEL, label);
}

/* An entry list of n entries from the pool (duplicates and all). */
static void put_pool_entries(struct rng *r, struct fuzz *f, struct nlmsghdr *h,
			     unsigned int n, bool labels)
{
	struct nlattr *list = mnl_attr_nest_start(h, KASBLOCK_A_ENTRIES);
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct nlattr *e = mnl_attr_nest_start(h, KASBLOCK_A_ENTRY);

		mnl_attr_put(h, KASBLOCK_ENTRY_A_DIGEST, KASBLOCK_DIGEST_LEN,
			     f->pool[below(r, POOL)].digest);
		if (labels)
			put_label(r, h);
		mnl_attr_nest_end(h, e);
	}
	mnl_attr_nest_end(h, list);
}

/* Commands put_valid() knows how to ask for properly. */
static bool known_cmd(int cmd)
{
	switch (cmd) {
	case KASBLOCK_CMD_ADD: case KASBLOCK_CMD_DEL: case KASBLOCK_CMD_REPLACE_BEGIN:
	case KASBLOCK_CMD_REPLACE_ADD: case KASBLOCK_CMD_REPLACE_COMMIT:
	case KASBLOCK_CMD_REPLACE_ABORT: case KASBLOCK_CMD_FLUSH:
	case KASBLOCK_CMD_GET_ENTRIES: case KASBLOCK_CMD_GET_STATUS:
	case KASBLOCK_CMD_SET_MODE: case KASBLOCK_CMD_GET_FILE_DIGEST:
	case KASBLOCK_CMD_GET_MEASUREMENTS:
		return true;
	}
	return false;
}

/*
 * A valid request of cmd. Commands this file does not know (added to the
 * uapi later) get a few well-formed top-level attributes of any type.
 */
static size_t put_valid(struct rng *r, struct fuzz *f, uint8_t *b, uint8_t cmd)
{
	struct nlmsghdr *h;
	unsigned int i, n;

	switch (cmd) {
	case KASBLOCK_CMD_ADD:
	case KASBLOCK_CMD_DEL:
	case KASBLOCK_CMD_REPLACE_ADD:
		h = put_header(f, b, cmd, 0);
		put_pool_entries(r, f, h, 1 + below(r, 4), true);
		break;
	case KASBLOCK_CMD_GET_ENTRIES:
	case KASBLOCK_CMD_GET_MEASUREMENTS:
		h = put_header(f, b, cmd, NLM_F_DUMP);
		break;
	case KASBLOCK_CMD_SET_MODE:
		h = put_header(f, b, cmd, 0);
		mnl_attr_put_u32(h, KASBLOCK_A_MODE, one_in(r, 8) ?
				 KASBLOCK_MODE_MONITOR : KASBLOCK_MODE_ENFORCE);
		break;
	case KASBLOCK_CMD_GET_FILE_DIGEST:
		/* A readable regular file of this process, or any descriptor. */
		h = put_header(f, b, cmd, 0);
		mnl_attr_put_u32(h, KASBLOCK_A_FD, one_in(r, 2) ? f->file_fd : below(r, 16));
		break;
	case KASBLOCK_CMD_REPLACE_BEGIN:
	case KASBLOCK_CMD_REPLACE_COMMIT:
	case KASBLOCK_CMD_REPLACE_ABORT:
	case KASBLOCK_CMD_FLUSH:
	case KASBLOCK_CMD_GET_STATUS:
		h = put_header(f, b, cmd, 0);
		break;
	default:
		h = put_header(f, b, cmd, 0);
		n = below(r, 3);
		for (i = 0; i < n; i++)
			mnl_attr_put_u32(h, 1 + below(r, KASBLOCK_A_MAX), below(r, 64));
		break;
	}
	return h->nlmsg_len;
}

/* Offsets of the attribute headers in m[start, end), nests included. */
static int find_attrs(const uint8_t *m, size_t start, size_t end, int depth,
		      uint32_t *offs, int n, int max)
{
	size_t off = start;

	while (off + sizeof(struct nlattr) <= end && n < max) {
		struct nlattr a;

		memcpy(&a, m + off, sizeof(a));
		if (a.nla_len < sizeof(a) || off + a.nla_len > end)
			break;
		offs[n++] = off;
		if ((a.nla_type & NLA_F_NESTED) && depth < 4)
			n = find_attrs(m, off + sizeof(a), off + a.nla_len, depth + 1,
				       offs, n, max);
		off += NLA_ALIGN(a.nla_len);
	}
	return n;
}

/* One mutation of the message m of *len bytes (at most room). */
static void mutate(struct rng *r, uint8_t *m, size_t *len, size_t room)
{
	struct nlmsghdr *h = (struct nlmsghdr *)m;
	struct genlmsghdr *g = (struct genlmsghdr *)(m + NLMSG_HDRLEN);
	uint32_t offs[512];
	struct nlattr a;
	size_t at, n;
	int nattr;

	nattr = find_attrs(m, NLMSG_HDRLEN + GENL_HDRLEN, *len, 0, offs, 0, 512);
	at = nattr ? offs[below(r, nattr)] : 0;
	if (at)
		memcpy(&a, m + at, sizeof(a));
	/* Cut inside its genlmsghdr: what is left to do is lie about the length. */
	if (*len < NLMSG_HDRLEN + GENL_HDRLEN) {
		h->nlmsg_len = NLMSG_HDRLEN + below(r, 2 * GENL_HDRLEN);
		return;
	}

	switch (below(r, 16)) {
	case 0:		/* a bit flip past the nlmsghdr */
		if (*len > NLMSG_HDRLEN) {
			n = NLMSG_HDRLEN + below(r, *len - NLMSG_HDRLEN);
			m[n] ^= 1u << below(r, 8);
		}
		break;
	case 1:		/* a random byte past the nlmsghdr */
		if (*len > NLMSG_HDRLEN)
			m[NLMSG_HDRLEN + below(r, *len - NLMSG_HDRLEN)] = rnd(r);
		break;
	case 2:		/* truncated, and says so */
		if (*len > NLMSG_HDRLEN) {
			*len = NLMSG_HDRLEN + below(r, *len - NLMSG_HDRLEN);
			h->nlmsg_len = *len;
		}
		break;
	case 3:		/* nlmsg_len lies */
		switch (below(r, 4)) {
		case 0:
			h->nlmsg_len = below(r, NLMSG_HDRLEN);
			break;
		case 1:
			h->nlmsg_len = *len + 1 + below(r, 64);
			break;
		case 2:
			h->nlmsg_len = UINT32_MAX - below(r, 4);
			break;
		default:
			h->nlmsg_len = NLMSG_HDRLEN + below(r, *len);
			break;
		}
		break;
	case 4:		/* nla_len lies */
		if (!at)
			break;
		switch (below(r, 4)) {
		case 0:
			a.nla_len = below(r, 5);
			break;
		case 1:
			a.nla_len = 0xffff - below(r, 4);
			break;
		case 2:
			a.nla_len = *len - at + 1 + below(r, 32);
			break;
		default:
			a.nla_len = rnd(r);
			break;
		}
		memcpy(m + at, &a, sizeof(a));
		break;
	case 5:		/* a type out of range, or 0 */
		if (!at)
			break;
		a.nla_type = (a.nla_type & ~NLA_TYPE_MASK) |
			     (one_in(r, 4) ? 0 : one_in(r, 2) ?
			      KASBLOCK_A_MAX + 1 + below(r, 64) : below(r, NLA_TYPE_MASK + 1));
		memcpy(m + at, &a, sizeof(a));
		break;
	case 6:		/* NLA_F_NESTED or NLA_F_NET_BYTEORDER flipped */
		if (!at)
			break;
		a.nla_type ^= one_in(r, 3) ? NLA_F_NET_BYTEORDER : NLA_F_NESTED;
		memcpy(m + at, &a, sizeof(a));
		break;
	case 7:		/* a garbage attribute at the end */
		n = below(r, 65);
		if (*len + NLA_HDRLEN + NLA_ALIGN(n) > room)
			break;
		a.nla_len = NLA_HDRLEN + n;
		a.nla_type = below(r, KASBLOCK_A_MAX + 4) | (one_in(r, 3) ? NLA_F_NESTED : 0);
		memcpy(m + *len, &a, sizeof(a));
		rnd_bytes(r, m + *len + NLA_HDRLEN, NLA_ALIGN(n));
		*len += NLA_HDRLEN + NLA_ALIGN(n);
		h->nlmsg_len = *len;
		break;
	case 8:		/* a nest of garbage: headers of random lengths and types */
		n = 4 * (1 + below(r, 24));
		if (*len + NLA_HDRLEN + n > room)
			break;
		a.nla_len = NLA_HDRLEN + n;
		a.nla_type = NLA_F_NESTED | (one_in(r, 2) ? KASBLOCK_A_ENTRIES :
					     one_in(r, 2) ? KASBLOCK_A_ENTRY :
					     below(r, KASBLOCK_A_MAX + 4));
		memcpy(m + *len, &a, sizeof(a));
		rnd_bytes(r, m + *len + NLA_HDRLEN, n);
		*len += NLA_HDRLEN + n;
		h->nlmsg_len = *len;
		break;
	case 9:		/* every attribute twice */
		n = *len - NLMSG_HDRLEN - GENL_HDRLEN;
		if (!n || *len + n > room)
			break;
		memcpy(m + *len, m + NLMSG_HDRLEN + GENL_HDRLEN, n);
		*len += n;
		h->nlmsg_len = *len;
		break;
	case 10:	/* zero-length attributes, at the top or in place of one */
		if (at && one_in(r, 2)) {
			a.nla_len = NLA_HDRLEN;
			memcpy(m + at, &a, sizeof(a));
			break;
		}
		for (n = 1 + below(r, 4); n && *len + NLA_HDRLEN <= room; n--) {
			a.nla_len = NLA_HDRLEN;
			a.nla_type = below(r, KASBLOCK_A_MAX + 2) |
				     (one_in(r, 2) ? NLA_F_NESTED : 0);
			memcpy(m + *len, &a, sizeof(a));
			*len += NLA_HDRLEN;
		}
		h->nlmsg_len = *len;
		break;
	case 11:	/* another genl version */
		g->version = one_in(r, 2) ? 0 : rnd(r);
		break;
	case 12:	/* the reserved field set */
		g->reserved = rnd(r) | 1;
		break;
	case 13: {	/* request flags of other kinds (NLM_F_REQUEST and NLM_F_ACK stay) */
		static const uint16_t more[] = {
			NLM_F_DUMP, NLM_F_ROOT, NLM_F_MATCH, NLM_F_ATOMIC, NLM_F_ECHO,
			NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND, NLM_F_DUMP_INTR,
			NLM_F_DUMP_FILTERED, NLM_F_NONREC, 0x8000,
		};

		h->nlmsg_flags ^= more[below(r, sizeof(more) / sizeof(more[0]))];
		break;
	}
	case 14:	/* another command (LOCK is taken out when the datagram is sealed) */
		g->cmd = rnd(r);
		break;
	default:	/* all the attributes wrapped in one more nest */
		n = *len - NLMSG_HDRLEN - GENL_HDRLEN;
		if (*len + NLA_HDRLEN > room || n + NLA_HDRLEN > 0xffff)
			break;
		memmove(m + NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN,
			m + NLMSG_HDRLEN + GENL_HDRLEN, n);
		a.nla_len = NLA_HDRLEN + n;
		a.nla_type = NLA_F_NESTED | below(r, KASBLOCK_A_MAX + 2);
		memcpy(m + NLMSG_HDRLEN + GENL_HDRLEN, &a, sizeof(a));
		*len += NLA_HDRLEN;
		h->nlmsg_len = *len;
		break;
	}
}

/* KASBLOCK_BATCH_MAX and beyond: valid entries, empty entries, or distinct digests. */
static size_t put_huge(struct rng *r, struct fuzz *f, uint8_t *b)
{
	static const unsigned int counts[] = {
		KASBLOCK_BATCH_MAX, KASBLOCK_BATCH_MAX + 1, 1200, 1600,
	};
	uint8_t cmd = one_in(r, 2) ? KASBLOCK_CMD_ADD :
		      one_in(r, 2) ? KASBLOCK_CMD_DEL : KASBLOCK_CMD_REPLACE_ADD;
	struct nlmsghdr *h = put_header(f, b, cmd, 0);
	unsigned int i, n = counts[below(r, 4)];
	struct nlattr *list;
	struct kst_entry e;

	switch (below(r, 3)) {
	case 0:		/* pool digests: the list stays small whatever is accepted */
		put_pool_entries(r, f, h, n, false);
		break;
	case 1:		/* empty entries, as many as a nest holds */
		list = mnl_attr_nest_start(h, KASBLOCK_A_ENTRIES);
		n = 1000 + below(r, 15000);
		for (i = 0; i < n; i++)
			mnl_attr_nest_end(h, mnl_attr_nest_start(h, KASBLOCK_A_ENTRY));
		mnl_attr_nest_end(h, list);
		break;
	default:	/* distinct digests, always more than a batch */
		list = mnl_attr_nest_start(h, KASBLOCK_A_ENTRIES);
		n = KASBLOCK_BATCH_MAX + 1 + below(r, 500);
		for (i = 0; i < n; i++) {
			struct nlattr *en = mnl_attr_nest_start(h, KASBLOCK_A_ENTRY);

			kst_fake_entry(&e, 0xf0770000 + i, NULL);
			mnl_attr_put(h, KASBLOCK_ENTRY_A_DIGEST, KASBLOCK_DIGEST_LEN, e.digest);
			mnl_attr_nest_end(h, en);
		}
		mnl_attr_nest_end(h, list);
		break;
	}
	return h->nlmsg_len;
}

/* One message of the given kind (not K_MULTI) into m; its length. */
static size_t put_one(struct rng *r, struct fuzz *f, uint8_t *m, enum kind kind)
{
	struct nlmsghdr *h;
	struct genlmsghdr *g;
	size_t len, n;
	int i;

	switch (kind) {
	case K_VERBATIM:
		return put_valid(r, f, m, any_cmd(r));
	case K_MUTATED:
		len = put_valid(r, f, m, any_cmd(r));
		for (i = 1 + below(r, 4); i; i--)
			mutate(r, m, &len, MSG_MAX);
		return len;
	case K_RANDOM:
		n = below(r, 401);
		h = put_header(f, m, 0, 0);
		h->nlmsg_len = NLMSG_HDRLEN + n;
		rnd_bytes(r, m + NLMSG_HDRLEN, n);
		if (n >= GENL_HDRLEN && one_in(r, 2)) {
			/* A good genlmsghdr: the garbage is all attributes. */
			g = (struct genlmsghdr *)(m + NLMSG_HDRLEN);
			g->cmd = any_cmd(r);
			g->version = KASBLOCK_GENL_VERSION;
			g->reserved = 0;
		}
		return NLMSG_HDRLEN + n;
	case K_UNKNOWN_CMD:
		len = put_valid(r, f, m, any_cmd(r));
		g = (struct genlmsghdr *)(m + NLMSG_HDRLEN);
		switch (below(r, 3)) {
		case 0:
			g->cmd = KASBLOCK_CMD_UNSPEC;
			break;
		case 1:
			g->cmd = KASBLOCK_CMD_EVENT;
			break;
		default:
			g->cmd = __KASBLOCK_CMD_LAST + below(r, 256 - __KASBLOCK_CMD_LAST);
			break;
		}
		return len;
	case K_SHORT_NLMSG:
		len = put_valid(r, f, m, any_cmd(r));
		h = (struct nlmsghdr *)m;
		switch (below(r, 3)) {
		case 0:		/* the datagram ends inside the nlmsghdr */
			return 1 + below(r, NLMSG_HDRLEN - 1);
		case 1:		/* nlmsg_len shorter than the nlmsghdr */
			h->nlmsg_len = below(r, NLMSG_HDRLEN);
			return len;
		default:	/* nlmsg_len beyond the datagram */
			h->nlmsg_len = len + 1 + below(r, 1 << 20);
			return len;
		}
	case K_SHORT_GENL:
		h = put_header(f, m, any_cmd(r), 0);
		h->nlmsg_len = NLMSG_HDRLEN + below(r, GENL_HDRLEN);
		return h->nlmsg_len;
	case K_VERSION:
		len = put_valid(r, f, m, any_cmd(r));
		g = (struct genlmsghdr *)(m + NLMSG_HDRLEN);
		do {
			g->version = rnd(r);
		} while (g->version == KASBLOCK_GENL_VERSION);
		return len;
	case K_DUMP_FLAG:
		len = put_valid(r, f, m, any_cmd(r));
		h = (struct nlmsghdr *)m;
		h->nlmsg_flags ^= NLM_F_DUMP;
		return len;
	case K_HUGE:
		len = put_huge(r, f, m);
		if (one_in(r, 3))
			mutate(r, m, &len, MSG_MAX);
		return len;
	default:
		return 0;
	}
}

static enum kind pick_kind(struct rng *r)
{
	unsigned int x = below(r, 100), k;

	for (k = 0; k < NR_KINDS - 1; k++) {
		if (x < kind_weights[k])
			return k;
		x -= kind_weights[k];
	}
	return NR_KINDS - 1;
}

/*
 * Frames the datagram as netlink_rcv_skb() will and makes every whole message
 * safe to send: to this family, answered (NLM_F_REQUEST | NLM_F_ACK), never
 * KASBLOCK_CMD_LOCK. None of that moves a message boundary. Fills o->ex.
 */
static void seal(struct fuzz *f, uint8_t *d, size_t len, struct outcome *o)
{
	size_t off = 0;

	o->nmsg = 0;
	while (len - off >= NLMSG_HDRLEN && o->nmsg < MAX_MSGS) {
		struct nlmsghdr h;
		struct expect *e = &o->ex[o->nmsg];
		size_t step;

		memcpy(&h, d + off, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off)
			break;
		h.nlmsg_type = f->family;
		h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
		memcpy(d + off, &h, sizeof(h));
		e->seq = h.nlmsg_seq;
		e->cmd = -1;
		e->answered = false;
		e->err = 0;
		/* The family reads the command only from a whole genlmsghdr. */
		if (h.nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN) {
			uint8_t *cmd = d + off + NLMSG_HDRLEN;

			if (*cmd == KASBLOCK_CMD_LOCK)
				*cmd = KASBLOCK_CMD_GET_STATUS;
			e->cmd = *cmd;
		}
		o->nmsg++;
		step = NLMSG_ALIGN(h.nlmsg_len);
		off += step < len - off ? step : len - off;
	}
	if (o->nmsg == MAX_MSGS) {
		/* More would go unchecked: cut the datagram after the last one. */
		o->len = off;
	}
}

/* Datagram i of the run, into f->dgram; its length. */
static size_t build(struct fuzz *f, uint64_t i, struct outcome *o)
{
	struct rng r = { .s = f->seed ^ (i * 0xd1b54a32d192ed03ULL) };
	size_t len = 0, n;

	rnd(&r);
	o->kind = pick_kind(&r);
	if (o->kind != K_MULTI) {
		len = put_one(&r, f, f->dgram, o->kind);
	} else {
		int k;

		for (k = 2 + below(&r, 5); k; k--) {
			enum kind kind;

			do {
				kind = pick_kind(&r);
			} while (kind == K_MULTI || kind == K_HUGE);
			n = put_one(&r, f, f->msg, kind);
			/* Kinds that end the datagram early go last. */
			if (kind == K_SHORT_NLMSG && k > 1)
				continue;
			if (len + NLMSG_ALIGN(n) > DGRAM_MAX)
				break;
			memcpy(f->dgram + len, f->msg, n);
			memset(f->dgram + len + n, 0, NLMSG_ALIGN(n) - n);
			len += k > 1 ? NLMSG_ALIGN(n) : n;
		}
	}
	o->len = len;
	seal(f, f->dgram, len, o);
	return o->len;
}

/* --- Sending and reading the answers ---------------------------------------- */

static int fuzz_socket(bool force_buffers)
{
	struct timeval tv = { .tv_sec = 2 };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, one = 1, size = 4 << 20;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	if (force_buffers) {
		setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
		setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	}
	return fd;
}

/* Marks the first unanswered message with this sequence number answered. */
static bool answer(struct outcome *o, uint32_t seq, int err)
{
	int i;

	for (i = 0; i < o->nmsg; i++) {
		if (!o->ex[i].answered && o->ex[i].seq == seq) {
			o->ex[i].answered = true;
			o->ex[i].err = err;
			if (err)
				o->rejected++;
			else
				o->accepted++;
			if (!err && o->ex[i].cmd >= 0 && changes_policy(o->ex[i].cmd))
				o->changed = true;
			return true;
		}
	}
	return false;
}

static int pending(const struct outcome *o)
{
	int i, n = 0;

	for (i = 0; i < o->nmsg; i++)
		n += !o->ex[i].answered;
	return n;
}

/*
 * Sends the datagram and reads until every whole message has its answer.
 * The kernel handles a datagram within sendmsg(), so the answers are queued
 * by the time it returns (a dump's later parts come as they are read); a
 * missing one is a failure, not a wait. Returns 0, or -1 with why set.
 */
static int exchange(struct fuzz *f, int fd, size_t len, struct outcome *o,
		    char *why, size_t wlen)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	bool block = true;

	o->accepted = o->rejected = 0;
	o->changed = false;
	if (sendto(fd, f->dgram, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		snprintf(why, wlen, "sendto(%zu bytes): %s", len, strerror(errno));
		return -1;
	}
	for (;;) {
		const struct nlmsghdr *h = (const void *)f->recv;
		int n;

		if (!pending(o))
			block = false;	/* only what is already queued, e.g. a dump's rest */
		n = recv(fd, f->recv, RECV_MAX, (block ? 0 : MSG_DONTWAIT) | MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && !block && errno == EAGAIN)
			return 0;
		if (n < 0) {
			snprintf(why, wlen, "%d of %d messages unanswered: recv: %s",
				 pending(o), o->nmsg, strerror(errno));
			return -1;
		}
		if (n > RECV_MAX) {
			snprintf(why, wlen, "an answer of %d bytes", n);
			return -1;
		}
		for (; mnl_nlmsg_ok(h, n); h = mnl_nlmsg_next(h, &n)) {
			int err;

			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

				err = e->error;
			} else if (h->nlmsg_type == NLMSG_DONE) {
				const int *e = mnl_nlmsg_get_payload(h);

				err = mnl_nlmsg_get_payload_len(h) >= sizeof(*e) ? *e : 0;
			} else {
				continue;	/* a reply's data, a dump's part */
			}
			if (err > 0 || !answer(o, h->nlmsg_seq, err)) {
				snprintf(why, wlen, "an answer (type %u, error %d) to no message (seq %u)",
					 h->nlmsg_type, err, h->nlmsg_seq);
				return -1;
			}
		}
	}
}

/* The datagram's first bytes in hex, for a failure report. */
static void hexdump(const uint8_t *d, size_t len, char *out, size_t olen)
{
	size_t i, at = 0;

	for (i = 0; i < len && i < 96 && at + 3 < olen; i++)
		at += snprintf(out + at, olen - at, "%02x", d[i]);
	if (i < len && at + 4 < olen)
		snprintf(out + at, olen - at, "...");
}

/* --- Errnos ------------------------------------------------------------------- */

struct errcount {
	unsigned long n[160];	/* by errno */
};

static void count_errs(struct errcount *c, const struct outcome *o)
{
	int i;

	for (i = 0; i < o->nmsg; i++) {
		int e = -o->ex[i].err;

		if (e > 0 && e < 160)
			c->n[e]++;
	}
}

static void errs_text(const struct errcount *c, char *out, size_t len)
{
	size_t at = 0;
	int e;

	out[0] = '\0';
	for (e = 1; e < 160 && at < len; e++) {
		if (c->n[e])
			at += snprintf(out + at, len - at, "%s%s %lu", at ? ", " : "",
				       strerrorname_np(e) ?: "?", c->n[e]);
	}
}

/*
 * What root may get: the documented errnos of the commands (uapi/kasblock.h)
 * and of generic netlink itself (EOPNOTSUPP: no such command or no dump of
 * it; EBUSY also for a second dump while one runs on the socket).
 */
static bool root_errno(int e)
{
	switch (e) {
	case EINVAL: case ERANGE: case E2BIG: case ENOENT: case EBUSY:
	case ENOSPC: case EOPNOTSUPP: case EMSGSIZE: case EBADF: case ENODATA:
		return true;
	}
	return false;
}

/*
 * What nobody may get: EPERM from the family, or what generic netlink refuses
 * before any of the family's code runs (a short genlmsghdr, no such command or
 * dump, attributes the policy rejects). Never an errno only a handler gives
 * past its permission check (ENOENT, E2BIG, EBUSY, ENOSPC, ...).
 */
static bool nobody_errno(int e)
{
	return e == EPERM || e == EINVAL || e == ERANGE || e == EOPNOTSUPP;
}

/* --- The fixture ---------------------------------------------------------- */

FIXTURE(nlfuzz) {
	struct kst_nl nl;
	struct fuzz f;
	struct kst_entry base[BASE];
	struct kst_snapshot start;
	int fd, kmsg;
};

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

FIXTURE_SETUP(nlfuzz)
{
	struct timespec ts;
	int i;

	memset(&self->f, 0, sizeof(self->f));
	self->f.file_fd = -1;
	self->fd = -1;
	self->kmsg = -1;
	kst_baseline(_metadata, &self->nl);
	clock_gettime(CLOCK_REALTIME, &ts);
	self->f.family = self->nl.family;
	self->f.seed = env_u64("KST_FUZZ_SEED",
			       (uint64_t)ts.tv_sec * 1000000007ULL ^ ts.tv_nsec ^
			       (uint64_t)getpid() << 32);
	self->f.seq = 1;
	self->f.file_fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->f.file_fd);
	for (i = 0; i < POOL; i++)
		kst_fake_entry(&self->f.pool[i], 0xf0220000 + i, NULL);
	for (i = 0; i < BASE; i++) {
		self->base[i] = self->f.pool[i];
		snprintf(self->base[i].label, sizeof(self->base[i].label),
			 "kst-fuzz-base-%d", i);
	}
	self->f.dgram = malloc(DGRAM_MAX);
	self->f.msg = malloc(MSG_MAX + 64);
	self->f.recv = malloc(RECV_MAX);
	ASSERT_TRUE(self->f.dgram && self->f.msg && self->f.recv);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, self->base, BASE));
	ASSERT_EQ(0, kst_snapshot(&self->nl, &self->start));
	ASSERT_EQ(BASE, self->start.nr);
	self->kmsg = kst_kmsg_open();
}

FIXTURE_TEARDOWN(nlfuzz)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->kmsg >= 0)
		close(self->kmsg);
	if (self->f.file_fd >= 0)
		close(self->f.file_fd);
	free(self->f.dgram);
	free(self->f.msg);
	free(self->f.recv);
	kst_restore(&self->nl);
}

/* What status says of the policy: equal before and after a refused request. */
struct policy {
	uint64_t generation;
	uint32_t nr, mode;
	bool locked;
	uint8_t digest[KASBLOCK_DIGEST_LEN];
};

static int policy_of(struct kst_nl *nl, struct policy *p)
{
	struct kst_status st;
	int ret = kst_nl_status(nl, &st);

	if (ret)
		return ret;
	if (!st.has_policy_digest)
		return -EPROTO;
	p->generation = st.generation;
	p->nr = st.nr_entries;
	p->mode = st.mode;
	p->locked = st.locked;
	memcpy(p->digest, st.policy_digest, KASBLOCK_DIGEST_LEN);
	return 0;
}

static bool policy_equal(const struct policy *a, const struct policy *b)
{
	return a->generation == b->generation && a->nr == b->nr && a->mode == b->mode &&
	       a->locked == b->locked && !memcmp(a->digest, b->digest, KASBLOCK_DIGEST_LEN);
}

/* Back to the base list in enforce mode, from the fixture's own socket. */
static int put_back(struct kst_nl *nl, const struct kst_entry *base)
{
	return kst_nl_set_mode(nl, KASBLOCK_MODE_ENFORCE) ?:
	       kst_nl_cmd(nl, KASBLOCK_CMD_FLUSH, NULL, 0) ?:
	       kst_nl_cmd(nl, KASBLOCK_CMD_ADD, base, BASE);
}

static void log_kernel(struct __test_metadata *const _metadata, int kmsg)
{
	unsigned long lost = 0;
	char line[512];

	if (kmsg < 0)
		return;
	ASSERT_EQ(0, kst_kmsg_check(kmsg, line, sizeof(line), &lost)) {
		TH_LOG("kernel log: %s", line);
	}
}

TEST_F_TIMEOUT(nlfuzz, root_survives_and_refusals_change_nothing, 150)
{
	uint64_t i, iters = env_u64("KST_FUZZ_ITERS", FUZZ_ITERS);
	uint64_t t0 = kst_now_ms(), deadline = t0 + FUZZ_ROOT_MS;
	unsigned long kinds[NR_KINDS] = { 0 }, msgs = 0, accepted = 0, rejected = 0;
	unsigned long silent = 0, changes = 0, put_backs = 0, dumps = 0;
	struct kst_snapshot ref, now;
	struct errcount errs = { 0 };
	struct policy before, after;
	struct kst_entry *e = NULL;
	char why[256], hex[256], text[1024];
	struct outcome *o;
	size_t n;

	o = calloc(1, sizeof(*o));
	ASSERT_NE(NULL, o);
	self->fd = fuzz_socket(true);
	ASSERT_LE(0, self->fd);
	TH_LOG("seed %#llx (KST_FUZZ_SEED repeats it), %llu datagrams",
	       (unsigned long long)self->f.seed, (unsigned long long)iters);
	ASSERT_EQ(0, policy_of(&self->nl, &before));
	ref = self->start;

	for (i = 0; i < iters && kst_now_ms() < deadline; i++) {
		size_t len = build(&self->f, i, o);
		int k, ret;

		kinds[o->kind]++;
		ret = exchange(&self->f, self->fd, len, o, why, sizeof(why));
		ASSERT_EQ(0, ret) {
			hexdump(self->f.dgram, len, hex, sizeof(hex));
			TH_LOG("datagram %llu (%s, %zu bytes, %d messages): %s; %s",
			       (unsigned long long)i, kind_names[o->kind], len, o->nmsg,
			       why, hex);
		}
		msgs += o->nmsg;
		accepted += o->accepted;
		rejected += o->rejected;
		silent += !o->nmsg;
		count_errs(&errs, o);
		for (k = 0; k < o->nmsg; k++) {
			int err = -o->ex[k].err;

			ASSERT_TRUE(!err || root_errno(err)) {
				hexdump(self->f.dgram, len, hex, sizeof(hex));
				TH_LOG("datagram %llu (%s), message %d (command %d): %s; %s",
				       (unsigned long long)i, kind_names[o->kind], k,
				       o->ex[k].cmd, strerror(err), hex);
			}
		}

		ret = policy_of(&self->nl, &after);
		ASSERT_EQ(0, ret) {
			hexdump(self->f.dgram, len, hex, sizeof(hex));
			TH_LOG("status after datagram %llu (%s, %d messages): %s (%s); %s",
			       (unsigned long long)i, kind_names[o->kind], o->nmsg,
			       strerror(-ret), self->nl.extack, hex);
		}
		ASSERT_FALSE(after.locked);
		if (!o->changed) {
			/* Refused, or accepted without a change: the policy stands. */
			ASSERT_TRUE(policy_equal(&before, &after)) {
				hexdump(self->f.dgram, len, hex, sizeof(hex));
				TH_LOG("datagram %llu (%s, %d messages, %d accepted) changed the policy: generation %llu -> %llu, %u -> %u entries, mode %u -> %u; %s",
				       (unsigned long long)i, kind_names[o->kind], o->nmsg,
				       o->accepted, (unsigned long long)before.generation,
				       (unsigned long long)after.generation, before.nr,
				       after.nr, before.mode, after.mode, hex);
			}
		} else {
			/* Accepted: the list may have changed, labels included. */
			changes += !policy_equal(&before, &after);
			/* Keep a list worth protecting, in enforce mode. */
			if (after.nr < BASE / 2 || after.nr > LIST_CAP ||
			    after.mode != KASBLOCK_MODE_ENFORCE) {
				ASSERT_EQ(0, put_back(&self->nl, self->base));
				put_backs++;
				ASSERT_EQ(0, policy_of(&self->nl, &after));
			}
			ASSERT_EQ(0, kst_snapshot(&self->nl, &ref));
		}
		before = after;

		if ((i + 1) % DUMP_EVERY == 0) {
			/* The whole list, labels too, as the last accepted change left it. */
			ASSERT_EQ(0, kst_snapshot(&self->nl, &now));
			dumps++;
			ASSERT_TRUE(kst_snapshot_equal(&ref, &now)) {
				TH_LOG("after datagram %llu: %zu -> %zu entries, generation %llu -> %llu",
				       (unsigned long long)i, ref.nr, now.nr,
				       (unsigned long long)ref.generation,
				       (unsigned long long)now.generation);
			}
		}
		if ((i + 1) % LOG_EVERY == 0)
			log_kernel(_metadata, self->kmsg);
	}
	free(o);

	errs_text(&errs, text, sizeof(text));
	TH_LOG("%llu datagrams in %llu ms: %lu whole messages, %lu accepted, %lu refused (%s); %lu datagrams with no whole message (dropped by design); %lu policy changes by accepted requests, %lu put back; %lu full dumps compared",
	       (unsigned long long)i, (unsigned long long)(kst_now_ms() - t0), msgs,
	       accepted, rejected, text, silent, changes, put_backs, dumps);
	text[0] = '\0';
	for (n = 0; n < NR_KINDS; n++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s %lu",
			 n ? ", " : "", kind_names[n], kinds[n]);
	TH_LOG("datagrams by kind: %s", text);
	ASSERT_LE(iters < 2000 ? iters : 2000, i) {
		TH_LOG("too slow to mean anything");
	}
	/* Each way of failing and of passing was taken (in a run of some length). */
	if (i >= 2000) {
		ASSERT_LT(0, accepted);
		ASSERT_LT(0, errs.n[EINVAL]);
		ASSERT_LT(0, errs.n[ERANGE]);
		ASSERT_LT(0, errs.n[E2BIG]);
		ASSERT_LT(0, errs.n[EOPNOTSUPP]);
		ASSERT_LT(0, silent);
	}

	/* Closing the socket drops whatever it staged; then the list is put back. */
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, kst_snapshot(&self->nl, &now));
	ASSERT_TRUE(kst_snapshot_equal(&ref, &now));
	ASSERT_EQ(0, put_back(&self->nl, self->base));
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &e, &n, NULL));
	ASSERT_EQ(BASE, n);
	ASSERT_EQ(0, kst_snapshot(&self->nl, &now));
	ASSERT_EQ(self->start.nr, now.nr);
	ASSERT_EQ(0, memcmp(self->start.sum, now.sum, sizeof(now.sum)));
	free(e);
	ASSERT_EQ(0, policy_of(&self->nl, &after));
	ASSERT_EQ(KASBLOCK_MODE_ENFORCE, after.mode);
	log_kernel(_metadata, self->kmsg);
}

/* What the unprivileged sender saw, in memory shared with the test. */
struct nobody_report {
	uint64_t datagrams, msgs, eperm, silent, verbatim;
	uint64_t elapsed_ms;
	struct errcount errs;
	int failed;		/* 0 ok, 1 could not become nobody, 2 a wrong answer */
	char why[1024];
};

static void nobody_run(struct fuzz *f, uint64_t iters, struct nobody_report *rep)
{
	uint64_t i, t0 = kst_now_ms(), deadline = t0 + FUZZ_NOBODY_MS;
	char why[256], hex[256];
	struct outcome *o = calloc(1, sizeof(*o));
	int fd;

	if (!o || kst_keep_only_caps(0, true)) {
		rep->failed = 1;
		snprintf(rep->why, sizeof(rep->why), "cannot become nobody without capabilities");
		return;
	}
	fd = fuzz_socket(false);
	if (fd < 0) {
		rep->failed = 1;
		snprintf(rep->why, sizeof(rep->why), "socket: %s", strerror(-fd));
		return;
	}
	for (i = 0; i < iters && kst_now_ms() < deadline; i++) {
		size_t len = build(f, i, o);
		int k;

		if (exchange(f, fd, len, o, why, sizeof(why))) {
			hexdump(f->dgram, len, hex, sizeof(hex));
			rep->failed = 2;
			snprintf(rep->why, sizeof(rep->why), "datagram %llu (%s): %s; %s",
				 (unsigned long long)i, kind_names[o->kind], why, hex);
			break;
		}
		rep->msgs += o->nmsg;
		rep->silent += !o->nmsg;
		count_errs(&rep->errs, o);
		for (k = 0; k < o->nmsg; k++) {
			int err = -o->ex[k].err;

			rep->eperm += err == EPERM;
			/* A valid request reaches the family, which refuses it. */
			if (err == 0 || !nobody_errno(err) ||
			    (o->kind == K_VERBATIM && known_cmd(o->ex[k].cmd) && err != EPERM)) {
				hexdump(f->dgram, len, hex, sizeof(hex));
				rep->failed = 2;
				snprintf(rep->why, sizeof(rep->why),
					 "datagram %llu (%s), message %d (command %d): %s; %s",
					 (unsigned long long)i, kind_names[o->kind], k,
					 o->ex[k].cmd, err ? strerror(err) : "accepted", hex);
				goto out;
			}
		}
		rep->verbatim += o->kind == K_VERBATIM;
	}
out:
	rep->datagrams = i;
	rep->elapsed_ms = kst_now_ms() - t0;
	close(fd);
	free(o);
}

TEST_F_TIMEOUT(nlfuzz, nobody_is_refused_everything, 90)
{
	uint64_t iters = env_u64("KST_FUZZ_ITERS", FUZZ_ITERS);
	struct nobody_report *rep;
	struct kst_snapshot after;
	char text[1024];
	int status;
	pid_t pid;

	/* Not the root run's datagrams again: the same kinds, other bytes. */
	self->f.seed = ~self->f.seed;
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rep);
	memset(rep, 0, sizeof(*rep));
	TH_LOG("seed %#llx (KST_FUZZ_SEED=%#llx repeats it), %llu datagrams",
	       (unsigned long long)self->f.seed, (unsigned long long)~self->f.seed,
	       (unsigned long long)iters);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		nobody_run(&self->f, iters, rep);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("the sender ended with wait status %#x", status);
	}
	errs_text(&rep->errs, text, sizeof(text));
	TH_LOG("%llu datagrams in %llu ms: %llu whole messages, all refused (%s); %llu datagrams with no whole message",
	       (unsigned long long)rep->datagrams, (unsigned long long)rep->elapsed_ms,
	       (unsigned long long)rep->msgs, text, (unsigned long long)rep->silent);
	ASSERT_EQ(0, rep->failed) {
		TH_LOG("%s", rep->why);
	}
	ASSERT_LE(iters < 2000 ? iters : 2000, rep->datagrams);
	/* Valid-looking requests reach the family and get its EPERM. */
	if (rep->datagrams >= 2000) {
		ASSERT_LT(0, rep->verbatim);
		ASSERT_LT(rep->msgs / 10, rep->eperm);
	}
	/* Not a thing changed: not even the generation moved. */
	ASSERT_EQ(0, kst_snapshot(&self->nl, &after));
	ASSERT_TRUE(kst_snapshot_equal(&self->start, &after)) {
		TH_LOG("generation %llu -> %llu, %zu -> %zu entries",
		       (unsigned long long)self->start.generation,
		       (unsigned long long)after.generation, self->start.nr, after.nr);
	}
	munmap(rep, sizeof(*rep));
	log_kernel(_metadata, self->kmsg);
}

TEST_HARNESS_MAIN
