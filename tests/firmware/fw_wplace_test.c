// SPDX-License-Identifier: MIT
/*
 * Weights read in place (firmware/fw_wplace.c): a GEMM whose weights lie in
 * one physical run, in runs of a few pages, or page by page, and the same
 * GEMM with the in-place path off (struct fw_engine.stage_copy) give the
 * golden model's bytes and the very same job statistics; the count of
 * bytes read in place (struct fw_job_time.inplace_bytes) shows which path
 * each took: every weight byte, some, or none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "fw_test_data.h"

#define ZC_M	3
#define ZC_N	200	/* 13 panels, the last one partial */
#define ZC_K	512	/* a W4 panel: 4 KiB of codes, a page */

struct zc_run {
	uint64_t contig;	/* fwrun_config.contig */
	uint64_t sram;
	bool copy;		/* fw_engine.stage_copy */
	bool simd;
	uint32_t inplace_min;	/* fw_engine.inplace_min */
	float y[ZC_M * ZC_N];
	struct fw_job_stats stats;
	uint64_t inplace;
	uint64_t weight_bytes;	/* rd_weights + rd_wmeta */
};

static int zc_gemm(uint32_t fmt, bool a8, struct zc_run *z)
{
	struct fwrun_config cfg = { .sram_size = z->sram, .contig = z->contig, .simd = z->simd };
	struct drm_quasar_cmd_gemm c = { .hdr = { DRM_QUASAR_OP_GEMM, sizeof(c), 0 } };
	static uint16_t x[ZC_M * ZC_K];
	static int8_t qx[ZC_M * ZC_K];
	static float want[ZC_M * ZC_N];
	float bias[ZC_N], sx[ZC_M];
	struct fwrun_weights w;
	struct fwrun e;
	struct dp_gemm g;
	int bad = 1;

	if (fwrun_init_config(&e, &cfg))
		return 1;
	e.eng.stage_copy = z->copy;
	e.eng.inplace_min = z->inplace_min;
	if (v1_weights(&e, &w, fmt, ZC_N, ZC_K, 5 + fmt, fmt == DRM_QUASAR_FORMAT_W_INT4))
		goto out;
	v1_rand_bf16(x, ZC_M * ZC_K, 31);
	v1_rand_f32(bias, ZC_N, 32);
	for (int m = 0; m < ZC_M; m++)
		dp_act_quant_ref(x + m * ZC_K, ZC_K, qx + m * ZC_K, &sx[m]);
	g = (struct dp_gemm){ .w = &w.w, .m = ZC_M, .afmt = a8 ? DP_A_INT8 : DP_A_BF16,
			      .x = x, .qx = qx, .sx = sx, .ldx = ZC_K, .alpha = 1.0f,
			      .bias = bias, .act = DP_ACT_SILU, .ofmt = DP_O_FP32, .y = want,
			      .ldy = ZC_N };
	if (dp_gemm_ref(&g))
		goto out_w;
	c.x = fwrun_tensor(fwrun_upload(&e, x, sizeof(x)), DRM_QUASAR_FORMAT_BF16, 1, 1,
			   ZC_M, ZC_K);
	c.w = w.t;
	c.wp = w.wp;
	c.y = fwrun_tensor(fwrun_alloc(&e, sizeof(z->y)), DRM_QUASAR_FORMAT_FP32, 1, 1,
			   ZC_M, ZC_N);
	c.bias = fwrun_upload(&e, bias, sizeof(bias));
	c.alpha = v1_f2u(1.0f);
	c.act = DRM_QUASAR_ACT_SILU;
	c.flags = a8 ? DRM_QUASAR_GEMM_A8 : 0;
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	if (e.res.status != DRM_QUASAR_STATUS_OK) {
		fprintf(stderr, "# job status %u at command %u\n", e.res.status, e.res.cmd_index);
		goto out_w;
	}
	fwrun_read(&e, c.y.addr, z->y, sizeof(z->y));
	z->stats = e.res.stats;
	z->inplace = e.eng.time.inplace_bytes;
	z->weight_bytes = z->stats.rd_weights + z->stats.rd_wmeta;
	bad = memcmp(z->y, want, sizeof(want)) != 0;
	if (bad)
		fprintf(stderr, "# contig %llu copy %d: not the golden bytes\n",
			(unsigned long long)z->contig, z->copy);
out_w:
	fwrun_weights_free(&w);
out:
	fwrun_fini(&e);
	return bad;
}

