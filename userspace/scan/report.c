// SPDX-License-Identifier: GPL-2.0
/*
 * scan's reports: text for people, JSON (schema "kasblock-scan/1", in
 * kasblockctl(8)) and CSV for collecting many hosts into the directive's
 * count. Every list is sorted before it gets here, so the same host gives
 * the same bytes. File names are attacker-chosen: JSON gets valid UTF-8 with
 * every control character escaped, CSV quotes what needs quoting, text
 * shows control bytes as \xHH.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/version.h"
#include "scan.h"

#define SCHEMA "kasblock-scan/1"

/* Length of the valid UTF-8 sequence at s, or 0. Overlongs and surrogates are invalid. */
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

/* A JSON string. Bytes that are not UTF-8 become U+FFFD: JSON cannot carry them. */
static void json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		size_t n;

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

/* Text: UTF-8 as is; control bytes, backslash and bytes that are not UTF-8 as \xHH. */
static void text_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	while (*s) {
		n = *s >= 0x80 ? utf8_len(s) : 0;
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

static void json_walk(FILE *f, const struct kb_walk_stats *w)
{
	fprintf(f, "{\"seen\":%llu,\"executable\":%llu,\"hashed\":%llu,\"bytes_hashed\":%llu,"
		"\"oversize\":%llu,\"unreadable\":%llu,\"special\":%llu,\"symlinks\":%llu,"
		"\"too_deep\":%llu,\"loops\":%llu}",
		(unsigned long long)w->files, (unsigned long long)w->qualifying,
		(unsigned long long)w->hashed, (unsigned long long)w->bytes_hashed,
		(unsigned long long)w->oversize, (unsigned long long)w->unreadable,
		(unsigned long long)w->special, (unsigned long long)w->symlinks,
		(unsigned long long)w->too_deep, (unsigned long long)w->loops);
}

int kb_scan_report_json(const struct kb_scan *scan, FILE *f)
{
	bool first = true;
	size_t h, i;

	fputs("{\"schema\":\"" SCHEMA "\",\"version\":", f);
	json_str(f, VERSION);
	fputs(",\"root\":", f);
	json_str(f, scan->root);
	fprintf(f, ",\"live\":%s,\"endpoint\":{\"hostname\":", scan->live ? "true" : "false");
	json_str(f, scan->hostname);
	fputs(",\"machine_id\":", f);
	json_str(f, scan->machine_id);
	fprintf(f, "},\"summary\":{\"endpoints_scanned\":1,\"endpoints_affected\":%d,"
		"\"products_checked\":%zu,\"products_found\":%zu,\"products_traces\":%zu,"
		"\"errors\":%zu},\"products\":[",
		scan->n_found ? 1 : 0, scan->n_hits, scan->n_found, scan->n_traces, scan->errors);
	for (h = 0; h < scan->n_hits; h++) {
		const struct kb_hit *hit = &scan->hits[h];

		if (hit->status == KB_ABSENT)
			continue;
		fputs(first ? "{\"id\":" : ",{\"id\":", f);
		first = false;
		json_str(f, hit->product->id);
		fputs(",\"name\":", f);
		json_str(f, product_name(hit->product));
		fprintf(f, ",\"status\":\"%s\",\"evidence\":[", kb_status_name(hit->status));
		for (i = 0; i < hit->n_ev; i++) {
			const struct kb_evidence *e = &hit->ev[i];

			fprintf(f, "%s{\"kind\":\"%s\",\"strength\":\"%s\",\"value\":", i ? "," : "",
				kb_ev_kind_name(e->kind), e->weak ? "weak" : "strong");
			json_str(f, e->value);
			fputs(",\"detail\":", f);
			json_str(f, e->detail);
			fputc('}', f);
		}
		fputs("],\"files\":", f);
		json_walk(f, &hit->walk);
		fputc('}', f);
	}
	fputs("],\"sources\":[", f);
	for (i = 0; i < scan->n_src; i++) {
		const struct kb_source *s = &scan->src[i];

		fprintf(f, "%s{\"kind\":", i ? "," : "");
		json_str(f, s->kind);
		fputs(",\"path\":", f);
		json_str(f, s->path);
		fprintf(f, ",\"state\":\"%s\",\"detail\":", kb_source_state_name(s->state));
		json_str(f, s->detail);
		fputc('}', f);
	}
	fputs("],\"files\":", f);
	json_walk(f, &scan->walk);
	if (scan->hashed)
		fprintf(f, ",\"blocklist\":{\"entries\":%zu,\"duplicates\":%zu,\"excluded\":%zu}",
			scan->bl.n, scan->bl.duplicates, scan->bl.excluded);
	else
		fputs(",\"blocklist\":null", f);
	fputs("}\n", f);
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
