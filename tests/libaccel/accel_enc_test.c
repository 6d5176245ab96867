// SPDX-License-Identifier: MIT
/*
 * libaccel's op encoders against the firmware: every command the builder
 * makes (accel_enc_*, what accel_op_* append) runs as a job through
 * fw_job_run() over the test HAL's memory and must give the golden
 * model's bytes. Weights are quantized by libquasar_compress and laid out as
 * compress_tensor_from_qtensor() lays them out, so this also proves that
 * layout is the one the device reads. Test names are <op>.<case>.
 */
#include "kselftest_harness.h"

#include "dp_attn.h"
#include "la_env.h"

#define SRAM	(1u << 20)
#define GM	5
#define GN	40	/* three panels, the last one partial */
#define GK	160	/* off the MX block grid, one and a quarter g128 groups */
#define XPITCH	(GK + 24)	/* x rows are strided */

struct gemm_case {
	uint32_t fmt, group;
	bool asym, a8, bf16_out, bias, residual;
	float alpha;
	uint32_t act;
};

static int gemm_run(const struct gemm_case *gc)
{
	static uint16_t x[GM * XPITCH], res16[GM * GN];
	static float bias[GN], res32[GM * GN], want[GM * GN], got[GM * GN], sx[GM];
	static int8_t qx[GM * GK];
	const size_t osz = gc->bf16_out ? 2 : 4, ybytes = (size_t)GM * GN * osz;
	uint32_t ofmt = gc->bf16_out ? DRM_QUASAR_FORMAT_BF16 : DRM_QUASAR_FORMAT_FP32;
	struct accel_operand xo, yo, bo, ro;
	struct drm_quasar_cmd_gemm c;
	struct accel_enc_epi epi;
	struct la_weights w;
	struct accel_why why;
	struct fwrun e;
	struct dp_gemm g;
	uint32_t st;
	int bad;

	if (fwrun_init(&e, SRAM) || la_weights(&e, &w, gc->fmt, GN, GK, gc->group, gc->asym,
					    gc->fmt * 7 + gc->group))
		return 1;
	v1_rand_bf16(x, GM * XPITCH, 11);
	v1_rand_f32(bias, GN, 12);
	v1_rand_f32(res32, GM * GN, 13);
	for (int i = 0; i < GM * GN; i++)
		res16[i] = dp_f32_to_bf16(res32[i]);
	for (int m = 0; m < GM; m++)
		dp_act_quant_ref(x + m * XPITCH, GK, qx + m * GK, &sx[m]);
	g = (struct dp_gemm){
		.w = compress_qtensor_wt(w.qt), .m = GM, .afmt = gc->a8 ? DP_A_INT8 : DP_A_BF16,
		.x = x, .qx = qx, .sx = sx, .ldx = gc->a8 ? GK : XPITCH, .alpha = gc->alpha,
		.bias = gc->bias ? bias : NULL, .act = gc->act,
		.ofmt = gc->bf16_out ? DP_O_BF16 : DP_O_FP32,
		.res = gc->residual ? (gc->bf16_out ? (void *)res16 : (void *)res32) : NULL,
		.y = want, .ldy = GN,
	};
	if (dp_gemm_ref(&g))
		return 1;

	xo = la_plain(&e, DRM_QUASAR_FORMAT_BF16, 1, 1, GM, XPITCH, x);
	xo.t.dims[3] = GK;	/* K of every XPITCH-long row */
	yo = la_plain(&e, ofmt, 1, 1, GM, GN, NULL);
	bo = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, 1, GN, bias);
	ro = la_plain(&e, ofmt, 1, 1, GM, GN, gc->bf16_out ? (void *)res16 : (void *)res32);
	epi = (struct accel_enc_epi){
		.alpha = gc->alpha, .act = gc->act, .flags = gc->a8 ? DRM_QUASAR_GEMM_A8 : 0,
		.bias = gc->bias ? &bo : NULL, .residual = gc->residual ? &ro : NULL,
	};
	st = accel_enc_gemm(&c, &yo, &xo, &w.op, &epi, &why);
	if (st) {
		fprintf(stderr, "# encoder refused: %s\n", why.text);
		return 1;
	}
	st = la_run(&e, &c, sizeof(c));
	fwrun_read(&e, yo.t.addr, got, ybytes);
	bad = st != DRM_QUASAR_STATUS_OK || e.res.cmd_index != 2 ||
	      la_same(got, want, ybytes, "gemm y");
	if (st)
		fprintf(stderr, "# job ended %u at command %u\n", st, e.res.cmd_index);
	compress_qtensor_free(w.qt);
	fwrun_fini(&e);
	return bad;
}

