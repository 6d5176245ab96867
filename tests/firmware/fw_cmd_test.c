// SPDX-License-Identifier: MIT
/*
 * Command-stream ISA v0 (docs/isa.md) through fw_cmd_run: each command's
 * effect, each of its error codes with the failing command's index, and
 * multi-page FILL/COPY checked byte for byte.
 */
#include <string.h>

#include "kselftest_harness.h"

#include "drm/quasar_isa.h"
#include "fwrun.h"

#define SLOT		1
#define BUF_VA		0x200000000ull	/* 8 writable pages, physically scattered */
#define BUF_PAGES	8
#define RO_VA		0x300000000ull	/* one read-only page */
#define HOLE_VA		0x400000000ull	/* never mapped */

struct stream {
	uint8_t b[1024];
	uint32_t len;
};

static void emit(struct stream *s, const void *cmd, size_t n)
{
	memcpy(s->b + s->len, cmd, n);
	s->len += (uint32_t)n;
}

static void emit_nop(struct stream *s)
{
	struct drm_quasar_cmd_header c = { DRM_QUASAR_OP_NOP, sizeof(c), 0 };

	emit(s, &c, sizeof(c));
}

static void emit_fill(struct stream *s, uint64_t dst, uint32_t size, uint32_t value)
{
	struct drm_quasar_cmd_fill c = {
		{ DRM_QUASAR_OP_FILL, sizeof(c), 0 }, dst, size, value,
	};

	emit(s, &c, sizeof(c));
}

static void emit_copy(struct stream *s, uint64_t dst, uint64_t src, uint64_t size)
{
	struct drm_quasar_cmd_copy c = {
		{ DRM_QUASAR_OP_COPY, sizeof(c), 0 }, dst, src, size,
	};

	emit(s, &c, sizeof(c));
}

static void emit_write_value(struct stream *s, uint64_t addr, uint64_t value)
{
	struct drm_quasar_cmd_write_value c = {
		{ DRM_QUASAR_OP_WRITE_VALUE, sizeof(c), 0 }, addr, value,
	};

	emit(s, &c, sizeof(c));
}

FIXTURE(cmd) {
	struct fwrun_mem mem;
	struct fw_device fw;
	uint64_t root;
	struct stream s;
	struct fw_job_result res;
};

FIXTURE_SETUP(cmd)
{
	ASSERT_EQ(0, fwrun_mem_init(&self->mem));
	ASSERT_EQ(QUASAR_FW_OK, fwrun_boot(&self->fw, &self->mem, FW_ROM_OPS));
	self->root = fwrun_new_root(&self->mem);
	fwrun_map_range(&self->mem, self->root, BUF_VA, BUF_PAGES * FWRUN_PAGE, true);
	fwrun_map_range(&self->mem, self->root, RO_VA, FWRUN_PAGE, false);
	fwrun_ctx_bind(&self->fw, SLOT, self->root);
	memset(&self->s, 0, sizeof(self->s));
	memset(&self->res, 0xee, sizeof(self->res));
}

FIXTURE_TEARDOWN(cmd)
{
	fwrun_mem_fini(&self->mem);
}

static void run(FIXTURE_DATA(cmd) *self)
{
	fw_cmd_run(&self->fw, SLOT, self->s.b, self->s.len, NULL, &self->res);
}

static uint8_t *at(FIXTURE_DATA(cmd) *self, uint64_t va)
{
	return fwrun_va_ptr(&self->mem, self->root, va);
}

/* Fill the whole buffer with a byte pattern that differs per position. */
static void scribble(FIXTURE_DATA(cmd) *self)
{
	for (uint64_t i = 0; i < BUF_PAGES * FWRUN_PAGE; i++)
		*at(self, BUF_VA + i) = (uint8_t)(i * 7 + (i >> 12));
}

#define EXPECT_RESULT(want_status, want_index)				\
	do {								\
		EXPECT_EQ((uint32_t)(want_status), self->res.status);	\
		EXPECT_EQ((uint32_t)(want_index), self->res.cmd_index);	\
	} while (0)

/* ---- NOP and the stream ---- */

