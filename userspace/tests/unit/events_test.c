// SPDX-License-Identifier: GPL-2.0
/*
 * The event stream without a module: event messages as the module builds them,
 * parsed and written as text and JSON (escaping, device numbers, bytes that
 * are not UTF-8), the module's unregistration noticed, malformed events
 * refused; and the multicast group lookup against the kernel's own nlctrl.
 */

#include <errno.h>
#include <stdlib.h>

#include <linux/genetlink.h>

#include "lib/events.h"
#include "lib/netlink.h"
#include "test.h"

#define FAMILY 0x1d

static char buf[8192];

struct fields {
	const char *action, *op, *comm, *path, *label;
	uint32_t pid, uid, dev, mode;
	uint64_t ino;
	bool digest, extra;
};

static const struct fields deny = {
	.action = "deny", .op = "exec", .comm = "sh", .path = "/tmp/x", .label = "kesl",
	.pid = 123, .uid = 1000, .dev = 8 << 20 | 1, .mode = KASBLOCK_MODE_ENFORCE,
	.ino = 131090, .digest = true,
};

/* An event message as kb_netlink_event() in the module puts it together. */
static struct nlmsghdr *event_msg(const struct fields *f)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;
	struct nlattr *nest;
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	int i;

	for (i = 0; i < KASBLOCK_DIGEST_LEN; i++)
		digest[i] = (uint8_t)(i * 8 + 1);
	nlh->nlmsg_type = FAMILY;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = KASBLOCK_CMD_EVENT;
	genl->version = KASBLOCK_GENL_VERSION;
	nest = mnl_attr_nest_start(nlh, KASBLOCK_A_EVENT);
	if (f->action)
		mnl_attr_put_strz(nlh, KASBLOCK_EVENT_A_ACTION, f->action);
	mnl_attr_put_strz(nlh, KASBLOCK_EVENT_A_OP, f->op);
	mnl_attr_put_u32(nlh, KASBLOCK_EVENT_A_PID, f->pid);
	mnl_attr_put_u32(nlh, KASBLOCK_EVENT_A_UID, f->uid);
	mnl_attr_put_strz(nlh, KASBLOCK_EVENT_A_COMM, f->comm);
	mnl_attr_put_strz(nlh, KASBLOCK_EVENT_A_PATH, f->path);
	mnl_attr_put_u32(nlh, KASBLOCK_EVENT_A_DEV, f->dev);
	mnl_attr_put_u64(nlh, KASBLOCK_EVENT_A_INO, f->ino);
	if (f->digest)
		mnl_attr_put(nlh, KASBLOCK_EVENT_A_DIGEST, KASBLOCK_DIGEST_LEN, digest);
	mnl_attr_put_strz(nlh, KASBLOCK_EVENT_A_LABEL, f->label);
	mnl_attr_put_u32(nlh, KASBLOCK_EVENT_A_MODE, f->mode);
	if (f->extra)
		mnl_attr_put_u32(nlh, KASBLOCK_EVENT_A_MAX + 5, 7);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

/* What kb_event_write_text() or _json() writes for message nlh, or NULL if it is no event. */
static char *render(const struct nlmsghdr *nlh, bool json)
{
	static char out[16384];
	struct kb_event ev;
	FILE *f;
	int ret;

	ret = kb_event_parse(nlh, FAMILY, &ev);
	CHECK_INT(ret, 1);
	if (ret != 1)
		return NULL;
	f = fmemopen(out, sizeof(out), "w");
	if (!f)
		return NULL;
	CHECK_INT(json ? kb_event_write_json(f, &ev) : kb_event_write_text(f, &ev), 0);
	fclose(f);
	return out;
}

#define HEX "0109111921293139414951596169717981899199a1a9b1b9c1c9d1d9e1e9f1f9"

static void text_has_log_line_fields(void)
{
	CHECK_STR(render(event_msg(&deny), false),
		  "action=deny op=exec pid=123 uid=1000 comm=\"sh\" path=\"/tmp/x\" dev=8:1 "
		  "ino=131090 sha256=" HEX " label=\"kesl\" mode=enforce\n");
}

