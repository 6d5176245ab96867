// SPDX-License-Identifier: MIT
/*
 * ISA v1 and v2 conformance on the device: every op x format of docs/isa.md
 * 7.1 and 11.5
 * run through /dev/accel/accel0 (BOs, SUBMIT, the firmware in QEMU) and
 * compared bit for bit with the datapath's golden model, computed here
 * from the same input bytes. Test names are <op>.<format>; each runs an
 * irregular strided case and one sized to need several SRAM tiles. The
 * device must advertise every op and format it is tested on: a missing
 * one fails. malformed.* checks that bad commands are refused with their
 * status and index and that the queue goes on.
 */
#include "kselftest_harness.h"

#include "conform_cases.h"
#include "conform_neg.h"

#define CF_FIXTURE(op)							\
	FIXTURE(op) { struct cf_env e; };					\
	FIXTURE_SETUP(op) { ASSERT_EQ(0, cf_open(&self->e)); }		\
	FIXTURE_TEARDOWN(op) { cf_close(&self->e); }

CF_FIXTURE(gemm)
CF_FIXTURE(conv2d)
CF_FIXTURE(rmsnorm)
CF_FIXTURE(layernorm)
CF_FIXTURE(softmax)
CF_FIXTURE(rope)
CF_FIXTURE(add)
CF_FIXTURE(mul)
CF_FIXTURE(gather)
CF_FIXTURE(convert)
CF_FIXTURE(matmul)
CF_FIXTURE(softmax_v2)
CF_FIXTURE(eltwise_v2)
CF_FIXTURE(malformed)

#define CF_ACT_FMTS	(CF_FMT(DRM_QUASAR_FORMAT_BF16) | CF_FMT(DRM_QUASAR_FORMAT_FP32))

/* ---- GEMM and CONV2D: every weight format, BF16 and int8 activations ---- */

#define GEMM_TEST(name, fmt, a8)						\
	TEST_F(gemm, name)							\
	{									\
		struct cf_env *e = &self->e;					\
										\
		ASSERT_EQ(0, cf_require(e, DRM_QUASAR_OP_GEMM,			\
					CF_ACT_FMTS | CF_FMT(fmt)));		\
		EXPECT_EQ(0, cf_gemm_epilogue(e, fmt, a8, false));		\
		EXPECT_EQ(0, cf_gemm_epilogue(e, fmt, a8, true));		\
		EXPECT_EQ(0, cf_gemm_row_tiles(e, fmt, a8));			\
		EXPECT_EQ(0, cf_gemm_weight_tiles(e, fmt, a8));			\
		if (a8)								\
			EXPECT_EQ(0, cf_gemm_tiny_rows(e, fmt));		\
	}

#define CONV_TEST(name, fmt, a8)						\
	TEST_F(conv2d, name)							\
	{									\
		struct cf_env *e = &self->e;					\
										\
		ASSERT_EQ(0, cf_require(e, DRM_QUASAR_OP_CONV2D,		\
					CF_ACT_FMTS | CF_FMT(fmt)));		\
		EXPECT_EQ(0, cf_conv_small(e, fmt, a8));			\
		EXPECT_EQ(0, cf_conv_tiles(e, fmt, a8));			\
	}

#define MATMUL_TESTS(name, fmt)							\
	GEMM_TEST(name, fmt, false)						\
	CONV_TEST(name, fmt, false)

#define MATMUL_A8_TESTS(name, fmt)						\
	GEMM_TEST(name, fmt, true)						\
	CONV_TEST(name, fmt, true)

