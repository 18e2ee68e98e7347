// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: stress. For a bounded time, all at once: exec loops of
 * a listed program and of unlisted ones (some written afresh for each run),
 * a loop replacing the whole list (always with the listed program in it,
 * sometimes aborted instead of committed), readers of the event stream (one
 * slow on purpose, to overrun), readers of status and of the list; in the
 * second test, rmmod/insmod cycles on top.
 *
 * What must hold: the listed program never runs while the module is loaded
 * with it listed (around a reload it may: see `epoch`), and an unlisted one is
 * never refused, whatever else is going on; every event is the listed
 * program's denial; status always shows enforce mode, and every dump not
 * flagged NLM_F_DUMP_INTR shows one list that was active, never a mix; the
 * list ends as the last commit made it, status's policy digest and counters
 * agree with what the loops counted (each overrun of the slow reader a
 * dropped event), and flushing brings the entry count back to zero (with
 * kmemleak, on the debug kernel: nothing of kasblock's lost). Kernel
 * warnings are looked for in the kernel log as they are written.
 *
 * KST_STRESS_SECONDS sets how long each test stresses (default 20).
 */

#define _GNU_SOURCE
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "common.h"

#define STRESS_SECONDS 20
#define NR_LISTED 2		/* exec loops of the listed program */
#define NR_UNLISTED 2		/* exec loops of unlisted ones */
#define NR_WORKERS (NR_LISTED + NR_UNLISTED + 4)
#define LISTED_LABEL "kst-stress-listed"
#define DEBUGFS_KMEMLEAK "/sys/kernel/debug/kmemleak"
#define REPORT_MAX (1 << 20)

enum worker {
	LISTED_LOOP, UNLISTED_LOOP, REPLACE_LOOP, EVENT_READER, STATUS_READER, NR_KINDS
};

/* List sizes the replace loop cycles through; the listed digest is in each. */
static const size_t sizes[] = { 1, 300, 2, 1500, 17, 3000, 5, 64 };
#define NR_SIZES (sizeof(sizes) / sizeof(sizes[0]))
#define MOST 3000

/*
 * What the workers share with the test. `epoch` says whether an exec's
 * outcome is known in advance: even, the module is loaded with the listed
 * digest in its list; odd, the test is unloading or reloading it. The test
 * makes it odd before rmmod and even again only once the reloaded module
 * lists the digest, so an exec that saw the same even epoch before and after
 * it ran entirely while the digest was listed. Without reloads it stays 0.
 */
struct shared {
	int stop;
	uint64_t epoch;

	/* Listed loops: while surely listed, and around a reload. */
	unsigned long l_denied, l_ran, l_killed;
	unsigned long l_reload_denied, l_reload_ran, l_reload_killed;
	/* Unlisted loops: the same few programs, and new files run once each. */
	unsigned long u_ran, u_fresh_ran;
	/* The replace loop; the last committed list is round last_round's. */
	unsigned long commits, aborts, entries_committed, replace_interrupted;
	unsigned int last_round;
	size_t last_n;
	/* Event readers; the slow one overruns its small buffer on purpose. */
	unsigned long events, slow_events, slow_overruns;
	/* Status and list readers. */
	unsigned long statuses, dumps, dumps_busy, reader_interrupted;

	/* The first failure of each kind of worker (enum worker). */
	int failed;
	char why[NR_KINDS][320];
};

static void inc(unsigned long *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

static bool stopped(struct shared *sh)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE);
}

static uint64_t epoch(struct shared *sh)
{
	return __atomic_load_n(&sh->epoch, __ATOMIC_SEQ_CST);
}

/* Stops the test; the first failure of each kind of worker is reported. */
static void __attribute__((format(printf, 3, 4)))
fail(struct shared *sh, enum worker who, const char *fmt, ...)
{
	va_list ap;

	__atomic_store_n(&sh->failed, 1, __ATOMIC_SEQ_CST);
	/* Workers of one kind may race for the slot: the first byte claims it. */
	if (__atomic_exchange_n(&sh->why[who][0], '?', __ATOMIC_SEQ_CST))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->why[who] + 1, sizeof(sh->why[who]) - 1, fmt, ap);
	va_end(ap);
}

static const char *result_text(int ret, int status, char *buf, size_t len)
{
	if (ret > 0)
		snprintf(buf, len, "exec failed with %s", strerror(ret));
	else if (ret == 0)
		snprintf(buf, len, "ran");
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, len, "exited with wait status %#x", status);
	return buf;
}

/* --- Workers: each a process of its own, until `stop` --------------------- */

