// SPDX-License-Identifier: MIT
/*
 * Compression library (compress.h): pack/unpack round trips for every format,
 * quantization accuracy and scale rules, 2:4 pruning, the error report, and
 * precise errors for bad arguments.
 */
#include <errno.h>

#include "kselftest_harness.h"
#include "compress.h"
#include "dp_test_util.h"
#include "dp_quant.h"

struct dpt_fmtcfg {
	uint32_t fmt, group, asym;
	double min_sqnr_db;	/* on uniform [-1, 1) weights */
};

static const struct dpt_fmtcfg dpt_cfgs[] = {
	{ DP_W_BF16, 0, 0, 55 },    { DP_W_INT8, 0, 0, 46 },    { DP_W_INT4, 32, 0, 22 },
	{ DP_W_INT4, 64, 1, 22 },   { DP_W_INT4, 128, 0, 21 },  { DP_W_MXINT8, 0, 0, 46 },
	{ DP_W_MXFP8, 0, 0, 25 },   { DP_W_MXFP4, 0, 0, 15 },   { DP_W_NVFP4, 0, 0, 18 },
	/* 2:4 pruning of uniform noise drops half the energy: ~7 dB */
	{ DP_W_SP_BF16, 0, 0, 6 },  { DP_W_SP_INT8, 0, 0, 6 },  { DP_W_SP_INT4, 32, 1, 6 },
};

static float *dpt_weights(uint32_t n, uint32_t k, uint32_t seed)
{
	struct dpt_rng r = { seed };
	float *w = malloc(sizeof(float) * n * k);
	uint32_t i;

	for (i = 0; i < n * k; i++)
		w[i] = dpt_unif(&r, 1.0f);
	return w;
}

TEST(quantized_tensor_unpacks_and_repacks_to_identical_bytes)
{
	uint32_t i, shapes[3][2] = { { 1, 5 }, { 17, 100 }, { 40, 256 } }, s;

	for (i = 0; i < sizeof(dpt_cfgs) / sizeof(dpt_cfgs[0]); i++)
		for (s = 0; s < 3; s++) {
			uint32_t n = shapes[s][0], k = shapes[s][1];
			float *w = dpt_weights(n, k, dpt_seed() + i);
			struct compress_qparams p = { dpt_cfgs[i].fmt, dpt_cfgs[i].group,
						      dpt_cfgs[i].asym, 0 };
			struct compress_qtensor *a, *b;
			const struct dp_wt *wa, *wb;
			struct compress_plain pl;
			struct dp_geom g;

			ASSERT_EQ(0, compress_quantize(w, n, k, k, &p, &a));
			ASSERT_EQ(0, compress_unpack(a, &pl));
			ASSERT_EQ(0, compress_pack(&pl, &b));
			wa = compress_qtensor_wt(a);
			wb = compress_qtensor_wt(b);
			ASSERT_EQ(0, dp_wt_check(wa, &g));
			ASSERT_EQ(0, memcmp(wa->data, wb->data, g.data_bytes))
				TH_LOG("%s n=%u k=%u", dp_fmt_info(p.fmt)->name, n, k);
			ASSERT_EQ(0, g.scale_bytes ? memcmp(wa->scales, wb->scales, g.scale_bytes) : 0);
			ASSERT_EQ(0, g.zero_bytes ? memcmp(wa->zeros, wb->zeros, g.zero_bytes) : 0);
			ASSERT_EQ(0, g.meta_bytes ? memcmp(wa->meta, wb->meta, g.meta_bytes) : 0);
			ASSERT_EQ(dp_f2u(wa->tensor_scale), dp_f2u(wb->tensor_scale));
			compress_plain_free(&pl);
			compress_qtensor_free(a);
			compress_qtensor_free(b);
			free(w);
		}
}

