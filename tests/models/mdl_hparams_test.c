// SPDX-License-Identifier: MIT
/*
 * Quasar models: hyperparameters in variant specs (ALGO:KEY=VALUE,
 * struct mdl_hparams), the handle make hparam-select sweeps on the
 * validation split. Specs are named canonically or refused with the field
 * and the value; the value reaches the library (the default spelled out
 * gives the default's tensor bit for bit, another value another tensor, and
 * the extreme values give what the algorithms' formulas say).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress_algo.h"
#include "kselftest_harness.h"
#include "mdl_rng.h"
#include "mdl_variant.h"

TEST(hparams_in_a_spec_are_parsed_and_named)
{
	static const struct { const char *spec, *name; uint32_t set; double value; } ok[] = {
		{ "int4-g32/a16/gptq:damp=0.1", "int4-g32/a16/gptq:damp=0.1", MDL_HP_DAMP, 0.1 },
		{ "int4-g32/a16/gptq-ao:damp=0", "int4-g32/a16/gptq-ao:damp=0", MDL_HP_DAMP, 0 },
		{ "sp-int4-g32/a16/sparsegpt:damp=1e-3", "sp-int4-g32/a16/sparsegpt:damp=0.001",
		  MDL_HP_DAMP, 1e-3 },
		{ "int4-g128/a8/awq:grid=40", "int4-g128/a8/awq:grid=40", MDL_HP_GRID, 40 },
		{ "int8/a8/smooth:alpha=0.75", "int8/a8/smooth:alpha=0.75", MDL_HP_ALPHA, 0.75 },
		{ "int4-g32/a16/gptq", "int4-g32/a16/gptq", 0, 0 },
	};
	struct mdl_variant v;
	char err[256];
	double got;
	uint32_t i;

	ASSERT_EQ(0, mdl_algos_register_all());
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ASSERT_EQ(0, mdl_variant_parse(ok[i].spec, &v, err, sizeof(err)))
			TH_LOG("%s: %s", ok[i].spec, err);
		EXPECT_STREQ(ok[i].name, v.name);
		EXPECT_EQ(ok[i].set, v.hp.set) TH_LOG("%s", ok[i].spec);
		got = ok[i].set == MDL_HP_DAMP ? v.hp.damp : ok[i].set == MDL_HP_GRID ?
		      v.hp.grid : ok[i].set == MDL_HP_ALPHA ? (double)v.hp.alpha : 0;
		EXPECT_EQ(1, fabs(got - ok[i].value) <= 1e-7 * fabs(ok[i].value))
			TH_LOG("%s: %g, expected %g", ok[i].spec, got, ok[i].value);
	}
}

TEST(hparams_are_refused_with_the_field_and_value)
{
	static const struct { const char *spec, *why; } bad[] = {
		{ "int4-g32/a16/rtn:damp=0.1", "rtn has no hyperparameter 'damp' (it takes: none)" },
		{ "int4-g32/a16/gptq:grid=10", "gptq has no hyperparameter 'grid' (it takes: damp)" },
		{ "int4-g32/a16/awq:alpha=0.5", "awq has no hyperparameter 'alpha' (it takes: grid)" },
		{ "int4-g32/a16/gptq:damp=-0.1", "damp=-0.1: expected a number from 0 to 10" },
		{ "int4-g32/a16/gptq:damp=11", "damp=11: expected a number from 0 to 10" },
		{ "int4-g32/a16/gptq:damp=x", "damp=x: expected a number" },
		{ "int4-g32/a16/gptq:damp=", "damp=: expected a number" },
		{ "int4-g32/a16/gptq:damp", "damp=: expected a number" },
		{ "int4-g32/a16/gptq:damp=nan", "damp=nan: expected a number" },
		{ "int4-g32/a16/awq:grid=2.5", "grid=2.5: expected an integer from 1 to 1000" },
		{ "int4-g32/a16/awq:grid=0", "grid=0: expected an integer from 1 to 1000" },
		{ "int8/a8/smooth:alpha=1.5", "alpha=1.5: expected a number from 0 to 1" },
		{ "int4-g32/a16/gptq:damp=0.1:damp=0.2", "'damp' given twice" },
		{ "int4-g32/a16/gptq:", "nothing after ':'" },
		{ "int4-g32/a16/gptq:speed=2", "no hyperparameter 'speed'" },
	};
	struct mdl_variant v;
	char err[256];
	uint32_t i;

	ASSERT_EQ(0, mdl_algos_register_all());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		EXPECT_EQ(-EINVAL, mdl_variant_parse(bad[i].spec, &v, err, sizeof(err)))
			TH_LOG("%s was accepted", bad[i].spec);
		EXPECT_NE(NULL, strstr(err, bad[i].why))
			TH_LOG("%s: '%s', expected it to say '%s'", bad[i].spec, err, bad[i].why);
		EXPECT_NE(NULL, strstr(err, bad[i].spec)) TH_LOG("%s: '%s'", bad[i].spec, err);
	}
}

/*
 * A layer whose inputs have correlated channels of very different scales
 * (a few outliers), so that damping, AWQ's grid and SmoothQuant's alpha all
 * change what the algorithms produce.
 */