TEST_F(cmd, nops_complete_and_count_as_commands)
{
	for (int i = 0; i < 5; i++)
		emit_nop(&self->s);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OK, 5);
	EXPECT_EQ(0u, self->res.fault_addr);
}

TEST_F(cmd, empty_stream_runs_no_command)
{
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OK, 0);
}

TEST_F(cmd, unknown_opcode_is_bad_opcode_at_its_index)
{
	struct drm_quasar_cmd_header bad = { 0x7777, 8, 0 };

	emit_nop(&self->s);
	emit(&self->s, &bad, sizeof(bad));
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_OPCODE, 1);
}

TEST_F(cmd, first_unassigned_opcode_is_bad_opcode)
{
	struct drm_quasar_cmd_header bad = { DRM_QUASAR_OP_CONV2D + 1, 8, 0 };

	emit(&self->s, &bad, sizeof(bad));
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_OPCODE, 0);
}

TEST_F(cmd, opcode_not_enabled_by_image_is_bad_opcode)
{
	ASSERT_EQ(QUASAR_FW_OK, fwrun_boot(&self->fw, &self->mem,
						    1u << DRM_QUASAR_OP_NOP));
	fwrun_ctx_bind(&self->fw, SLOT, self->root);
	emit_nop(&self->s);
	emit_fill(&self->s, BUF_VA, 4, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_OPCODE, 1);
}

TEST_F(cmd, nothing_runs_before_boot)
{
	fw_reset(&self->fw);
	fwrun_ctx_bind(&self->fw, SLOT, self->root);
	emit_nop(&self->s);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_OPCODE, 0);
}

TEST_F(cmd, length_other_than_the_opcodes_is_bad_length)
{
	emit_fill(&self->s, BUF_VA, 4, 1);
	emit_nop(&self->s);
	self->s.b[2] = 32;	/* FILL claims 32 bytes; it has 24 */
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_LENGTH, 0);
}

TEST_F(cmd, nop_with_length_zero_is_bad_length)
{
	struct drm_quasar_cmd_header bad = { DRM_QUASAR_OP_NOP, 0, 0 };

	emit(&self->s, &bad, sizeof(bad));
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_LENGTH, 0);
}

TEST_F(cmd, command_running_past_stream_end_is_bad_length)
{
	emit_nop(&self->s);
	emit_copy(&self->s, BUF_VA, BUF_VA + 64, 8);
	self->s.len -= 8;
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_LENGTH, 1);
}

TEST_F(cmd, partial_header_at_stream_end_is_bad_length)
{
	emit_nop(&self->s);
	emit_nop(&self->s);
	self->s.len -= 4;
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_LENGTH, 1);
}

TEST_F(cmd, nonzero_header_flags_is_bad_flags)
{
	emit_nop(&self->s);
	emit_nop(&self->s);
	emit_fill(&self->s, BUF_VA, 4, 1);
	self->s.b[16 + 7] = 0x80;
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_FLAGS, 2);
	EXPECT_EQ(0, *at(self, BUF_VA));
}

TEST_F(cmd, failing_command_stops_the_stream)
{
	emit_write_value(&self->s, BUF_VA, 1);
	emit_fill(&self->s, BUF_VA + 8, 0, 0);	/* BAD_RANGE */
	emit_write_value(&self->s, BUF_VA + 16, 3);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_RANGE, 1);
	EXPECT_EQ(1, *at(self, BUF_VA));
	EXPECT_EQ(0, *at(self, BUF_VA + 16));
}

/* ---- FILL ---- */

TEST_F(cmd, fill_stores_the_pattern_little_endian)
{
	uint8_t want[16] = { 0x44, 0x33, 0x22, 0x11, 0x44, 0x33, 0x22, 0x11,
			     0x44, 0x33, 0x22, 0x11, 0x44, 0x33, 0x22, 0x11 };

	emit_fill(&self->s, BUF_VA + 4, 16, 0x11223344);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OK, 1);
	EXPECT_EQ(0, memcmp(want, at(self, BUF_VA + 4), 16));
	EXPECT_EQ(0, *at(self, BUF_VA + 3));
	EXPECT_EQ(0, *at(self, BUF_VA + 20));
}

