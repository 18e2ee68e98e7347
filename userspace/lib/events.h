/* SPDX-License-Identifier: GPL-2.0 */
/* The module's event stream: subscribing, reading one event, writing it as text or JSON. */
#ifndef KB_EVENTS_H
#define KB_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kasblock.h"

struct kb_nl;
struct nlmsghdr;

/* A string of the event: raw bytes as the kernel sent them, not NUL-terminated. */
struct kb_event_str {
	const char *s;
	size_t len;
};

/*
 * One denial or would-denial (KASBLOCK_CMD_EVENT). The strings point into the
 * message, so an event lives as long as the buffer it was read from. A field
 * the module did not send is empty (strings) or 0.
 */
struct kb_event {
	struct kb_event_str action, op, comm, path, label;
	uint32_t pid;
	uint32_t uid;
	uint32_t dev;		/* major << 20 | minor */
	uint64_t ino;
	uint32_t mode;		/* enum kasblock_mode */
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	bool have_digest;
};

/* Bytes one receive needs: an event carries a path of up to PATH_MAX bytes. */
#define KB_EVENTS_RX_SIZE 65536
/* What the monitor asks for as its receive buffer, so that a burst waits in the socket. */
#define KB_EVENTS_RCVBUF (8 << 20)

/*
 * Join the module's "events" group (and nlctrl's "notify" group, to hear of
 * the module going away) on nl's socket, and enlarge its receive buffer.
 * -ENOENT: the module has no event stream; -EPERM: the caller lacks
 * CAP_SYS_ADMIN. Do this after every request on nl: events then arrive
 * between the replies.
 */
int kb_events_subscribe(struct kb_nl *nl);

/*
 * Read message nlh, as received on a subscribed socket of family `family`:
 * 1 and *ev filled for an event, 2 when it says the family was unregistered
 * (the module was unloaded), 0 for anything else, -EBADMSG if an event is
 * malformed.
 */
int kb_event_parse(const struct nlmsghdr *nlh, uint16_t family, struct kb_event *ev);

/* The "schema" of monitor --json's lines, events and the dropped-events line alike. */
#define KB_EVENT_SCHEMA "kasblock-event/1"

/*
 * Write ev as one line, in the kernel log line's form (text) or as one JSON
 * object with the same keys after "schema" (json), and its newline. Returns
 * 0 or -errno.
 */
int kb_event_write_text(FILE *f, const struct kb_event *ev);
int kb_event_write_json(FILE *f, const struct kb_event *ev);

#endif
