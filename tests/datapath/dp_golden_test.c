// SPDX-License-Identifier: MIT
/*
 * Quasar datapath golden model: number formats, GEMM semantics and the
 * other operations, checked against values computed independently (by hand,
 * in double precision, or with libm) rather than against itself.
 */
#include "kselftest_harness.h"
#include "dp_case.h"
#include "dp_elem.h"
#include "dp_math.h"
#include "dp_ops.h"

TEST(e4m3_decodes_every_code_and_nan_encodings)
{
	uint32_t c;

	for (c = 0; c < 256; c++) {
		uint32_t mag = c & 0x7f, e = mag >> 3, m = mag & 7;
		double want = e ? ldexp(1.0 + m / 8.0, (int)e - 7) : ldexp(m / 8.0, -6);
		float got = dp_e4m3_to_f32((uint8_t)c);

		if (mag == 0x7f) {
			ASSERT_TRUE(isnan(got)) TH_LOG("code 0x%02x must be NaN", c);
			continue;
		}
		ASSERT_EQ((c & 0x80) ? -want : want, (double)got) TH_LOG("code 0x%02x", c);
	}
	ASSERT_EQ(448.0f, dp_e4m3_to_f32(0x7e));
}

TEST(e4m3_encode_rounds_half_even_and_saturates)
{
	uint32_t c;

	for (c = 0; c < 256; c++)
		if ((c & 0x7f) != 0x7f)
			ASSERT_EQ(c, dp_f32_to_e4m3(dp_e4m3_to_f32((uint8_t)c)));
	ASSERT_EQ(0x38, dp_f32_to_e4m3(1.0625f));	/* tie between 1 and 1.125 -> 1 */
	ASSERT_EQ(0x3a, dp_f32_to_e4m3(1.1875f));	/* tie -> 1.25 (even mantissa) */
	ASSERT_EQ(0x7e, dp_f32_to_e4m3(1e9f));		/* saturate, never NaN */
	ASSERT_EQ(0xfe, dp_f32_to_e4m3(-464.0f));
	ASSERT_EQ(0x7f, dp_f32_to_e4m3(NAN));
	ASSERT_EQ(0x00, dp_f32_to_e4m3(ldexpf(1.0f, -11)));	/* quarter of the min subnormal */
	ASSERT_EQ(0x01, dp_f32_to_e4m3(ldexpf(3.0f, -11)));	/* 0.75 of it rounds up */
}

TEST(e2m1_round_trips_and_ties_to_even)
{
	uint32_t c;

	for (c = 0; c < 16; c++)
		if (c != 8)	/* -0 encodes back to 8 too, but compare as value */
			ASSERT_EQ(c, dp_f32_to_e2m1(dp_e2m1_to_f32((uint8_t)c)));
	ASSERT_EQ(4.0f, dp_e2m1_to_f32(dp_f32_to_e2m1(5.0f)));
	ASSERT_EQ(2.0f, dp_e2m1_to_f32(dp_f32_to_e2m1(2.5f)));
	ASSERT_EQ(0.0f, dp_e2m1_to_f32(dp_f32_to_e2m1(0.25f)));
	ASSERT_EQ(1.0f, dp_e2m1_to_f32(dp_f32_to_e2m1(0.75f)));
	ASSERT_EQ(-6.0f, dp_e2m1_to_f32(dp_f32_to_e2m1(-100.0f)));
}

TEST(e8m0_is_power_of_two_with_nan_at_ff)
{
	ASSERT_EQ(1.0f, dp_e8m0_to_f32(127));
	ASSERT_EQ(0x00400000u, dp_f2u(dp_e8m0_to_f32(0)));	/* 2^-127, subnormal */
	ASSERT_EQ(ldexpf(1.0f, 127), dp_e8m0_to_f32(254));
	ASSERT_TRUE(isnan(dp_e8m0_to_f32(255)));
}

TEST(bf16_conversion_is_rne_and_keeps_nan)
{
	ASSERT_EQ(0x3f80, dp_f32_to_bf16(dp_u2f(0x3f808000u)));	/* tie -> even */
	ASSERT_EQ(0x3f82, dp_f32_to_bf16(dp_u2f(0x3f818000u)));	/* tie -> even (up) */
	ASSERT_EQ(0x3f81, dp_f32_to_bf16(dp_u2f(0x3f808001u)));
	ASSERT_EQ(0x7f80, dp_f32_to_bf16(dp_u2f(0x7f7fffffu)));	/* overflow -> Inf */
	ASSERT_EQ(0x7fc1, dp_f32_to_bf16(dp_u2f(0x7f810000u)));	/* signalling NaN quietened */
	ASSERT_EQ(0x0001, dp_f32_to_bf16(dp_u2f(0x00010000u)));	/* subnormals kept */
}

