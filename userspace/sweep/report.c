// SPDX-License-Identifier: GPL-2.0
/*
 * sweep: the report. Text is one line per finding, "KIND key=value ...",
 * with strings quoted and escaped the way the module's log lines are, so the
 * same tools read both; JSON is one object (documented in kasblockctl(8)).
 */

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "lib/hexdigest.h"
#include "sweep.h"

void kb_sweep_put_quoted(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Length of the valid UTF-8 sequence at s (no overlongs or surrogates), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f))
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

void kb_sweep_put_json(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	fputc('"', f);
	while (*s) {
		if (*s == '"' || *s == '\\') {
			fputc('\\', f);
			fputc(*s++, f);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else if (*s < 0x80) {
			fputc(*s++, f);
		} else {
			n = utf8_len(s);
			if (n)
				fwrite(s, 1, n, f);
			else
				fputs("\\ufffd", f);
			s += n ? n : 1;
		}
	}
	fputc('"', f);
}

static void put_json_or_null(FILE *f, const char *s)
{
	if (s && *s)
		kb_sweep_put_json(f, s);
	else
		fputs("null", f);
}

/* The user name, or the number when there is none; NULL when the uid is unknown. */
static const char *user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw;

	if (uid == (uid_t)-1)
		return NULL;
	pw = getpwuid(uid);
	if (pw && pw->pw_name)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%lu", (unsigned long)uid);
	return buf;
}

static const char *unchecked_reason(const struct kb_sweep_unchecked *u)
{
	if (u->module && !u->path && u->err == ENOENT)
		return "no file for it in modules.dep";
	if (u->err == EFBIG)
		return "larger than max_hash_size";
	if (u->err == ESTALE)
		return "its path names another file now";
	return strerror(u->err);
}

static void text_match(FILE *f, const struct kb_sweep_proc *p, const struct kb_sweep_match *m,
		       const struct kb_sweep_report *r)
{
	char hex[KB_HEX_LEN + 1], user[64];
	const char *name = user_name(p->uid, user, sizeof(user));

	kb_hex_format(m->entry->digest, hex);
	fprintf(f, "process pid=%d user=", (int)p->pid);
	if (name)
		kb_sweep_put_quoted(f, name);
	else
		fputs("-", f);
	fputs(" comm=", f);
	kb_sweep_put_quoted(f, p->comm);
	fprintf(f, " match=%s", m->exe ? "exe" : "mapping");
	if (!m->exe)
		fprintf(f, " range=%lx-%lx", m->start, m->end);
	fputs(" path=", f);
	kb_sweep_put_quoted(f, m->path);
	fprintf(f, " sha256=%s label=", hex);
	kb_sweep_put_quoted(f, m->entry->label);
	if (m->deleted)
		fputs(" deleted=yes", f);
	if (p->other_mntns)
		fputs(" mntns=other", f);
	if (r->kill) {
		fprintf(f, " action=%s", kb_sweep_action_name(p->action));
		if (p->action == KB_SWEEP_FAILED) {
			fputs(" error=", f);
			kb_sweep_put_quoted(f, strerror(p->action_err));
		}
	}
	fputc('\n', f);
}

void kb_sweep_report_text(FILE *f, const struct kb_sweep *sw, const struct kb_sweep_report *r)
{
	const struct kb_sweep_stats *s = &sw->stats;
	char hex[KB_HEX_LEN + 1];
	size_t i, j, stopped = 0;

	for (i = 0; i < sw->n_procs; i++) {
		const struct kb_sweep_proc *p = &sw->procs[i];

		for (j = 0; j < p->n_matches; j++)
			text_match(f, p, &p->matches[j], r);
		/* released: it no longer runs listed code, which is what stopping is for */
		if (p->action == KB_SWEEP_KILLED || p->action == KB_SWEEP_VANISHED ||
		    p->action == KB_SWEEP_RELEASED)
			stopped++;
	}
	for (i = 0; i < sw->n_mods; i++) {
		kb_hex_format(sw->mods[i].entry->digest, hex);
		fputs("module name=", f);
		kb_sweep_put_quoted(f, sw->mods[i].name);
		fputs(" path=", f);
		kb_sweep_put_quoted(f, sw->mods[i].path);
		fprintf(f, " sha256=%s label=", hex);
		kb_sweep_put_quoted(f, sw->mods[i].entry->label);
		fputc('\n', f);
	}
	for (i = 0; i < sw->n_unchecked; i++) {
		const struct kb_sweep_unchecked *u = &sw->unchecked[i];

		fputs("unchecked", f);
		if (u->module) {
			fputs(" module=", f);
			kb_sweep_put_quoted(f, u->module);
		} else {
			fprintf(f, " pid=%d", (int)u->pid);
		}
		if (u->path) {
			fputs(" path=", f);
			kb_sweep_put_quoted(f, u->path);
		}
		fputs(" error=", f);
		kb_sweep_put_quoted(f, unchecked_reason(u));
		fputc('\n', f);
	}
	fprintf(f, "summary generation=%llu entries=%zu processes=%lu other_mntns=%lu files=%lu "
		   "bytes=%llu files_cached=%lu modules=%lu found_processes=%zu found_modules=%zu",
		(unsigned long long)r->generation, r->entries, s->processes, s->other_mntns,
		s->files, s->bytes, s->files_cached, s->modules, sw->n_procs, sw->n_mods);
	if (r->kill)
		fprintf(f, " stopped=%zu not_stopped=%zu", stopped, sw->n_procs - stopped);
	fprintf(f, " kernel_threads=%lu exited=%lu unreadable=%lu files_unreadable=%lu "
		   "files_oversize=%lu modules_without_file=%lu\n",
		s->kernel_threads, s->exited, s->unreadable, s->files_unreadable, s->files_oversize,
		s->modules_without_file);
}

