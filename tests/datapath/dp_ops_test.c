// SPDX-License-Identifier: MIT
/*
 * Quasar datapath: the fast non-GEMM operations (norms, softmax, RoPE,
 * elementwise, conversions, dequantization, gather) agree bit for bit with
 * the golden model on every instruction set this CPU has: random rows of
 * every width class (below, at and past 16 lanes), values of every kind
 * (ordinary, large, any bit pattern including NaN/Inf/subnormal, zero), and
 * named edge cases. Seed: DP_TEST_SEED (printed).
 */
#include "kselftest_harness.h"
#include "dp_case.h"
#include "dp_ops.h"

#define DPO_CASES 1000
#define DPO_DMAX 600

enum dpo_op { DPO_RMS, DPO_LN, DPO_SMAX, DPO_ROPE, DPO_ADD, DPO_MUL, DPO_TOF32, DPO_TOBF16 };

static const char *const dpo_names[] = { "rmsnorm", "layernorm", "softmax", "rope", "add", "mul",
					 "bf16_to_f32", "f32_to_bf16" };

static uint32_t dpo_width(struct dpt_rng *r)
{
	switch (dpt_below(r, 5)) {
	case 0:
		return 1 + dpt_below(r, 16);
	case 1:
		return 16 * (1 + dpt_below(r, 8));
	case 2:
		return DPO_DMAX - dpt_below(r, 3);
	default:
		return 1 + dpt_below(r, DPO_DMAX);
	}
}

/* kind 4 mixes the other kinds element by element */
static void dpo_fill(struct dpt_rng *r, float *v, uint32_t len, uint32_t kind)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		v[i] = dpt_act_value(r, kind == 4 ? dpt_below(r, 4) : kind);
}

/* Runs op on isa (DP_ISA_SCALAR is the golden model); output bits in y. */
static int dpo_run(uint32_t op, uint32_t isa, const float *a, const float *b, const float *c,
		   const uint16_t *h, uint32_t d, float eps, float *y)
{
	switch (op) {
	case DPO_RMS:
		return dp_rmsnorm_fast(a, b, d, eps, y, isa);
	case DPO_LN:
		return dp_layernorm_fast(a, b, c, d, eps, y, isa);
	case DPO_SMAX:
		return dp_softmax_fast(a, d, y, isa);
	case DPO_ROPE:
		return dp_rope_fast(a, b, c, d, y, isa);
	case DPO_ADD:
		return dp_add_fast(a, b, d, y, isa);
	case DPO_MUL:
		return dp_mul_fast(a, b, d, y, isa);
	case DPO_TOF32:
		return dp_bf16_to_f32_fast(h, d, y, isa);
	default:
		return dp_f32_to_bf16_fast(a, d, (uint16_t *)y, isa);
	}
}

static int dpo_same(uint32_t op, const float *y0, const float *y1, uint32_t d, uint32_t *at)
{
	uint32_t i;

	for (i = 0; i < d; i++) {
		int same = op == DPO_TOBF16 ?
			dpt_bf16_same(((const uint16_t *)y0)[i], ((const uint16_t *)y1)[i]) :
			dpt_f32_same(y0[i], y1[i]);

		if (!same) {
			*at = i;
			return 0;
		}
	}
	return 1;
}

/* Compares every ISA with the golden model on one input; returns comparisons made. */
static uint32_t dpo_compare(struct __test_metadata *_metadata, uint32_t op, const float *a,
			    const float *b, const float *c, const uint16_t *h, uint32_t d, float eps,
			    const char *what)
{
	float y0[DPO_DMAX + 16], y1[DPO_DMAX + 16];
	uint32_t isa, at = 0, n = 0;

	memset(y0, 0x5a, sizeof(y0));
	if (dpo_run(op, DP_ISA_SCALAR, a, b, c, h, d, eps, y0))
		return 0;
	for (isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
		if (!dp_isa_ok(isa))
			continue;
		memset(y1, 0xa5, sizeof(y1));
		EXPECT_EQ(0, dpo_run(op, isa, a, b, c, h, d, eps, y1));
		if (!dpo_same(op, y0, y1, d, &at)) {
			TH_LOG("%s %s d=%u isa %s: y[%u] golden 0x%08x fast 0x%08x (%s)", dpo_names[op],
			       what, d, dp_isa_name(isa), at, op == DPO_TOBF16 ?
			       ((uint16_t *)y0)[at] : dp_f2u(y0[at]), op == DPO_TOBF16 ?
			       ((uint16_t *)y1)[at] : dp_f2u(y1[at]), "NaN payloads are ignored");
			EXPECT_TRUE(0);
			return n;
		}
		/* nothing written past the row */
		EXPECT_EQ(0xa5a5a5a5u, dp_f2u(y1[op == DPO_TOBF16 ? (d + 1) / 2 + 1 : d]));
		n++;
	}
	return n;
}

