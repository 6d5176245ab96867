// SPDX-License-Identifier: MIT
/*
 * The codesign sweep (codesign/): configuration files and the grid, their
 * errors (file, line, property and value named), budget answers on a known
 * CSV, and a small sweep end to end (accel-codesign --plan --small, each
 * task's command as the runner would run it, --merge): every Pareto row of
 * the merged CSV is undominated and every other row dominated, computed
 * here independently of the program; a missing point makes the merge
 * refuse, --allow-incomplete merges and says what is missing; a task that
 * fails says why and leaves no point.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cds_config.h"
#include "cds_rows.h"
#include "kselftest_harness.h"

#define HAS(s, sub)	EXPECT_NE(NULL, strstr((s), (sub))) TH_LOG("'%s' lacks '%s'", (s), (sub))

static char *cdst_tmpdir(void)
{
	char *d = strdup("/tmp/cds_test.XXXXXX");

	return d && mkdtemp(d) ? d : NULL;
}

static void cdst_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* Runs @cmd through the shell; its exit status, stdout+stderr in @out. */
static int cdst_run(const char *cmd, char *out, size_t len)
{
	char full[8192];
	FILE *p;
	size_t n = 0;
	int st;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	if (!p)
		return -1;
	while (n + 1 < len && fgets(out + n, (int)(len - n), p))
		n += strlen(out + n);
	out[n] = 0;
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FIXTURE(conf) {
	char *dir;
	char path[4096], err[1024];
	struct cds_config c;
};

FIXTURE_SETUP(conf)
{
	self->dir = cdst_tmpdir();
	ASSERT_NE(NULL, self->dir);
	snprintf(self->path, sizeof(self->path), "%s/tiny.conf", self->dir);
}

FIXTURE_TEARDOWN(conf)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
	free(self->dir);
}

