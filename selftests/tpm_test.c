// SPDX-License-Identifier: GPL-2.0
/*
 * kasblock selftests: attestation. With a TPM (the VM's swtpm), the PCR the module
 * measures into changes exactly at policy changes, and always equals the replay of the
 * measurement log (GET_MEASUREMENTS), whose last record is the state GET_STATUS reports;
 * `kasblockctl attest` then `verify` succeed in the VM. Without a TPM, status says
 * attestation is unavailable and the log is empty: that is asserted, not skipped.
 */

#define _GNU_SOURCE
#include <endian.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include "common.h"

#define TPM_DEV "/dev/tpm0"
#define EMPTY_DIGEST "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

FIXTURE(tpm) {
	struct kst_nl nl;
	char dir[64];
	bool tpm;
	unsigned int pcr;
	uint8_t last[KASBLOCK_DIGEST_LEN];	/* the PCR after the previous step */
};

FIXTURE_SETUP(tpm)
{
	struct kst_status st;

	kst_baseline(_metadata, &self->nl);
	ASSERT_EQ(0, kst_tmpdir(self->dir));
	self->tpm = access(TPM_DEV, F_OK) == 0;
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_TRUE(st.has_attest_state);
	self->pcr = st.attest_pcr;
}

FIXTURE_TEARDOWN(tpm)
{
	kst_restore(&self->nl);
	kst_rmtree(self->dir);
}

/* The SHA-256 bank's value of PCR pcr, from sysfs (5.12+). */
static int read_pcr(unsigned int pcr, uint8_t out[KASBLOCK_DIGEST_LEN])
{
	char path[96], hex[80];
	unsigned int i, v;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/tpm/tpm0/pcr-sha256/%u", pcr);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(hex, sizeof(hex), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	for (i = 0; i < KASBLOCK_DIGEST_LEN; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		out[i] = v;
	}
	return 0;
}

/* What the PCR must hold: every extended record's SHA-256, folded in from zeros. */
static void replay(const struct kst_measurement *m, size_t n, uint8_t pcr[KASBLOCK_DIGEST_LEN])
{
	uint8_t buf[2 * KASBLOCK_DIGEST_LEN];
	size_t i;

	memset(pcr, 0, KASBLOCK_DIGEST_LEN);
	for (i = 0; i < n; i++) {
		if (!m[i].extended)
			continue;
		memcpy(buf, pcr, KASBLOCK_DIGEST_LEN);
		kst_sha256(&m[i].rec, sizeof(m[i].rec), buf + KASBLOCK_DIGEST_LEN);
		kst_sha256(buf, sizeof(buf), pcr);
	}
}

/*
 * After one step: the PCR equals the log's replay, the log is in sequence, and the PCR
 * moved if and only if want_change is not 0 (-1: the first step, no comparison), in which case the new last record is that
 * change and holds the state GET_STATUS reports.
 */
static void check_step(struct __test_metadata *const _metadata, FIXTURE_DATA(tpm) *self,
		       const char *step, int want_change)
{
	uint8_t pcr[KASBLOCK_DIGEST_LEN], replayed[KASBLOCK_DIGEST_LEN];
	struct kst_measurement *m = NULL;
	const struct kasblock_measurement *r;
	struct kst_status st;
	size_t n, i;

	ASSERT_EQ(0, read_pcr(self->pcr, pcr));
	ASSERT_EQ(0, kst_nl_measurements(&self->nl, &m, &n));
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(i, le64toh(m[i].rec.seq));
		ASSERT_TRUE(m[i].extended) TH_LOG("%s: record %zu not extended (TPM error)", step, i);
	}
	replay(m, n, replayed);
	EXPECT_EQ(0, memcmp(pcr, replayed, sizeof(pcr))) {
		TH_LOG("%s: the PCR is not the replay of the log (%zu records)", step, n);
	}
	if (want_change > 0) {
		EXPECT_NE(0, memcmp(pcr, self->last, sizeof(pcr))) TH_LOG("%s: the PCR did not change", step);
		r = &m[n - 1].rec;
		ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
		EXPECT_EQ(want_change, le32toh(r->change)) TH_LOG("%s: last record", step);
		EXPECT_EQ(st.generation, le64toh(r->generation));
		EXPECT_EQ(st.mode, le32toh(r->mode));
		EXPECT_EQ(st.locked, r->locked);
		EXPECT_EQ(st.nr_entries, le32toh(r->nr_entries));
		EXPECT_EQ(st.max_hash_size, le64toh(r->max_hash_size));
		EXPECT_EQ(0, memcmp(st.policy_digest, r->policy_digest, KASBLOCK_DIGEST_LEN));
		EXPECT_EQ(0, memcmp(r->magic, KASBLOCK_MEASUREMENT_MAGIC, 4));
		EXPECT_EQ(self->pcr, le16toh(r->pcr));
	} else if (!want_change) {
		EXPECT_EQ(0, memcmp(pcr, self->last, sizeof(pcr))) TH_LOG("%s: the PCR changed", step);
	}
	memcpy(self->last, pcr, sizeof(pcr));
	free(m);
}