TEST(mx_scale_follows_floor_log2_minus_emax)
{
	ASSERT_EQ(127, dp_mx_scale(6.0f, 2));		/* 6 = 1.5 * 2^2: X = 1 */
	ASSERT_EQ(128, dp_mx_scale(8.0f, 2));
	ASSERT_EQ(127 - 8 + 8, dp_mx_scale(448.0f, 8));
	ASSERT_EQ(0, dp_mx_scale(0.0f, 2));		/* zero block: clamped, not NaN */
	ASSERT_EQ(1, dp_mx_scale(0.0f, 0));
	ASSERT_EQ(0xff, dp_mx_scale(INFINITY, 2));
}

/* Quantizes one row of k values (k / 32 MX blocks) with dp_quantize into t. */
static void dpt_quant_row(struct __test_metadata *_metadata, struct dpt_wt *t, uint32_t fmt,
			  const float *w, uint32_t k)
{
	struct dp_wt_buf buf;

	ASSERT_EQ(0, dpt_wt_alloc(t, fmt, 1, k, 0, 0));
	buf = (struct dp_wt_buf){ t->data, t->scales, t->zeros, t->meta };
	ASSERT_EQ(0, dp_quantize(&t->w, &buf, w, k, 0));
}

/* Golden GEMM of one BF16 row x (t's K values) against the one-row tensor t; returns y. */
static float dpt_gemm_one(struct __test_metadata *_metadata, struct dpt_wt *t, uint32_t afmt,
			  const uint16_t *x)
{
	uint32_t k = t->w.k;
	int8_t qx[64];
	float sx, y = 0.0f;
	struct dp_gemm g;

	dp_act_quant_ref(x, k, qx, &sx);
	g = (struct dp_gemm){ .w = &t->w, .m = 1, .afmt = afmt, .x = x, .qx = qx, .sx = &sx,
			      .ldx = k, .alpha = 1.0f, .ofmt = DP_O_FP32, .y = &y, .ldy = 1 };
	ASSERT_EQ(0, dp_gemm_ref(&g)) return 0.0f;
	return y;
}

TEST(mx_block_with_a_nan_and_no_inf_gets_the_nan_scale)
{
	/* OCP MX v1.0 §6.3: a block holding NaN or Inf has scale X = NaN (0xFF) */
	static const uint32_t fmts[] = { DP_W_MXINT8, DP_W_MXFP8, DP_W_MXFP4 };
	float w[64] = { NAN, 1.0f }, deq[64];
	uint16_t x[64];
	uint32_t f, i, s;

	w[33] = 1.0f;		/* the second block is finite: X = 1.0 / 2^emax */
	for (i = 0; i < 64; i++)
		x[i] = dp_f32_to_bf16(1.0f);
	for (f = 0; f < 3; f++)
		for (s = 0; s < 2; s++) {
			const struct dp_fmt_info *fi = dp_fmt_info(fmts[f]);
			struct dpt_wt t;

			w[0] = s ? -NAN : NAN;
			dpt_quant_row(_metadata, &t, fmts[f], w, 64);
			ASSERT_EQ(0xff, ((uint8_t *)t.scales)[0]) TH_LOG("%s block 0", fi->name);
			ASSERT_EQ(127 - (fmts[f] == DP_W_MXINT8 ? 0 : fmts[f] == DP_W_MXFP8 ? 8 : 2),
				  ((uint8_t *)t.scales)[DP_PANEL]) TH_LOG("%s block 1", fi->name);
			ASSERT_EQ(0, dp_dequant_ref(&t.w, 0, 1, deq, 64));
			for (i = 0; i < 32; i++) {
				ASSERT_TRUE(isnan(deq[i])) TH_LOG("%s element %u", fi->name, i);
			}
			for (i = 32; i < 64; i++) {
				ASSERT_EQ(i == 33 ? 1.0f : 0.0f, deq[i]) TH_LOG("%s element %u", fi->name, i);
			}
			/* a NaN block factor makes every output that reads the block NaN */
			ASSERT_TRUE(isnan(dpt_gemm_one(_metadata, &t, DP_A_BF16, x))) TH_LOG("%s", fi->name);
			if (fi->a8)
				ASSERT_TRUE(isnan(dpt_gemm_one(_metadata, &t, DP_A_INT8, x)))
					TH_LOG("%s int8 activations", fi->name);
			dpt_wt_free(&t);
		}
}

