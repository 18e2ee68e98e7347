/* SPDX-License-Identifier: GPL-2.0 */
/* Talking to kasblock.ko over generic netlink (libmnl). Returns -errno; never prints. */
#ifndef KB_NETLINK_H
#define KB_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "kasblock.h"
#include "listfile.h"

/* Largest request: the entry list's nest length is a u16, and ipset sends 64 KiB too. */
#define KB_NL_MSG_MAX 65536
/* Entry-list requests sent before their ACKs are read. */
#define KB_NL_WINDOW 16

struct kb_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;
	char *rx;		/* receive buffer */
	char *tx;		/* KB_NL_WINDOW request buffers of KB_NL_MSG_MAX bytes */
	/* About the last operation, for the caller's error message: */
	char extack[256];	/* NLMSGERR_ATTR_MSG of the first error, or "" */
	long bad_entry;		/* index of the entry the kernel pointed at, or -1 */
	size_t done;		/* entries of a batched request that the kernel accepted */
};

/* What GET_STATUS answers. A field is valid only if its bit is set in have. */
struct kb_status {
	uint64_t have;		/* 1ULL << KASBLOCK_A_* */
	uint64_t have_counters;	/* 1ULL << KASBLOCK_COUNTER_A_* */
	uint32_t mode;
	uint64_t generation;
	uint32_t nr_entries;
	uint32_t max_entries;
	uint64_t max_hash_size;
	uint32_t fail_policy;
	char hash_driver[64];
	uint32_t cache_entries;
	uint32_t cache_size;
	uint8_t locked;
	uint8_t policy_digest[KASBLOCK_DIGEST_LEN];
	uint64_t counters[__KASBLOCK_COUNTER_A_LAST];
	uint32_t attest_state;	/* enum kasblock_attest_state */
	uint32_t attest_pcr;
	uint32_t measurements;
	uint32_t measurement_gaps;
};

/* One record of the measurement log, as GET_MEASUREMENTS sends it. */
struct kb_measurement {
	uint8_t record[KASBLOCK_MEASUREMENT_SIZE];	/* struct kasblock_measurement */
	bool extended;		/* the PCR was extended with it */
	bool have_record, have_extended;
};

/*
 * Open a socket and resolve the "kasblock" family. -ENOENT means the family
 * is not registered: the module is not loaded (or this is not the initial
 * network namespace).
 */
int kb_nl_open(struct kb_nl **nl);
void kb_nl_close(struct kb_nl *nl);

/*
 * The id of multicast group `group` of generic netlink family `family`.
 * -ENOENT if the family is not registered or has no such group.
 */
int kb_nl_mcast_group(struct kb_nl *nl, const char *family, const char *group, uint32_t *id);

/* A command without attributes (REPLACE_BEGIN/COMMIT/ABORT, FLUSH), waiting for its ACK. */
int kb_nl_simple(struct kb_nl *nl, uint8_t cmd);
int kb_nl_set_mode(struct kb_nl *nl, uint32_t mode);
int kb_nl_get_status(struct kb_nl *nl, struct kb_status *status);

/*
 * ADD, DEL or REPLACE_ADD of n entries, packed into as few messages as fit
 * (each all-or-nothing in the kernel), up to KB_NL_WINDOW in flight. Returns
 * the first error; nl->done counts the entries of accepted messages, and
 * nl->bad_entry names the entry the kernel complained about, if it said.
 */
int kb_nl_send_entries(struct kb_nl *nl, uint8_t cmd, const struct kb_entry *entries, size_t n);

/*
 * The digest the module's digest cache holds for the open file fd (of this
 * process), without hashing. -ENODATA: not cached (hash it yourself);
 * -EOPNOTSUPP: a module older than KASBLOCK_CMD_GET_FILE_DIGEST.
 */
int kb_nl_file_digest(struct kb_nl *nl, int fd, uint8_t digest[KASBLOCK_DIGEST_LEN]);

/*
 * Dump the active list into list (emptied first), restarting when the kernel
 * flags the dump as interrupted. -EAGAIN if it never held still.
 */
int kb_nl_get_entries(struct kb_nl *nl, struct kb_list *list, uint64_t *generation);

/*
 * The measurement log, oldest first, into *recs (malloc'd, the caller frees) and *n.
 * -EOPNOTSUPP from a module without attestation support.
 */
int kb_nl_get_measurements(struct kb_nl *nl, struct kb_measurement **recs, size_t *n);

/* Names of uapi values as the tool prints and reads them; NULL / -EINVAL if unknown. */
const char *kb_mode_name(uint32_t mode);
int kb_mode_parse(const char *name);
const char *kb_fail_policy_name(uint32_t policy);
const char *kb_attest_state_name(uint32_t state);

/* Building and parsing messages, and another family's socket; exposed for the host tests. */
int kb_nl_open_family(struct kb_nl **nl, const char *family);
/*
 * Dump command cmd: each reply message goes to cb (a negative return is kept
 * and returned once the dump is read to its end); *intr tells whether the
 * kernel flagged the dump as interrupted.
 */
int kb_nl_dump(struct kb_nl *nl, uint8_t cmd, int (*cb)(const struct nlmsghdr *, void *),
	       void *data, bool *intr);
struct nlmsghdr *kb_nl_put_header(void *buf, uint16_t family, uint8_t cmd, uint16_t flags,
				  uint32_t seq);
/*
 * Append KASBLOCK_A_ENTRIES with as many of the n entries as fit buflen, the
 * u16 nest length and KASBLOCK_BATCH_MAX. Returns how many; 0 leaves nlh as it was.
 */
size_t kb_nl_put_entries(struct nlmsghdr *nlh, size_t buflen, const struct kb_entry *entries,
			 size_t n, bool labels);
/* Index of the entry (counting from this message's first) holding byte offset off, or -1. */
long kb_nl_entry_at(const struct nlmsghdr *nlh, uint32_t off);
int kb_nl_parse_status(const struct nlmsghdr *nlh, struct kb_status *status);
/* Append the entries of one dump message; *generation gets its generation if present. */
int kb_nl_parse_entries(const struct nlmsghdr *nlh, struct kb_list *list, uint64_t *generation,
			bool *have_generation);
/*
 * Read an NLMSG_ERROR (or NLMSG_DONE) message: returns its error (0 for an
 * ACK), copying any extack message into msg and bad-attribute offset into *off.
 */
int kb_nl_parse_ack(const struct nlmsghdr *nlh, char *msg, size_t msglen, uint32_t *off);

#endif
