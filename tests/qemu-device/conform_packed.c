// SPDX-License-Identifier: MIT
/*
 * Guest conformance: the ops that read packed weights without a GEMM,
 * CONVERT W_* -> FP32/BF16 (dequantization) and GATHER, on the device
 * against dp_dequant_ref / dp_dequant_bf16_ref / dp_gather_ref.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform_cases.h"
#include "conform_wt.h"
#include "dp_ops.h"

/* One dequantization into @out_fmt, through a strided @dims destination. */
static int cf_dequant_run(struct cf_env *e, const struct cf_weights *w, uint32_t out_fmt,
			  const uint32_t dims[4], const uint32_t pad[3], uint32_t min_tiles,
			  const char *what)
{
	uint32_t n = w->wt.n, k = w->wt.k, osz = out_fmt == DRM_QUASAR_FORMAT_FP32 ? 4 : 2;
	struct drm_quasar_cmd_convert c = { .hdr = { DRM_QUASAR_OP_CONVERT, sizeof(c), 0 } };
	void *want = malloc((size_t)n * k * osz), *got = malloc((size_t)n * k * osz);
	struct cf_tensor dt;
	int bad = -1;

	if (!want || !got)
		goto out;
	if (osz == 4 ? dp_dequant_ref(&w->wt, 0, n, want, k) :
		       dp_dequant_bf16_ref(&w->wt, 0, n, want, k)) {
		fprintf(stderr, "# %s: golden dequantization failed\n", what);
		goto out;
	}
	if (cf_tensor_new(e, &dt, out_fmt, dims, pad))
		goto out;
	c.src = w->t;
	c.sp = w->wp;
	c.dst = dt.t;
	cf_emit(e, &c, sizeof(c));
	bad = cf_run_ok(e, 0);
	if (bad)
		goto out;
	cf_tensor_get(&dt, got);
	bad = cf_same(got, want, (size_t)n * k, osz, k, what);
	bad |= cf_tensor_untouched_outside(&dt, what);
	bad |= cf_expect_tiles(e, min_tiles, what);
out:
	free(want);
	free(got);
	/* The weights stay for the other output format: only the stream goes. */
	cf_next(e);
	return bad;
}

int cf_dequant_small(struct cf_env *e, uint32_t fmt)
{
	/* 40 rows (a partial third panel) of K = 200, zero points where allowed. */
	const struct cf_wopts o = { .group = 32, .zeros = true };
	const uint32_t dims[4] = { 1, 2, 20, 200 }, pad[3] = { 0, 8, 24 };
	struct cf_weights w;
	int bad;

	if (cf_weights_new(e, &w, fmt, 40, 200, 1300 + fmt, &o)) {
		cf_release(e);
		return -1;
	}
	bad = cf_dequant_run(e, &w, DRM_QUASAR_FORMAT_FP32, dims, pad, 0,
			     "dequantize to FP32, small");
	bad |= cf_dequant_run(e, &w, DRM_QUASAR_FORMAT_BF16, dims, pad, 0,
			      "dequantize to BF16, small");
	cf_weights_free(&w);
	cf_release(e);
	return bad;
}

int cf_dequant_tiles(struct cf_env *e, uint32_t fmt)
{
	/*
	 * 70 panels of K = 2048: at least 64 KiB of BF16 rows per panel next
	 * to its weights, so more than the 4 MiB SRAM holds at once.
	 */
	enum { PANELS = 70, K = 2048 };
	const uint32_t dims[4] = { 1, 1, PANELS * DP_PANEL, K };
	struct cf_weights w;
	int bad;

	if (cf_weights_big(e, &w, fmt, PANELS, K, 1400 + fmt)) {
		cf_release(e);
		return -1;
	}
	bad = cf_dequant_run(e, &w, DRM_QUASAR_FORMAT_FP32, dims, NULL, 2,
			     "dequantize to FP32, tiles");
	bad |= cf_dequant_run(e, &w, DRM_QUASAR_FORMAT_BF16, dims, NULL, 2,
			      "dequantize to BF16, tiles");
	cf_weights_free(&w);
	cf_release(e);
	return bad;
}

/* ---- GATHER ---- */

static int cf_gather_run(struct cf_env *e, const struct cf_weights *w, const uint32_t *ids,
			 uint32_t count, const uint32_t ydims[4], const uint32_t ypad[3],
			 const char *what)
{
	uint32_t k = w->wt.k;
	struct drm_quasar_cmd_gather c = { .hdr = { DRM_QUASAR_OP_GATHER, sizeof(c), 0 } };
	float *want = malloc((size_t)count * k * 4), *got = malloc((size_t)count * k * 4);
	struct cf_tensor yt;
	int bad = -1;

	if (!want || !got)
		goto out;
	if (dp_gather_ref(&w->wt, ids, count, want, k)) {
		fprintf(stderr, "# %s: golden gather failed\n", what);
		goto out;
	}
	if (cf_tensor_new(e, &yt, DRM_QUASAR_FORMAT_FP32, ydims, ypad))
		goto out;
	c.table = w->t;
	c.tp = w->wp;
	c.ids = (struct drm_quasar_tensor){
		.addr = cf_upload(e, ids, (uint64_t)count * 4), .dims = { 1, 1, 1, count },
		.strides = { count, count, count, 1 }, .format = DRM_QUASAR_FORMAT_U32,
	};
	c.y = yt.t;
	cf_emit_version(e, DRM_QUASAR_ISA_VERSION);
	cf_emit(e, &c, sizeof(c));
	bad = cf_run_ok(e, 0);
	if (bad)
		goto out;
	cf_tensor_get(&yt, got);
	bad = cf_same(got, want, (size_t)count * k, 4, k, what);
	bad |= cf_tensor_untouched_outside(&yt, what);
out:
	free(want);
	free(got);
	cf_release(e);
	return bad;
}

int cf_gather(struct cf_env *e, uint32_t fmt, bool big)
{
	/* Small: first, last, repeats, both sides of every panel boundary. */
	static const uint32_t small_ids[9] = { 3, 39, 17, 17, 0, 32, 16, 31, 39 };
	enum { BIG_PANELS = 70, BIG_K = 2048, BIG_COUNT = 48 };
	const struct cf_wopts o = { .group = 128 };
	uint32_t ids[BIG_COUNT], seed = 1500 + fmt;
	struct cf_weights w;
	int bad;

	if (!big) {
		if (cf_weights_new(e, &w, fmt, 40, 200, seed, &o)) {
			cf_release(e);
			return -1;
		}
		bad = cf_gather_run(e, &w, small_ids, 9, (const uint32_t[4]){ 1, 3, 3, 200 },
				    (const uint32_t[3]){ 0, 16, 8 }, "gather, small table");
		cf_weights_free(&w);
		return bad;
	}
	if (cf_weights_big(e, &w, fmt, BIG_PANELS, BIG_K, seed)) {
		cf_release(e);
		return -1;
	}
	/* Random rows of a 70-panel table, jumping between far panels. */
	for (uint32_t i = 0; i < BIG_COUNT; i++) {
		seed = seed * 1664525u + 1013904223u;
		ids[i] = (seed >> 8) % w.wt.n;
	}
	ids[0] = w.wt.n - 1;
	ids[BIG_COUNT - 1] = 0;
	bad = cf_gather_run(e, &w, ids, BIG_COUNT, (const uint32_t[4]){ 1, 1, BIG_COUNT, BIG_K },
			    NULL, "gather, big table");
	cf_weights_free(&w);
	return bad;
}
