// SPDX-License-Identifier: MIT
/*
 * Quasar datapath: the known traps of quantized kernels, each with an exact
 * expected value, on the golden model and every fast instruction set:
 * int8 -128 negation, int16 saturation in pairwise multiply-adds, overflow of
 * scale products, all-zero blocks, MX blocks holding a NaN or an Inf, tiny
 * activation rows, N = 1, N past 2^15, K off the block grid, and tiling that
 * must not change a bit.
 */
#include "kselftest_harness.h"
#include "dp_case.h"
#include "dp_layout.h"
#include "dp_ops.h"

/* Golden and each fast ISA on g; returns the golden FP32 output (m=0, n=0). */
static float dpt_all_agree(struct __test_metadata *_metadata, struct dp_gemm *g)
{
	size_t ysz = (g->ofmt == DP_O_FP32 ? 4 : 2) * (size_t)g->m * g->ldy;
	void *y0 = g->y, *y1 = malloc(ysz);
	uint32_t isa;

	ASSERT_EQ(0, dp_gemm_ref(g));
	for (isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
		if (!dp_isa_ok(isa))
			continue;
		g->y = y1;
		ASSERT_EQ(0, dpt_run_fast(g, isa));
		g->y = y0;
		ASSERT_EQ(-1, dpt_first_diff(g, y0, y1)) TH_LOG("isa %s", dp_isa_name(isa));
	}
	free(y1);
	return ((float *)y0)[0];
}

static void dpt_fill_codes(struct dpt_wt *t, uint8_t byte)
{
	memset(t->data, byte, t->g.data_bytes);
}

TEST(int8_minus_128_times_minus_128_is_exact)
{
	uint32_t k = 4096, i;
	struct dpt_wt t;
	int8_t *qx = malloc(k);
	float sx = 1.0f, y[16];
	struct dp_gemm g;

	ASSERT_EQ(0, dpt_wt_alloc(&t, DP_W_INT8, 16, k, 0, 0));
	dpt_fill_codes(&t, 0x80);
	for (i = 0; i < 16; i++)
		((float *)t.scales)[i] = 1.0f;
	memset(qx, 0x80, k);
	g = (struct dp_gemm){ .w = &t.w, .m = 1, .afmt = DP_A_INT8, .qx = qx, .sx = &sx, .ldx = k,
			      .alpha = 1, .ofmt = DP_O_FP32, .y = y, .ldy = 16 };
	ASSERT_EQ(16384.0f * 4096.0f, dpt_all_agree(_metadata, &g));
	dpt_wt_free(&t);
	free(qx);
}

TEST(same_sign_maximal_products_do_not_saturate_int16)
{
	/* 4-bit code 15 (value 7, or E2M1 6 = 12 doubled) times 127, all K */
	static const uint32_t fmts[] = { DP_W_INT4, DP_W_MXFP4, DP_W_NVFP4, DP_W_INT8, DP_W_MXINT8 };
	uint32_t k = 1024, f, i;

	for (f = 0; f < 5; f++) {
		const struct dp_fmt_info *fi = dp_fmt_info(fmts[f]);
		struct dpt_wt t;
		int8_t *qx = malloc(k);
		float sx = 1.0f, y[16], want;
		struct dp_gemm g;

		ASSERT_EQ(0, dpt_wt_alloc(&t, fmts[f], 16, k, fmts[f] == DP_W_INT4 ? 32 : 0, 0));
		dpt_fill_codes(&t, fi->elem_bits == 4 ? 0xff : 0x7f);
		memset(t.scales, 0, t.g.scale_bytes);
		for (i = 0; i < t.g.scale_bytes / fi->scale_bytes; i++) {
			if (fmts[f] == DP_W_INT4)
				((uint16_t *)t.scales)[i] = dp_f32_to_bf16(1.0f);
			else if (fmts[f] == DP_W_INT8)
				((float *)t.scales)[i] = 1.0f;
			else if (fmts[f] == DP_W_NVFP4)
				((uint8_t *)t.scales)[i] = 0x38;	/* E4M3 1.0 */
			else
				((uint8_t *)t.scales)[i] = 127;	/* E8M0 1.0 */
		}
		memset(qx, 127, k);
		g = (struct dp_gemm){ .w = &t.w, .m = 1, .afmt = DP_A_INT8, .qx = qx, .sx = &sx,
				      .ldx = k, .alpha = 1, .ofmt = DP_O_FP32, .y = y, .ldy = 16 };
		want = fmts[f] == DP_W_INT4 ? 7.0f * 127 * k :
		       fmts[f] == DP_W_INT8 ? 127.0f * 127 * k :
		       fmts[f] == DP_W_MXINT8 ? 127.0f / 64 * 127 * k : -6.0f * 127 * k;
		ASSERT_EQ(want, dpt_all_agree(_metadata, &g)) TH_LOG("%s", fi->name);
		dpt_wt_free(&t);
		free(qx);
	}
}