static void listed_loop(struct shared *sh, const char *path)
{
	char text[64];

	while (!stopped(sh)) {
		struct kst_exec how = { .dirfd = AT_FDCWD };
		uint64_t e0 = epoch(sh);
		bool killed;
		int ret;

		ret = kst_run_ex(path, &how);
		killed = ret == -1 && how.pid && WIFSIGNALED(how.status) &&
			 WTERMSIG(how.status) == SIGSEGV;
		if (!(e0 & 1) && epoch(sh) == e0) {
			/* Listed from before the exec to after it. */
			if (ret == EPERM) {
				inc(&sh->l_denied);
				continue;
			}
			if (ret == 0)
				inc(&sh->l_ran);
			else if (killed)
				inc(&sh->l_killed);
			fail(sh, LISTED_LOOP, "listed %s: %s while listed in enforce mode", path,
			     result_text(ret, how.status, text, sizeof(text)));
		} else if (ret == EPERM) {
			inc(&sh->l_reload_denied);
		} else if (ret == 0) {
			inc(&sh->l_reload_ran);
		} else if (killed) {
			/* Listed again between exec's check and its mapping. */
			inc(&sh->l_reload_killed);
		} else {
			fail(sh, LISTED_LOOP, "listed %s around a reload: %s", path,
			     result_text(ret, how.status, text, sizeof(text)));
		}
	}
}

/* Runs its program, and every fourth time a file written just before. */
static void unlisted_loop(struct shared *sh, const char *path, const char *dir, int id)
{
	char fresh[PATH_MAX], tag[64], text[64];
	unsigned long n;
	int ret;

	for (n = 0; !stopped(sh); n++) {
		struct kst_exec how = { .dirfd = AT_FDCWD };

		ret = kst_run_ex(path, &how);
		if (ret) {
			fail(sh, UNLISTED_LOOP, "unlisted %s: %s", path,
			     result_text(ret, how.status, text, sizeof(text)));
			continue;
		}
		inc(&sh->u_ran);
		if (n % 4)
			continue;
		snprintf(fresh, sizeof(fresh), "%s/fresh-%d-%lu", dir, id, n);
		snprintf(tag, sizeof(tag), "stress:fresh:%d:%lu", id, n);
		ret = kst_copy_tagged("kst-true", fresh, tag, NULL);
		if (ret) {
			fail(sh, UNLISTED_LOOP, "cannot write %s: %s", fresh, strerror(-ret));
			continue;
		}
		ret = kst_run_ex(fresh, &how);
		unlink(fresh);
		if (ret)
			fail(sh, UNLISTED_LOOP, "unlisted new file %s: %s", fresh,
			     result_text(ret, how.status, text, sizeof(text)));
		else
			inc(&sh->u_fresh_ran);
	}
}

/* Round r's list: n entries of its own, the listed one among them; labels here and there. */
static void round_list(struct kst_entry *e, size_t n, unsigned int r,
		       const struct kst_entry *listed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		kst_fake_entry(&e[i], r * 10000 + i, NULL);
		if (i % 7 == 3)
			snprintf(e[i].label, sizeof(e[i].label), "kst-stress-%u-%zu", r, i);
	}
	e[(r * 7919) % n] = *listed;
}

/* A staged list that is dropped: the active list does not move. */
static int replace_aborted(struct kst_nl *nl, const struct kst_entry *e, size_t n)
{
	int ret = kst_nl_cmd(nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0);

	if (!ret)
		ret = kst_nl_cmd(nl, KASBLOCK_CMD_REPLACE_ADD, e, n < 500 ? n : 500);
	if (!ret)
		ret = kst_nl_cmd(nl, KASBLOCK_CMD_REPLACE_ABORT, NULL, 0);
	return ret;
}

/*
 * Opens nl on the module of the current even epoch, if it is not already: a
 * reloaded module's family has a new id. false when the epoch is odd, or the
 * open failed because a reload began meanwhile.
 */
static bool connect_epoch(struct shared *sh, struct kst_nl *nl, uint64_t *opened,
			  enum worker who)
{
	uint64_t e0 = epoch(sh);
	int ret;

	if (e0 & 1)
		return false;
	if (nl->sock && *opened == e0)
		return true;
	kst_nl_close(nl);
	ret = kst_nl_open(nl);
	if (ret) {
		if (epoch(sh) == e0)
			fail(sh, who, "cannot open the family: %s", strerror(-ret));
		return false;
	}
	*opened = e0;
	return true;
}

