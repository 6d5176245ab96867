// SPDX-License-Identifier: MIT
/*
 * Guest conformance: GEMM and CONV2D on the device against dp_gemm_ref.
 *
 * Shapes: the epilogue cases are small and irregular (K off every block
 * grid, a partial last panel, 4-D strided X, Y and residual); the tile
 * cases are sized for the device's default 4 MiB SRAM so that the plan of
 * docs/cost-model.md section 4 needs more than one tile: X rows beyond
 * what fits next to one weight panel, or weights beyond what fits at all.
 * Each stays well under two seconds of golden model under TCG.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform_cases.h"
#include "conform_wt.h"
#include "dp_gemm.h"
#include "dp_num.h"
#include "dp_ops.h"

struct cf_gemm_spec {
	uint32_t fmt;
	bool a8;
	uint32_t ofmt;			/* DRM_QUASAR_FORMAT_FP32 or _BF16 */
	uint32_t xdims[4];		/* rows = M, xdims[3] = K */
	uint32_t ydims[4];		/* rows = M, ydims[3] = N */
	uint32_t xpad[3], ypad[3];
	uint32_t act;
	float alpha;
	bool bias, residual;
	uint32_t big_panels;		/* weights from cf_weights_big() */
	struct cf_wopts wo;
	uint32_t min_tiles;		/* what the shape was sized for */
	uint32_t seed;
	bool tiny_rows;			/* row r of X times 2^-cf_tiny_exp[r % 8] */
};

/*
 * Scales of tiny activation rows (|x| < 3 before): amax from below 2^-63
 * down to BF16 subnormals; from 2^-123 on, 127 / amax exceeds binary32.
 */
static const uint8_t cf_tiny_exp[8] = { 65, 100, 118, 123, 125, 127, 129, 131 };

/* Inputs, golden output and device output of one GEMM or CONV2D. */
struct cf_gemm_bufs {
	uint16_t *x;		/* dense X rows (CONV2D: the NHWC input) */
	uint16_t *col;		/* CONV2D: im2col of x */
	int8_t *qx;
	float *sx, *bias;
	void *res, *want, *got;
};

static void cf_gemm_bufs_free(struct cf_gemm_bufs *b)
{
	free(b->x);
	free(b->col);
	free(b->qx);
	free(b->sx);
	free(b->bias);
	free(b->res);
	free(b->want);
	free(b->got);
}

static int cf_gemm_bufs_alloc(struct cf_gemm_bufs *b, size_t xn, size_t m, size_t k,
			      size_t n, uint32_t osz)
{
	memset(b, 0, sizeof(*b));
	b->x = malloc(xn * 2);
	b->qx = malloc(m * k);
	b->sx = malloc(m * sizeof(float));
	b->bias = malloc(n * sizeof(float));
	b->res = malloc(m * n * osz);
	b->want = malloc(m * n * osz);
	b->got = malloc(m * n * osz);
	return b->x && b->qx && b->sx && b->bias && b->res && b->want && b->got ? 0 : -1;
}

/* The golden GEMM over dense rows @rows (M x K BF16). */
static int cf_gemm_golden(const struct cf_weights *w, struct cf_gemm_bufs *b,
			  const uint16_t *rows, uint32_t m, bool a8, uint32_t ofmt,
			  float alpha, uint32_t act, bool bias, bool res)
{
	uint32_t k = w->wt.k;
	struct dp_gemm g = {
		.w = &w->wt, .m = m, .afmt = a8 ? DP_A_INT8 : DP_A_BF16, .x = rows,
		.qx = b->qx, .sx = b->sx, .ldx = k, .alpha = alpha,
		.bias = bias ? b->bias : NULL, .act = act,
		.ofmt = ofmt == DRM_QUASAR_FORMAT_FP32 ? DP_O_FP32 : DP_O_BF16,
		.res = res ? b->res : NULL, .y = b->want, .ldy = w->wt.n,
	};
	int err;

	if (a8)
		for (uint32_t r = 0; r < m; r++)
			dp_act_quant_ref(rows + (size_t)r * k, k, b->qx + (size_t)r * k, &b->sx[r]);
	err = dp_gemm_ref(&g);
	if (err)
		fprintf(stderr, "# dp_gemm_ref: %d\n", err);
	return err;
}

/* After an OK job: the device's Y equals the golden one and nothing else moved. */
static int cf_gemm_check(struct cf_env *e, const struct cf_tensor *yt,
			 struct cf_gemm_bufs *b, uint32_t min_tiles, const char *what)
{
	int bad;

