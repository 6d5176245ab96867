// SPDX-License-Identifier: MIT
/*
 * Device MMU (hw-spec section 4): translations through real three-level
 * tables in test guest memory, each fault class, and transfers that cross
 * pages.
 */
#include <string.h>

#include "kselftest_harness.h"

#include "drm/quasar_isa.h"
#include "fwrun.h"

#define VA	0x123456000ull	/* inside QUASAR_VA_START..END, page aligned */
#define SLOT	5

FIXTURE(mmu) {
	struct fwrun_mem mem;
	struct fw_device fw;
	uint64_t root;
	uint64_t page;		/* physical page behind VA, writable */
};

FIXTURE_SETUP(mmu)
{
	ASSERT_EQ(0, fwrun_mem_init(&self->mem));
	ASSERT_EQ(QUASAR_FW_OK, fwrun_boot(&self->fw, &self->mem, FW_ROM_OPS));
	self->root = fwrun_new_root(&self->mem);
	self->page = fwrun_mem_alloc(&self->mem, FWRUN_PAGE);
	fwrun_map(&self->mem, self->root, VA, self->page,
		    QUASAR_PTE_VALID | QUASAR_PTE_WRITE);
	fwrun_ctx_bind(&self->fw, SLOT, self->root);
}

FIXTURE_TEARDOWN(mmu)
{
	fwrun_mem_fini(&self->mem);
}

static int translate(FIXTURE_DATA(mmu) *self, uint64_t va, bool write,
		     uint64_t *dma, uint64_t *contig)
{
	return fw_mmu_translate(&self->fw, SLOT, va, write, dma, contig);
}

static void set_pte(FIXTURE_DATA(mmu) *self, uint64_t va, int level, uint64_t pte)
{
	uint8_t *p = fwrun_mem_ptr(&self->mem, fwrun_pte_addr(&self->mem, self->root,
							      va, level), 8);

	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(pte >> (8 * i));
}

TEST_F(mmu, mapped_page_translates_to_its_address_and_page_rest)
{
	uint64_t dma = 0, contig = 0;

	ASSERT_EQ(DRM_QUASAR_STATUS_OK, translate(self, VA + 0x234, true, &dma, &contig));
	EXPECT_EQ(self->page + 0x234, dma);
	EXPECT_EQ(FWRUN_PAGE - 0x234, contig);
}

TEST_F(mmu, unmapped_level2_entry_faults)
{
	uint64_t dma, contig;

	/* Different bits 38..30: a level-2 entry that was never written. */
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT,
		  translate(self, VA + (1ull << 30), false, &dma, &contig));
}

TEST_F(mmu, unmapped_level1_entry_faults)
{
	uint64_t dma, contig;

	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT,
		  translate(self, VA + (1ull << 21), false, &dma, &contig));
}

TEST_F(mmu, unmapped_level0_entry_faults)
{
	uint64_t dma, contig;

	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT,
		  translate(self, VA + FWRUN_PAGE, false, &dma, &contig));
}

TEST_F(mmu, cleared_valid_bit_at_level1_faults)
{
	uint64_t dma, contig;
	uint8_t *p = fwrun_mem_ptr(&self->mem,
				 fwrun_pte_addr(&self->mem, self->root, VA, 1), 1);

	p[0] &= (uint8_t)~QUASAR_PTE_VALID;
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT, translate(self, VA, false, &dma, &contig));
}

TEST_F(mmu, write_to_readonly_page_is_perm_error)
{
	uint64_t dma, contig;

	set_pte(self, VA, 0, self->page | QUASAR_PTE_VALID);
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_PERM, translate(self, VA, true, &dma, &contig));
}

TEST_F(mmu, read_of_readonly_page_succeeds)
{
	uint64_t dma, contig;

	set_pte(self, VA, 0, self->page | QUASAR_PTE_VALID);
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, translate(self, VA, false, &dma, &contig));
}

TEST_F(mmu, write_bit_above_leaf_neither_grants_nor_faults)
{
	uint64_t dma, contig;

	/* Upper-level WRITE bits are ignored: the read-only leaf decides. */
	for (int level = 1; level < QUASAR_PT_LEVELS; level++) {
		uint8_t *p = fwrun_mem_ptr(&self->mem,
					 fwrun_pte_addr(&self->mem, self->root, VA, level), 1);

		p[0] |= QUASAR_PTE_WRITE;
	}
	set_pte(self, VA, 0, self->page | QUASAR_PTE_VALID);
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, translate(self, VA, false, &dma, &contig));
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_PERM, translate(self, VA, true, &dma, &contig));
}

TEST_F(mmu, reserved_pte_bits_fault)
{
	uint64_t dma, contig;

	set_pte(self, VA, 0, self->page | QUASAR_PTE_VALID | QUASAR_PTE_WRITE | (1ull << 60));
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT, translate(self, VA, false, &dma, &contig));
}

TEST_F(mmu, slot_beyond_context_count_is_bad_context)
{
	uint64_t dma, contig;

	EXPECT_EQ(DRM_QUASAR_STATUS_BAD_CONTEXT,
		  fw_mmu_translate(&self->fw, QUASAR_NUM_CTX, VA, false, &dma, &contig));
}

TEST_F(mmu, slot_without_valid_faults)
{
	uint64_t dma, contig;

	self->fw.ctx[SLOT].valid = false;
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT, translate(self, VA, false, &dma, &contig));
}

