// SPDX-License-Identifier: MIT
/*
 * Quasar datapath: conv2d's fast path (im2col, then the fast GEMM tiles on
 * every instruction set) is bit-exact with the golden conv2d (the same
 * im2col, then dp_gemm_ref), over odd shapes, strides 1-3, padding 0-2,
 * several weight formats and both activation paths; for BF16 weights also
 * with a direct convolution written from docs/numerics.md "conv2d".
 */
#include "kselftest_harness.h"
#include "dp_case.h"
#include "dp_ops.h"

#define DPC_CASES 150

struct dpc_case {
	struct dp_conv2d cv;
	uint32_t oh, ow, cout, k, m;
	struct dpt_wt t;
	uint16_t *x, *col;
	int8_t *qx;
	float *sx, *y0, *y1;
	struct dp_gemm g;
};

static void dpc_free(struct dpc_case *c)
{
	dpt_wt_free(&c->t);
	free(c->x);
	free(c->col);
	free(c->qx);
	free(c->sx);
	free(c->y0);
	free(c->y1);
}

/* A random valid conv; returns 0, or -1 if the shape drawn is invalid (redraw). */
static int dpc_make(struct dpt_rng *r, struct dpc_case *c, uint32_t fmt, bool a8)
{
	size_t xs;
	uint32_t i, group = fmt == DP_W_INT4 ? 32u << dpt_below(r, 3) : 0;

	memset(c, 0, sizeof(*c));
	c->cv = (struct dp_conv2d){
		.b = 1 + dpt_below(r, 2), .h = 1 + dpt_below(r, 9), .w = 1 + dpt_below(r, 9),
		.cin = 1 + dpt_below(r, 7), .kh = 1 + dpt_below(r, 4), .kw = 1 + dpt_below(r, 4),
		.stride = 1 + dpt_below(r, 3), .pad = dpt_below(r, 3),
	};
	if (dp_conv2d_out(&c->cv, &c->oh, &c->ow))
		return -1;
	c->cout = 1 + dpt_below(r, 40);
	c->k = c->cv.kh * c->cv.kw * c->cv.cin;
	c->m = c->cv.b * c->oh * c->ow;
	if (dpt_wt_alloc(&c->t, fmt, c->cout, c->k, group, 0))
		return -1;
	dpt_fill_weights(r, &c->t, dpt_below(r, 4) ? 0 : 1);
	xs = (size_t)c->cv.b * c->cv.h * c->cv.w * c->cv.cin;
	c->x = malloc(xs * 2);
	for (i = 0; i < xs; i++)
		c->x[i] = dp_f32_to_bf16(dpt_act_value(r, dpt_below(r, 8) ? 0 : dpt_below(r, 4)));
	c->col = malloc((size_t)c->m * c->k * 2);
	c->qx = malloc((size_t)c->m * c->k);
	c->sx = malloc(sizeof(float) * c->m);
	c->y0 = malloc(sizeof(float) * c->m * c->cout);
	c->y1 = malloc(sizeof(float) * c->m * c->cout);
	if (dp_conv2d_im2col(&c->cv, c->x, c->col))
		return -1;
	for (i = 0; i < c->m; i++)
		dp_act_quant_ref(c->col + (size_t)i * c->k, c->k, c->qx + (size_t)i * c->k, &c->sx[i]);
	c->g = (struct dp_gemm){ .w = &c->t.w, .m = c->m, .afmt = a8 ? DP_A_INT8 : DP_A_BF16,
				 .x = c->col, .qx = c->qx, .sx = c->sx, .ldx = c->k, .alpha = 1,
				 .act = dpt_below(r, 4), .ofmt = DP_O_FP32, .y = c->y0,
				 .ldy = c->cout };
	return 0;
}

/* Fast conv: tiles of random panel-aligned N ranges and random M ranges. */
static int dpc_run_fast(struct dpt_rng *r, struct dpc_case *c, uint32_t isa)
{
	size_t sz = dp_gemm_ws_size(&c->g);
	void *ws = dpt_alloc(sz);
	uint32_t n0, m0, m1, nstep = DP_PANEL * (1 + dpt_below(r, 2)), mstep = 1 + dpt_below(r, 9);
	int ret;

	c->g.y = c->y1;
	ret = dp_gemm_prepare(&c->g, ws, sz);
	for (n0 = 0; !ret && n0 < c->cout; n0 += nstep)
		for (m0 = 0; !ret && m0 < c->m; m0 = m1) {
			m1 = m0 + mstep > c->m ? c->m : m0 + mstep;
			ret = dp_gemm_tile(&c->g, ws, isa, n0, n0 + nstep > c->cout ? c->cout :
					   n0 + nstep, m0, m1);
		}
	free(ws);
	c->g.y = c->y0;
	return ret;
}

