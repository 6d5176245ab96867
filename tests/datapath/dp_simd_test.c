// SPDX-License-Identifier: MIT
/*
 * Quasar datapath: the fast kernels agree bit for bit with the golden model.
 * 1,000 random cases per weight format (10,000 per run), and 200 lone-row
 * cases with many panels per int8-activation format, on every instruction
 * set this CPU has. Seed: DP_TEST_SEED (printed); fixed by default.
 */
#include "kselftest_harness.h"
#include "dp_case.h"

#define DPT_CASES_PER_FORMAT 1000
#define DPT_GEMV_CASES_PER_FORMAT 200

/*
 * @gemv: 1-3 rows and 128-267 outputs, so that both halves of the output
 * (dpt_run_fast()) hold the several panels a lone row's kernel takes at once.
 */
static void dpt_check_format(struct __test_metadata *_metadata, uint32_t fmt, bool gemv)
{
	uint32_t seed = dpt_seed() ^ (fmt * 0x9e3779b9u) ^ (gemv ? 0x6e3fu : 0), i, isa, checked = 0;
	struct dpt_rng r = { seed };

	TH_LOG("seed 0x%08x, best isa %s", seed, dp_isa_name(dp_isa_best()));
	for (i = 0; i < (gemv ? DPT_GEMV_CASES_PER_FORMAT : DPT_CASES_PER_FORMAT); i++) {
		struct dpt_case c;

		if (gemv)
			dpt_case_make_mn(&r, &c, fmt, 1 + dpt_below(&r, 3), 128 + dpt_below(&r, 140));
		else
			dpt_case_make(&r, &c, fmt);
		c.g.y = c.y0;
		ASSERT_EQ(0, dp_gemm_ref(&c.g));
		for (isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
			long at;

			if (!dp_isa_ok(isa))
				continue;
			c.g.y = c.y1;
			memset(c.y1, 0xa5, (c.g.ofmt == DP_O_FP32 ? 4 : 2) * c.g.m * c.g.ldy);
			ASSERT_EQ(0, dpt_run_fast(&c.g, isa));
			c.g.y = c.y0;
			at = dpt_first_diff(&c.g, c.y0, c.y1);
			if (at >= 0) {
				if (c.g.ofmt == DP_O_FP32)
					TH_LOG("case %u %s isa %s: output %ld golden 0x%08x fast 0x%08x", i,
					       c.desc, dp_isa_name(isa), at,
					       dp_f2u(((float *)c.y0)[at]), dp_f2u(((float *)c.y1)[at]));
				else
					TH_LOG("case %u %s isa %s: output %ld golden 0x%04x fast 0x%04x", i,
					       c.desc, dp_isa_name(isa), at,
					       ((uint16_t *)c.y0)[at], ((uint16_t *)c.y1)[at]);
			}
			ASSERT_EQ(-1, at);
			checked++;
		}
		dpt_case_free(&c);
	}
	if (!checked)
		SKIP(return, "no SIMD instruction set on this CPU");
	TH_LOG("%u case/isa comparisons bit-exact", checked);
}

TEST(fast_gemm_matches_golden_bf16) { dpt_check_format(_metadata, DP_W_BF16, false); }
TEST(fast_gemm_matches_golden_int8) { dpt_check_format(_metadata, DP_W_INT8, false); }
TEST(fast_gemm_matches_golden_int4) { dpt_check_format(_metadata, DP_W_INT4, false); }
TEST(fast_gemm_matches_golden_mxint8) { dpt_check_format(_metadata, DP_W_MXINT8, false); }
TEST(fast_gemm_matches_golden_mxfp8) { dpt_check_format(_metadata, DP_W_MXFP8, false); }
TEST(fast_gemm_matches_golden_mxfp4) { dpt_check_format(_metadata, DP_W_MXFP4, false); }
TEST(fast_gemm_matches_golden_nvfp4) { dpt_check_format(_metadata, DP_W_NVFP4, false); }
TEST(fast_gemm_matches_golden_sp_bf16) { dpt_check_format(_metadata, DP_W_SP_BF16, false); }
TEST(fast_gemm_matches_golden_sp_int8) { dpt_check_format(_metadata, DP_W_SP_INT8, false); }
TEST(fast_gemm_matches_golden_sp_int4) { dpt_check_format(_metadata, DP_W_SP_INT4, false); }