TEST(scale_products_overflow_to_inf_identically)
{
	uint32_t k = 64, i;
	struct dpt_wt t;
	uint16_t x[64];
	float y[16];
	struct dp_gemm g;

	ASSERT_EQ(0, dpt_wt_alloc(&t, DP_W_INT4, 16, k, 32, 0));
	dpt_fill_codes(&t, 0xff);
	for (i = 0; i < 32; i++)
		((uint16_t *)t.scales)[i] = 0x7f7f;	/* largest finite BF16, 3.39e38 */
	for (i = 0; i < k; i++)
		x[i] = dp_f32_to_bf16(1e5f);	/* FP16 would already be Inf here */
	g = (struct dp_gemm){ .w = &t.w, .m = 1, .afmt = DP_A_BF16, .x = x, .ldx = k, .alpha = 1,
			      .ofmt = DP_O_FP32, .y = y, .ldy = 16 };
	ASSERT_EQ(INFINITY, dpt_all_agree(_metadata, &g));
	for (i = 0; i < 32; i++)
		((uint16_t *)t.scales)[i] = dp_f32_to_bf16(1.0f);
	/* BF16(1e5) = 99840; with unit scales the same job is finite and exact */
	ASSERT_EQ(7.0f * 99840.0f * 64, dpt_all_agree(_metadata, &g));
	dpt_wt_free(&t);
}

TEST(all_zero_blocks_give_zero_not_nan)
{
	static const uint32_t fmts[] = { DP_W_INT8, DP_W_INT4, DP_W_MXINT8, DP_W_MXFP8, DP_W_MXFP4,
					 DP_W_NVFP4, DP_W_SP_INT4 };
	float w[3 * 96] = { 0 }, y[3];
	uint16_t x[96];
	uint32_t f, i;

	for (i = 0; i < 96; i++)
		x[i] = dp_f32_to_bf16(1.5f);
	for (f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		uint32_t grp = fmts[f] == DP_W_INT4 || fmts[f] == DP_W_SP_INT4 ? 32 : 0;
		struct dpt_wt t;
		struct dp_wt_buf buf;
		struct dp_gemm g;

		ASSERT_EQ(0, dpt_wt_alloc(&t, fmts[f], 3, 96, grp, 0));
		buf = (struct dp_wt_buf){ t.data, t.scales, t.zeros, t.meta };
		ASSERT_EQ(0, dp_quantize(&t.w, &buf, w, 96, 0));
		g = (struct dp_gemm){ .w = &t.w, .m = 1, .afmt = DP_A_BF16, .x = x, .ldx = 96,
				      .alpha = 1, .ofmt = DP_O_FP32, .y = y, .ldy = 3 };
		ASSERT_EQ(0.0f, dpt_all_agree(_metadata, &g)) TH_LOG("%s", dp_fmt_info(fmts[f])->name);
		ASSERT_EQ(0.0f, y[2]);
		dpt_wt_free(&t);
	}
}