TEST(mx_scale_of_a_subnormal_amax_is_its_floor_log2)
{
	/* OCP MX v1.0 §6.3 and microxcaling's _quantize_mx: floor(log2(amax)) as it is */
	float w[32] = { ldexpf(3.0f, -133) }, deq[32];	/* subnormal: floor(log2) = -132 */
	struct dpt_wt t;

	ASSERT_EQ(0, dp_mx_scale(ldexpf(3.0f, -133), 0));	/* -132 clamped to -127 */
	ASSERT_EQ(0, dp_mx_scale(ldexpf(1.5f, -127), 0));	/* -127 */
	ASSERT_EQ(0, dp_mx_scale(ldexpf(1.0f, -149), 0));
	ASSERT_EQ(1, dp_mx_scale(ldexpf(1.0f, -126), 0));	/* the smallest normal */
	ASSERT_EQ(1, dp_mx_scale(0.0f, 0));	/* zero: FP32_MIN_NORMAL, as microxcaling */
	ASSERT_EQ(0, dp_mx_scale(ldexpf(1.0f, -130), 2));
	ASSERT_EQ(0, dp_mx_scale(ldexpf(1.0f, -130), 8));
	/* MXINT8 keeps one more bit of such a block: 3 * 2^-133 is code 3 at X = 0 */
	dpt_quant_row(_metadata, &t, DP_W_MXINT8, w, 32);
	ASSERT_EQ(0, ((uint8_t *)t.scales)[0]);
	ASSERT_EQ(3, ((int8_t *)t.data)[0]);
	ASSERT_EQ(0, dp_dequant_ref(&t.w, 0, 1, deq, 32));
	ASSERT_EQ(ldexpf(3.0f, -133), deq[0]);
	dpt_wt_free(&t);
}

TEST(nvfp4_saturates_an_inf_block_where_mx_makes_it_nan)
{
	float w[32] = { INFINITY, 896.0f, -448.0f }, deq[32];
	struct dpt_wt t;
	uint32_t i;

	/* NVFP4: no NaN scale; amax = Inf gives S = 448, the Inf element +6 */
	dpt_quant_row(_metadata, &t, DP_W_NVFP4, w, 32);
	ASSERT_EQ(1.0f, t.w.tensor_scale);	/* amax_tensor = Inf: ts falls back to 1 */
	ASSERT_EQ(0x7e, ((uint8_t *)t.scales)[0]);	/* E4M3 448 */
	ASSERT_EQ(0x01, ((uint8_t *)t.scales)[DP_PANEL]);	/* an all-zero block: 2^-9 */
	ASSERT_EQ(0, dp_dequant_ref(&t.w, 0, 1, deq, 32));
	ASSERT_EQ(6.0f * 448.0f, deq[0]);
	ASSERT_EQ(2.0f * 448.0f, deq[1]);
	ASSERT_EQ(-1.0f * 448.0f, deq[2]);
	for (i = 3; i < 32; i++) {
		ASSERT_EQ(0.0f, deq[i]);
	}
	dpt_wt_free(&t);
	/* NVFP4: a NaN is the code of 0 and does not count in amax */
	w[0] = NAN;
	dpt_quant_row(_metadata, &t, DP_W_NVFP4, w, 32);
	ASSERT_EQ(dp_f32_to_e4m3(896.0f / 6.0f / t.w.tensor_scale), ((uint8_t *)t.scales)[0]);
	ASSERT_EQ(0, dp_dequant_ref(&t.w, 0, 1, deq, 32));
	ASSERT_EQ(0.0f, deq[0]);
	dpt_wt_free(&t);
	/* MX: the same Inf block is NaN, every element of it */
	w[0] = INFINITY;
	dpt_quant_row(_metadata, &t, DP_W_MXFP4, w, 32);
	ASSERT_EQ(0xff, ((uint8_t *)t.scales)[0]);
	ASSERT_EQ(0, dp_dequant_ref(&t.w, 0, 1, deq, 32));
	for (i = 0; i < 32; i++) {
		ASSERT_TRUE(isnan(deq[i])) TH_LOG("element %u", i);
	}
	dpt_wt_free(&t);
}

