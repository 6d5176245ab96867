// SPDX-License-Identifier: MIT
/*
 * 2:4 pruning: Wanda and SparseGPT reduce to magnitude pruning when the
 * inputs give them no reason not to, the caller-mask quantizer agrees with
 * the device's own, every output is a valid 2:4 tensor, and on held-out
 * activations both beat magnitude pruning (alone and combined with W4), as
 * their papers report.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "cmp_layer.h"

static const struct compress_qparams cmp_sparse[] = {
	{ DP_W_SP_BF16, 0, 0, 0 },
	{ DP_W_SP_INT8, 0, 0, 0 },
	{ DP_W_SP_INT4, 32, 1, 0 },
	{ DP_W_SP_INT4, 128, 0, 0 },
};
#define CMP_NSPARSE (sizeof(cmp_sparse) / sizeof(cmp_sparse[0]))

/* X = 2 I: every input has the same norm and H is diagonal. */
static float *cmp_flat_x(uint32_t k)
{
	float *x = calloc((size_t)k * k, sizeof(*x));
	uint32_t i;

	for (i = 0; x && i < k; i++)
		x[(size_t)i * k + i] = 2.0f;
	return x;
}

/* Every group of 4 keeps two distinct positions, in ascending order. */
static int cmp_valid24(const struct compress_qtensor *qt)
{
	struct compress_plain pl;
	uint32_t r, q;
	int ok = 1;

	if (compress_unpack(qt, &pl))
		return 0;
	for (r = 0; r < pl.n; r++)
		for (q = 0; 4 * q < pl.k; q++) {
			uint8_t c = pl.meta[(size_t)r * pl.kmeta + q];

			if ((c & 3) >= (c >> 2))
				ok = 0;
		}
	compress_plain_free(&pl);
	return ok;
}

TEST(wanda_and_sparsegpt_with_uniform_diagonal_inputs_are_magnitude_rtn)
{
	/* 102 and 101 end in groups with 2 and 1 valid positions */
	uint32_t shapes[3][2] = { { 19, 102 }, { 17, 101 }, { 16, 256 } }, s, i;

	for (s = 0; s < 3; s++) {
		uint32_t n = shapes[s][0], k = shapes[s][1];
		float *x = cmp_flat_x(k);
		struct cmp_layer l;

		ASSERT_NE(NULL, x);
		ASSERT_EQ(0, cmp_layer_make(&l, n, k, 1, 1, 0, dpt_seed() + s));
		for (i = 0; i < CMP_NSPARSE; i++) {
			struct compress_qtensor *mag, *wa, *sg;
			const char *name = dp_fmt_info(cmp_sparse[i].fmt)->name;

			ASSERT_EQ(0, compress_quantize(l.w, n, k, k, &cmp_sparse[i], &mag));
			ASSERT_EQ(0, compress_wanda24(l.w, n, k, x, k, &cmp_sparse[i], &wa));
			ASSERT_EQ(0, compress_sparsegpt24(l.w, n, k, x, k, &cmp_sparse[i], NULL,
							  &sg));
			EXPECT_TRUE(cmp_same_tensor(mag, wa)) TH_LOG("Wanda %s k=%u", name, k);
			EXPECT_TRUE(cmp_same_tensor(mag, sg)) TH_LOG("SparseGPT %s k=%u", name, k);
			compress_qtensor_free(mag);
			compress_qtensor_free(wa);
			compress_qtensor_free(sg);
		}
		cmp_layer_free(&l);
		free(x);
	}
}

TEST(quantize_mask_with_the_magnitude_mask_matches_the_device_quantizer)
{
	uint32_t n = 23, k = 138, i;
	uint8_t *mask = malloc((size_t)n * k);
	float *tmp = malloc(sizeof(float) * n * k);
	struct cmp_layer l;

	ASSERT_EQ(0, cmp_layer_make(&l, n, k, 1, 1, 0, dpt_seed()));
	ASSERT_EQ(0, compress_prune24(l.w, n, k, k, tmp, mask));
	for (i = 0; i < CMP_NSPARSE; i++) {
		struct compress_qtensor *a, *b;

		ASSERT_EQ(0, compress_quantize(l.w, n, k, k, &cmp_sparse[i], &a));
		ASSERT_EQ(0, compress_quantize_mask(l.w, n, k, mask, &cmp_sparse[i], &b));
		EXPECT_TRUE(cmp_same_tensor(a, b)) TH_LOG("%s", dp_fmt_info(cmp_sparse[i].fmt)->name);
		compress_qtensor_free(a);
		compress_qtensor_free(b);
	}
	cmp_layer_free(&l);
	free(mask);
	free(tmp);
}