TEST(mx_blocks_with_nan_or_inf_make_their_outputs_nan_on_every_kernel)
{
	/* rows n % 3 == 0 hold a NaN, n % 3 == 1 an Inf, in one block of three */
	static const uint32_t fmts[] = { DP_W_MXINT8, DP_W_MXFP8, DP_W_MXFP4 };
	uint32_t n = 37, k = 96, m = 5, f, i, j, a8;
	struct dpt_rng r = { dpt_seed() };
	float *src = malloc(sizeof(float) * n * k), *y = malloc(sizeof(float) * m * n);
	float *d0 = malloc(sizeof(float) * n * k), *d1 = malloc(sizeof(float) * n * k);
	uint16_t x[5 * 96];
	int8_t qx[5 * 96];
	float sx[5];

	for (i = 0; i < m * k; i++)
		x[i] = dp_f32_to_bf16(dpt_unif(&r, 2.0f));
	for (i = 0; i < m; i++)
		dp_act_quant_ref(x + i * k, k, qx + i * k, &sx[i]);
	for (f = 0; f < 3; f++) {
		const struct dp_fmt_info *fi = dp_fmt_info(fmts[f]);
		struct dpt_wt t;
		struct dp_wt_buf buf;
		uint32_t isa;

		for (i = 0; i < n * k; i++)
			src[i] = dpt_unif(&r, 1.0f);
		for (j = 0; j < n; j++)
			if (j % 3 != 2)
				src[j * k + (j * 7) % k] = j % 3 ? -INFINITY : NAN;
		ASSERT_EQ(0, dpt_wt_alloc(&t, fmts[f], n, k, 0, 0));
		buf = (struct dp_wt_buf){ t.data, t.scales, t.zeros, t.meta };
		ASSERT_EQ(0, dp_quantize(&t.w, &buf, src, k, 0));
		/* dequantization: the whole block is NaN, the other blocks are not */
		ASSERT_EQ(0, dp_dequant_ref(&t.w, 0, n, d0, k));
		for (j = 0; j < n * k; j++) {
			bool bad = j / k % 3 != 2 && j % k / 32 == ((j / k) * 7) % k / 32;

			ASSERT_EQ(bad, !!isnan(d0[j])) TH_LOG("%s row %u element %u", fi->name, j / k, j % k);
		}
		for (isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
			if (!dp_isa_ok(isa))
				continue;
			ASSERT_EQ(0, dp_dequant_fast(&t.w, 0, n, d1, k, isa));
			for (j = 0; j < n * k; j++) {
				ASSERT_TRUE(dpt_f32_same(d0[j], d1[j])) TH_LOG("%s isa %s", fi->name,
									    dp_isa_name(isa));
			}
		}
		/* GEMM: every output of a row with a NaN block is NaN, on every kernel */
		for (a8 = 0; a8 < 1u + fi->a8; a8++) {
			struct dp_gemm g = { .w = &t.w, .m = m, .afmt = a8 ? DP_A_INT8 : DP_A_BF16,
					     .x = x, .qx = qx, .sx = sx, .ldx = k, .alpha = 1,
					     .ofmt = DP_O_FP32, .y = y, .ldy = n };

			dpt_all_agree(_metadata, &g);
			for (j = 0; j < m * n; j++) {
				ASSERT_EQ(j % n % 3 != 2, !!isnan(y[j]))
					TH_LOG("%s a8 %u output (%u, %u)", fi->name, a8, j / n, j % n);
			}
		}
		dpt_wt_free(&t);
	}
	free(src);
	free(y);
	free(d0);
	free(d1);
}

TEST(tiny_activation_rows_quantize_and_multiply_alike_on_every_kernel)
{
	/* amax from 2^-64 down to the smallest BF16 subnormal, through every A8 GEMM */
	uint32_t n = 20, k = 40, m = 8, i, j, e, f, isa;
	struct dpt_rng r = { dpt_seed() };
	float src[20 * 40], y[8 * 20], sx[8], s1;
	uint16_t x[8 * 40], xs[40];
	int8_t qx[8 * 40], q1[40];

	for (i = 0; i < n * k; i++)
		src[i] = dpt_unif(&r, 1.0f);
	for (e = 64; e <= 136; e += 9) {
		for (i = 0; i < m * k; i++)
			x[i] = dp_f32_to_bf16(ldexpf(dpt_unif(&r, 2.0f), -(int)(e + i / k)));
		for (i = 0; i < m; i++) {
			dp_act_quant_ref(x + i * k, k, qx + i * k, &sx[i]);
			/* the codes of the row scaled back up (exactly) into the normal range */
			for (j = 0; j < k; j++)
				xs[j] = dp_f32_to_bf16(ldexpf(dp_bf16_to_f32(x[i * k + j]), (int)(e + i)));
			dp_act_quant_ref(xs, k, q1, &s1);
			ASSERT_EQ(0, memcmp(qx + i * k, q1, k)) TH_LOG("row 2^-%u: not its codes scaled up",
								     e + i);
			for (isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
				if (!dp_isa_ok(isa))
					continue;
				dp_act_quant_fast(x + i * k, k, q1, &s1, isa);
				ASSERT_EQ(0, memcmp(qx + i * k, q1, k)) TH_LOG("2^-%u isa %s", e + i,
									     dp_isa_name(isa));
				ASSERT_TRUE(dpt_f32_same(sx[i], s1));
			}
		}
		for (f = DP_W_BF16; f < DP_W_COUNT; f++) {
			struct dpt_wt t;
			struct dp_wt_buf buf;
			struct dp_gemm g;

			if (!dp_fmt_info(f)->a8)
				continue;
			ASSERT_EQ(0, dpt_wt_alloc(&t, f, n, k, f == DP_W_INT4 || f == DP_W_SP_INT4 ?
							       32 : 0, 0));
			buf = (struct dp_wt_buf){ t.data, t.scales, t.zeros, t.meta };
			ASSERT_EQ(0, dp_quantize(&t.w, &buf, src, k, 0));
			g = (struct dp_gemm){ .w = &t.w, .m = m, .afmt = DP_A_INT8, .qx = qx,
					      .sx = sx, .ldx = k, .alpha = 0x1p100f,
					      .ofmt = DP_O_FP32, .y = y, .ldy = n };
			dpt_all_agree(_metadata, &g);
			dpt_wt_free(&t);
		}
	}
}