/*
 * Every way of placing the weights against the copy: same bytes, same
 * stats. Every weight byte is read in place from one physical run, none
 * with the copy forced; with @mixed (panels of more than a page), fewer
 * from scattered pages than from runs of five pages, and not all from those;
 * no more from runs of five pages when runs that short are not worth it.
 */
static int zc_case(uint32_t fmt, bool a8, uint64_t sram, bool simd, bool mixed)
{
	static struct zc_run copy, whole, runs, pages, short_runs;
	int bad;

	copy = (struct zc_run){ .contig = 64 << 20, .sram = sram, .copy = true, .simd = simd };
	whole = (struct zc_run){ .contig = 64 << 20, .sram = sram, .simd = simd };
	runs = (struct zc_run){ .contig = 5 * 4096, .sram = sram, .simd = simd, .inplace_min = 1 };
	pages = (struct zc_run){ .contig = 0, .sram = sram, .simd = simd, .inplace_min = 1 };
	short_runs = (struct zc_run){ .contig = 5 * 4096, .sram = sram, .simd = simd };
	bad = zc_gemm(fmt, a8, &copy) || zc_gemm(fmt, a8, &whole) || zc_gemm(fmt, a8, &runs) ||
	      zc_gemm(fmt, a8, &pages) || zc_gemm(fmt, a8, &short_runs);
	if (bad)
		return 1;
	if (memcmp(&copy.stats, &whole.stats, sizeof(copy.stats)) ||
	    memcmp(&copy.stats, &runs.stats, sizeof(copy.stats)) ||
	    memcmp(&copy.stats, &pages.stats, sizeof(copy.stats)) ||
	    memcmp(&copy.stats, &short_runs.stats, sizeof(copy.stats))) {
		fprintf(stderr, "# the job statistics differ between placements\n");
		return 1;
	}
	/* Runs read in place are at least as long by default as with 1 byte. */
	if (copy.inplace || whole.inplace != whole.weight_bytes ||
	    short_runs.inplace > runs.inplace ||
	    runs.inplace > runs.weight_bytes || pages.inplace > runs.inplace ||
	    (mixed && (pages.inplace == runs.inplace || runs.inplace == runs.weight_bytes))) {
		fprintf(stderr, "# in place of %llu weight bytes: copy %llu whole %llu runs %llu "
			"pages %llu short runs %llu\n", (unsigned long long)whole.weight_bytes,
			(unsigned long long)copy.inplace, (unsigned long long)whole.inplace,
			(unsigned long long)runs.inplace, (unsigned long long)pages.inplace,
			(unsigned long long)short_runs.inplace);
		return 1;
	}
	return 0;
}

FIXTURE(wplace) { int unused; };
FIXTURE_SETUP(wplace) {}
FIXTURE_TEARDOWN(wplace) {}

/* A large SRAM (one weight tile) and a small one (tiles of one or two panels). */
#define WPLACE_TEST(name, fmt, a8, mixed)					\
	TEST_F(wplace, name)							\
	{									\
		EXPECT_EQ(0, zc_case(fmt, a8, 1 << 20, false, mixed));		\
		EXPECT_EQ(0, zc_case(fmt, a8, 1 << 20, true, mixed));		\
		EXPECT_EQ(0, zc_case(fmt, a8, 40 << 10, true, mixed));		\
	}

WPLACE_TEST(w_int4, DRM_QUASAR_FORMAT_W_INT4, false, false)
WPLACE_TEST(w_int4_a8, DRM_QUASAR_FORMAT_W_INT4, true, false)
WPLACE_TEST(w_int8_a8, DRM_QUASAR_FORMAT_W_INT8, true, true)
WPLACE_TEST(w_nvfp4_a8, DRM_QUASAR_FORMAT_W_NVFP4, true, false)
WPLACE_TEST(w_sp_int4_a8, DRM_QUASAR_FORMAT_W_SP_INT4, true, false)
WPLACE_TEST(w_bf16, DRM_QUASAR_FORMAT_W_BF16, false, true)

TEST_HARNESS_MAIN