#define NO_STATE(fx)								\
	FIXTURE(fx) { int unused; };						\
	FIXTURE_SETUP(fx) {}							\
	FIXTURE_TEARDOWN(fx) {}

NO_STATE(gemm)

#define GEMM(name, ...)								\
	TEST_F(gemm, name)							\
	{									\
		const struct gemm_case gc = { __VA_ARGS__ };			\
		EXPECT_EQ(0, gemm_run(&gc));					\
	}

GEMM(w4_g32_zeros_bias_residual_gelu, .fmt = DRM_QUASAR_FORMAT_W_INT4, .group = 32,
     .asym = true, .bias = true, .residual = true, .alpha = 0.75f, .act = DRM_QUASAR_ACT_GELU)
GEMM(w4a8_g128_bf16_out_relu, .fmt = DRM_QUASAR_FORMAT_W_INT4, .group = 128, .a8 = true,
     .bf16_out = true, .bias = true, .alpha = 1.0f, .act = DRM_QUASAR_ACT_RELU)
GEMM(w8a8_plain, .fmt = DRM_QUASAR_FORMAT_W_INT8, .a8 = true, .alpha = 1.0f)
GEMM(w8_silu_residual, .fmt = DRM_QUASAR_FORMAT_W_INT8, .residual = true, .alpha = 2.0f,
     .act = DRM_QUASAR_ACT_SILU)
GEMM(bf16, .fmt = DRM_QUASAR_FORMAT_W_BF16, .bias = true, .alpha = 1.0f)
GEMM(mxint8_a8, .fmt = DRM_QUASAR_FORMAT_W_MXINT8, .a8 = true, .alpha = 0.5f)
GEMM(mxfp8, .fmt = DRM_QUASAR_FORMAT_W_MXFP8, .bias = true, .alpha = 1.0f)
GEMM(mxfp4, .fmt = DRM_QUASAR_FORMAT_W_MXFP4, .alpha = 1.0f, .act = DRM_QUASAR_ACT_GELU)
GEMM(nvfp4_a8_bf16_out, .fmt = DRM_QUASAR_FORMAT_W_NVFP4, .a8 = true, .bf16_out = true,
     .residual = true, .alpha = 1.0f)
GEMM(sp_bf16, .fmt = DRM_QUASAR_FORMAT_W_SP_BF16, .alpha = 1.0f)
GEMM(sp_int8_a8, .fmt = DRM_QUASAR_FORMAT_W_SP_INT8, .a8 = true, .bias = true, .alpha = 1.0f)
GEMM(sp_int4_g64_zeros, .fmt = DRM_QUASAR_FORMAT_W_SP_INT4, .group = 64, .asym = true,
     .alpha = 1.0f, .act = DRM_QUASAR_ACT_RELU)

NO_STATE(conv2d)
NO_STATE(rmsnorm)
NO_STATE(layernorm)
NO_STATE(softmax)
NO_STATE(rope)
NO_STATE(add)
NO_STATE(mul)
NO_STATE(gather)
NO_STATE(convert)

