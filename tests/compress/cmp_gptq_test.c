// SPDX-License-Identifier: MIT
/*
 * GPTQ: exact reduction to RTN when the Hessian is diagonal (no error to
 * feed), device-format output, errors, and the layer-wise claim of the
 * paper: lower output error than RTN on held-out activations.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "cmp_layer.h"
#include "compress_qtensor_builder.h"
#include "dp_quant.h"

static const struct compress_qparams cmp_dense[] = {
	{ DP_W_BF16, 0, 0, 0 },   { DP_W_INT8, 0, 0, 0 },    { DP_W_INT4, 32, 0, 0 },
	{ DP_W_INT4, 64, 1, 0 },  { DP_W_INT4, 128, 0, 0 },  { DP_W_INT4, 128, 1, 0 },
	{ DP_W_MXINT8, 0, 0, 0 }, { DP_W_MXFP8, 0, 0, 0 },   { DP_W_MXFP4, 0, 0, 0 },
	{ DP_W_NVFP4, 0, 0, 0 },  { DP_W_NVFP4, 0, 0, 1 },
};
#define CMP_NDENSE (sizeof(cmp_dense) / sizeof(cmp_dense[0]))

/* X whose Gram matrix is diagonal and uneven: row i = (1 + i % 7) e_i. */
static float *cmp_diag_x(uint32_t k)
{
	float *x = calloc((size_t)k * k, sizeof(*x));
	uint32_t i;

	for (i = 0; x && i < k; i++)
		x[(size_t)i * k + i] = (float)(1 + i % 7);
	return x;
}

TEST(gptq_with_diagonal_hessian_gives_the_rtn_codes_in_every_format)
{
	/* 100 and 101 leave partial blocks and whole padding blocks (NVFP4) */
	uint32_t shapes[3][2] = { { 19, 100 }, { 33, 101 }, { 16, 256 } }, s, i, ao;

	for (s = 0; s < 3; s++) {
		uint32_t n = shapes[s][0], k = shapes[s][1];
		struct cmp_layer l;
		float *x = cmp_diag_x(k);

		ASSERT_NE(NULL, x);
		ASSERT_EQ(0, cmp_layer_make(&l, n, k, 1, 1, 0, dpt_seed() + s));
		for (i = 0; i < CMP_NDENSE; i++)
			for (ao = 0; ao < 2; ao++) {
				struct compress_gptq_opts o = COMPRESS_GPTQ_OPTS_INIT;
				struct compress_qtensor *rtn, *q;

				o.act_order = ao;
				ASSERT_EQ(0, compress_quantize(l.w, n, k, k, &cmp_dense[i], &rtn));
				ASSERT_EQ(0, compress_gptq(l.w, n, k, x, k, &cmp_dense[i], &o, &q));
				EXPECT_TRUE(cmp_same_tensor(rtn, q))
					TH_LOG("%s g%u asym %u n=%u k=%u act_order %u: GPTQ codes differ "
					       "from RTN with a diagonal Hessian",
					       dp_fmt_info(cmp_dense[i].fmt)->name, cmp_dense[i].group,
					       cmp_dense[i].asym, n, k, ao);
				compress_qtensor_free(rtn);
				compress_qtensor_free(q);
			}
		cmp_layer_free(&l);
		free(x);
	}
}