TEST_F(tpm, status_reports_the_attestation_state)
{
	struct kst_measurement *m = NULL;
	const char *args[] = { "status", NULL };
	char out[4096];
	struct kst_status st;
	size_t n;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(0, kst_nl_measurements(&self->nl, &m, &n));
	ASSERT_EQ(0, kst_tool(args, out, sizeof(out), NULL, 0));
	if (!self->tpm) {
		/* No TPM: nothing else changes, and status says so. */
		EXPECT_EQ(KASBLOCK_ATTEST_UNAVAILABLE, st.attest_state);
		EXPECT_EQ(0, n);
		EXPECT_NE(NULL, strstr(out, "attestation:     unavailable")) TH_LOG("%s", out);
	} else {
		EXPECT_EQ(KASBLOCK_ATTEST_AVAILABLE, st.attest_state);
		EXPECT_TRUE(st.has_attest_pcr);
		EXPECT_EQ(13, st.attest_pcr);
		ASSERT_LT(0, n);
		EXPECT_EQ(n, st.measurements);
		EXPECT_EQ(0, st.measurement_gaps);
		EXPECT_EQ(0, st.tpm_errors);
		EXPECT_EQ(KASBLOCK_MEASURE_LOAD, le32toh(m[0].rec.change));
		EXPECT_NE(NULL, strstr(out, "attestation:     available (PCR 13")) TH_LOG("%s", out);
	}
	free(m);
}

/* `report` (the fleet's per-host document) carries the same state. */
TEST_F(tpm, report_carries_the_attestation_state)
{
	const char *args[] = { "report", "--json", NULL };
	static char out[1 << 20];
	char want[128];
	struct kst_status st;

	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	ASSERT_EQ(0, kst_tool(args, out, sizeof(out), NULL, 0));
	if (!self->tpm)
		snprintf(want, sizeof(want), "\"attestation\":{\"state\":\"unavailable\"");
	else
		snprintf(want, sizeof(want),
			 "\"attestation\":{\"state\":\"available\",\"pcr\":13,\"measurements\":%u,\"gaps\":0,\"tpm_errors\":0}",
			 st.measurements);
	EXPECT_NE(NULL, strstr(out, want)) TH_LOG("want %s in %.2000s", want, strstr(out, "\"enforcement\"") ?: out);
}

