// SPDX-License-Identifier: MIT
/*
 * ISA v1 validation (docs/isa.md sections 5-7): each rule, broken alone in
 * an otherwise good GEMM or SOFTMAX behind a NOP, fails the job with its
 * status at index 1, writes nothing, and the next job on the same device
 * succeeds.
 */
#include "kselftest_harness.h"

#include "fw_test_data.h"

#define M 4
#define N 32
#define K 64

FIXTURE(v1) {
	struct fwrun e;
	struct fwrun_weights w;
	struct drm_quasar_cmd_gemm g;
	struct drm_quasar_cmd_gemm g0;	/* the good GEMM, kept pristine */
	struct drm_quasar_cmd_softmax s;
	uint64_t sram0;
};

FIXTURE_SETUP(v1)
{
	uint16_t x[M * K];
	float sx[M * 8];

	ASSERT_EQ(0, fwrun_init(&self->e, 1u << 20));
	ASSERT_EQ(0, v1_weights(&self->e, &self->w, DRM_QUASAR_FORMAT_W_INT4, N, K, 5, true));
	v1_rand_bf16(x, M * K, 9);
	memset(&self->g, 0, sizeof(self->g));
	self->g.hdr = (struct drm_quasar_cmd_header){ DRM_QUASAR_OP_GEMM, sizeof(self->g), 0 };
	self->g.x = fwrun_tensor(fwrun_upload(&self->e, x, sizeof(x)), DRM_QUASAR_FORMAT_BF16,
			      1, 1, M, K);
	self->g.w = self->w.t;
	self->g.wp = self->w.wp;
	self->g.y = fwrun_tensor(fwrun_alloc(&self->e, M * N * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, M, N);
	self->g.alpha = v1_f2u(1.0f);
	v1_rand_f32(sx, M * 8, 3);
	memset(&self->s, 0, sizeof(self->s));
	self->s.hdr = (struct drm_quasar_cmd_header){ DRM_QUASAR_OP_SOFTMAX, sizeof(self->s), 0 };
	self->s.x = fwrun_tensor(fwrun_upload(&self->e, sx, sizeof(sx)), DRM_QUASAR_FORMAT_FP32,
			      1, 1, M, 8);
	self->s.y = fwrun_tensor(fwrun_alloc(&self->e, sizeof(sx)), DRM_QUASAR_FORMAT_FP32, 1, 1, M, 8);
	self->g0 = self->g;
	self->sram0 = self->e.eng.sram_size;
	/* Poison the outputs: a rejected command must leave them alone. */
	for (uint64_t i = 0; i < M * N * 4; i++)
		*fwrun_va_ptr(&self->e.mem, self->e.root, self->g0.y.addr + i) = 0xa5;
}

FIXTURE_TEARDOWN(v1)
{
	fwrun_weights_free(&self->w);
	fwrun_fini(&self->e);
}

static bool y_untouched(FIXTURE_DATA(v1) *self)
{
	for (uint64_t i = 0; i < M * N * 4; i++)
		if (*fwrun_va_ptr(&self->e.mem, self->e.root, self->g0.y.addr + i) != 0xa5)
			return false;
	return true;
}

/* Run NOP + @cmd; expect @status at index 1; then the good GEMM succeeds. */
static void expect_reject(struct __test_metadata *_metadata, FIXTURE_DATA(v1) *self,
			  const void *cmd, size_t len, uint32_t status)
{
	struct drm_quasar_cmd_header nop = { DRM_QUASAR_OP_NOP, 8, 0 };

	fwrun_emit(&self->e, &nop, sizeof(nop));
	fwrun_emit(&self->e, cmd, len);
	fwrun_run(&self->e);
	EXPECT_EQ(status, self->e.res.status);
	EXPECT_EQ(1u, self->e.res.cmd_index);
	EXPECT_TRUE(y_untouched(self));
	self->e.eng.sram_size = self->sram0;
	fwrun_emit(&self->e, &self->g0, sizeof(self->g0));
	fwrun_run(&self->e);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, self->e.res.status);
	EXPECT_EQ(1u, self->e.res.cmd_index);
}

#define REJECT_GEMM(st)	expect_reject(_metadata, self, &self->g, sizeof(self->g), \
				      DRM_QUASAR_STATUS_##st)
#define REJECT_SOFTMAX(st) expect_reject(_metadata, self, &self->s, sizeof(self->s), \
					 DRM_QUASAR_STATUS_##st)

TEST_F(v1, good_gemm_runs)
{
	fwrun_emit(&self->e, &self->g, sizeof(self->g));
	fwrun_run(&self->e);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_OK, self->e.res.status);
	EXPECT_FALSE(y_untouched(self));
}

TEST_F(v1, newer_isa_version_is_bad_version)
{
	struct drm_quasar_cmd_isa_version c = {
		{ DRM_QUASAR_OP_ISA_VERSION, sizeof(c), 0 }, DRM_QUASAR_ISA_VERSION + 1, 0 };

	expect_reject(_metadata, self, &c, sizeof(c), DRM_QUASAR_STATUS_BAD_VERSION);
}

