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

/* The kernel log's escaping: printable ASCII except '"' and '\', the rest as \xHH. */
static void put_log_str(FILE *f, const struct kb_event_str *str)
{
	size_t i;

	putc('"', f);
	for (i = 0; i < str->len; i++) {
		unsigned char c = (unsigned char)str->s[i];

		if (c >= 0x20 && c <= 0x7e && c != '"' && c != '\\')
			putc(c, f);
		else
			fprintf(f, "\\x%02x", c);
	}
	putc('"', f);
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

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A JSON string holds text, and a path is bytes: valid UTF-8 becomes a string
 * (controls escaped), anything else an array of the byte values, as
 * journalctl -o json writes such fields. Nothing is lost either way.
 */
static void put_json_str(FILE *f, const struct kb_event_str *str)
{
	const unsigned char *s = (const unsigned char *)str->s;
	size_t i, n;

	for (i = 0; i < str->len; i += n) {
		n = utf8_seq(s + i, str->len - i);
		if (!n)
			break;
	}
	if (i < str->len) {
		putc('[', f);
		for (i = 0; i < str->len; i++)
			fprintf(f, "%s%u", i ? "," : "", s[i]);
		putc(']', f);
		return;
	}
	putc('"', f);
	for (i = 0; i < str->len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fprintf(f, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] == 0x7f)
			fprintf(f, "\\u%04x", s[i]);
		else
			putc(s[i], f);
	}
	putc('"', f);
}

int kb_event_write_json(FILE *f, const struct kb_event *ev)
{
	char hex[KB_HEX_LEN + 1];

	kb_hex_format(ev->digest, hex);
	fputs("{\"action\":", f);
	put_json_str(f, &ev->action);
	fputs(",\"op\":", f);
	put_json_str(f, &ev->op);
	fprintf(f, ",\"pid\":%u,\"uid\":%u,\"comm\":", ev->pid, ev->uid);
	put_json_str(f, &ev->comm);
	fputs(",\"path\":", f);
	put_json_str(f, &ev->path);
	fprintf(f, ",\"dev\":\"%u:%u\",\"ino\":%llu,\"sha256\":\"%s\",\"label\":", ev->dev >> 20,
		ev->dev & 0xfffff, (unsigned long long)ev->ino, hex);
	put_json_str(f, &ev->label);
	fprintf(f, ",\"mode\":\"%s\"}", mode_name(ev->mode));
	return finish(f);
}
