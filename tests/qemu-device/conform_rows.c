// SPDX-License-Identifier: MIT
/*
 * Guest conformance: the row operations (RMSNORM, LAYERNORM, SOFTMAX, ROPE,
 * ADD, MUL) and plain CONVERT on the device against dp_*_ref, row by row.
 *
 * Every input and output is a 4-D tensor with gaps at each level, inputs
 * strided differently from the output; the tile cases hold more rows than
 * the device's default 4 MiB SRAM stages at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform_cases.h"
#include "dp_num.h"
#include "dp_ops.h"

struct cf_rows {
	float *a, *b, *want, *got;		/* dense rows x d */
	float *gain, *bias, *cosv, *sinv;
};

static void cf_rows_free(struct cf_rows *r)
{
	free(r->a);
	free(r->b);
	free(r->want);
	free(r->got);
	free(r->gain);
	free(r->bias);
	free(r->cosv);
	free(r->sinv);
}

static int cf_rows_alloc(struct cf_rows *r, uint64_t rows, uint32_t d)
{
	size_t n = rows * d;

	memset(r, 0, sizeof(*r));
	r->a = malloc(n * 4);
	r->b = malloc(n * 4);
	r->want = malloc(n * 4);
	r->got = malloc(n * 4);
	r->gain = malloc((size_t)d * 4);
	r->bias = malloc((size_t)d * 4);
	r->cosv = malloc(n / 2 * 4);
	r->sinv = malloc(n / 2 * 4);
	return r->a && r->b && r->want && r->got && r->gain && r->bias && r->cosv &&
	       r->sinv ? 0 : -1;
}

static float cf_eps(uint16_t op)
{
	return op == DRM_QUASAR_OP_RMSNORM ? 1e-6f : 1e-3f;
}

/* The golden rows; 0, or the datapath's error. */
static int cf_rows_golden(uint16_t op, const struct cf_rows *r, uint64_t rows, uint32_t d)
{
	int err = 0;

	for (uint64_t i = 0; i < rows && !err; i++) {
		const float *a = r->a + i * d, *b = r->b + i * d;
		float *y = r->want + i * d;

		switch (op) {
		case DRM_QUASAR_OP_RMSNORM:
			err = dp_rmsnorm_ref(a, r->gain, d, cf_eps(op), y);
			break;
		case DRM_QUASAR_OP_LAYERNORM:
			err = dp_layernorm_ref(a, r->gain, r->bias, d, cf_eps(op), y);
			break;
		case DRM_QUASAR_OP_SOFTMAX:
			err = dp_softmax_ref(a, d, y);
			break;
		case DRM_QUASAR_OP_ROPE:
			err = dp_rope_ref(a, r->cosv + i * d / 2, r->sinv + i * d / 2, d, y);
			break;
		case DRM_QUASAR_OP_ADD:
			err = dp_add_ref(a, b, d, y);
			break;
		default:
			err = dp_mul_ref(a, b, d, y);
			break;
		}
	}
	if (err)
		fprintf(stderr, "# golden row op %u: %d\n", op, err);
	return err;
}

/*
 * Specials for ADD/MUL, one non-finite operand per element pair (a NaN
 * meeting a NaN would leave the payload to operand order): Inf + -Inf and
 * 0 * Inf make the default NaN, a NaN passes through quieted.
 */
static void cf_rows_specials(struct cf_rows *r, uint32_t d)
{
	const uint32_t bits[][2] = {
		{ 0x7f800000, 0xff800000 },	/* Inf, -Inf */
		{ 0x00000000, 0x7f800000 },	/* 0, Inf */
		{ 0x7fa00001, 0x3f800000 },	/* signalling NaN, 1 */
		{ 0x3f800000, 0xffc00123 },	/* 1, quiet NaN with payload */
		{ 0x00000001, 0x80000001 },	/* subnormals */
		{ 0x7f7fffff, 0x7f7fffff },	/* overflow to Inf */
		{ 0x80000000, 0x00000000 },	/* -0, +0 */
	};

	for (uint32_t i = 0; i < sizeof(bits) / sizeof(bits[0]) && i < d; i++) {
		r->a[i * 3 % d] = dp_u2f(bits[i][0]);
		r->b[i * 3 % d] = dp_u2f(bits[i][1]);
	}
}