TEST(device_quantizer_returns_what_the_golden_dequantizer_reads)
{
	/*
	 * GPTQ feeds forward w - q with q from compress_qtensor_builder_put: it
	 * must be the value the device computes with, bit for bit, in every
	 * format.
	 */
	uint32_t n = 21, k = 150, i, r, j;
	struct cmp_layer l;

	ASSERT_EQ(0, cmp_layer_make(&l, n, k, 1, 1, 0, dpt_seed()));
	for (i = 0; i < CMP_NDENSE; i++) {
		float *deq = malloc(sizeof(float) * n * k), *gold = malloc(sizeof(float) * n * k);
		struct compress_qtensor *q;
		struct compress_qtensor_builder f;

		ASSERT_EQ(0, compress_qtensor_builder_init(&f, &cmp_dense[i], n, k, l.w));
		for (r = 0; r < n; r++)
			compress_qtensor_builder_rtn_row(&f, r, l.w + (size_t)r * k, NULL,
							 deq + (size_t)r * k);
		ASSERT_EQ(0, compress_qtensor_builder_finish(&f, &q));
		ASSERT_EQ(0, compress_qtensor_dequant(q, gold, k));
		for (j = 0; j < n * k && dp_f2u(gold[j]) == dp_f2u(deq[j]); j++)
			;
		EXPECT_EQ(n * k, j)
			TH_LOG("%s: element %u decoded %g, golden %g", dp_fmt_info(cmp_dense[i].fmt)->name,
			       j, deq[j < n * k ? j : 0], gold[j < n * k ? j : 0]);
		compress_qtensor_free(q);
		free(deq);
		free(gold);
	}
	cmp_layer_free(&l);
}

TEST(builder_gives_an_mx_block_holding_nan_or_inf_the_nan_scale_as_the_device_quantizer)
{
	/*
	 * numerics.md §3: row 0 holds a NaN (no Inf) in block 0, row 1 an Inf in
	 * block 1. The library's entry points refuse such weights, but the
	 * builder is the device quantizer taken apart and must keep its rules.
	 */
	static const uint32_t want[3][2] = { { 0xff, 0 }, { 0, 0xff }, { 0, 0 } };
	uint32_t n = 3, k = 64, i, r, b;
	float w[3 * 64];

	for (i = 0; i < n * k; i++)
		w[i] = (float)(i % 13) / 8.0f - 0.75f;
	w[5] = NAN;
	w[64 + 40] = INFINITY;
	for (i = 6; i < 9; i++) {	/* MXINT8, MXFP8, MXFP4 */
		const char *name = dp_fmt_info(cmp_dense[i].fmt)->name;
		struct compress_qtensor_builder f;
		struct compress_qtensor *rtn, *q;
		struct compress_plain pl;
		struct dp_wt wt = { .fmt = cmp_dense[i].fmt, .n = n, .k = k };
		struct dp_wt_buf buf;
		struct dp_geom g;

		ASSERT_EQ(-EINVAL, compress_quantize(w, n, k, k, &cmp_dense[i], &rtn));
		ASSERT_EQ(0, dp_geom_get(wt.fmt, n, k, 0, 0, &g));
		buf = (struct dp_wt_buf){ calloc(1, g.data_bytes), calloc(1, g.scale_bytes), NULL, NULL };
		ASSERT_EQ(0, dp_quantize(&wt, &buf, w, k, 0));
		ASSERT_EQ(0, compress_qtensor_import(&wt, &rtn));
		free(buf.data);
		free(buf.scales);
		ASSERT_EQ(0, compress_qtensor_builder_init(&f, &cmp_dense[i], n, k, w));
		for (r = 0; r < n; r++)
			compress_qtensor_builder_rtn_row(&f, r, w + (size_t)r * k, NULL, NULL);
		ASSERT_EQ(0, compress_qtensor_builder_finish(&f, &q));
		ASSERT_EQ(0, compress_unpack(q, &pl));
		for (r = 0; r < n; r++)
			for (b = 0; b < 2; b++) {
				ASSERT_EQ(want[r][b] == 0xff, pl.scales[r * 2 + b] == 0xff)
					TH_LOG("%s row %u block %u: scale 0x%02x", name, r, b,
					       pl.scales[r * 2 + b]);
			}
		EXPECT_TRUE(cmp_same_tensor(rtn, q)) TH_LOG("%s: builder and device quantizer differ",
							     name);
		compress_plain_free(&pl);
		compress_qtensor_free(rtn);
		compress_qtensor_free(q);
	}
}