	cf_tensor_get(yt, b->got);
	bad = cf_same(b->got, b->want, yt->rows * yt->d, yt->esize, yt->d, what);
	bad |= cf_tensor_untouched_outside(yt, what);
	return bad | cf_expect_tiles(e, min_tiles, what);
}

static int cf_gemm_run(struct cf_env *e, const struct cf_gemm_spec *s, const char *what)
{
	uint32_t m = s->xdims[0] * s->xdims[1] * s->xdims[2], k = s->xdims[3];
	uint32_t n = s->ydims[3], osz = s->ofmt == DRM_QUASAR_FORMAT_FP32 ? 4 : 2;
	struct drm_quasar_cmd_gemm c = { .hdr = { DRM_QUASAR_OP_GEMM, sizeof(c), 0 } };
	struct cf_tensor xt, yt, rt;
	struct cf_weights w;
	struct cf_gemm_bufs b;
	int bad = -1;

	if (cf_gemm_bufs_alloc(&b, (size_t)m * k, m, k, n, osz))
		goto out_bufs;
	if (s->big_panels ? cf_weights_big(e, &w, s->fmt, s->big_panels, k, s->seed) :
			    cf_weights_new(e, &w, s->fmt, n, k, s->seed, &s->wo))
		goto out_bufs;
	cf_rand_bf16(b.x, (size_t)m * k, s->seed + 1, 3.0f);
	if (s->tiny_rows)
		for (size_t i = 0; i < (size_t)m * k; i++)
			b.x[i] = dp_f32_to_bf16(ldexpf(dp_bf16_to_f32(b.x[i]),
						       -(int)cf_tiny_exp[i / k % 8]));
	cf_rand_f32(b.bias, n, s->seed + 2, 2.0f);
	if (osz == 4)
		cf_rand_f32(b.res, (size_t)m * n, s->seed + 3, 4.0f);
	else
		cf_rand_bf16(b.res, (size_t)m * n, s->seed + 3, 4.0f);
	if (cf_gemm_golden(&w, &b, b.x, m, s->a8, s->ofmt, s->alpha, s->act, s->bias,
			   s->residual))
		goto out;
	if (cf_tensor_new(e, &xt, DRM_QUASAR_FORMAT_BF16, s->xdims, s->xpad) ||
	    cf_tensor_new(e, &yt, s->ofmt, s->ydims, s->ypad) ||
	    (s->residual && cf_tensor_new(e, &rt, s->ofmt, s->ydims, s->ypad)))
		goto out;
	cf_tensor_put(&xt, b.x);
	c.x = xt.t;
	c.w = w.t;
	c.wp = w.wp;
	c.y = yt.t;
	if (s->bias)
		c.bias = cf_upload(e, b.bias, (uint64_t)n * 4);
	if (s->residual) {
		cf_tensor_put(&rt, b.res);
		c.residual = rt.t.addr;
	}
	c.alpha = cf_f2u(s->alpha);
	c.act = s->act;
	c.flags = s->a8 ? DRM_QUASAR_GEMM_A8 : 0;
	cf_emit_version(e, DRM_QUASAR_ISA_VERSION);
	cf_emit(e, &c, sizeof(c));
	bad = cf_run_ok(e, 0);
	if (!bad)
		bad = cf_gemm_check(e, &yt, &b, s->min_tiles, what);
out:
	cf_weights_free(&w);
out_bufs:
	cf_gemm_bufs_free(&b);
	cf_release(e);
	return bad;
}

int cf_gemm_epilogue(struct cf_env *e, uint32_t fmt, bool a8, bool bf16_out)
{
	/* M = 6 rows seen as {1, 2, 3} by X and {2, 1, 3} by Y; N = 40 is two
	 * full panels and a partial one; K = 200 is off every block grid. */
	struct cf_gemm_spec s = {
		.fmt = fmt, .a8 = a8,
		.ofmt = bf16_out ? DRM_QUASAR_FORMAT_BF16 : DRM_QUASAR_FORMAT_FP32,
		.xdims = { 1, 2, 3, 200 }, .xpad = { 0, 40, 24 },
		.ydims = { 2, 1, 3, 40 }, .ypad = { 8, 0, 4 },
		.act = bf16_out ? (a8 ? DRM_QUASAR_ACT_RELU : DRM_QUASAR_ACT_SILU) :
				  DRM_QUASAR_ACT_GELU,
		.alpha = bf16_out ? -1.25f : 0.75f, .bias = true, .residual = true,
		.wo = { .group = 64, .zeros = true, .nvfp4_1level = bf16_out },
		.seed = 100 + fmt * 8 + a8 * 4 + bf16_out,
	};

	return cf_gemm_run(e, &s, bf16_out ? "gemm epilogue, BF16 y" : "gemm epilogue, FP32 y");
}