TEST(random_plain_arrays_pack_and_unpack_unchanged)
{
	uint32_t i, j;
	struct dpt_rng r = { dpt_seed() };

	for (i = 0; i < sizeof(dpt_cfgs) / sizeof(dpt_cfgs[0]); i++) {
		struct compress_plain pl = { .fmt = dpt_cfgs[i].fmt, .n = 19, .k = 77,
					  .group = dpt_cfgs[i].group,
					  .flags = dpt_cfgs[i].asym ? DP_WT_ZERO : 0,
					  .tensor_scale = 0.5f }, out;
		const struct dp_fmt_info *fi = dp_fmt_info(pl.fmt);
		uint32_t cmask = fi->elem_bits == 16 ? 0xffff : fi->elem_bits == 8 ? 0xff : 15;
		uint32_t smask = fi->scale_bytes == 4 ? 0xffffffffu : fi->scale_bytes == 2 ? 0xffff : 0xff;
		struct compress_qtensor *qt;

		ASSERT_EQ(0, compress_plain_alloc(&pl));
		for (j = 0; j < pl.n * pl.kstore; j++)
			pl.codes[j] = (uint16_t)(dpt_next(&r) & cmask);
		for (j = 0; pl.scales && j < pl.n * pl.blocks; j++)
			pl.scales[j] = (uint32_t)dpt_next(&r) & smask;
		for (j = 0; pl.zeros && j < pl.n * pl.blocks; j++)
			pl.zeros[j] = (uint8_t)(dpt_next(&r) & 15);
		for (j = 0; pl.meta && j < pl.n * pl.kmeta; j++)
			pl.meta[j] = (uint8_t)(dpt_next(&r) & 15);
		ASSERT_EQ(0, compress_pack(&pl, &qt));
		ASSERT_EQ(0, compress_unpack(qt, &out));
		ASSERT_EQ(0, memcmp(pl.codes, out.codes, sizeof(uint16_t) * pl.n * pl.kstore))
			TH_LOG("%s", fi->name);
		if (pl.scales)
			ASSERT_EQ(0, memcmp(pl.scales, out.scales, 4 * pl.n * pl.blocks));
		if (pl.zeros)
			ASSERT_EQ(0, memcmp(pl.zeros, out.zeros, pl.n * pl.blocks));
		if (pl.meta)
			ASSERT_EQ(0, memcmp(pl.meta, out.meta, pl.n * pl.kmeta));
		compress_plain_free(&pl);
		compress_plain_free(&out);
		compress_qtensor_free(qt);
	}
}

TEST(pack_rejects_codes_wider_than_the_format)
{
	struct compress_plain pl = { .fmt = DP_W_MXFP4, .n = 2, .k = 32 };
	struct compress_qtensor *qt = (void *)1;

	ASSERT_EQ(0, compress_plain_alloc(&pl));
	pl.codes[3] = 16;
	ASSERT_EQ(-EINVAL, compress_pack(&pl, &qt));
	ASSERT_EQ(NULL, qt);
	pl.codes[3] = 15;
	pl.scales[0] = 256;	/* E8M0 is one byte */
	ASSERT_EQ(-EINVAL, compress_pack(&pl, &qt));
	compress_plain_free(&pl);
}

TEST(quantization_error_meets_format_sqnr_floor)
{
	uint32_t i, n = 64, k = 512;
	float *w = dpt_weights(n, k, dpt_seed());

	for (i = 0; i < sizeof(dpt_cfgs) / sizeof(dpt_cfgs[0]); i++) {
		struct compress_qparams p = { dpt_cfgs[i].fmt, dpt_cfgs[i].group,
					      dpt_cfgs[i].asym, 0 };
		struct compress_qtensor *qt;
		struct compress_qerr e;

		ASSERT_EQ(0, compress_quantize(w, n, k, k, &p, &qt));
		ASSERT_EQ(0, compress_error_report(qt, w, k, &e));
		TH_LOG("%-8s g%-3u asym=%u: rmse %.5f max %.5f sqnr %.1f dB (%zu bytes)",
		       dp_fmt_info(p.fmt)->name, p.group, p.asym, e.rmse, e.max_abs, e.sqnr_db,
		       compress_qtensor_bytes(qt));
		ASSERT_GT(e.sqnr_db, dpt_cfgs[i].min_sqnr_db);
		compress_qtensor_free(qt);
	}
	free(w);
}