static void replace_loop(struct shared *sh, const struct kst_entry *listed)
{
	struct kst_entry *e = calloc(MOST, sizeof(*e));
	struct kst_nl nl = { 0 };
	uint64_t opened = 0;
	unsigned int r;

	if (!e) {
		fail(sh, REPLACE_LOOP, "out of memory");
		return;
	}
	for (r = 1; !stopped(sh); r++) {
		size_t n = sizes[r % NR_SIZES];
		bool commit = r % 8 != 0;
		uint64_t e0 = epoch(sh);
		int ret;

		/*
		 * A round not tried, or cut by a reload, keeps its number: the status
		 * reader expects the next commit after the last recorded one at most
		 * two rounds on (was_active()), and a reload's 300 ms of failed
		 * connects used to skip a dozen, so a dump taken between such a commit
		 * and its recording looked like a list never committed.
		 */
		if (!connect_epoch(sh, &nl, &opened, REPLACE_LOOP)) {
			r--;
			usleep(20000);
			continue;
		}
		round_list(e, n, r, listed);
		ret = commit ? kst_nl_replace(&nl, e, n) : replace_aborted(&nl, e, n);
		if (ret) {
			if (epoch(sh) != e0) {
				inc(&sh->replace_interrupted);
				r--;
				continue;
			}
			fail(sh, REPLACE_LOOP, "replace round %u (%zu entries, %s): %s (%s)", r, n,
			     commit ? "commit" : "abort", strerror(-ret), nl.extack);
			break;
		}
		if (commit) {
			inc(&sh->commits);
			__atomic_add_fetch(&sh->entries_committed, n, __ATOMIC_RELAXED);
			sh->last_n = n;
			__atomic_store_n(&sh->last_round, r, __ATOMIC_SEQ_CST);
		} else {
			inc(&sh->aborts);
		}
	}
	kst_nl_close(&nl);
	free(e);
}

/* The event's digest and action, if it is a kasblock event. */
static bool parse_event(const struct nlmsghdr *h, uint16_t family, uint8_t *digest,
			char *action, size_t alen)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(h);
	const struct nlattr *a, *f;
	bool found = false;

	if (h->nlmsg_type != family || g->cmd != KASBLOCK_CMD_EVENT)
		return false;
	memset(digest, 0, KASBLOCK_DIGEST_LEN);
	action[0] = '\0';
	mnl_attr_for_each(a, h, sizeof(*g)) {
		if (mnl_attr_get_type(a) != KASBLOCK_A_EVENT)
			continue;
		found = true;
		mnl_attr_for_each_nested(f, a) {
			if (mnl_attr_get_type(f) == KASBLOCK_EVENT_A_DIGEST &&
			    mnl_attr_get_payload_len(f) == KASBLOCK_DIGEST_LEN)
				memcpy(digest, mnl_attr_get_payload(f), KASBLOCK_DIGEST_LEN);
			else if (mnl_attr_get_type(f) == KASBLOCK_EVENT_A_ACTION)
				snprintf(action, alen, "%.*s",
					 (int)mnl_attr_get_payload_len(f),
					 (const char *)mnl_attr_get_payload(f));
		}
	}
	return found;
}

static int join_events(struct kst_nl *ev, bool slow)
{
	struct timeval tv = { .tv_usec = 200000 };
	int fd, one = 1, small = 1;

	fd = mnl_socket_get_fd(ev->sock);
	if (!ev->events_group)
		return -ENOENT;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &ev->events_group,
		       sizeof(ev->events_group)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	/*
	 * The slow reader: the smallest buffer the kernel allows, and overruns
	 * reported to the sender, so that status counts them as dropped.
	 */
	if (slow && (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ||
		     setsockopt(fd, SOL_NETLINK, NETLINK_BROADCAST_ERROR, &one, sizeof(one))))
		return -errno;
	return 0;
}

static void event_loop(struct shared *sh, const uint8_t *listed, bool slow)
{
	static char buf[65536];
	struct kst_nl ev = { 0 };
	uint64_t opened = 0;

	while (!stopped(sh)) {
		const struct nlmsghdr *h = (const void *)buf;
		uint8_t digest[KASBLOCK_DIGEST_LEN];
		uint64_t e0 = epoch(sh);
		char action[32];
		int n, ret;

		if (!ev.sock || opened != e0) {
			if (!connect_epoch(sh, &ev, &opened, EVENT_READER)) {
				usleep(20000);
				continue;
			}
			ret = join_events(&ev, slow);
			if (ret) {
				if (epoch(sh) == e0)
					fail(sh, EVENT_READER, "cannot join the events group: %s",
					     strerror(-ret));
				kst_nl_close(&ev);
				continue;
			}
		}
		n = recv(mnl_socket_get_fd(ev.sock), buf, sizeof(buf), 0);
		if (n < 0 && errno == ENOBUFS) {
			if (slow)
				inc(&sh->slow_overruns);
			continue;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR && epoch(sh) == e0)
				fail(sh, EVENT_READER, "recv: %s", strerror(errno));
			continue;
		}
		for (; mnl_nlmsg_ok(h, n); h = mnl_nlmsg_next(h, &n)) {
			if (!parse_event(h, ev.family, digest, action, sizeof(action)))
				continue;
			if (memcmp(digest, listed, KASBLOCK_DIGEST_LEN) ||
			    strcmp(action, "deny"))
				fail(sh, EVENT_READER, "an event \"%s\" for another digest than the listed one",
				     action);
			inc(slow ? &sh->slow_events : &sh->events);
		}
		if (slow)
			usleep(100000);
	}
	kst_nl_close(&ev);
}