static int cf_rowop_run(struct cf_env *e, uint16_t op, const uint32_t dims[4],
			const uint32_t apad[3], const uint32_t bpad[3], const uint32_t ypad[3],
			uint32_t min_tiles, const char *what)
{
	uint64_t rows = (uint64_t)dims[0] * dims[1] * dims[2];
	uint32_t d = dims[3], seed = 1000 + op * 16 + (min_tiles > 1);
	uint8_t cmd[256] = { 0 };
	struct drm_quasar_cmd_header h = { op, 0, 0 };
	struct cf_tensor at, bt, yt;
	struct cf_rows r;
	int bad = -1;

	if (cf_rows_alloc(&r, rows, d))
		goto out;
	/* Softmax over a wider range, so that exp() spans many binades. */
	cf_rand_f32(r.a, rows * d, seed, op == DRM_QUASAR_OP_SOFTMAX ? 12.0f : 3.0f);
	cf_rand_f32(r.b, rows * d, seed + 1, 3.0f);
	cf_rand_f32(r.gain, d, seed + 2, 2.0f);
	cf_rand_f32(r.bias, d, seed + 3, 1.0f);
	cf_rand_f32(r.cosv, rows * d / 2, seed + 4, 1.0f);
	cf_rand_f32(r.sinv, rows * d / 2, seed + 5, 1.0f);
	if (op == DRM_QUASAR_OP_ADD || op == DRM_QUASAR_OP_MUL)
		cf_rows_specials(&r, d);
	else	/* a constant row: zero variance */
		for (uint32_t j = 0; j < d; j++)
			r.a[j] = 0.5f;
	if (cf_rows_golden(op, &r, rows, d))
		goto out;
	if (cf_tensor_new(e, &at, DRM_QUASAR_FORMAT_FP32, dims, apad) ||
	    cf_tensor_new(e, &bt, DRM_QUASAR_FORMAT_FP32, dims, bpad) ||
	    cf_tensor_new(e, &yt, DRM_QUASAR_FORMAT_FP32, dims, ypad))
		goto out;
	cf_tensor_put(&at, r.a);
	cf_tensor_put(&bt, r.b);
	if (op == DRM_QUASAR_OP_RMSNORM || op == DRM_QUASAR_OP_LAYERNORM) {
		struct drm_quasar_cmd_norm *c = (void *)cmd;

		h.length = sizeof(*c);
		c->x = at.t;
		c->y = yt.t;
		c->gain = cf_upload(e, r.gain, (uint64_t)d * 4);
		if (op == DRM_QUASAR_OP_LAYERNORM)
			c->bias = cf_upload(e, r.bias, (uint64_t)d * 4);
		c->eps = cf_f2u(cf_eps(op));
	} else if (op == DRM_QUASAR_OP_SOFTMAX) {
		struct drm_quasar_cmd_softmax *c = (void *)cmd;

		h.length = sizeof(*c);
		c->x = at.t;
		c->y = yt.t;
	} else if (op == DRM_QUASAR_OP_ROPE) {
		struct drm_quasar_cmd_rope *c = (void *)cmd;

		h.length = sizeof(*c);
		c->x = at.t;
		c->y = yt.t;
		c->cos = cf_upload(e, r.cosv, rows * d / 2 * 4);
		c->sin = cf_upload(e, r.sinv, rows * d / 2 * 4);
	} else {
		struct drm_quasar_cmd_eltwise *c = (void *)cmd;

		h.length = sizeof(*c);
		c->a = at.t;
		c->b = bt.t;
		c->y = yt.t;
	}
	memcpy(cmd, &h, sizeof(h));
	cf_emit_version(e, DRM_QUASAR_ISA_VERSION);
	cf_emit(e, cmd, h.length);
	bad = cf_run_ok(e, 0);
	if (bad)
		goto out;
	cf_tensor_get(&yt, r.got);
	bad = cf_same(r.got, r.want, rows * d, 4, d, what);
	bad |= cf_tensor_untouched_outside(&yt, what);
	bad |= cf_expect_tiles(e, min_tiles, what);
out:
	cf_rows_free(&r);
	cf_release(e);
	return bad;
}

int cf_rowop_small(struct cf_env *e, uint16_t op)
{
	static const uint32_t dims[4] = { 2, 3, 5, 24 };

	return cf_rowop_run(e, op, dims, (const uint32_t[3]){ 24, 16, 8 },
			    (const uint32_t[3]){ 0, 40, 0 }, (const uint32_t[3]){ 8, 0, 4 },
			    0, "row op, small");
}

