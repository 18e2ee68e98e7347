// SPDX-License-Identifier: GPL-2.0
/* kasblockctl monitor: print the module's denials as they happen, one line each. */

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "errcode.h"
#include "lib/events.h"
#include "lib/json.h"
#include "lib/netlink.h"
#include "subcommands.h"

static const char usage[] = "Usage: kasblockctl monitor [--json] [--count N]\n";
static const char help[] =
	"\n"
	"Print each denial (and, in monitor mode, each would-be denial) as it\n"
	"happens, one line per event with the fields of the kernel log line:\n"
	"  action=deny op=exec pid=N uid=N comm=\"...\" path=\"...\" dev=MAJ:MIN\n"
	"  ino=N sha256=HEX label=\"...\" mode=enforce\n"
	"Bytes outside printable ASCII, '\"' and '\\' are written as \\xHH. When the\n"
	"kernel had to drop events because this reader fell behind, a line says so:\n"
	"  dropped events: the kernel could not deliver some events (socket overrun)\n"
	"Runs until interrupted. Needs CAP_SYS_ADMIN.\n"
	"\n"
	"  -j, --json      one JSON object per line, with the same keys after\n"
	"                  \"schema\":\"" KB_EVENT_SCHEMA "\" ({\"schema\":...,\"dropped\":true}\n"
	"                  for dropped events; kasblockctl(8), JSON OUTPUT)\n"
	"  -c, --count N   exit after N events\n"
	"  -h, --help      show this help\n";

static const char dropped_text[] =
	"dropped events: the kernel could not deliver some events (socket overrun)\n";

static void print_dropped(bool json)
{
	struct kb_json j;

	if (!json) {
		fputs(dropped_text, stdout);
		return;
	}
	kb_json_begin(&j, stdout, KB_EVENT_SCHEMA);
	kb_json_bool(&j, "dropped", true);
	kb_json_end(&j);
}

static int parse_count(const char *s, unsigned long *count)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	*count = strtoul(s, &end, 10);
	if (errno || *end || !*count)
		return -EINVAL;
	return 0;
}

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * SIGINT and SIGTERM end the monitor with status 0. They stay blocked except
 * inside ppoll() and while writing (*unblocked is the mask for those times,
 * *blocked the other): a signal cannot slip in between the check and the
 * wait, and a reader that stopped reading cannot keep the monitor from ending.
 */
static int catch_signals(sigset_t *unblocked, sigset_t *blocked)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a write blocked on a full pipe must return. */
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigprocmask(SIG_BLOCK, &block, unblocked) < 0 || sigprocmask(SIG_BLOCK, NULL, blocked) < 0)
		return -errno;
	sigdelset(unblocked, SIGINT);
	sigdelset(unblocked, SIGTERM);
	return 0;
}

/* Print the events in one datagram; returns 1 when the module went away. */
static int print_batch(struct kb_nl *nl, const char *buf, int len, bool json,
		       unsigned long count, unsigned long *seen)
{
	const struct nlmsghdr *nlh;
	struct kb_event ev;
	int ret;

	for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len)) {
		ret = kb_event_parse(nlh, nl->family, &ev);
		if (ret == 2)
			return 1;
		if (ret < 0) {
			kb_err("monitor: ignoring a malformed event");
			continue;
		}
		if (ret == 0)
			continue;
		ret = json ? kb_event_write_json(stdout, &ev) : kb_event_write_text(stdout, &ev);
		if (ret < 0)
			return ret;
		if (count && ++*seen == count)
			return 0;
	}
	return 0;
}

static int monitor(struct kb_nl *nl, bool json, unsigned long count)
{
	int fd = mnl_socket_get_fd(nl->sock), ret = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned long seen = 0;
	sigset_t unblocked, blocked;
	ssize_t n;
	char *buf;

	buf = malloc(KB_EVENTS_RX_SIZE);
	if (!buf) {
		kb_err("monitor: %s", strerror(ENOMEM));
		return KB_EXIT_FAIL;
	}
	ret = catch_signals(&unblocked, &blocked);
	if (ret < 0) {
		kb_err("monitor: %s", strerror(-ret));
		goto fail;
	}
	while (!stopping && (!count || seen < count)) {
		if (ppoll(&pfd, 1, NULL, &unblocked) < 0) {
			if (errno == EINTR)
				continue;	/* SIGINT or SIGTERM: a normal end */
			kb_err("monitor: %s", strerror(errno));
			goto fail;
		}
		n = recv(fd, buf, KB_EVENTS_RX_SIZE, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0 && errno != ENOBUFS) {
			kb_err("monitor: receive: %s", strerror(errno));
			goto fail;
		}
		ret = 0;
		sigprocmask(SIG_SETMASK, &unblocked, NULL);
		if (n < 0)	/* ENOBUFS: the socket overflowed, events were lost; go on */
			print_dropped(json);
		else
			ret = print_batch(nl, buf, (int)n, json, count, &seen);
		sigprocmask(SIG_SETMASK, &blocked, NULL);
		if (stopping)
			break;
		if (ret == 1) {
			kb_err("monitor: the kasblock module was unloaded");
			free(buf);
			return KB_EXIT_NOMODULE;
		}
		if (ret < 0 || ferror(stdout)) {
			kb_write_error("monitor", ret < 0 ? -ret : EIO);
			goto fail;
		}
	}
	free(buf);
	if (stopping) {
		/* A write the signal cut short left part of a line: drop it, wait for no one. */
		__fpurge(stdout);
		return KB_EXIT_OK;
	}
	return KB_EXIT_OK;
fail:
	free(buf);
	return KB_EXIT_FAIL;
}

int monitor_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long count = 0;
	struct kb_nl *nl;
	bool json = false;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jc:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			if (parse_count(optarg, &count) < 0)
				return kb_usage_error("monitor", usage,
						      "bad count \"%s\" (a positive number)", optarg);
			break;
		case 'h':
			printf("%s%s", usage, help);
			return KB_EXIT_OK;
		default:
			return kb_bad_option("monitor", usage, c, argv);
		}
	}
	if (optind != argc)
		return kb_usage_error("monitor", usage, "unexpected argument '%s'", argv[optind]);

	ret = kb_cmd_open("monitor", &nl);
	if (ret)
		return ret;
	ret = kb_events_subscribe(nl);
	if (ret == -EPERM || ret == -EACCES) {
		kb_err("monitor: not permitted: joining the event stream needs CAP_SYS_ADMIN");
		ret = KB_EXIT_PERM;
	} else if (ret == -ENOENT) {
		kb_err("monitor: this kasblock module has no event stream (too old?)");
		ret = KB_EXIT_FAIL;
	} else if (ret < 0) {
		kb_err("monitor: cannot join the event stream: %s", strerror(-ret));
		ret = KB_EXIT_FAIL;
	} else {
		/* Each line as it happens, also into a pipe or a file. */
		setvbuf(stdout, NULL, _IOLBF, 0);
		ret = monitor(nl, json, count);
	}
	kb_nl_close(nl);
	return ret;
}
