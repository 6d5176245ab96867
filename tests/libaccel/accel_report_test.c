// SPDX-License-Identifier: MIT
/*
 * libaccel pieces that need no device: the cost report (against the
 * firmware's own counters for docs/cost-model.md's worked example A), the
 * hazard tracker behind automatic barriers, output/input overlap, BF16
 * rounding and format sizes.
 */
#include "kselftest_harness.h"

#include "la_env.h"

#define HAS(text, s) EXPECT_NE(NULL, strstr(text, s)) TH_LOG("missing \"%s\" in:\n%s", s, text)

/* The firmware's counters as the driver hands them out (JOB_STATS). */
static struct accel_job_stats rp_from_fw(const struct fw_job_result *r, uint32_t clock_mhz)
{
	return (struct accel_job_stats){
		.status = r->status, .cmd_index = r->cmd_index, .clock_mhz = clock_mhz,
		.rd_weight_bytes = r->stats.rd_weights, .rd_meta_bytes = r->stats.rd_wmeta,
		.rd_act_bytes = r->stats.rd_act, .wr_bytes = r->stats.wr_bytes,
		.sram_bytes = r->stats.sram_bytes, .macs_dense = r->stats.macs_dense,
		.macs_exec = r->stats.macs_exec, .vec_elems = r->stats.vec_elems,
		.tiles = r->stats.tiles, .cycles_compute = r->stats.cycles_compute,
		.cycles_memory = r->stats.cycles_memory, .cycles = r->stats.cycles,
		.energy_fj = r->stats.energy_fj,
	};
}

/*
 * Example A: W8A8 GEMM, M = 4, N = 32, K = 64, FP32 out, 1 MiB SRAM:
 * 3200 bytes of DRAM traffic, 200 cycles (memory-bound), 71 347 200 fJ.
 */
TEST(report_of_a_w8a8_gemm_run_on_the_firmware)
{
	static uint16_t x[4 * 64];
	struct accel_operand xo, yo;
	struct drm_quasar_cmd_gemm c;
	struct accel_enc_epi epi = { .alpha = 1.0f, .flags = DRM_QUASAR_GEMM_A8 };
	struct accel_job_stats s;
	struct accel_job_cost cost;
	struct la_weights w;
	struct accel_why why;
	struct fwrun e;
	char text[2048];
	int n;

	ASSERT_EQ(0, fwrun_init(&e, 1u << 20));
	ASSERT_EQ(0, la_weights(&e, &w, DRM_QUASAR_FORMAT_W_INT8, 32, 64, 0, false, 1));
	v1_rand_bf16(x, 4 * 64, 2);
	xo = la_plain(&e, DRM_QUASAR_FORMAT_BF16, 1, 1, 4, 64, x);
	yo = la_plain(&e, DRM_QUASAR_FORMAT_FP32, 1, 1, 4, 32, NULL);
	ASSERT_EQ(0u, accel_enc_gemm(&c, &yo, &xo, &w.op, &epi, &why));
	ASSERT_EQ(0u, la_run(&e, &c, sizeof(c)));
	s = rp_from_fw(&e.res, e.eng.cost.clock_mhz);

	accel_job_cost(&s, &cost);
	EXPECT_EQ(3200u, cost.dram_bytes);
	EXPECT_EQ(1, cost.memory_bound);
	EXPECT_TRUE(cost.time_us > 0.1999 && cost.time_us < 0.2001);
	EXPECT_TRUE(cost.energy_uj > 0.0713471 && cost.energy_uj < 0.0713473);
	EXPECT_TRUE(cost.ops_per_byte > 5.1199 && cost.ops_per_byte < 5.1201);
	EXPECT_TRUE(cost.tops > 0.08191 && cost.tops < 0.08193);

	n = accel_job_report(&s, "W8A8 4x32x64", text, sizeof(text));
	EXPECT_EQ((int)strlen(text), n);
	HAS(text, "W8A8 4x32x64: status OK after 2 commands");
	HAS(text, "weights 2048, scales/zeros/meta 128, activations 512, written 512");
	HAS(text, "DRAM 3200 (read 2688), SRAM 6400");
	HAS(text, "dense 8192, executed 8192 (100%), vector ops 256, tiles 1");
	HAS(text, "compute 12, memory 200, total 200 -> memory-bound (compute busy 6%)");
	HAS(text, "0.200 us at 1000 MHz");
	HAS(text, "0.071347 uJ (8.709 pJ per dense MAC)");
	HAS(text, "5.12 ops/byte");
	HAS(text, "0.0819 effective TOPS");
	compress_qtensor_free(w.qt);
	fwrun_fini(&e);
}

