/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kasblock selftests: helpers shared by the test programs.
 *
 * These functions know nothing of the harness: they return 0 or -errno (or a
 * documented value) and never print, so that each test asserts on what they
 * return. common.h adds the harness on top.
 */
#ifndef KST_HELPERS_H
#define KST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "kasblock.h"

/* The documented module parameter defaults; fixtures restore these. */
#define KST_DEFAULT_MAX_ENTRIES "1048576"
#define KST_DEFAULT_MAX_HASH_SIZE "536870912"
#define KST_DEFAULT_FAIL_CLOSED "N"

/* Where the VM keeps things; each can be overridden from the environment. */
#define KST_KO_DEFAULT "/kasblock/kasblock.ko"		/* KASBLOCK_KO */
#define KST_TOOL_DEFAULT "/usr/sbin/kasblockctl"	/* KASBLOCKCTL */

#define KST_HEX_LEN (2 * KASBLOCK_DIGEST_LEN)

/*
 * On a filesystem without i_version the module does not cache a file changed within
 * the last second (kmod/cache.c): a test that needs a file cached waits this long
 * after writing it, before its first exec.
 */
#define KST_AGE_US 2100000

/* sha256.c: an implementation independent of the module's and the tool's. */
void kst_sha256(const void *data, size_t len, uint8_t out[KASBLOCK_DIGEST_LEN]);
int kst_sha256_file(const char *path, uint8_t out[KASBLOCK_DIGEST_LEN]);
void kst_hex(const uint8_t digest[KASBLOCK_DIGEST_LEN], char hex[KST_HEX_LEN + 1]);

/* nl.c: a small generic netlink client for the kasblock family. */
struct mnl_socket;
struct nlmsghdr;

struct kst_nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t events_group;	/* the KASBLOCK_MCGRP_EVENTS id, 0 if none */
	uint32_t portid;
	uint32_t seq;
	char extack[256];	/* the last rejection's extack message, or "" */
};

struct kst_entry {
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char label[KASBLOCK_LABEL_MAX];	/* "" when the entry has none */
};

struct kst_status {
	uint32_t mode;
	uint64_t generation;
	uint32_t nr_entries;
	uint32_t max_entries;
	uint64_t max_hash_size;
	uint32_t fail_policy;
	char hash_driver[64];
	uint32_t cache_entries;
	uint32_t cache_size;
	bool locked;
	bool has_policy_digest;
	uint8_t policy_digest[KASBLOCK_DIGEST_LEN];
	uint64_t checks;
	uint64_t denials;
	uint64_t bytes_hashed;
	uint64_t errors;
	uint64_t cache_hits;
	uint64_t cache_misses;
	uint64_t cache_evictions;
	uint64_t events_dropped;
	bool has_attest_state;
	uint32_t attest_state;		/* enum kasblock_attest_state */
	bool has_attest_pcr;
	uint32_t attest_pcr;
	uint32_t measurements;
	uint32_t measurement_gaps;
	uint64_t tpm_errors;
};

/* Large enough for KASBLOCK_BATCH_MAX + 1 unlabelled entries. */
#define KST_MSG_MAX (512 * 1024)

int kst_nl_open(struct kst_nl *nl);	/* -ENOENT: no kasblock family */
void kst_nl_close(struct kst_nl *nl);
/* Starts a request in buf (KST_MSG_MAX bytes). */
struct nlmsghdr *kst_nl_msg(struct kst_nl *nl, void *buf, uint8_t cmd, uint16_t flags);
/*
 * Appends KASBLOCK_A_ENTRIES holding n entries, labels only where set.
 * -EMSGSIZE when they do not fit in one attribute (nla_len is 16 bits).
 */
int kst_nl_put_entries(struct nlmsghdr *nlh, const struct kst_entry *e, size_t n);
/* How many entries fit in one KASBLOCK_A_ENTRIES, with or without labels. */
size_t kst_nl_entries_fit(bool labelled);
/* Sends nlh and waits for its ack; -errno of the rejection, extack in nl->extack. */
int kst_nl_send(struct kst_nl *nl, struct nlmsghdr *nlh);
/* A command with an optional entry list (n == 0: no KASBLOCK_A_ENTRIES). */
int kst_nl_cmd(struct kst_nl *nl, uint8_t cmd, const struct kst_entry *e, size_t n);
int kst_nl_set_mode(struct kst_nl *nl, uint32_t mode);
int kst_nl_status(struct kst_nl *nl, struct kst_status *st);
/*
 * Dumps the active list, sorted by digest, into *entries (malloc'ed; free it).
 * Restarts by itself when the dump is interrupted by a change.
 */
int kst_nl_dump(struct kst_nl *nl, struct kst_entry **entries, size_t *n,
		uint64_t *generation);
/* Replaces the whole list in one staged transaction, batching as needed. */
int kst_nl_replace(struct kst_nl *nl, const struct kst_entry *e, size_t n);

/*
 * GET_FILE_DIGEST for this process's descriptor fd (fd < 0: the attribute left
 * out): 0 with the module's cached digest, or -errno (ENODATA: not cached).
 */
int kst_nl_file_digest(struct kst_nl *nl, int fd, uint8_t digest[KASBLOCK_DIGEST_LEN]);

/* One record of the measurement log (GET_MEASUREMENTS). */
struct kst_measurement {
	struct kasblock_measurement rec;
	bool extended;
};
/* The whole measurement log into *m (malloc'ed; free it), oldest first. */
int kst_nl_measurements(struct kst_nl *nl, struct kst_measurement **m, size_t *n);

