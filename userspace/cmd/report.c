// SPDX-License-Identifier: GPL-2.0
/*
 * kasblockctl report: one document per host for an auditor and a fleet tool:
 * what is installed (scan), what the kernel enforces (status and the
 * hardening around it), what still runs (sweep), and when that was seen.
 *
 * A report must never guess. Whatever cannot be read (no module, not root, no
 * securityfs) is null, and its key is named in the section's "unreadable"
 * array with the reason, so that "not locked" and "could not tell" never look
 * alike to the machine that adds the reports up.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "errcode.h"
#include "indfiles.h"
#include "report.h"
#include "lib/json.h"
#include "lib/version.h"
#include "scan/scan.h"
#include "subcommands.h"

#define SCHEMA "kasblock-report/1"

static const char usage[] = "Usage: kasblockctl report [--json]\n";
static const char help[] =
	"\n"
	"Report on this host, for an auditor and for a fleet tool: the host\n"
	"(name, machine-id, kernel, distribution); identification (the products\n"
	"`kasblockctl scan' finds, their evidence and what was looked at);\n"
	"enforcement (module loaded and its version, mode, lock, entries,\n"
	"generation, policy digest, counters, failure policy,\n"
	"kernel.modules_disabled, kernel lockdown, Secure Boot); remediation (the\n"
	"listed code `kasblockctl sweep' finds running; nothing is stopped); and the\n"
	"time. Without the module, enforcement says it is not loaded; what cannot\n"
	"be read (as non-root, say) is marked unreadable, never guessed.\n"
	"\n"
	"  -j, --json   print one JSON object on one line (schema " SCHEMA ")\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 the report was written, 1 error, 2 usage.\n";

struct host {
	struct utsname uts;
	char machine_id[64];
	char distro[256];
	struct kb_report_unreadable u;
};

/* PRETTY_NAME from os-release(5): /etc first, then /usr/lib, as systemd reads it. */
static int read_distro(char *buf, size_t len)
{
	static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };
	char line[256];
	size_t i, n;
	FILE *f = NULL;
	int ret = -ENOENT;

	for (i = 0; i < 2 && !f; i++) {
		f = fopen(paths[i], "re");
		if (!f && errno != ENOENT)
			ret = -errno;
	}
	if (!f)
		return ret;
	ret = -ENODATA;
	while (fgets(line, sizeof(line), f)) {
		char *v = line + strlen("PRETTY_NAME=");

		if (strncmp(line, "PRETTY_NAME=", strlen("PRETTY_NAME=")))
			continue;
		v[strcspn(v, "\n")] = '\0';
		n = strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v[n - 1] = '\0';
			v++;
		}
		snprintf(buf, len, "%s", v);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static void host_read(struct host *h)
{
	int ret;

	memset(h, 0, sizeof(*h));
	uname(&h->uts);
	ret = kb_report_read_line("/etc/machine-id", h->machine_id, sizeof(h->machine_id));
	if (ret)
		kb_report_mark(&h->u, "machine_id", -ret);
	ret = read_distro(h->distro, sizeof(h->distro));
	if (ret)
		kb_report_mark(&h->u, "distribution", -ret);
}

struct report {
	char time[32];			/* RFC 3339, UTC */
	struct host host;
	struct kb_scan scan;
	struct kb_report_kernel *kernel;
};

static int print_json(const struct report *r)
{
	struct kb_json j;

	kb_json_begin(&j, stdout, SCHEMA);
	kb_json_string(&j, "version", VERSION);
	kb_json_string(&j, "time", r->time);
	kb_json_object_start(&j, "host");
	kb_json_string(&j, "hostname", r->host.uts.nodename);
	kb_json_string(&j, "machine_id", r->host.machine_id[0] ? r->host.machine_id : NULL);
	kb_json_string(&j, "kernel_release", r->host.uts.release);
	kb_json_string(&j, "distribution", r->host.distro[0] ? r->host.distro : NULL);
	kb_report_unreadable_json(&j, &r->host.u);
	kb_json_object_end(&j);
	kb_json_object_start(&j, "identification");
	kb_json_string(&j, "schema", KB_SCAN_SCHEMA);
	kb_scan_report_json_members(&r->scan, &j);
	kb_json_object_end(&j);
	kb_report_kernel_json(&j, r->kernel);
	return kb_json_end(&j);
}

static void print_text(const struct report *r)
{
	size_t h;

	printf("kasblock report of %s at %s\n\n", r->host.uts.nodename, r->time);
	printf("host\n  %-18s %s\n  %-18s ", "hostname:", r->host.uts.nodename, "machine-id:");
	if (r->host.machine_id[0])
		printf("%s", r->host.machine_id);
	else
		kb_report_unreadable_text(&r->host.u, "machine_id");
	printf("\n  %-18s %s\n  %-18s ", "kernel:", r->host.uts.release, "distribution:");
	if (r->host.distro[0])
		printf("%s", r->host.distro);
	else
		kb_report_unreadable_text(&r->host.u, "distribution");

	printf("\n\nidentification\n  %-18s %zu of %zu checked (%zu with traces only)%s\n",
	       "products found:", r->scan.n_found, r->scan.n_hits, r->scan.n_traces,
	       r->scan.errors ? "; some sources could not be read" : "");
	for (h = 0; h < r->scan.n_hits; h++) {
		const struct kb_hit *hit = &r->scan.hits[h];

		if (hit->status != KB_ABSENT)
			printf("  %-18s %s (evidence: %zu)\n", kb_status_name(hit->status),
			       hit->product->id, hit->n_ev);
	}
	printf("  %-18s %zu sources read or found absent (kasblockctl scan shows them)\n",
	       "method:", r->scan.n_src);

	kb_report_kernel_text(r->kernel);
}

int report_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kb_strv ind_files = { 0 }, ind_read = { 0 };
	struct kb_scan_opts so = { .live = -1 };
	struct kb_indicators ind = { 0 };
	struct report *r;
	bool json = false;
	struct tm tm;
	time_t now;
	int c, ret;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("%s%s", usage, help);
			return KB_EXIT_OK;
		default:
			return kb_bad_option("report", usage, c, argv);
		}
	}
	if (optind != argc)
		return kb_usage_error("report", usage, "unexpected argument '%s'", argv[optind]);

	r = calloc(1, sizeof(*r));
	if (!r) {
		kb_err("report: %s", strerror(ENOMEM));
		return KB_EXIT_FAIL;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(r->time, sizeof(r->time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	host_read(&r->host);

	ret = kb_cmd_load_indicators("report", &ind, &ind_files, &ind_read);
	if (ret)
		goto out;
	so.indicator_files = &ind_read;
	ret = kb_scan_run(&r->scan, &ind, &so);
	if (ret) {
		kb_err("report: scan: %s", strerror(-ret));
		ret = KB_EXIT_FAIL;
		goto out;
	}
	r->kernel = kb_report_kernel_read();
	if (!r->kernel) {
		kb_err("report: %s", strerror(ENOMEM));
		ret = KB_EXIT_FAIL;
		goto out_scan;
	}

	if (json) {
		ret = print_json(r);
	} else {
		print_text(r);
		ret = 0;
	}
	/* A report that did not get out is a failure, whatever it says. */
	if (ret || fflush(stdout)) {
		kb_write_error("report", ret ? -ret : errno);
		ret = KB_EXIT_FAIL;
	} else {
		ret = KB_EXIT_OK;
	}
	kb_report_kernel_free(r->kernel);
out_scan:
	kb_scan_free(&r->scan);
out:
	kb_indicators_free(&ind);
	kb_strv_free(&ind_read);
	free(r);
	return ret;
}