int cf_gemm_row_tiles(struct cf_env *e, uint32_t fmt, bool a8)
{
	/* 640 rows of K = 4096: 5 MiB of X, or 7.5 MiB with its int8 copy. */
	struct cf_gemm_spec s = {
		.fmt = fmt, .a8 = a8, .ofmt = DRM_QUASAR_FORMAT_FP32,
		.xdims = { 1, 1, 640, 4096 }, .ydims = { 1, 1, 640, 3 },
		.act = DRM_QUASAR_ACT_NONE, .alpha = 1.5f, .bias = true,
		.wo = { .group = 128 }, .min_tiles = 2, .seed = 300 + fmt * 2 + a8,
	};

	return cf_gemm_run(e, &s, "gemm row tiles");
}

int cf_gemm_tiny_rows(struct cf_env *e, uint32_t fmt)
{
	/* int8 activations of rows with amax below 2^-63, five of them small
	 * enough that 127 / amax would overflow binary32 without
	 * docs/numerics.md §3's lift; alpha brings the outputs back up. */
	struct cf_gemm_spec s = {
		.fmt = fmt, .a8 = true, .ofmt = DRM_QUASAR_FORMAT_FP32,
		.xdims = { 1, 1, 8, 96 }, .ydims = { 1, 1, 8, 20 },
		.act = DRM_QUASAR_ACT_NONE, .alpha = 0x1p100f,
		.wo = { .group = 32 }, .seed = 1100 + fmt, .tiny_rows = true,
	};

	return cf_gemm_run(e, &s, "gemm a8 tiny rows");
}

/* Panels of K = 2048 that make about 5 MiB of packed weights. */
static uint32_t cf_big_panels(uint32_t fmt, uint32_t k)
{
	const struct dp_fmt_info *fi = dp_fmt_info(cf_dp_fmt(fmt));
	uint64_t bits = fi->elem_bits * (fi->sparse ? k / 2 : k) + (fi->sparse ? k : 0);

	/* Codes, and 2:4 index codes at 4 bits per 4; scales are extra margin. */
	return (uint32_t)((5ull << 20) * 8 / (bits * DP_PANEL)) + 1;
}

int cf_gemm_weight_tiles(struct cf_env *e, uint32_t fmt, bool a8)
{
	enum { K = 2048 };
	uint32_t panels = cf_big_panels(fmt, K);
	struct cf_gemm_spec s = {
		.fmt = fmt, .a8 = a8, .ofmt = DRM_QUASAR_FORMAT_FP32,
		.xdims = { 1, 1, 1, K }, .ydims = { 1, 1, 1, panels * DP_PANEL },
		.act = DRM_QUASAR_ACT_SILU, .alpha = 0.5f, .bias = true, .residual = true,
		.big_panels = panels, .min_tiles = 2, .seed = 500 + fmt * 2 + a8,
	};

	return cf_gemm_run(e, &s, "gemm weight tiles");
}

/* ---- CONV2D ---- */

struct cf_conv_spec {
	uint32_t fmt;
	bool a8;
	uint32_t ofmt;
	struct dp_conv2d cv;
	uint32_t cout;
	uint32_t xpad[3], ypad[3];
	uint32_t act;
	float alpha;
	bool bias;
	uint32_t min_tiles;
	uint32_t seed;
};