static void dpo_random(struct __test_metadata *_metadata, uint32_t op)
{
	uint32_t seed = dpt_seed() ^ (0x51dau + op * 0x9e3779b9u), i, j, n = 0;
	struct dpt_rng r = { seed };
	float a[DPO_DMAX], b[DPO_DMAX], c[DPO_DMAX];
	uint16_t h[DPO_DMAX];

	TH_LOG("seed 0x%08x", seed);
	for (i = 0; i < DPO_CASES; i++) {
		uint32_t d = dpo_width(&r), kind = dpt_below(&r, 5);
		float eps = dpt_below(&r, 4) ? 1e-5f : dpt_act_value(&r, dpt_below(&r, 4));
		char what[64];

		if (op == DPO_ROPE)
			d = (d + 1) & ~1u;
		if (d > DPO_DMAX)
			d -= 2;
		dpo_fill(&r, a, d, kind);
		/* gains, biases, cos/sin: mostly tame, sometimes anything */
		dpo_fill(&r, b, d, dpt_below(&r, 3) ? 0 : 4);
		dpo_fill(&r, c, d, dpt_below(&r, 3) ? 0 : 4);
		for (j = 0; j < d; j++)
			h[j] = (uint16_t)dpt_next(&r);
		snprintf(what, sizeof(what), "case %u kind %u", i, kind);
		n += dpo_compare(_metadata, op, a, b, c, h, d, eps, what);
	}
	if (!n)
		SKIP(return, "no SIMD instruction set on this CPU");
	TH_LOG("%u case/isa comparisons bit-exact", n);
}

TEST(fast_rmsnorm_matches_golden) { dpo_random(_metadata, DPO_RMS); }
TEST(fast_layernorm_matches_golden) { dpo_random(_metadata, DPO_LN); }
TEST(fast_softmax_matches_golden) { dpo_random(_metadata, DPO_SMAX); }
TEST(fast_rope_matches_golden) { dpo_random(_metadata, DPO_ROPE); }
TEST(fast_add_matches_golden) { dpo_random(_metadata, DPO_ADD); }
TEST(fast_mul_matches_golden) { dpo_random(_metadata, DPO_MUL); }
TEST(fast_bf16_to_f32_matches_golden) { dpo_random(_metadata, DPO_TOF32); }
TEST(fast_f32_to_bf16_matches_golden) { dpo_random(_metadata, DPO_TOBF16); }

TEST(softmax_edge_rows_match_golden)
{
	static const float inf = __builtin_inff();
	float x[40], one[40];
	uint32_t d, i;

	for (i = 0; i < 40; i++)
		one[i] = 1.0f;
	for (d = 1; d <= 40; d += 13) {
		for (i = 0; i < d; i++)
			x[i] = -inf;
		dpo_compare(_metadata, DPO_SMAX, x, one, one, NULL, d, 0, "all -Inf");
		for (i = 0; i < d; i++)
			x[i] = i % 2 ? -0.0f : 0.0f;
		dpo_compare(_metadata, DPO_SMAX, x, one, one, NULL, d, 0, "signed zeros");
		x[0] = __builtin_nanf("");
		dpo_compare(_metadata, DPO_SMAX, x, one, one, NULL, d, 0, "leading NaN");
		for (i = 0; i < d; i++)
			x[i] = i == d - 1 ? __builtin_nanf("") : 80.0f + (float)i;
		dpo_compare(_metadata, DPO_SMAX, x, one, one, NULL, d, 0, "trailing NaN");
		for (i = 0; i < d; i++)
			x[i] = i == d / 2 ? inf : -3e38f;
		dpo_compare(_metadata, DPO_SMAX, x, one, one, NULL, d, 0, "one +Inf");
	}
}

