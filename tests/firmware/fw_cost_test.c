// SPDX-License-Identifier: MIT
/*
 * The cost model (docs/cost-model.md) on six known shapes, with the
 * default edge-NPU parameters: the counters of a real staged run must equal
 * the numbers worked out by hand from the document's formulas (section 5
 * repeats this arithmetic).
 */
#include "kselftest_harness.h"

#include "fw_test_data.h"

/* Run one GEMM (no residual) and leave its stats in e->res.stats. */
static int cost_gemm(struct fwrun *e, uint32_t fmt, bool a8, uint32_t m, uint32_t n,
		     uint32_t k, bool bf16_out, bool bias)
{
	struct fwrun_weights w;
	struct drm_quasar_cmd_gemm c = { .hdr = { DRM_QUASAR_OP_GEMM, sizeof(c), 0 } };
	uint16_t *x = calloc((size_t)m * k, 2);
	float *b = calloc(n, 4);

	if (!x || !b || v1_weights(e, &w, fmt, n, k, 1, false))
		return -1;
	v1_rand_bf16(x, (size_t)m * k, 2);
	c.x = fwrun_tensor(fwrun_upload(e, x, (size_t)m * k * 2), DRM_QUASAR_FORMAT_BF16, 1, 1, m, k);
	c.w = w.t;
	c.wp = w.wp;
	c.y = fwrun_tensor(fwrun_alloc(e, (size_t)m * n * 4),
			bf16_out ? DRM_QUASAR_FORMAT_BF16 : DRM_QUASAR_FORMAT_FP32, 1, 1, m, n);
	c.bias = bias ? fwrun_upload(e, b, (size_t)n * 4) : 0;
	c.alpha = v1_f2u(1.0f);
	c.flags = a8 ? DRM_QUASAR_GEMM_A8 : 0;
	fwrun_emit(e, &c, sizeof(c));
	fwrun_run(e);
	fwrun_weights_free(&w);
	free(x);
	free(b);
	return (int)e->res.status;
}

/*
 * Shape A: W8A8, M = 4, N = 32, K = 64, FP32 out, 1 MiB SRAM (one tile).
 * weights 2 panels * 16 * 64 = 2048 B; scales 2 * 16 * 1 * 4 = 128 B;
 * X 4 * 64 * 2 = 512 B; Y 4 * 32 * 4 = 512 B.
 * MACs 4 * 32 * 64 = 8192 (dense = executed); vector 4 * 64 = 256
 * (activation quantization).
 * operands = 2176 (W) + 512 (X) + 512 (Y) = 3200
 * SRAM = 2688 in + 512 out + 3200 operands = 6400
 * compute = ceil(8192 / 2048) + ceil(256 / 32) = 4 + 8 = 12
 * memory = max(ceil(3200 / 16), ceil(6400 / 128)) = max(200, 50) = 200
 * energy = 8192 * 100 + 256 * 500 + 3200 * 20000 + 6400 * 1000 = 71347200 fJ
 */
TEST(cost_w8a8_single_tile)
{
	struct fwrun e;

	ASSERT_EQ(0, fwrun_init(&e, 1u << 20));
	ASSERT_EQ(0, cost_gemm(&e, DRM_QUASAR_FORMAT_W_INT8, true, 4, 32, 64, false, false));
	EXPECT_EQ(2048u, e.res.stats.rd_weights);
	EXPECT_EQ(128u, e.res.stats.rd_wmeta);
	EXPECT_EQ(512u, e.res.stats.rd_act);
	EXPECT_EQ(512u, e.res.stats.wr_bytes);
	EXPECT_EQ(8192u, e.res.stats.macs_dense);
	EXPECT_EQ(8192u, e.res.stats.macs_exec);
	EXPECT_EQ(256u, e.res.stats.vec_elems);
	EXPECT_EQ(1u, e.res.stats.tiles);
	EXPECT_EQ(6400u, e.res.stats.sram_bytes);
	EXPECT_EQ(12u, e.res.stats.cycles_compute);
	EXPECT_EQ(200u, e.res.stats.cycles_memory);
	EXPECT_EQ(200u, e.res.stats.cycles);
	EXPECT_EQ(71347200u, e.res.stats.energy_fj);
	fwrun_fini(&e);
}