#define MDLT_N 32
#define MDLT_K 64
#define MDLT_ROWS 512

struct mdlt_layer {
	float w[MDLT_N * MDLT_K];
	float x[MDLT_ROWS * MDLT_K];
	struct mdl_calib cal;
};

static void mdlt_layer_init(struct mdlt_layer *l)
{
	struct mdl_rng r;
	uint32_t i, j;
	float z;

	mdl_rng_seed(&r, 7);
	for (i = 0; i < MDLT_N * MDLT_K; i++)
		l->w[i] = mdl_rng_normal(&r) * 0.1f;
	for (i = 0; i < MDLT_ROWS; i++) {
		z = mdl_rng_normal(&r);
		for (j = 0; j < MDLT_K; j++)
			l->x[i * MDLT_K + j] = (0.7f * z + 0.3f * mdl_rng_normal(&r)) *
					       (j % 16 == 3 ? 20.0f : 1.0f + 0.05f * j);
	}
	l->cal = (struct mdl_calib){ .rows = MDLT_ROWS, .k = MDLT_K, .x = l->x };
}

/* The algorithm's tensor (dequantized into @y) and its s (@s) under @hp. */
static int mdlt_run(const struct mdlt_layer *l, const char *spec, float *y, float *s)
{
	struct compress_qtensor *qt = NULL;
	struct mdl_variant v;
	uint32_t j;
	int ret;

	ret = mdl_variant_parse(spec, &v, NULL, 0);
	if (ret)
		return ret;
	for (j = 0; j < MDLT_K; j++)
		s[j] = 1.0f;
	if (v.algo->group_scales) {
		ret = v.algo->group_scales(l->w, MDLT_N, MDLT_K, &l->cal, &v.qp, &v.hp, s);
		if (ret)
			return ret;
	}
	ret = v.algo->quantize(l->w, MDLT_N, MDLT_K, &l->cal, &v.qp, &v.hp, &qt, s);
	if (!ret)
		ret = compress_qtensor_dequant(qt, y, MDLT_K);
	compress_qtensor_free(qt);
	return ret;
}

FIXTURE(layer) {
	struct mdlt_layer l;
	float a[MDLT_N * MDLT_K], b[MDLT_N * MDLT_K], sa[MDLT_K], sb[MDLT_K];
};

FIXTURE_SETUP(layer)
{
	ASSERT_EQ(0, mdl_algos_register_all());
	mdlt_layer_init(&self->l);
}

FIXTURE_TEARDOWN(layer)
{
}