TEST_F(v1, isa_version_reserved_is_bad_flags)
{
	struct drm_quasar_cmd_isa_version c = {
		{ DRM_QUASAR_OP_ISA_VERSION, sizeof(c), 0 }, 1, 1 };

	expect_reject(_metadata, self, &c, sizeof(c), DRM_QUASAR_STATUS_BAD_FLAGS);
}

TEST_F(v1, zero_dim_is_bad_shape)
{
	self->g.x.dims[1] = 0;
	REJECT_GEMM(BAD_SHAPE);
}

TEST_F(v1, dim_above_max_is_bad_shape)
{
	self->s.x.dims[0] = DRM_QUASAR_DIM_MAX + 1;
	REJECT_SOFTMAX(BAD_SHAPE);
}

TEST_F(v1, inner_stride_not_one_is_bad_shape)
{
	self->s.x.strides[3] = 2;
	REJECT_SOFTMAX(BAD_SHAPE);
}

TEST_F(v1, overlapping_rows_are_bad_shape)
{
	self->s.y.strides[2] = 4;	/* rows of 8 elements, 4 apart */
	REJECT_SOFTMAX(BAD_SHAPE);
}

TEST_F(v1, mismatched_k_is_bad_shape)
{
	self->g.x.dims[3] = K - 1;
	self->g.x.strides[2] = K - 1;
	REJECT_GEMM(BAD_SHAPE);
}

TEST_F(v1, output_columns_not_n_is_bad_shape)
{
	self->g.y.dims[3] = N - 1;
	REJECT_GEMM(BAD_SHAPE);
}

TEST_F(v1, unknown_format_is_bad_format)
{
	self->s.x.format = 99;
	REJECT_SOFTMAX(BAD_FORMAT);
}

TEST_F(v1, softmax_of_bf16_is_bad_format)
{
	self->s.x.format = DRM_QUASAR_FORMAT_BF16;
	REJECT_SOFTMAX(BAD_FORMAT);
}

TEST_F(v1, a8_with_bf16_weights_is_bad_format)
{
	struct fwrun_weights wb;

	ASSERT_EQ(0, v1_weights(&self->e, &wb, DRM_QUASAR_FORMAT_W_BF16, N, K, 1, false));
	self->g.w = wb.t;
	self->g.wp = wb.wp;
	self->g.flags = DRM_QUASAR_GEMM_A8;
	REJECT_GEMM(BAD_FORMAT);
	fwrun_weights_free(&wb);
}

TEST_F(v1, bad_group_is_bad_format)
{
	self->g.wp.group = 48;
	REJECT_GEMM(BAD_FORMAT);
}

TEST_F(v1, missing_scales_is_bad_operand)
{
	self->g.wp.scales = 0;
	REJECT_GEMM(BAD_OPERAND);
}

TEST_F(v1, meta_on_a_dense_format_is_bad_operand)
{
	self->g.wp.meta = self->g.wp.scales;
	REJECT_GEMM(BAD_OPERAND);
}

TEST_F(v1, unknown_activation_is_bad_operand)
{
	self->g.act = DRM_QUASAR_ACT_SILU + 1;
	REJECT_GEMM(BAD_OPERAND);
}

TEST_F(v1, unknown_gemm_flag_is_bad_flags)
{
	self->g.flags = 2;
	REJECT_GEMM(BAD_FLAGS);
}

TEST_F(v1, tensor_flags_on_plain_tensor_is_bad_flags)
{
	self->g.x.flags = DRM_QUASAR_TENSOR_ZERO_POINTS;
	REJECT_GEMM(BAD_FLAGS);
}

TEST_F(v1, misaligned_fp32_address_is_bad_align)
{
	self->g.y.addr += 2;
	REJECT_GEMM(BAD_ALIGN);
}

TEST_F(v1, span_past_2_64_is_bad_range)
{
	self->s.x.addr = 0xfffffffffffff000ull;
	self->s.x.dims[0] = 512;
	REJECT_SOFTMAX(BAD_RANGE);
}

TEST_F(v1, unmapped_last_output_page_faults_before_any_write)
{
	/* Rows 4 MiB apart: every row but the first is past the mapped window. */
	self->g.y.strides[2] = 1u << 20;
	REJECT_GEMM(MMU_FAULT);
	EXPECT_EQ(0u, self->e.res.fault_addr);	/* the good job after: no fault */
}

TEST_F(v1, fault_address_is_the_first_unmapped_byte)
{
	struct drm_quasar_cmd_header nop = { DRM_QUASAR_OP_NOP, 8, 0 };

	self->s.x.addr = FWRUN_HOLE_VA;
	fwrun_emit(&self->e, &nop, sizeof(nop));
	fwrun_emit(&self->e, &self->s, sizeof(self->s));
	fwrun_run(&self->e);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_MMU_FAULT, self->e.res.status);
	EXPECT_EQ(1u, self->e.res.cmd_index);
	EXPECT_EQ(FWRUN_HOLE_VA, self->e.res.fault_addr);
}