/* CONV2D through the encoder: stride 2, padding 1, bias, SiLU, A8. */
TEST_F(conv2d, w8a8_stride2_pad1)
{
	const struct dp_conv2d cv = { .b = 2, .h = 5, .w = 4, .cin = 8, .kh = 3, .kw = 3,
				      .stride = 2, .pad = 1 };
	enum { COUT = 20, K = 72, M = 12, XN = 2 * 5 * 4 * 8 };
	static uint16_t x[XN], col[M * K];
	static float bias[COUT], want[M * COUT], got[M * COUT], sx[M];
	static int8_t qx[M * K];
	struct accel_operand xo, yo, bo;
	struct drm_quasar_cmd_conv2d c;
	struct accel_enc_epi epi;
	struct la_weights w;
	struct accel_why why;
	struct fwrun e;
	struct dp_gemm g;
	uint32_t oh, ow;

	ASSERT_EQ(0, fwrun_init(&e, SRAM));
	ASSERT_EQ(0, la_weights(&e, &w, DRM_QUASAR_FORMAT_W_INT8, COUT, K, 0, false, 5));
	ASSERT_EQ(0, dp_conv2d_out(&cv, &oh, &ow));
	v1_rand_bf16(x, XN, 21);
	v1_rand_f32(bias, COUT, 22);
	dp_conv2d_im2col(&cv, x, col);
	for (int m = 0; m < M; m++)
		dp_act_quant_ref(col + m * K, K, qx + m * K, &sx[m]);
	g = (struct dp_gemm){ .w = compress_qtensor_wt(w.qt), .m = M, .afmt = DP_A_INT8, .x = col,
			      .qx = qx, .sx = sx, .ldx = K, .alpha = 1.0f, .bias = bias,
			      .act = DP_ACT_SILU, .ofmt = DP_O_FP32, .y = want, .ldy = COUT };
	ASSERT_EQ(0, dp_gemm_ref(&g));
	xo = la_plain(&e, DRM_QUASAR_FORMAT_BF16, 2, 5, 4, 8, x);
	yo = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 2, oh, ow, COUT, NULL);
	bo = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, 1, COUT, bias);
	epi = (struct accel_enc_epi){ .alpha = 1.0f, .act = DRM_QUASAR_ACT_SILU,
				      .flags = DRM_QUASAR_GEMM_A8, .bias = &bo };
	ASSERT_EQ(0u, accel_enc_conv2d(&c, &yo, &xo, &w.op, 3, 3, 2, 1, &epi, &why)) {
		TH_LOG("%s", why.text);
	}
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, la_run(&e, &c, sizeof(c)));
	fwrun_read(&e, yo.t.addr, got, sizeof(got));
	EXPECT_EQ(0, la_same(got, want, sizeof(got), "conv2d y"));
	compress_qtensor_free(w.qt);
	fwrun_fini(&e);
}

/* ---- row operations ---- */

#define RR	6	/* rows, as {2, 3} */
#define RD	24

struct row_data {
	float a[RR * RD], b[RR * RD], gain[RD], bias[RD], cosv[RR * RD / 2],
	      sinv[RR * RD / 2], want[RR * RD], got[RR * RD];
};

