// SPDX-License-Identifier: GPL-2.0
/*
 * sweep: stopping the processes found, without hitting a stranger.
 *
 * Between the sweep and the kill a process can exit and its pid be reused.
 * So a pidfd is opened first, then the pid's start time checked against the
 * swept one: if it matches, the pidfd names the swept process for good, and
 * the signal goes through the pidfd. SIGKILL to the thread group leader
 * takes every thread; the pidfd then tells when the process has exited.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "priv.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

const char *kb_sweep_action_name(enum kb_sweep_action action)
{
	switch (action) {
	case KB_SWEEP_NONE:
		return "none";
	case KB_SWEEP_KILLED:
		return "killed";
	case KB_SWEEP_SIGNALLED:
		return "signalled";
	case KB_SWEEP_VANISHED:
		return "vanished";
	case KB_SWEEP_FAILED:
		return "failed";
	case KB_SWEEP_SPARED:
		return "spared";
	case KB_SWEEP_RELEASED:
		return "released";
	}
	return "unknown";
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Is pid still the process that started at start_time? A zombie leader
 * whose other threads run on still is; only when running says so must it
 * also not be a zombie (no pidfd to wait on: the leader's state is the best
 * sign left).
 */
static bool still_there(const struct kb_sweep *sw, pid_t pid, unsigned long long start_time,
			bool running)
{
	struct kb_proc_stat st;
	char path[PATH_MAX], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/stat", sw->proc, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return !kb_sweep_parse_stat(buf, &st) && st.start_time == start_time &&
	       (!running || (st.state != 'Z' && st.state != 'X'));
}

/*
 * Open a pidfd for p and check it is still the process swept. Returns 0 with
 * *fd (-1 without pidfds), or 1 when p's action is already decided.
 */
static int open_checked(const struct kb_sweep *sw, struct kb_sweep_proc *p, bool *no_pidfd,
			int *fd)
{
	*fd = -1;
	p->action_err = 0;
	/* Init ignores SIGKILL from its own namespace; ourselves, we would rather report. */
	if (p->pid == sw->self || p->pid == 1) {
		p->action = KB_SWEEP_SPARED;
		return 1;
	}
	if (!*no_pidfd) {
		*fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
		if (*fd < 0 && errno == ENOSYS) {
			*no_pidfd = true;
		} else if (*fd < 0) {
			p->action = errno == ESRCH ? KB_SWEEP_VANISHED : KB_SWEEP_FAILED;
			p->action_err = errno;
			return 1;
		}
	}
	if (!still_there(sw, p->pid, p->start_time, false)) {
		p->action = KB_SWEEP_VANISHED;
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return 1;
	}
	return 0;
}

/* Send sig through fd (or, without pidfds, to the pid). 0, or p's action is decided. */
static int send(struct kb_sweep_proc *p, int fd, int sig)
{
	/* Without pidfds (before Linux 5.3) a pid reused in between is a risk we cannot close. */
	if (fd >= 0 ? syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) : kill(p->pid, sig)) {
		p->action = errno == ESRCH ? KB_SWEEP_VANISHED : KB_SWEEP_FAILED;
		p->action_err = errno;
		return -1;
	}
	return 0;
}