TEST_F(v1, read_only_output_is_mmu_perm)
{
	self->s.y.addr = FWRUN_RO_VA;
	REJECT_SOFTMAX(MMU_PERM);
}

/*
 * A job remembers the ranges its pre-checks found mapped (struct
 * fw_tlb_range); what it vouches for must be exactly that: not the page
 * after the range, nor a range further on, nor writing where it read.
 * Runs @a then @b as one job; @b must fail its pre-check at @fault.
 */
static void second_of_two_faults(struct __test_metadata *_metadata, FIXTURE_DATA(v1) *self,
				 const struct drm_quasar_cmd_softmax *a,
				 const struct drm_quasar_cmd_softmax *b, uint32_t status,
				 uint64_t fault)
{
	fwrun_emit(&self->e, a, sizeof(*a));
	fwrun_emit(&self->e, b, sizeof(*b));
	fwrun_run(&self->e);
	EXPECT_EQ(status, self->e.res.status);
	EXPECT_EQ(1u, self->e.res.cmd_index);
	EXPECT_EQ(fault, self->e.res.fault_addr);
}

TEST_F(v1, checked_range_does_not_vouch_for_the_page_after_it)
{
	uint64_t end = FWRUN_VA + self->e.va_size;
	struct drm_quasar_cmd_softmax a = self->s, b = self->s;

	a.y.addr = end - M * 8 * 4;
	b.y.addr = end;
	second_of_two_faults(_metadata, self, &a, &b, DRM_QUASAR_STATUS_MMU_FAULT, end);
}

/* Its output's first row is mapped, the rest not: the pre-check must fail it whole. */
TEST_F(v1, checked_range_does_not_vouch_for_a_range_beyond_it)
{
	uint64_t end = FWRUN_VA + self->e.va_size, row = 8 * 4;
	struct drm_quasar_cmd_softmax a = self->s, b = self->s;

	for (uint64_t i = 0; i < row; i++)
		*fwrun_va_ptr(&self->e.mem, self->e.root, end - row + i) = 0xa5;
	a.y.addr = end - 4 * FWRUN_PAGE;
	b.y.addr = end - row;
	second_of_two_faults(_metadata, self, &a, &b, DRM_QUASAR_STATUS_MMU_FAULT, end);
	for (uint64_t i = 0; i < row; i++)
		EXPECT_EQ(0xa5, *fwrun_va_ptr(&self->e.mem, self->e.root, end - row + i));
}

TEST_F(v1, range_checked_for_reading_is_not_writable)
{
	struct drm_quasar_cmd_softmax a = self->s, b = self->s;

	a.x.addr = FWRUN_RO_VA;		/* read: fine */
	b.y.addr = FWRUN_RO_VA;		/* written: the same page refuses */
	second_of_two_faults(_metadata, self, &a, &b, DRM_QUASAR_STATUS_MMU_PERM, FWRUN_RO_VA);
}

TEST_F(v1, embedding_id_past_the_table_is_bad_index)
{
	uint32_t ids[2] = { 1, N };
	struct drm_quasar_cmd_gather c = { .hdr = { DRM_QUASAR_OP_GATHER, sizeof(c), 0 } };

	c.table = self->w.t;
	c.tp = self->w.wp;
	c.ids = fwrun_tensor(fwrun_upload(&self->e, ids, sizeof(ids)), DRM_QUASAR_FORMAT_U32,
			  1, 1, 1, 2);
	c.y = fwrun_tensor(fwrun_alloc(&self->e, 2 * K * 4), DRM_QUASAR_FORMAT_FP32, 1, 1, 2, K);
	expect_reject(_metadata, self, &c, sizeof(c), DRM_QUASAR_STATUS_BAD_INDEX);
}

TEST_F(v1, tile_larger_than_sram_is_too_large)
{
	self->e.eng.sram_size = 256;
	REJECT_GEMM(TOO_LARGE);
}

TEST_F(v1, wrong_length_is_bad_length)
{
	self->g.hdr.length = sizeof(self->g) - 8;
	expect_reject(_metadata, self, &self->g, sizeof(self->g) - 8,
		      DRM_QUASAR_STATUS_BAD_LENGTH);
}

TEST_F(v1, compute_without_engine_is_bad_opcode_but_barrier_runs)
{
	struct drm_quasar_cmd_header barrier = { DRM_QUASAR_OP_BARRIER, 8, 0 };

	self->e.fw.engine = NULL;
	fwrun_emit_isa_version(&self->e, 1);
	fwrun_emit(&self->e, &barrier, sizeof(barrier));
	fwrun_emit(&self->e, &self->s, sizeof(self->s));
	fwrun_run(&self->e);
	EXPECT_EQ((uint32_t)DRM_QUASAR_STATUS_BAD_OPCODE, self->e.res.status);
	EXPECT_EQ(2u, self->e.res.cmd_index);
	EXPECT_EQ(0u, self->e.res.stats.tiles);
}

TEST_HARNESS_MAIN