MATMUL_TESTS(w_bf16, DRM_QUASAR_FORMAT_W_BF16)
MATMUL_TESTS(w_int8, DRM_QUASAR_FORMAT_W_INT8)
MATMUL_TESTS(w_int4, DRM_QUASAR_FORMAT_W_INT4)
MATMUL_TESTS(w_mxint8, DRM_QUASAR_FORMAT_W_MXINT8)
MATMUL_TESTS(w_mxfp8, DRM_QUASAR_FORMAT_W_MXFP8)
MATMUL_TESTS(w_mxfp4, DRM_QUASAR_FORMAT_W_MXFP4)
MATMUL_TESTS(w_nvfp4, DRM_QUASAR_FORMAT_W_NVFP4)
MATMUL_TESTS(w_sp_bf16, DRM_QUASAR_FORMAT_W_SP_BF16)
MATMUL_TESTS(w_sp_int8, DRM_QUASAR_FORMAT_W_SP_INT8)
MATMUL_TESTS(w_sp_int4, DRM_QUASAR_FORMAT_W_SP_INT4)
/* The formats with an int8 path (docs/isa.md 7.1, GEMM_A8). */
MATMUL_A8_TESTS(w_int8_a8, DRM_QUASAR_FORMAT_W_INT8)
MATMUL_A8_TESTS(w_int4_a8, DRM_QUASAR_FORMAT_W_INT4)
MATMUL_A8_TESTS(w_mxint8_a8, DRM_QUASAR_FORMAT_W_MXINT8)
MATMUL_A8_TESTS(w_mxfp4_a8, DRM_QUASAR_FORMAT_W_MXFP4)
MATMUL_A8_TESTS(w_nvfp4_a8, DRM_QUASAR_FORMAT_W_NVFP4)
MATMUL_A8_TESTS(w_sp_int8_a8, DRM_QUASAR_FORMAT_W_SP_INT8)
MATMUL_A8_TESTS(w_sp_int4_a8, DRM_QUASAR_FORMAT_W_SP_INT4)

/* ---- Row operations, FP32 ---- */

#define ROW_TEST(fx, op)							\
	TEST_F(fx, fp32)							\
	{									\
		struct cf_env *e = &self->e;					\
										\
		ASSERT_EQ(0, cf_require(e, op,					\
					CF_FMT(DRM_QUASAR_FORMAT_FP32)));	\
		EXPECT_EQ(0, cf_rowop_small(e, op));				\
		EXPECT_EQ(0, cf_rowop_tiles(e, op));				\
	}

ROW_TEST(rmsnorm, DRM_QUASAR_OP_RMSNORM)
ROW_TEST(layernorm, DRM_QUASAR_OP_LAYERNORM)
ROW_TEST(softmax, DRM_QUASAR_OP_SOFTMAX)
ROW_TEST(rope, DRM_QUASAR_OP_ROPE)
ROW_TEST(add, DRM_QUASAR_OP_ADD)
ROW_TEST(mul, DRM_QUASAR_OP_MUL)

/* ---- GATHER and CONVERT from every packed format ---- */

#define PACKED_TESTS(name, fmt)							\
	TEST_F(gather, name)							\
	{									\
		struct cf_env *e = &self->e;					\
										\
		ASSERT_EQ(0, cf_require(e, DRM_QUASAR_OP_GATHER,		\
					CF_FMT(DRM_QUASAR_FORMAT_U32) |		\
					CF_FMT(DRM_QUASAR_FORMAT_FP32) |	\
					CF_FMT(fmt)));				\
		EXPECT_EQ(0, cf_gather(e, fmt, false));				\
		EXPECT_EQ(0, cf_gather(e, fmt, true));				\
	}									\
	TEST_F(convert, name)							\
	{									\
		struct cf_env *e = &self->e;					\
										\
		ASSERT_EQ(0, cf_require(e, DRM_QUASAR_OP_CONVERT,		\
					CF_ACT_FMTS | CF_FMT(fmt)));		\
		EXPECT_EQ(0, cf_dequant_small(e, fmt));				\
		EXPECT_EQ(0, cf_dequant_tiles(e, fmt));				\
	}

PACKED_TESTS(w_bf16, DRM_QUASAR_FORMAT_W_BF16)
PACKED_TESTS(w_int8, DRM_QUASAR_FORMAT_W_INT8)
PACKED_TESTS(w_int4, DRM_QUASAR_FORMAT_W_INT4)
PACKED_TESTS(w_mxint8, DRM_QUASAR_FORMAT_W_MXINT8)
PACKED_TESTS(w_mxfp8, DRM_QUASAR_FORMAT_W_MXFP8)
PACKED_TESTS(w_mxfp4, DRM_QUASAR_FORMAT_W_MXFP4)
PACKED_TESTS(w_nvfp4, DRM_QUASAR_FORMAT_W_NVFP4)
PACKED_TESTS(w_sp_bf16, DRM_QUASAR_FORMAT_W_SP_BF16)
PACKED_TESTS(w_sp_int8, DRM_QUASAR_FORMAT_W_SP_INT8)
PACKED_TESTS(w_sp_int4, DRM_QUASAR_FORMAT_W_SP_INT4)