static int cmp_digest(const void *a, const void *b)
{
	return memcmp(((const struct kst_entry *)a)->digest,
		      ((const struct kst_entry *)b)->digest, KASBLOCK_DIGEST_LEN);
}

/* One dump as it came: kst_nl_dump() restarts on its own, this one tells. */
struct dump {
	struct kst_entry *e;
	size_t n, cap;
	uint64_t generation;
	bool have_generation, intr, generations_differ;
};

static int dump_part(struct dump *d, const struct nlmsghdr *h)
{
	const struct nlattr *a, *entry, *f;

	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr = true;
	mnl_attr_for_each(a, h, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == KASBLOCK_A_GENERATION) {
			if (d->have_generation && d->generation != mnl_attr_get_u64(a))
				d->generations_differ = true;
			d->generation = mnl_attr_get_u64(a);
			d->have_generation = true;
		}
		if (mnl_attr_get_type(a) != KASBLOCK_A_ENTRIES)
			continue;
		mnl_attr_for_each_nested(entry, a) {
			struct kst_entry *e;

			if (d->n == d->cap) {
				void *more = realloc(d->e, (d->cap + 1024) * sizeof(*d->e));

				if (!more)
					return -ENOMEM;
				d->e = more;
				d->cap += 1024;
			}
			e = memset(&d->e[d->n++], 0, sizeof(*e));
			mnl_attr_for_each_nested(f, entry) {
				if (mnl_attr_get_type(f) == KASBLOCK_ENTRY_A_DIGEST &&
				    mnl_attr_get_payload_len(f) == KASBLOCK_DIGEST_LEN)
					memcpy(e->digest, mnl_attr_get_payload(f),
					       KASBLOCK_DIGEST_LEN);
				else if (mnl_attr_get_type(f) == KASBLOCK_ENTRY_A_LABEL)
					snprintf(e->label, sizeof(e->label), "%.*s",
						 (int)mnl_attr_get_payload_len(f),
						 (const char *)mnl_attr_get_payload(f));
			}
		}
	}
	return 0;
}

/*
 * The active list in one dump, sorted: 0 when no part was flagged
 * NLM_F_DUMP_INTR, -EINTR when one was, -ESTALE when parts of different
 * generations went unflagged (the kernel's fault), or -errno.
 */
static int dump_list(struct kst_nl *nl, struct dump *d)
{
	static char buf[65536];
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *q = kst_nl_msg(nl, req, KASBLOCK_CMD_GET_ENTRIES, NLM_F_DUMP);
	int ret;

	d->n = 0;
	d->have_generation = d->intr = d->generations_differ = false;
	if (mnl_socket_sendto(nl->sock, q, q->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		int n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		const struct nlmsghdr *h = (const void *)buf;

		if (n < 0)
			return -errno;
		for (; mnl_nlmsg_ok(h, n); h = mnl_nlmsg_next(h, &n)) {
			if (h->nlmsg_seq != q->nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

				return e->error ?: -EPROTO;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				goto done;
			ret = dump_part(d, h);
			if (ret)
				return ret;
		}
	}
done:
	if (d->intr)
		return -EINTR;
	if (d->generations_differ)
		return -ESTALE;
	qsort(d->e, d->n, sizeof(*d->e), cmp_digest);
	return 0;
}

static bool same_list(const struct kst_entry *a, const struct kst_entry *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(a[i].digest, b[i].digest, KASBLOCK_DIGEST_LEN) ||
		    strcmp(a[i].label, b[i].label))
			return false;
	return true;
}

/*
 * Whether a dump shows a list that was active at some point: that of a round
 * committed while it ran (from first, the last one recorded before it, to the
 * next committed round after last, the last one recorded after it: that one
 * may be committed and not yet recorded, and it is last + 2 when last + 1 is
 * an aborted round), or the listed entry alone (before the first commit, and
 * after each reload). A dump mixing two lists shows none of them.
 */
static bool was_active(const struct dump *d, unsigned int first, unsigned int last,
		       const struct kst_entry *listed, struct kst_entry *scratch)
{
	unsigned int r;

	if (d->n == 1 && same_list(d->e, listed, 1))
		return true;
	for (r = first ? first : 1; r <= last + 2; r++) {
		size_t n = sizes[r % NR_SIZES];

		if (r % 8 == 0 || n != d->n)
			continue;	/* aborted, or of another size */
		round_list(scratch, n, r, listed);
		qsort(scratch, n, sizeof(*scratch), cmp_digest);
		if (same_list(d->e, scratch, n))
			return true;
	}
	return false;
}

static bool has_digest(const struct kst_entry *e, size_t n, const uint8_t *digest)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!memcmp(e[i].digest, digest, KASBLOCK_DIGEST_LEN))
			return true;
	return false;
}