TEST(norms_of_zero_and_constant_rows_match_golden)
{
	float x[33], g[33], bias[33];
	uint32_t d, i;

	for (i = 0; i < 33; i++) {
		g[i] = 1.0f + (float)i / 8;
		bias[i] = -(float)i;
	}
	for (d = 1; d <= 33; d += 16) {
		memset(x, 0, sizeof(x));
		dpo_compare(_metadata, DPO_RMS, x, g, bias, NULL, d, 1e-5f, "zero row");
		dpo_compare(_metadata, DPO_RMS, x, g, bias, NULL, d, 0.0f, "zero row, eps 0 (Inf)");
		dpo_compare(_metadata, DPO_LN, x, g, bias, NULL, d, 1e-5f, "zero row");
		for (i = 0; i < d; i++)
			x[i] = 3.0e38f;
		dpo_compare(_metadata, DPO_RMS, x, g, bias, NULL, d, 1e-5f, "squares overflow");
		dpo_compare(_metadata, DPO_LN, x, g, bias, NULL, d, 1e-5f, "sum overflows");
		for (i = 0; i < d; i++)
			x[i] = 0.1f;
		dpo_compare(_metadata, DPO_LN, x, g, bias, NULL, d, 1e-5f, "constant row");
	}
}

TEST(row_sums_use_sixteen_interleaved_partials)
{
	/*
	 * x0^2 = 2^24, then sixteen 1s. In one sequential sum every 1 is lost
	 * (2^24 + 1 ties to 2^24); with lane j summing i = j mod 16 and the
	 * halving fold, lane 0 loses one and the fold keeps the other 15:
	 * ss = 2^24 + 14.
	 */
	float x[32] = { 4096.0f }, g[32], y[32], want;
	volatile float ss = 16777216.0f + 14.0f;
	uint32_t i;

	for (i = 0; i < 32; i++) {
		g[i] = 1.0f;
		if (i >= 16)
			x[i] = 1.0f;
	}
	want = 1.0f / sqrtf(ss / 32.0f + 0.0f);
	ASSERT_EQ(0, dp_rmsnorm_ref(x, g, 32, 0.0f, y));
	EXPECT_EQ(dp_f2u(want), dp_f2u(y[16]));
	dpo_compare(_metadata, DPO_RMS, x, g, g, NULL, 32, 0.0f, "lost ones");
}

TEST(fast_ops_reject_bad_arguments_like_golden)
{
	float x[4] = { 1, 2, 3, 4 }, y[4];
	uint32_t isa = dp_isa_best();

	ASSERT_EQ(DP_EINVAL, dp_rmsnorm_fast(NULL, x, 4, 0, y, isa));
	ASSERT_EQ(DP_EINVAL, dp_rmsnorm_fast(x, x, 0, 0, y, isa));
	ASSERT_EQ(DP_EINVAL, dp_layernorm_fast(x, x, NULL, 4, 0, y, isa));
	ASSERT_EQ(DP_EINVAL, dp_softmax_fast(x, 0, y, isa));
	ASSERT_EQ(DP_EINVAL, dp_rope_fast(x, x, x, 3, y, isa));
	ASSERT_EQ(DP_EINVAL, dp_add_fast(x, NULL, 4, y, isa));
	ASSERT_EQ(DP_EINVAL, dp_mul_fast(x, x, 4, NULL, isa));
	ASSERT_EQ(DP_EINVAL, dp_f32_to_bf16_fast(x, 4, NULL, isa));
	ASSERT_EQ(DP_EINVAL, dp_add_fast(x, x, 4, y, DP_ISA_COUNT));
}

/* ---- dequantization and gather ---- */