/* ---- CONVERT between plain formats ---- */

TEST_F(convert, bf16_to_fp32)
{
	ASSERT_EQ(0, cf_require(&self->e, DRM_QUASAR_OP_CONVERT, CF_ACT_FMTS));
	EXPECT_EQ(0, cf_convert_plain(&self->e, false, false));
	EXPECT_EQ(0, cf_convert_plain(&self->e, false, true));
}

TEST_F(convert, fp32_to_bf16)
{
	ASSERT_EQ(0, cf_require(&self->e, DRM_QUASAR_OP_CONVERT, CF_ACT_FMTS));
	EXPECT_EQ(0, cf_convert_plain(&self->e, true, false));
	EXPECT_EQ(0, cf_convert_plain(&self->e, true, true));
}

/* ---- ISA v2: MATMUL, the causal SOFTMAX, ADD/MUL of a row, FP32 ---- */

#define CF_FP32	CF_FMT(DRM_QUASAR_FORMAT_FP32)

#define MM_TEST(name, flags)							\
	TEST_F(matmul, name)							\
	{									\
		ASSERT_EQ(0, cf_require(&self->e, DRM_QUASAR_OP_MATMUL, CF_FP32)); \
		EXPECT_EQ(0, cf_matmul(&self->e, flags, false));		\
		EXPECT_EQ(0, cf_matmul(&self->e, flags, true));			\
	}

MM_TEST(fp32, 0)
MM_TEST(fp32_trans_b, DRM_QUASAR_MATMUL_TRANS_B)
MM_TEST(fp32_causal, DRM_QUASAR_MATMUL_CAUSAL)
MM_TEST(fp32_trans_b_causal, DRM_QUASAR_MATMUL_TRANS_B | DRM_QUASAR_MATMUL_CAUSAL)

TEST_F(softmax_v2, fp32_causal)
{
	ASSERT_EQ(0, cf_require(&self->e, DRM_QUASAR_OP_SOFTMAX, CF_FP32));
	EXPECT_EQ(0, cf_softmax_causal(&self->e, false));
	EXPECT_EQ(0, cf_softmax_causal(&self->e, true));
}

TEST_F(eltwise_v2, fp32_mul_row)
{
	ASSERT_EQ(0, cf_require(&self->e, DRM_QUASAR_OP_MUL, CF_FP32));
	EXPECT_EQ(0, cf_eltwise_row(&self->e, DRM_QUASAR_OP_MUL, false));
	EXPECT_EQ(0, cf_eltwise_row(&self->e, DRM_QUASAR_OP_MUL, true));
}

TEST_F(eltwise_v2, fp32_add_row)
{
	ASSERT_EQ(0, cf_require(&self->e, DRM_QUASAR_OP_ADD, CF_FP32));
	EXPECT_EQ(0, cf_eltwise_row(&self->e, DRM_QUASAR_OP_ADD, false));
	EXPECT_EQ(0, cf_eltwise_row(&self->e, DRM_QUASAR_OP_ADD, true));
}

/* ---- Malformed commands ---- */

/* Every opcode the negative cases use, so a refusal is never BAD_OPCODE's. */
#define CF_NEG_REQUIRE(e)							\
	ASSERT_EQ(0, cf_require(e, DRM_QUASAR_OP_GEMM, CF_ACT_FMTS |		\
				CF_FMT(DRM_QUASAR_FORMAT_W_BF16) |		\
				CF_FMT(DRM_QUASAR_FORMAT_W_INT8)) |		\
		     cf_require(e, DRM_QUASAR_OP_ADD, 0) |			\
		     cf_require(e, DRM_QUASAR_OP_ISA_VERSION, 0))

TEST_F(malformed, rejected_with_index_next_job_ok)
{
	const struct drm_quasar_device_info *i = accel_device_info(self->e.dev);

	CF_NEG_REQUIRE(&self->e);
	/* The last queue: the queue of the failure must be the one that goes on. */
	EXPECT_EQ(0, cf_neg_third_command(&self->e, i->num_queues - 1));
}

