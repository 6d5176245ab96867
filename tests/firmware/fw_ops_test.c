// SPDX-License-Identifier: MIT
/*
 * ISA v1 conformance on the host: every op x format of docs/isa.md run as a
 * job through fw_job_run() over the test HAL's memory, compared bit for bit
 * with the datapath's golden model. Every case runs twice, with a large
 * SRAM and with one small enough to force many tiles (and re-reads): both
 * must give the golden bytes. Test names are <op>.<format>.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

#include "fw_test_data.h"

#define BIG_SRAM	(1u << 20)
#define GM	5	/* GEMM rows */
#define GN	40	/* three panels, the last one partial */
#define GK	80	/* off every block grid */

/* Compare and describe the first difference; returns 0 when equal. */
static int v1_same(const void *got, const void *want, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)got)[i] != ((const uint8_t *)want)[i]) {
			fprintf(stderr, "# %s: byte %zu differs: got 0x%02x want 0x%02x\n",
				what, i, ((const uint8_t *)got)[i], ((const uint8_t *)want)[i]);
			return 1;
		}
	return 0;
}

static int v1_job_ok(struct fwrun *e, uint32_t cmds)
{
	if (e->res.status != DRM_QUASAR_STATUS_OK || e->res.cmd_index != cmds) {
		fprintf(stderr, "# job: status %u at command %u, want OK after %u\n",
			e->res.status, e->res.cmd_index, cmds);
		return 1;
	}
	return 0;
}

/* ---- GEMM and CONV2D ---- */

/* The device runs GEMM tiles on SIMD kernels: they must agree too. */
static void *ops_simd_ws;

static int ops_init(struct fwrun *e, uint64_t sram, bool simd)
{
	uint64_t size = fw_engine_ws_size(sram);

	if (fwrun_init(e, sram))
		return 1;
	if (!simd)
		return 0;
	free(ops_simd_ws);
	ops_simd_ws = aligned_alloc(64, size);
	return !ops_simd_ws || !fw_engine_use_simd(&e->eng, ops_simd_ws, size);
}

/*
 * A device's engine threads, as the firmware sees them (struct fw_engine
 * par_run): here the parts run one after the other, last first, so a part
 * that depended on another's having run would show.
 */
static void ops_par_run(void *opaque, uint32_t n, void (*fn)(void *arg, uint32_t i), void *arg)
{
	(void)opaque;
	while (n--)
		fn(arg, n);
}

/* 0: the kernel calls whole; else split into up to this many parts. */
static uint32_t gemm_parts;
/* The statistics of the last gemm_case(). */
static struct fw_job_stats gemm_stats;

static int gemm_case(uint32_t fmt, bool a8, uint64_t sram, bool simd)
{
	struct fwrun e;
	struct fwrun_weights w;
	uint16_t x[GM * GK];
	float bias[GN], qres[GM * GN], want[GM * GN], got[GM * GN], sx[GM];
	int8_t qx[GM * GK];
	uint32_t osz = a8 ? 2 : 4;
	struct dp_gemm g;
	struct drm_quasar_cmd_gemm c = { .hdr = { DRM_QUASAR_OP_GEMM, sizeof(c), 0 } };
	int bad;

	if (ops_init(&e, sram, simd) || v1_weights(&e, &w, fmt, GN, GK, 7 + fmt,
					     fmt == DRM_QUASAR_FORMAT_W_INT4))
		return 1;
	if (gemm_parts) {
		e.eng.par_run = ops_par_run;
		e.eng.par_threads = gemm_parts;
		e.eng.par_part_macs = 1;
	}
	v1_rand_bf16(x, GM * GK, 11);
	v1_rand_f32(bias, GN, 12);
	v1_rand_f32(qres, GM * GN, 13);
	if (a8)	/* a BF16 residual */
		for (int i = 0; i < GM * GN; i++)
			((uint16_t *)qres)[i] = dp_f32_to_bf16(qres[i]);
	for (int m = 0; m < GM; m++)
		dp_act_quant_ref(x + m * GK, GK, qx + m * GK, &sx[m]);
	g = (struct dp_gemm){ .w = &w.w, .m = GM, .afmt = a8 ? DP_A_INT8 : DP_A_BF16,
			      .x = x, .qx = qx, .sx = sx, .ldx = GK, .alpha = 0.75f,
			      .bias = bias, .act = a8 ? DP_ACT_RELU : DP_ACT_GELU,
			      .ofmt = a8 ? DP_O_BF16 : DP_O_FP32, .res = qres, .y = want,
			      .ldy = GN };
	if (dp_gemm_ref(&g))
		return 1;

	c.x = fwrun_tensor(fwrun_upload(&e, x, sizeof(x)), DRM_QUASAR_FORMAT_BF16, 1, 1, GM, GK);
	c.w = w.t;
	c.wp = w.wp;
	c.y = fwrun_tensor(fwrun_alloc(&e, GM * GN * osz),
			a8 ? DRM_QUASAR_FORMAT_BF16 : DRM_QUASAR_FORMAT_FP32, 1, 1, GM, GN);
	c.bias = fwrun_upload(&e, bias, sizeof(bias));
	c.residual = fwrun_upload(&e, qres, (size_t)GM * GN * osz);
	c.alpha = v1_f2u(0.75f);
	c.act = a8 ? DRM_QUASAR_ACT_RELU : DRM_QUASAR_ACT_GELU;
	c.flags = a8 ? DRM_QUASAR_GEMM_A8 : 0;
	fwrun_emit_isa_version(&e, DRM_QUASAR_ISA_VERSION);
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	fwrun_read(&e, c.y.addr, got, (size_t)GM * GN * osz);
	bad = v1_job_ok(&e, 2) || v1_same(got, want, (size_t)GM * GN * osz, "gemm y");
	gemm_stats = e.res.stats;
	fwrun_weights_free(&w);
	fwrun_fini(&e);
	return bad;
}