TEST_F(cmd, multi_page_fill_is_exact_byte_for_byte)
{
	/* Starts mid-page, spans three page boundaries, ends mid-page. */
	const uint64_t start = 0xff4, size = 3 * FWRUN_PAGE + 0x20;

	scribble(self);
	emit_fill(&self->s, BUF_VA + start, (uint32_t)size, 0xa1b2c3d4);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OK, 1);
	for (uint64_t i = 0; i < BUF_PAGES * FWRUN_PAGE; i++) {
		static const uint8_t pat[4] = { 0xd4, 0xc3, 0xb2, 0xa1 };
		uint8_t want = (i >= start && i < start + size) ?
			       pat[(i - start) % 4] : (uint8_t)(i * 7 + (i >> 12));

		ASSERT_EQ(want, *at(self, BUF_VA + i)) {
			TH_LOG("buffer byte 0x%llx", (unsigned long long)i);
		}
	}
}

TEST_F(cmd, fill_of_zero_bytes_is_bad_range)
{
	emit_fill(&self->s, BUF_VA, 0, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_RANGE, 0);
}

TEST_F(cmd, fill_to_misaligned_address_is_bad_align)
{
	emit_nop(&self->s);
	emit_fill(&self->s, BUF_VA + 2, 8, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_ALIGN, 1);
}

TEST_F(cmd, fill_of_misaligned_size_is_bad_align)
{
	emit_fill(&self->s, BUF_VA, 6, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_ALIGN, 0);
	EXPECT_EQ(0, *at(self, BUF_VA));
}

TEST_F(cmd, fill_wrapping_past_2_64_is_bad_range)
{
	emit_fill(&self->s, 0xfffffffffffffff0ull, 0x20, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_RANGE, 0);
}

TEST_F(cmd, fill_into_unmapped_page_faults_at_that_page)
{
	/* Last mapped page of BUF, then one past the end of the mapping. */
	const uint64_t last = BUF_VA + (BUF_PAGES - 1) * FWRUN_PAGE;

	emit_nop(&self->s);
	emit_fill(&self->s, last + 0x800, FWRUN_PAGE, 0xffffffff);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_MMU_FAULT, 1);
	EXPECT_EQ(BUF_VA + BUF_PAGES * FWRUN_PAGE, self->res.fault_addr);
}

TEST_F(cmd, fill_into_readonly_page_is_perm_error)
{
	emit_fill(&self->s, RO_VA + 8, 8, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_MMU_PERM, 0);
	EXPECT_EQ(RO_VA + 8, self->res.fault_addr);
	EXPECT_EQ(0, *at(self, RO_VA + 8));
}

/* ---- COPY ---- */

TEST_F(cmd, copy_moves_the_bytes)
{
	scribble(self);
	emit_copy(&self->s, BUF_VA + 100, BUF_VA + 3000, 37);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OK, 1);
	for (int i = 0; i < 37; i++) {
		uint64_t src = 3000 + (uint64_t)i;

		ASSERT_EQ((uint8_t)(src * 7 + (src >> 12)), *at(self, BUF_VA + 100 + i));
	}
	EXPECT_EQ((uint8_t)(137 * 7), *at(self, BUF_VA + 137));
}

TEST_F(cmd, multi_page_copy_is_exact_byte_for_byte)
{
	/* Unaligned source and destination, crossing pages at different points. */
	const uint64_t src = 0x123, dst = 4 * FWRUN_PAGE + 0x777;
	const uint64_t size = 3 * FWRUN_PAGE + 0x321;

	scribble(self);
	emit_copy(&self->s, BUF_VA + dst, BUF_VA + src, size);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OK, 1);
	for (uint64_t i = 0; i < BUF_PAGES * FWRUN_PAGE; i++) {
		uint64_t from = (i >= dst && i < dst + size) ? i - dst + src : i;

		ASSERT_EQ((uint8_t)(from * 7 + (from >> 12)), *at(self, BUF_VA + i)) {
			TH_LOG("buffer byte 0x%llx", (unsigned long long)i);
		}
	}
}

