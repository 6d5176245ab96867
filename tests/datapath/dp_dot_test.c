// SPDX-License-Identifier: MIT
/*
 * Quasar datapath: the BF16-activation dot step (docs/numerics.md §4).
 *
 * dp_dot_step() against the same definition written another way (fmaf and
 * a rescaled FMA for the flush decision); the hardware that the kernels
 * lean on against dp_dot_step(), bit for bit, over random and edge inputs
 * (subnormals, Inf, NaN, overflow, cancellation, results at the flush
 * boundary): VDPBF16PS as two steps, high halves first, where the CPU has
 * AVX512_BF16, and an FMA under MXCSR.DAZ|FTZ (the AVX2/AVX-512 kernels);
 * and GEMM outputs that the old two-rounding sum without flushing got
 * wrong, on the golden model and every fast instruction set.
 */
#include <immintrin.h>

#include "kselftest_harness.h"
#include "dp_case.h"
#include "dp_layout.h"

/* The step written from the text: fmaf, flush when tiny after rounding. */
static float dpt_step_want(float e, float x, float p)
{
	float in[3] = { e, x, p }, r;
	int i;

	for (i = 0; i < 3; i++)
		if (in[i] != 0 && fabsf(in[i]) < 0x1p-126f)
			in[i] = copysignf(0.0f, in[i]);
	r = fmaf(in[0], in[1], in[2]);
	if (isnan(r) || fabsf(r) > 0x1p-125f)
		return r;
	/* near 2^-126: decide tininess on the result rounded with a wider exponent */
	if (fabsf(fmaf(in[0] * 0x1p64f, in[1], in[2] * 0x1p64f)) < 0x1p-62f)
		return copysignf(0.0f, r);
	return r;
}

/* A BF16 code of one of the kinds that stress the step. */
static uint16_t dpt_bf16_kind(struct dpt_rng *r, uint32_t kind)
{
	uint16_t s = (uint16_t)(dpt_below(r, 2) << 15), m = (uint16_t)dpt_below(r, 128);
	uint32_t e;

	switch (kind) {
	case 0:
		return (uint16_t)dpt_next(r);			/* any: NaN, Inf, subnormal */
	case 1:
		e = 117 + dpt_below(r, 21);			/* ordinary magnitudes */
		break;
	case 2:
		e = dpt_below(r, 4);				/* subnormal and tiny normals */
		break;
	case 3:
		e = 49 + dpt_below(r, 10);			/* products near 2^-126 */
		break;
	default:
		e = 240 + dpt_below(r, 16);			/* huge, Inf, NaN */
		break;
	}
	return (uint16_t)(s | e << 7 | m);
}

/* An accumulator that cancels, sits at the flush boundary, or is anything. */
static float dpt_acc_kind(struct dpt_rng *r, float prod)
{
	switch (dpt_below(r, 5)) {
	case 0:
		return dp_u2f((uint32_t)dpt_next(r));
	case 1:
		return dp_u2f(dp_f2u(-prod) ^ (uint32_t)dpt_below(r, 4));	/* cancellation */
	case 2:	/* +-2^-126 (1 + a few ulps), or just below 2^-125 */
		return dp_u2f((uint32_t)(dpt_below(r, 2) << 31) | (1u + dpt_below(r, 2)) << 23 |
			      (uint32_t)dpt_below(r, 4) | (dpt_below(r, 2) ? 0x7fff00u : 0));
	case 3:
		return dp_u2f((uint32_t)dpt_next(r) & 0x807fffffu);	/* subnormal */
	default:
		return prod;
	}
}

struct dpt_lane {
	uint16_t e[2], x[2];
	float p;
};

static void dpt_lane_make(struct dpt_rng *r, struct dpt_lane *l)
{
	uint32_t kind = dpt_below(r, 6), i;

	for (i = 0; i < 2; i++) {
		l->e[i] = dpt_bf16_kind(r, kind == 5 ? dpt_below(r, 5) : kind);
		l->x[i] = dpt_bf16_kind(r, kind == 5 ? dpt_below(r, 5) : kind);
	}
	l->p = dpt_acc_kind(r, dp_bf16_to_f32(l->e[0]) * dp_bf16_to_f32(l->x[0]));
}

/* Two steps, e[0] * x[0] first: what one lane of a kernel does per pair. */
static float dpt_lane_want(const struct dpt_lane *l)
{
	float p = dp_dot_step(dp_bf16_to_f32(l->e[0]), dp_bf16_to_f32(l->x[0]), l->p);

	return dp_dot_step(dp_bf16_to_f32(l->e[1]), dp_bf16_to_f32(l->x[1]), p);
}