static int conv_case(uint32_t fmt, bool a8, uint64_t sram, bool simd)
{
	const struct dp_conv2d cv = { .b = 2, .h = 5, .w = 4, .cin = 8, .kh = 3, .kw = 3,
				      .stride = 2, .pad = 1 };
	enum { COUT = 20, K = 72, M = 12, XN = 2 * 5 * 4 * 8 };
	struct fwrun e;
	struct fwrun_weights w;
	uint16_t x[XN], col[M * K];
	float bias[COUT], want[M * COUT], got[M * COUT], sx[M];
	int8_t qx[M * K];
	struct dp_gemm g;
	struct drm_quasar_cmd_conv2d c = { .hdr = { DRM_QUASAR_OP_CONV2D, sizeof(c), 0 } };
	uint32_t oh, ow;
	int bad;

	if (ops_init(&e, sram, simd) || v1_weights(&e, &w, fmt, COUT, K, 3 + fmt, false))
		return 1;
	if (dp_conv2d_out(&cv, &oh, &ow) || oh * ow * 2 != M)
		return 1;
	v1_rand_bf16(x, XN, 21);
	v1_rand_f32(bias, COUT, 22);
	dp_conv2d_im2col(&cv, x, col);
	for (int m = 0; m < M; m++)
		dp_act_quant_ref(col + m * K, K, qx + m * K, &sx[m]);
	g = (struct dp_gemm){ .w = &w.w, .m = M, .afmt = a8 ? DP_A_INT8 : DP_A_BF16,
			      .x = col, .qx = qx, .sx = sx, .ldx = K, .alpha = 1.0f,
			      .bias = bias, .act = DP_ACT_SILU, .ofmt = DP_O_FP32, .y = want,
			      .ldy = COUT };
	if (dp_gemm_ref(&g))
		return 1;
	c.x = fwrun_tensor(fwrun_upload(&e, x, sizeof(x)), DRM_QUASAR_FORMAT_BF16, 2, 5, 4, 8);
	c.w = w.t;
	c.wp = w.wp;
	c.y = fwrun_tensor(fwrun_alloc(&e, sizeof(got)), DRM_QUASAR_FORMAT_FP32, 2, oh, ow, COUT);
	c.bias = fwrun_upload(&e, bias, sizeof(bias));
	c.kh = 3;
	c.kw = 3;
	c.stride = 2;
	c.pad = 1;
	c.alpha = v1_f2u(1.0f);
	c.act = DRM_QUASAR_ACT_SILU;
	c.flags = a8 ? DRM_QUASAR_GEMM_A8 : 0;
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	fwrun_read(&e, c.y.addr, got, sizeof(got));
	bad = v1_job_ok(&e, 1) || v1_same(got, want, sizeof(got), "conv2d y");
	fwrun_weights_free(&w);
	fwrun_fini(&e);
	return bad;
}

/* The harness prints <fixture>.<test>: one fixture per op spells <op>.<format>. */
FIXTURE(gemm) { int unused; };
FIXTURE_SETUP(gemm) {}
FIXTURE_TEARDOWN(gemm) {}
FIXTURE(conv2d) { int unused; };
FIXTURE_SETUP(conv2d) {}
FIXTURE_TEARDOWN(conv2d) {}

/*
 * The same GEMM with its kernel calls split across "threads" (2 and 3
 * parts of the three panels, the last partial): the golden bytes again and
 * the very same statistics, on both kernels.
 */
static int gemm_split_case(uint32_t fmt, bool a8, bool simd)
{
	struct fw_job_stats whole;
	int bad = gemm_case(fmt, a8, BIG_SRAM, simd);

	whole = gemm_stats;
	for (gemm_parts = 2; !bad && gemm_parts <= 3; gemm_parts++) {
		bad = gemm_case(fmt, a8, BIG_SRAM, simd);
		if (!bad && memcmp(&whole, &gemm_stats, sizeof(whole))) {
			fprintf(stderr, "# %u parts: the job's statistics differ\n", gemm_parts);
			bad = 1;
		}
	}
	gemm_parts = 0;
	return bad;
}