static int row_run(uint16_t op)
{
	static struct row_data d;
	struct accel_operand a, b, y, gain, bias, cosv, sinv;
	uint8_t cmd[256];
	struct accel_why why;
	struct fwrun e;
	size_t len = 0;
	uint32_t st = 0;
	int bad;

	if (fwrun_init(&e, SRAM))
		return 1;
	v1_rand_f32(d.a, RR * RD, 31);
	v1_rand_f32(d.b, RR * RD, 32);
	v1_rand_f32(d.gain, RD, 33);
	v1_rand_f32(d.bias, RD, 34);
	v1_rand_f32(d.cosv, RR * RD / 2, 35);
	v1_rand_f32(d.sinv, RR * RD / 2, 36);
	for (int r = 0; r < RR; r++) {
		const float *ra = d.a + r * RD, *rb = d.b + r * RD;
		float *ry = d.want + r * RD;

		if (op == DRM_QUASAR_OP_RMSNORM)
			dp_rmsnorm_ref(ra, d.gain, RD, 1e-5f, ry);
		else if (op == DRM_QUASAR_OP_LAYERNORM)
			dp_layernorm_ref(ra, d.gain, d.bias, RD, 1e-5f, ry);
		else if (op == DRM_QUASAR_OP_SOFTMAX)
			dp_softmax_ref(ra, RD, ry);
		else if (op == DRM_QUASAR_OP_ROPE)
			dp_rope_ref(ra, d.cosv + r * RD / 2, d.sinv + r * RD / 2, RD, ry);
		else if (op == DRM_QUASAR_OP_ADD)
			dp_add_ref(ra, rb, RD, ry);
		else
			dp_mul_ref(ra, rb, RD, ry);
	}
	a = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 2, 3, RD, d.a);
	b = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 2, 3, RD, d.b);
	y = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 2, 3, RD, NULL);
	gain = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, 1, RD, d.gain);
	bias = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, 1, RD, d.bias);
	cosv = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, RR, RD / 2, d.cosv);
	sinv = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, RR, RD / 2, d.sinv);
	switch (op) {
	case DRM_QUASAR_OP_RMSNORM:
	case DRM_QUASAR_OP_LAYERNORM:
		st = accel_enc_norm((void *)cmd, op, &y, &a, &gain,
				    op == DRM_QUASAR_OP_LAYERNORM ? &bias : NULL, 1e-5f, &why);
		len = sizeof(struct drm_quasar_cmd_norm);
		break;
	case DRM_QUASAR_OP_SOFTMAX:
		st = accel_enc_softmax((void *)cmd, &y, &a, &why);
		len = sizeof(struct drm_quasar_cmd_softmax);
		break;
	case DRM_QUASAR_OP_ROPE:
		st = accel_enc_rope((void *)cmd, &y, &a, &cosv, &sinv, &why);
		len = sizeof(struct drm_quasar_cmd_rope);
		break;
	default:
		st = accel_enc_eltwise((void *)cmd, op, &y, &a, &b, &why);
		len = sizeof(struct drm_quasar_cmd_eltwise);
		break;
	}
	if (st) {
		fprintf(stderr, "# encoder refused: %s\n", why.text);
		return 1;
	}
	st = la_run(&e, cmd, len);
	fwrun_read(&e, y.t.addr, d.got, sizeof(d.got));
	bad = st != DRM_QUASAR_STATUS_OK || la_same(d.got, d.want, sizeof(d.got), "row op y");
	fwrun_fini(&e);
	return bad;
}

TEST_F(rmsnorm, fp32) { EXPECT_EQ(0, row_run(DRM_QUASAR_OP_RMSNORM)); }
TEST_F(layernorm, fp32) { EXPECT_EQ(0, row_run(DRM_QUASAR_OP_LAYERNORM)); }
TEST_F(softmax, fp32) { EXPECT_EQ(0, row_run(DRM_QUASAR_OP_SOFTMAX)); }
TEST_F(rope, fp32) { EXPECT_EQ(0, row_run(DRM_QUASAR_OP_ROPE)); }
TEST_F(add, fp32) { EXPECT_EQ(0, row_run(DRM_QUASAR_OP_ADD)); }
TEST_F(mul, fp32) { EXPECT_EQ(0, row_run(DRM_QUASAR_OP_MUL)); }

/* ---- GATHER and CONVERT from packed weights, plain CONVERT ---- */

TEST_F(gather, w4_g64_zeros)
{
	static const uint32_t ids[6] = { 3, 39, 17, 17, 0, 32 };
	static float want[6 * GK], got[6 * GK];
	struct accel_operand io, yo;
	struct drm_quasar_cmd_gather c;
	struct la_weights w;
	struct accel_why why;
	struct fwrun e;

	ASSERT_EQ(0, fwrun_init(&e, SRAM));
	ASSERT_EQ(0, la_weights(&e, &w, DRM_QUASAR_FORMAT_W_INT4, GN, GK, 64, true, 41));
	ASSERT_EQ(0, dp_gather_ref(compress_qtensor_wt(w.qt), ids, 6, want, GK));
	io = la_plain(&e, DRM_QUASAR_FORMAT_U32, 1, 1, 1, 6, ids);
	yo = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, 6, GK, NULL);
	ASSERT_EQ(0u, accel_enc_gather(&c, &yo, &w.op, &io, &why)) {
		TH_LOG("%s", why.text);
	}
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, la_run(&e, &c, sizeof(c)));
	fwrun_read(&e, yo.t.addr, got, sizeof(got));
	EXPECT_EQ(0, la_same(got, want, sizeof(got), "gather y"));
	compress_qtensor_free(w.qt);
	fwrun_fini(&e);
}

