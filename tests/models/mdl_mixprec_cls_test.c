// SPDX-License-Identifier: MIT
/*
 * accel-mixprec on the classifier, a tiny instance (three candidates, 500
 * validation images, 1,000 test images): every mixed model the search
 * chose is within its budget, as predicted from the layer costs and as
 * measured; its assignment file packed (--pack) is a .qpk whose layers
 * have the assigned formats and which, run on the firmware in process,
 * costs per image what the search predicted and scores the top-1 the
 * report gave. Bad input: a budget below the cheapest assignment is
 * refused naming both.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mdl_backend.h"
#include "mdl_cls_program.h"
#include "mdl_mixprec.h"
#include "mdl_mixprec_cls.h"
#include "mdl_packed.h"
#include "mdl_variant.h"

#define MDLT_CLS_CKPT MDL_CKPT_DIR "/fmnist-mlp.bin"
#define MDLT_CANDS "int8/a8,int4-g32/a16,bf16/a16"
#define MDLT_SEL 500u
#define MDLT_REP 1000u

/* |a - b| <= tol (the harness has no such check) */
#define MDLT_EXPECT_NEAR(a, b, tol) EXPECT_GE((double)(tol), fabs((double)(a) - (double)(b)))

/* One row of points.csv: the columns the test checks. */
struct mdlt_point {
	char kind[16], name[48], metric[16];
	double budget, pred_cost, top1, uj, cycles;
};

/* Runs @cmd; returns its exit status, its output (both streams) in @out. */
static int mdlt_run(const char *cmd, char *out, size_t len)
{
	char full[4096];
	size_t at = 0;
	FILE *f;
	int st;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	f = popen(full, "r");
	if (!f)
		return -1;
	while (at + 1 < len && fgets(out + at, (int)(len - at), f))
		at += strlen(out + at);
	out[at] = 0;
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* points.csv's rows (up to @max): kind, name, metric, budget, ... by position. */
static int mdlt_points(const char *dir, struct mdlt_point *p, int max)
{
	char path[512], line[2048];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/points.csv", dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	while (n < max && fgets(line, sizeof(line), f)) {
		struct mdlt_point *q = &p[n];
		char *tok[20], *s = line;
		int k = 0;

		/* fields 1-15 have no commas inside */
		while (k < 16 && (tok[k] = strsep(&s, ",")))
			k++;
		if (k < 16)
			break;
		snprintf(q->kind, sizeof(q->kind), "%s", tok[0]);
		snprintf(q->name, sizeof(q->name), "%s", tok[1]);
		snprintf(q->metric, sizeof(q->metric), "%s", tok[2]);
		q->budget = strtod(tok[3], NULL);
		q->pred_cost = strtod(tok[5], NULL);
		q->top1 = strtod(tok[6], NULL);
		q->uj = strtod(tok[10], NULL);
		q->cycles = strtod(tok[11], NULL);
		n++;
	}
	fclose(f);
	return n;
}

FIXTURE(cls)
{
	char dir[64], out[16384];
	struct mdlt_point pt[64];
	int npt;
};

FIXTURE_SETUP(cls)
{
	char cmd[1024];

	snprintf(self->dir, sizeof(self->dir), "/tmp/mdl_mixprec_cls_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(cmd, sizeof(cmd), "%s --threads 1 --data %s --out %s --cands %s --sel-images %u "
		 "--report-images %u --between 2 %s", MDLT_MIXPREC, MDL_FMNIST_DIR, self->dir,
		 MDLT_CANDS, MDLT_SEL, MDLT_REP, MDLT_CLS_CKPT);
	ASSERT_EQ(0, mdlt_run(cmd, self->out, sizeof(self->out))) TH_LOG("%s", self->out);
	self->npt = mdlt_points(self->dir, self->pt, 64);
	ASSERT_LE(3, self->npt) TH_LOG("points.csv in %s", self->dir);
}

FIXTURE_TEARDOWN(cls)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

static double mdlt_cost(const struct mdlt_point *p)
{
	return strcmp(p->metric, "energy") ? p->cycles : p->uj;
}

/* points.csv prints uJ with 4 decimals and cycles with none. */
static double mdlt_slack(const struct mdlt_point *p)
{
	return strcmp(p->metric, "energy") ? 0.5 : 0.5e-4;
}

TEST_F_TIMEOUT(cls, every_mixed_model_is_within_its_budget, 300)
{
	int mixed = 0;

	for (int i = 0; i < self->npt; i++) {
		const struct mdlt_point *p = &self->pt[i];

		if (strcmp(p->kind, "mixed"))
			continue;
		mixed++;
		EXPECT_LE(p->pred_cost, p->budget * (1 + 1e-9)) TH_LOG("%s", p->name);
		EXPECT_LE(mdlt_cost(p), p->budget + mdlt_slack(p)) TH_LOG("%s", p->name);
		MDLT_EXPECT_NEAR(p->pred_cost, mdlt_cost(p), mdlt_slack(p)) TH_LOG("%s", p->name);
	}
	/* three formats of other costs on three layers: the search mixes them */
	EXPECT_LE(1, mixed) TH_LOG("%s", self->out);
}

/*
 * Each mixed model's assignment packed, loaded and run on fwrun: its
 * layers' formats, its cost per image on the cost job (the first 500
 * validation images, one job) and its top-1 on the 1,000 test images.
 */