TEST(expf_is_within_two_ulp_of_libm)
{
	float x;
	double worst = 0;

	for (x = -103.0f; x < 88.7f; x += 0.0137f) {
		double want = exp((double)x), got = dp_expf(x);
		double ulp = ldexp(1.0, ilogb(want) - 23);

		if (want < 1.17549435e-38)
			ulp = ldexp(1.0, -149);
		if (fabs(got - want) / ulp > worst)
			worst = fabs(got - want) / ulp;
	}
	TH_LOG("worst error %.2f ulp", worst);
	ASSERT_LT(worst, 2.0);
	ASSERT_EQ(INFINITY, dp_expf(89.0f));
	ASSERT_EQ(0.0f, dp_expf(-104.0f));
	ASSERT_TRUE(isnan(dp_expf(NAN)));
}

TEST(activations_match_their_definitions)
{
	float x;

	for (x = -9.0f; x < 9.0f; x += 0.013f) {
		double gelu = 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
		double silu = x / (1 + exp(-x));

		ASSERT_LT(fabs(dp_gelu(x) - gelu), 1e-6 * (1 + fabs(gelu))) TH_LOG("gelu(%g)", x);
		ASSERT_LT(fabs(dp_silu(x) - silu), 1e-6 * (1 + fabs(silu))) TH_LOG("silu(%g)", x);
	}
	ASSERT_EQ(0.0f, dp_relu(-1.0f));
	ASSERT_EQ(0x00000000u, dp_f2u(dp_relu(NAN)));
}

TEST(act_quant_maps_amax_to_127_and_never_emits_minus_128)
{
	uint16_t x[5] = { dp_f32_to_bf16(-2.0f), dp_f32_to_bf16(1.0f), dp_f32_to_bf16(0.0f),
			  0x7fc0 /* NaN */, dp_f32_to_bf16(-1.0f) };
	int8_t q[5];
	float sx;

	dp_act_quant_ref(x, 5, q, &sx);
	ASSERT_EQ(2.0f / 127.0f, sx);
	ASSERT_EQ(-127, q[0]);
	ASSERT_EQ(64, q[1]);	/* 63.5 rounds to even */
	ASSERT_EQ(0, q[2]);
	ASSERT_EQ(0, q[3]);	/* NaN quantizes to 0 and does not set the scale */
	ASSERT_EQ(-64, q[4]);
	x[0] = x[1] = x[2] = x[3] = x[4] = 0;
	dp_act_quant_ref(x, 5, q, &sx);
	ASSERT_EQ(0.0f, sx);
}

TEST(act_quant_of_a_row_of_subnormals_is_not_saturated)
{
	/* amax = 1.0625 * 2^-123: 127 / amax overflows binary32 */
	uint16_t x[4] = { 0x0208, 0x00da, 0x8188, 0x0000 };
	int8_t q[4];
	float sx;

	dp_act_quant_ref(x, 4, q, &sx);
	ASSERT_EQ(127, q[0]);
	ASSERT_EQ(25, q[1]);	/* 127 * 0.2004 */
	ASSERT_EQ(-64, q[2]);	/* -63.5 rounds to even */
	ASSERT_EQ(0, q[3]);
	ASSERT_EQ((float)((double)dp_bf16_to_f32(0x0208) / 127.0), sx);
}

/*
 * numerics.md §3's activation quantizer worked in double precision with an
 * unbounded exponent: inv = 127 / amax rounded to 24 bits, t = x * inv
 * rounded to 24 bits, q = rne(t) clamped. (Rounding a double quotient to
 * 24 bits again is innocuous: 53 >= 2 * 24 + 2.)
 */
static int8_t dpt_act_q_want(float x, float amax)
{
	double inv, t;
	int e;

	if (x != x)
		return 0;
	inv = frexp(127.0 / amax, &e);
	inv = ldexp((double)(float)inv, e);
	t = frexp((double)x * inv, &e);		/* the product is exact in double */
	t = nearbyint(ldexp((double)(float)t, e));
	return (int8_t)(t > 127 ? 127 : t < -127 ? -127 : t);
}

/* Row i of the every-amax sweep: amax = BF16 code a, and values at or below it. */
static uint32_t dpt_amax_row(uint16_t a, uint16_t *x)
{
	float af = dp_bf16_to_f32(a);
	uint32_t n = 0;

	x[n++] = dp_f32_to_bf16(af * 0.2004f);
	x[n++] = a;
	x[n++] = (uint16_t)(a > 1 ? a - 1 : 0) | 0x8000;	/* the next code down, negative */
	x[n++] = dp_f32_to_bf16(-af * 0.5f);
	x[n++] = dp_f32_to_bf16(af * 0.75f);
	x[n++] = dp_f32_to_bf16(af * 0.3333f);
	x[n++] = 0x0001;	/* the smallest subnormal, 2^-133 */
	x[n++] = 0x8001;
	x[n++] = 0x7fc0;	/* NaN: ignored by amax, q = 0 */
	x[n++] = 0x0000;
	x[n++] = dp_f32_to_bf16(af * 0.9961f);
	return n;
}