#define GEMM_TEST(name, fmt, a8)						\
	TEST_F(gemm, name)							\
	{									\
		EXPECT_EQ(0, gemm_case(fmt, a8, BIG_SRAM, false));		\
		EXPECT_EQ(0, gemm_case(fmt, a8, 4096, false));			\
		EXPECT_EQ(0, gemm_case(fmt, a8, BIG_SRAM, true));		\
		EXPECT_EQ(0, gemm_case(fmt, a8, 4096, true));			\
		EXPECT_EQ(0, gemm_split_case(fmt, a8, false));			\
		EXPECT_EQ(0, gemm_split_case(fmt, a8, true));			\
	}
#define CONV_TEST(name, fmt, a8)						\
	TEST_F(conv2d, name)							\
	{									\
		EXPECT_EQ(0, conv_case(fmt, a8, BIG_SRAM, false));		\
		EXPECT_EQ(0, conv_case(fmt, a8, 4096, false));			\
		EXPECT_EQ(0, conv_case(fmt, a8, BIG_SRAM, true));		\
		EXPECT_EQ(0, conv_case(fmt, a8, 4096, true));			\
	}

GEMM_TEST(w_bf16, DRM_QUASAR_FORMAT_W_BF16, false)
GEMM_TEST(w_int8, DRM_QUASAR_FORMAT_W_INT8, false)
GEMM_TEST(w_int4, DRM_QUASAR_FORMAT_W_INT4, false)
GEMM_TEST(w_mxint8, DRM_QUASAR_FORMAT_W_MXINT8, false)
GEMM_TEST(w_mxfp8, DRM_QUASAR_FORMAT_W_MXFP8, false)
GEMM_TEST(w_mxfp4, DRM_QUASAR_FORMAT_W_MXFP4, false)
GEMM_TEST(w_nvfp4, DRM_QUASAR_FORMAT_W_NVFP4, false)
GEMM_TEST(w_sp_bf16, DRM_QUASAR_FORMAT_W_SP_BF16, false)
GEMM_TEST(w_sp_int8, DRM_QUASAR_FORMAT_W_SP_INT8, false)
GEMM_TEST(w_sp_int4, DRM_QUASAR_FORMAT_W_SP_INT4, false)
GEMM_TEST(w_int8_a8, DRM_QUASAR_FORMAT_W_INT8, true)
GEMM_TEST(w_int4_a8, DRM_QUASAR_FORMAT_W_INT4, true)
GEMM_TEST(w_mxint8_a8, DRM_QUASAR_FORMAT_W_MXINT8, true)
GEMM_TEST(w_mxfp4_a8, DRM_QUASAR_FORMAT_W_MXFP4, true)
GEMM_TEST(w_nvfp4_a8, DRM_QUASAR_FORMAT_W_NVFP4, true)
GEMM_TEST(w_sp_int8_a8, DRM_QUASAR_FORMAT_W_SP_INT8, true)
GEMM_TEST(w_sp_int4_a8, DRM_QUASAR_FORMAT_W_SP_INT4, true)

CONV_TEST(w_bf16, DRM_QUASAR_FORMAT_W_BF16, false)
CONV_TEST(w_int8, DRM_QUASAR_FORMAT_W_INT8, false)
CONV_TEST(w_int4, DRM_QUASAR_FORMAT_W_INT4, false)
CONV_TEST(w_mxint8, DRM_QUASAR_FORMAT_W_MXINT8, false)
CONV_TEST(w_mxfp8, DRM_QUASAR_FORMAT_W_MXFP8, false)
CONV_TEST(w_mxfp4, DRM_QUASAR_FORMAT_W_MXFP4, false)
CONV_TEST(w_nvfp4, DRM_QUASAR_FORMAT_W_NVFP4, false)
CONV_TEST(w_sp_bf16, DRM_QUASAR_FORMAT_W_SP_BF16, false)
CONV_TEST(w_sp_int8, DRM_QUASAR_FORMAT_W_SP_INT8, false)
CONV_TEST(w_sp_int4, DRM_QUASAR_FORMAT_W_SP_INT4, false)
CONV_TEST(w_int8_a8, DRM_QUASAR_FORMAT_W_INT8, true)
CONV_TEST(w_mxfp4_a8, DRM_QUASAR_FORMAT_W_MXFP4, true)

/* ---- Numerics edge cases through the device (docs/numerics.md §3) ---- */

/* Equal bit for bit, any two NaNs equal (payloads are not specified). */
static int f32_same(const float *got, const float *want, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (!(isnan(got[i]) && isnan(want[i])) && v1_f2u(got[i]) != v1_f2u(want[i])) {
			fprintf(stderr, "# %s: value %zu differs: got 0x%08x want 0x%08x\n", what, i,
				v1_f2u(got[i]), v1_f2u(want[i]));
			return 1;
		}
	return 0;
}

