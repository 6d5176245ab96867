// SPDX-License-Identifier: MIT
/*
 * AWQ and SmoothQuant: the scales they return, their reductions to plain
 * RTN, device-format output, and the claims of their papers on held-out
 * activations (AWQ: lower W4 error than RTN; SmoothQuant: lower W8A8 error
 * than W8A8 without smoothing).
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "cmp_layer.h"

TEST(awq_with_only_alpha_zero_and_no_clip_is_rtn_with_unit_scales)
{
	uint32_t n = 24, k = 160, j;
	struct compress_qparams p = { DP_W_INT4, 32, 1, 0 };
	struct compress_awq_opts o = COMPRESS_AWQ_OPTS_INIT;
	struct compress_qtensor *rtn, *q;
	struct cmp_layer l;
	float s[160];

	o.grid = 1;
	o.clip = 0;
	ASSERT_EQ(0, cmp_layer_make(&l, n, k, 128, 1, 2, dpt_seed()));
	ASSERT_EQ(0, compress_quantize(l.w, n, k, k, &p, &rtn));
	ASSERT_EQ(0, compress_awq(l.w, n, k, l.xc, l.mc, &p, &o, &q, s));
	for (j = 0; j < k; j++)
		ASSERT_EQ(1.0f, s[j]);
	EXPECT_TRUE(cmp_same_tensor(rtn, q));
	compress_qtensor_free(rtn);
	compress_qtensor_free(q);
	cmp_layer_free(&l);
}

TEST(awq_output_round_trips_and_scales_are_positive_in_every_dense_format)
{
	static const struct compress_qparams ps[] = {
		{ DP_W_INT8, 0, 0, 0 },  { DP_W_INT4, 64, 1, 0 }, { DP_W_MXINT8, 0, 0, 0 },
		{ DP_W_MXFP8, 0, 0, 0 }, { DP_W_MXFP4, 0, 0, 0 }, { DP_W_NVFP4, 0, 0, 0 },
	};
	uint32_t n = 16, k = 96, i, j;
	struct compress_awq_opts o = COMPRESS_AWQ_OPTS_INIT;
	struct cmp_layer l;
	float s[96];

	o.grid = 4;
	o.clip_grid = 4;
	ASSERT_EQ(0, cmp_layer_make(&l, n, k, 128, 1, 2, dpt_seed()));
	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		struct compress_qtensor *q;

		ASSERT_EQ(0, compress_awq(l.w, n, k, l.xc, l.mc, &ps[i], &o, &q, s));
		EXPECT_TRUE(cmp_round_trips(q)) TH_LOG("%s", dp_fmt_info(ps[i].fmt)->name);
		for (j = 0; j < k; j++)
			ASSERT_TRUE(s[j] > 0.0f && isfinite(s[j]));
		compress_qtensor_free(q);
	}
	cmp_layer_free(&l);
}

/* Rows r0.. of plain a equal all rows of plain b (codes, scales, zeros). */
static int cmp_rows_equal(const struct compress_plain *a, uint32_t r0,
			  const struct compress_plain *b)
{
	size_t cs = (size_t)b->n * b->kstore, bs = (size_t)b->n * b->blocks;

	if (memcmp(a->codes + (size_t)r0 * a->kstore, b->codes, cs * sizeof(*b->codes)))
		return 0;
	if (memcmp(a->scales + (size_t)r0 * a->blocks, b->scales, bs * sizeof(*b->scales)))
		return 0;
	return !b->zeros || !memcmp(a->zeros + (size_t)r0 * a->blocks, b->zeros, bs);
}

TEST(awq_apply_with_a_shared_scale_gives_each_layer_its_rows_of_the_stack)
{
	/* two layers reading one input (q and k, say): 24 + 40 rows stacked */
	uint32_t n1 = 24, n = 64, k = 128;
	struct compress_qparams p = { DP_W_INT4, 32, 1, 0 };
	struct compress_qtensor *all, *q1, *q2;
	struct compress_plain pa, p1, p2;
	struct cmp_layer l;
	float s[128];

	ASSERT_EQ(0, cmp_layer_make(&l, n, k, 256, 1, 2, dpt_seed()));
	ASSERT_EQ(0, compress_awq(l.w, n, k, l.xc, l.mc, &p, NULL, &all, s));
	ASSERT_EQ(0, compress_awq_apply(l.w, n1, k, l.xc, l.mc, &p, NULL, s, &q1));
	ASSERT_EQ(0, compress_awq_apply(l.w + (size_t)n1 * k, n - n1, k, l.xc, l.mc, &p, NULL, s,
					&q2));
	ASSERT_EQ(0, compress_unpack(all, &pa));
	ASSERT_EQ(0, compress_unpack(q1, &p1));
	ASSERT_EQ(0, compress_unpack(q2, &p2));
	EXPECT_TRUE(cmp_rows_equal(&pa, 0, &p1));
	EXPECT_TRUE(cmp_rows_equal(&pa, n1, &p2));
	compress_plain_free(&pa);
	compress_plain_free(&p1);
	compress_plain_free(&p2);
	compress_qtensor_free(all);
	compress_qtensor_free(q1);
	compress_qtensor_free(q2);
	s[7] = 0.0f;
	EXPECT_EQ(-EINVAL, compress_awq_apply(l.w, n1, k, l.xc, l.mc, &p, NULL, s, &q1));
	cmp_layer_free(&l);
}