TEST_F(convert, nvfp4_to_bf16)
{
	static uint16_t want[GN * GK], got[GN * GK];
	struct drm_quasar_cmd_convert c;
	struct accel_operand yo;
	struct la_weights w;
	struct accel_why why;
	struct fwrun e;

	ASSERT_EQ(0, fwrun_init(&e, SRAM));
	ASSERT_EQ(0, la_weights(&e, &w, DRM_QUASAR_FORMAT_W_NVFP4, GN, GK, 0, false, 43));
	ASSERT_EQ(0, dp_dequant_bf16_ref(compress_qtensor_wt(w.qt), 0, GN, want, GK));
	yo = la_plain(&e, DRM_QUASAR_FORMAT_BF16, 1, 1, GN, GK, NULL);
	ASSERT_EQ(0u, accel_enc_convert(&c, &yo, &w.op, &why)) {
		TH_LOG("%s", why.text);
	}
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, la_run(&e, &c, sizeof(c)));
	fwrun_read(&e, yo.t.addr, got, sizeof(got));
	EXPECT_EQ(0, la_same(got, want, sizeof(got), "convert dst"));
	compress_qtensor_free(w.qt);
	fwrun_fini(&e);
}

TEST_F(convert, bf16_to_fp32)
{
	enum { N = 3 * 40 };
	static uint16_t h[N];
	static float want[N], got[N];
	struct drm_quasar_cmd_convert c;
	struct accel_operand src, dst;
	struct accel_why why;
	struct fwrun e;

	ASSERT_EQ(0, fwrun_init(&e, SRAM));
	v1_rand_bf16(h, N, 45);
	dp_bf16_to_f32_ref(h, N, want);
	src = la_plain(&e, DRM_QUASAR_FORMAT_BF16, 1, 1, 3, 40, h);
	dst = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, 3, 40, NULL);
	ASSERT_EQ(0u, accel_enc_convert(&c, &dst, &src, &why)) {
		TH_LOG("%s", why.text);
	}
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, la_run(&e, &c, sizeof(c)));
	fwrun_read(&e, dst.t.addr, got, sizeof(got));
	EXPECT_EQ(0, la_same(got, want, sizeof(got), "convert dst"));
	fwrun_fini(&e);
}

/* ---- ISA v2: MATMUL, the causal SOFTMAX, ADD/MUL of a row ---- */

NO_STATE(matmul)
NO_STATE(softmax_v2)
NO_STATE(eltwise_v2)

/* Q x K^T of 3 queries over a K cache view of 11 rows at column 16 of 48. */
static int matmul_run(uint32_t flags, uint32_t offset)
{
	enum { M = 3, N = 11, K = 16, LD = 48 };
	static float q[M * K], kc[N * LD], want[M * K], got[M * K];	/* N <= K */
	bool trans = flags & DRM_QUASAR_MATMUL_TRANS_B;
	struct drm_quasar_cmd_matmul c;
	struct accel_operand a, b, y;
	struct dp_matmul p;
	struct accel_why why;
	struct fwrun e;
	uint32_t st;
	int bad;

	if (fwrun_init(&e, SRAM))
		return 1;
	v1_rand_f32(q, M * K, 51);
	v1_rand_f32(kc, N * LD, 52);
	/* trans: b is the N x K view; else the same bytes read as K x N (K = 11 rows of 16). */
	p = (struct dp_matmul){ .a = q, .b = kc + 16, .y = want, .m = M, .n = trans ? N : K,
				.k = trans ? K : N, .lda = trans ? K : N, .ldb = LD,
				.ldy = trans ? N : K, .alpha = 0.25f, .trans_b = trans,
				.causal = flags & DRM_QUASAR_MATMUL_CAUSAL, .causal_offset = offset };
	if (dp_matmul_ref(&p))
		return 1;
	a = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, M, p.k, q);
	b = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, N, LD, kc);
	b.t.addr += 16 * 4;	/* the head's columns */
	b.t.dims[3] = K;
	y = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, M, p.n, NULL);
	st = accel_enc_matmul(&c, &y, &a, &b, 0.25f, flags, offset, &why);
	if (st) {
		fprintf(stderr, "# encoder refused: %s\n", why.text);
		return 1;
	}
	st = la_run(&e, &c, sizeof(c));
	fwrun_read(&e, y.t.addr, got, (size_t)M * p.n * 4);
	bad = st != DRM_QUASAR_STATUS_OK || la_same(got, want, (size_t)M * p.n * 4, "matmul y");
	fwrun_fini(&e);
	return bad;
}

