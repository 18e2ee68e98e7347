// SPDX-License-Identifier: GPL-2.0
/*
 * Package databases. dpkg's status file is plain text and parsed here. The
 * RPM database is not: RHEL 7/8 keep it in Berkeley DB, RHEL 9 and Fedora in
 * SQLite, SUSE in ndb. Debian's own "rpm" package reads the first two
 * (backends sqlite and bdb_ro), so we run its rpm(8) on the image instead of
 * carrying three database readers or linking librpm for one query.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "pkg.h"

#define RPM_TIMEOUT_MS 120000
#define RPM_OUTPUT_MAX (64u << 20)

extern char **environ;

static int pkg_add(struct kb_pkgs *out, const char *name, size_t nl, const char *ver, size_t vl,
		   const char *arch, size_t al, const char *state, bool installed)
{
	struct kb_pkg *p;

	if (KB_GROW(out->p, out->n, out->cap))
		return -ENOMEM;
	p = &out->p[out->n];
	p->name = strndup(name, nl);
	p->version = strndup(ver ? ver : "", ver ? vl : 0);
	p->arch = strndup(arch ? arch : "", arch ? al : 0);
	p->state = strdup(state);
	p->installed = installed;
	if (!p->name || !p->version || !p->arch || !p->state) {
		free(p->name);
		free(p->version);
		free(p->arch);
		free(p->state);
		return -ENOMEM;
	}
	out->n++;
	return 0;
}

struct field {
	const char *v;
	size_t len;
};

/* dpkg "Status: want flag status": files are on disk unless the status says otherwise. */
static bool dpkg_installed(const char *status, size_t len)
{
	const char *last = status + len;

	while (last > status && last[-1] != ' ')
		last--;
	len -= (size_t)(last - status);
	return !(len == 13 && !memcmp(last, "not-installed", 13)) &&
	       !(len == 12 && !memcmp(last, "config-files", 12));
}

static int dpkg_stanza(struct kb_pkgs *out, struct field *pkg, struct field *ver,
		       struct field *arch, struct field *status)
{
	char state[128];
	int ret = 0;

	if (pkg->v && status->v) {
		snprintf(state, sizeof(state), "%.*s", (int)status->len, status->v);
		if (dpkg_installed(status->v, status->len) ||
		    strstr(state, "config-files"))
			ret = pkg_add(out, pkg->v, pkg->len, ver->v, ver->len, arch->v, arch->len,
				      state, dpkg_installed(status->v, status->len));
	}
	memset(pkg, 0, sizeof(*pkg));
	memset(ver, 0, sizeof(*ver));
	memset(arch, 0, sizeof(*arch));
	memset(status, 0, sizeof(*status));
	return ret;
}

static bool field_is(const char *line, size_t len, const char *name, struct field *f)
{
	size_t nl = strlen(name);
	const char *v;

	if (len <= nl || strncasecmp(line, name, nl) || line[nl] != ':')
		return false;
	v = line + nl + 1;
	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	f->v = v;
	f->len = (size_t)(line + len - v);
	while (f->len && (f->v[f->len - 1] == ' ' || f->v[f->len - 1] == '\t'))
		f->len--;
	return true;
}

int kb_dpkg_parse(const char *text, size_t len, struct kb_pkgs *out)
{
	struct field pkg = { 0 }, ver = { 0 }, arch = { 0 }, status = { 0 };
	const char *pos = text, *end = text + len;
	int ret;

	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		size_t n = nl ? (size_t)(nl - pos) : (size_t)(end - pos);

		if (n && pos[n - 1] == '\r')
			n--;
		if (n == 0) {
			ret = dpkg_stanza(out, &pkg, &ver, &arch, &status);
			if (ret)
				return ret;
		} else if (pos[0] != ' ' && pos[0] != '\t') {
			if (!field_is(pos, n, "Package", &pkg) &&
			    !field_is(pos, n, "Version", &ver) &&
			    !field_is(pos, n, "Architecture", &arch))
				field_is(pos, n, "Status", &status);
		}
		pos += (nl ? (size_t)(nl - pos) + 1 : n);
		if (!nl)
			break;
	}
	return dpkg_stanza(out, &pkg, &ver, &arch, &status);
}