TEST(n_one_or_k_off_the_block_grid_matches_golden)
{
	struct dpt_rng r = { dpt_seed() };
	uint32_t fmt, k, cases = 0;

	for (fmt = DP_W_BF16; fmt < DP_W_COUNT; fmt++)
		for (k = 1; k <= 140; k += 1 + (k > 40) * 12) {
			struct dpt_case c;

			do {
				dpt_case_make(&r, &c, fmt);
				if (c.g.w->n == 1 || c.g.w->k == k)
					break;
				dpt_case_free(&c);
			} while (1);
			c.g.y = c.y0;
			dpt_all_agree(_metadata, &c.g);
			dpt_case_free(&c);
			cases++;
		}
	TH_LOG("%u cases", cases);
}

TEST(n_past_int16_range_matches_golden)
{
	struct dpt_rng r = { dpt_seed() };
	uint32_t n = 32768 + 17, k = 40, i;
	float *src = malloc(sizeof(float) * n * k), *y = malloc(sizeof(float) * n);
	uint16_t x[40];
	struct dpt_wt t;
	struct dp_wt_buf buf;
	struct dp_gemm g;

	for (i = 0; i < n * k; i++)
		src[i] = dpt_unif(&r, 1.0f);
	for (i = 0; i < k; i++)
		x[i] = dp_f32_to_bf16(dpt_unif(&r, 1.0f));
	ASSERT_EQ(0, dpt_wt_alloc(&t, DP_W_MXFP4, n, k, 0, 0));
	buf = (struct dp_wt_buf){ t.data, t.scales, t.zeros, t.meta };
	ASSERT_EQ(0, dp_quantize(&t.w, &buf, src, k, 0));
	g = (struct dp_gemm){ .w = &t.w, .m = 1, .afmt = DP_A_BF16, .x = x, .ldx = k, .alpha = 1,
			      .ofmt = DP_O_FP32, .y = y, .ldy = n };
	dpt_all_agree(_metadata, &g);
	dpt_wt_free(&t);
	free(src);
	free(y);
}

TEST(tiling_does_not_change_a_bit)
{
	struct dpt_rng r = { dpt_seed() };
	struct dpt_case c;
	uint32_t isa = dp_isa_best(), n0, m0;
	size_t sz;
	void *ws;

	if (isa == DP_ISA_SCALAR)
		SKIP(return, "no SIMD");
	do {
		dpt_case_make(&r, &c, DP_W_INT4);
		if (c.g.w->n > 32 && c.g.m > 3)
			break;
		dpt_case_free(&c);
	} while (1);
	c.g.y = c.y0;
	ASSERT_EQ(0, dp_gemm_ref(&c.g));
	c.g.y = c.y1;
	sz = dp_gemm_ws_size(&c.g);
	ws = dpt_alloc(sz);
	ASSERT_EQ(0, dp_gemm_prepare(&c.g, ws, sz));
	for (n0 = 0; n0 < c.g.w->n; n0 += 16)
		for (m0 = 0; m0 < c.g.m; m0 += 3)
			ASSERT_EQ(0, dp_gemm_tile(&c.g, ws, isa, n0, n0 + 16 > c.g.w->n ? c.g.w->n : n0 + 16,
						  m0, m0 + 3 > c.g.m ? c.g.m : m0 + 3));
	ASSERT_EQ(-1, dpt_first_diff(&c.g, c.y0, c.y1)) TH_LOG("%s", c.desc);
	ASSERT_EQ(DP_EINVAL, dp_gemm_tile(&c.g, ws, isa, 8, 16, 0, 1));	/* not a panel edge */
	ASSERT_EQ(DP_EINVAL, dp_gemm_tile(&c.g, ws, isa, 0, c.g.w->n + 1, 0, 1));
	ASSERT_EQ(DP_EINVAL, dp_gemm_tile(&c.g, ws, DP_ISA_COUNT, 0, 16, 0, 1));
	ASSERT_EQ(DP_EINVAL, dp_gemm_prepare(&c.g, (uint8_t *)ws + 1, sz));	/* misaligned */
	free(ws);
	dpt_case_free(&c);
}

TEST_HARNESS_MAIN