/*
 * GEMM_A8 of a row of subnormals: the device quantizes it to the codes of
 * the same row scaled into the normal range (127 / amax overflows binary32
 * here, so a quantizer that divides once would saturate every element).
 */
static int gemm_a8_tiny_case(uint64_t sram, bool simd)
{
	enum { M = 2, N = 20, K = 36 };
	static const int8_t q[4] = { 127, 25, -64, 0 };
	struct fwrun e;
	struct fwrun_weights w;
	uint16_t x[M * K] = { 0x0208, 0x00da, 0x8188, 0x0000 };
	int8_t qx[M * K] = { 0 }, q1[K];
	float want[M * N], got[M * N], sx[M], s1;
	struct dp_gemm g;
	struct drm_quasar_cmd_gemm c = { .hdr = { DRM_QUASAR_OP_GEMM, sizeof(c), 0 } };
	int bad = 0;

	if (ops_init(&e, sram, simd) || v1_weights(&e, &w, DRM_QUASAR_FORMAT_W_INT8, N, K, 5, false))
		return 1;
	/* row 1: row 0 times 2^120, quantized on the ordinary path */
	for (int i = 0; i < 4; i++)
		x[K + i] = x[i] ? (uint16_t)(x[i] + (120 << 7)) : 0;
	dp_act_quant_ref(x + K, K, q1, &s1);
	for (int m = 0; m < M; m++) {
		memcpy(qx + m * K, q, sizeof(q));
		sx[m] = (float)((double)dp_bf16_to_f32(x[m * K]) / 127.0);
	}
	bad |= memcmp(q1, qx, K) != 0;	/* the ordinary path gives those codes */
	g = (struct dp_gemm){ .w = &w.w, .m = M, .afmt = DP_A_INT8, .qx = qx, .sx = sx, .ldx = K,
			      .alpha = 0x1p100f, .ofmt = DP_O_FP32, .y = want, .ldy = N };
	if (dp_gemm_ref(&g))
		return 1;
	c.x = fwrun_tensor(fwrun_upload(&e, x, sizeof(x)), DRM_QUASAR_FORMAT_BF16, 1, 1, M, K);
	c.w = w.t;
	c.wp = w.wp;
	c.y = fwrun_tensor(fwrun_alloc(&e, sizeof(got)), DRM_QUASAR_FORMAT_FP32, 1, 1, M, N);
	c.alpha = v1_f2u(0x1p100f);
	c.flags = DRM_QUASAR_GEMM_A8;
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	fwrun_read(&e, c.y.addr, got, sizeof(got));
	bad |= v1_job_ok(&e, 1) || f32_same(got, want, M * N, "gemm a8 y");
	for (int n = 0; n < N; n++)	/* and the tiny row is not all zero */
		bad |= got[n] == 0.0f && want[n] != 0.0f;
	fwrun_weights_free(&w);
	fwrun_fini(&e);
	return bad;
}

/*
 * An MX block holding a NaN (row 3) or an Inf (row 17) gets the NaN scale:
 * the device dequantizes the whole block to NaN, and every GEMM output of
 * that row is NaN.
 */