#define NEG_TEST(name, kind, op)						\
	TEST_F(malformed, name)							\
	{									\
		CF_NEG_REQUIRE(&self->e);					\
		ASSERT_EQ(0, cf_require(&self->e, op, 0));			\
		EXPECT_EQ(0, cf_neg_case(&self->e, kind));			\
	}

NEG_TEST(gemm_a8_with_bf16_weights_is_bad_format, CF_NEG_A8_BF16, DRM_QUASAR_OP_GEMM)
NEG_TEST(add_of_bf16_is_bad_format, CF_NEG_ADD_BF16, DRM_QUASAR_OP_ADD)
NEG_TEST(convert_fp32_to_fp32_is_bad_format, CF_NEG_CONVERT_SAME, DRM_QUASAR_OP_CONVERT)
NEG_TEST(rmsnorm_with_bias_is_bad_operand, CF_NEG_RMSNORM_BIAS, DRM_QUASAR_OP_RMSNORM)
NEG_TEST(gemm_activation_past_silu_is_bad_operand, CF_NEG_ACT, DRM_QUASAR_OP_GEMM)
NEG_TEST(tensor_scale_on_int8_is_bad_operand, CF_NEG_TENSOR_SCALE, DRM_QUASAR_OP_GEMM)
NEG_TEST(self_overlapping_strides_are_bad_shape, CF_NEG_OVERLAP_STRIDES, DRM_QUASAR_OP_ADD)
NEG_TEST(rope_of_odd_width_is_bad_shape, CF_NEG_ROPE_ODD, DRM_QUASAR_OP_ROPE)
NEG_TEST(misaligned_fp32_tensor_is_bad_align, CF_NEG_MISALIGNED, DRM_QUASAR_OP_SOFTMAX)
NEG_TEST(tensor_span_past_2_64_is_bad_range, CF_NEG_WRAPS, DRM_QUASAR_OP_ADD)
NEG_TEST(reserved_field_set_is_bad_flags, CF_NEG_RESERVED, DRM_QUASAR_OP_RMSNORM)
NEG_TEST(gemm_one_word_short_is_bad_length, CF_NEG_SHORT, DRM_QUASAR_OP_GEMM)
NEG_TEST(newer_isa_version_refused_before_any_effect, CF_NEG_VERSION, DRM_QUASAR_OP_ADD)
NEG_TEST(matmul_of_mismatched_shapes_is_bad_shape, CF_NEG_MATMUL_SHAPE, DRM_QUASAR_OP_MATMUL)
NEG_TEST(matmul_unknown_flag_is_bad_flags, CF_NEG_MATMUL_FLAGS, DRM_QUASAR_OP_MATMUL)
NEG_TEST(softmax_of_neither_length_is_bad_length, CF_NEG_SOFTMAX_LENGTH,
	 DRM_QUASAR_OP_SOFTMAX)
NEG_TEST(mul_row_b_of_many_rows_is_bad_shape, CF_NEG_ROW_B_ROWS, DRM_QUASAR_OP_MUL)

TEST_F(malformed, gather_id_past_table_is_bad_index_after_earlier_rows)
{
	CF_NEG_REQUIRE(&self->e);
	ASSERT_EQ(0, cf_require(&self->e, DRM_QUASAR_OP_GATHER,
				CF_FMT(DRM_QUASAR_FORMAT_W_INT4) |
				CF_FMT(DRM_QUASAR_FORMAT_U32)));
	EXPECT_EQ(0, cf_neg_bad_index(&self->e));
}

TEST_F(malformed, tile_over_default_sram_is_too_large)
{
	CF_NEG_REQUIRE(&self->e);
	ASSERT_EQ(0, cf_require(&self->e, DRM_QUASAR_OP_CONVERT, 0));
	EXPECT_EQ(0, cf_neg_too_large(&self->e));
}

TEST_F(malformed, mmu_fault_writes_nothing_and_bans_only_its_file)
{
	CF_NEG_REQUIRE(&self->e);
	ASSERT_EQ(0, cf_require(&self->e, DRM_QUASAR_OP_SOFTMAX, 0));
	EXPECT_EQ(0, cf_neg_mmu_fault(&self->e));
}

TEST_HARNESS_MAIN
