// SPDX-License-Identifier: GPL-2.0
/*
 * kasblockctl report: what the kernel enforces (status over netlink, and
 * the hardening a lock needs beside it) and what listed code still runs (a
 * sweep that only looks). A field that cannot be read is null and named in
 * "unreadable", never guessed: "not locked" and "could not tell" must not
 * look alike to the machine that adds the reports up.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/hexdigest.h"
#include "lib/json.h"
#include "lib/netlink.h"
#include "report.h"
#include "sweep/sweep.h"

struct enforcement {
	bool loaded;
	char version[64];		/* /sys/module/kasblock/version */
	int status_err;			/* 0: st is valid */
	struct kb_status st;
	int modules_disabled;		/* -1: unreadable */
	char lockdown[32];		/* the bracketed word; "" unreadable */
	const char *secure_boot;	/* "enabled", "disabled", "not_efi", NULL unreadable */
	struct kb_report_unreadable u;
};

#define SECURE_BOOT_VAR "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

static void read_hardening(struct enforcement *e)
{
	char buf[128], *open_, *close_;
	unsigned char var[5];
	FILE *f;
	int ret;

	ret = kb_report_read_line("/proc/sys/kernel/modules_disabled", buf, sizeof(buf));
	e->modules_disabled = ret ? -1 : atoi(buf);
	if (ret)
		kb_report_mark(&e->u, "modules_disabled", -ret);

	/* "none [integrity] confidentiality": the bracketed word is in force. */
	ret = kb_report_read_line("/sys/kernel/security/lockdown", buf, sizeof(buf));
	open_ = ret ? NULL : strchr(buf, '[');
	close_ = open_ ? strchr(open_, ']') : NULL;
	if (close_) {
		*close_ = '\0';
		snprintf(e->lockdown, sizeof(e->lockdown), "%s", open_ + 1);
	} else {
		kb_report_mark(&e->u, "lockdown", ret ? -ret : EINVAL);
	}

	/* efivarfs: 4 bytes of attributes, then the value. No EFI at all is an answer. */
	if (access("/sys/firmware/efi", F_OK) && errno == ENOENT) {
		e->secure_boot = "not_efi";
		return;
	}
	f = fopen(SECURE_BOOT_VAR, "re");
	if (!f) {
		kb_report_mark(&e->u, "secure_boot", errno);
		return;
	}
	if (fread(var, 1, sizeof(var), f) == sizeof(var))
		e->secure_boot = var[4] == 1 ? "enabled" : "disabled";
	else
		kb_report_mark(&e->u, "secure_boot", EIO);
	fclose(f);
}

/*
 * The status over netlink when the module is there. An absent family is "not
 * loaded"; a refusal (not root) leaves the module's fields unreadable.
 */
static void enforcement_read(struct enforcement *e, struct kb_nl **nl)
{
	int ret;

	memset(e, 0, sizeof(*e));
	read_hardening(e);
	e->loaded = !access("/sys/module/kasblock", F_OK);
	if (kb_report_read_line("/sys/module/kasblock/version", e->version, sizeof(e->version)))
		e->version[0] = '\0';
	*nl = NULL;
	ret = kb_nl_open(nl);
	if (!ret)
		ret = kb_nl_get_status(*nl, &e->st);
	if (ret == -ENOENT && !e->loaded) {
		e->status_err = ENOENT;
		return;
	}
	/* The family answers: loaded, whatever /sys says (a built-in has no version file). */
	if (ret != -ENOENT)
		e->loaded = true;
	e->status_err = -ret;
	if (ret)
		kb_report_mark(&e->u, "status", -ret);
	if (e->loaded && !e->version[0])
		kb_report_mark(&e->u, "module_version", ENOENT);
}

static bool have(const struct kb_status *st, int attr)
{
	return st->have & (1ULL << attr);
}

static void json_counter(struct kb_json *j, const char *key, const struct kb_status *st, int c)
{
	kb_json_opt_u64(j, key, st->have_counters & (1ULL << c), st->counters[c]);
}

/*
 * What the module says about its TPM measurement log; the proof itself is
 * `kasblockctl attest`, which needs a verifier's nonce, so a report only says
 * whether one can be made.
 */