static void json_has_the_same_keys(void)
{
	CHECK_STR(render(event_msg(&deny), true),
		  "{\"schema\":\"kasblock-event/1\",\"action\":\"deny\",\"op\":\"exec\",\"pid\":123,\"uid\":1000,\"comm\":\"sh\","
		  "\"path\":\"/tmp/x\",\"dev\":\"8:1\",\"ino\":131090,\"sha256\":\"" HEX "\","
		  "\"label\":\"kesl\",\"mode\":\"enforce\"}\n");
}

static void monitor_mode_and_large_device_numbers(void)
{
	struct fields f = deny;

	f.action = "would-deny";
	f.op = "mmap";
	f.mode = KASBLOCK_MODE_MONITOR;
	f.dev = 259u << 20 | 0xfffff;	/* the kernel's MINORBITS is 20 */
	f.ino = 1ULL << 40;
	f.label = "";
	CHECK_STR(render(event_msg(&f), false),
		  "action=would-deny op=mmap pid=123 uid=1000 comm=\"sh\" path=\"/tmp/x\" "
		  "dev=259:1048575 ino=1099511627776 sha256=" HEX " label=\"\" mode=monitor\n");
}

/* The kernel log's escaping, byte for byte: printable ASCII except " and \. */
static void text_escapes_like_the_kernel_log(void)
{
	struct fields f = deny;

	f.comm = "a\"b\\c";
	f.path = "/tmp/a b\n\xc3\xa9\x7f";
	f.label = "tab\there";
	CHECK_STR(render(event_msg(&f), false),
		  "action=deny op=exec pid=123 uid=1000 comm=\"a\\x22b\\x5cc\" "
		  "path=\"/tmp/a b\\x0a\\xc3\\xa9\\x7f\" dev=8:1 ino=131090 sha256=" HEX
		  " label=\"tab\\x09here\" mode=enforce\n");
}

static void json_escapes_and_keeps_utf8(void)
{
	struct fields f = deny;

	f.comm = "a\"b\\c";
	f.path = "/tmp/\xc3\xa9t\xc3\xa9\n";
	CHECK_STR(render(event_msg(&f), true),
		  "{\"schema\":\"kasblock-event/1\",\"action\":\"deny\",\"op\":\"exec\",\"pid\":123,\"uid\":1000,"
		  "\"comm\":\"a\\\"b\\\\c\",\"path\":\"/tmp/\xc3\xa9t\xc3\xa9\\u000a\","
		  "\"dev\":\"8:1\",\"ino\":131090,\"sha256\":\"" HEX "\","
		  "\"label\":\"kesl\",\"mode\":\"enforce\"}\n");
}