TEST_F(conf, config_file_sets_its_properties_and_keeps_the_defaults)
{
	struct cds_config d;

	cdst_write(self->path, "# a test NPU\nsram-size = 1M\n  clock-mhz=800  # slower\n\n"
		   "macs-a8-int4 = 8192\nfj-mac-a16-sp-bf16 = 7\n");
	ASSERT_EQ(0, cds_config_load(self->path, &self->c, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	cds_config_defaults(&d);
	EXPECT_STREQ("tiny", self->c.name);
	EXPECT_EQ(1ull << 20, self->c.sram_size);
	EXPECT_EQ(800, self->c.cost.clock_mhz);
	EXPECT_EQ(8192, self->c.cost.macs_a8[DRM_QUASAR_FORMAT_W_INT4]);
	EXPECT_EQ(7, self->c.cost.fj_mac_a16[DRM_QUASAR_FORMAT_W_SP_BF16]);
	/* everything else is the device's default */
	EXPECT_EQ(d.cost.dram_bpc, self->c.cost.dram_bpc);
	EXPECT_EQ(d.cost.macs_a8[DRM_QUASAR_FORMAT_W_INT8], self->c.cost.macs_a8[DRM_QUASAR_FORMAT_W_INT8]);
	EXPECT_EQ(2, self->c.engines);
}

TEST_F(conf, config_refuses_an_unknown_property_naming_file_line_and_value)
{
	cdst_write(self->path, "clock-mhz = 900\n\nmacs-a4-int4 = 8192\n");
	EXPECT_EQ(-EINVAL, cds_config_load(self->path, &self->c, self->err, sizeof(self->err)));
	HAS(self->err, self->path);
	HAS(self->err, ":3: unknown property 'macs-a4-int4' (value '8192')");
}

TEST_F(conf, config_refuses_bad_values_naming_property_and_value)
{
	static const struct { const char *line, *want; } bad[] = {
		{ "clock-mhz = 0\n", ":1: property 'clock-mhz': value '0': must be at least 1" },
		{ "clock-mhz = fast\n", ":1: property 'clock-mhz': value 'fast' is not a whole number" },
		{ "sram-size = 100\n", "property 'sram-size': value '100': not a multiple of 64 in 64K..256M" },
		{ "sram-size = 512M\n", "property 'sram-size': value '512M': not a multiple of 64" },
		{ "engines = 5\n", "property 'engines': value '5': not from 1 to 4" },
		{ "dram-bytes-per-cycle = 4G\n", "property 'dram-bytes-per-cycle': value '4G' is not a whole number" },
		{ "fj-dram-byte = 4294967296\n", "value '4294967296': more than 4294967295" },
		{ "clock-mhz 900\n", ":1: 'clock-mhz 900' is not 'property = value'" },
		{ "clock-mhz = 900\nclock-mhz = 901\n", ":2: property 'clock-mhz' (value '901') is set twice" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cdst_write(self->path, bad[i].line);
		EXPECT_EQ(-EINVAL, cds_config_load(self->path, &self->c, self->err,
						   sizeof(self->err))) TH_LOG("%s", bad[i].line);
		HAS(self->err, bad[i].want);
	}
}

TEST_F(conf, grid_derives_points_from_named_configurations)
{
	char grid[4200];
	struct cds_config *v;
	uint32_t n;

	cdst_write(self->path, "dram-bytes-per-cycle = 16\nsram-size = 1M\n");
	snprintf(grid, sizeof(grid), "%s/grid.tsv", self->dir);
	cdst_write(grid, "# points\ntiny tiny\ntiny-fast tiny dram-bytes-per-cycle=x2 "
		   "macs-*=x0.5 sram-size=x0.25\ntiny-clock tiny clock-mhz=2000\n");
	ASSERT_EQ(0, cds_grid_load(grid, self->dir, &v, &n, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	ASSERT_EQ(3, n);
	EXPECT_STREQ("tiny", v[0].name);
	EXPECT_TRUE(v[0].named);
	EXPECT_STREQ("tiny-fast", v[1].name);
	EXPECT_FALSE(v[1].named);
	EXPECT_STREQ("tiny", v[1].base);
	EXPECT_EQ(32, v[1].cost.dram_bpc);
	EXPECT_EQ(256ull << 10, v[1].sram_size);
	EXPECT_EQ(256, v[1].cost.macs_a16[DRM_QUASAR_FORMAT_W_BF16]);
	EXPECT_EQ(2048, v[1].cost.macs_a8[DRM_QUASAR_FORMAT_W_INT4]);
	EXPECT_EQ(0, v[1].cost.macs_a8[DRM_QUASAR_FORMAT_W_BF16]);	/* 0 stays "not modeled" */
	EXPECT_EQ(1000, v[1].cost.clock_mhz);
	EXPECT_EQ(2000, v[2].cost.clock_mhz);
	EXPECT_EQ(16, v[2].cost.dram_bpc);
	free(v);
}

TEST_F(conf, grid_refuses_unknown_configurations_and_properties)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "a nosuch\n", ":1: configuration 'nosuch': " },
		{ "a tiny nosuch-prop=3\n", ":1: a: unknown property 'nosuch-prop' (value '3')" },
		{ "a tiny clock-mhz=x0\n", "factor 'x0' is not x and a positive number" },
		{ "a tiny sram-size=x1000\n", "property 'sram-size': value '1048576000': not a multiple" },
		{ "a tiny\na tiny clock-mhz=3\n", ":2: configuration 'a' named twice" },
		{ "a/b tiny\n", ":1: 'a/b' is not a configuration name" },
	};
	char grid[4200];
	struct cds_config *v;
	uint32_t n;

	cdst_write(self->path, "sram-size = 1M\n");
	snprintf(grid, sizeof(grid), "%s/grid.tsv", self->dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cdst_write(grid, bad[i].text);
		EXPECT_EQ(-EINVAL, cds_grid_load(grid, self->dir, &v, &n, self->err,
						 sizeof(self->err))) TH_LOG("%s", bad[i].text);
		HAS(self->err, bad[i].want);
	}
}

TEST(committed_grid_has_three_named_configurations_and_twenty_points_around_them)
{
	struct cds_config *v;
	char err[1024];
	uint32_t n, named = 0;

	ASSERT_EQ(0, cds_grid_load(CDST_CONFIG_DIR "/grid.tsv", CDST_CONFIG_DIR, &v, &n, err,
				   sizeof(err))) TH_LOG("%s", err);
	for (uint32_t i = 0; i < n; i++) {
		named += v[i].named;
		/* a grid point differs from its base */
		for (uint32_t j = 0; !v[i].named && j < n; j++)
			if (v[j].named && !strcmp(v[j].name, v[i].base))
				EXPECT_NE(0, memcmp(&v[i].cost, &v[j].cost, sizeof(v[i].cost)) ||
					  v[i].sram_size != v[j].sram_size) TH_LOG("%s", v[i].name);
	}
	EXPECT_EQ(3, named);
	EXPECT_LE(20, n - named);	/* "a grid of at least 20 points around them" */
	EXPECT_STREQ("edge", v[0].name);
	free(v);
}

TEST_F(conf, plan_writes_a_task_per_variant_and_model_and_each_qat_checkpoint)
{
	static const char *const names[] = { "lm-int4-g32-qat.bin", "lm-int4-g32-kd-a8.bin",
					     "cls-mxfp4-qat-a8.bin", "notes.bin",
					     "lm-int4-g32-qat.qpk" };
	char qat[4200], path[4300], cmd[8400], out[8192], line[8192];
	const char *want[] = { "lm-bf16-a16-rtn", "cls-bf16-a16-rtn", "cls-mxfp4-a8-qat",
			       "lm-int4-g32-a8-kd", "lm-int4-g32-a16-qat" };
	uint32_t n = 0;
	FILE *f;

	snprintf(qat, sizeof(qat), "%s/qat", self->dir);
	ASSERT_EQ(0, mkdir(qat, 0777));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", qat, names[i]);
		cdst_write(path, "");
	}
	snprintf(cmd, sizeof(cmd), "%s --plan %s/plan --small --variants bf16/a16/rtn "
		 "--qat-dir %s", CDST_BIN, self->dir, qat);
	ASSERT_EQ(0, cdst_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	HAS(out, "5 tasks (variants) x 5 configurations (3 named)");
	snprintf(path, sizeof(path), "%s/plan/tasks.tsv", self->dir);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		ASSERT_GT(5, n);
		EXPECT_EQ(0, strncmp(line, want[n], strlen(want[n])));
		EXPECT_EQ('\t', line[strlen(want[n])]) TH_LOG("%s", line);
		/* a QAT/KD row: its checkpoint, the FP32 one as the reference, its name */
		if (n >= 2) {
			HAS(line, " --ref ");
			HAS(line, n == 3 ? " --tag kd" : " --tag qat");
			HAS(line, n == 2 ? "--variant mxfp4/a8 " : n == 3 ? "--variant int4-g32/a8 " :
			    "--variant int4-g32/a16 ");
		}
		n++;
	}
	fclose(f);
	EXPECT_EQ(5, n);
}

/* A row of a known CSV. */
static void cdst_row(FILE *f, const char *model, const char *variant, const char *config,
		     double value, double delta, double uj, double us)
{
	struct cds_row r = { .value = value, .delta = delta };

	snprintf(r.model, sizeof(r.model), "%s", model);
	snprintf(r.variant, sizeof(r.variant), "%s", variant);
	snprintf(r.format, sizeof(r.format), "f");
	snprintf(r.act, sizeof(r.act), "a16");
	snprintf(r.algo, sizeof(r.algo), "rtn");
	snprintf(r.config, sizeof(r.config), "%s", config);
	r.unit.energy_uj = uj;
	r.unit.time_us = us;
	r.has_prefill = !strcmp(model, "lm");
	cds_row_write(f, &r);
}

TEST_F(conf, budgets_on_a_known_csv)
{
	char csv[4200], cmd[8400], out[8192];
	struct cds_row *rows = NULL;
	uint32_t n = 0, cap = 0;
	int32_t best[2];
	FILE *f;

	snprintf(csv, sizeof(csv), "%s/known.csv", self->dir);
	f = fopen(csv, "w");
	ASSERT_NE(NULL, f);
	cds_rows_header(f);
	cdst_row(f, "lm", "bf16", "edge", 2.0, 0.0001, 5.0, 14.0);
	cdst_row(f, "lm", "int8", "edge", 2.0, 0.001, 4.0, 12.0);
	cdst_row(f, "lm", "int4", "edge", 2.04, 0.04, 3.0, 11.0);
	cdst_row(f, "lm", "int8", "dc", 2.0, 0.001, 3.5, 2.0);
	cdst_row(f, "lm", "int4", "dc", 2.04, 0.04, 2.5, 2.5);
	cdst_row(f, "cls", "int4", "edge", 0.87, -0.006, 0.01, 0.05);
	cdst_row(f, "cls", "int8", "edge", 0.876, 0.0, 0.02, 0.06);
	fclose(f);
	ASSERT_EQ(0, cds_rows_read(csv, &rows, &n, &cap, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	ASSERT_EQ(7, n);

	/* within 0.02 bits/byte: int8 on dc is cheapest both ways */
	struct cds_budget b = { CDS_BUDGET_LOSS, 0.02, "lm", NULL };
	EXPECT_EQ(1, cds_budget_answer(rows, n, &b, best));
	EXPECT_EQ(3, best[0]);
	EXPECT_EQ(3, best[1]);
	/* within 0.05: int4 on dc by energy, int8 on dc by latency */
	b.limit = 0.05;
	EXPECT_EQ(1, cds_budget_answer(rows, n, &b, best));
	EXPECT_EQ(4, best[0]);
	EXPECT_EQ(3, best[1]);
	/* on edge only, within 0.02: int8 both ways */
	b = (struct cds_budget){ CDS_BUDGET_LOSS, 0.02, "lm", "edge" };
	EXPECT_EQ(1, cds_budget_answer(rows, n, &b, best));
	EXPECT_EQ(1, best[0]);
	/* nobody within 0.00001: the closest miss is the smallest loss, bf16 */
	b.limit = 0.00001;
	EXPECT_EQ(0, cds_budget_answer(rows, n, &b, best));
	EXPECT_EQ(0, best[0]);
	/* 4.5 uJ on edge: the most accurate within it is int8 */
	b = (struct cds_budget){ CDS_BUDGET_ENERGY, 4.5, "lm", "edge" };
	EXPECT_EQ(1, cds_budget_answer(rows, n, &b, best));
	EXPECT_EQ(1, best[0]);
	/* 1 us anywhere: nobody; the closest miss is the fastest, int8 on dc */
	b = (struct cds_budget){ CDS_BUDGET_LATENCY, 1.0, "lm", NULL };
	EXPECT_EQ(0, cds_budget_answer(rows, n, &b, best));
	EXPECT_EQ(3, best[0]);
	/* classifier: a drop of 0.6 points is within 1 point, not within 0.5 */
	b = (struct cds_budget){ CDS_BUDGET_LOSS, 0.01, "cls", NULL };
	EXPECT_EQ(1, cds_budget_answer(rows, n, &b, best));
	EXPECT_EQ(5, best[0]);
	b.limit = 0.005;
	EXPECT_EQ(1, cds_budget_answer(rows, n, &b, best));
	EXPECT_EQ(6, best[0]);
	b.config = "nosuch";
	EXPECT_EQ(-1, cds_budget_answer(rows, n, &b, best));
	free(rows);

	/* the command line: the answers, and exit 1 with the closest miss */
	snprintf(cmd, sizeof(cmd), "%s --budget %s --max-delta-bpb 0.05", CDST_BIN, csv);
	EXPECT_EQ(0, cdst_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	HAS(out, "cheapest by energy: int4 on dc: bits/byte 2.0400 (delta +0.0400), 2.5000 uJ");
	HAS(out, "cheapest by latency: int8 on dc:");
	snprintf(cmd, sizeof(cmd), "%s --budget %s --max-top1-drop 0.5 --config edge", CDST_BIN, csv);
	EXPECT_EQ(0, cdst_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	HAS(out, "cheapest by energy: int8 on edge");
	snprintf(cmd, sizeof(cmd), "%s --budget %s --max-us-per-token 1 --config edge", CDST_BIN, csv);
	EXPECT_EQ(1, cdst_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	HAS(out, "NOT MET, closest miss most accurate: int4 on edge");
	HAS(out, "accel-codesign: no lm variant on edge meets the budget");
	snprintf(cmd, sizeof(cmd), "%s --budget %s --max-uj-per-image 1 --config nosuch", CDST_BIN,
		 csv);
	EXPECT_EQ(1, cdst_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	HAS(out, "no cls row on configuration nosuch");
	snprintf(cmd, sizeof(cmd), "%s --budget %s --max-uj-per-image 1 --max-delta-bpb 1",
		 CDST_BIN, csv);
	EXPECT_EQ(2, cdst_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	HAS(out, "--budget takes exactly one --max-... budget (2 given)");
}

/* The merged CSV's columns a row's front depends on, read by name. */
struct cdst_row {
	char model[8], config[64];
	double loss, uj, us;
	int pe, pl;
};

static int cdst_read_pareto(const char *path, struct cdst_row *r, int max)
{
	char line[4096], *f[64], *s;
	int col[7] = { -1, -1, -1, -1, -1, -1, -1 }, n = 0, nf;
	static const char *const want[7] = { "model", "config", "delta_vs_fp32", "energy_uj",
					     "time_us", "pareto_energy", "pareto_latency" };
	FILE *fp = fopen(path, "r");

	if (!fp || !fgets(line, sizeof(line), fp))
		return -1;
	line[strcspn(line, "\n")] = 0;
	for (nf = 0, s = strtok(line, ","); s && nf < 64; s = strtok(NULL, ","), nf++)
		for (int k = 0; k < 7; k++)
			if (!strcmp(s, want[k]))
				col[k] = nf;
	for (int k = 0; k < 7; k++)
		if (col[k] < 0)
			return -2;
	while (n < max && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		nf = 0;
		for (s = line; nf < 64; nf++) {
			f[nf] = s;
			s = strchr(s, ',');
			if (!s) {
				nf++;
				break;
			}
			*s++ = 0;
		}
		snprintf(r[n].model, sizeof(r[n].model), "%s", f[col[0]]);
		snprintf(r[n].config, sizeof(r[n].config), "%s", f[col[1]]);
		r[n].loss = atof(f[col[2]]) * (strcmp(r[n].model, "cls") ? 1 : -1);
		r[n].uj = atof(f[col[3]]);
		r[n].us = atof(f[col[4]]);
		r[n].pe = atoi(f[col[5]]);
		r[n].pl = atoi(f[col[6]]);
		n++;
	}
	fclose(fp);
	return n;
}

/* Whether some other row of the same model and configuration dominates row @i. */
static int cdst_dominated(const struct cdst_row *r, int n, int i, int latency)
{
	for (int j = 0; j < n; j++) {
		double cj = latency ? r[j].us : r[j].uj, ci = latency ? r[i].us : r[i].uj;

		if (j == i || strcmp(r[i].model, r[j].model) || strcmp(r[i].config, r[j].config))
			continue;
		if (r[j].loss <= r[i].loss && cj <= ci && (r[j].loss < r[i].loss || cj < ci))
			return 1;
	}
	return 0;
}

TEST_F_TIMEOUT(conf, small_sweep_fronts_are_undominated_and_a_missing_point_is_refused, 900)
{
	static struct cdst_row rows[512];
	const char *dir = self->dir;
	char cmd[8192], out[16384], line[8192], path[4200], moved[4300];
	int n, tasks = 0, named_in_report = 0, front_e = 0, front_l = 0;
	const char *first_id = NULL;
	char ids[64][128];
	FILE *f;

	ASSERT_NE(NULL, dir);
	snprintf(cmd, sizeof(cmd), "%s --plan %s/sweep --small", CDST_BIN, dir);
	ASSERT_EQ(0, cdst_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	snprintf(path, sizeof(path), "%s/sweep/tasks.tsv", dir);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	/* each task's command, as the runner runs it */
	while (tasks < 64 && fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');

		ASSERT_NE(NULL, tab);
		*tab = 0;
		line[strcspn(tab + 1, "\n") + (size_t)(tab + 1 - line)] = 0;
		snprintf(ids[tasks], sizeof(ids[0]), "%.127s", line);
		EXPECT_EQ(0, cdst_run(tab + 1, out, sizeof(out))) TH_LOG("%s: %s", line, out);
		tasks++;
	}
	fclose(f);
	ASSERT_EQ(8, tasks);	/* 4 variants x 2 models */
	snprintf(cmd, sizeof(cmd), "%s --merge %s/sweep --out %s/out", CDST_BIN, dir, dir);
	ASSERT_EQ(0, cdst_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	snprintf(path, sizeof(path), "%s/out/pareto.csv", dir);
	n = cdst_read_pareto(path, rows, 512);
	ASSERT_EQ(8 * 5, n);	/* x 5 configurations */
	for (int i = 0; i < n; i++) {
		EXPECT_EQ(!cdst_dominated(rows, n, i, 0), rows[i].pe)
			TH_LOG("row %d (%s on %s) energy flag", i + 1, rows[i].model, rows[i].config);
		EXPECT_EQ(!cdst_dominated(rows, n, i, 1), rows[i].pl)
			TH_LOG("row %d (%s on %s) latency flag", i + 1, rows[i].model, rows[i].config);
		EXPECT_LT(0, rows[i].uj);
		EXPECT_LT(0, rows[i].us);
		front_e += rows[i].pe;
		front_l += rows[i].pl;
	}
	/* a front is never everything nor nothing here: 2:4 costs accuracy, bf16 energy */
	EXPECT_LT(0, front_e);
	EXPECT_GT(n, front_e);
	EXPECT_LT(0, front_l);
	/* the report has each named configuration's table; the plots exist */
	snprintf(path, sizeof(path), "%s/out/report.md", dir);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		named_in_report += !strcmp(line, "### edge\n") || !strcmp(line, "### datacenter\n") ||
				   !strcmp(line, "### bandwidth-starved\n");
	fclose(f);
	EXPECT_EQ(3, named_in_report);
	snprintf(path, sizeof(path), "%s/out/pareto-lm.png", dir);
	EXPECT_EQ(0, access(path, R_OK));
	snprintf(path, sizeof(path), "%s/out/pareto-cls.png", dir);
	EXPECT_EQ(0, access(path, R_OK));

	/* a missing point: refused, naming it; --allow-incomplete merges the rest */
	first_id = ids[2];
	snprintf(path, sizeof(path), "%s/sweep/points/%s.csv", dir, first_id);
	snprintf(moved, sizeof(moved), "%s.away", path);
	ASSERT_EQ(0, rename(path, moved));
	snprintf(cmd, sizeof(cmd), "%s --merge %s/sweep --out %s/out2", CDST_BIN, dir, dir);
	EXPECT_EQ(1, cdst_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	HAS(out, "1 of 8 points missing");
	HAS(out, first_id);
	HAS(out, "refusing to merge an incomplete sweep");
	snprintf(path, sizeof(path), "%s/out2/pareto.csv", dir);
	EXPECT_NE(0, access(path, F_OK));
	snprintf(cmd, sizeof(cmd), "%s --merge %s/sweep --out %s/out2 --allow-incomplete",
		 CDST_BIN, dir, dir);
	EXPECT_EQ(0, cdst_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	HAS(out, "(INCOMPLETE)");
	EXPECT_EQ(7 * 5, cdst_read_pareto(path, rows, 512));

	/* a task that fails: the reason, exit 1, and no point written */
	snprintf(cmd, sizeof(cmd), "%s --point lm-bad --dir %s/sweep --model lm --variant "
		 "int3/a16/rtn --ckpt %s --data /nonexistent", CDST_BIN, dir, CDST_LM_CKPT);
	EXPECT_EQ(1, cdst_run(cmd, out, sizeof(out))) TH_LOG("%s", out);
	HAS(out, "accel-codesign: point lm-bad: ");
	HAS(out, "int3/a16/rtn");
	snprintf(path, sizeof(path), "%s/sweep/points/lm-bad.csv", dir);
	EXPECT_NE(0, access(path, F_OK));
}

TEST_HARNESS_MAIN