static void json_match(FILE *f, const struct kb_sweep_match *m)
{
	char hex[KB_HEX_LEN + 1];

	kb_hex_format(m->entry->digest, hex);
	fprintf(f, "{\"match\":\"%s\",\"path\":", m->exe ? "exe" : "mapping");
	kb_sweep_put_json(f, m->path);
	fprintf(f, ",\"deleted\":%s,\"range\":\"%lx-%lx\",\"sha256\":\"%s\",\"label\":",
		m->deleted ? "true" : "false", m->start, m->end, hex);
	put_json_or_null(f, m->entry->label);
	fputc('}', f);
}

static void json_proc(FILE *f, const struct kb_sweep_proc *p, const struct kb_sweep_report *r)
{
	char user[64];
	const char *name = user_name(p->uid, user, sizeof(user));
	size_t j;

	fprintf(f, "{\"pid\":%d,\"comm\":", (int)p->pid);
	kb_sweep_put_json(f, p->comm);
	if (name)
		fprintf(f, ",\"uid\":%lu,\"user\":", (unsigned long)p->uid);
	else
		fputs(",\"uid\":null,\"user\":", f);
	put_json_or_null(f, name);
	fputs(",\"exe\":", f);
	put_json_or_null(f, p->exe);
	fprintf(f, ",\"exe_deleted\":%s,\"other_mntns\":%s,\"matches\":[",
		p->exe_deleted ? "true" : "false", p->other_mntns ? "true" : "false");
	for (j = 0; j < p->n_matches; j++) {
		if (j)
			fputc(',', f);
		json_match(f, &p->matches[j]);
	}
	fputs("],\"action\":", f);
	if (r->kill)
		fprintf(f, "\"%s\"", kb_sweep_action_name(p->action));
	else
		fputs("null", f);
	fputs(",\"error\":", f);
	put_json_or_null(f, p->action == KB_SWEEP_FAILED ? strerror(p->action_err) : NULL);
	fputc('}', f);
}

void kb_sweep_report_json(FILE *f, const struct kb_sweep *sw, const struct kb_sweep_report *r)
{
	const struct kb_sweep_stats *s = &sw->stats;
	char hex[KB_HEX_LEN + 1];
	size_t i;

	fprintf(f, "{\"generation\":%llu,\"entries\":%zu,\"kill\":%s,\"processes\":[",
		(unsigned long long)r->generation, r->entries, r->kill ? "true" : "false");
	for (i = 0; i < sw->n_procs; i++) {
		if (i)
			fputc(',', f);
		json_proc(f, &sw->procs[i], r);
	}
	fputs("],\"modules\":[", f);
	for (i = 0; i < sw->n_mods; i++) {
		if (i)
			fputc(',', f);
		kb_hex_format(sw->mods[i].entry->digest, hex);
		fputs("{\"name\":", f);
		kb_sweep_put_json(f, sw->mods[i].name);
		fputs(",\"path\":", f);
		kb_sweep_put_json(f, sw->mods[i].path);
		fprintf(f, ",\"sha256\":\"%s\",\"label\":", hex);
		put_json_or_null(f, sw->mods[i].entry->label);
		fputc('}', f);
	}
	fputs("],\"unchecked\":[", f);
	for (i = 0; i < sw->n_unchecked; i++) {
		const struct kb_sweep_unchecked *u = &sw->unchecked[i];

		if (i)
			fputc(',', f);
		if (u->module) {
			fputs("{\"module\":", f);
			kb_sweep_put_json(f, u->module);
		} else {
			fprintf(f, "{\"pid\":%d", (int)u->pid);
		}
		fputs(",\"path\":", f);
		put_json_or_null(f, u->path);
		fputs(",\"error\":", f);
		kb_sweep_put_json(f, unchecked_reason(u));
		fputc('}', f);
	}
	fprintf(f, "],\"scanned\":{\"processes\":%lu,\"other_mntns\":%lu,\"files\":%lu,"
		   "\"bytes\":%llu,\"files_cached\":%lu,\"modules\":%lu}",
		s->processes, s->other_mntns, s->files, s->bytes, s->files_cached, s->modules);
	fprintf(f, ",\"skipped\":{\"kernel_threads\":%lu,\"exited\":%lu,\"unreadable\":%lu,"
		   "\"files_unreadable\":%lu,\"files_oversize\":%lu,\"modules_without_file\":%lu}}\n",
		s->kernel_threads, s->exited, s->unreadable, s->files_unreadable, s->files_oversize,
		s->modules_without_file);
}