TEST(act_quant_follows_its_formula_over_every_bf16_amax)
{
	uint16_t x[16];
	int8_t q[16];
	float sx;
	uint32_t a, i, n;

	for (a = 0x0001; a <= 0x7f7f; a++) {
		float af = dp_bf16_to_f32((uint16_t)a);

		n = dpt_amax_row((uint16_t)a, x);
		dp_act_quant_ref(x, n, q, &sx);
		ASSERT_EQ((float)((double)af / 127.0), sx) TH_LOG("amax 0x%04x", a);
		for (i = 0; i < n; i++) {
			ASSERT_EQ(dpt_act_q_want(dp_bf16_to_f32(x[i]), af), q[i])
				TH_LOG("amax 0x%04x element %u (0x%04x)", a, i, x[i]);
		}
		ASSERT_EQ(127, q[1]);
	}
}

TEST(act_quant_codes_do_not_change_when_a_row_is_scaled_by_a_power_of_two)
{
	struct dpt_rng r = { dpt_seed() ^ 0x5ca1eu };
	uint16_t x0[40], x[40];
	int8_t q0[40], q[40];
	float s0, sx;
	uint32_t t, i;
	int e;

	for (t = 0; t < 50; t++) {
		/* steps of 2^-5 (8 bits at most), so that the row stays exact deep into subnormals */
		for (i = 0; i < 40; i++)
			x0[i] = dp_f32_to_bf16((float)((int)dpt_below(&r, 127) - 63) / 32.0f);
		dp_act_quant_ref(x0, 40, q0, &s0);
		for (e = -133; e <= 127; e++) {
			bool exact = true;

			for (i = 0; i < 40; i++) {
				float v = ldexpf(dp_bf16_to_f32(x0[i]), e);

				x[i] = dp_f32_to_bf16(v);
				exact = exact && dp_bf16_to_f32(x[i]) == v && isfinite(v);
			}
			if (!exact)	/* the row lost bits (subnormals) or overflowed */
				continue;
			dp_act_quant_ref(x, 40, q, &sx);
			ASSERT_EQ(0, memcmp(q0, q, 40)) TH_LOG("row %u scaled by 2^%d", t, e);
		}
	}
}

/* Golden GEMM against double-precision dot products of the dequantized weights. */
static void dpt_gemm_vs_dequant(struct __test_metadata *_metadata, uint32_t fmt, uint32_t afmt,
				uint32_t group, uint32_t flags, double tol)
{
	struct dpt_rng r = { dpt_seed() + fmt };
	uint32_t m = 3, n = 21, k = 200, i, j, l;
	struct dpt_wt t;
	float *src = malloc(sizeof(float) * n * k), *deq = malloc(sizeof(float) * n * k);
	float y[3 * 21], sx[3];
	uint16_t x[3 * 200];
	int8_t qx[3 * 200];
	struct dp_wt_buf buf;
	struct dp_gemm g;

	ASSERT_EQ(0, dpt_wt_alloc(&t, fmt, n, k, group, flags));
	for (i = 0; i < n * k; i++)
		src[i] = dpt_unif(&r, 1.0f);
	buf = (struct dp_wt_buf){ t.data, t.scales, t.zeros, t.meta };
	ASSERT_EQ(0, dp_quantize(&t.w, &buf, src, k, 0));
	ASSERT_EQ(0, dp_dequant_ref(&t.w, 0, n, deq, k));
	for (i = 0; i < m * k; i++)
		x[i] = dp_f32_to_bf16(dpt_unif(&r, 2.0f));
	for (i = 0; i < m; i++)
		dp_act_quant_ref(x + i * k, k, qx + i * k, &sx[i]);
	g = (struct dp_gemm){ .w = &t.w, .m = m, .afmt = afmt, .x = x, .qx = qx, .sx = sx,
			      .ldx = k, .alpha = 1.0f, .ofmt = DP_O_FP32, .y = y, .ldy = n };
	ASSERT_EQ(0, dp_gemm_ref(&g));
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			double want = 0;

			for (l = 0; l < k; l++)
				want += (double)deq[j * k + l] * (afmt == DP_A_INT8 ?
					(double)qx[i * k + l] * sx[i] : dp_bf16_to_f32(x[i * k + l]));
			ASSERT_LT(fabs(y[i * n + j] - want), tol * (1 + fabs(want)))
				TH_LOG("y[%u][%u] = %g, want %g", i, j, y[i * n + j], want);
		}
	dpt_wt_free(&t);
	free(src);
	free(deq);
}

