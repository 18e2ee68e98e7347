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
#include "lib/json.h"
#include "lib/logstr.h"
#include "sweep.h"

/* An empty string is absent: null, as for every absent value (lib/json.h). */
static void json_opt_str(struct kb_json *j, const char *key, const char *s)
{
	kb_json_string(j, key, s && *s ? s : NULL);
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
		kb_log_quotes(f, name);
	else
		fputs("-", f);
	fputs(" comm=", f);
	kb_log_quotes(f, p->comm);
	fprintf(f, " match=%s", m->exe ? "exe" : "mapping");
	if (!m->exe)
		fprintf(f, " range=%lx-%lx", m->start, m->end);
	fputs(" path=", f);
	kb_log_quotes(f, m->path);
	fprintf(f, " sha256=%s label=", hex);
	kb_log_quotes(f, m->entry->label);
	if (m->deleted)
		fputs(" deleted=yes", f);
	if (p->other_mntns)
		fputs(" mntns=other", f);
	if (r->kill) {
		fprintf(f, " action=%s", kb_sweep_action_name(p->action));
		if (p->action == KB_SWEEP_FAILED) {
			fputs(" error=", f);
			kb_log_quotes(f, strerror(p->action_err));
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
		kb_log_quotes(f, sw->mods[i].name);
		fputs(" path=", f);
		kb_log_quotes(f, sw->mods[i].path);
		fprintf(f, " sha256=%s label=", hex);
		kb_log_quotes(f, sw->mods[i].entry->label);
		fputc('\n', f);
	}
	for (i = 0; i < sw->n_unchecked; i++) {
		const struct kb_sweep_unchecked *u = &sw->unchecked[i];

		fputs("unchecked", f);
		if (u->module) {
			fputs(" module=", f);
			kb_log_quotes(f, u->module);
		} else {
			fprintf(f, " pid=%d", (int)u->pid);
		}
		if (u->path) {
			fputs(" path=", f);
			kb_log_quotes(f, u->path);
		}
		fputs(" error=", f);
		kb_log_quotes(f, unchecked_reason(u));
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

static void json_match(struct kb_json *j, const struct kb_sweep_match *m)
{
	char hex[KB_HEX_LEN + 1], range[40];

	kb_hex_format(m->entry->digest, hex);
	snprintf(range, sizeof(range), "%lx-%lx", m->start, m->end);
	kb_json_object_start(j, NULL);
	kb_json_string(j, "match", m->exe ? "exe" : "mapping");
	kb_json_string(j, "path", m->path);
	kb_json_bool(j, "deleted", m->deleted);
	kb_json_string(j, "range", range);
	kb_json_string(j, "sha256", hex);
	json_opt_str(j, "label", m->entry->label);
	kb_json_object_end(j);
}

static void json_proc(struct kb_json *j, const struct kb_sweep_proc *p,
		      const struct kb_sweep_report *r)
{
	char user[64];
	const char *name = user_name(p->uid, user, sizeof(user));
	size_t i;

	kb_json_object_start(j, NULL);
	kb_json_s64(j, "pid", p->pid);
	kb_json_string(j, "comm", p->comm);
	kb_json_opt_u64(j, "uid", name != NULL, p->uid);
	kb_json_string(j, "user", name);
	json_opt_str(j, "exe", p->exe);
	kb_json_bool(j, "exe_deleted", p->exe_deleted);
	kb_json_bool(j, "other_mntns", p->other_mntns);
	kb_json_array_start(j, "matches");
	for (i = 0; i < p->n_matches; i++)
		json_match(j, &p->matches[i]);
	kb_json_array_end(j);
	kb_json_string(j, "action", r->kill ? kb_sweep_action_name(p->action) : NULL);
	kb_json_string(j, "error", p->action == KB_SWEEP_FAILED ? strerror(p->action_err) : NULL);
	kb_json_object_end(j);
}

/*
 * The members of a kasblock-sweep/1 object (kasblockctl(8)) after its
 * "schema": sweep --json's document and report's "remediation" sweep.
 */
void kb_sweep_report_json_members(struct kb_json *j, const struct kb_sweep *sw,
				  const struct kb_sweep_report *r)
{
	const struct kb_sweep_stats *s = &sw->stats;
	char hex[KB_HEX_LEN + 1];
	size_t i;

	kb_json_u64(j, "generation", r->generation);
	kb_json_u64(j, "entries", r->entries);
	kb_json_bool(j, "kill", r->kill);
	kb_json_array_start(j, "processes");
	for (i = 0; i < sw->n_procs; i++)
		json_proc(j, &sw->procs[i], r);
	kb_json_array_end(j);
	kb_json_array_start(j, "modules");
	for (i = 0; i < sw->n_mods; i++) {
		kb_hex_format(sw->mods[i].entry->digest, hex);
		kb_json_object_start(j, NULL);
		kb_json_string(j, "name", sw->mods[i].name);
		kb_json_string(j, "path", sw->mods[i].path);
		kb_json_string(j, "sha256", hex);
		json_opt_str(j, "label", sw->mods[i].entry->label);
		kb_json_object_end(j);
	}
	kb_json_array_end(j);
	kb_json_array_start(j, "unchecked");
	for (i = 0; i < sw->n_unchecked; i++) {
		const struct kb_sweep_unchecked *u = &sw->unchecked[i];

		kb_json_object_start(j, NULL);
		if (u->module)
			kb_json_string(j, "module", u->module);
		else
			kb_json_s64(j, "pid", u->pid);
		json_opt_str(j, "path", u->path);
		kb_json_string(j, "error", unchecked_reason(u));
		kb_json_object_end(j);
	}
	kb_json_array_end(j);
	kb_json_object_start(j, "scanned");
	kb_json_u64(j, "processes", s->processes);
	kb_json_u64(j, "other_mntns", s->other_mntns);
	kb_json_u64(j, "files", s->files);
	kb_json_u64(j, "bytes", s->bytes);
	kb_json_u64(j, "files_cached", s->files_cached);
	kb_json_u64(j, "modules", s->modules);
	kb_json_object_end(j);
	kb_json_object_start(j, "skipped");
	kb_json_u64(j, "kernel_threads", s->kernel_threads);
	kb_json_u64(j, "exited", s->exited);
	kb_json_u64(j, "unreadable", s->unreadable);
	kb_json_u64(j, "files_unreadable", s->files_unreadable);
	kb_json_u64(j, "files_oversize", s->files_oversize);
	kb_json_u64(j, "modules_without_file", s->modules_without_file);
	kb_json_object_end(j);
}

void kb_sweep_report_json(FILE *f, const struct kb_sweep *sw, const struct kb_sweep_report *r)
{
	struct kb_json j;

	kb_json_begin(&j, f, KB_SWEEP_SCHEMA);
	kb_sweep_report_json_members(&j, sw, r);
	kb_json_end(&j);
}