TEST(report_names_the_compute_bound_and_a_failed_status)
{
	const struct accel_job_stats s = {
		.status = DRM_QUASAR_STATUS_TOO_LARGE, .cmd_index = 3, .clock_mhz = 500,
		.macs_dense = 1000000, .macs_exec = 500000, .rd_weight_bytes = 1000,
		.cycles_compute = 900, .cycles_memory = 100, .cycles = 900,
		.energy_fj = 2000000000,
	};
	char text[2048];

	accel_job_report(&s, NULL, text, sizeof(text));
	HAS(text, "status TOO_LARGE after 3 commands");
	HAS(text, "executed 500000 (50%)");
	HAS(text, "-> compute-bound (memory busy 11%)");
	HAS(text, "1.800 us at 500 MHz");
	HAS(text, "2.000000 uJ (2.000 pJ per dense MAC)");
	HAS(text, "2000.00 ops/byte");
	HAS(text, "1.1111 effective TOPS");
}

TEST(report_of_a_job_without_compute_divides_by_nothing)
{
	const struct accel_job_stats s = { .status = 0, .cmd_index = 4, .clock_mhz = 1000 };
	struct accel_job_cost c;
	char text[2048];

	accel_job_cost(&s, &c);
	EXPECT_EQ(0, c.memory_bound);
	EXPECT_TRUE(c.tops == 0 && c.ops_per_byte == 0 && c.pj_per_mac == 0);
	accel_job_report(&s, "copy", text, sizeof(text));
	HAS(text, "(no modeled work)");
	EXPECT_EQ(NULL, strstr(text, "nan"));
	EXPECT_EQ(NULL, strstr(text, "inf"));
}

TEST(report_truncates_like_snprintf)
{
	const struct accel_job_stats s = { .clock_mhz = 1000 };
	char full[2048], small[16];
	int n = accel_job_report(&s, "t", full, sizeof(full));

	EXPECT_EQ(n, accel_job_report(&s, "t", small, sizeof(small)));
	EXPECT_EQ(sizeof(small) - 1, strlen(small));
	EXPECT_EQ(0, strncmp(full, small, sizeof(small) - 1));
	EXPECT_EQ(n, accel_job_report(&s, "t", NULL, 0));
}

/* ---- hazards ---- */

FIXTURE(hazard) {
	struct accel_hazard h;
};

FIXTURE_SETUP(hazard)
{
	memset(&self->h, 0, sizeof(self->h));
}

FIXTURE_TEARDOWN(hazard)
{
	accel_hazard_free(&self->h);
}

#define R(lo, hi) (&(struct accel_range){ lo, hi })

TEST_F(hazard, read_after_write_needs_a_barrier)
{
	ASSERT_EQ(0, accel_hazard_add(&self->h, NULL, 0, R(0, 100), 1));
	EXPECT_TRUE(accel_hazard_conflicts(&self->h, R(99, 120), 1, R(500, 600), 1));
	EXPECT_FALSE(accel_hazard_conflicts(&self->h, R(100, 120), 1, R(500, 600), 1));
}

TEST_F(hazard, write_after_write_and_after_read_need_a_barrier)
{
	ASSERT_EQ(0, accel_hazard_add(&self->h, R(200, 300), 1, R(0, 100), 1));
	EXPECT_TRUE(accel_hazard_conflicts(&self->h, NULL, 0, R(50, 51), 1));
	EXPECT_TRUE(accel_hazard_conflicts(&self->h, NULL, 0, R(250, 260), 1));
	/* Reading what an earlier command also read is no hazard. */
	EXPECT_FALSE(accel_hazard_conflicts(&self->h, R(250, 260), 1, R(300, 400), 1));
}

TEST_F(hazard, a_barrier_forgets_everything)
{
	for (uint64_t i = 0; i < 1000; i++)
		ASSERT_EQ(0, accel_hazard_add(&self->h, R(i * 10, i * 10 + 5), 1,
					      R(100000 + i, 100001 + i), 1));
	EXPECT_TRUE(accel_hazard_conflicts(&self->h, R(100999, 101000), 1, NULL, 0));
	EXPECT_TRUE(accel_hazard_conflicts(&self->h, NULL, 0, R(9994, 9995), 1));
	accel_hazard_clear(&self->h);
	EXPECT_FALSE(accel_hazard_conflicts(&self->h, R(0, UINT64_MAX), 1, R(0, UINT64_MAX), 1));
}

