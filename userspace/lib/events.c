// SPDX-License-Identifier: GPL-2.0
/*
 * The event stream: the module multicasts one KASBLOCK_CMD_EVENT per match on
 * the family's "events" group, never waiting for a listener. A listener that
 * falls behind loses events and is told so by ENOBUFS on its next read, so
 * the monitor asks for a large receive buffer to ride out bursts.
 *
 * Events are written in the kernel log line's key=value form, with the same
 * escaping (bytes outside printable ASCII, '"' and '\' as \xHH), so one parser
 * reads both; or as JSON with the same keys.
 */

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "events.h"
#include "hexdigest.h"
#include "json.h"
#include "logstr.h"
#include "netlink.h"

int kb_events_subscribe(struct kb_nl *nl)
{
	int fd = mnl_socket_get_fd(nl->sock), size = KB_EVENTS_RCVBUF, one = 1;
	uint32_t events, notify;
	int ret;

	ret = kb_nl_mcast_group(nl, KASBLOCK_GENL_NAME, KASBLOCK_MCGRP_EVENTS, &events);
	if (ret < 0)
		return ret;
	/* Beyond net.core.rmem_max only with CAP_NET_ADMIN; either is better than the default. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/*
	 * Without it, an event this socket had no room for is not a failure for
	 * the sender, and the module's events_dropped counter would not see it.
	 */
	setsockopt(fd, SOL_NETLINK, NETLINK_BROADCAST_ERROR, &one, sizeof(one));
	/* Without it the monitor would not notice an unloaded module; not worth failing for. */
	if (!kb_nl_mcast_group(nl, "nlctrl", "notify", &notify))
		setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &notify, sizeof(notify));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &events, sizeof(events)) < 0)
		return -errno;
	return 0;
}

static void get_str(const struct nlattr *attr, struct kb_event_str *str)
{
	const char *p = mnl_attr_get_payload(attr);

	str->s = p;
	str->len = strnlen(p, mnl_attr_get_payload_len(attr));
}

static int event_attr(const struct nlattr *attr, void *data)
{
	struct kb_event *ev = data;
	uint16_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case KASBLOCK_EVENT_A_ACTION:
		get_str(attr, &ev->action);
		break;
	case KASBLOCK_EVENT_A_OP:
		get_str(attr, &ev->op);
		break;
	case KASBLOCK_EVENT_A_COMM:
		get_str(attr, &ev->comm);
		break;
	case KASBLOCK_EVENT_A_PATH:
		get_str(attr, &ev->path);
		break;
	case KASBLOCK_EVENT_A_LABEL:
		get_str(attr, &ev->label);
		break;
	case KASBLOCK_EVENT_A_PID:
	case KASBLOCK_EVENT_A_UID:
	case KASBLOCK_EVENT_A_DEV:
	case KASBLOCK_EVENT_A_MODE:
		if (len != sizeof(uint32_t))
			return MNL_CB_ERROR;
		if (mnl_attr_get_type(attr) == KASBLOCK_EVENT_A_PID)
			ev->pid = mnl_attr_get_u32(attr);
		else if (mnl_attr_get_type(attr) == KASBLOCK_EVENT_A_UID)
			ev->uid = mnl_attr_get_u32(attr);
		else if (mnl_attr_get_type(attr) == KASBLOCK_EVENT_A_DEV)
			ev->dev = mnl_attr_get_u32(attr);
		else
			ev->mode = mnl_attr_get_u32(attr);
		break;
	case KASBLOCK_EVENT_A_INO:
		if (len != sizeof(uint64_t))
			return MNL_CB_ERROR;
		ev->ino = mnl_attr_get_u64(attr);
		break;
	case KASBLOCK_EVENT_A_DIGEST:
		if (len != KASBLOCK_DIGEST_LEN)
			return MNL_CB_ERROR;
		memcpy(ev->digest, mnl_attr_get_payload(attr), KASBLOCK_DIGEST_LEN);
		ev->have_digest = true;
		break;
	}
	/* Padding, or a field a newer module added: not ours to show. */
	return MNL_CB_OK;
}