static void json_attestation(struct kb_json *j, const struct enforcement *e)
{
	const struct kb_status *st = &e->st;
	bool ok = e->loaded && !e->status_err;
	const char *state;

	if (!ok) {
		kb_json_null(j, "attestation");
		return;
	}
	state = have(st, KASBLOCK_A_ATTEST_STATE) ? kb_attest_state_name(st->attest_state) : NULL;
	kb_json_object_start(j, "attestation");
	/* A module older than attestation sends none of these: null, not "disabled". */
	kb_json_string(j, "state", have(st, KASBLOCK_A_ATTEST_STATE) ? (state ? state : "unknown") : NULL);
	kb_json_opt_u64(j, "pcr", have(st, KASBLOCK_A_ATTEST_PCR), st->attest_pcr);
	kb_json_opt_u64(j, "measurements", have(st, KASBLOCK_A_MEASUREMENT_COUNT), st->measurements);
	kb_json_opt_u64(j, "gaps", have(st, KASBLOCK_A_MEASUREMENT_GAPS), st->measurement_gaps);
	json_counter(j, "tpm_errors", st, KASBLOCK_COUNTER_A_TPM_ERRORS);
	kb_json_object_end(j);
}

static void json_enforcement(struct kb_json *j, const struct enforcement *e)
{
	const struct kb_status *st = &e->st;
	bool ok = e->loaded && !e->status_err;
	const char *mode = ok ? kb_mode_name(st->mode) : NULL;
	char hex[KB_HEX_LEN + 1];

	kb_json_object_start(j, "enforcement");
	kb_json_bool(j, "loaded", e->loaded);
	kb_json_string(j, "module_version", e->version[0] ? e->version : NULL);
	kb_json_string(j, "mode", ok ? (mode ? mode : "unknown") : NULL);
	if (ok && have(st, KASBLOCK_A_LOCKED))
		kb_json_bool(j, "locked", st->locked);
	else
		kb_json_null(j, "locked");
	kb_json_opt_u64(j, "entries", ok && have(st, KASBLOCK_A_NR_ENTRIES), st->nr_entries);
	kb_json_opt_u64(j, "generation", ok && have(st, KASBLOCK_A_GENERATION), st->generation);
	kb_hex_format(st->policy_digest, hex);
	kb_json_string(j, "policy_digest", ok && have(st, KASBLOCK_A_POLICY_DIGEST) ? hex : NULL);
	if (ok && have(st, KASBLOCK_A_FAIL_POLICY)) {
		const char *p = kb_fail_policy_name(st->fail_policy);

		kb_json_string(j, "fail_policy", p ? p : "unknown");
	} else {
		kb_json_null(j, "fail_policy");
	}
	if (ok) {
		kb_json_object_start(j, "counters");
		json_counter(j, "checks", st, KASBLOCK_COUNTER_A_CHECKS);
		json_counter(j, "denials", st, KASBLOCK_COUNTER_A_DENIALS);
		json_counter(j, "errors", st, KASBLOCK_COUNTER_A_ERRORS);
		json_counter(j, "events_dropped", st, KASBLOCK_COUNTER_A_EVENTS_DROPPED);
		kb_json_object_end(j);
	} else {
		kb_json_null(j, "counters");
	}
	json_attestation(j, e);
	kb_json_opt_u64(j, "modules_disabled", e->modules_disabled >= 0,
			(uint64_t)e->modules_disabled);
	kb_json_string(j, "lockdown", e->lockdown[0] ? e->lockdown : NULL);
	kb_json_string(j, "secure_boot", e->secure_boot);
	kb_report_unreadable_json(j, &e->u);
	kb_json_object_end(j);
}

struct remediation {
	bool ran;			/* a sweep ran: a is valid */
	int err;			/* why not, positive errno */
	struct kb_sweep_active a;
};

/* A sweep that only looks: report is an audit, stopping is sweep --kill's job. */
static void remediation_run(struct remediation *r, const struct enforcement *e, struct kb_nl *nl)
{
	int ret;

	memset(r, 0, sizeof(*r));
	if (!e->loaded || e->status_err) {
		r->err = e->loaded ? e->status_err : ENOENT;
		return;
	}
	ret = kb_sweep_active(&r->a, nl, false);
	if (ret < 0) {
		r->err = -ret;
		kb_sweep_active_free(&r->a);
		return;
	}
	r->ran = true;
}

static void json_remediation(struct kb_json *j, const struct remediation *r)
{
	kb_json_object_start(j, "remediation");
	kb_json_bool(j, "swept", r->ran);
	kb_json_string(j, "error", r->ran ? NULL :
			 r->err == ENOENT ? "kasblock module is not loaded" : strerror(r->err));
	kb_json_opt_u64(j, "processes_running_listed_code", r->ran, r->ran ? r->a.sw.n_procs : 0);
	kb_json_opt_u64(j, "modules_listed", r->ran, r->ran ? r->a.sw.n_mods : 0);
	if (r->ran) {
		kb_json_object_start(j, "sweep");
		kb_json_string(j, "schema", KB_SWEEP_SCHEMA);
		kb_sweep_report_json_members(j, &r->a.sw, &r->a.report);
		kb_json_object_end(j);
	} else {
		kb_json_null(j, "sweep");
	}
	kb_json_object_end(j);
}