TEST(gemm_equals_dot_of_dequantized_weights_every_format)
{
	static const struct { uint32_t fmt, group, flags; } f[] = {
		{ DP_W_BF16, 0, 0 }, { DP_W_INT8, 0, 0 }, { DP_W_INT4, 32, 0 },
		{ DP_W_INT4, 128, DP_WT_ZERO }, { DP_W_MXINT8, 0, 0 }, { DP_W_MXFP8, 0, 0 },
		{ DP_W_MXFP4, 0, 0 }, { DP_W_NVFP4, 0, 0 }, { DP_W_SP_BF16, 0, 0 },
		{ DP_W_SP_INT8, 0, 0 }, { DP_W_SP_INT4, 64, DP_WT_ZERO },
	};
	uint32_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		TH_LOG("format %s", dp_fmt_info(f[i].fmt)->name);
		dpt_gemm_vs_dequant(_metadata, f[i].fmt, DP_A_BF16, f[i].group, f[i].flags, 1e-5);
		if (dp_fmt_info(f[i].fmt)->a8)
			dpt_gemm_vs_dequant(_metadata, f[i].fmt, DP_A_INT8, f[i].group,
					    f[i].flags, 1e-5);
	}
}

TEST(gemm_epilogue_applies_alpha_bias_act_residual_in_order)
{
	struct dpt_wt t;
	uint16_t x[4], res[2];
	float bias[2] = { -3.0f, 0.5f }, want0, want1;
	uint16_t y[2];
	struct dp_gemm g;
	uint32_t k;

	ASSERT_EQ(0, dpt_wt_alloc(&t, DP_W_BF16, 2, 4, 0, 0));
	for (k = 0; k < 4; k++) {
		((uint16_t *)t.data)[dp_off16(t.g.kstore, 0, k)] = dp_f32_to_bf16(1.0f);
		((uint16_t *)t.data)[dp_off16(t.g.kstore, 1, k)] = dp_f32_to_bf16(-0.5f);
		x[k] = dp_f32_to_bf16((float)k);
	}
	res[0] = dp_f32_to_bf16(0.25f);
	res[1] = dp_f32_to_bf16(1.0f);
	g = (struct dp_gemm){ .w = &t.w, .m = 1, .afmt = DP_A_BF16, .x = x, .ldx = 4, .alpha = 2.0f,
			      .bias = bias, .act = DP_ACT_RELU, .ofmt = DP_O_BF16, .res = res,
			      .y = y, .ldy = 2 };
	ASSERT_EQ(0, dp_gemm_ref(&g));
	want0 = fmaxf(6.0f * 2.0f - 3.0f, 0) + 0.25f;	/* relu(2*6 - 3) + 0.25 */
	want1 = fmaxf(-3.0f * 2.0f + 0.5f, 0) + 1.0f;	/* relu(-5.5) + 1 */
	ASSERT_EQ(dp_f32_to_bf16(want0), y[0]);
	ASSERT_EQ(dp_f32_to_bf16(want1), y[1]);
	dpt_wt_free(&t);
}

TEST(sparse_gemm_skips_pruned_positions_even_for_inf_activations)
{
	float w[8] = { 0, 2, 0, -1, 3, 0, 0, 0 }, y;
	uint16_t x[8];
	struct dpt_wt t;
	struct dp_wt_buf buf;
	struct dp_gemm g;
	uint32_t k;

	ASSERT_EQ(0, dpt_wt_alloc(&t, DP_W_SP_BF16, 1, 8, 0, 0));
	buf = (struct dp_wt_buf){ t.data, t.scales, t.zeros, t.meta };
	ASSERT_EQ(0, dp_quantize(&t.w, &buf, w, 8, 0));
	for (k = 0; k < 8; k++)
		x[k] = dp_f32_to_bf16(1.0f);
	x[0] = 0x7f80;	/* +Inf at a pruned position */
	g = (struct dp_gemm){ .w = &t.w, .m = 1, .afmt = DP_A_BF16, .x = x, .ldx = 8, .alpha = 1.0f,
			      .ofmt = DP_O_FP32, .y = &y, .ldy = 1 };
	ASSERT_EQ(0, dp_gemm_ref(&g));
	ASSERT_EQ(4.0f, y);	/* 2 - 1 + 3 + 0 (second kept of group 1 is a zero) */
	dpt_wt_free(&t);
}