TEST_F(mmu, va_above_39_bits_faults)
{
	uint64_t dma, contig;

	/* Same table indices as VA, so only the range check can refuse it. */
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT,
		  translate(self, VA | QUASAR_VA_END, false, &dma, &contig));
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT,
		  translate(self, VA | (1ull << 63), false, &dma, &contig));
}

TEST_F(mmu, misaligned_root_faults)
{
	uint64_t dma, contig;

	self->fw.ctx[SLOT].root = self->root + 8;
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT, translate(self, VA, false, &dma, &contig));
}

TEST_F(mmu, unreadable_page_table_is_dma_error)
{
	uint64_t dma, contig;

	self->fw.ctx[SLOT].root = 0x1000;	/* outside guest memory */
	EXPECT_EQ(DRM_QUASAR_STATUS_DMA_ERROR, translate(self, VA, false, &dma, &contig));
}

TEST_F(mmu, unreadable_level0_table_is_dma_error)
{
	uint64_t dma, contig;
	uint64_t l0 = fwrun_pte_addr(&self->mem, self->root, VA, 0);

	self->mem.fail_lo = l0;
	self->mem.fail_hi = l0 + 8;
	EXPECT_EQ(DRM_QUASAR_STATUS_DMA_ERROR, translate(self, VA, false, &dma, &contig));
}

TEST_F(mmu, read_across_pages_joins_both_pages)
{
	uint8_t buf[64];
	uint64_t fault = 1;

	fwrun_map_range(&self->mem, self->root, VA + 0x10000, 2 * FWRUN_PAGE, false);
	for (int i = 0; i < 64; i++)
		*fwrun_va_ptr(&self->mem, self->root, VA + 0x10000 + FWRUN_PAGE - 32 + i) =
			(uint8_t)(i + 1);
	ASSERT_EQ(DRM_QUASAR_STATUS_OK,
		  fw_mmu_read(&self->fw, SLOT, VA + 0x10000 + FWRUN_PAGE - 32, buf,
			      sizeof(buf), &fault));
	EXPECT_EQ(0u, fault);
	for (int i = 0; i < 64; i++) {
		ASSERT_EQ(i + 1, buf[i]) {
			TH_LOG("byte %d", i);
		}
	}
}

TEST_F(mmu, write_across_pages_splits_into_both_pages)
{
	uint8_t buf[100];
	uint64_t fault;
	uint64_t va = VA + 0x20000 + FWRUN_PAGE - 50;

	fwrun_map_range(&self->mem, self->root, VA + 0x20000, 2 * FWRUN_PAGE, true);
	for (int i = 0; i < 100; i++)
		buf[i] = (uint8_t)(0xc0 ^ i);
	ASSERT_EQ(DRM_QUASAR_STATUS_OK,
		  fw_mmu_write(&self->fw, SLOT, va, buf, sizeof(buf), &fault));
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(buf[i], *fwrun_va_ptr(&self->mem, self->root, va + i)) {
			TH_LOG("byte %d", i);
		}
	}
}

TEST_F(mmu, read_reports_first_unmapped_va)
{
	uint8_t buf[256];
	uint64_t fault = 0;

	/* VA is mapped, VA + page is not. */
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT,
		  fw_mmu_read(&self->fw, SLOT, VA + FWRUN_PAGE - 16, buf, sizeof(buf),
			      &fault));
	EXPECT_EQ(VA + FWRUN_PAGE, fault);
}

TEST_F(mmu, write_to_readonly_reports_va)
{
	uint8_t buf[8] = { 0 };
	uint64_t fault = 0;

	set_pte(self, VA, 0, self->page | QUASAR_PTE_VALID);
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_PERM,
		  fw_mmu_write(&self->fw, SLOT, VA + 0x40, buf, sizeof(buf), &fault));
	EXPECT_EQ(VA + 0x40, fault);
}

TEST_F(mmu, page_outside_guest_memory_is_dma_error_without_fault_addr)
{
	uint8_t buf[8];
	uint64_t fault = 1;

	set_pte(self, VA, 0, 0x7ff000000ull | QUASAR_PTE_VALID);
	EXPECT_EQ(DRM_QUASAR_STATUS_DMA_ERROR,
		  fw_mmu_read(&self->fw, SLOT, VA, buf, sizeof(buf), &fault));
	EXPECT_EQ(0u, fault);
}

TEST_F(mmu, zero_length_transfer_touches_nothing)
{
	uint64_t fault = 1;

	EXPECT_EQ(DRM_QUASAR_STATUS_OK, fw_mmu_read(&self->fw, SLOT, 0, NULL, 0, &fault));
	EXPECT_EQ(0u, fault);
}

TEST_F(mmu, contexts_are_separate_address_spaces)
{
	uint64_t dma, contig;
	uint64_t other = fwrun_new_root(&self->mem);

	fwrun_ctx_bind(&self->fw, SLOT + 1, other);
	EXPECT_EQ(DRM_QUASAR_STATUS_MMU_FAULT,
		  fw_mmu_translate(&self->fw, SLOT + 1, VA, false, &dma, &contig));
	EXPECT_EQ(DRM_QUASAR_STATUS_OK, translate(self, VA, false, &dma, &contig));
}

TEST_HARNESS_MAIN