struct kb_report_kernel {
	struct enforcement enf;
	struct remediation rem;
};

struct kb_report_kernel *kb_report_kernel_read(void)
{
	struct kb_report_kernel *k = calloc(1, sizeof(*k));
	struct kb_nl *nl = NULL;

	if (!k)
		return NULL;
	enforcement_read(&k->enf, &nl);
	remediation_run(&k->rem, &k->enf, nl);
	if (nl)
		kb_nl_close(nl);
	return k;
}

void kb_report_kernel_json(struct kb_json *j, const struct kb_report_kernel *k)
{
	json_enforcement(j, &k->enf);
	json_remediation(j, &k->rem);
}

static void text_attestation(const struct kb_status *st)
{
	const char *state = kb_attest_state_name(st->attest_state);

	printf("  %-18s ", "attestation:");
	if (!have(st, KASBLOCK_A_ATTEST_STATE))
		printf("unknown (the module does not say)\n");
	else if (st->attest_state == KASBLOCK_ATTEST_AVAILABLE)
		printf("available (PCR %u, %u measurements, %u gaps)\n", st->attest_pcr,
		       st->measurements, st->measurement_gaps);
	else
		printf("%s\n", state ? state : "unknown");
}

void kb_report_kernel_text(const struct kb_report_kernel *k)
{
	const struct enforcement *e = &k->enf;
	const struct kb_status *st = &e->st;
	char hex[KB_HEX_LEN + 1];

	printf("\nenforcement\n  %-18s ", "module:");
	if (!e->loaded)
		printf("not loaded\n");
	else
		printf("loaded, version %s\n", e->version[0] ? e->version : "unknown");
	if (e->loaded && e->status_err) {
		printf("  %-18s ", "status:");
		kb_report_unreadable_text(&e->u, "status");
		putchar('\n');
	} else if (e->loaded) {
		const char *mode = kb_mode_name(st->mode), *fp = kb_fail_policy_name(st->fail_policy);

		kb_hex_format(st->policy_digest, hex);
		printf("  %-18s %s\n", "mode:", mode ? mode : "unknown");
		printf("  %-18s %s\n", "locked:", !have(st, KASBLOCK_A_LOCKED) ? "unknown" :
		       st->locked ? "yes (until reboot)" : "no");
		printf("  %-18s %u\n  %-18s %" PRIu64 "\n", "entries:", st->nr_entries,
		       "generation:", st->generation);
		printf("  %-18s %s\n", "policy digest:",
		       have(st, KASBLOCK_A_POLICY_DIGEST) ? hex : "unknown");
		printf("  %-18s %s\n", "fail policy:", fp ? fp : "unknown");
		printf("  %-18s %" PRIu64 " checks, %" PRIu64 " denials, %" PRIu64 " errors\n",
		       "counters:", st->counters[KASBLOCK_COUNTER_A_CHECKS],
		       st->counters[KASBLOCK_COUNTER_A_DENIALS], st->counters[KASBLOCK_COUNTER_A_ERRORS]);
		text_attestation(st);
	}
	printf("  %-18s ", "modules_disabled:");
	if (e->modules_disabled >= 0)
		printf("%d", e->modules_disabled);
	else
		kb_report_unreadable_text(&e->u, "modules_disabled");
	printf("\n  %-18s ", "lockdown:");
	if (e->lockdown[0])
		printf("%s", e->lockdown);
	else
		kb_report_unreadable_text(&e->u, "lockdown");
	printf("\n  %-18s ", "secure boot:");
	if (e->secure_boot)
		printf("%s", !strcmp(e->secure_boot, "not_efi") ? "no EFI" : e->secure_boot);
	else
		kb_report_unreadable_text(&e->u, "secure_boot");

	printf("\n\nremediation\n  %-18s ", "listed code:");
	if (k->rem.ran)
		printf("%zu processes running it, %zu modules loaded from it\n",
		       k->rem.a.sw.n_procs, k->rem.a.sw.n_mods);
	else
		printf("not swept (%s)\n", k->rem.err == ENOENT ? "kasblock module is not loaded" :
		       strerror(k->rem.err));
}

void kb_report_kernel_free(struct kb_report_kernel *k)
{
	if (!k)
		return;
	if (k->rem.ran)
		kb_sweep_active_free(&k->rem.a);
	free(k);
}