TEST(int8_per_channel_error_is_at_most_half_a_step)
{
	uint32_t n = 8, k = 300, i, j;
	float *w = dpt_weights(n, k, dpt_seed()), *d = malloc(sizeof(float) * n * k);
	struct compress_qparams p = { DP_W_INT8, 0, 0, 0 };
	struct compress_qtensor *qt;

	ASSERT_EQ(0, compress_quantize(w, n, k, k, &p, &qt));
	ASSERT_EQ(0, compress_qtensor_dequant(qt, d, k));
	for (i = 0; i < n; i++) {
		float amax = 0;

		for (j = 0; j < k; j++)
			amax = fmaxf(amax, fabsf(w[i * k + j]));
		for (j = 0; j < k; j++)
			ASSERT_LE(fabsf(w[i * k + j] - d[i * k + j]), amax / 127.0f * 0.5f * 1.0001f);
	}
	compress_qtensor_free(qt);
	free(w);
	free(d);
}

TEST(int4_asymmetric_zero_point_represents_zero_exactly)
{
	float w[32], d[32];
	struct compress_qparams p = { DP_W_INT4, 32, 1, 0 };
	struct compress_qtensor *qt;
	uint32_t j;

	for (j = 0; j < 32; j++)
		w[j] = j % 3 ? 0.1f + 0.05f * j : 0.0f;	/* all >= 0: min clamps to 0 */
	ASSERT_EQ(0, compress_quantize(w, 1, 32, 32, &p, &qt));
	ASSERT_EQ(0, compress_qtensor_dequant(qt, d, 32));
	for (j = 0; j < 32; j += 3)
		ASSERT_EQ(0.0f, d[j]);
	compress_qtensor_free(qt);
}

TEST(mxfp4_block_uses_ocp_scale_and_rne_elements)
{
	float w[32] = { 6.0f, 5.0f, 2.5f, -0.25f, 0.75f, -100.0f / 16 };
	struct compress_qparams p = { DP_W_MXFP4, 0, 0, 0 };
	struct compress_plain pl;
	struct compress_qtensor *qt;

	w[6] = 0;	/* amax = 6.25 -> floor(log2) = 2 -> shared exp 0 -> E8M0 127 */
	ASSERT_EQ(0, compress_quantize(w, 1, 32, 32, &p, &qt));
	ASSERT_EQ(0, compress_unpack(qt, &pl));
	ASSERT_EQ(127u, pl.scales[0]);
	ASSERT_EQ(7, pl.codes[0]);	/* 6 */
	ASSERT_EQ(6, pl.codes[1]);	/* 5 is a tie between 4 and 6 -> 4 (even) */
	ASSERT_EQ(4, pl.codes[2]);	/* 2.5 -> 2 */
	ASSERT_EQ(8, pl.codes[3]);	/* -0.25 -> -0 */
	ASSERT_EQ(2, pl.codes[4]);	/* 0.75 -> 1 */
	ASSERT_EQ(15, pl.codes[5]);	/* -6.25 saturates to -6 */
	compress_plain_free(&pl);
	compress_qtensor_free(qt);
}

TEST(nvfp4_two_level_scales_follow_amax_over_448_times_6)
{
	float w[32];
	struct compress_qparams p = { DP_W_NVFP4, 0, 0, 0 };
	struct compress_plain pl;
	struct compress_qtensor *qt;
	uint32_t j;

	for (j = 0; j < 32; j++)
		w[j] = j < 16 ? 0.001f * (j + 1) : 2.0f * (j - 15);
	ASSERT_EQ(0, compress_quantize(w, 1, 32, 32, &p, &qt));
	ASSERT_EQ(32.0f / 2688.0f, compress_qtensor_wt(qt)->tensor_scale);
	ASSERT_EQ(0, compress_unpack(qt, &pl));
	ASSERT_EQ(0x7eu, pl.scales[1]);	/* the tensor max block uses E4M3 448 */
	ASSERT_EQ(7, pl.codes[31]);	/* and its max element E2M1 6 */
	compress_plain_free(&pl);
	p.nvfp4_1level = 1;
	compress_qtensor_free(qt);
	ASSERT_EQ(0, compress_quantize(w, 1, 32, 32, &p, &qt));
	ASSERT_EQ(1.0f, compress_qtensor_wt(qt)->tensor_scale);
	compress_qtensor_free(qt);
}

