/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kasblock: the generic netlink interface between kasblock.ko and kasblockctl.
 *
 * This file is a contract. Never renumber or reuse a command or an attribute:
 * append before the __LAST markers. The kernel rejects attributes it does not
 * know (strict validation), so an old module refuses what a newer tool sends
 * instead of ignoring it.
 *
 * Family "kasblock", version 1, only in the initial network namespace. Every
 * command needs CAP_SYS_ADMIN or CAP_MAC_ADMIN in the initial user namespace
 * (else EPERM). Every rejection carries an extended ACK message.
 *
 * Digests travel as 32 raw bytes (SHA-256 of the whole file); hex is the
 * tool's business. A label is an optional short, NUL-terminated name shown in
 * denial logs, at most KASBLOCK_LABEL_MAX bytes including the NUL.
 *
 * An "entry list" is:
 *
 *    KASBLOCK_A_ENTRIES: NLA_NESTED
 *        KASBLOCK_A_ENTRY: NLA_NESTED          (repeated, at most
 *            KASBLOCK_ENTRY_A_DIGEST: 32 bytes  KASBLOCK_BATCH_MAX per message)
 *            KASBLOCK_ENTRY_A_LABEL: NLA_NUL_STRING, optional
 *        ...
 *
 * Commands (request attributes -> effect; errno per cause):
 *
 *  KASBLOCK_CMD_ADD       entry list. Adds every entry, or none of them.
 *                         A digest already listed keeps its entry (its label
 *                         is replaced when one is given).
 *                         EINVAL missing, unknown or malformed attribute, or a
 *                         label without its NUL within KASBLOCK_LABEL_MAX bytes
 *                         (too long); ERANGE a digest that is not exactly 32
 *                         bytes (the netlink policy's own errno for a length
 *                         out of range); E2BIG more than KASBLOCK_BATCH_MAX
 *                         entries; ENOSPC the list would exceed max_entries;
 *                         ENOMEM.
 *  KASBLOCK_CMD_DEL       entry list (labels ignored). Deletes every entry or
 *                         none: ENOENT if a digest is not listed, else as ADD.
 *  KASBLOCK_CMD_REPLACE_BEGIN   no attributes. Opens a staged, empty list
 *                         owned by the sending socket. EBUSY if another socket
 *                         has one open. Closing the socket aborts it.
 *  KASBLOCK_CMD_REPLACE_ADD     entry list, into the staged list. ENOENT if
 *                         this socket has no staged list; otherwise as ADD.
 *  KASBLOCK_CMD_REPLACE_COMMIT  no attributes. The staged list becomes the
 *                         active list in one step: an exec sees the old list
 *                         or the new one, never a mix. ENOENT as above.
 *  KASBLOCK_CMD_REPLACE_ABORT   no attributes. Drops the staged list.
 *  KASBLOCK_CMD_FLUSH     no attributes. Empties the active list.
 *  KASBLOCK_CMD_GET_ENTRIES     dump, no attributes. Each reply message holds
 *                         KASBLOCK_A_GENERATION and an entry list (labels
 *                         included when set). A dump interrupted by a change
 *                         is flagged NLM_F_DUMP_INTR: start again.
 *  KASBLOCK_CMD_GET_STATUS      no attributes. Reply: KASBLOCK_A_MODE,
 *                         KASBLOCK_A_GENERATION, KASBLOCK_A_NR_ENTRIES,
 *                         KASBLOCK_A_MAX_ENTRIES, KASBLOCK_A_MAX_HASH_SIZE,
 *                         KASBLOCK_A_FAIL_POLICY, KASBLOCK_A_HASH_DRIVER,
 *                         KASBLOCK_A_COUNTERS (KASBLOCK_COUNTER_A_*, u64),
 *                         KASBLOCK_A_CACHE_ENTRIES, KASBLOCK_A_CACHE_SIZE.
 *  KASBLOCK_CMD_SET_MODE  KASBLOCK_A_MODE. EINVAL if missing, ERANGE if not
 *                         an enum kasblock_mode value, EPERM if locked.
 *  KASBLOCK_CMD_LOCK      no attributes. Locks the policy until reboot: entries can
 *                         still be added, but DEL, FLUSH, a REPLACE_COMMIT whose list
 *                         drops an entry, and leaving enforce mode fail with EPERM
 *                         (extack "locked"); the mode is set to enforce; the module
 *                         takes a reference on itself, so it cannot be unloaded.
 *  KASBLOCK_CMD_EVENT     never sent by user space: the kernel multicasts one per
 *                         match on the KASBLOCK_MCGRP_EVENTS group (joining needs
 *                         CAP_SYS_ADMIN): KASBLOCK_A_EVENT with KASBLOCK_EVENT_A_*.
 *                         Events that cannot be sent at once are dropped and counted
 *                         (KASBLOCK_COUNTER_A_EVENTS_DROPPED), never waited for.
 *  KASBLOCK_CMD_GET_FILE_DIGEST  KASBLOCK_A_FD: a file descriptor of the sending
 *                         process, open for reading. Reply: KASBLOCK_A_FILE_DIGEST,
 *                         the digest the module's digest cache holds for that file,
 *                         if the cache still vouches for it (same identity and
 *                         validator, not open for write: what an exec would trust).
 *                         Never hashes: this is how `kasblockctl sweep` avoids
 *                         rehashing what every exec already hashed. EINVAL missing
 *                         attribute, or not a regular file; EBADF no such descriptor,
 *                         or not open for reading; ENODATA not in the cache (hash it
 *                         yourself). Allowed when locked: it changes nothing.
 *  KASBLOCK_CMD_GET_MEASUREMENTS  dump, no attributes. The measurement log (see
 *                         "Attestation" below), oldest first: each reply message holds
 *                         KASBLOCK_A_MEASUREMENT nests, one per event, each with
 *                         KASBLOCK_MEASUREMENT_A_RECORD (exactly
 *                         sizeof(struct kasblock_measurement) bytes) and
 *                         KASBLOCK_MEASUREMENT_A_EXTENDED (u8: 1 if the PCR was
 *                         extended with it). The log only grows, so a dump is always
 *                         a consistent prefix of it. An empty dump: attestation is
 *                         disabled or unavailable (GET_STATUS says which).
 *
 * The policy digest (KASBLOCK_A_POLICY_DIGEST) identifies the list independently of
 * order and labels: SHA-256 over the listed digests sorted bytewise and concatenated
 * (SHA-256 of nothing for an empty list).
 *
 * Every change to the active list or the mode increments the generation.
 */