TEST(awq_and_smoothquant_reject_bad_arguments)
{
	uint32_t n = 16, k = 64;
	struct compress_qparams p4 = { DP_W_INT4, 32, 0, 0 }, sp = { DP_W_SP_INT4, 32, 0, 0 };
	struct compress_qparams bf = { DP_W_BF16, 0, 0, 0 }, i8 = { DP_W_INT8, 0, 0, 0 };
	struct compress_awq_opts o = COMPRESS_AWQ_OPTS_INIT;
	struct compress_smooth_opts so = COMPRESS_SMOOTH_OPTS_INIT;
	struct compress_qtensor *q;
	struct cmp_layer l;
	float s[64];

	ASSERT_EQ(0, cmp_layer_make(&l, n, k, 64, 1, 0, dpt_seed()));
	EXPECT_EQ(-ENOTSUP, compress_awq(l.w, n, k, l.xc, l.mc, &sp, NULL, &q, s));
	EXPECT_EQ(-EINVAL, compress_awq(l.w, n, k, l.xc, l.mc, &p4, NULL, &q, NULL));
	o.grid = 0;
	EXPECT_EQ(-EINVAL, compress_awq(l.w, n, k, l.xc, l.mc, &p4, &o, &q, s));
	o = (struct compress_awq_opts)COMPRESS_AWQ_OPTS_INIT;
	o.clip_min = 1.0f;
	EXPECT_EQ(-EINVAL, compress_awq(l.w, n, k, l.xc, l.mc, &p4, &o, &q, s));
	/* SmoothQuant is for int8 activations: BF16 weights never run with them */
	EXPECT_EQ(-ENOTSUP, compress_smoothquant(l.w, n, k, l.xc, l.mc, &bf, NULL, &q, s));
	so.alpha = 1.5f;
	EXPECT_EQ(-EINVAL, compress_smoothquant(l.w, n, k, l.xc, l.mc, &i8, &so, &q, s));
	EXPECT_EQ(-EINVAL, compress_smoothquant(l.w, n, k, l.xc, l.mc, &i8, NULL, &q, NULL));
	cmp_layer_free(&l);
}

TEST(smoothquant_scales_follow_the_formula)
{
	/* k = 3: max|X_j| = 4, 9, 0 and max_i |W_ij| = 1, 0.25, 2 */
	float w[2 * 3] = { 1.0f, -0.25f, 2.0f, -0.5f, 0.125f, 1.0f };
	float x[2 * 3] = { -4.0f, 9.0f, 0.0f, 2.0f, -3.0f, 0.0f }, s[3];
	struct compress_qparams p = { DP_W_INT8, 0, 0, 0 };
	struct compress_smooth_opts o = { .alpha = 0.5f };
	struct compress_qtensor *q;

	ASSERT_EQ(0, compress_smoothquant(w, 2, 3, x, 2, &p, &o, &q, s));
	EXPECT_EQ(2.0f, s[0]);		/* sqrt(4) / sqrt(1) */
	EXPECT_EQ(6.0f, s[1]);		/* sqrt(9) / sqrt(0.25) */
	EXPECT_EQ(1.0f, s[2]);		/* never fired: left alone */
	compress_qtensor_free(q);
	o.alpha = 1.0f;
	ASSERT_EQ(0, compress_smoothquant(w, 2, 3, x, 2, &p, &o, &q, s));
	EXPECT_EQ(4.0f, s[0]);
	EXPECT_EQ(9.0f, s[1]);
	compress_qtensor_free(q);
}

