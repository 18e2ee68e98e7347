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

/* Returns a pidfd on which SIGKILL was sent, -1 when the action is already decided. */
static int kill_one(const struct kb_sweep *sw, struct kb_sweep_proc *p, bool *no_pidfd)
{
	int fd = -1;

	p->action_err = 0;
	/* Init ignores SIGKILL from its own namespace; ourselves, we would rather report. */
	if (p->pid == sw->self || p->pid == 1) {
		p->action = KB_SWEEP_SPARED;
		return -1;
	}
	if (!*no_pidfd) {
		fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
		if (fd < 0 && errno == ENOSYS)
			*no_pidfd = true;
		else if (fd < 0) {
			p->action = errno == ESRCH ? KB_SWEEP_VANISHED : KB_SWEEP_FAILED;
			p->action_err = errno;
			return -1;
		}
	}
	if (!still_there(sw, p->pid, p->start_time, false)) {
		p->action = KB_SWEEP_VANISHED;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Without pidfds (before Linux 5.3) a pid reused in between is a risk we cannot close. */
	if (fd >= 0 ? syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) : kill(p->pid, SIGKILL)) {
		p->action = errno == ESRCH ? KB_SWEEP_VANISHED : KB_SWEEP_FAILED;
		p->action_err = errno;
		if (fd >= 0)
			close(fd);
		return -1;
	}
	p->action = KB_SWEEP_SIGNALLED;
	return fd;
}

size_t kb_sweep_kill(struct kb_sweep *sw, unsigned int wait_ms)
{
	uint64_t deadline = now_ms() + wait_ms;
	struct pollfd *pfd;
	bool no_pidfd = false;
	size_t i, waiting = 0, alive = 0;

	pfd = calloc(sw->n_procs ? sw->n_procs : 1, sizeof(*pfd));
	for (i = 0; i < sw->n_procs; i++) {
		int fd = kill_one(sw, &sw->procs[i], &no_pidfd);

		if (pfd) {
			pfd[i].fd = fd;
			pfd[i].events = POLLIN;
		} else if (fd >= 0) {
			close(fd);
		}
		if (sw->procs[i].action == KB_SWEEP_SIGNALLED)
			waiting++;
	}
	/* A pidfd polls readable once its process has exited. */
	while (waiting) {
		uint64_t now = now_ms();
		int n;

		if (now >= deadline)
			break;
		if (pfd && !no_pidfd) {
			n = poll(pfd, sw->n_procs, (int)(deadline - now));
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
			if (pfd && pfd[i].fd >= 0)
				gone = pfd[i].revents & (POLLIN | POLLHUP | POLLERR);
			else
				gone = !still_there(sw, p->pid, p->start_time, true);
			if (gone) {
				p->action = KB_SWEEP_KILLED;
				if (pfd && pfd[i].fd >= 0) {
					close(pfd[i].fd);
					pfd[i].fd = -1;	/* poll() skips it now */
				}
				waiting--;
			}
		}
	}
	for (i = 0; i < sw->n_procs; i++) {
		enum kb_sweep_action a = sw->procs[i].action;

		if (pfd && pfd[i].fd >= 0)
			close(pfd[i].fd);
		if (a == KB_SWEEP_SIGNALLED || a == KB_SWEEP_FAILED || a == KB_SWEEP_SPARED)
			alive++;
	}
	free(pfd);
	return alive;
}