/* ---- output/input overlap ---- */

static struct accel_operand rp_plain(uint64_t addr, uint32_t rows, uint32_t d, uint32_t pitch)
{
	struct accel_operand o = { 0 };

	o.t = fwrun_tensor(addr, DRM_QUASAR_FORMAT_FP32, 1, 1, rows, pitch);
	o.t.dims[3] = d;
	return o;
}

TEST(overlap_of_dense_operands_is_found)
{
	struct accel_operand a = rp_plain(0x1000, 4, 16, 16), b = rp_plain(0x1000 + 240, 1, 16, 16);
	uint64_t at = 0;

	EXPECT_TRUE(accel_operand_overlap(&a, &b, &at));
	EXPECT_EQ(0x1000u + 240, at);
	b = rp_plain(0x1000 + 256, 1, 16, 16);
	EXPECT_FALSE(accel_operand_overlap(&a, &b, &at));
}

TEST(interleaved_strided_operands_are_not_refused)
{
	/* Rows of 16 floats, 32 apart: b's rows sit in a's gaps. */
	struct accel_operand a = rp_plain(0x1000, 4, 16, 32), b = rp_plain(0x1000 + 64, 4, 16, 32);
	uint64_t at;

	EXPECT_FALSE(accel_operand_overlap(&a, &b, &at));
}

TEST(overlap_with_a_packed_tensors_scales_is_found)
{
	const struct accel_weights w = { .format = DRM_QUASAR_FORMAT_W_INT8, .n = 16, .k = 64 };
	struct accel_operand wo, y;
	struct accel_wplace p;
	struct accel_wgeom g;
	struct accel_why why;
	uint64_t at;

	ASSERT_EQ(0, accel_weights_place(&w, &g, &p, &why));
	accel_weights_operand(&w, &g, &p, 0x10000, &wo);
	y = rp_plain(0x10000 + p.scales + 32, 1, 4, 4);
	EXPECT_TRUE(accel_operand_overlap(&y, &wo, &at));
	EXPECT_EQ(0x10000u + p.scales + 32, at);
	y = rp_plain(0x10000 + p.total, 1, 4, 4);
	EXPECT_FALSE(accel_operand_overlap(&y, &wo, &at));
}

/* ---- numbers and formats ---- */

TEST(bf16_rounding_is_the_datapaths)
{
	static const uint32_t special[] = {
		0, 0x80000000u, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x7f800001u,
		0xffffffffu, 0x7f7fffffu, 0x3f808000u, 0x3f818000u, 0x3f80ffffu, 0x00008000u,
	};
	uint32_t rng = 12345, bad = 0;

	for (uint32_t i = 0; i < 2000000; i++) {
		uint32_t u = i < sizeof(special) / 4 ? special[i] :
			     (rng = rng * 1664525u + 1013904223u);
		float f = dp_u2f(u);

		if (accel_f32_to_bf16(f) != dp_f32_to_bf16(f) ||
		    accel_f2u(accel_bf16_to_f32((uint16_t)u)) !=
		    dp_f2u(dp_bf16_to_f32((uint16_t)u)))
			if (bad++ < 5)
				TH_LOG("0x%08x: 0x%04x, datapath 0x%04x", u, accel_f32_to_bf16(f),
				       dp_f32_to_bf16(f));
	}
	EXPECT_EQ(0u, bad);
}

TEST(format_sizes)
{
	EXPECT_EQ(1u, accel_format_elem_size(DRM_QUASAR_FORMAT_U8));
	EXPECT_EQ(2u, accel_format_elem_size(DRM_QUASAR_FORMAT_BF16));
	EXPECT_EQ(4u, accel_format_elem_size(DRM_QUASAR_FORMAT_FP32));
	EXPECT_EQ(4u, accel_format_elem_size(DRM_QUASAR_FORMAT_U32));
	EXPECT_EQ(0u, accel_format_elem_size(DRM_QUASAR_FORMAT_W_INT4));
	EXPECT_EQ(0u, accel_format_elem_size(1000));
	EXPECT_TRUE(accel_format_is_packed(DRM_QUASAR_FORMAT_W_BF16));
	EXPECT_TRUE(accel_format_is_packed(DRM_QUASAR_FORMAT_W_SP_INT4));
	EXPECT_FALSE(accel_format_is_packed(DRM_QUASAR_FORMAT_U32));
	EXPECT_FALSE(accel_format_is_packed(DRM_QUASAR_FORMAT_W_SP_INT4 + 1));
}

TEST_HARNESS_MAIN