TEST_F(cmd, copy_from_readonly_page_succeeds)
{
	*at(self, RO_VA + 5) = 0x5a;
	emit_copy(&self->s, BUF_VA, RO_VA + 5, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OK, 1);
	EXPECT_EQ(0x5a, *at(self, BUF_VA));
}

TEST_F(cmd, copy_with_overlapping_ranges_is_overlap)
{
	emit_copy(&self->s, BUF_VA + 8, BUF_VA, 9);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OVERLAP, 0);
}

TEST_F(cmd, copy_with_source_after_overlapping_destination_is_overlap)
{
	emit_nop(&self->s);
	emit_copy(&self->s, BUF_VA, BUF_VA + 4095, 4096);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OVERLAP, 1);
}

TEST_F(cmd, copy_onto_itself_is_overlap)
{
	emit_copy(&self->s, BUF_VA, BUF_VA, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OVERLAP, 0);
}

TEST_F(cmd, copy_between_touching_ranges_is_allowed)
{
	scribble(self);
	emit_copy(&self->s, BUF_VA + 16, BUF_VA, 16);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OK, 1);
	EXPECT_EQ(0, memcmp(at(self, BUF_VA), at(self, BUF_VA + 16), 16));
}

TEST_F(cmd, copy_of_zero_bytes_is_bad_range)
{
	emit_copy(&self->s, BUF_VA, BUF_VA + 64, 0);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_RANGE, 0);
}

TEST_F(cmd, copy_with_source_wrapping_is_bad_range)
{
	emit_copy(&self->s, BUF_VA, 0xffffffffffffff00ull, 0x101);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_RANGE, 0);
}

TEST_F(cmd, copy_with_destination_wrapping_is_bad_range)
{
	emit_copy(&self->s, 0x8000000000000000ull, BUF_VA, 0x8000000000000001ull);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_RANGE, 0);
}

TEST_F(cmd, copy_from_unmapped_source_faults_at_source)
{
	emit_copy(&self->s, BUF_VA, HOLE_VA + 0x10, 8);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_MMU_FAULT, 0);
	EXPECT_EQ(HOLE_VA + 0x10, self->res.fault_addr);
}

TEST_F(cmd, copy_to_readonly_page_is_perm_error)
{
	emit_nop(&self->s);
	emit_copy(&self->s, RO_VA, BUF_VA, 8);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_MMU_PERM, 1);
	EXPECT_EQ(RO_VA, self->res.fault_addr);
}

/* ---- WRITE_VALUE ---- */

TEST_F(cmd, write_value_stores_64_bits_little_endian)
{
	const uint8_t want[8] = { 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 };

	emit_write_value(&self->s, BUF_VA + 0xff8, 0x0102030405060708ull);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OK, 1);
	EXPECT_EQ(0, memcmp(want, at(self, BUF_VA + 0xff8), 8));
}

TEST_F(cmd, write_value_to_misaligned_address_is_bad_align)
{
	emit_write_value(&self->s, BUF_VA + 4, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_ALIGN, 0);
	EXPECT_EQ(0, *at(self, BUF_VA + 4));
}

TEST_F(cmd, write_value_lands_after_earlier_commands)
{
	emit_fill(&self->s, BUF_VA, 64, 0xdeadbeef);
	emit_copy(&self->s, BUF_VA + 64, BUF_VA, 8);
	emit_write_value(&self->s, BUF_VA + 8, 0x1122334455667788ull);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OK, 3);
	EXPECT_EQ(0xef, *at(self, BUF_VA + 64));
	EXPECT_EQ(0x88, *at(self, BUF_VA + 8));
	EXPECT_EQ(0xef, *at(self, BUF_VA + 16));
}

TEST_F(cmd, write_value_to_unmapped_address_faults)
{
	emit_write_value(&self->s, HOLE_VA, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_MMU_FAULT, 0);
	EXPECT_EQ(HOLE_VA, self->res.fault_addr);
}

TEST_F(cmd, write_value_above_39_bits_faults)
{
	emit_write_value(&self->s, QUASAR_VA_END, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_MMU_FAULT, 0);
	EXPECT_EQ(QUASAR_VA_END, self->res.fault_addr);
}