/*
 * Shape B: 2:4 sparse INT4 (group 32), BF16 activations, M = 3, N = 16,
 * K = 64, BF16 out, bias, 1 MiB SRAM (one tile).
 * kpad 64, 32 stored elements per row: weights 16 * 32 / 2 = 256 B;
 * scales 16 * 2 blocks * 2 = 64 B; index codes 16 * 16 / 2 = 128 B;
 * X 3 * 64 * 2 = 384 B; bias 16 * 4 = 64 B; Y 3 * 16 * 2 = 96 B.
 * MACs dense 3 * 16 * 64 = 3072, executed 3 * 16 * 32 = 1536.
 * operands = 448 (W) + 384 (X) + 64 (bias) + 96 (Y) = 992
 * SRAM = 896 in + 96 out + 992 = 1984
 * compute = ceil(1536 / 512) = 3
 * memory = max(ceil(992 / 16), ceil(1984 / 128)) = max(62, 16) = 62
 * energy = 1536 * 400 + 992 * 20000 + 1984 * 1000 = 22438400 fJ
 */
TEST(cost_sparse_w4_single_tile)
{
	struct fwrun e;

	ASSERT_EQ(0, fwrun_init(&e, 1u << 20));
	ASSERT_EQ(0, cost_gemm(&e, DRM_QUASAR_FORMAT_W_SP_INT4, false, 3, 16, 64, true, true));
	EXPECT_EQ(256u, e.res.stats.rd_weights);
	EXPECT_EQ(192u, e.res.stats.rd_wmeta);
	EXPECT_EQ(448u, e.res.stats.rd_act);
	EXPECT_EQ(96u, e.res.stats.wr_bytes);
	EXPECT_EQ(3072u, e.res.stats.macs_dense);
	EXPECT_EQ(1536u, e.res.stats.macs_exec);
	EXPECT_EQ(1u, e.res.stats.tiles);
	EXPECT_EQ(1984u, e.res.stats.sram_bytes);
	EXPECT_EQ(3u, e.res.stats.cycles_compute);
	EXPECT_EQ(62u, e.res.stats.cycles);
	EXPECT_EQ(22438400u, e.res.stats.energy_fj);
	fwrun_fini(&e);
}

/*
 * Shape C: BF16 weights, M = 8, N = 48, K = 32, FP32 out, 2 KiB SRAM.
 * A panel is 16 * 32 * 2 = 1024 B. Working set ws(mt, np) =
 * 1024 np + a64(64 mt) + a64(64 mt np): ws(1, 1) = 1152 fits, ws(1, 2) =
 * 2240 does not, so np = 1; ws(8, 1) = 2048 fits, so mt = 8. Three weight
 * tiles, and X (8 * 64 = 512 B) is re-read for each of them.
 * per tile: in = 1024 + 512, out = 8 * 16 * 4 = 512, DRAM 2048 B;
 *   operands = 1024 + 512 + 512 = 2048; SRAM = 1536 + 512 + 2048 = 4096
 *   compute = 8 * 16 * 32 / 512 = 8; memory = max(2048 / 16, 4096 / 128) = 128
 *   energy = 4096 * 400 + 2048 * 20000 + 4096 * 1000 = 46694400
 * job: 3 tiles, X read 3 * 512 = 1536 B, cycles 384, energy 140083200 fJ
 */