static int mx_nan_block_case(uint32_t fmt, bool a8, uint64_t sram, bool simd)
{
	struct fwrun e;
	struct fwrun_weights w;
	uint32_t seed = 77;
	float *src = malloc(sizeof(float) * GN * GK);
	float deq[GN * GK], dgot[GN * GK], want[GM * GN], got[GM * GN], sx[GM];
	uint16_t x[GM * GK];
	int8_t qx[GM * GK];
	struct dp_gemm g;
	struct drm_quasar_cmd_gemm c = { .hdr = { DRM_QUASAR_OP_GEMM, sizeof(c), 0 } };
	struct drm_quasar_cmd_convert cv = { .hdr = { DRM_QUASAR_OP_CONVERT, sizeof(cv), 0 } };
	int bad = 0;

	if (!src || ops_init(&e, sram, simd))
		return 1;
	for (int i = 0; i < GN * GK; i++)
		src[i] = v1_rand(&seed);
	src[3 * GK + 10] = NAN;		/* block 0 of row 3 */
	src[17 * GK + 70] = -INFINITY;	/* block 2 of row 17 */
	if (fwrun_weights_quantize(&e, &w, fmt, GN, GK, src, false))
		return 1;
	free(src);
	v1_rand_bf16(x, GM * GK, 19);
	for (int m = 0; m < GM; m++)
		dp_act_quant_ref(x + m * GK, GK, qx + m * GK, &sx[m]);
	g = (struct dp_gemm){ .w = &w.w, .m = GM, .afmt = a8 ? DP_A_INT8 : DP_A_BF16, .x = x,
			      .qx = qx, .sx = sx, .ldx = GK, .alpha = 1.0f, .ofmt = DP_O_FP32,
			      .y = want, .ldy = GN };
	if (dp_gemm_ref(&g) || dp_dequant_ref(&w.w, 0, GN, deq, GK))
		return 1;
	c.x = fwrun_tensor(fwrun_upload(&e, x, sizeof(x)), DRM_QUASAR_FORMAT_BF16, 1, 1, GM, GK);
	c.w = w.t;
	c.wp = w.wp;
	c.y = fwrun_tensor(fwrun_alloc(&e, sizeof(got)), DRM_QUASAR_FORMAT_FP32, 1, 1, GM, GN);
	c.alpha = v1_f2u(1.0f);
	c.flags = a8 ? DRM_QUASAR_GEMM_A8 : 0;
	cv.src = w.t;
	cv.sp = w.wp;
	cv.dst = fwrun_tensor(fwrun_alloc(&e, sizeof(dgot)), DRM_QUASAR_FORMAT_FP32, 1, 1, GN, GK);
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_emit(&e, &cv, sizeof(cv));
	fwrun_run(&e);
	fwrun_read(&e, c.y.addr, got, sizeof(got));
	fwrun_read(&e, cv.dst.addr, dgot, sizeof(dgot));
	bad |= v1_job_ok(&e, 2) || f32_same(got, want, GM * GN, "gemm y") ||
	       f32_same(dgot, deq, GN * GK, "convert dst");
	for (int i = 0; i < GN * GK; i++) {
		int r = i / GK, b = i % GK / 32;

		bad |= !!isnan(dgot[i]) != ((r == 3 && b == 0) || (r == 17 && b == 2));
	}
	for (int i = 0; i < GM * GN; i++)
		bad |= !!isnan(got[i]) != (i % GN == 3 || i % GN == 17);
	if (bad)
		fprintf(stderr, "# %s%s: want NaN in rows 3 and 17 only\n",
			dp_fmt_info(fmt)->name, a8 ? " a8" : "");
	fwrun_weights_free(&w);
	fwrun_fini(&e);
	return bad;
}

FIXTURE(numerics) { int unused; };
FIXTURE_SETUP(numerics) {}
FIXTURE_TEARDOWN(numerics) {}

TEST_F(numerics, gemm_a8_of_a_row_of_subnormals_is_not_saturated)
{
	EXPECT_EQ(0, gemm_a8_tiny_case(BIG_SRAM, false));
	EXPECT_EQ(0, gemm_a8_tiny_case(BIG_SRAM, true));
	EXPECT_EQ(0, gemm_a8_tiny_case(4096, true));
}

TEST_F(numerics, mx_block_with_nan_or_inf_is_nan_in_convert_and_gemm)
{
	static const uint32_t fmts[] = { DRM_QUASAR_FORMAT_W_MXINT8, DRM_QUASAR_FORMAT_W_MXFP8,
					 DRM_QUASAR_FORMAT_W_MXFP4 };

	for (int f = 0; f < 3; f++)
		for (int a8 = 0; a8 < 1 + (fmts[f] != DRM_QUASAR_FORMAT_W_MXFP8); a8++) {
			EXPECT_EQ(0, mx_nan_block_case(fmts[f], a8, BIG_SRAM, false));
			EXPECT_EQ(0, mx_nan_block_case(fmts[f], a8, 8192, true));
		}
}

/* ---- GATHER and CONVERT from packed weights ---- */

static int gather_case(uint32_t fmt, uint64_t sram)
{
	static const uint32_t ids[7] = { 3, 39, 17, 17, 0, 32, 16 };
	struct fwrun e;
	struct fwrun_weights w;
	float want[7 * GK], got[7 * GK];
	struct drm_quasar_cmd_gather c = { .hdr = { DRM_QUASAR_OP_GATHER, sizeof(c), 0 } };
	int bad;

	if (fwrun_init(&e, sram) || v1_weights(&e, &w, fmt, GN, GK, 31 + fmt, false))
		return 1;
	if (dp_gather_ref(&w.w, ids, 7, want, GK))
		return 1;
	c.table = w.t;
	c.tp = w.wp;
	c.ids = fwrun_tensor(fwrun_upload(&e, ids, sizeof(ids)), DRM_QUASAR_FORMAT_U32, 1, 1, 1, 7);
	c.y = fwrun_tensor(fwrun_alloc(&e, sizeof(got)), DRM_QUASAR_FORMAT_FP32, 1, 1, 7, GK);
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	fwrun_read(&e, c.y.addr, got, sizeof(got));
	bad = v1_job_ok(&e, 1) || v1_same(got, want, sizeof(got), "gather y");
	fwrun_weights_free(&w);
	fwrun_fini(&e);
	return bad;
}