int cf_rowop_tiles(struct cf_env *e, uint16_t op)
{
	/* 700 rows of 800: 4.3 MiB for a one-input op, 6.4 MiB with two. */
	static const uint32_t dims[4] = { 5, 7, 20, 800 };

	return cf_rowop_run(e, op, dims, (const uint32_t[3]){ 32, 16, 8 }, NULL,
			    (const uint32_t[3]){ 0, 0, 16 }, 2, "row op, tiles");
}

/* ---- CONVERT between plain formats ---- */

/* FP32 bit patterns a conversion must get right. */
static const uint32_t cf_f32_specials[] = {
	0x7f800000, 0xff800000,		/* Inf */
	0x7fc00000, 0xffc12345,		/* quiet NaNs */
	0x7f800001, 0xff812345,		/* signalling NaNs (low payload only) */
	0x7fbfffff,			/* signalling NaN, high payload */
	0x80000000, 0x00000000,		/* zeros */
	0x00000001, 0x807fffff,		/* subnormals */
	0x7f7fffff, 0xff7fffff,		/* largest: round to Inf */
	0x3f808000, 0x3f818000,		/* ties: to even, down and up */
	0x3f808001, 0x3f807fff,		/* just off the tie */
	0x007f8000, 0x00008000,		/* subnormal ties */
};

int cf_convert_plain(struct cf_env *e, bool to_bf16, bool tiles)
{
	/* Small: every BF16 code (65536) or as many FP32 patterns, strided. */
	const uint32_t small[4] = { 1, 4, 16, 1024 }, big[4] = { 1, 7, 100, 1200 };
	const uint32_t *dims = tiles ? big : small;
	uint64_t n = (uint64_t)dims[0] * dims[1] * dims[2] * dims[3];
	uint32_t seed = 1200 + to_bf16 * 2 + tiles, osz = to_bf16 ? 2 : 4;
	struct drm_quasar_cmd_convert c = { .hdr = { DRM_QUASAR_OP_CONVERT, sizeof(c), 0 } };
	struct cf_tensor st, dt;
	void *src = malloc(n * 4), *want = malloc(n * 4), *got = malloc(n * 4);
	const char *what = to_bf16 ? "convert FP32 -> BF16" : "convert BF16 -> FP32";
	int bad = -1;

	if (!src || !want || !got)
		goto out;
	if (to_bf16) {
		uint32_t *u = src;

		/* Random bit patterns: every class, NaNs and subnormals included. */
		for (uint64_t i = 0; i < n; i++) {
			seed = seed * 1664525u + 1013904223u;
			u[i] = seed ^ (seed >> 13) * 0x9e3779b1u;
		}
		memcpy(u, cf_f32_specials, sizeof(cf_f32_specials));
		dp_f32_to_bf16_ref(src, (uint32_t)n, want);
	} else {
		uint16_t *h = src;

		for (uint64_t i = 0; i < n; i++)
			h[i] = (uint16_t)(tiles ? i * 40503u : i);
		dp_bf16_to_f32_ref(src, (uint32_t)n, want);
	}
	if (cf_tensor_new(e, &st, to_bf16 ? DRM_QUASAR_FORMAT_FP32 : DRM_QUASAR_FORMAT_BF16,
			  dims, (const uint32_t[3]){ 64, 32, 8 }) ||
	    cf_tensor_new(e, &dt, to_bf16 ? DRM_QUASAR_FORMAT_BF16 : DRM_QUASAR_FORMAT_FP32,
			  dims, (const uint32_t[3]){ 0, 16, 4 }))
		goto out;
	cf_tensor_put(&st, src);
	c.src = st.t;
	c.dst = dt.t;
	cf_emit(e, &c, sizeof(c));
	bad = cf_run_ok(e, 0);
	if (bad)
		goto out;
	cf_tensor_get(&dt, got);
	bad = cf_same(got, want, n, osz, dims[3], what);
	bad |= cf_tensor_untouched_outside(&dt, what);
	bad |= cf_expect_tiles(e, tiles ? 2 : 0, what);
out:
	free(src);
	free(want);
	free(got);
	cf_release(e);
	return bad;
}