TEST(gemm_check_rejects_bad_arguments_with_precise_codes)
{
	struct dpt_wt t;
	uint16_t x[64];
	float y[4];
	struct dp_gemm g;
	struct dp_geom geom;

	ASSERT_EQ(0, dpt_wt_alloc(&t, DP_W_BF16, 4, 64, 0, 0));
	g = (struct dp_gemm){ .w = &t.w, .m = 1, .afmt = DP_A_BF16, .x = x, .ldx = 64, .alpha = 1,
			      .ofmt = DP_O_FP32, .y = y, .ldy = 4 };
	ASSERT_EQ(0, dp_gemm_check(&g, &geom));
	g.afmt = DP_A_INT8;
	g.qx = (const int8_t *)x;
	g.sx = y;
	ASSERT_EQ(DP_ENOTSUP, dp_gemm_ref(&g));	/* BF16 weights have no int8 path */
	g.afmt = DP_A_BF16;
	g.ldx = 63;
	ASSERT_EQ(DP_EINVAL, dp_gemm_ref(&g));
	g.ldx = 64;
	g.m = 0;
	ASSERT_EQ(DP_EINVAL, dp_gemm_ref(&g));
	g.m = 1;
	g.act = 9;
	ASSERT_EQ(DP_EINVAL, dp_gemm_ref(&g));
	g.act = 0;
	g.y = NULL;
	ASSERT_EQ(DP_EINVAL, dp_gemm_ref(&g));
	ASSERT_EQ(DP_EINVAL, dp_geom_get(DP_W_INT4, 4, 64, 48, 0, &geom));
	ASSERT_EQ(DP_ENOTSUP, dp_geom_get(DP_W_MXFP4, 4, 64, 0, DP_WT_ZERO, &geom));
	ASSERT_EQ(DP_ENOTSUP, dp_geom_get(99, 4, 64, 0, 0, &geom));
	ASSERT_EQ(DP_EINVAL, dp_geom_get(DP_W_INT8, 4, DP_DIM_MAX + 1, 0, 0, &geom));
	dpt_wt_free(&t);
}

TEST(norms_softmax_rope_match_double_precision)
{
	float x[37], gain[37], bias[37], y[37], c[18], s[18];
	double ss = 0, mean = 0, var = 0, mx = -1e30, sum = 0;
	uint32_t i, d = 37;
	struct dpt_rng r = { dpt_seed() };

	for (i = 0; i < d; i++) {
		x[i] = dpt_unif(&r, 3.0f);
		gain[i] = dpt_unif(&r, 2.0f);
		bias[i] = dpt_unif(&r, 1.0f);
		ss += (double)x[i] * x[i];
		mean += x[i];
		mx = fmax(mx, x[i]);
	}
	mean /= d;
	for (i = 0; i < d; i++)
		var += (x[i] - mean) * (x[i] - mean);
	ASSERT_EQ(0, dp_rmsnorm_ref(x, gain, d, 1e-5f, y));
	for (i = 0; i < d; i++)
		ASSERT_LT(fabs(y[i] - x[i] / sqrt(ss / d + 1e-5) * gain[i]), 1e-5);
	ASSERT_EQ(0, dp_layernorm_ref(x, gain, bias, d, 1e-5f, y));
	for (i = 0; i < d; i++)
		ASSERT_LT(fabs(y[i] - ((x[i] - mean) / sqrt(var / d + 1e-5) * gain[i] + bias[i])), 1e-5);
	ASSERT_EQ(0, dp_softmax_ref(x, d, y));
	for (i = 0; i < d; i++)
		sum += exp(x[i] - mx);
	for (i = 0; i < d; i++)
		ASSERT_LT(fabs(y[i] - exp(x[i] - mx) / sum), 1e-6);
	for (i = 0; i < 18; i++) {
		c[i] = cosf(0.1f * i);
		s[i] = sinf(0.1f * i);
	}
	ASSERT_EQ(DP_EINVAL, dp_rope_ref(x, c, s, 37, y));	/* odd width */
	ASSERT_EQ(0, dp_rope_ref(x, c, s, 36, y));
	for (i = 0; i < 18; i++) {
		ASSERT_LT(fabs(y[2 * i] - (x[2 * i] * c[i] - x[2 * i + 1] * s[i])), 1e-6);
		ASSERT_LT(fabs(y[2 * i + 1] - (x[2 * i] * s[i] + x[2 * i + 1] * c[i])), 1e-6);
	}
}