static int dequant_case(uint32_t fmt, uint32_t out_fmt, uint64_t sram)
{
	struct fwrun e;
	struct fwrun_weights w;
	float want[GN * GK], got[GN * GK];
	uint32_t osz = out_fmt == DRM_QUASAR_FORMAT_FP32 ? 4 : 2;
	struct drm_quasar_cmd_convert c = { .hdr = { DRM_QUASAR_OP_CONVERT, sizeof(c), 0 } };
	int bad;

	if (fwrun_init(&e, sram) || v1_weights(&e, &w, fmt, GN, GK, 41 + fmt, false))
		return 1;
	if (osz == 4 ? dp_dequant_ref(&w.w, 0, GN, want, GK) :
		       dp_dequant_bf16_ref(&w.w, 0, GN, (uint16_t *)want, GK))
		return 1;
	c.src = w.t;
	c.sp = w.wp;
	c.dst = fwrun_tensor(fwrun_alloc(&e, (size_t)GN * GK * osz), out_fmt, 1, 1, GN, GK);
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	fwrun_read(&e, c.dst.addr, got, (size_t)GN * GK * osz);
	bad = v1_job_ok(&e, 1) || v1_same(got, want, (size_t)GN * GK * osz, "convert dst");
	fwrun_weights_free(&w);
	fwrun_fini(&e);
	return bad;
}

FIXTURE(gather) { int unused; };
FIXTURE_SETUP(gather) {}
FIXTURE_TEARDOWN(gather) {}
FIXTURE(convert) { int unused; };
FIXTURE_SETUP(convert) {}
FIXTURE_TEARDOWN(convert) {}

#define PACKED_TESTS(name, fmt)							\
	TEST_F(gather, name)							\
	{									\
		EXPECT_EQ(0, gather_case(fmt, BIG_SRAM));			\
		EXPECT_EQ(0, gather_case(fmt, 4096));				\
	}									\
	TEST_F(convert, name)							\
	{									\
		EXPECT_EQ(0, dequant_case(fmt, DRM_QUASAR_FORMAT_FP32, BIG_SRAM)); \
		EXPECT_EQ(0, dequant_case(fmt, DRM_QUASAR_FORMAT_FP32, 8192));	\
		EXPECT_EQ(0, dequant_case(fmt, DRM_QUASAR_FORMAT_BF16, BIG_SRAM)); \
		EXPECT_EQ(0, dequant_case(fmt, DRM_QUASAR_FORMAT_BF16, 8192));	\
	}

PACKED_TESTS(w_bf16, DRM_QUASAR_FORMAT_W_BF16)
PACKED_TESTS(w_int8, DRM_QUASAR_FORMAT_W_INT8)
PACKED_TESTS(w_int4, DRM_QUASAR_FORMAT_W_INT4)
PACKED_TESTS(w_mxint8, DRM_QUASAR_FORMAT_W_MXINT8)
PACKED_TESTS(w_mxfp8, DRM_QUASAR_FORMAT_W_MXFP8)
PACKED_TESTS(w_mxfp4, DRM_QUASAR_FORMAT_W_MXFP4)
PACKED_TESTS(w_nvfp4, DRM_QUASAR_FORMAT_W_NVFP4)
PACKED_TESTS(w_sp_bf16, DRM_QUASAR_FORMAT_W_SP_BF16)
PACKED_TESTS(w_sp_int8, DRM_QUASAR_FORMAT_W_SP_INT8)
PACKED_TESTS(w_sp_int4, DRM_QUASAR_FORMAT_W_SP_INT4)

/* ---- Row operations, on strided 4-D tensors ---- */

#define RD0 2
#define RD1 3
#define RD2 5
#define RD	24	/* row length */
#define RP	32	/* row pitch of the strided input */
#define RROWS	(RD0 * RD1 * RD2)

/* A 4-D FP32 tensor whose rows are RP elements apart. */
static struct drm_quasar_tensor strided(uint64_t addr, uint32_t fmt)
{
	struct drm_quasar_tensor t = {
		.addr = addr, .dims = { RD0, RD1, RD2, RD },
		.strides = { RD1 * RD2 * RP, RD2 * RP, RP, 1 }, .format = fmt,
	};

	return t;
}

struct rowjob {
	float a[RROWS * RP], b[RROWS * RP];	/* strided inputs */
	float want[RROWS * RD], got[RROWS * RD];
	float gain[RD], bias[RD], cosv[RROWS * RD / 2], sinv[RROWS * RD / 2];
};