/* The library's default spelled out is the default; another value is another tensor. */
TEST_F(layer, hparams_reach_the_algorithm)
{
	const struct compress_gptq_opts go = COMPRESS_GPTQ_OPTS_INIT;
	const struct compress_sparsegpt_opts so = COMPRESS_SPARSEGPT_OPTS_INIT;
	const struct compress_awq_opts ao = COMPRESS_AWQ_OPTS_INIT;
	const struct compress_smooth_opts mo = COMPRESS_SMOOTH_OPTS_INIT;
	char same[5][2][MDL_VARIANT_NAME];
	static const char *const other[][2] = {
		{ "int4-g32/a16/gptq", "int4-g32/a16/gptq:damp=5" },
		{ "int4-g32/a16/gptq-ao", "int4-g32/a16/gptq-ao:damp=5" },
		{ "sp-int4-g32/a16/sparsegpt", "sp-int4-g32/a16/sparsegpt:damp=5" },
		{ "int4-g32/a16/awq", "int4-g32/a16/awq:grid=1" },
		{ "int4-g32/a8/smooth", "int4-g32/a8/smooth:alpha=0.9" },
	};
	uint32_t i;

	snprintf(same[0][0], sizeof(same[0][0]), "int4-g32/a16/gptq");
	snprintf(same[0][1], sizeof(same[0][1]), "int4-g32/a16/gptq:damp=%g", go.damp);
	snprintf(same[1][0], sizeof(same[1][0]), "int4-g32/a16/gptq-ao");
	snprintf(same[1][1], sizeof(same[1][1]), "int4-g32/a16/gptq-ao:damp=%g", go.damp);
	snprintf(same[2][0], sizeof(same[2][0]), "sp-int4-g32/a16/sparsegpt");
	snprintf(same[2][1], sizeof(same[2][1]), "sp-int4-g32/a16/sparsegpt:damp=%g", so.damp);
	snprintf(same[3][0], sizeof(same[3][0]), "int4-g32/a16/awq");
	snprintf(same[3][1], sizeof(same[3][1]), "int4-g32/a16/awq:grid=%u", ao.grid);
	snprintf(same[4][0], sizeof(same[4][0]), "int4-g32/a8/smooth");
	snprintf(same[4][1], sizeof(same[4][1]), "int4-g32/a8/smooth:alpha=%g", (double)mo.alpha);
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		ASSERT_EQ(0, mdlt_run(&self->l, same[i][0], self->a, self->sa)) TH_LOG("%s", same[i][0]);
		ASSERT_EQ(0, mdlt_run(&self->l, same[i][1], self->b, self->sb)) TH_LOG("%s", same[i][1]);
		EXPECT_EQ(0, memcmp(self->a, self->b, sizeof(self->a))) TH_LOG("%s", same[i][1]);
		EXPECT_EQ(0, memcmp(self->sa, self->sb, sizeof(self->sa))) TH_LOG("%s", same[i][1]);
	}
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		ASSERT_EQ(0, mdlt_run(&self->l, other[i][0], self->a, self->sa));
		ASSERT_EQ(0, mdlt_run(&self->l, other[i][1], self->b, self->sb));
		EXPECT_NE(0, memcmp(self->a, self->b, sizeof(self->a)))
			TH_LOG("%s gives the default's tensor", other[i][1]);
	}
}

/* AWQ with a grid of 1 tries only alpha = 0: s = 1, no scaling at all. */
TEST_F(layer, awq_grid_of_one_keeps_every_scale_at_one)
{
	uint32_t j, moved = 0, bad = 0, nbad = 0;

	ASSERT_EQ(0, mdlt_run(&self->l, "int4-g32/a16/awq:grid=1", self->a, self->sa));
	for (j = 0; j < MDLT_K; j++)
		if (self->sa[j] != 1.0f) {
			bad = j;
			nbad++;
		}
	EXPECT_EQ(0, nbad) TH_LOG("%u scales are not 1, e.g. s[%u] = %g", nbad, bad, self->sa[bad]);
	/* and the default grid does scale this layer's outlier channels */
	ASSERT_EQ(0, mdlt_run(&self->l, "int4-g32/a16/awq", self->b, self->sb));
	for (j = 0; j < MDLT_K; j++)
		moved += self->sb[j] != 1.0f;
	EXPECT_LT(0, moved);
}

/* SmoothQuant's s_j = max|X_j|^alpha / max_i |W_ij|^(1 - alpha): alpha 0 and 1. */
TEST_F(layer, smoothquant_alpha_follows_its_formula_at_the_ends)
{
	double xmax, wmax, want;
	uint32_t i, j;

	ASSERT_EQ(0, mdlt_run(&self->l, "int8/a8/smooth:alpha=0", self->a, self->sa));
	ASSERT_EQ(0, mdlt_run(&self->l, "int8/a8/smooth:alpha=1", self->b, self->sb));
	for (j = 0; j < MDLT_K; j++) {
		for (xmax = 0, i = 0; i < MDLT_ROWS; i++)
			xmax = fmax(xmax, fabs(self->l.x[i * MDLT_K + j]));
		for (wmax = 0, i = 0; i < MDLT_N; i++)
			wmax = fmax(wmax, fabs(self->l.w[i * MDLT_K + j]));
		want = 1.0 / wmax;
		EXPECT_GE(1e-5 * want, fabs(self->sa[j] - want))
			TH_LOG("alpha 0: s[%u] = %g, expected %g", j, self->sa[j], want);
		EXPECT_GE(1e-5 * xmax, fabs(self->sb[j] - xmax))
			TH_LOG("alpha 1: s[%u] = %g, expected %g", j, self->sb[j], xmax);
	}
}

TEST_HARNESS_MAIN