TEST_F(cmd, non_mmu_errors_report_no_fault_address)
{
	emit_write_value(&self->s, HOLE_VA + 1, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_BAD_ALIGN, 0);
	EXPECT_EQ(0u, self->res.fault_addr);
}

TEST_F(cmd, page_dma_failure_is_dma_error)
{
	uint64_t pte = fwrun_pte_addr(&self->mem, self->root, BUF_VA, 0);
	uint8_t *p = fwrun_mem_ptr(&self->mem, pte, 8);
	uint64_t pa = 0;

	for (int i = 7; i >= 0; i--)
		pa = pa << 8 | p[i];
	pa &= QUASAR_PTE_ADDR_MASK;
	self->mem.fail_lo = pa;
	self->mem.fail_hi = pa + FWRUN_PAGE;
	emit_write_value(&self->s, BUF_VA, 1);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_DMA_ERROR, 0);
	EXPECT_EQ(0u, self->res.fault_addr);
}

struct stop_at {
	FIXTURE_DATA(cmd) *self;
	uint64_t va;		/* stop once this byte is non-zero */
};

static bool stop_at(void *opaque)
{
	struct stop_at *w = opaque;

	return *at(w->self, w->va) != 0;
}

TEST_F(cmd, stop_request_abandons_a_long_fill_between_pages)
{
	struct stop_at w = { self, BUF_VA + 2 * FWRUN_PAGE };
	struct fw_job_stop stop = { stop_at, &w };

	emit_fill(&self->s, BUF_VA, BUF_PAGES * FWRUN_PAGE, 0x01010101);
	fw_cmd_run(&self->fw, SLOT, self->s.b, self->s.len, &stop, &self->res);
	EXPECT_RESULT(DRM_QUASAR_STATUS_ABORTED, 0);
	EXPECT_EQ(1, *at(self, BUF_VA + 3 * FWRUN_PAGE - 1));
	EXPECT_EQ(0, *at(self, BUF_VA + 3 * FWRUN_PAGE));
}

TEST_F(cmd, stop_request_abandons_the_stream_before_the_next_command)
{
	struct stop_at w = { self, BUF_VA + 8 };
	struct fw_job_stop stop = { stop_at, &w };

	emit_write_value(&self->s, BUF_VA, 1);
	emit_write_value(&self->s, BUF_VA + 8, 2);
	emit_write_value(&self->s, BUF_VA + 16, 3);
	fw_cmd_run(&self->fw, SLOT, self->s.b, self->s.len, &stop, &self->res);
	EXPECT_RESULT(DRM_QUASAR_STATUS_ABORTED, 2);
	EXPECT_EQ(0, *at(self, BUF_VA + 16));
}

/* The example of docs/isa.md section 5, byte for byte. */
TEST_F(cmd, isa_md_example_stream_runs_as_documented)
{
	static const uint8_t example[80] = {
		0x01, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x00, 0x10, 0x00, 0x00, 0xef, 0xbe, 0xad, 0xde,
		0x02, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x20, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x03, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00,
		0xf8, 0x2f, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	const uint64_t va = QUASAR_VA_START;

	fwrun_map_range(&self->mem, self->root, va, FWRUN_PAGE, true);
	emit(&self->s, example, sizeof(example));
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_MMU_FAULT, 1);
	EXPECT_EQ(va + 0x2000, self->res.fault_addr);

	fwrun_map_range(&self->mem, self->root, va + 0x2000, FWRUN_PAGE, true);
	run(self);
	EXPECT_RESULT(DRM_QUASAR_STATUS_OK, 3);
	EXPECT_EQ(0xde, *at(self, va + 0xfff));
	EXPECT_EQ(0xef, *at(self, va + 0x2000));
	EXPECT_EQ(0xde, *at(self, va + 0x203f));
	EXPECT_EQ(0x00, *at(self, va + 0x2040));
	EXPECT_EQ(0x01, *at(self, va + 0x2ff8));
}

TEST_HARNESS_MAIN
