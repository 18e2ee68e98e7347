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
 *
 * The policy digest (KASBLOCK_A_POLICY_DIGEST) identifies the list independently of
 * order and labels: SHA-256 over the listed digests sorted bytewise and concatenated
 * (SHA-256 of nothing for an empty list).
 *
 * Every change to the active list or the mode increments the generation.
 */
#ifndef _UAPI_KASBLOCK_H
#define _UAPI_KASBLOCK_H

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

#endif /* _UAPI_KASBLOCK_H */