TEST(cost_bf16_rereads_activations_per_weight_tile)
{
	struct fwrun e;

	ASSERT_EQ(0, fwrun_init(&e, 2048));
	ASSERT_EQ(0, cost_gemm(&e, DRM_QUASAR_FORMAT_W_BF16, false, 8, 48, 32, false, false));
	EXPECT_EQ(3072u, e.res.stats.rd_weights);
	EXPECT_EQ(0u, e.res.stats.rd_wmeta);
	EXPECT_EQ(1536u, e.res.stats.rd_act);
	EXPECT_EQ(1536u, e.res.stats.wr_bytes);
	EXPECT_EQ(12288u, e.res.stats.macs_exec);
	EXPECT_EQ(3u, e.res.stats.tiles);
	EXPECT_EQ(12288u, e.res.stats.sram_bytes);
	EXPECT_EQ(24u, e.res.stats.cycles_compute);
	EXPECT_EQ(384u, e.res.stats.cycles_memory);
	EXPECT_EQ(384u, e.res.stats.cycles);
	EXPECT_EQ(140083200u, e.res.stats.energy_fj);
	fwrun_fini(&e);
}

/*
 * Shape D: MATMUL CAUSAL, P x V of a prefill window: M = 4 queries at
 * positions 4..7 (causal_offset 4) over K = 8 cached positions, N = 16,
 * 1 MiB SRAM (one tile). Limits 5, 6, 7, 8: Kp = 8.
 * B (V rows 0..7) 8 * 16 * 4 = 512 B; A 4 * 8 * 4 = 128 B; Y 4 * 16 * 4 = 256 B.
 * MACs (5 + 6 + 7 + 8) * 16 = 416 (dense-equivalent = executed).
 * operands = 512 (B) + 128 (A) + 256 (Y) = 896
 * SRAM = 640 in + 256 out + 896 operands = 1792
 * compute = ceil(416 / 512) = 1; memory = max(ceil(896 / 16), ceil(1792 / 128)) = 56
 * energy = 416 * 400 + 896 * 20000 + 1792 * 1000 = 19878400 fJ
 */