static void status_loop(struct shared *sh, const struct kst_entry *listed)
{
	struct kst_entry *scratch = calloc(MOST, sizeof(*scratch));
	struct kst_status st, prev = { 0 };
	uint64_t opened = 0, prev_epoch = 1;
	struct kst_nl nl = { 0 };
	struct dump d = { 0 };
	unsigned long n;

	for (n = 0; scratch && !stopped(sh); n++) {
		uint64_t e0 = epoch(sh);
		unsigned int first, last;
		int ret;

		usleep(20000);	/* leave the exec loops most of the CPUs */

		if (!connect_epoch(sh, &nl, &opened, STATUS_READER)) {
			usleep(20000);
			continue;
		}
		ret = kst_nl_status(&nl, &st);
		if (epoch(sh) != e0) {
			/* Maybe the old module's answer, maybe none: nothing to check. */
			inc(&sh->reader_interrupted);
			continue;
		}
		if (ret) {
			fail(sh, STATUS_READER, "status: %s (%s)", strerror(-ret), nl.extack);
			continue;
		}
		if (st.mode != KASBLOCK_MODE_ENFORCE || st.locked || !st.has_policy_digest ||
		    !st.nr_entries)
			fail(sh, STATUS_READER, "status: mode %u, locked %d, policy digest %d, %u entries",
			     st.mode, st.locked, st.has_policy_digest, st.nr_entries);
		/* Counters only grow (a reload starts them again). */
		if (prev_epoch == e0 &&
		    (st.checks < prev.checks || st.denials < prev.denials ||
		     st.generation < prev.generation || st.events_dropped < prev.events_dropped))
			fail(sh, STATUS_READER, "status went back: checks %llu -> %llu, denials %llu -> %llu, generation %llu -> %llu",
			     (unsigned long long)prev.checks, (unsigned long long)st.checks,
			     (unsigned long long)prev.denials, (unsigned long long)st.denials,
			     (unsigned long long)prev.generation,
			     (unsigned long long)st.generation);
		prev = st;
		prev_epoch = e0;
		inc(&sh->statuses);
		if (n % 2)
			continue;
		/* A dump not flagged as interrupted shows one list that was active. */
		first = __atomic_load_n(&sh->last_round, __ATOMIC_SEQ_CST);
		ret = dump_list(&nl, &d);
		last = __atomic_load_n(&sh->last_round, __ATOMIC_SEQ_CST);
		if (epoch(sh) != e0) {
			inc(&sh->reader_interrupted);
		} else if (ret == -EINTR) {
			inc(&sh->dumps_busy);
		} else if (ret == -ESTALE) {
			fail(sh, STATUS_READER, "a dump's parts came from different generations and none was flagged NLM_F_DUMP_INTR");
		} else if (ret) {
			fail(sh, STATUS_READER, "dump: %s", strerror(-ret));
		} else if (!was_active(&d, first, last, listed, scratch)) {
			fail(sh, STATUS_READER, "a dump of %zu entries (generation %llu, rounds %u to %u committed meanwhile, the listed entry %s) shows no list that was ever active",
			     d.n, (unsigned long long)d.generation, first, last,
			     has_digest(d.e, d.n, listed->digest) ? "in it" : "missing");
		} else {
			inc(&sh->dumps);
		}
	}
	if (!scratch)
		fail(sh, STATUS_READER, "out of memory");
	free(scratch);
	free(d.e);
	kst_nl_close(&nl);
}

/* --- The fixture ---------------------------------------------------------- */

FIXTURE(stress) {
	struct kst_nl nl;
	char dir[64];
	char listed[PATH_MAX], unlisted[NR_UNLISTED][PATH_MAX];
	struct kst_entry listed_entry;
	struct shared *sh;
	pid_t workers[NR_WORKERS];
	int nr_workers;
	int kmsg;
	char *report;		/* kmemleak's */
	int kmemleak;		/* kasblock's objects in kmemleak's report, -1: no kmemleak */
	unsigned int seconds;
	unsigned int reloads;
	uint64_t reload_ms;	/* spent unloading and reloading */
};