int kb_rpm_parse(const char *text, size_t len, struct kb_pkgs *out)
{
	const char *pos = text, *end = text + len;
	int ret;

	while (pos < end) {
		const char *nl = memchr(pos, '\n', (size_t)(end - pos));
		const char *lend = nl ? nl : end, *t1, *t2;

		if (lend > pos) {
			t1 = memchr(pos, '\t', (size_t)(lend - pos));
			t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(lend - t1 - 1)) : NULL;
			if (!t2 || t1 == pos)
				return -EINVAL;
			ret = pkg_add(out, pos, (size_t)(t1 - pos), t1 + 1, (size_t)(t2 - t1 - 1),
				      t2 + 1, (size_t)(lend - t2 - 1), "installed", true);
			if (ret)
				return ret;
		}
		pos = lend + 1;
	}
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* environ with LC_ALL=C, so rpm's messages and formats do not depend on the caller's locale. */
static char **c_locale_env(void)
{
	size_t n = 0, i, j = 0;
	char **env;

	while (environ && environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7))
			env[j++] = environ[i];
	env[j++] = "LC_ALL=C";
	env[j] = NULL;
	return env;
}

static int drain(int fd, struct kb_buf *b, size_t max, bool *eof)
{
	char chunk[8192];
	ssize_t r = read(fd, chunk, sizeof(chunk));

	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (r == 0) {
		*eof = true;
		return 0;
	}
	if (b->len + (size_t)r > max)
		return -EFBIG;
	return kb_buf_add(b, chunk, (size_t)r);
}

int kb_rpm_query(const char *rpm_cmd, const char *root, const char *dbpath, const char *backend,
		 struct kb_pkgs *out, char *errmsg, size_t errmsg_len)
{
	char define[64];
	const char *argv[12];
	struct kb_buf o = { 0 }, e = { 0 };
	posix_spawn_file_actions_t fa;
	bool out_eof = false, err_eof = false;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	long deadline = now_ms() + RPM_TIMEOUT_MS;
	int argc = 0, status, ret;
	char **env = NULL;
	pid_t pid = -1;

	if (errmsg_len)
		errmsg[0] = '\0';
	argv[argc++] = rpm_cmd;
	argv[argc++] = "--root";
	argv[argc++] = root;
	argv[argc++] = "--dbpath";
	argv[argc++] = dbpath;
	if (backend) {
		snprintf(define, sizeof(define), "_db_backend %s", backend);
		argv[argc++] = "--define";
		argv[argc++] = define;
	}
	argv[argc++] = "-qa";
	argv[argc++] = "--qf";
	argv[argc++] = "%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{ARCH}\\n";
	argv[argc] = NULL;

	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		ret = -errno;
		goto out;
	}
	env = c_locale_env();
	if (!env) {
		ret = -ENOMEM;
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	ret = strchr(rpm_cmd, '/') ?
	      posix_spawn(&pid, rpm_cmd, &fa, NULL, (char *const *)argv, env) :
	      posix_spawnp(&pid, rpm_cmd, &fa, NULL, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (ret) {
		pid = -1;
		ret = -ret;
		goto out;
	}

	while (!out_eof || !err_eof) {
		struct pollfd pfd[2] = {
			{ .fd = out_eof ? -1 : po[0], .events = POLLIN },
			{ .fd = err_eof ? -1 : pe[0], .events = POLLIN },
		};
		long left = deadline - now_ms();
		int n;

		if (left <= 0) {
			ret = -ETIMEDOUT;
			goto out;
		}
		n = poll(pfd, 2, (int)left);
		if (n < 0 && errno != EINTR) {
			ret = -errno;
			goto out;
		}
		if (n <= 0)
			continue;
		if (pfd[0].revents) {
			ret = drain(po[0], &o, RPM_OUTPUT_MAX, &out_eof);
			if (ret)
				goto out;
		}
		if (pfd[1].revents) {
			ret = drain(pe[0], &e, 1 << 16, &err_eof);
			if (ret)
				goto out;
		}
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = -errno;
			goto out;
		}
	}
	pid = -1;
	if (e.len && errmsg_len)
		snprintf(errmsg, errmsg_len, "%.*s", (int)strcspn(e.s, "\n"), e.s);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* posix_spawnp() reports a missing program as exit 127 on some libcs. */
		ret = WIFEXITED(status) && WEXITSTATUS(status) == 127 && !o.len ? -ENOENT : -EIO;
		goto out;
	}
	ret = o.len ? kb_rpm_parse(o.s, o.len, out) : 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	if (po[0] >= 0)
		close(po[0]);
	if (po[1] >= 0)
		close(po[1]);
	if (pe[0] >= 0)
		close(pe[0]);
	if (pe[1] >= 0)
		close(pe[1]);
	free(env);
	kb_buf_free(&o);
	kb_buf_free(&e);
	return ret;
}

void kb_pkgs_free(struct kb_pkgs *pkgs)
{
	size_t i;

	for (i = 0; i < pkgs->n; i++) {
		free(pkgs->p[i].name);
		free(pkgs->p[i].version);
		free(pkgs->p[i].arch);
		free(pkgs->p[i].state);
	}
	free(pkgs->p);
	memset(pkgs, 0, sizeof(*pkgs));
}