TEST(cost_causal_matmul_counts_the_macs_done)
{
	struct drm_quasar_cmd_matmul c = { .hdr = { DRM_QUASAR_OP_MATMUL, sizeof(c), 0 } };
	struct fwrun e;

	ASSERT_EQ(0, fwrun_init(&e, 1u << 20));
	c.a = fwrun_tensor(fwrun_alloc(&e, 4 * 8 * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 8);
	c.b = fwrun_tensor(fwrun_alloc(&e, 8 * 16 * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 8, 16);
	c.y = fwrun_tensor(fwrun_alloc(&e, 4 * 16 * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 16);
	c.alpha = v1_f2u(1.0f);
	c.flags = DRM_QUASAR_MATMUL_CAUSAL;
	c.causal_offset = 4;
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	ASSERT_EQ(0u, e.res.status);
	EXPECT_EQ(0u, e.res.stats.rd_weights);
	EXPECT_EQ(640u, e.res.stats.rd_act);
	EXPECT_EQ(256u, e.res.stats.wr_bytes);
	EXPECT_EQ(416u, e.res.stats.macs_dense);
	EXPECT_EQ(416u, e.res.stats.macs_exec);
	EXPECT_EQ(0u, e.res.stats.vec_elems);
	EXPECT_EQ(1u, e.res.stats.tiles);
	EXPECT_EQ(1792u, e.res.stats.sram_bytes);
	EXPECT_EQ(1u, e.res.stats.cycles_compute);
	EXPECT_EQ(56u, e.res.stats.cycles);
	EXPECT_EQ(19878400u, e.res.stats.energy_fj);
	fwrun_fini(&e);
}

/*
 * Shape E: SOFTMAX CAUSAL over {1, 1, 4, 8}, causal_offset 4: limits 5,
 * 6, 7, 8 elements read (104 B), 4 * 8 * 4 = 128 B written (the +0 too).
 * vec 26; operands 104 + 128 = 232; SRAM 232 + 232 = 464.
 * compute = ceil(26 / 32) = 1; memory = max(ceil(232 / 16), ceil(464 / 128)) = 15
 * energy = 26 * 500 + 232 * 20000 + 464 * 1000 = 5117000 fJ
 */
TEST(cost_causal_softmax_reads_and_computes_up_to_the_limits)
{
	struct drm_quasar_cmd_softmax_v2 c = { .hdr = { DRM_QUASAR_OP_SOFTMAX, sizeof(c), 0 } };
	struct fwrun e;

	ASSERT_EQ(0, fwrun_init(&e, 1u << 20));
	c.x = fwrun_tensor(fwrun_alloc(&e, 4 * 8 * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 8);
	c.y = fwrun_tensor(fwrun_alloc(&e, 4 * 8 * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 8);
	c.flags = DRM_QUASAR_SOFTMAX_CAUSAL;
	c.causal_offset = 4;
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	ASSERT_EQ(0u, e.res.status);
	EXPECT_EQ(104u, e.res.stats.rd_act);
	EXPECT_EQ(128u, e.res.stats.wr_bytes);
	EXPECT_EQ(26u, e.res.stats.vec_elems);
	EXPECT_EQ(464u, e.res.stats.sram_bytes);
	EXPECT_EQ(15u, e.res.stats.cycles);
	EXPECT_EQ(5117000u, e.res.stats.energy_fj);
	fwrun_fini(&e);
}

/*
 * Shape F: MUL ROW_B, a {1, 1, 4, 16} times one row b of 16: b read once
 * (64 B), a 256 B, y 256 B. vec 64; operands 64 + 256 + 256 = 576; SRAM
 * 576 + 576 = 1152. compute 2; memory max(36, 9) = 36.
 * energy = 64 * 500 + 576 * 20000 + 1152 * 1000 = 12704000 fJ
 */
TEST(cost_row_broadcast_reads_b_once)
{
	struct drm_quasar_cmd_eltwise_v2 c = { .hdr = { DRM_QUASAR_OP_MUL, sizeof(c), 0 } };
	struct fwrun e;

	ASSERT_EQ(0, fwrun_init(&e, 1u << 20));
	c.a = fwrun_tensor(fwrun_alloc(&e, 4 * 16 * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 16);
	c.b = fwrun_tensor(fwrun_alloc(&e, 16 * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 1, 16);
	c.y = fwrun_tensor(fwrun_alloc(&e, 4 * 16 * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 16);
	c.flags = DRM_QUASAR_ELTWISE_ROW_B;
	fwrun_emit(&e, &c, sizeof(c));
	fwrun_run(&e);
	ASSERT_EQ(0u, e.res.status);
	EXPECT_EQ(320u, e.res.stats.rd_act);
	EXPECT_EQ(256u, e.res.stats.wr_bytes);
	EXPECT_EQ(64u, e.res.stats.vec_elems);
	EXPECT_EQ(1152u, e.res.stats.sram_bytes);
	EXPECT_EQ(36u, e.res.stats.cycles);
	EXPECT_EQ(12704000u, e.res.stats.energy_fj);
	fwrun_fini(&e);
}

TEST(stats_restart_at_every_job)
{
	struct fwrun e;
	struct drm_quasar_cmd_header nop = { DRM_QUASAR_OP_NOP, 8, 0 };

	ASSERT_EQ(0, fwrun_init(&e, 1u << 20));
	ASSERT_EQ(0, cost_gemm(&e, DRM_QUASAR_FORMAT_W_INT8, false, 2, 16, 32, false, false));
	EXPECT_NE(0u, e.res.stats.cycles);
	fwrun_emit(&e, &nop, sizeof(nop));
	fwrun_run(&e);
	EXPECT_EQ(0u, e.res.stats.cycles);
	EXPECT_EQ(0u, e.res.stats.rd_act);
	fwrun_fini(&e);
}

TEST_HARNESS_MAIN