static int event_msg_attr(const struct nlattr *attr, void *data)
{
	struct kb_event *ev = data;

	if (mnl_attr_get_type(attr) != KASBLOCK_A_EVENT)
		return MNL_CB_OK;
	if (mnl_attr_parse_nested(attr, event_attr, ev) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static int ctrl_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_get_payload_len(attr) == sizeof(uint16_t))
		*(uint32_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

int kb_event_parse(const struct nlmsghdr *nlh, uint16_t family, struct kb_event *ev)
{
	const struct genlmsghdr *genl;
	uint32_t id = UINT32_MAX;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return 0;
	genl = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type == GENL_ID_CTRL && genl->cmd == CTRL_CMD_DELFAMILY) {
		if (mnl_attr_parse(nlh, sizeof(*genl), ctrl_attr, &id) < 0)
			return 0;
		return id == family ? 2 : 0;
	}
	if (nlh->nlmsg_type != family || genl->cmd != KASBLOCK_CMD_EVENT)
		return 0;
	memset(ev, 0, sizeof(*ev));
	if (mnl_attr_parse(nlh, sizeof(*genl), event_msg_attr, ev) < 0)
		return -EBADMSG;
	/* An event names what matched: without its action and digest it is not one. */
	if (!ev->action.len || !ev->have_digest)
		return -EBADMSG;
	return 1;
}

static const char *mode_name(uint32_t mode)
{
	const char *name = kb_mode_name(mode);

	return name ? name : "unknown";
}

static void put_log_str(FILE *f, const struct kb_event_str *str)
{
	kb_log_quote(f, str->s, str->len);
}

/* Values that are words of the module's own (action, op) are printed bare, but never raw. */
static void put_log_word(FILE *f, const struct kb_event_str *str)
{
	size_t i;

	for (i = 0; i < str->len; i++) {
		unsigned char c = (unsigned char)str->s[i];

		if (c > 0x20 && c <= 0x7e && c != '"' && c != '\\' && c != '=')
			putc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
}

static int finish(FILE *f)
{
	putc('\n', f);
	return ferror(f) ? -EIO : 0;
}

int kb_event_write_text(FILE *f, const struct kb_event *ev)
{
	char hex[KB_HEX_LEN + 1];

	kb_hex_format(ev->digest, hex);
	fputs("action=", f);
	put_log_word(f, &ev->action);
	fputs(" op=", f);
	put_log_word(f, &ev->op);
	fprintf(f, " pid=%u uid=%u comm=", ev->pid, ev->uid);
	put_log_str(f, &ev->comm);
	fputs(" path=", f);
	put_log_str(f, &ev->path);
	fprintf(f, " dev=%u:%u ino=%llu sha256=%s label=", ev->dev >> 20, ev->dev & 0xfffff,
		(unsigned long long)ev->ino, hex);
	put_log_str(f, &ev->label);
	fprintf(f, " mode=%s", mode_name(ev->mode));
	return finish(f);
}

/*
 * Schema kasblock-event/1: the same keys as the text line. Paths and names are
 * bytes; lib/json.c writes what is not UTF-8 as an array of byte values.
 */
int kb_event_write_json(FILE *f, const struct kb_event *ev)
{
	char hex[KB_HEX_LEN + 1], dev[24];
	struct kb_json j;

	kb_hex_format(ev->digest, hex);
	snprintf(dev, sizeof(dev), "%u:%u", ev->dev >> 20, ev->dev & 0xfffff);
	kb_json_begin(&j, f, KB_EVENT_SCHEMA);
	kb_json_bytes(&j, "action", ev->action.s, ev->action.len);
	kb_json_bytes(&j, "op", ev->op.s, ev->op.len);
	kb_json_u64(&j, "pid", ev->pid);
	kb_json_u64(&j, "uid", ev->uid);
	kb_json_bytes(&j, "comm", ev->comm.s, ev->comm.len);
	kb_json_bytes(&j, "path", ev->path.s, ev->path.len);
	kb_json_string(&j, "dev", dev);
	kb_json_u64(&j, "ino", ev->ino);
	kb_json_string(&j, "sha256", hex);
	if (ev->label.len)
		kb_json_bytes(&j, "label", ev->label.s, ev->label.len);
	else
		kb_json_null(&j, "label");	/* an entry without a label */
	kb_json_string(&j, "mode", mode_name(ev->mode));
	return kb_json_end(&j);
}
