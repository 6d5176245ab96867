// SPDX-License-Identifier: MIT
/*
 * Device MMU, hw-spec section 4: a three-level walk of the context's page
 * tables, read from guest memory by DMA on every translation (the device
 * keeps no TLB across jobs, so the driver never has to invalidate).
 */
#include "drm/quasar_isa.h"
#include "fw_api.h"
#include "fw_bytes.h"
#include "fw_time.h"

#define FW_PAGE_OFFSET_MASK	(QUASAR_PAGE_SIZE - 1)
/* Bits an entry may carry; any other bit set makes the entry invalid. */
#define FW_PTE_KNOWN		(QUASAR_PTE_ADDR_MASK | QUASAR_PTE_WRITE | \
				 QUASAR_PTE_VALID)

int fw_mmu_translate(const struct fw_device *fw, unsigned int slot,
		     uint64_t va, bool write, uint64_t *dma_addr,
		     uint64_t *contig)
{
	const struct fw_ctx *ctx;
	uint64_t table, pte = 0, t0;

	if (slot >= QUASAR_NUM_CTX)
		return DRM_QUASAR_STATUS_BAD_CONTEXT;
	ctx = &fw->ctx[slot];
	if (!ctx->valid || va >= QUASAR_VA_END)
		return DRM_QUASAR_STATUS_MMU_FAULT;
	/* A root that is not a page address cannot name a table. */
	if (ctx->root & ~QUASAR_PTE_ADDR_MASK)
		return DRM_QUASAR_STATUS_MMU_FAULT;

	table = ctx->root;
	t0 = fw_time_now(fw);
	for (int level = QUASAR_PT_LEVELS - 1; level >= 0; level--) {
		uint8_t raw[8];
		uint64_t at = table + 8 * QUASAR_PT_INDEX(va, level);

		if (fw->hal.dma_read(fw->hal.opaque, at, raw, sizeof(raw)))
			return DRM_QUASAR_STATUS_DMA_ERROR;
		pte = fw_le64(raw);
		if (!(pte & QUASAR_PTE_VALID) || (pte & ~FW_PTE_KNOWN))
			return DRM_QUASAR_STATUS_MMU_FAULT;
		table = pte & QUASAR_PTE_ADDR_MASK;
	}
	fw_time_add(fw, mmu_ns, t0);
	if (write && !(pte & QUASAR_PTE_WRITE))
		return DRM_QUASAR_STATUS_MMU_PERM;

	*dma_addr = table | (va & FW_PAGE_OFFSET_MASK);
	*contig = QUASAR_PAGE_SIZE - (va & FW_PAGE_OFFSET_MASK);
	return DRM_QUASAR_STATUS_OK;
}

/*
 * Page by page, so each piece is contiguous in guest memory. Exactly one of
 * @in (a read into it) and @out (a write from it) is set. Not atomic: pages
 * before a faulting one have already been transferred, as on real hardware.
 */
static int fw_mmu_xfer(const struct fw_device *fw, unsigned int slot,
		       uint64_t va, uint8_t *in, const uint8_t *out,
		       uint64_t len, uint64_t *fault_addr)
{
	bool write = out != NULL;
	uint64_t done = 0;

	if (fault_addr)
		*fault_addr = 0;
	while (done < len) {
		/* Cannot wrap: addresses reach 2^39 and fault long before. */
		uint64_t cur = va + done;
		uint64_t dma, contig, t0;
		uint32_t n;
		int st, rc;

		st = fw_mmu_translate(fw, slot, cur, write, &dma, &contig);
		if (st) {
			if (fault_addr && (st == DRM_QUASAR_STATUS_MMU_FAULT ||
					   st == DRM_QUASAR_STATUS_MMU_PERM))
				*fault_addr = cur;
			return st;
		}
		n = (uint32_t)fw_min_u64(contig, len - done);
		t0 = fw_time_now(fw);
		if (write)
			rc = fw->hal.dma_write(fw->hal.opaque, dma, out + done, n);
		else
			rc = fw->hal.dma_read(fw->hal.opaque, dma, in + done, n);
		fw_time_add(fw, dma_ns, t0);
		if (rc)
			return DRM_QUASAR_STATUS_DMA_ERROR;
		done += n;
	}
	return DRM_QUASAR_STATUS_OK;
}

int fw_mmu_read(const struct fw_device *fw, unsigned int slot, uint64_t va,
		void *buf, uint64_t len, uint64_t *fault_addr)
{
	return fw_mmu_xfer(fw, slot, va, buf, NULL, len, fault_addr);
}

int fw_mmu_write(const struct fw_device *fw, unsigned int slot, uint64_t va,
		 const void *buf, uint64_t len, uint64_t *fault_addr)
{
	return fw_mmu_xfer(fw, slot, va, NULL, buf, len, fault_addr);
}