TEST(quantize_mask_rejects_masks_that_are_not_2_of_4)
{
	float w[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t three[8] = { 1, 1, 1, 0, 1, 1, 0, 0 }, one[8] = { 1, 0, 0, 0, 1, 1, 0, 0 };
	uint8_t two_ok[8] = { 0, 1, 0, 1, 1, 0, 1, 0 }, big[8] = { 2, 1, 0, 0, 1, 1, 0, 0 };
	struct compress_qparams p = { DP_W_SP_INT8, 0, 0, 0 }, dense = { DP_W_INT8, 0, 0, 0 };
	struct compress_qtensor *q;

	EXPECT_EQ(-EINVAL, compress_quantize_mask(w, 1, 8, three, &p, &q));
	EXPECT_EQ(-EINVAL, compress_quantize_mask(w, 1, 8, one, &p, &q));
	EXPECT_EQ(-EINVAL, compress_quantize_mask(w, 1, 8, big, &p, &q));
	EXPECT_EQ(-ENOTSUP, compress_quantize_mask(w, 1, 8, two_ok, &dense, &q));
	ASSERT_EQ(0, compress_quantize_mask(w, 1, 8, two_ok, &p, &q));
	compress_qtensor_free(q);
}

TEST(pruning_rejects_dense_formats)
{
	uint32_t n = 16, k = 64;
	struct compress_qparams p = { DP_W_INT4, 32, 0, 0 };
	struct compress_sparsegpt_opts o = COMPRESS_SPARSEGPT_OPTS_INIT;
	struct compress_qtensor *q;
	struct cmp_layer l;

	ASSERT_EQ(0, cmp_layer_make(&l, n, k, 128, 1, 0, dpt_seed()));
	EXPECT_EQ(-ENOTSUP, compress_wanda24(l.w, n, k, l.xc, l.mc, &p, &q));
	EXPECT_EQ(-ENOTSUP, compress_sparsegpt24(l.w, n, k, l.xc, l.mc, &p, NULL, &q));
	o.block = 30;
	EXPECT_EQ(-EINVAL, compress_sparsegpt24(l.w, n, k, l.xc, l.mc, &cmp_sparse[0], &o, &q));
	cmp_layer_free(&l);
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

struct cmp_prune_run {
	double mag, wanda, sgpt;
};

static void cmp_prune_all(struct __test_metadata *_metadata, const struct cmp_layer *l,
			  const struct compress_qparams *p, struct cmp_prune_run *e)
{
	struct compress_qtensor *mag, *wa, *sg;

	ASSERT_EQ(0, compress_quantize(l->w, l->n, l->k, l->k, p, &mag));
	ASSERT_EQ(0, compress_wanda24(l->w, l->n, l->k, l->xc, l->mc, p, &wa));
	ASSERT_EQ(0, compress_sparsegpt24(l->w, l->n, l->k, l->xc, l->mc, p, NULL, &sg));
	e->mag = cmp_err(l, mag, NULL);
	e->wanda = cmp_err(l, wa, NULL);
	e->sgpt = cmp_err(l, sg, NULL);
	TH_LOG("%s g%u held-out error: magnitude+RTN %.4f Wanda %.4f (ratio %.3f) "
	       "SparseGPT %.4f (ratio %.3f)", dp_fmt_info(p->fmt)->name, p->group, e->mag,
	       e->wanda, e->wanda / e->mag, e->sgpt, e->sgpt / e->mag);
	EXPECT_TRUE(cmp_round_trips(wa));
	EXPECT_TRUE(cmp_round_trips(sg));
	EXPECT_TRUE(cmp_valid24(wa));
	EXPECT_TRUE(cmp_valid24(sg));
	compress_qtensor_free(mag);
	compress_qtensor_free(wa);
	compress_qtensor_free(sg);
}

/*
 * Ratios to magnitude 2:4 over 41 seeds of this layer (DP_TEST_SEED=1..40
 * and the default): Wanda 0.10-0.44, SparseGPT 0.08-0.32 (SP_BF16, pruning
 * alone). Bounds 0.6 and 0.5.
 */
TEST_F(layer, wanda_and_sparsegpt_beat_magnitude_24)
{
	struct compress_qparams p = { DP_W_SP_BF16, 0, 0, 0 };
	struct cmp_prune_run e;

	cmp_prune_all(_metadata, &self->l, &p, &e);
	EXPECT_LT(e.wanda, 0.6 * e.mag);
	EXPECT_LT(e.sgpt, 0.5 * e.mag);
}

/*
 * 2:4 + W4 (SP_INT4 g128) against magnitude 2:4 + RTN W4: SparseGPT
 * 0.25-0.42, Wanda 0.44-0.62 over 41 seeds. Bounds 0.6 and 0.8.
 */
TEST_F(layer, sparsegpt_w4_beats_magnitude_plus_rtn_w4)
{
	struct compress_qparams p = { DP_W_SP_INT4, 128, 0, 0 };
	struct cmp_prune_run e;

	cmp_prune_all(_metadata, &self->l, &p, &e);
	EXPECT_LT(e.sgpt, 0.6 * e.mag);
	EXPECT_LT(e.wanda, 0.8 * e.mag);
}

/* 2:4 + W8 per channel: SparseGPT 0.08-0.32 over 41 seeds; bound 0.5. */
TEST_F(layer, sparsegpt_w8_beats_magnitude_plus_rtn_w8)
{
	struct compress_qparams p = { DP_W_SP_INT8, 0, 0, 0 };
	struct cmp_prune_run e;

	cmp_prune_all(_metadata, &self->l, &p, &e);
	EXPECT_LT(e.sgpt, 0.5 * e.mag);
}

/*
 * A layer whose input j + K/2 nearly repeats input j (a twin): when
 * SparseGPT prunes a weight of the first half, its error feedback moves it
 * onto the twin, so kept weights of the second half grow up to about twice
 * the largest weight a row keeps at its start, as correlated inputs make
 * them grow in a real model. Rows of X: twins z_j and z_j + 0.05 g.
 */
static int cmp_twin_layer(struct cmp_layer *l, uint32_t n, uint32_t k, uint32_t seed)
{
	struct dpt_rng r = { 0x9e3779b97f4a7c15ull * (seed + 1) };
	uint32_t i, j, h = k / 2;

	memset(l, 0, sizeof(*l));
	l->n = n;
	l->k = k;
	l->mc = 1024;
	l->me = 512;
	l->w = malloc(sizeof(float) * n * k);
	l->xc = malloc(sizeof(float) * l->mc * k);
	l->xe = malloc(sizeof(float) * l->me * k);
	if (!l->w || !l->xc || !l->xe) {
		cmp_layer_free(l);
		return -1;
	}
	for (i = 0; i < n * k; i++)
		l->w[i] = (float)(0.05 * cmp_gauss(&r));
	for (i = 0; i < l->mc + l->me; i++) {
		float *x = i < l->mc ? l->xc + (size_t)i * k : l->xe + (size_t)(i - l->mc) * k;

		for (j = 0; j < h; j++) {
			x[j] = (float)cmp_gauss(&r);
			x[j + h] = x[j] + (float)(0.05 * cmp_gauss(&r));
		}
	}
	return 0;
}

/*
 * SparseGPT with joint INT8 against SparseGPT in BF16 whose kept values are
 * then rounded to INT8 (the same masks, compress_quantize_mask): the joint
 * pass must be no worse, and INT8 must cost it next to nothing. SP_INT8's
 * one scale per row used to be fixed at the row's first column, before
 * pruning's error feedback grew the kept weights (compress_gptq_sparse_scales
 * has the fix): on the twin layer that made joint INT8 worse than the two
 * steps (held-out error 0.28822 against 0.28747; now 0.28725); on the
 * language model 80-97 % of the rows saturated, up to 2.9x the scale.
 */
TEST(sparsegpt_joint_int8_is_no_worse_than_bf16_then_int8)
{
	const struct compress_qparams bf = { DP_W_SP_BF16, 0, 0, 0 }, i8 = { DP_W_SP_INT8, 0, 0, 0 };
	struct compress_qtensor *sb, *two, *joint;
	struct compress_plain pl;
	struct cmp_layer ll, *l = &ll;
	uint32_t r, q, j;
	uint8_t *mask;
	float *deq;
	double eb, e2, ej;

	ASSERT_EQ(0, cmp_twin_layer(l, 64, 128, dpt_seed()));
	mask = calloc((size_t)l->n * l->k, 1);
	deq = malloc(sizeof(float) * l->n * l->k);
	ASSERT_NE(NULL, mask);
	ASSERT_NE(NULL, deq);
	ASSERT_EQ(0, compress_sparsegpt24(l->w, l->n, l->k, l->xc, l->mc, &bf, NULL, &sb));
	ASSERT_EQ(0, compress_qtensor_dequant(sb, deq, l->k));
	/* SparseGPT's BF16 masks, from the 2:4 metadata */
	ASSERT_EQ(0, compress_unpack(sb, &pl));
	for (r = 0; r < l->n; r++)
		for (q = 0; 4 * q < l->k; q++) {
			uint8_t c = pl.meta[(size_t)r * pl.kmeta + q];

			for (j = 0; j < 2; j++)
				mask[(size_t)r * l->k + 4 * q + ((c >> (2 * j)) & 3)] = 1;
		}
	compress_plain_free(&pl);
	ASSERT_EQ(0, compress_quantize_mask(deq, l->n, l->k, mask, &i8, &two));
	ASSERT_EQ(0, compress_sparsegpt24(l->w, l->n, l->k, l->xc, l->mc, &i8, NULL, &joint));
	eb = cmp_err(l, sb, NULL);
	e2 = cmp_err(l, two, NULL);
	ej = cmp_err(l, joint, NULL);
	TH_LOG("held-out error: SparseGPT BF16 %.5f, then INT8 %.5f, joint INT8 %.5f", eb, e2, ej);
	EXPECT_TRUE(cmp_valid24(joint));
	EXPECT_LE(ej, e2 * 1.001);
	/* and INT8 costs SparseGPT next to nothing: within 1 % of BF16 */
	EXPECT_LT(ej, eb * 1.01);
	compress_qtensor_free(sb);
	compress_qtensor_free(two);
	compress_qtensor_free(joint);
	cmp_layer_free(l);
	free(mask);
	free(deq);
}

TEST_HARNESS_MAIN