#define DPT_LANES 4000000u

TEST(dot_step_matches_its_definition_written_with_fmaf)
{
	struct dpt_rng r = { dpt_seed() ^ 0x5735u };
	uint32_t i, flushed = 0;

	for (i = 0; i < DPT_LANES; i++) {
		struct dpt_lane l;
		float e, x, got, want;

		dpt_lane_make(&r, &l);
		e = dp_bf16_to_f32(l.e[0]);
		x = dp_bf16_to_f32(l.x[0]);
		got = dp_dot_step(e, x, l.p);
		want = dpt_step_want(e, x, l.p);
		ASSERT_TRUE(dpt_f32_same(got, want))
			TH_LOG("e %a x %a p %a: step %a, want %a", e, x, l.p, got, want);
		flushed += got == 0 && fmaf(e, x, l.p) != 0;
	}
	TH_LOG("%u steps, %u flushed to zero", DPT_LANES, flushed);
	ASSERT_GT(flushed, 1000u);
}

/* One VDPBF16PS over 16 lanes (pairs with e[0], x[0] in the high halves). */
__attribute__((target("avx512f,avx512bf16")))
static void dpt_vdpbf16ps(const struct dpt_lane *l, float *y)
{
	uint32_t w[16], x[16], i;
	float p[16];
	__m512 acc;

	for (i = 0; i < 16; i++) {
		w[i] = (uint32_t)l[i].e[0] << 16 | l[i].e[1];
		x[i] = (uint32_t)l[i].x[0] << 16 | l[i].x[1];
		p[i] = l[i].p;
	}
	acc = _mm512_dpbf16_ps(_mm512_loadu_ps(p), (__m512bh)_mm512_loadu_si512(w),
			       (__m512bh)_mm512_loadu_si512(x));
	_mm512_storeu_ps(y, acc);
}

TEST(vdpbf16ps_is_two_dot_steps_high_halves_first)
{
	struct dpt_rng r = { dpt_seed() ^ 0xbf16u };
	struct dpt_lane l[16];
	uint32_t i, j;
	float y[16];

	if (!dp_isa_ok(DP_ISA_AVX512BF16))
		SKIP(return, "no AVX512_BF16 on this CPU");
	for (i = 0; i < DPT_LANES / 16; i++) {
		uint32_t bad = 16;

		for (j = 0; j < 16; j++)
			dpt_lane_make(&r, &l[j]);
		dpt_vdpbf16ps(l, y);
		for (j = 0; j < 16 && bad == 16; j++)
			if (!dpt_f32_same(y[j], dpt_lane_want(&l[j])))
				bad = j;
		if (bad < 16) {
			struct dpt_lane *b = &l[bad];

			TH_LOG("p %a e %04x %04x x %04x %04x: VDPBF16PS %a, steps %a", b->p,
			       b->e[0], b->e[1], b->x[0], b->x[1], y[bad], dpt_lane_want(b));
		}
		ASSERT_EQ(16u, bad);
	}
	TH_LOG("%u lanes bit-exact", DPT_LANES);
}

/* Two FMAs under MXCSR DAZ|FTZ (round to nearest), as the AVX2/AVX-512 kernels do. */
__attribute__((target("fma"), noinline))
static float dpt_fma_flush(const struct dpt_lane *l)
{
	unsigned csr = _mm_getcsr(), ftz = (csr & ~0x6000u) | 0x8040u;
	__m128 p = _mm_set_ss(l->p), v;
	float y;

	__asm__ volatile("ldmxcsr %0" : : "m"(ftz) : "memory");
	__asm__ volatile("" : "+x"(p));
	v = _mm_fmadd_ss(_mm_set_ss(dp_bf16_to_f32(l->e[0])), _mm_set_ss(dp_bf16_to_f32(l->x[0])), p);
	v = _mm_fmadd_ss(_mm_set_ss(dp_bf16_to_f32(l->e[1])), _mm_set_ss(dp_bf16_to_f32(l->x[1])), v);
	__asm__ volatile("" : "+x"(v));
	__asm__ volatile("ldmxcsr %0" : : "m"(csr) : "memory");
	__asm__ volatile("" : "+x"(v));
	y = _mm_cvtss_f32(v);
	return y;
}