TEST(prune24_keeps_the_two_largest_of_every_four)
{
	float w[10] = { 0.1f, -0.9f, 0.5f, 0.2f, 1, 1, 1, 1, 0.3f, -0.4f }, y[10];
	uint8_t mask[10];

	ASSERT_EQ(0, compress_prune24(w, 1, 10, 10, y, mask));
	ASSERT_EQ(0, memcmp(mask, (uint8_t[]){ 0, 1, 1, 0, 1, 1, 0, 0, 1, 1 }, 10));
	ASSERT_EQ(0.0f, y[0]);
	ASSERT_EQ(-0.9f, y[1]);
	ASSERT_EQ(0.0f, y[6]);	/* ties keep the lower indices */
	ASSERT_EQ(-0.4f, y[9]);	/* a 2-element tail keeps both */
}

TEST(sparse_quantize_of_pruned_weights_is_lossless_for_bf16_values)
{
	uint32_t n = 5, k = 64, i;
	float *w = dpt_weights(n, k, dpt_seed()), *y = malloc(sizeof(float) * n * k);
	struct compress_qparams p = { DP_W_SP_BF16, 0, 0, 0 };
	struct compress_qtensor *qt;
	struct compress_qerr e;

	for (i = 0; i < n * k; i++)
		w[i] = dp_bf16_to_f32(dp_f32_to_bf16(w[i]));
	ASSERT_EQ(0, compress_prune24(w, n, k, k, y, NULL));
	ASSERT_EQ(0, compress_quantize(y, n, k, k, &p, &qt));
	ASSERT_EQ(0, compress_error_report(qt, y, k, &e));
	ASSERT_EQ(0.0, e.rmse);
	ASSERT_EQ(0.0, e.max_abs);
	ASSERT_TRUE(isinf(e.sqnr_db));
	compress_qtensor_free(qt);
	free(w);
	free(y);
}

TEST(bad_arguments_return_errors_not_crashes)
{
	float w[64] = { 0 }, nanw[64] = { NAN };
	struct compress_qparams p = { DP_W_INT4, 32, 0, 0 };
	struct compress_qtensor *qt = (void *)1;
	struct compress_qerr e;

	ASSERT_EQ(-EINVAL, compress_quantize(NULL, 1, 64, 64, &p, &qt));
	ASSERT_EQ(NULL, qt);
	ASSERT_EQ(-EINVAL, compress_quantize(w, 1, 64, 64, NULL, &qt));
	ASSERT_EQ(-EINVAL, compress_quantize(w, 1, 64, 64, &p, NULL));
	ASSERT_EQ(-EINVAL, compress_quantize(w, 0, 64, 64, &p, &qt));
	ASSERT_EQ(-EINVAL, compress_quantize(w, 1, 64, 32, &p, &qt));	/* stride < K */
	p.group = 48;
	ASSERT_EQ(-EINVAL, compress_quantize(w, 1, 64, 64, &p, &qt));
	p = (struct compress_qparams){ DP_W_MXFP4, 0, 1, 0 };
	/* MX has no zero points */
	ASSERT_EQ(-ENOTSUP, compress_quantize(w, 1, 64, 64, &p, &qt));
	p = (struct compress_qparams){ DP_W_INT8, 0, 0, 1 };
	ASSERT_EQ(-ENOTSUP, compress_quantize(w, 1, 64, 64, &p, &qt));
	p = (struct compress_qparams){ 77, 0, 0, 0 };
	ASSERT_EQ(-ENOTSUP, compress_quantize(w, 1, 64, 64, &p, &qt));
	p = (struct compress_qparams){ DP_W_INT8, 0, 0, 0 };
	ASSERT_EQ(-EINVAL, compress_quantize(nanw, 1, 64, 64, &p, &qt));
	ASSERT_EQ(-EINVAL, compress_prune24(w, 1, 0, 0, w, NULL));
	ASSERT_EQ(-EINVAL, compress_error_report(NULL, w, 64, &e));
	ASSERT_EQ(-EINVAL, compress_unpack(NULL, NULL));
	ASSERT_STRNE("unknown error", compress_strerror(-ENOTSUP));
}

TEST_HARNESS_MAIN