#ifndef _UAPI_KASBLOCK_H
#define _UAPI_KASBLOCK_H

#include <linux/types.h>

#define KASBLOCK_GENL_NAME "kasblock"
#define KASBLOCK_GENL_VERSION 1

#define KASBLOCK_DIGEST_LEN 32
#define KASBLOCK_LABEL_MAX 64		/* bytes, including the trailing NUL */
/*
 * Entries in one message. A nest's length is 16 bits, so one KASBLOCK_A_ENTRIES holds at
 * most 65535 bytes: 1638 unlabelled entries, or 606 with labels of maximal length.
 */
#define KASBLOCK_BATCH_MAX 1024
#define KASBLOCK_MCGRP_EVENTS "events"

enum kasblock_cmd {
	KASBLOCK_CMD_UNSPEC,
	KASBLOCK_CMD_ADD,
	KASBLOCK_CMD_DEL,
	KASBLOCK_CMD_REPLACE_BEGIN,
	KASBLOCK_CMD_REPLACE_ADD,
	KASBLOCK_CMD_REPLACE_COMMIT,
	KASBLOCK_CMD_REPLACE_ABORT,
	KASBLOCK_CMD_FLUSH,
	KASBLOCK_CMD_GET_ENTRIES,
	KASBLOCK_CMD_GET_STATUS,
	KASBLOCK_CMD_SET_MODE,
	KASBLOCK_CMD_LOCK,
	KASBLOCK_CMD_EVENT,
	KASBLOCK_CMD_GET_FILE_DIGEST,
	KASBLOCK_CMD_GET_MEASUREMENTS,
	__KASBLOCK_CMD_LAST
};
#define KASBLOCK_CMD_MAX (__KASBLOCK_CMD_LAST - 1)