TEST(fma_under_mxcsr_daz_ftz_is_a_dot_step)
{
	struct dpt_rng r = { dpt_seed() ^ 0xf7au };
	uint32_t i;

	if (!dp_isa_ok(DP_ISA_AVX2))
		SKIP(return, "no FMA on this CPU");
	for (i = 0; i < DPT_LANES; i++) {
		struct dpt_lane l;

		dpt_lane_make(&r, &l);
		ASSERT_TRUE(dpt_f32_same(dpt_fma_flush(&l), dpt_lane_want(&l)))
			TH_LOG("p %a e %04x %04x x %04x %04x: FMA %a, steps %a", l.p, l.e[0],
			       l.e[1], l.x[0], l.x[1], dpt_fma_flush(&l), dpt_lane_want(&l));
	}
}

/* y[0] of a one-output BF16 GEMM on the golden model, every fast ISA agreeing. */
static float dpt_gemm1(struct __test_metadata *_metadata, uint32_t fmt, const uint16_t *w,
		       const uint16_t *x, uint32_t k)
{
	struct dpt_wt t;
	struct dp_gemm g;
	float y0[16], y1[16];
	uint32_t isa, j;

	ASSERT_EQ(0, dpt_wt_alloc(&t, fmt, 1, k, 0, 0));
	for (j = 0; j < k; j++)
		((uint16_t *)t.data)[dp_off16(t.g.kstore, 0, j)] = w[j];
	g = (struct dp_gemm){ .w = &t.w, .m = 1, .afmt = DP_A_BF16, .x = x, .ldx = k,
			      .alpha = 1.0f, .ofmt = DP_O_FP32, .y = y0, .ldy = 1 };
	ASSERT_EQ(0, dp_gemm_ref(&g));
	for (isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
		if (!dp_isa_ok(isa))
			continue;
		g.y = y1;
		ASSERT_EQ(0, dpt_run_fast(&g, isa));
		ASSERT_TRUE(dpt_f32_same(y0[0], y1[0]))
			TH_LOG("isa %s: %a, golden %a", dp_isa_name(isa), y1[0], y0[0]);
		g.y = y0;
	}
	dpt_wt_free(&t);
	return y0[0];
}

TEST(subnormal_activations_and_weights_read_as_zero)
{
	/* 2^100 * 2^-133 was 2^-33 under the old sum; DAZ makes it 0 */
	uint16_t w[3] = { 0x7180, 0x0001, 0x3f80 }, x[3] = { 0x0001, 0x7180, 0x0000 };

	ASSERT_EQ(0x00000000u, dp_f2u(dpt_gemm1(_metadata, DP_W_BF16, w, x, 3)));
}

TEST(tiny_sums_flush_to_zero)
{
	/* 2^-70 * 2^-70 = 2^-140: a subnormal sum before, +0 now; then + 2^-126 stays */
	uint16_t w[2] = { 0x1c80, 0x3f80 }, x[2] = { 0x1c80, 0x0080 };

	ASSERT_EQ(0x00800000u, dp_f2u(dpt_gemm1(_metadata, DP_W_BF16, w, x, 2)));
	ASSERT_EQ(0x00000000u, dp_f2u(dpt_gemm1(_metadata, DP_W_BF16, w, x, 1)));
}

TEST(a_product_past_flt_max_is_fused_not_infinite)
{
	/* -0x1.fep127, then + 2^127 * 2: exactly 2^120 when fused, Inf when rounded twice */
	uint16_t w[2] = { 0xff7f, 0x7f00 }, x[2] = { 0x3f80, 0x4000 };

	ASSERT_EQ(0x7b800000u, dp_f2u(dpt_gemm1(_metadata, DP_W_BF16, w, x, 2)));
}

TEST(the_flush_decides_after_rounding)
{
	/*
	 * 2^-126 - 2^-150 is exact with an unbounded exponent and below 2^-126:
	 * +0 (rounding to the subnormal grid first would give 2^-126). 2^-126 -
	 * 2^-151 is the midpoint below 2^-126 and rounds (to even) up to it.
	 */
	uint16_t w[2] = { 0x3f80, 0x1a00 }, x[2] = { 0x0080, 0x9a00 };
	uint16_t w2[2] = { 0x3f80, 0x1980 };

	ASSERT_EQ(0x00000000u, dp_f2u(dpt_gemm1(_metadata, DP_W_BF16, w, x, 2)));
	ASSERT_EQ(0x00800000u, dp_f2u(dpt_gemm1(_metadata, DP_W_BF16, w2, x, 2)));
}

TEST_HARNESS_MAIN