/* A comparable picture of the active list: its generation and contents. */
struct kst_snapshot {
	uint64_t generation;
	size_t nr;
	uint8_t sum[KASBLOCK_DIGEST_LEN];	/* SHA-256 of the sorted dump */
};
int kst_snapshot(struct kst_nl *nl, struct kst_snapshot *snap);
bool kst_snapshot_equal(const struct kst_snapshot *a, const struct kst_snapshot *b);

/* Fills e with a digest derived from seed (distinct seeds, distinct digests). */
void kst_fake_entry(struct kst_entry *e, uint32_t seed, const char *label);

/* util.c: files and programs. */
int kst_tmpdir(char path[64]);		/* a fresh 0755 directory under /tmp */
int kst_rmtree(const char *path);
/*
 * Writes an executable at path: the tiny kst-true program with tag appended,
 * padded with zero bytes to at least min_size bytes. Distinct tags give
 * distinct digests; the digest of what was written goes to digest (if set).
 */
int kst_make_prog(const char *path, const char *tag, size_t min_size,
		  uint8_t digest[KASBLOCK_DIGEST_LEN]);
int kst_write_file(const char *path, const void *data, size_t len, mode_t mode);
/* The path of a program built next to the running test program. */
void kst_sibling(const char *name, char path[PATH_MAX]);
/*
 * Copies the sibling build product name to dst with tag appended (the ELF loader
 * and ld.so ignore bytes past the segments): a digest of its own, stored in
 * digest when not NULL.
 */
int kst_copy_tagged(const char *name, const char *dst, const char *tag,
		    uint8_t digest[KASBLOCK_DIGEST_LEN]);

/* How a child runs a program. */
struct kst_exec {
	int dirfd;		/* AT_FDCWD unless exec'ing through a descriptor */
	int flags;		/* execveat() flags, e.g. AT_EMPTY_PATH */
	const char *comm;	/* the child's comm before the exec (NULL: keep) */
	uid_t uid;		/* switch to this uid/gid first (0: stay root) */
	pid_t pid;		/* out: the child that exec'ed */
	int status;		/* out: its wait status */
};

/*
 * Forks a child that executes path. Returns 0 when the program ran and exited
 * with status 0, the errno of the failed execve (> 0), or -1 when it ran but
 * did not exit 0 or the child could not be created.
 */
int kst_run(const char *path);
int kst_run_ex(const char *path, struct kst_exec *how);

/* Module parameters in /sys/module/kasblock/parameters/. */
int kst_param_write(const char *name, const char *value);
int kst_param_read(const char *name, char *buf, size_t len);
/* Writes the documented defaults of every writable parameter. */
int kst_params_reset(void);

/* The module itself, loaded with finit_module(2) from $KASBLOCK_KO. */
bool kst_module_loaded(void);
int kst_module_load(const char *params);
/* Retries while the module is busy (EAGAIN, EBUSY) for up to wait_ms. */
int kst_module_unload(unsigned int wait_ms);

/*
 * Reads the kernel log (klogctl, raw text) and copies into line the first
 * line containing every string of needles (NULL-terminated). -ENOENT if none.
 */
int kst_klog_find(const char *const *needles, char *line, size_t len);
/* How many lines of the kernel log contain every needle; -errno. */
int kst_klog_count(const char *const *needles);

/*
 * Runs kasblockctl (from $KASBLOCKCTL) with args (NULL-terminated; args[0] is
 * the first argument, not the program). out/err receive stdout/stderr,
 * NUL-terminated (either may be NULL). Returns the exit status, or -1.
 */
int kst_tool(const char *const *args, char *out, size_t outlen, char *err,
	     size_t errlen);
int kst_tool_as(uid_t uid, const char *const *args, char *out, size_t outlen,
		char *err, size_t errlen);

/*
 * Keeps only those of the current capabilities in mask (effective and
 * permitted), as root or as uid/gid 65534.
 */
int kst_keep_only_caps(uint64_t mask, bool as_nobody);

/*
 * A child that runs program a, then program b, over and over until stopped,
 * counting in shared memory what each run gave. a is meant to be listed (it
 * may be denied, or run while the module is away), b never listed.
 */
struct kst_loop {
	pid_t pid;
	volatile int stop;
	unsigned long a_denied, a_ran, a_other;	/* EPERM, 0, anything else */
	unsigned long a_killed;	/* SIGSEGV: denied past exec's point of no return */
	unsigned long b_ran, b_failed;
	int a_other_result, b_failed_result;	/* the first unexpected ones, */
	int a_other_status, b_failed_status;	/* with their wait status */
};

struct kst_loop *kst_loop_start(const char *a, const char *b);	/* NULL: errno */
void kst_loop_stop(struct kst_loop *loop);	/* waits; keeps the counts */
void kst_loop_free(struct kst_loop *loop);

/* Monotonic milliseconds. */
uint64_t kst_now_ms(void);

/*
 * Signs of a sick kernel in the kernel log, read as it is written: the ring
 * buffer the VM dumps at the end of a run keeps only its last 128 KB, and a
 * test that changes the policy thousands of times (one log line each) pushes
 * its own warnings out of it. kst_kmsg_open() starts reading /dev/kmsg at its
 * end (a descriptor, or -errno); kst_kmsg_check() reads what was logged since
 * and copies the first kernel line that reports a warning, BUG, oops, lockdep,
 * RCU stall or the like into line: 1 when there was one, 0 when not, -errno.
 * *lost (if set) counts the times records were overwritten before they could
 * be read (each time, one or more).
 */
int kst_kmsg_open(void);
int kst_kmsg_check(int fd, char *line, size_t len, unsigned long *lost);

#endif /* KST_HELPERS_H */