TEST_F(tpm, pcr_changes_exactly_at_policy_changes)
{
	char listed[PATH_MAX], unlisted[PATH_MAX];
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	struct kst_entry e[3];
	int i;

	if (!self->tpm)
		SKIP(return, "no TPM (" TPM_DEV ")");
	for (i = 0; i < 3; i++)
		kst_fake_entry(&e[i], 0x7b000 + i, NULL);
	snprintf(listed, sizeof(listed), "%s/listed", self->dir);
	snprintf(unlisted, sizeof(unlisted), "%s/unlisted", self->dir);
	ASSERT_EQ(0, kst_make_prog(listed, "tpm:listed", 0, digest));
	ASSERT_EQ(0, kst_make_prog(unlisted, "tpm:unlisted", 0, NULL));
	check_step(_metadata, self, "start", -1);

	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, e, 1));
	check_step(_metadata, self, "add", KASBLOCK_MEASURE_ADD);
	ASSERT_EQ(-ENOENT, kst_nl_cmd(&self->nl, KASBLOCK_CMD_DEL, &e[1], 1));
	check_step(_metadata, self, "refused del", 0);
	ASSERT_EQ(0, kst_run(unlisted));
	check_step(_metadata, self, "allowed exec", 0);
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-tpm"));
	check_step(_metadata, self, "add listed", KASBLOCK_MEASURE_ADD);
	ASSERT_EQ(EPERM, kst_run(listed));
	check_step(_metadata, self, "denied exec", 0);
	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_ENFORCE));
	check_step(_metadata, self, "same mode", 0);
	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_MONITOR));
	check_step(_metadata, self, "monitor", KASBLOCK_MEASURE_MODE);
	ASSERT_EQ(0, kst_nl_set_mode(&self->nl, KASBLOCK_MODE_ENFORCE));
	check_step(_metadata, self, "enforce", KASBLOCK_MEASURE_MODE);
	ASSERT_EQ(0, kst_param_write("max_hash_size", "1048576"));
	check_step(_metadata, self, "param", KASBLOCK_MEASURE_PARAM);
	ASSERT_EQ(0, kst_param_write("max_hash_size", "1048576"));
	check_step(_metadata, self, "same param", 0);
	ASSERT_EQ(0, kst_params_reset());
	check_step(_metadata, self, "param reset", KASBLOCK_MEASURE_PARAM);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_DEL, e, 1));
	check_step(_metadata, self, "del", KASBLOCK_MEASURE_DEL);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_BEGIN, NULL, 0));
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_REPLACE_ABORT, NULL, 0));
	check_step(_metadata, self, "aborted replace", 0);
	ASSERT_EQ(0, kst_nl_replace(&self->nl, &e[1], 2));
	check_step(_metadata, self, "replace", KASBLOCK_MEASURE_REPLACE);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_FLUSH, NULL, 0));
	check_step(_metadata, self, "flush", KASBLOCK_MEASURE_FLUSH);
}

/* The dump is as strict as the others: no attributes. */
TEST_F(tpm, measurements_dump_refuses_attributes)
{
	static char buf[KST_MSG_MAX];
	struct nlmsghdr *h;

	h = kst_nl_msg(&self->nl, buf, KASBLOCK_CMD_GET_MEASUREMENTS, NLM_F_DUMP);
	mnl_attr_put_u32(h, KASBLOCK_A_MODE, KASBLOCK_MODE_ENFORCE);
	EXPECT_EQ(-EINVAL, kst_nl_send(&self->nl, h));
}

/* The whole path in the VM: an AK, a quote, and verify against the status's digest. */
TEST_F(tpm, attest_then_verify)
{
	char ak[PATH_MAX], pem[PATH_MAX], doc[PATH_MAX], hex[KST_HEX_LEN + 1], out[4096];
	char err[4096];
	const char *nonce = "0123456789abcdef0123456789abcdef";
	struct kst_entry e;
	struct kst_status st;

	if (!self->tpm)
		SKIP(return, "no TPM (" TPM_DEV ")");
	snprintf(ak, sizeof(ak), "%s/ak", self->dir);
	snprintf(pem, sizeof(pem), "%s/ak.pem", self->dir);
	snprintf(doc, sizeof(doc), "%s/attest.json", self->dir);
	kst_fake_entry(&e, 0x7b100, NULL);
	ASSERT_EQ(0, kst_nl_cmd(&self->nl, KASBLOCK_CMD_ADD, &e, 1));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	kst_hex(st.policy_digest, hex);
	{
		const char *args[] = { "attest", "--create-ak", ak, NULL };

		ASSERT_EQ(0, kst_tool(args, out, sizeof(out), err, sizeof(err))) TH_LOG("%s%s", out, err);
	}
	{
		const char *args[] = { "attest", "--nonce", nonce, "--ak", ak, "--out", doc, NULL };

		ASSERT_EQ(0, kst_tool(args, out, sizeof(out), err, sizeof(err))) TH_LOG("%s%s", out, err);
	}
	{
		const char *args[] = { "verify", doc, "--ak-pub", pem, "--nonce", nonce,
				       "--expect-digest", hex, NULL };

		EXPECT_EQ(0, kst_tool(args, out, sizeof(out), err, sizeof(err))) TH_LOG("%s%s", out, err);
	}
	{
		const char *args[] = { "verify", doc, "--ak-pub", pem, "--nonce", "00", NULL };

		EXPECT_EQ(23, kst_tool(args, out, sizeof(out), err, sizeof(err))) TH_LOG("%s", err);
	}
	{
		const char *args[] = { "verify", doc, "--ak-pub", pem, "--nonce", nonce,
				       "--expect-digest", EMPTY_DIGEST, NULL };

		EXPECT_EQ(28, kst_tool(args, out, sizeof(out), err, sizeof(err))) TH_LOG("%s", err);
	}
}