static void spawn(struct __test_metadata *const _metadata,
		  FIXTURE_DATA(stress) *self, enum worker what, int i)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid) {
		self->workers[self->nr_workers++] = pid;
		return;
	}
	/* Not to take part in the harness's teardown: _exit, never return. */
	switch (what) {
	case LISTED_LOOP:
		listed_loop(self->sh, self->listed);
		break;
	case UNLISTED_LOOP:
		unlisted_loop(self->sh, self->unlisted[i], self->dir, i);
		break;
	case REPLACE_LOOP:
		replace_loop(self->sh, &self->listed_entry);
		break;
	case EVENT_READER:
		event_loop(self->sh, self->listed_entry.digest, i);
		break;
	case STATUS_READER:
	default:
		status_loop(self->sh, &self->listed_entry);
		break;
	}
	_exit(0);
}

static void start_all(struct __test_metadata *const _metadata, FIXTURE_DATA(stress) *self)
{
	int i;

	for (i = 0; i < NR_LISTED; i++)
		spawn(_metadata, self, LISTED_LOOP, i);
	for (i = 0; i < NR_UNLISTED; i++)
		spawn(_metadata, self, UNLISTED_LOOP, i);
	spawn(_metadata, self, REPLACE_LOOP, 0);
	spawn(_metadata, self, EVENT_READER, 0);
	spawn(_metadata, self, EVENT_READER, 1);	/* the slow one */
	spawn(_metadata, self, STATUS_READER, 0);
}

/* Stops the workers and waits for them; false if one did not end by itself. */
static bool stop_all(FIXTURE_DATA(stress) *self)
{
	bool clean = true;
	int i, status;

	if (!self->sh)
		return true;
	__atomic_store_n(&self->sh->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < self->nr_workers; i++) {
		pid_t pid;

		do {
			pid = waitpid(self->workers[i], &status, 0);
		} while (pid < 0 && errno == EINTR);
		if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			clean = false;
	}
	self->nr_workers = 0;
	return clean;
}

static void kernel_log_clean(struct __test_metadata *const _metadata, int kmsg)
{
	char line[512];

	if (kmsg < 0)
		return;
	ASSERT_EQ(0, kst_kmsg_check(kmsg, line, sizeof(line), NULL)) {
		TH_LOG("kernel log: %s", line);
	}
}

/*
 * Lets the workers run for the test's time (the caller's step, if any, in
 * between), watching the kernel log and stopping at the first failure.
 */
static void run_for(struct __test_metadata *const _metadata, FIXTURE_DATA(stress) *self,
		    bool (*step)(struct __test_metadata *const _metadata,
				 FIXTURE_DATA(stress) *self, unsigned int i))
{
	uint64_t deadline = kst_now_ms() + self->seconds * 1000ULL;
	unsigned int i;

	for (i = 0; kst_now_ms() < deadline && !self->sh->failed; i++) {
		if (!step || !step(_metadata, self, i))
			usleep(200000);
		kernel_log_clean(_metadata, self->kmsg);
	}
}

/*
 * The kmemleak report's objects whose allocation went through kasblock, or -1
 * without kmemleak. The report keeps what earlier scans found (and vm-init.sh
 * prints it at the end of the run): count, never clear.
 */
static int kmemleak_kasblock(char *report, size_t len)
{
	FILE *f = fopen(DEBUGFS_KMEMLEAK, "re");
	char *obj, *next;
	int n = 0;

	if (!f)
		return -1;
	report[fread(report, 1, len - 1, f)] = '\0';
	fclose(f);
	for (obj = strstr(report, "unreferenced object"); obj; obj = next) {
		char *hit = strstr(obj, "[kasblock]");

		next = strstr(obj + 1, "unreferenced object");
		n += hit && (!next || hit < next);
	}
	return n;
}

static int write_knob(const char *path, const char *what)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, what, strlen(what)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

FIXTURE_SETUP(stress)
{
	const char *s = getenv("KST_STRESS_SECONDS");
	char tag[64];
	int i;

	self->kmsg = -1;
	self->seconds = s && *s ? strtoul(s, NULL, 10) : STRESS_SECONDS;
	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	snprintf(self->listed, sizeof(self->listed), "%s/listed", self->dir);
	ASSERT_EQ(0, kst_copy_tagged("kst-true", self->listed, "stress:listed",
				     self->listed_entry.digest));
	strcpy(self->listed_entry.label, LISTED_LABEL);
	for (i = 0; i < NR_UNLISTED; i++) {
		snprintf(self->unlisted[i], sizeof(self->unlisted[i]), "%s/unlisted-%d",
			 self->dir, i);
		snprintf(tag, sizeof(tag), "stress:unlisted:%d", i);
		ASSERT_EQ(0, kst_copy_tagged("kst-true", self->unlisted[i], tag, NULL));
	}
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &self->listed_entry, 1));
	ASSERT_EQ(EPERM, kst_run(self->listed));
	ASSERT_EQ(0, kst_run(self->unlisted[0]));

	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	memset(self->sh, 0, sizeof(*self->sh));
	self->kmsg = kst_kmsg_open();
	self->report = malloc(REPORT_MAX);
	ASSERT_NE(NULL, self->report);
	self->kmemleak = kmemleak_kasblock(self->report, REPORT_MAX);
}

