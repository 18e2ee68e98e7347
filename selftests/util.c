// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: files, child programs, module parameters, the module
 * itself, the kernel log and the kasblockctl tool.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define PARAMS "/sys/module/kasblock/parameters/"
#define NOBODY 65534

uint64_t kst_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kst_tmpdir(char path[64])
{
	strcpy(path, "/tmp/kst-XXXXXX");
	if (!mkdtemp(path))
		return -errno;
	/* Tests run programs as nobody from here too. */
	if (chmod(path, 0755))
		return -errno;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return (type == FTW_DP ? rmdir(path) : unlink(path)) ? -1 : 0;
}

int kst_rmtree(const char *path)
{
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) ? -errno : 0;
}

int kst_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	const char *p = data;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		p += n;
		len -= n;
	}
	if (!ret && fchmod(fd, mode))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

/* kst-true is built next to the test programs. */
static int read_true(char **data, size_t *len)
{
	char self[PATH_MAX], path[PATH_MAX + 16];
	struct stat st;
	ssize_t n;
	int fd;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	snprintf(path, sizeof(path), "%s/kst-true", dirname(self));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !(*data = malloc(st.st_size))) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, *data, st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(*data);
		return -EIO;
	}
	*len = n;
	return 0;
}

int kst_make_prog(const char *path, const char *tag, size_t min_size,
		  uint8_t digest[KASBLOCK_DIGEST_LEN])
{
	size_t len, taglen = strlen(tag), size;
	char *prog, *buf;
	int ret;

	ret = read_true(&prog, &len);
	if (ret)
		return ret;
	size = len + taglen + 1;
	if (size < min_size)
		size = min_size;
	/*
	 * The ELF loader ignores bytes after the program's segments, so the
	 * appended tag changes the digest and nothing else.
	 */
	buf = calloc(1, size);
	if (!buf) {
		free(prog);
		return -ENOMEM;
	}
	memcpy(buf, prog, len);
	memcpy(buf + len, tag, taglen);
	buf[len + taglen] = '\n';
	free(prog);
	ret = kst_write_file(path, buf, size, 0755);
	if (!ret && digest)
		kst_sha256(buf, size, digest);
	free(buf);
	return ret;
}

static int drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

int kst_keep_only_caps(uint64_t mask, bool as_nobody)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	uint64_t keep;
	int ret;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	keep = ((uint64_t)data[1].permitted << 32 | data[0].permitted) & mask;
	if (as_nobody) {
		/* Keep the permitted set across the switch to a non-zero uid. */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
			return -errno;
		ret = drop_to(NOBODY);
		if (ret)
			return ret;
	}
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = keep >> 32;
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

int kst_run(const char *path)
{
	struct kst_exec how = { .dirfd = AT_FDCWD };

	return kst_run_ex(path, &how);
}