TEST(fast_gemv_matches_golden_int8) { dpt_check_format(_metadata, DP_W_INT8, true); }
TEST(fast_gemv_matches_golden_int4) { dpt_check_format(_metadata, DP_W_INT4, true); }
TEST(fast_gemv_matches_golden_mxint8) { dpt_check_format(_metadata, DP_W_MXINT8, true); }
TEST(fast_gemv_matches_golden_mxfp4) { dpt_check_format(_metadata, DP_W_MXFP4, true); }
TEST(fast_gemv_matches_golden_nvfp4) { dpt_check_format(_metadata, DP_W_NVFP4, true); }
TEST(fast_gemv_matches_golden_sp_int8) { dpt_check_format(_metadata, DP_W_SP_INT8, true); }
TEST(fast_gemv_matches_golden_sp_int4) { dpt_check_format(_metadata, DP_W_SP_INT4, true); }

TEST(fast_act_quant_matches_golden)
{
	uint32_t seed = dpt_seed() ^ 0xac7u, i, isa, j;
	struct dpt_rng r = { seed };
	uint16_t x[300];
	int8_t q0[300], q1[300];
	float s0, s1;

	TH_LOG("seed 0x%08x", seed);
	for (i = 0; i < 2000; i++) {
		uint32_t k = 1 + dpt_below(&r, 300), kind = dpt_below(&r, 5);
		int tiny = -64 - (int)dpt_below(&r, 70);

		/* kind 4: a row of amax 2^-64 .. 2^-133, subnormals included */
		for (j = 0; j < k; j++)
			x[j] = dp_f32_to_bf16(kind == 4 ? ldexpf(dpt_unif(&r, 2.0f), tiny) :
						  dpt_act_value(&r, kind));
		dp_act_quant_ref(x, k, q0, &s0);
		for (isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
			if (!dp_isa_ok(isa))
				continue;
			dp_act_quant_fast(x, k, q1, &s1, isa);
			ASSERT_EQ(0, memcmp(q0, q1, k)) TH_LOG("case %u k=%u kind=%u isa %s", i, k, kind,
							       dp_isa_name(isa));
			ASSERT_TRUE(dpt_f32_same(s0, s1));
		}
	}
}

TEST(fast_act_quant_matches_golden_over_every_bf16_amax)
{
	/* every finite BF16 amax, in rows that end in each lane position */
	static const uint32_t lens[] = { 3, 16, 21, 47 };
	uint16_t x[48];
	int8_t q0[48], q1[48];
	float s0, s1, af;
	uint32_t a, l, j, isa, checked = 0;

	for (a = 0x0001; a <= 0x7f7f; a++) {
		af = dp_bf16_to_f32((uint16_t)a);
		for (j = 0; j < 48; j++)	/* values at or below amax, the sign alternating */
			x[j] = dp_f32_to_bf16(af * (float)(j % 11) / 10.0f) | (j & 1) << 15;
		for (l = 0; l < 4; l++) {
			x[(a + l) % lens[l]] = (uint16_t)a;	/* amax, in a different lane */
			dp_act_quant_ref(x, lens[l], q0, &s0);
			for (isa = DP_ISA_AVX2; isa < DP_ISA_COUNT; isa++) {
				if (!dp_isa_ok(isa))
					continue;
				dp_act_quant_fast(x, lens[l], q1, &s1, isa);
				ASSERT_EQ(0, memcmp(q0, q1, lens[l]))
					TH_LOG("amax 0x%04x k=%u isa %s", a, lens[l], dp_isa_name(isa));
				ASSERT_TRUE(dpt_f32_same(s0, s1)) TH_LOG("amax 0x%04x", a);
				checked++;
			}
		}
	}
	if (!checked)
		SKIP(return, "no SIMD instruction set on this CPU");
}

TEST_HARNESS_MAIN