FIXTURE_TEARDOWN(stress)
{
	int i;

	/* A failed assertion left them running: end them, one by one. */
	if (self->sh) {
		__atomic_store_n(&self->sh->stop, 1, __ATOMIC_RELEASE);
		for (i = 0; i < self->nr_workers; i++)
			kill(self->workers[i], SIGKILL);
		stop_all(self);
		munmap(self->sh, sizeof(*self->sh));
	}
	if (self->kmsg >= 0)
		close(self->kmsg);
	free(self->report);
	kst_nl_close(&self->nl);
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

static const char *const worker_names[NR_KINDS] = {
	"listed exec loop", "unlisted exec loop", "replace loop", "event reader",
	"status reader",
};

static void log_failures(struct __test_metadata *const _metadata, const struct shared *sh)
{
	int i;

	for (i = 0; i < NR_KINDS; i++)
		if (sh->why[i][0])
			TH_LOG("%s: %s", worker_names[i], sh->why[i] + 1);
}

static void log_counts(struct __test_metadata *const _metadata, const struct shared *sh)
{
	TH_LOG("listed: %lu denied (and around reloads: %lu denied, %lu ran, %lu killed); unlisted: %lu ran, %lu of them new files",
	       sh->l_denied, sh->l_reload_denied, sh->l_reload_ran, sh->l_reload_killed,
	       sh->u_ran + sh->u_fresh_ran, sh->u_fresh_ran);
	TH_LOG("replace: %lu commits (%lu entries), %lu aborts, %lu cut by a reload; events: %lu read, slow reader %lu read and %lu overruns; %lu statuses, %lu whole dumps (%lu flagged interrupted), %lu cut by a reload",
	       sh->commits, sh->entries_committed, sh->aborts, sh->replace_interrupted,
	       sh->events, sh->slow_events, sh->slow_overruns, sh->statuses, sh->dumps,
	       sh->dumps_busy, sh->reader_interrupted);
}

TEST_F_TIMEOUT(stress, exec_list_events_and_status_at_once, 200)
{
	struct kst_status before, after;
	struct kst_entry *want, *got = NULL;
	uint8_t sum[KASBLOCK_DIGEST_LEN], *all;
	struct shared *sh = self->sh;
	size_t i, n;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &before));
	start_all(_metadata, self);
	run_for(_metadata, self, NULL);
	ASSERT_TRUE(stop_all(self));
	log_counts(_metadata, sh);
	ASSERT_EQ(0, sh->failed) {
		log_failures(_metadata, sh);
	}

	/* Everyone got going. */
	ASSERT_LT(0, sh->l_denied);
	ASSERT_LT(0, sh->u_fresh_ran);
	ASSERT_LT(2, sh->commits);
	if (sh->commits + sh->aborts >= 8)
		ASSERT_LT(0, sh->aborts);
	ASSERT_LT(0, sh->events);
	ASSERT_LT(0, sh->statuses);
	ASSERT_LT(0, sh->dumps);

	/* The list is what the last commit made it, and status's digest says so. */
	ASSERT_LT(0, sh->last_round);
	n = sh->last_n;
	want = calloc(n, sizeof(*want));
	all = malloc(n * KASBLOCK_DIGEST_LEN);
	ASSERT_TRUE(want && all);
	round_list(want, n, sh->last_round, &self->listed_entry);
	qsort(want, n, sizeof(*want), cmp_digest);
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &got, &i, NULL));
	ASSERT_EQ(n, i);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, memcmp(want[i].digest, got[i].digest, KASBLOCK_DIGEST_LEN));
		ASSERT_STREQ(want[i].label, got[i].label);
		memcpy(all + i * KASBLOCK_DIGEST_LEN, want[i].digest, KASBLOCK_DIGEST_LEN);
	}
	kst_sha256(all, n * KASBLOCK_DIGEST_LEN, sum);
	free(want);
	free(got);
	free(all);
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	ASSERT_EQ(n, after.nr_entries);
	ASSERT_TRUE(after.has_policy_digest);
	ASSERT_EQ(0, memcmp(sum, after.policy_digest, KASBLOCK_DIGEST_LEN));
	ASSERT_EQ(KASBLOCK_MODE_ENFORCE, after.mode);

	/*
	 * The counters agree with the loops: one denial per refused exec of
	 * the listed program and no other (nothing else is listed), a check
	 * at least per exec, no file that could not be hashed, and each of the
	 * slow reader's overruns a dropped event.
	 */
	ASSERT_EQ(sh->l_denied, after.denials - before.denials);
	ASSERT_LE(sh->l_denied + sh->u_ran + sh->u_fresh_ran, after.checks - before.checks);
	ASSERT_EQ(0, after.errors - before.errors);
	ASSERT_LE(sh->events, after.denials - before.denials);
	ASSERT_LE(sh->slow_overruns, after.events_dropped - before.events_dropped);

	/* Nothing kept: flushed, the list is empty; kmemleak finds none of kasblock's. */
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_FLUSH, NULL, 0));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &after));
	ASSERT_EQ(0, after.nr_entries);
	if (self->kmemleak >= 0) {
		int now;

		/* An object is reported once 5 s old; a second scan settles the rest. */
		sleep(6);
		ASSERT_EQ(0, write_knob(DEBUGFS_KMEMLEAK, "scan"));
		ASSERT_EQ(0, write_knob(DEBUGFS_KMEMLEAK, "scan"));
		now = kmemleak_kasblock(self->report, REPORT_MAX);
		TH_LOG("kmemleak: %d unreferenced objects of kasblock's before, %d after",
		       self->kmemleak, now);
		ASSERT_GE(self->kmemleak, now) {
			TH_LOG("kmemleak:\n%s", self->report);
		}
	}
	kernel_log_clean(_metadata, self->kmsg);
}