enum kasblock_mode {
	KASBLOCK_MODE_UNSPEC,
	KASBLOCK_MODE_ENFORCE,	/* deny with EPERM, log "deny" */
	KASBLOCK_MODE_MONITOR,	/* allow, log "would-deny" */
	__KASBLOCK_MODE_LAST
};
#define KASBLOCK_MODE_MAX (__KASBLOCK_MODE_LAST - 1)

/* What an exec gets when its file cannot be hashed (too big, read error, no memory). */
enum kasblock_fail_policy {
	KASBLOCK_FAIL_OPEN,	/* allow, log the event */
	KASBLOCK_FAIL_CLOSED,	/* deny with the cause's errno (EFBIG, EIO, ENOMEM, ...) */
	__KASBLOCK_FAIL_LAST
};

enum kasblock_attr {
	KASBLOCK_A_UNSPEC,
	KASBLOCK_A_PAD,
	KASBLOCK_A_ENTRIES,		/* NLA_NESTED: KASBLOCK_A_ENTRY... */
	KASBLOCK_A_ENTRY,		/* NLA_NESTED: KASBLOCK_ENTRY_A_* */
	KASBLOCK_A_MODE,		/* u32: enum kasblock_mode */
	KASBLOCK_A_GENERATION,		/* u64, reply only */
	KASBLOCK_A_NR_ENTRIES,		/* u32, reply only */
	KASBLOCK_A_MAX_ENTRIES,		/* u32, reply only */
	KASBLOCK_A_MAX_HASH_SIZE,	/* u64 bytes, reply only */
	KASBLOCK_A_FAIL_POLICY,		/* u32: enum kasblock_fail_policy, reply only */
	KASBLOCK_A_HASH_DRIVER,		/* NUL string, reply only */
	KASBLOCK_A_COUNTERS,		/* NLA_NESTED: KASBLOCK_COUNTER_A_*, reply only */
	KASBLOCK_A_CACHE_ENTRIES,	/* u32: digests in the file digest cache, reply only */
	KASBLOCK_A_CACHE_SIZE,		/* u32: the cache's bound (module parameter cache_size) */
	KASBLOCK_A_LOCKED,		/* u8: 1 when locked until reboot, reply only */
	KASBLOCK_A_POLICY_DIGEST,	/* 32 bytes, reply only (see above) */
	KASBLOCK_A_EVENT,		/* NLA_NESTED: KASBLOCK_EVENT_A_*, events only */
	KASBLOCK_A_FD,			/* u32: a file descriptor of the sender */
	KASBLOCK_A_FILE_DIGEST,		/* 32 bytes, reply only: GET_FILE_DIGEST's answer */
	KASBLOCK_A_ATTEST_STATE,	/* u32: enum kasblock_attest_state, reply only */
	KASBLOCK_A_ATTEST_PCR,		/* u32: the PCR measured into, reply only, absent if disabled */
	KASBLOCK_A_MEASUREMENT_COUNT,	/* u32: events in the measurement log, reply only */
	KASBLOCK_A_MEASUREMENT_GAPS,	/* u32: events the PCR was not extended with */
	KASBLOCK_A_MEASUREMENT,		/* NLA_NESTED: KASBLOCK_MEASUREMENT_A_*, dump only */
	__KASBLOCK_A_LAST
};
#define KASBLOCK_A_MAX (__KASBLOCK_A_LAST - 1)

enum kasblock_entry_attr {
	KASBLOCK_ENTRY_A_UNSPEC,
	KASBLOCK_ENTRY_A_DIGEST,	/* binary, exactly KASBLOCK_DIGEST_LEN */
	KASBLOCK_ENTRY_A_LABEL,		/* NUL string, < KASBLOCK_LABEL_MAX */
	__KASBLOCK_ENTRY_A_LAST
};
#define KASBLOCK_ENTRY_A_MAX (__KASBLOCK_ENTRY_A_LAST - 1)