TEST_F(matmul, q_k_transposed) { EXPECT_EQ(0, matmul_run(DRM_QUASAR_MATMUL_TRANS_B, 0)); }
TEST_F(matmul, p_v_causal) { EXPECT_EQ(0, matmul_run(DRM_QUASAR_MATMUL_CAUSAL, 8)); }

TEST_F(softmax_v2, causal)
{
	static float x[RR * RD], want[RR * RD], got[RR * RD];
	struct drm_quasar_cmd_softmax_v2 c;
	struct accel_operand xo, yo;
	struct accel_why why;
	struct fwrun e;

	ASSERT_EQ(0, fwrun_init(&e, SRAM));
	v1_rand_f32(x, RR * RD, 53);
	for (int r = 0; r < RR; r++)	/* dims {1, 2, 3, RD}: row r is m = r % 3 */
		dp_softmax_causal_ref(x + r * RD, RD, dp_causal_limit(RD, 20, r % 3),
				      want + r * RD);
	xo = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 2, 3, RD, x);
	yo = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 2, 3, RD, NULL);
	ASSERT_EQ(0u, accel_enc_softmax_v2(&c, &yo, &xo, DRM_QUASAR_SOFTMAX_CAUSAL, 20, &why)) {
		TH_LOG("%s", why.text);
	}
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, la_run(&e, &c, sizeof(c)));
	fwrun_read(&e, yo.t.addr, got, sizeof(got));
	EXPECT_EQ(0, la_same(got, want, sizeof(got), "softmax y"));
	fwrun_fini(&e);
}

static int row_b_run(uint16_t op)
{
	static float a[RR * RD], b[RD], want[RR * RD], got[RR * RD];
	struct drm_quasar_cmd_eltwise_v2 c;
	struct accel_operand ao, bo, yo;
	struct accel_why why;
	struct fwrun e;
	uint32_t st;
	int bad;

	if (fwrun_init(&e, SRAM))
		return 1;
	v1_rand_f32(a, RR * RD, 54);
	v1_rand_f32(b, RD, 55);
	for (int r = 0; r < RR; r++) {
		if (op == DRM_QUASAR_OP_ADD)
			dp_add_ref(a + r * RD, b, RD, want + r * RD);
		else
			dp_mul_ref(a + r * RD, b, RD, want + r * RD);
	}
	ao = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 2, 3, RD, a);
	bo = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, 1, RD, b);
	yo = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 2, 3, RD, NULL);
	st = accel_enc_eltwise_v2(&c, op, &yo, &ao, &bo, DRM_QUASAR_ELTWISE_ROW_B, &why);
	if (st) {
		fprintf(stderr, "# encoder refused: %s\n", why.text);
		return 1;
	}
	st = la_run(&e, &c, sizeof(c));
	fwrun_read(&e, yo.t.addr, got, sizeof(got));
	bad = st != DRM_QUASAR_STATUS_OK || la_same(got, want, sizeof(got), "eltwise y");
	fwrun_fini(&e);
	return bad;
}

TEST_F(eltwise_v2, mul_row) { EXPECT_EQ(0, row_b_run(DRM_QUASAR_OP_MUL)); }
TEST_F(eltwise_v2, add_row) { EXPECT_EQ(0, row_b_run(DRM_QUASAR_OP_ADD)); }

TEST_HARNESS_MAIN