int kst_run_ex(const char *path, struct kst_exec *how)
{
	int fds[2], err = 0, status;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		char *const argv[] = { "kst-prog", NULL };
		char *const envp[] = { NULL };

		close(fds[0]);
		if (how->comm)
			prctl(PR_SET_NAME, how->comm, 0, 0, 0);
		if (how->uid && drop_to(how->uid)) {
			err = -1;	/* not an exec result */
		} else {
			syscall(SYS_execveat, how->dirfd, path, argv, envp, how->flags);
			err = errno;
		}
		if (write(fds[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(fds[1]);
	/* The pipe closes on a successful exec: nothing to read. */
	do {
		n = read(fds[0], &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	how->pid = pid;
	how->status = status;
	if (n == sizeof(err))
		return err > 0 ? err : -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

struct kst_loop *kst_loop_start(const char *a, const char *b)
{
	struct kst_loop *loop;
	pid_t pid;
	int ret;

	loop = mmap(NULL, sizeof(*loop), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (loop == MAP_FAILED)
		return NULL;
	memset(loop, 0, sizeof(*loop));
	/* Shared memory: only the parent may write the pid. */
	pid = fork();
	if (pid < 0) {
		munmap(loop, sizeof(*loop));
		return NULL;
	}
	if (pid) {
		loop->pid = pid;
		return loop;
	}
	while (!loop->stop) {
		struct kst_exec how = { .dirfd = AT_FDCWD };

		ret = kst_run_ex(a, &how);
		if (ret == EPERM) {
			loop->a_denied++;
		} else if (ret == 0) {
			loop->a_ran++;
		} else if (ret == -1 && WIFSIGNALED(how.status) &&
			   WTERMSIG(how.status) == SIGSEGV) {
			/*
			 * A became listed between exec's checks: its mapping
			 * was refused after the point of no return.
			 */
			loop->a_killed++;
		} else if (!loop->a_other++) {
			loop->a_other_result = ret;
			loop->a_other_status = how.status;
		}
		ret = kst_run_ex(b, &how);
		if (ret == 0) {
			loop->b_ran++;
		} else if (!loop->b_failed++) {
			loop->b_failed_result = ret;
			loop->b_failed_status = how.status;
		}
	}
	_exit(0);
}

void kst_loop_stop(struct kst_loop *loop)
{
	if (!loop || loop->pid <= 0)
		return;
	loop->stop = 1;
	while (waitpid(loop->pid, NULL, 0) < 0 && errno == EINTR)
		;
	loop->pid = 0;
}

void kst_loop_free(struct kst_loop *loop)
{
	if (!loop)
		return;
	kst_loop_stop(loop);
	munmap(loop, sizeof(*loop));
}

int kst_param_write(const char *name, const char *value)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return n == (ssize_t)strlen(value) ? 0 : -EIO;
}

int kst_param_read(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int kst_params_reset(void)
{
	int ret;

	ret = kst_param_write("max_entries", KST_DEFAULT_MAX_ENTRIES);
	if (!ret)
		ret = kst_param_write("max_hash_size", KST_DEFAULT_MAX_HASH_SIZE);
	if (!ret)
		ret = kst_param_write("fail_closed", KST_DEFAULT_FAIL_CLOSED);
	return ret;
}

bool kst_module_loaded(void)
{
	return !access("/sys/module/kasblock/parameters", F_OK);
}

int kst_module_load(const char *params)
{
	const char *ko = getenv("KASBLOCK_KO") ?: KST_KO_DEFAULT;
	int fd, ret = 0;

	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params ?: "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

int kst_module_unload(unsigned int wait_ms)
{
	uint64_t deadline = kst_now_ms() + wait_ms;

	for (;;) {
		if (!syscall(SYS_delete_module, "kasblock", O_NONBLOCK))
			return 0;
		/* In use for a moment, e.g. by a netlink request in flight. */
		if ((errno != EAGAIN && errno != EBUSY) || kst_now_ms() > deadline)
			return -errno;
		usleep(20000);
	}
}

/* Reads the whole kernel log; copies the newest line with every needle, counts them all. */
static int klog_scan(const char *const *needles, char *line, size_t len, unsigned int *count)
{
	char *buf, *p, *nl;
	int size, n, ret = -ENOENT;

	*count = 0;
	size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (size <= 0)
		return -errno;
	buf = malloc(size + 1);
	if (!buf)
		return -ENOMEM;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	buf[n] = '\0';
	/* The newest match wins: earlier attempts may be in the log too. */
	for (p = buf; *p; p = nl + 1) {
		const char *const *s;

		nl = strchrnul(p, '\n');
		for (s = needles; *s; s++) {
			char *hit = memmem(p, nl - p, *s, strlen(*s));

			if (!hit)
				break;
		}
		if (!*s) {
			if (line)
				snprintf(line, len, "%.*s", (int)(nl - p), p);
			(*count)++;
			ret = 0;
		}
		if (!*nl)
			break;
	}
out:
	free(buf);
	return ret;
}

int kst_klog_find(const char *const *needles, char *line, size_t len)
{
	unsigned int count;

	return klog_scan(needles, line, len, &count);
}

int kst_klog_count(const char *const *needles)
{
	unsigned int count;
	int ret = klog_scan(needles, NULL, 0, &count);

	return ret == -ENOENT ? 0 : ret < 0 ? ret : (int)count;
}

/* One output stream of a child: what fits in buf is kept, the rest is read and dropped. */
struct sink {
	int fd;
	char *buf;
	size_t len, used;
	bool eof;
};

static void drain(struct sink *s)
{
	char scratch[4096];
	ssize_t n;

	if (s->buf && s->used + 1 < s->len)
		n = read(s->fd, s->buf + s->used, s->len - 1 - s->used);
	else
		n = read(s->fd, scratch, sizeof(scratch));
	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0)
		s->eof = true;
	else if (s->buf && s->used + 1 < s->len)
		s->used += n;
}

int kst_tool_as(uid_t uid, const char *const *args, char *out, size_t outlen,
		char *err, size_t errlen)
{
	const char *tool = getenv("KASBLOCKCTL") ?: KST_TOOL_DEFAULT;
	struct sink so = { .buf = out, .len = outlen };
	struct sink se = { .buf = err, .len = errlen };
	const char *argv[64];
	int o[2], e[2], i, status;
	pid_t pid;

	argv[0] = "kasblockctl";
	for (i = 0; args[i] && i < 62; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;

	if (pipe2(o, O_CLOEXEC))
		return -1;
	if (pipe2(e, O_CLOEXEC)) {
		close(o[0]);
		close(o[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, 0) < 0 || dup2(o[1], 1) < 0 ||
		    dup2(e[1], 2) < 0)
			_exit(125);
		if (uid && drop_to(uid))
			_exit(125);
		execv(tool, (char *const *)argv);
		dprintf(2, "kst: cannot exec %s: %s\n", tool, strerror(errno));
		_exit(127);
	}
	close(o[1]);
	close(e[1]);
	so.fd = o[0];
	se.fd = e[0];
	/* Read both at once: a child blocked on a full stderr never closes stdout. */
	while (!so.eof || !se.eof) {
		struct pollfd p[2] = {
			{ .fd = so.eof ? -1 : so.fd, .events = POLLIN },
			{ .fd = se.eof ? -1 : se.fd, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			drain(&so);
		if (p[1].revents)
			drain(&se);
	}
	close(o[0]);
	close(e[0]);
	if (out && outlen)
		out[so.used] = '\0';
	if (err && errlen)
		err[se.used] = '\0';
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int kst_tool(const char *const *args, char *out, size_t outlen, char *err,
	     size_t errlen)
{
	return kst_tool_as(0, args, out, outlen, err, errlen);
}

/* path of a program built next to this one. */
void kst_sibling(const char *name, char path[PATH_MAX])
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	snprintf(path, PATH_MAX, "%s/%s", dirname(self), name);
}


/* Copies a sibling build product to dst with tag appended: a digest of its own. */
int kst_copy_tagged(const char *name, const char *dst, const char *tag,
		       uint8_t digest[KASBLOCK_DIGEST_LEN])
{
	char src[PATH_MAX], *buf;
	size_t taglen = strlen(tag);
	struct stat st;
	ssize_t n;
	int fd, ret;

	kst_sibling(name, src);
	fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !(buf = malloc(st.st_size + taglen + 1))) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, buf, st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(buf);
		return -EIO;
	}
	memcpy(buf + n, tag, taglen);
	buf[n + taglen] = '\n';
	ret = kst_write_file(dst, buf, n + taglen + 1, 0755);
	if (!ret && digest)
		kst_sha256(buf, n + taglen + 1, digest);
	free(buf);
	return ret;
}


int kst_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* What scripts/check.sh counts as a kernel in trouble, for its log scan. */
static const char *const sick[] = {
	"WARNING:", "BUG:", "Oops", "Call Trace", "KASAN", "UBSAN", "kernel BUG",
	"general protection", "RCU stall", "self-detected stall", "rcu: INFO",
	"detected stalls", "lockdep", "possible circular locking",
	"possible recursive locking", "sleeping function called from invalid context",
	"Panic", "panic", "soft lockup", "hard LOCKUP", "blocked for more than",
	"list_add corruption", "list_del corruption", "refcount_t: ",
	"Unable to handle", "double fault", "stack-protector", "BUG kmalloc",
	"Memory leak", "kmemleak", NULL,
};

/* kasblock's event and policy lines: their comm= and path= are the tests' text. */
static const char *const quoting[] = {
	"kasblock: denied ", "kasblock: would deny ", "kasblock: cannot hash",
	"kasblock: policy changed:", "kasblock: policy refused:",
	"Kernel command line:", NULL,
};

int kst_kmsg_check(int fd, char *line, size_t len, unsigned long *lost)
{
	char rec[8192];
	int found = 0;

	for (;;) {
		const char *const *s;
		unsigned int prio;
		char *msg, *end;
		ssize_t n = read(fd, rec, sizeof(rec) - 1);

		if (n < 0 && errno == EPIPE) {
			/* Overwritten before we read it; the next read goes on. */
			if (lost)
				++*lost;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? found : -errno;
		rec[n] = '\0';
		/* "prio,seq,usec,flags[,...];message\n" and " KEY=value" lines. */
		msg = strchr(rec, ';');
		if (!msg || sscanf(rec, "%u,", &prio) != 1 || prio >> 3)
			continue;	/* not from the kernel (facility 0) */
		msg++;
		end = strchrnul(msg, '\n');
		*end = '\0';
		/* Lines quoting test-chosen text, which check.sh skips too. */
		for (s = quoting; *s && strncmp(msg, *s, strlen(*s)); s++)
			;
		if (*s)
			continue;
		for (s = sick; *s && !strstr(msg, *s); s++)
			;
		if (*s && !found) {
			snprintf(line, len, "%s", msg);
			found = 1;
		}
	}
}
