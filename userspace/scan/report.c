// SPDX-License-Identifier: GPL-2.0
/*
 * scan's reports: text for people, JSON (schema "kasblock-scan/2", in
 * kasblockctl(8)) and CSV for collecting many hosts into the directive's
 * count. Every list is sorted before it gets here, so the same host gives
 * the same bytes. File names are attacker-chosen: JSON goes through
 * lib/json.c (controls escaped, bytes that are not UTF-8 as an array of byte
 * values), CSV quotes what needs quoting, text shows control bytes as \xHH.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "lib/version.h"
#include "scan.h"


/* Text: UTF-8 as is; control bytes, backslash and bytes that are not UTF-8 as \xHH. */
static void text_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	while (*s) {
		n = *s >= 0x80 ? kb_utf8_seq(s, strlen((const char *)s)) : 0;
		if (*s >= 0x20 && *s < 0x7f && *s != '\\') {
			fputc(*s++, f);
		} else if (n) {
			fwrite(s, 1, n, f);
			s += n;
		} else {
			fprintf(f, "\\x%02x", *s++);
		}
	}
}

/*
 * RFC 4180: quote a field holding a comma, quote, CR, LF or edge blanks; double
 * the quotes. A field that starts as a spreadsheet formula would (= + - @, or
 * a tab or CR before one) is a file name an attacker chose: it gets a leading
 * single quote, inside quotes, so that a spreadsheet shows it as text.
 */