static void dpo_dequant_format(struct __test_metadata *_metadata, uint32_t fmt, uint32_t *n)
{
	uint32_t seed = dpt_seed() ^ (0xde9u + fmt * 0x9e3779b9u), i, isa;
	struct dpt_rng r = { seed };

	for (i = 0; i < 60; i++) {
		uint32_t rows = dpt_pick_dim(&r, 16, 70), k = dpt_pick_dim(&r, 40, 300);
		uint32_t group = 0, flags = 0, n0, n1, ldy, bf16 = dpt_below(&r, 2), j;
		uint32_t ids[8];
		size_t ysz;
		struct dpt_wt t;
		void *y0, *y1;

		if (fmt == DP_W_INT4 || fmt == DP_W_SP_INT4) {
			group = 32u << dpt_below(&r, 3);
			flags = dpt_below(&r, 2) ? DP_WT_ZERO : 0;
		}
		ASSERT_EQ(0, dpt_wt_alloc(&t, fmt, rows, k, group, flags));
		dpt_fill_weights(&r, &t, dpt_below(&r, 3));
		n0 = dpt_below(&r, rows);
		n1 = n0 + 1 + dpt_below(&r, rows - n0);
		ldy = k + dpt_below(&r, 3);
		ysz = (size_t)rows * ldy * 4;
		y0 = malloc(ysz);
		y1 = malloc(ysz);
		memset(y0, 0x5a, ysz);
		ASSERT_EQ(0, bf16 ? dp_dequant_bf16_ref(&t.w, n0, n1, y0, ldy) :
				    dp_dequant_ref(&t.w, n0, n1, y0, ldy));
		for (isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
			if (!dp_isa_ok(isa))
				continue;
			memset(y1, 0x5a, ysz);
			ASSERT_EQ(0, bf16 ? dp_dequant_bf16_fast(&t.w, n0, n1, y1, ldy, isa) :
					    dp_dequant_fast(&t.w, n0, n1, y1, ldy, isa));
			for (j = 0; j < (n1 - n0) * ldy; j++) {
				int same = bf16 ? dpt_bf16_same(((uint16_t *)y0)[j], ((uint16_t *)y1)[j]) :
						  dpt_f32_same(((float *)y0)[j], ((float *)y1)[j]);

				if (!same)
					TH_LOG("%s rows %u..%u of %u K=%u group=%u zero=%u %s isa %s: "
					       "row %u k %u differs", dp_fmt_info(fmt)->name, n0, n1,
					       rows, k, group, !!flags, bf16 ? "bf16" : "fp32",
					       dp_isa_name(isa), n0 + j / ldy, j % ldy);
				ASSERT_TRUE(same);
			}
			(*n)++;
		}
		/* gather: random ids, repeats allowed */
		for (j = 0; j < 8; j++)
			ids[j] = dpt_below(&r, rows);
		memset(y0, 0x5a, ysz);
		ASSERT_EQ(0, dp_gather_ref(&t.w, ids, 8 < rows ? 8 : rows, y0, ldy));
		for (isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
			if (!dp_isa_ok(isa))
				continue;
			memset(y1, 0x5a, ysz);
			ASSERT_EQ(0, dp_gather_fast(&t.w, ids, 8 < rows ? 8 : rows, y1, ldy, isa));
			for (j = 0; j < (8 < rows ? 8 : rows) * ldy; j++)
				ASSERT_TRUE(dpt_f32_same(((float *)y0)[j], ((float *)y1)[j]))
					TH_LOG("gather %s output %u", dp_fmt_info(fmt)->name, j);
			j = ids[0];
			ids[0] = rows;
			ASSERT_EQ(DP_EINVAL, dp_gather_fast(&t.w, ids, 1, y1, ldy, isa));
			ids[0] = j;
			(*n)++;
		}
		free(y0);
		free(y1);
		dpt_wt_free(&t);
	}
}

TEST(fast_dequant_and_gather_match_golden_every_format)
{
	uint32_t fmt, n = 0;

	TH_LOG("seed 0x%08x", dpt_seed());
	for (fmt = DP_W_BF16; fmt < DP_W_COUNT; fmt++)
		dpo_dequant_format(_metadata, fmt, &n);
	if (!n)
		SKIP(return, "no SIMD instruction set on this CPU");
	TH_LOG("%u dequant/gather comparisons bit-exact", n);
}

TEST_HARNESS_MAIN
