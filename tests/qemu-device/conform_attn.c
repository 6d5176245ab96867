// SPDX-License-Identifier: MIT
/*
 * ISA v2 cases of the guest conformance suite (docs/isa.md section 11):
 * MATMUL in each flag combination over strided batched tensors and over a
 * B larger than the SRAM, the causal SOFTMAX, ADD/MUL of a row; each
 * against the datapath's golden model from the same input bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform_cases.h"
#include "dp_attn.h"
#include "dp_ops.h"

/* Rows of a host array: row r of a {d0, d1, d2, d3} tensor is at r * d3. */
static uint64_t cf_rows(const uint32_t dims[4])
{
	return (uint64_t)dims[0] * dims[1] * dims[2];
}

/*
 * MATMUL over a {b0, b1, M, K} x {b0, b1, K, N} (or N x K) product; @tiles:
 * one batch matrix whose B is larger than the default SRAM.
 */
int cf_matmul(struct cf_env *e, uint32_t flags, bool tiles)
{
	const bool trans = flags & DRM_QUASAR_MATMUL_TRANS_B;
	const bool causal = flags & DRM_QUASAR_MATMUL_CAUSAL;
	const uint32_t b0 = tiles ? 1 : 2, b1 = tiles ? 1 : 3, m = tiles ? 6 : 5;
	const uint32_t n = tiles ? 1100 : 19, k = tiles ? 1024 : 37;
	const uint32_t offset = causal ? (tiles ? 1020 : 20) : 0;
	const uint32_t ad[4] = { b0, b1, m, k }, yd[4] = { b0, b1, m, n };
	const uint32_t bd[4] = { b0, b1, trans ? n : k, trans ? k : n };
	const uint64_t batch = (uint64_t)b0 * b1;
	float *a = malloc(cf_rows(ad) * k * 4), *b = malloc(cf_rows(bd) * bd[3] * 4);
	float *want = malloc(cf_rows(yd) * n * 4), *got = malloc(cf_rows(yd) * n * 4);
	struct drm_quasar_cmd_matmul c = { .hdr = { DRM_QUASAR_OP_MATMUL, sizeof(c), 0 } };
	struct cf_tensor at, bt, yt;
	char what[64];
	int bad = -1;

	snprintf(what, sizeof(what), "matmul flags %u%s", flags, tiles ? ", tiles" : "");
	if (!a || !b || !want || !got)
		goto out;
	cf_rand_f32(a, cf_rows(ad) * k, 1500 + flags, 2.0f);
	cf_rand_f32(b, cf_rows(bd) * bd[3], 1510 + flags, 2.0f);
	for (uint64_t i = 0; i < batch; i++) {
		struct dp_matmul p = {
			.a = a + i * m * k, .b = b + i * bd[2] * bd[3], .y = want + i * m * n,
			.m = m, .n = n, .k = k, .lda = k, .ldb = bd[3], .ldy = n,
			.alpha = 0.125f, .trans_b = trans, .causal = causal,
			.causal_offset = offset,
		};

		if (dp_matmul_ref(&p))
			goto out;
	}
	if (cf_tensor_new(e, &at, DRM_QUASAR_FORMAT_FP32, ad,
			  tiles ? NULL : (const uint32_t[3]){ 8, 16, 3 }) ||
	    cf_tensor_new(e, &bt, DRM_QUASAR_FORMAT_FP32, bd,
			  tiles ? (const uint32_t[3]){ 0, 0, 8 } : (const uint32_t[3]){ 4, 0, 5 }) ||
	    cf_tensor_new(e, &yt, DRM_QUASAR_FORMAT_FP32, yd,
			  tiles ? NULL : (const uint32_t[3]){ 0, 24, 2 }))
		goto out;
	cf_tensor_put(&at, a);
	cf_tensor_put(&bt, b);
	c.a = at.t;
	c.b = bt.t;
	c.y = yt.t;
	c.alpha = cf_f2u(0.125f);
	c.flags = flags;
	c.causal_offset = offset;
	cf_emit_version(e, 2);
	cf_emit(e, &c, sizeof(c));
	bad = cf_run_ok(e, 0);
	if (bad)
		goto out;
	cf_tensor_get(&yt, got);
	bad = cf_same(got, want, cf_rows(yd) * n, 4, n, what);
	bad |= cf_tensor_untouched_outside(&yt, what);
	bad |= cf_expect_tiles(e, tiles ? 2 : 0, what);
out:
	free(a);
	free(b);
	free(want);
	free(got);
	cf_release(e);
	return bad;
}