static void dpc_check(struct __test_metadata *_metadata, uint32_t fmt, bool a8)
{
	uint32_t seed = dpt_seed() ^ (0xc0e7u + fmt * 0x9e3779b9u + a8), i, isa, n = 0;
	struct dpt_rng r = { seed };

	TH_LOG("seed 0x%08x", seed);
	for (i = 0; i < DPC_CASES; i++) {
		struct dpc_case c;
		long at;

		if (dpc_make(&r, &c, fmt, a8)) {
			dpc_free(&c);
			i--;
			continue;
		}
		ASSERT_EQ(0, dp_gemm_ref(&c.g));
		for (isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
			if (!dp_isa_ok(isa))
				continue;
			memset(c.y1, 0xa5, sizeof(float) * c.m * c.cout);
			ASSERT_EQ(0, dpc_run_fast(&r, &c, isa));
			at = dpt_first_diff(&c.g, c.y0, c.y1);
			if (at >= 0)
				TH_LOG("case %u %s a=%s isa %s b=%u h=%u w=%u cin=%u k=%ux%u stride %u "
				       "pad %u cout %u: output %ld golden 0x%08x fast 0x%08x", i,
				       dp_fmt_info(fmt)->name, a8 ? "int8" : "bf16", dp_isa_name(isa),
				       c.cv.b, c.cv.h, c.cv.w, c.cv.cin, c.cv.kh, c.cv.kw, c.cv.stride,
				       c.cv.pad, c.cout, at, dp_f2u(c.y0[at]), dp_f2u(c.y1[at]));
			ASSERT_EQ(-1, at);
			n++;
		}
		dpc_free(&c);
	}
	if (!n)
		SKIP(return, "no SIMD instruction set on this CPU");
	TH_LOG("%u conv/isa comparisons bit-exact", n);
}

TEST(fast_conv2d_matches_golden_bf16) { dpc_check(_metadata, DP_W_BF16, false); }
TEST(fast_conv2d_matches_golden_int8_a16) { dpc_check(_metadata, DP_W_INT8, false); }
TEST(fast_conv2d_matches_golden_int8_a8) { dpc_check(_metadata, DP_W_INT8, true); }
TEST(fast_conv2d_matches_golden_int4_a8) { dpc_check(_metadata, DP_W_INT4, true); }
TEST(fast_conv2d_matches_golden_mxfp4_a16) { dpc_check(_metadata, DP_W_MXFP4, false); }
TEST(fast_conv2d_matches_golden_sp_int8_a8) { dpc_check(_metadata, DP_W_SP_INT8, true); }

/*
 * Independent of im2col: with BF16 weights, no activation and alpha 1, each
 * output is the sequential sum of dot steps (docs/numerics.md §4) over (kh,
 * kw, cin) of weight times input, padding taking part as +0 inputs (so Inf
 * weights there give NaN).
 */
TEST(fast_conv2d_equals_direct_convolution_bf16)
{
	struct dpt_rng r = { dpt_seed() ^ 0xd1ec7u };
	uint32_t i, n = 0, isa = dp_isa_best();

	for (i = 0; i < 60; i++) {
		struct dpc_case c;
		float *wd;
		uint32_t b, oy, ox, o, ky, kx, ci;

		if (dpc_make(&r, &c, DP_W_BF16, false)) {
			dpc_free(&c);
			i--;
			continue;
		}
		c.g.act = DP_ACT_NONE;
		wd = malloc(sizeof(float) * c.cout * c.k);
		ASSERT_EQ(0, dp_dequant_ref(&c.t.w, 0, c.cout, wd, c.k));
		ASSERT_EQ(0, isa == DP_ISA_SCALAR ? dp_gemm_ref(&c.g) : dpc_run_fast(&r, &c, isa));
		for (b = 0; b < c.cv.b; b++)
			for (oy = 0; oy < c.oh; oy++)
				for (ox = 0; ox < c.ow; ox++)
					for (o = 0; o < c.cout; o++) {
						float p = 0.0f, got;
						size_t at = (((size_t)b * c.oh + oy) * c.ow + ox) * c.cout + o;

						for (ky = 0; ky < c.cv.kh; ky++)
							for (kx = 0; kx < c.cv.kw; kx++)
								for (ci = 0; ci < c.cv.cin; ci++) {
									long iy = (long)(oy * c.cv.stride + ky) - c.cv.pad;
									long ix = (long)(ox * c.cv.stride + kx) - c.cv.pad;
									float xv = iy < 0 || ix < 0 || iy >= c.cv.h ||
										   ix >= c.cv.w ? 0.0f :
										   dp_bf16_to_f32(c.x[((b * c.cv.h + iy) *
										   c.cv.w + ix) * c.cv.cin + ci]);

									p = dp_dot_step(wd[(size_t)o * c.k +
										(ky * c.cv.kw + kx) * c.cv.cin + ci], xv, p);
								}
						got = (isa == DP_ISA_SCALAR ? c.y0 : c.y1)[at];
						ASSERT_TRUE(dpt_f32_same(p, got))
							TH_LOG("case %u out %zu direct 0x%08x conv 0x%08x", i, at,
							       dp_f2u(p), dp_f2u(got));
						n++;
					}
		free(wd);
		dpc_free(&c);
	}
	TH_LOG("%u outputs equal the direct convolution (isa %s)", n, dp_isa_name(isa));
}

TEST_HARNESS_MAIN