/* A path is bytes: what is not UTF-8 becomes an array of them, as journalctl does. */
static void json_bytes_that_are_not_utf8(void)
{
	static const char *bad[] = {
		"/x\xff", "/x\xc3", "/\xc0\xaf", "/\xed\xa0\x80", "/\xf4\x90\x80\x80",
	};
	struct fields f = deny;
	char *out;
	size_t i;

	f.path = "/x\xff";
	out = render(event_msg(&f), true);
	CHECK(out && strstr(out, ",\"path\":[47,120,255],"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f.path = bad[i];
		out = render(event_msg(&f), true);
		CHECK(out && strstr(out, ",\"path\":[47,"));
	}
	/* The largest code point and a three-byte sequence are text. */
	f.path = "/\xf4\x8f\xbf\xbf\xe2\x82\xac";
	out = render(event_msg(&f), true);
	CHECK(out && strstr(out, ",\"path\":\"/\xf4\x8f\xbf\xbf\xe2\x82\xac\","));
}

/* An entry without a label: the value is absent, so null (kasblockctl(8), JSON OUTPUT). */
static void json_absent_label_is_null(void)
{
	struct fields f = deny;
	char *out;

	f.label = "";
	out = render(event_msg(&f), true);
	CHECK(out && strstr(out, ",\"label\":null,\"mode\":\"enforce\"}\n"));
}

static void unknown_attributes_are_ignored(void)
{
	struct fields f = deny;

	f.extra = true;
	CHECK_STR(render(event_msg(&f), false),
		  "action=deny op=exec pid=123 uid=1000 comm=\"sh\" path=\"/tmp/x\" dev=8:1 "
		  "ino=131090 sha256=" HEX " label=\"kesl\" mode=enforce\n");
}

static void event_without_digest_or_action_is_malformed(void)
{
	struct fields f = deny;
	struct kb_event ev;

	f.digest = false;
	CHECK_INT(kb_event_parse(event_msg(&f), FAMILY, &ev), -EBADMSG);
	f = deny;
	f.action = NULL;
	CHECK_INT(kb_event_parse(event_msg(&f), FAMILY, &ev), -EBADMSG);
}

static void event_with_bad_length_is_malformed(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;
	struct nlattr *nest;
	struct kb_event ev;

	nlh->nlmsg_type = FAMILY;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = KASBLOCK_CMD_EVENT;
	nest = mnl_attr_nest_start(nlh, KASBLOCK_A_EVENT);
	mnl_attr_put_strz(nlh, KASBLOCK_EVENT_A_ACTION, "deny");
	mnl_attr_put(nlh, KASBLOCK_EVENT_A_DIGEST, 31, buf + 1000);
	mnl_attr_nest_end(nlh, nest);
	CHECK_INT(kb_event_parse(nlh, FAMILY, &ev), -EBADMSG);
}

static void other_messages_are_not_events(void)
{
	struct nlmsghdr *nlh;
	struct kb_event ev;

	nlh = event_msg(&deny);
	CHECK_INT(kb_event_parse(nlh, FAMILY + 1, &ev), 0);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = KASBLOCK_CMD_GET_STATUS;
	CHECK_INT(kb_event_parse(nlh, FAMILY, &ev), 0);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	CHECK_INT(kb_event_parse(nlh, FAMILY, &ev), 0);
}

static struct nlmsghdr *ctrl_msg(uint8_t cmd, uint16_t id)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = GENL_ID_CTRL;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, id);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "kasblock");
	return nlh;
}

static void module_unload_is_noticed(void)
{
	struct kb_event ev;

	CHECK_INT(kb_event_parse(ctrl_msg(CTRL_CMD_DELFAMILY, FAMILY), FAMILY, &ev), 2);
	/* Another family going, or ours arriving, is no news. */
	CHECK_INT(kb_event_parse(ctrl_msg(CTRL_CMD_DELFAMILY, FAMILY + 1), FAMILY, &ev), 0);
	CHECK_INT(kb_event_parse(ctrl_msg(CTRL_CMD_NEWFAMILY, FAMILY), FAMILY, &ev), 0);
}

/* nlctrl's "notify" group is GENL_ID_CTRL in every kernel. */
static void mcast_group_of_real_family(void)
{
	struct kb_nl *nl = NULL;
	uint32_t id = 0;

	CHECK_INT(kb_nl_open_family(&nl, "nlctrl"), 0);
	if (!nl)
		return;
	CHECK_INT(kb_nl_mcast_group(nl, "nlctrl", "notify", &id), 0);
	CHECK_INT(id, GENL_ID_CTRL);
	CHECK_INT(kb_nl_mcast_group(nl, "nlctrl", "nosuchgroup", &id), -ENOENT);
	CHECK_INT(kb_nl_mcast_group(nl, "kb-nosuchfam", "events", &id), -ENOENT);
	/* The socket still answers after refusals. */
	CHECK_INT(kb_nl_mcast_group(nl, "nlctrl", "notify", &id), 0);
	kb_nl_close(nl);
}

int main(void)
{
	RUN(text_has_log_line_fields);
	RUN(json_has_the_same_keys);
	RUN(monitor_mode_and_large_device_numbers);
	RUN(text_escapes_like_the_kernel_log);
	RUN(json_escapes_and_keeps_utf8);
	RUN(json_bytes_that_are_not_utf8);
	RUN(json_absent_label_is_null);
	RUN(unknown_attributes_are_ignored);
	RUN(event_without_digest_or_action_is_malformed);
	RUN(event_with_bad_length_is_malformed);
	RUN(other_messages_are_not_events);
	RUN(module_unload_is_noticed);
	RUN(mcast_group_of_real_family);
	return kbt_done();
}