/* pcr= takes 0..23 or -1, but not the PCRs software can reset (16 debug, 23 application). */
TEST_F(tpm, resettable_or_unknown_pcrs_are_refused)
{
	static const char *const bad[] = { "pcr=16", "pcr=23", "pcr=24", "pcr=-2", "pcr=x" };
	struct kst_status st;
	size_t i;

	kst_nl_close(&self->nl);
	ASSERT_EQ(0, kst_module_unload(5000));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, kst_module_load(bad[i])) TH_LOG("bad[%zu]", i);
	ASSERT_EQ(0, kst_module_load("pcr=-1"));
	ASSERT_EQ(0, kst_nl_open(&self->nl));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	EXPECT_EQ(KASBLOCK_ATTEST_DISABLED, st.attest_state);
	EXPECT_FALSE(st.has_attest_pcr);
	kst_nl_close(&self->nl);
	ASSERT_EQ(0, kst_module_unload(5000));
	ASSERT_EQ(0, kst_module_load(NULL));
	ASSERT_EQ(0, kst_nl_open(&self->nl));
}

/*
 * A TPM error never blocks a change or an exec: PCR 17 belongs to dynamic launch and
 * refuses extends from locality 0, so every extend fails. Each failed record stays in the
 * log marked not extended, a gap record follows, and the errors are counted.
 */
TEST_F(tpm, failed_extend_leaves_a_gap_and_blocks_nothing)
{
	struct kst_measurement *m = NULL;
	uint8_t digest[KASBLOCK_DIGEST_LEN];
	char listed[PATH_MAX];
	struct kst_status st;
	size_t n, i;

	if (!self->tpm)
		SKIP(return, "no TPM (" TPM_DEV ")");
	snprintf(listed, sizeof(listed), "%s/listed", self->dir);
	ASSERT_EQ(0, kst_make_prog(listed, "tpm:gap", 0, digest));
	kst_nl_close(&self->nl);
	ASSERT_EQ(0, kst_module_unload(5000));
	ASSERT_EQ(0, kst_module_load("pcr=17"));
	ASSERT_EQ(0, kst_nl_open(&self->nl));
	ASSERT_EQ(0, kst_add(&self->nl, digest, "kst-tpm-gap"));
	EXPECT_EQ(EPERM, kst_run(listed));
	ASSERT_EQ(0, kst_nl_status(&self->nl, &st));
	EXPECT_EQ(KASBLOCK_ATTEST_AVAILABLE, st.attest_state);
	EXPECT_EQ(17, st.attest_pcr);
	ASSERT_EQ(0, kst_nl_measurements(&self->nl, &m, &n));
	/* load, gap(0), add, gap(2): each extend failed, the gaps' own too. */
	ASSERT_EQ(4, n);
	EXPECT_EQ(4, st.measurement_gaps);
	EXPECT_EQ(4, st.tpm_errors);
	for (i = 0; i < n; i++) {
		EXPECT_FALSE(m[i].extended);
		EXPECT_EQ(i, le64toh(m[i].rec.seq));
	}
	EXPECT_EQ(KASBLOCK_MEASURE_LOAD, le32toh(m[0].rec.change));
	EXPECT_EQ(KASBLOCK_MEASURE_GAP, le32toh(m[1].rec.change));
	EXPECT_EQ(0, le64toh(m[1].rec.gap_seq));
	EXPECT_EQ(KASBLOCK_MEASURE_ADD, le32toh(m[2].rec.change));
	EXPECT_EQ(KASBLOCK_MEASURE_GAP, le32toh(m[3].rec.change));
	EXPECT_EQ(2, le64toh(m[3].rec.gap_seq));
	free(m);
	kst_nl_close(&self->nl);
	ASSERT_EQ(0, kst_module_unload(5000));
	ASSERT_EQ(0, kst_module_load(NULL));
	ASSERT_EQ(0, kst_nl_open(&self->nl));
}

TEST_HARNESS_MAIN