/* All u64, counted since the module was loaded. */
enum kasblock_counter_attr {
	KASBLOCK_COUNTER_A_UNSPEC,
	KASBLOCK_COUNTER_A_PAD,
	KASBLOCK_COUNTER_A_CHECKS,	/* files looked at */
	KASBLOCK_COUNTER_A_DENIALS,	/* blocklist matches (denied or would-deny) */
	KASBLOCK_COUNTER_A_BYTES_HASHED,
	KASBLOCK_COUNTER_A_ERRORS,	/* files that could not be hashed */
	KASBLOCK_COUNTER_A_CACHE_HITS,	/* digests found in the digest cache */
	KASBLOCK_COUNTER_A_CACHE_MISSES,
	KASBLOCK_COUNTER_A_CACHE_EVICTIONS,
	KASBLOCK_COUNTER_A_EVENTS_DROPPED,	/* events not delivered to a listener */
	KASBLOCK_COUNTER_A_TPM_ERRORS,	/* PCR extends that failed */
	__KASBLOCK_COUNTER_A_LAST
};
#define KASBLOCK_COUNTER_A_MAX (__KASBLOCK_COUNTER_A_LAST - 1)

/* One denial or would-denial: the same fields as the kernel log line. */
enum kasblock_event_attr {
	KASBLOCK_EVENT_A_UNSPEC,
	KASBLOCK_EVENT_A_PAD,
	KASBLOCK_EVENT_A_ACTION,	/* string: deny, would-deny */
	KASBLOCK_EVENT_A_OP,		/* string: exec, mmap, mprotect, module */
	KASBLOCK_EVENT_A_PID,		/* u32 */
	KASBLOCK_EVENT_A_UID,		/* u32 */
	KASBLOCK_EVENT_A_COMM,		/* string, raw bytes (escape before printing) */
	KASBLOCK_EVENT_A_PATH,		/* string, raw bytes; "-" when there is no file */
	KASBLOCK_EVENT_A_DEV,		/* u32: major << 20 | minor, 0 when no file */
	KASBLOCK_EVENT_A_INO,		/* u64 */
	KASBLOCK_EVENT_A_DIGEST,	/* 32 bytes */
	KASBLOCK_EVENT_A_LABEL,		/* string, may be empty */
	KASBLOCK_EVENT_A_MODE,		/* u32: enum kasblock_mode */
	__KASBLOCK_EVENT_A_LAST
};
#define KASBLOCK_EVENT_A_MAX (__KASBLOCK_EVENT_A_LAST - 1)

enum kasblock_measurement_attr {
	KASBLOCK_MEASUREMENT_A_UNSPEC,
	KASBLOCK_MEASUREMENT_A_RECORD,		/* binary: struct kasblock_measurement */
	KASBLOCK_MEASUREMENT_A_EXTENDED,	/* u8: 1 if the PCR was extended with it */
	__KASBLOCK_MEASUREMENT_A_LAST
};
#define KASBLOCK_MEASUREMENT_A_MAX (__KASBLOCK_MEASUREMENT_A_LAST - 1)

/*
 * Attestation. With a TPM 2.0 that has a SHA-256 PCR bank and the module parameter
 * pcr= not -1, the module appends an event to an in-kernel measurement log at load and
 * at every policy change (add, del, replace, flush, mode, parameter change, lock; a
 * refused request or one that changes nothing is not a change), and extends PCR `pcr`
 * with it:
 *
 *    SHA-256 bank:  PCR := SHA-256(PCR || SHA-256(record))
 *
 * where `record` is the struct kasblock_measurement below, exactly as the dump carries
 * it. Other allocated banks are extended too (the TPM requires a digest for each) with
 * the record's SHA-256 truncated or zero-padded to the bank's digest size: only the
 * SHA-256 bank is meant to be quoted. A verifier replays the records whose EXTENDED
 * flag is 1, from 32 zero bytes, and compares the result to the quoted PCR.
 *
 * An extend that fails leaves the event in the log with EXTENDED 0 and appends a
 * KASBLOCK_MEASURE_GAP event (gap_seq = the event's seq), itself extended if the TPM
 * lets it: a verifier sees that the PCR does not cover that event. When the log has
 * one free slot left, a KASBLOCK_MEASURE_LOG_FULL event takes it and nothing more is
 * logged or extended until reboot: the policy after it is not attested.
 */