/* One rmmod/insmod cycle every few steps of run_for(). */
static bool reload(struct __test_metadata *const _metadata, FIXTURE_DATA(stress) *self,
		   unsigned int i)
{
	uint64_t t0 = kst_now_ms();
	struct kst_nl nl;
	int ret;

	if (i % 5)
		return false;
	/* Odd: what an exec of the listed program gives is not known now. */
	__atomic_add_fetch(&self->sh->epoch, 1, __ATOMIC_SEQ_CST);
	ret = kst_module_unload(20000);
	ASSERT_EQ(0, ret) {
		TH_LOG("rmmod: %s", strerror(-ret));
	}
	ASSERT_FALSE(kst_module_loaded());
	usleep(300000);		/* a while without the module */
	ret = kst_module_load(NULL);
	ASSERT_EQ(0, ret) {
		TH_LOG("insmod: %s", strerror(-ret));
	}
	ASSERT_EQ(0, kst_nl_open(&nl));
	ASSERT_EQ(0, kst_nl_cmd(&nl, KASBLOCK_CMD_ADD, &self->listed_entry, 1));
	kst_nl_close(&nl);
	ASSERT_EQ(EPERM, kst_run(self->listed));
	/* Even: loaded, and the listed program listed. */
	__atomic_add_fetch(&self->sh->epoch, 1, __ATOMIC_SEQ_CST);
	self->reloads++;
	self->reload_ms += kst_now_ms() - t0;
	return true;
}

TEST_F_TIMEOUT(stress, with_rmmod_and_insmod, 200)
{
	struct shared *sh = self->sh;
	struct kst_entry *e = NULL;
	struct kst_status st;
	size_t n;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	if (st.locked)
		SKIP(return, "the module is locked until reboot: it cannot be unloaded");
	kst_nl_close(&self->nl);
	start_all(_metadata, self);
	run_for(_metadata, self, reload);
	/* A slow kernel (the debug one takes 20 s a cycle) still gets two, and a while after. */
	while (self->reloads < 2 && !sh->failed) {
		reload(_metadata, self, 0);
		sleep(1);
	}
	ASSERT_TRUE(stop_all(self));
	TH_LOG("%u rmmod/insmod cycles, %llu ms each", self->reloads,
	       (unsigned long long)(self->reloads ? self->reload_ms / self->reloads : 0));
	log_counts(_metadata, sh);
	ASSERT_EQ(0, sh->failed) {
		log_failures(_metadata, sh);
	}
	ASSERT_LE(2, self->reloads);
	ASSERT_LT(0, sh->l_denied);
	ASSERT_LT(0, sh->l_reload_ran);
	ASSERT_LT(0, sh->u_fresh_ran);
	ASSERT_LT(0, sh->commits);
	ASSERT_LT(0, sh->events);

	/* Loaded, listing the listed program, and working. */
	ASSERT_TRUE(kst_module_loaded());
	ASSERT_EQ(0, kst_nl_open(&self->nl));
	ASSERT_EQ(0, kst_nl_dump(&self->nl, &e, &n, NULL));
	ASSERT_TRUE(has_digest(e, n, self->listed_entry.digest));
	free(e);
	ASSERT_EQ(EPERM, kst_run(self->listed));
	ASSERT_EQ(0, kst_run(self->unlisted[0]));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_FLUSH, NULL, 0));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(0, st.nr_entries);
	kernel_log_clean(_metadata, self->kmsg);
}

TEST_HARNESS_MAIN