TEST(gptq_output_round_trips_unpack_and_pack)
{
	uint32_t n = 40, k = 192, i;
	struct cmp_layer l;

	ASSERT_EQ(0, cmp_layer_make(&l, n, k, 256, 1, 2, dpt_seed()));
	for (i = 0; i < CMP_NDENSE; i++) {
		struct compress_gptq_opts o = COMPRESS_GPTQ_OPTS_INIT;
		struct compress_qtensor *q;

		o.act_order = i & 1;
		ASSERT_EQ(0, compress_gptq(l.w, n, k, l.xc, l.mc, &cmp_dense[i], &o, &q));
		EXPECT_TRUE(cmp_round_trips(q)) TH_LOG("%s", dp_fmt_info(cmp_dense[i].fmt)->name);
		compress_qtensor_free(q);
	}
	cmp_layer_free(&l);
}

TEST(gptq_drops_the_weights_of_an_input_that_never_fired)
{
	uint32_t n = 16, k = 64, i, r;
	struct compress_qparams p = { DP_W_INT8, 0, 0, 0 };
	struct compress_qtensor *q;
	struct cmp_layer l;
	float *deq = malloc(sizeof(float) * n * k);

	ASSERT_EQ(0, cmp_layer_make(&l, n, k, 256, 1, 0, dpt_seed()));
	for (i = 0; i < l.mc; i++)
		l.xc[(size_t)i * k + 5] = 0.0f;
	ASSERT_EQ(0, compress_gptq(l.w, n, k, l.xc, l.mc, &p, NULL, &q));
	ASSERT_EQ(0, compress_qtensor_dequant(q, deq, k));
	for (r = 0; r < n; r++)
		EXPECT_EQ(0.0f, deq[(size_t)r * k + 5]);
	compress_qtensor_free(q);
	cmp_layer_free(&l);
	free(deq);
}

TEST(gptq_is_independent_of_how_calibration_rows_are_batched)
{
	uint32_t n = 32, k = 128;
	struct compress_qparams p = { DP_W_INT4, 32, 1, 0 };
	struct compress_qtensor *a, *b;
	struct compress_calib *c;
	struct cmp_layer l;

	ASSERT_EQ(0, cmp_layer_make(&l, n, k, 300, 1, 2, dpt_seed()));
	ASSERT_EQ(0, compress_gptq(l.w, n, k, l.xc, l.mc, &p, NULL, &a));
	ASSERT_EQ(0, compress_calib_new(k, &c));
	ASSERT_EQ(0, compress_calib_add(c, l.xc, 7, k));
	ASSERT_EQ(0, compress_calib_add(c, l.xc + 7 * k, 200, k));
	ASSERT_EQ(0, compress_calib_add(c, l.xc + 207 * k, 93, k));
	ASSERT_EQ(300u, compress_calib_rows(c));
	ASSERT_EQ(0, compress_gptq_calib(l.w, n, k, c, &p, NULL, &b));
	EXPECT_TRUE(cmp_same_tensor(a, b));
	compress_calib_free(c);
	compress_qtensor_free(a);
	compress_qtensor_free(b);
	cmp_layer_free(&l);
}

TEST(gptq_rejects_bad_arguments_with_precise_errors)
{
	uint32_t n = 16, k = 64;
	struct compress_qparams p = { DP_W_INT4, 32, 0, 0 }, sp = { DP_W_SP_INT4, 32, 0, 0 };
	struct compress_qparams badg = { DP_W_INT4, 48, 0, 0 };
	struct compress_gptq_opts o = COMPRESS_GPTQ_OPTS_INIT;
	struct compress_qtensor *q = (struct compress_qtensor *)&o;
	struct cmp_layer l;

	ASSERT_EQ(0, cmp_layer_make(&l, n, k, 128, 1, 0, dpt_seed()));
	EXPECT_EQ(-ENOTSUP, compress_gptq(l.w, n, k, l.xc, l.mc, &sp, NULL, &q));
	EXPECT_EQ(NULL, q);
	EXPECT_EQ(-EINVAL, compress_gptq(l.w, n, k, l.xc, l.mc, &badg, NULL, &q));
	EXPECT_EQ(-EINVAL, compress_gptq(l.w, n, k, l.xc, 0, &p, NULL, &q));
	EXPECT_EQ(-EINVAL, compress_gptq(NULL, n, k, l.xc, l.mc, &p, NULL, &q));
	o.block = 48;	/* groups of 32 would straddle lazy-update blocks */
	EXPECT_EQ(-EINVAL, compress_gptq(l.w, n, k, l.xc, l.mc, &p, &o, &q));
	o = (struct compress_gptq_opts)COMPRESS_GPTQ_OPTS_INIT;
	o.damp = -1.0;
	EXPECT_EQ(-EINVAL, compress_gptq(l.w, n, k, l.xc, l.mc, &p, &o, &q));
	o.damp = 0.0;	/* fewer rows than inputs: singular without damping */
	EXPECT_EQ(-EDOM, compress_gptq(l.w, n, k, l.xc, 16, &p, &o, &q));
	l.xc[3] = NAN;
	EXPECT_EQ(-EINVAL, compress_gptq(l.w, n, k, l.xc, l.mc, &p, NULL, &q));
	l.xc[3] = 0.0f;
	l.w[5] = INFINITY;
	EXPECT_EQ(-EINVAL, compress_gptq(l.w, n, k, l.xc, l.mc, &p, NULL, &q));
	cmp_layer_free(&l);
}