enum kasblock_attest_state {
	KASBLOCK_ATTEST_DISABLED,	/* pcr=-1 */
	KASBLOCK_ATTEST_UNAVAILABLE,	/* no TPM 2.0 with a SHA-256 bank */
	KASBLOCK_ATTEST_AVAILABLE,
	__KASBLOCK_ATTEST_LAST
};

enum kasblock_measure_change {
	KASBLOCK_MEASURE_LOAD = 1,	/* the module was loaded: the first event */
	KASBLOCK_MEASURE_ADD,
	KASBLOCK_MEASURE_DEL,
	KASBLOCK_MEASURE_REPLACE,
	KASBLOCK_MEASURE_FLUSH,
	KASBLOCK_MEASURE_MODE,
	KASBLOCK_MEASURE_PARAM,		/* max_entries, max_hash_size or fail_closed */
	KASBLOCK_MEASURE_LOCK,
	KASBLOCK_MEASURE_GAP,		/* event gap_seq is not in the PCR */
	KASBLOCK_MEASURE_LOG_FULL,	/* the last event: nothing after it is measured */
	__KASBLOCK_MEASURE_LAST
};

#define KASBLOCK_MEASUREMENT_MAGIC "KBM1"
#define KASBLOCK_MEASUREMENT_VERSION 1
#define KASBLOCK_MEASUREMENT_SIZE 128
#define KASBLOCK_MEASUREMENT_MODVER_LEN 32
/* The policy digest could not be computed (no memory): policy_digest is zeros. */
#define KASBLOCK_MEASUREMENT_F_NO_DIGEST 0x1
#define KASBLOCK_MEASUREMENT_F_ALL 0x1

/*
 * One measured event: 128 bytes, packed, every integer little-endian. Byte offsets:
 *
 *    0  magic[4]         "KBM1"
 *    4  version   le16   KASBLOCK_MEASUREMENT_VERSION
 *    6  size      le16   KASBLOCK_MEASUREMENT_SIZE
 *    8  seq       le64   0 for the load event, then +1 for each event
 *   16  generation le64  the policy generation after the change
 *   24  change    le32   enum kasblock_measure_change
 *   28  mode      le32   enum kasblock_mode after the change
 *   32  locked    u8     1 if locked until reboot
 *   33  fail_policy u8   enum kasblock_fail_policy
 *   34  pcr       le16   the PCR this log extends
 *   36  flags     le32   KASBLOCK_MEASUREMENT_F_*; other bits are 0
 *   40  gap_seq   le64   KASBLOCK_MEASURE_GAP: the event not extended; else 0
 *   48  policy_digest[32] the policy digest after the change (see above)
 *   80  module_version[32] the module's version, NUL-padded
 *  112  nr_entries le32  entries in the active list after the change
 *  116  max_entries le32 the max_entries parameter
 *  120  max_hash_size le64 the max_hash_size parameter
 *
 * The state fields (generation through max_hash_size) of a GAP or LOG_FULL event are
 * the state at the time it was written.
 */
struct kasblock_measurement {
	__u8 magic[4];
	__le16 version;
	__le16 size;
	__le64 seq;
	__le64 generation;
	__le32 change;
	__le32 mode;
	__u8 locked;
	__u8 fail_policy;
	__le16 pcr;
	__le32 flags;
	__le64 gap_seq;
	__u8 policy_digest[KASBLOCK_DIGEST_LEN];
	char module_version[KASBLOCK_MEASUREMENT_MODVER_LEN];
	__le32 nr_entries;
	__le32 max_entries;
	__le64 max_hash_size;
} __attribute__((packed));

#endif /* _UAPI_KASBLOCK_H */