TEST(output_error_is_zero_for_exact_weights_and_sees_the_scales)
{
	/* BF16-exact weights: the dequantized layer is the layer itself */
	float w[4 * 8], x[3 * 8], s[8];
	struct compress_qparams p = { DP_W_BF16, 0, 0, 0 };
	struct compress_qtensor *q;
	double e;
	uint32_t i;

	for (i = 0; i < 32; i++)
		w[i] = (float)((int)(i * 7 % 11) - 5) * 0.25f;
	for (i = 0; i < 24; i++)
		x[i] = (float)((int)(i * 5 % 9) - 4);
	for (i = 0; i < 8; i++)
		s[i] = 2.0f;
	ASSERT_EQ(0, compress_quantize(w, 4, 8, 8, &p, &q));
	ASSERT_EQ(0, compress_output_error(w, 4, 8, x, 3, q, NULL, &e));
	EXPECT_EQ(0.0, e);
	/* Q(W) with activations halved: every output halves, error 1/2 */
	ASSERT_EQ(0, compress_output_error(w, 4, 8, x, 3, q, s, &e));
	EXPECT_EQ(0.5, e);
	EXPECT_EQ(-ENOTSUP, compress_output_error_a8(w, 4, 8, x, 3, q, NULL, &e));
	compress_qtensor_free(q);
}

FIXTURE(layer) {
	struct cmp_layer l;
};

FIXTURE_SETUP(layer)
{
	ASSERT_EQ(0, cmp_layer_make(&self->l, 256, 512, 1024, 512, 4, dpt_seed()));
}

FIXTURE_TEARDOWN(layer)
{
	cmp_layer_free(&self->l);
}

/*
 * AWQ/RTN at INT4 g128 over 41 seeds of this layer (DP_TEST_SEED=1..40 and
 * the default): 0.17-0.49 with the clip search, 0.20-0.62 with the scale
 * search alone. Bounds 0.6 and 0.75 leave margin; scales applied the wrong
 * way round give a ratio near 1.
 */
static void cmp_awq_vs_rtn(struct __test_metadata *_metadata, const struct cmp_layer *l,
			   uint32_t clip, double bound)
{
	struct compress_qparams p = { DP_W_INT4, 128, 0, 0 };
	struct compress_awq_opts o = COMPRESS_AWQ_OPTS_INIT;
	struct compress_qtensor *rtn, *q;
	float *s = malloc(sizeof(float) * l->k);
	double er, ea;

	o.clip = clip;
	ASSERT_EQ(0, compress_quantize(l->w, l->n, l->k, l->k, &p, &rtn));
	ASSERT_EQ(0, compress_awq(l->w, l->n, l->k, l->xc, l->mc, &p, &o, &q, s));
	er = cmp_err(l, rtn, NULL);
	ea = cmp_err(l, q, s);
	TH_LOG("int4 g128 clip %u: held-out error RTN %.4f AWQ %.4f (ratio %.3f)", clip, er, ea,
	       ea / er);
	EXPECT_LT(ea, bound * er);
	EXPECT_TRUE(cmp_round_trips(q));
	compress_qtensor_free(rtn);
	compress_qtensor_free(q);
	free(s);
}

TEST_F(layer, awq_beats_rtn_at_int4_g128)
{
	cmp_awq_vs_rtn(_metadata, &self->l, 1, 0.6);
}

TEST_F(layer, awq_scale_search_alone_beats_rtn_at_int4_g128)
{
	cmp_awq_vs_rtn(_metadata, &self->l, 0, 0.75);
}

/*
 * W8A8 through the device's int8-activation GEMM: per-token activation
 * quantization is ruined by the outlier channels unless they are smoothed.
 * Ratio over 41 seeds 0.14-0.33; bound 0.5.
 */
TEST_F(layer, smoothquant_w8a8_beats_plain_w8a8)
{
	const struct cmp_layer *l = &self->l;
	struct compress_qparams p = { DP_W_INT8, 0, 0, 0 };
	struct compress_qtensor *plain, *q;
	float *s = malloc(sizeof(float) * l->k);
	double ep, es;

	ASSERT_EQ(0, compress_quantize(l->w, l->n, l->k, l->k, &p, &plain));
	ASSERT_EQ(0, compress_smoothquant(l->w, l->n, l->k, l->xc, l->mc, &p, NULL, &q, s));
	ASSERT_EQ(0, compress_output_error_a8(l->w, l->n, l->k, l->xe, l->me, plain, NULL, &ep));
	ASSERT_EQ(0, compress_output_error_a8(l->w, l->n, l->k, l->xe, l->me, q, s, &es));
	TH_LOG("W8A8 held-out error plain %.4f SmoothQuant %.4f (ratio %.3f)", ep, es, es / ep);
	EXPECT_LT(es, 0.5 * ep);
	EXPECT_TRUE(cmp_round_trips(q));
	compress_qtensor_free(plain);
	compress_qtensor_free(q);
	free(s);
}

TEST_HARNESS_MAIN