static int cf_conv_run(struct cf_env *e, const struct cf_conv_spec *s, const char *what)
{
	const struct dp_conv2d *cv = &s->cv;
	uint32_t k = cv->kh * cv->kw * cv->cin, osz = s->ofmt == DRM_QUASAR_FORMAT_FP32 ? 4 : 2;
	uint32_t oh, ow, m;
	struct drm_quasar_cmd_conv2d c = { .hdr = { DRM_QUASAR_OP_CONV2D, sizeof(c), 0 } };
	struct cf_tensor xt, yt;
	struct cf_weights w;
	struct cf_gemm_bufs b;
	size_t xn = (size_t)cv->b * cv->h * cv->w * cv->cin;
	int bad = -1;

	if (dp_conv2d_out(cv, &oh, &ow))
		return -1;
	m = cv->b * oh * ow;
	if (cf_gemm_bufs_alloc(&b, xn, m, k, s->cout, osz))
		goto out_bufs;
	b.col = malloc((size_t)m * k * 2);
	if (!b.col || cf_weights_new(e, &w, s->fmt, s->cout, k, s->seed, NULL))
		goto out_bufs;
	cf_rand_bf16(b.x, xn, s->seed + 1, 3.0f);
	cf_rand_f32(b.bias, s->cout, s->seed + 2, 2.0f);
	if (dp_conv2d_im2col(cv, b.x, b.col) ||
	    cf_gemm_golden(&w, &b, b.col, m, s->a8, s->ofmt, s->alpha, s->act, s->bias, false))
		goto out;
	if (cf_tensor_new(e, &xt, DRM_QUASAR_FORMAT_BF16,
			  (const uint32_t[4]){ cv->b, cv->h, cv->w, cv->cin }, s->xpad) ||
	    cf_tensor_new(e, &yt, s->ofmt, (const uint32_t[4]){ cv->b, oh, ow, s->cout },
			  s->ypad))
		goto out;
	cf_tensor_put(&xt, b.x);
	c.x = xt.t;
	c.w = w.t;
	c.wp = w.wp;
	c.y = yt.t;
	if (s->bias)
		c.bias = cf_upload(e, b.bias, (uint64_t)s->cout * 4);
	c.kh = cv->kh;
	c.kw = cv->kw;
	c.stride = cv->stride;
	c.pad = cv->pad;
	c.alpha = cf_f2u(s->alpha);
	c.act = s->act;
	c.flags = s->a8 ? DRM_QUASAR_GEMM_A8 : 0;
	cf_emit(e, &c, sizeof(c));
	bad = cf_run_ok(e, 0);
	if (!bad)
		bad = cf_gemm_check(e, &yt, &b, s->min_tiles, what);
out:
	cf_weights_free(&w);
out_bufs:
	cf_gemm_bufs_free(&b);
	cf_release(e);
	return bad;
}

int cf_conv_small(struct cf_env *e, uint32_t fmt, bool a8)
{
	/* 3x3, stride 2, padded: windows cut by every edge; pixels and rows
	 * of the input and output strided. */
	struct cf_conv_spec s1 = {
		.fmt = fmt, .a8 = a8, .ofmt = DRM_QUASAR_FORMAT_FP32,
		.cv = { .b = 2, .h = 5, .w = 4, .cin = 8, .kh = 3, .kw = 3, .stride = 2,
			.pad = 1 },
		.cout = 20, .xpad = { 16, 8, 4 }, .ypad = { 0, 12, 4 },
		.act = DRM_QUASAR_ACT_SILU, .alpha = 1.0f, .bias = true,
		.seed = 700 + fmt * 2 + a8,
	};
	/* 2x3 unpadded, stride 1, BF16 out, no bias. */
	struct cf_conv_spec s2 = {
		.fmt = fmt, .a8 = a8, .ofmt = DRM_QUASAR_FORMAT_BF16,
		.cv = { .b = 1, .h = 6, .w = 7, .cin = 12, .kh = 2, .kw = 3, .stride = 1 },
		.cout = 17, .ypad = { 0, 0, 8 },
		.act = DRM_QUASAR_ACT_GELU, .alpha = 0.5f, .seed = 800 + fmt * 2 + a8,
	};
	int bad = cf_conv_run(e, &s1, "conv2d 3x3/2 pad 1, FP32 y");

	return bad | cf_conv_run(e, &s2, "conv2d 2x3/1, BF16 y");
}

int cf_conv_tiles(struct cf_env *e, uint32_t fmt, bool a8)
{
	/* 4512 output pixels, K = 576: 5.2 MiB of im2col rows. */
	struct cf_conv_spec s = {
		.fmt = fmt, .a8 = a8, .ofmt = DRM_QUASAR_FORMAT_FP32,
		.cv = { .b = 2, .h = 47, .w = 48, .cin = 64, .kh = 3, .kw = 3, .stride = 1,
			.pad = 1 },
		.cout = 3, .act = DRM_QUASAR_ACT_RELU, .alpha = 2.0f, .bias = true,
		.min_tiles = 2, .seed = 900 + fmt * 2 + a8,
	};

	return cf_conv_run(e, &s, "conv2d tiles");
}