static void csv_str(FILE *f, const char *s)
{
	size_t len = strlen(s);
	bool formula = len && strchr("=+-@\t\r", s[0]);

	if (!formula && !strpbrk(s, ",\"\r\n") && (!len || (s[0] != ' ' && s[len - 1] != ' '))) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int done(FILE *f)
{
	if (fflush(f))
		return -errno;
	return ferror(f) ? -EIO : 0;
}

static const char *product_name(const struct kb_product *p)
{
	return p->name ? p->name : p->id;
}

int kb_scan_report_text(const struct kb_scan *scan, FILE *f)
{
	size_t h, i;

	fputs("root: ", f);
	text_str(f, scan->root);
	fprintf(f, " (%s)\nhost: ", scan->live ? "running system" : "image");
	text_str(f, *scan->hostname ? scan->hostname : "-");
	fputs("\nmachine-id: ", f);
	text_str(f, *scan->machine_id ? scan->machine_id : "-");
	fputc('\n', f);
	for (h = 0; h < scan->n_hits; h++) {
		const struct kb_hit *hit = &scan->hits[h];

		if (hit->status == KB_ABSENT)
			continue;
		fprintf(f, "\nproduct %s: %s (", hit->product->id, kb_status_name(hit->status));
		text_str(f, product_name(hit->product));
		fputs(")\n", f);
		for (i = 0; i < hit->n_ev; i++) {
			const struct kb_evidence *e = &hit->ev[i];

			fprintf(f, "\t%s%s\t", kb_ev_kind_name(e->kind), e->weak ? " (weak)" : "");
			text_str(f, e->value);
			if (*e->detail) {
				fputc('\t', f);
				text_str(f, e->detail);
			}
			fputc('\n', f);
		}
	}
	fputs("\nlooked at:\n", f);
	for (i = 0; i < scan->n_src; i++) {
		const struct kb_source *s = &scan->src[i];

		fprintf(f, "\t%s\t", s->kind);
		text_str(f, s->path);
		fprintf(f, "\t%s", kb_source_state_name(s->state));
		if (*s->detail) {
			fputc('\t', f);
			text_str(f, s->detail);
		}
		fputc('\n', f);
	}
	fprintf(f, "\nfiles: %llu in product directories, %llu executable, %llu hashed",
		(unsigned long long)scan->walk.files, (unsigned long long)scan->walk.qualifying,
		(unsigned long long)scan->walk.hashed);
	if (scan->walk.oversize)
		fprintf(f, ", %llu too big", (unsigned long long)scan->walk.oversize);
	if (scan->walk.unreadable)
		fprintf(f, ", %llu unreadable", (unsigned long long)scan->walk.unreadable);
	fprintf(f, "\nsummary: %zu product%s found, %zu with traces only, on 1 endpoint "
		"(%s); %zu error%s\n",
		scan->n_found, scan->n_found == 1 ? "" : "s", scan->n_traces,
		scan->n_found ? "affected" : "not affected", scan->errors,
		scan->errors == 1 ? "" : "s");
	return done(f);
}

static void json_walk(struct kb_json *j, const char *key, const struct kb_walk_stats *w)
{
	kb_json_object_start(j, key);
	kb_json_u64(j, "seen", w->files);
	kb_json_u64(j, "executable", w->qualifying);
	kb_json_u64(j, "hashed", w->hashed);
	kb_json_u64(j, "bytes_hashed", w->bytes_hashed);
	kb_json_u64(j, "oversize", w->oversize);
	kb_json_u64(j, "unreadable", w->unreadable);
	kb_json_u64(j, "special", w->special);
	kb_json_u64(j, "symlinks", w->symlinks);
	kb_json_u64(j, "too_deep", w->too_deep);
	kb_json_u64(j, "loops", w->loops);
	kb_json_object_end(j);
}

/* A string that can be empty: empty is absent, which JSON OUTPUT says is null. */
static void json_opt_str(struct kb_json *j, const char *key, const char *s)
{
	kb_json_string(j, key, *s ? s : NULL);
}

/*
 * The members of a kasblock-scan/2 object after its "schema", written into
 * the object j has open: scan --json's document, and report's
 * "identification", are the same object.
 */
void kb_scan_report_json_members(const struct kb_scan *scan, struct kb_json *j)
{
	size_t h, i;

	kb_json_string(j, "version", VERSION);
	kb_json_string(j, "root", scan->root);
	kb_json_bool(j, "live", scan->live);
	kb_json_object_start(j, "endpoint");
	json_opt_str(j, "hostname", scan->hostname);
	json_opt_str(j, "machine_id", scan->machine_id);
	kb_json_object_end(j);
	kb_json_object_start(j, "summary");
	kb_json_u64(j, "endpoints_scanned", 1);
	kb_json_u64(j, "endpoints_affected", scan->n_found ? 1 : 0);
	kb_json_u64(j, "products_checked", scan->n_hits);
	kb_json_u64(j, "products_found", scan->n_found);
	kb_json_u64(j, "products_traces", scan->n_traces);
	kb_json_u64(j, "errors", scan->errors);
	kb_json_object_end(j);
	kb_json_array_start(j, "products");
	for (h = 0; h < scan->n_hits; h++) {
		const struct kb_hit *hit = &scan->hits[h];

		if (hit->status == KB_ABSENT)
			continue;
		kb_json_object_start(j, NULL);
		kb_json_string(j, "id", hit->product->id);
		kb_json_string(j, "name", product_name(hit->product));
		kb_json_string(j, "status", kb_status_name(hit->status));
		kb_json_array_start(j, "evidence");
		for (i = 0; i < hit->n_ev; i++) {
			const struct kb_evidence *e = &hit->ev[i];

			kb_json_object_start(j, NULL);
			kb_json_string(j, "kind", kb_ev_kind_name(e->kind));
			kb_json_string(j, "strength", e->weak ? "weak" : "strong");
			kb_json_string(j, "value", e->value);
			json_opt_str(j, "detail", e->detail);
			kb_json_object_end(j);
		}
		kb_json_array_end(j);
		json_walk(j, "files", &hit->walk);
		kb_json_object_end(j);
	}
	kb_json_array_end(j);
	kb_json_array_start(j, "sources");
	for (i = 0; i < scan->n_src; i++) {
		const struct kb_source *s = &scan->src[i];

		kb_json_object_start(j, NULL);
		kb_json_string(j, "kind", s->kind);
		kb_json_string(j, "path", s->path);
		kb_json_string(j, "state", kb_source_state_name(s->state));
		json_opt_str(j, "detail", s->detail);
		kb_json_object_end(j);
	}
	kb_json_array_end(j);
	json_walk(j, "files", &scan->walk);
	if (scan->hashed) {
		kb_json_object_start(j, "blocklist");
		kb_json_u64(j, "entries", scan->bl.n);
		kb_json_u64(j, "duplicates", scan->bl.duplicates);
		kb_json_u64(j, "excluded", scan->bl.excluded);
		kb_json_object_end(j);
	} else {
		kb_json_null(j, "blocklist");
	}
}

int kb_scan_report_json(const struct kb_scan *scan, FILE *f)
{
	struct kb_json j;

	kb_json_begin(&j, f, KB_SCAN_SCHEMA);
	kb_scan_report_json_members(scan, &j);
	kb_json_end(&j);
	return done(f);
}

static void csv_row(FILE *f, const struct kb_scan *scan, const char *product, const char *status,
		    const char *kind, const char *strength, const char *value, const char *detail)
{
	const char *const fields[] = {
		scan->hostname, scan->machine_id, product, status, kind, strength, value, detail,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (i)
			fputc(',', f);
		csv_str(f, fields[i]);
	}
	fputs("\r\n", f);
}

int kb_scan_report_csv(const struct kb_scan *scan, FILE *f)
{
	bool any = false;
	size_t h, i;

	fputs("hostname,machine_id,product,status,kind,strength,value,detail\r\n", f);
	for (h = 0; h < scan->n_hits; h++) {
		const struct kb_hit *hit = &scan->hits[h];

		if (hit->status == KB_ABSENT)
			continue;
		for (i = 0; i < hit->n_ev; i++) {
			const struct kb_evidence *e = &hit->ev[i];

			csv_row(f, scan, hit->product->id, kb_status_name(hit->status),
				kb_ev_kind_name(e->kind), e->weak ? "weak" : "strong", e->value,
				e->detail);
			any = true;
		}
	}
	/* Every endpoint gets a row, so concatenated reports count the clean ones too. */
	if (!any)
		csv_row(f, scan, "", scan->errors ? "incomplete" : "none", "", "", "", "");
	return done(f);
}