TEST_F_TIMEOUT(cls, each_packed_assignment_runs_on_fwrun_at_its_predicted_cost, 300)
{
	struct mdl_images all = { 0 }, fit = { 0 }, val = { 0 }, test = { 0 };
	char err[512], cmd[1024], path[256], qpk[256];
	int checked = 0;

	ASSERT_EQ(0, mdl_fmnist_load(MDL_FMNIST_DIR, "train", &all, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_fmnist_split(&all, &fit, &val, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, mdl_fmnist_load(MDL_FMNIST_DIR, "t10k", &test, err, sizeof(err)))
		TH_LOG("%s", err);
	val.n = MDLT_SEL;
	test.n = MDLT_REP;
	for (int i = 0; i < self->npt; i++) {
		const struct mdlt_point *p = &self->pt[i];
		struct mdl_mix_cands c = { 0 };
		struct mdl_dev_figures fig = { 0 };
		struct mdl_backend *b = NULL;
		struct mdl_program prog = { 0 };
		struct mdl_loaded l = { 0 };
		struct mdl_packed pk = { 0 };
		struct mdl_mix_cost cost;
		uint32_t assign[MDL_CLS_LAYERS_MAX];

		if (strcmp(p->kind, "mixed"))
			continue;
		snprintf(path, sizeof(path), "%s/%s.assign", self->dir, p->name + 6);
		snprintf(qpk, sizeof(qpk), "%s/%s.qpk", self->dir, p->name + 6);
		snprintf(cmd, sizeof(cmd), "%s --data %s --pack %s --save %s %s", MDLT_MIXPREC,
			 MDL_FMNIST_DIR, path, qpk, MDLT_CLS_CKPT);
		ASSERT_EQ(0, mdlt_run(cmd, self->out, sizeof(self->out))) TH_LOG("%s", self->out);
		ASSERT_EQ(0, mdl_packed_load(qpk, &pk, err, sizeof(err))) TH_LOG("%s", err);
		ASSERT_EQ(MDL_PACKED_CLS, pk.kind);
		/* the layers have the formats and modes the assignment file names */
		ASSERT_EQ(0, mdl_mix_assign_read(path, &pk.ls, &c, assign, err, sizeof(err)))
			TH_LOG("%s", err);
		for (uint32_t k = 0; k < pk.ls.count; k++) {
			const struct dp_wt *w = compress_qtensor_wt(pk.ls.l[k].qt);

			EXPECT_EQ(c.v[assign[k]].qp.fmt, w->fmt) TH_LOG("%s", pk.ls.l[k].name);
			EXPECT_EQ(c.v[assign[k]].afmt, pk.ls.l[k].afmt)
				TH_LOG("%s", pk.ls.l[k].name);
		}
		/* the cost job: one job of the 500 selection images */
		ASSERT_EQ(0, mdl_cls_program(pk.cls, &pk.ls, MDLT_SEL, &prog, err, sizeof(err)))
			TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_backend_fwrun_create(1, &b));
		ASSERT_EQ(0, mdl_program_load(&prog, b, &l, err, sizeof(err))) TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_cls_device_run(&l, &val, 0, &fig, NULL, err, sizeof(err)))
			TH_LOG("%s", err);
		mdl_dev_figures_per_item(&fig, &cost.cycles, &cost.uj, &cost.dram);
		/* the layer costs add up (points.csv prints 6 digits) */
		MDLT_EXPECT_NEAR(p->pred_cost, strcmp(p->metric, "energy") ? cost.cycles : cost.uj,
			    p->pred_cost * 1e-5) TH_LOG("%s", p->name);
		MDLT_EXPECT_NEAR(p->uj, cost.uj, 0.5e-4) TH_LOG("%s", p->name);
		MDLT_EXPECT_NEAR(p->cycles, cost.cycles, 0.5) TH_LOG("%s", p->name);
		mdl_dev_figures_free(&fig);
		mdl_program_unload(&l);
		mdl_program_free(&prog);
		mdl_backend_destroy(b);
		/* the report: the test images in the device program's batches */
		memset(&fig, 0, sizeof(fig));
		ASSERT_EQ(0, mdl_cls_program(pk.cls, &pk.ls, MDL_CLS_DEVICE_BATCH, &prog, err,
					     sizeof(err))) TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_backend_fwrun_create(1, &b));
		ASSERT_EQ(0, mdl_program_load(&prog, b, &l, err, sizeof(err))) TH_LOG("%s", err);
		ASSERT_EQ(0, mdl_cls_device_run(&l, &test, 0, &fig, NULL, err, sizeof(err)))
			TH_LOG("%s", err);
		MDLT_EXPECT_NEAR(p->top1, (double)fig.correct / MDLT_REP, 1e-6) TH_LOG("%s", p->name);
		mdl_dev_figures_free(&fig);
		mdl_program_unload(&l);
		mdl_program_free(&prog);
		mdl_backend_destroy(b);
		mdl_packed_free(&pk);
		checked++;
	}
	EXPECT_LE(1, checked);
	mdl_images_free(&fit);
	mdl_images_free(&val);
	mdl_images_free(&test);
	mdl_images_free(&all);
}

/* No setup: the refusal comes before any output is written. */
FIXTURE(bad)
{
};

FIXTURE_SETUP(bad)
{
}

FIXTURE_TEARDOWN(bad)
{
}

TEST_F_TIMEOUT(bad, a_budget_below_the_cheapest_is_refused_naming_both, 120)
{
	char dir[64] = "/tmp/mdl_mixprec_cls_test.XXXXXX", cmd[1024], out[8192];

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "%s --threads 1 --data %s --out %s --cands %s --sel-images %u "
		 "--report-images %u --budgets-uj 0.001 %s", MDLT_MIXPREC, MDL_FMNIST_DIR, dir,
		 MDLT_CANDS, MDLT_SEL, MDLT_REP, MDLT_CLS_CKPT);
	EXPECT_NE(0, mdlt_run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "--budgets-uj: budget 0.001 uJ per image is below the "
			       "cheapest assignment's")) TH_LOG("%s", out);
	rmdir(dir);
}

TEST_HARNESS_MAIN