static int row_case(uint16_t op, uint64_t sram)
{
	static struct rowjob j;
	struct fwrun e;
	uint8_t cmd[256] = { 0 };
	struct drm_quasar_cmd_header h = { op, 0, 0 };
	struct drm_quasar_tensor ta, tb, ty;
	int bad;

	if (fwrun_init(&e, sram))
		return 1;
	v1_rand_f32(j.a, RROWS * RP, 51);
	v1_rand_f32(j.b, RROWS * RP, 52);
	v1_rand_f32(j.gain, RD, 53);
	v1_rand_f32(j.bias, RD, 54);
	v1_rand_f32(j.cosv, RROWS * RD / 2, 55);
	v1_rand_f32(j.sinv, RROWS * RD / 2, 56);
	for (int r = 0; r < RROWS; r++) {
		const float *a = j.a + r * RP, *b = j.b + r * RP;
		float *y = j.want + r * RD;

		if (op == DRM_QUASAR_OP_RMSNORM)
			dp_rmsnorm_ref(a, j.gain, RD, 1e-5f, y);
		else if (op == DRM_QUASAR_OP_LAYERNORM)
			dp_layernorm_ref(a, j.gain, j.bias, RD, 1e-5f, y);
		else if (op == DRM_QUASAR_OP_SOFTMAX)
			dp_softmax_ref(a, RD, y);
		else if (op == DRM_QUASAR_OP_ROPE)
			dp_rope_ref(a, j.cosv + r * RD / 2, j.sinv + r * RD / 2, RD, y);
		else if (op == DRM_QUASAR_OP_ADD)
			dp_add_ref(a, b, RD, y);
		else
			dp_mul_ref(a, b, RD, y);
	}
	ta = strided(fwrun_upload(&e, j.a, sizeof(j.a)), DRM_QUASAR_FORMAT_FP32);
	tb = strided(fwrun_upload(&e, j.b, sizeof(j.b)), DRM_QUASAR_FORMAT_FP32);
	ty = fwrun_tensor(fwrun_alloc(&e, sizeof(j.got)), DRM_QUASAR_FORMAT_FP32, RD0, RD1, RD2, RD);
	if (op == DRM_QUASAR_OP_RMSNORM || op == DRM_QUASAR_OP_LAYERNORM) {
		struct drm_quasar_cmd_norm *c = (void *)cmd;

		h.length = sizeof(*c);
		c->hdr = h;
		c->x = ta;
		c->y = ty;
		c->gain = fwrun_upload(&e, j.gain, sizeof(j.gain));
		if (op == DRM_QUASAR_OP_LAYERNORM)
			c->bias = fwrun_upload(&e, j.bias, sizeof(j.bias));
		c->eps = v1_f2u(1e-5f);
	} else if (op == DRM_QUASAR_OP_SOFTMAX) {
		struct drm_quasar_cmd_softmax *c = (void *)cmd;

		h.length = sizeof(*c);
		c->hdr = h;
		c->x = ta;
		c->y = ty;
	} else if (op == DRM_QUASAR_OP_ROPE) {
		struct drm_quasar_cmd_rope *c = (void *)cmd;

		h.length = sizeof(*c);
		c->hdr = h;
		c->x = ta;
		c->y = ty;
		c->cos = fwrun_upload(&e, j.cosv, sizeof(j.cosv));
		c->sin = fwrun_upload(&e, j.sinv, sizeof(j.sinv));
	} else {
		struct drm_quasar_cmd_eltwise *c = (void *)cmd;

		h.length = sizeof(*c);
		c->hdr = h;
		c->a = ta;
		c->b = tb;
		c->y = ty;
	}
	fwrun_emit(&e, cmd, h.length);
	fwrun_run(&e);
	fwrun_read(&e, ty.addr, j.got, sizeof(j.got));
	bad = v1_job_ok(&e, 1) || v1_same(j.got, j.want, sizeof(j.got), "row op y");
	fwrun_fini(&e);
	return bad;
}

FIXTURE(rmsnorm) { int unused; };
FIXTURE_SETUP(rmsnorm) {}
FIXTURE_TEARDOWN(rmsnorm) {}
FIXTURE(layernorm) { int unused; };
FIXTURE_SETUP(layernorm) {}
FIXTURE_TEARDOWN(layernorm) {}
FIXTURE(softmax) { int unused; };
FIXTURE_SETUP(softmax) {}
FIXTURE_TEARDOWN(softmax) {}
FIXTURE(rope) { int unused; };
FIXTURE_SETUP(rope) {}
FIXTURE_TEARDOWN(rope) {}
FIXTURE(add) { int unused; };
FIXTURE_SETUP(add) {}
FIXTURE_TEARDOWN(add) {}
FIXTURE(mul) { int unused; };
FIXTURE_SETUP(mul) {}
FIXTURE_TEARDOWN(mul) {}

#define ROW_TEST(fx, op)							\
	TEST_F(fx, fp32)							\
	{									\
		EXPECT_EQ(0, row_case(op, BIG_SRAM));				\
		EXPECT_EQ(0, row_case(op, 1024));				\
	}

ROW_TEST(rmsnorm, DRM_QUASAR_OP_RMSNORM)
ROW_TEST(layernorm, DRM_QUASAR_OP_LAYERNORM)
ROW_TEST(softmax, DRM_QUASAR_OP_SOFTMAX)
ROW_TEST(rope, DRM_QUASAR_OP_ROPE)
ROW_TEST(add, DRM_QUASAR_OP_ADD)
ROW_TEST(mul, DRM_QUASAR_OP_MUL)

/* ---- CONVERT between plain formats ---- */