/*
 * The paper's claim on a layer with transformer-like inputs: GPTQ's output
 * error on held-out rows is well below RTN's. Over 41 seeds of this layer
 * (n 256, k 512, 1024 calibration and 512 held-out rows, 4 outlier channels;
 * DP_TEST_SEED=1..40 and the default) the ratio GPTQ/RTN was 0.47-0.79 in
 * the three formats without act-order and 0.45-0.64 with it. The bounds
 * (0.85, 0.7) leave room for another seed and fail when error feedback stops
 * working (ratio ~1; dropping the lazy update alone fails all five).
 */
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

static void cmp_gptq_vs_rtn(struct __test_metadata *_metadata, const struct cmp_layer *l,
			    const struct compress_qparams *p, uint32_t act_order, double bound)
{
	struct compress_gptq_opts o = COMPRESS_GPTQ_OPTS_INIT;
	struct compress_qtensor *rtn, *q;
	double er, eg;

	o.act_order = act_order;
	ASSERT_EQ(0, compress_quantize(l->w, l->n, l->k, l->k, p, &rtn));
	ASSERT_EQ(0, compress_gptq(l->w, l->n, l->k, l->xc, l->mc, p, &o, &q));
	er = cmp_err(l, rtn, NULL);
	eg = cmp_err(l, q, NULL);
	TH_LOG("%s g%u act_order %u: held-out error RTN %.4f GPTQ %.4f (ratio %.3f)",
	       dp_fmt_info(p->fmt)->name, p->group, act_order, er, eg, eg / er);
	EXPECT_LT(eg, bound * er);
	EXPECT_TRUE(cmp_round_trips(q));
	compress_qtensor_free(rtn);
	compress_qtensor_free(q);
}

TEST_F(layer, gptq_beats_rtn_at_int4_g32)
{
	struct compress_qparams p = { DP_W_INT4, 32, 0, 0 };

	cmp_gptq_vs_rtn(_metadata, &self->l, &p, 0, 0.85);
}

TEST_F(layer, gptq_beats_rtn_at_int4_g128)
{
	struct compress_qparams p = { DP_W_INT4, 128, 0, 0 };

	cmp_gptq_vs_rtn(_metadata, &self->l, &p, 0, 0.85);
}

TEST_F(layer, gptq_beats_rtn_at_mxfp4)
{
	struct compress_qparams p = { DP_W_MXFP4, 0, 0, 0 };

	cmp_gptq_vs_rtn(_metadata, &self->l, &p, 0, 0.85);
}

TEST_F(layer, gptq_act_order_with_static_groups_beats_rtn_at_int4_g128_asym)
{
	struct compress_qparams p = { DP_W_INT4, 128, 1, 0 };

	cmp_gptq_vs_rtn(_metadata, &self->l, &p, 1, 0.7);
}

TEST_F(layer, gptq_act_order_beats_rtn_at_nvfp4)
{
	struct compress_qparams p = { DP_W_NVFP4, 0, 0, 0 };

	cmp_gptq_vs_rtn(_metadata, &self->l, &p, 1, 0.7);
}

TEST_HARNESS_MAIN