/* Returns a pidfd on which SIGKILL was sent, -1 when the action is already decided. */
static int kill_one(const struct kb_sweep *sw, struct kb_sweep_proc *p, bool *no_pidfd)
{
	int fd;

	if (open_checked(sw, p, no_pidfd, &fd))
		return -1;
	if (send(p, fd, SIGKILL)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	p->action = KB_SWEEP_SIGNALLED;
	return fd;
}

/*
 * Wait until deadline for the SIGNALLED processes among sw->procs to exit;
 * pfd[i] (i < npfd) holds process i's pidfd or -1, and is closed as it
 * exits; the others are watched through their stat. Closes every pfd[].
 * Returns how many were not stopped.
 */
static size_t wait_exit(struct kb_sweep *sw, struct pollfd *pfd, size_t npfd, uint64_t deadline)
{
	size_t i, waiting = 0, alive = 0;
	bool by_stat = false;

	for (i = 0; i < sw->n_procs; i++) {
		if (sw->procs[i].action != KB_SWEEP_SIGNALLED)
			continue;
		waiting++;
		if (i >= npfd || pfd[i].fd < 0)
			by_stat = true;
	}
	/* A pidfd polls readable once its process has exited. */
	while (waiting) {
		uint64_t now = now_ms();
		int n;

		if (now >= deadline)
			break;
		if (npfd && !by_stat) {
			n = poll(pfd, npfd, (int)(deadline - now));
			if (n < 0 && errno != EINTR)
				break;
		} else if (npfd) {
			n = poll(pfd, npfd, 10);
			if (n < 0 && errno != EINTR)
				break;
		} else {
			usleep(10000);
		}
		for (i = 0; i < sw->n_procs; i++) {
			struct kb_sweep_proc *p = &sw->procs[i];
			bool gone;

			if (p->action != KB_SWEEP_SIGNALLED)
				continue;
			if (i < npfd && pfd[i].fd >= 0)
				gone = pfd[i].revents & (POLLIN | POLLHUP | POLLERR);
			else
				gone = !still_there(sw, p->pid, p->start_time, true);
			if (gone) {
				p->action = KB_SWEEP_KILLED;
				if (i < npfd && pfd[i].fd >= 0) {
					close(pfd[i].fd);
					pfd[i].fd = -1;	/* poll() skips it now */
				}
				waiting--;
			}
		}
	}
	for (i = 0; i < sw->n_procs; i++) {
		enum kb_sweep_action a = sw->procs[i].action;

		if (i < npfd && pfd[i].fd >= 0)
			close(pfd[i].fd);
		if (a == KB_SWEEP_SIGNALLED || a == KB_SWEEP_FAILED || a == KB_SWEEP_SPARED)
			alive++;
	}
	return alive;
}

size_t kb_sweep_kill(struct kb_sweep *sw, unsigned int wait_ms)
{
	uint64_t deadline = now_ms() + wait_ms;
	struct pollfd *pfd;
	bool no_pidfd = false;
	size_t i, alive;

	pfd = calloc(sw->n_procs ? sw->n_procs : 1, sizeof(*pfd));
	for (i = 0; i < sw->n_procs; i++) {
		int fd = kill_one(sw, &sw->procs[i], &no_pidfd);

		if (pfd) {
			pfd[i].fd = fd;
			pfd[i].events = POLLIN;
		} else if (fd >= 0) {
			close(fd);
		}
	}
	alive = wait_exit(sw, pfd, pfd ? sw->n_procs : 0, deadline);
	free(pfd);
	return alive;
}

/* Passes of kb_sweep_kill_all() before it kills what it has: each only finds forks of the last. */
#define MAX_PASSES 32
/* How long a pass waits for the processes it stopped to show state T. */
#define STOP_WAIT_MS 1000

/* Has pid (that started at start_time) stopped, or gone? */
static bool stopped_or_gone(const struct kb_sweep *sw, pid_t pid, unsigned long long start_time)
{
	struct kb_proc_stat st;
	char path[PATH_MAX], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/stat", sw->proc, (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	return kb_sweep_parse_stat(buf, &st) || st.start_time != start_time || st.state == 'T' ||
	       st.state == 'Z' || st.state == 'X';
}

/*
 * Sweep sw->proc again into a sweep of its own (sharing sw's digests),
 * marking in seen[] the processes of sw it finds again and appending the
 * new ones to sw->procs. Returns how many are new, or -errno.
 */
static ssize_t sweep_again(struct kb_sweep *sw, bool *seen)
{
	struct kb_sweep again;
	size_t i, j, n = sw->n_procs;
	ssize_t added = 0;
	int ret;

	kb_sweep_init(&again, sw->list);
	again.proc = sw->proc;
	again.moddir = sw->moddir;
	again.max_size = sw->max_size;
	again.self = sw->self;
	again.known_digest = sw->known_digest;
	again.known_ctx = sw->known_ctx;
	again.cache = sw->cache;
	ret = kb_sweep_processes(&again);
	sw->cache = again.cache;
	again.cache = NULL;
	sw->known_digest = again.known_digest;
	for (i = 0; i < again.n_procs && ret >= 0; i++) {
		struct kb_sweep_proc *q = &again.procs[i];

		for (j = 0; j < n; j++)
			if (sw->procs[j].pid == q->pid && sw->procs[j].start_time == q->start_time)
				break;
		if (j < n) {
			seen[j] = true;
			continue;
		}
		ret = KB_GROW(sw->procs, sw->n_procs, sw->cap_procs);
		if (ret)
			break;
		sw->procs[sw->n_procs++] = *q;
		memset(q, 0, sizeof(*q));
		added++;
	}
	kb_sweep_free(&again);
	return ret < 0 ? ret : added;
}

size_t kb_sweep_kill_all(struct kb_sweep *sw, unsigned int wait_ms)
{
	struct pollfd *pfd = NULL;
	bool no_pidfd = false, *seen = NULL, checked = false;
	size_t i, done = 0, alive, cap = 0, cap_seen = 0;	/* cap: of pfd */
	unsigned int pass;
	ssize_t added = 0;

	if (!sw->n_procs)
		return 0;
	for (pass = 0; pass < MAX_PASSES; pass++) {
		uint64_t deadline;

		while (cap < sw->n_procs && !KB_GROW(pfd, cap, cap))
			;
		while (cap_seen < sw->n_procs && !KB_GROW(seen, cap_seen, cap_seen))
			;
		if (cap < sw->n_procs || cap_seen < sw->n_procs)
			break;	/* out of memory: kill what is stopped */
		for (i = done; i < sw->n_procs; i++) {
			struct kb_sweep_proc *p = &sw->procs[i];
			int fd = -1;

			pfd[i] = (struct pollfd){ .fd = -1, .events = POLLIN };
			if (open_checked(sw, p, &no_pidfd, &fd))
				continue;
			if (send(p, fd, SIGSTOP)) {
				if (fd >= 0)
					close(fd);
				continue;
			}
			pfd[i].fd = fd;
			p->action = KB_SWEEP_NONE;	/* stopped, for now */
		}
		/* Stopped means it can fork no more: then look for what it forked. */
		deadline = now_ms() + STOP_WAIT_MS;
		for (i = done; i < sw->n_procs; i++) {
			const struct kb_sweep_proc *p = &sw->procs[i];

			while (p->action == KB_SWEEP_NONE && now_ms() < deadline &&
			       !stopped_or_gone(sw, p->pid, p->start_time))
				usleep(1000);
		}
		done = sw->n_procs;
		memset(seen, 0, done * sizeof(*seen));
		added = sweep_again(sw, seen);
		if (added <= 0)
			break;
	}
	checked = added >= 0 && done > 0;
	/*
	 * The last pass ran after every process so far had stopped: one it did
	 * not find running listed code has exec'd something else (or exited).
	 * Let it go. Had the pass failed, nothing is known: kill.
	 */
	for (i = 0; i < done; i++) {
		struct kb_sweep_proc *p = &sw->procs[i];

		if (p->action != KB_SWEEP_NONE)
			continue;
		if (checked && !seen[i]) {
			if (!send(p, pfd[i].fd, SIGCONT))
				p->action = KB_SWEEP_RELEASED;
		} else if (!send(p, pfd[i].fd, SIGKILL)) {
			p->action = KB_SWEEP_SIGNALLED;
			continue;
		}
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
		pfd[i].fd = -1;
	}
	/* Found by a last pass that had no turn to stop them (MAX_PASSES, memory): kill as found. */
	for (i = done; i < sw->n_procs; i++) {
		int fd = kill_one(sw, &sw->procs[i], &no_pidfd);

		if (i < cap)
			pfd[i] = (struct pollfd){ .fd = fd, .events = POLLIN };
		else if (fd >= 0)
			close(fd);	/* watched through its stat instead */
	}
	alive = wait_exit(sw, pfd, sw->n_procs < cap ? sw->n_procs : cap, now_ms() + wait_ms);
	free(pfd);
	free(seen);
	return alive;
}