/* SOFTMAX's v2 form with CAUSAL (row m of each {d2, D} matrix sees m + offset + 1). */
int cf_softmax_causal(struct cf_env *e, bool tiles)
{
	const uint32_t small[4] = { 2, 3, 5, 24 }, big[4] = { 5, 7, 20, 800 };
	const uint32_t *dims = tiles ? big : small, d = dims[3];
	const uint32_t offset = tiles ? 790 : 17;
	const uint64_t rows = cf_rows(dims);
	float *x = malloc(rows * d * 4), *want = malloc(rows * d * 4), *got = malloc(rows * d * 4);
	struct drm_quasar_cmd_softmax_v2 c = { .hdr = { DRM_QUASAR_OP_SOFTMAX, sizeof(c), 0 } };
	const char *what = tiles ? "causal softmax, tiles" : "causal softmax";
	struct cf_tensor xt, yt;
	int bad = -1;

	if (!x || !want || !got)
		goto out;
	cf_rand_f32(x, rows * d, 1520 + tiles, 4.0f);
	for (uint64_t r = 0; r < rows; r++) {
		uint32_t lim = dp_causal_limit(d, offset, (uint32_t)(r % dims[2]));

		if (dp_softmax_causal_ref(x + r * d, d, lim, want + r * d))
			goto out;
		for (uint32_t i = lim; i < d; i++)	/* never read */
			x[r * d + i] = __builtin_nanf("");
	}
	if (cf_tensor_new(e, &xt, DRM_QUASAR_FORMAT_FP32, dims, (const uint32_t[3]){ 0, 8, 4 }) ||
	    cf_tensor_new(e, &yt, DRM_QUASAR_FORMAT_FP32, dims, (const uint32_t[3]){ 16, 0, 8 }))
		goto out;
	cf_tensor_put(&xt, x);
	c.x = xt.t;
	c.y = yt.t;
	c.flags = DRM_QUASAR_SOFTMAX_CAUSAL;
	c.causal_offset = offset;
	cf_emit_version(e, 2);
	cf_emit(e, &c, sizeof(c));
	bad = cf_run_ok(e, 0);
	if (bad)
		goto out;
	cf_tensor_get(&yt, got);
	bad = cf_same(got, want, rows * d, 4, d, what);
	bad |= cf_tensor_untouched_outside(&yt, what);
	bad |= cf_expect_tiles(e, tiles ? 2 : 0, what);
out:
	free(x);
	free(want);
	free(got);
	cf_release(e);
	return bad;
}

/* ADD or MUL's v2 form with ROW_B: a strided 4-D a, one row b. */
int cf_eltwise_row(struct cf_env *e, uint16_t op, bool tiles)
{
	const uint32_t small[4] = { 2, 3, 5, 24 }, big[4] = { 5, 7, 20, 800 };
	const uint32_t *dims = tiles ? big : small, d = dims[3], bd[4] = { 1, 1, 1, d };
	const uint64_t rows = cf_rows(dims);
	float *a = malloc(rows * d * 4), *b = malloc(d * 4), *want = malloc(rows * d * 4);
	float *got = malloc(rows * d * 4);
	struct drm_quasar_cmd_eltwise_v2 c = { .hdr = { op, sizeof(c), 0 } };
	const char *what = op == DRM_QUASAR_OP_ADD ? "add of a row" : "mul by a row";
	struct cf_tensor at, bt, yt;
	int bad = -1;

	if (!a || !b || !want || !got)
		goto out;
	cf_rand_f32(a, rows * d, 1530 + op, 3.0f);
	cf_rand_f32(b, d, 1540 + op, 3.0f);
	for (uint64_t r = 0; r < rows; r++) {
		if (op == DRM_QUASAR_OP_ADD)
			dp_add_ref(a + r * d, b, d, want + r * d);
		else
			dp_mul_ref(a + r * d, b, d, want + r * d);
	}
	if (cf_tensor_new(e, &at, DRM_QUASAR_FORMAT_FP32, dims, (const uint32_t[3]){ 8, 0, 4 }) ||
	    cf_tensor_new(e, &bt, DRM_QUASAR_FORMAT_FP32, bd, NULL) ||
	    cf_tensor_new(e, &yt, DRM_QUASAR_FORMAT_FP32, dims, (const uint32_t[3]){ 0, 16, 8 }))
		goto out;
	cf_tensor_put(&at, a);
	cf_tensor_put(&bt, b);
	c.a = at.t;
	c.b = bt.t;
	c.y = yt.t;
	c.flags = DRM_QUASAR_ELTWISE_ROW_B;
	cf_emit_version(e, 2);
	cf_emit(e, &c, sizeof(c));
	bad = cf_run_ok(e, 0);
	if (bad)
		goto out;
	cf_tensor_get(&yt, got);
	bad = cf_same(got, want, rows * d, 4, d, what);
	bad |= cf_tensor_untouched_outside(&yt, what);
	bad |= cf_expect_tiles(e, tiles ? 2 : 0, what);
out:
	free(a);
	free(b);
	free(want);
	free(got);
	cf_release(e);
	return bad;
}