static int plain_convert_case(bool to_bf16, uint64_t sram)
{
	enum { R = 9, D = 40 };
	struct fwrun e;
	float f[R * D];
	uint16_t h[R * D];
	uint8_t want[R * D * 4], got[R * D * 4];
	struct drm_quasar_cmd_convert c = { .hdr = { DRM_QUASAR_OP_CONVERT, sizeof(c), 0 } };
	size_t n;
	int bad;

	if (fwrun_init(&e, sram))
		return 1;
	v1_rand_f32(f, R * D, 61);
	for (int i = 0; i < R * D; i += 17)
		f[i] *= 1e30f;	/* overflow to Inf in BF16 */
	v1_rand_bf16(h, R * D, 62);
	if (to_bf16) {
		dp_f32_to_bf16_ref(f, R * D, (uint16_t *)want);
		c.src = fwrun_tensor(fwrun_upload(&e, f, sizeof(f)), DRM_QUASAR_FORMAT_FP32, 1, 3, 3, D);
		c.dst = fwrun_tensor(fwrun_alloc(&e, sizeof(h)), DRM_QUASAR_FORMAT_BF16, 1, 3, 3, D);
		n = sizeof(h);
	} else {
		dp_bf16_to_f32_ref(h, R * D, (float *)want);
		c.src = fwrun_tensor(fwrun_upload(&e, h, sizeof(h)), DRM_QUASAR_FORMAT_BF16, 1, 3, 3, D);
		c.dst = fwrun_tensor(fwrun_alloc(&e, sizeof(f)), DRM_QUASAR_FORMAT_FP32, 1, 3, 3, D);
		n = sizeof(f);
	}
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	fwrun_read(&e, c.dst.addr, got, n);
	bad = v1_job_ok(&e, 1) || v1_same(got, want, n, "convert dst");
	fwrun_fini(&e);
	return bad;
}

TEST_F(convert, bf16_to_fp32)
{
	EXPECT_EQ(0, plain_convert_case(false, BIG_SRAM));
	EXPECT_EQ(0, plain_convert_case(false, 512));
}

TEST_F(convert, fp32_to_bf16)
{
	EXPECT_EQ(0, plain_convert_case(true, BIG_SRAM));
	EXPECT_EQ(0, plain_convert_case(true, 512));
}

/* A stream mixing ops: ordering across commands, and a v0 command after. */
FIXTURE(stream) { int unused; };
FIXTURE_SETUP(stream) {}
FIXTURE_TEARDOWN(stream) {}

TEST_F(stream, later_command_reads_what_an_earlier_one_wrote_after_barrier)
{
	enum { D = 16 };
	struct fwrun e;
	float a[D], b[D], sum[D], want[D], got[D];
	struct drm_quasar_cmd_eltwise add = { .hdr = { DRM_QUASAR_OP_ADD, sizeof(add), 0 } };
	struct drm_quasar_cmd_eltwise mul = { .hdr = { DRM_QUASAR_OP_MUL, sizeof(mul), 0 } };
	struct drm_quasar_cmd_header barrier = { DRM_QUASAR_OP_BARRIER, 8, 0 };
	struct drm_quasar_cmd_write_value wv = { .hdr = { DRM_QUASAR_OP_WRITE_VALUE, sizeof(wv), 0 } };
	uint64_t fence = 0;

	ASSERT_EQ(0, fwrun_init(&e, BIG_SRAM));
	v1_rand_f32(a, D, 71);
	v1_rand_f32(b, D, 72);
	dp_add_ref(a, b, D, sum);
	dp_mul_ref(sum, a, D, want);
	add.a = fwrun_tensor(fwrun_upload(&e, a, sizeof(a)), DRM_QUASAR_FORMAT_FP32, 1, 1, 1, D);
	add.b = fwrun_tensor(fwrun_upload(&e, b, sizeof(b)), DRM_QUASAR_FORMAT_FP32, 1, 1, 1, D);
	add.y = fwrun_tensor(fwrun_alloc(&e, sizeof(sum)), DRM_QUASAR_FORMAT_FP32, 1, 1, 1, D);
	mul.a = add.y;
	mul.b = add.a;
	mul.y = fwrun_tensor(fwrun_alloc(&e, sizeof(got)), DRM_QUASAR_FORMAT_FP32, 1, 1, 1, D);
	wv.addr = fwrun_alloc(&e, 8);
	wv.value = 0x1234;
	fwrun_emit_isa_version(&e, 1);
	fwrun_emit(&e, &add, sizeof(add));
	fwrun_emit(&e, &barrier, sizeof(barrier));
	fwrun_emit(&e, &mul, sizeof(mul));
	fwrun_emit(&e, &wv, sizeof(wv));
	fwrun_run(&e);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, e.res.status);
	EXPECT_EQ(5u, e.res.cmd_index);
	fwrun_read(&e, mul.y.addr, got, sizeof(got));
	EXPECT_EQ(0, memcmp(got, want, sizeof(got)));
	fwrun_read(&e, wv.addr, &fence, 8);
	EXPECT_EQ(0x1234u, fence);
	fwrun_fini(&e);
}

TEST_HARNESS_MAIN