TEST(gather_returns_dequantized_rows_and_rejects_bad_ids)
{
	struct dpt_rng r = { dpt_seed() };
	float src[5 * 40], rows[2 * 40], full[5 * 40];
	uint32_t ids[2] = { 4, 1 }, bad[1] = { 5 }, i;
	struct dpt_wt t;
	struct dp_wt_buf buf;

	for (i = 0; i < 200; i++)
		src[i] = dpt_unif(&r, 1.0f);
	ASSERT_EQ(0, dpt_wt_alloc(&t, DP_W_MXFP4, 5, 40, 0, 0));
	buf = (struct dp_wt_buf){ t.data, t.scales, t.zeros, t.meta };
	ASSERT_EQ(0, dp_quantize(&t.w, &buf, src, 40, 0));
	ASSERT_EQ(0, dp_dequant_ref(&t.w, 0, 5, full, 40));
	ASSERT_EQ(0, dp_gather_ref(&t.w, ids, 2, rows, 40));
	ASSERT_EQ(0, memcmp(rows, full + 4 * 40, 40 * sizeof(float)));
	ASSERT_EQ(0, memcmp(rows + 40, full + 40, 40 * sizeof(float)));
	ASSERT_EQ(DP_EINVAL, dp_gather_ref(&t.w, bad, 1, rows, 40));
	dpt_wt_free(&t);
}

TEST(conv2d_lowered_to_gemm_matches_direct_convolution)
{
	struct dp_conv2d cv = { .b = 2, .h = 5, .w = 6, .cin = 3, .kh = 3, .kw = 3, .stride = 2, .pad = 1 };
	uint32_t oh, ow, cout = 4, k = 27, i, o, b, oy, ox, ky, kx, ci;
	struct dpt_rng r = { dpt_seed() };
	uint16_t x[2 * 5 * 6 * 3], col[2 * 3 * 3 * 27];
	float wsrc[4 * 27], deq[4 * 27], y[18 * 4];
	struct dpt_wt t;
	struct dp_wt_buf buf;
	struct dp_gemm g;

	ASSERT_EQ(0, dp_conv2d_out(&cv, &oh, &ow));
	ASSERT_EQ(3u, oh);
	ASSERT_EQ(3u, ow);
	for (i = 0; i < sizeof(x) / 2; i++)
		x[i] = dp_f32_to_bf16(dpt_unif(&r, 1.0f));
	for (i = 0; i < cout * k; i++)
		wsrc[i] = dpt_unif(&r, 1.0f);
	ASSERT_EQ(0, dpt_wt_alloc(&t, DP_W_BF16, cout, k, 0, 0));
	buf = (struct dp_wt_buf){ t.data, t.scales, t.zeros, t.meta };
	ASSERT_EQ(0, dp_quantize(&t.w, &buf, wsrc, k, 0));
	ASSERT_EQ(0, dp_dequant_ref(&t.w, 0, cout, deq, k));
	ASSERT_EQ(0, dp_conv2d_im2col(&cv, x, col));
	g = (struct dp_gemm){ .w = &t.w, .m = 18, .afmt = DP_A_BF16, .x = col, .ldx = k, .alpha = 1,
			      .ofmt = DP_O_FP32, .y = y, .ldy = cout };
	ASSERT_EQ(0, dp_gemm_ref(&g));
	for (b = 0; b < 2; b++)
		for (oy = 0; oy < oh; oy++)
			for (ox = 0; ox < ow; ox++)
				for (o = 0; o < cout; o++) {
					double want = 0;

					for (ky = 0; ky < 3; ky++)
						for (kx = 0; kx < 3; kx++)
							for (ci = 0; ci < 3; ci++) {
								int iy = (int)(oy * 2 + ky) - 1, ix = (int)(ox * 2 + kx) - 1;

								if (iy < 0 || iy >= 5 || ix < 0 || ix >= 6)
									continue;
								want += deq[o * k + (ky * 3 + kx) * 3 + ci] *
									dp_bf16_to_f32(x[((b * 5 + iy) * 6 + ix) * 3 + ci]);
							}
					ASSERT_LT(fabs(y[((b * oh + oy) * ow + ox) * cout + o] - want), 1e-5);
				}
	dpt_wt_free(&t);
}

TEST_HARNESS_MAIN
