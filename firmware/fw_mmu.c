// SPDX-License-Identifier: MIT
/*
 * Device MMU, hw-spec section 4: a three-level walk of the context's page
 * tables, read from guest memory by DMA. With a compute engine, a TLB
 * (struct fw_tlb) keeps the job's leaf entries; it is emptied when each
 * job starts, so the device keeps nothing across jobs and the driver
 * never has to invalidate.
 */
#include "drm/quasar_isa.h"
#include "fw_api.h"
#include "fw_bytes.h"
#include "fw_time.h"

#define FW_PAGE_OFFSET_MASK	(QUASAR_PAGE_SIZE - 1)
/* The longest single DMA of a transfer (the HAL counts in 32 bits). */
#define FW_MMU_RUN_MAX		(1ull << 20)
/* Bits an entry may carry; any other bit set makes the entry invalid. */
#define FW_PTE_KNOWN		(QUASAR_PTE_ADDR_MASK | QUASAR_PTE_WRITE | \
				 QUASAR_PTE_VALID)

/* Checks one entry as read; 0 if it may be used. */
static int fw_mmu_pte_ok(uint64_t pte)
{
	return (pte & QUASAR_PTE_VALID) && !(pte & ~FW_PTE_KNOWN) ? 0 : -1;
}

static uint64_t fw_mmu_tlb_tag(unsigned int slot, uint64_t vpn)
{
	return (vpn << 8 | slot) + 1;
}

void fw_mmu_tlb_flush(const struct fw_device *fw)
{
	if (fw->engine) {
		fw_memset(fw->engine->tlb.tag, 0, sizeof(fw->engine->tlb.tag));
		fw->engine->tlb.leaf_tag = 0;
		fw_memset(fw->engine->tlb.range, 0, sizeof(fw->engine->tlb.range));
		fw->engine->tlb.range_next = 0;
	}
}

bool fw_mmu_range_known(const struct fw_device *fw, unsigned int slot, uint64_t va,
			uint64_t len, bool write)
{
	const struct fw_tlb *tlb = fw->engine ? &fw->engine->tlb : 0;

	for (uint32_t i = 0; tlb && i < FW_TLB_RANGES; i++) {
		const struct fw_tlb_range *r = &tlb->range[i];

		if (r->end && r->slot == slot && (r->write || !write) &&
		    va >= r->va && va <= r->end && len <= r->end - va)
			return true;
	}
	return false;
}

void fw_mmu_range_note(const struct fw_device *fw, unsigned int slot, uint64_t va,
		       uint64_t len, bool write)
{
	struct fw_tlb *tlb = fw->engine ? &fw->engine->tlb : 0;
	uint64_t lo = va & ~(uint64_t)FW_PAGE_OFFSET_MASK;
	uint64_t hi = (va + len + FW_PAGE_OFFSET_MASK) & ~(uint64_t)FW_PAGE_OFFSET_MASK;
	struct fw_tlb_range *r;

	/* Callers checked [va, va + len) below QUASAR_VA_END: no wrap. */
	if (!tlb || !len)
		return;
	/* Touching a range of the same kind: their union is one span. */
	for (uint32_t i = 0; i < FW_TLB_RANGES; i++) {
		r = &tlb->range[i];
		if (r->end && r->slot == slot && r->write == write &&
		    lo <= r->end && hi >= r->va) {
			r->va = fw_min_u64(r->va, lo);
			r->end = hi > r->end ? hi : r->end;
			return;
		}
	}
	r = &tlb->range[tlb->range_next];
	tlb->range_next = (tlb->range_next + 1) % FW_TLB_RANGES;
	*r = (struct fw_tlb_range){ .va = lo, .end = hi, .slot = slot, .write = write };
}

/*
 * The leaf entry of @va from the tables (hw-spec 4): the levels above the
 * leaf unless the TLB holds this 2 MiB's leaf table, then the leaf line of
 * FW_TLB_FILL entries, whose valid neighbours the TLB keeps. Without an
 * engine, the spec's walk exactly: three reads of one entry.
 */
static int fw_mmu_walk(const struct fw_device *fw, unsigned int slot, uint64_t root,
		       uint64_t va, uint64_t *leaf)
{
	struct fw_tlb *tlb = fw->engine ? &fw->engine->tlb : 0;
	uint64_t table = root, ltag = ((va >> QUASAR_PT_SHIFT(1)) << 8 | slot) + 1;
	uint64_t vpn = va >> QUASAR_PAGE_SHIFT;
	uint8_t raw[8 * FW_TLB_FILL];
	uint32_t idx, first, i;

	if (tlb && tlb->leaf_tag == ltag) {
		table = tlb->leaf_table;
	} else {
		for (int level = QUASAR_PT_LEVELS - 1; level > 0; level--) {
			uint64_t pte;

			if (fw->hal.dma_read(fw->hal.opaque,
					     table + 8 * QUASAR_PT_INDEX(va, level), raw, 8))
				return DRM_QUASAR_STATUS_DMA_ERROR;
			pte = fw_le64(raw);
			if (fw_mmu_pte_ok(pte))
				return DRM_QUASAR_STATUS_MMU_FAULT;
			table = pte & QUASAR_PTE_ADDR_MASK;
		}
		if (tlb) {
			tlb->leaf_tag = ltag;
			tlb->leaf_table = table;
		}
	}
	idx = QUASAR_PT_INDEX(va, 0);
	first = tlb ? idx & ~(uint32_t)(FW_TLB_FILL - 1) : idx;
	/* A line the bus refuses may still hold a readable entry: read just it. */
	if (!tlb || fw->hal.dma_read(fw->hal.opaque, table + 8 * first, raw, sizeof(raw))) {
		first = idx;
		if (fw->hal.dma_read(fw->hal.opaque, table + 8 * idx, raw, 8))
			return DRM_QUASAR_STATUS_DMA_ERROR;
		tlb = 0;
	}
	*leaf = fw_le64(raw + 8 * (idx - first));
	if (fw_mmu_pte_ok(*leaf))
		return DRM_QUASAR_STATUS_MMU_FAULT;
	for (i = 0; tlb && i < FW_TLB_FILL; i++) {
		uint64_t pte = fw_le64(raw + 8 * i), pn = vpn - idx + first + i;
		uint32_t e = (uint32_t)pn & (FW_TLB_ENTRIES - 1);

		if (!fw_mmu_pte_ok(pte)) {
			tlb->tag[e] = fw_mmu_tlb_tag(slot, pn);
			tlb->pte[e] = pte;
		}
	}
	return DRM_QUASAR_STATUS_OK;
}

int fw_mmu_translate(const struct fw_device *fw, unsigned int slot,
		     uint64_t va, bool write, uint64_t *dma_addr,
		     uint64_t *contig)
{
	const struct fw_ctx *ctx;
	uint64_t pte = 0, vpn = va >> QUASAR_PAGE_SHIFT, t0;
	uint32_t e = (uint32_t)vpn & (FW_TLB_ENTRIES - 1);
	int st;

	if (slot >= QUASAR_NUM_CTX)
		return DRM_QUASAR_STATUS_BAD_CONTEXT;
	ctx = &fw->ctx[slot];
	if (!ctx->valid || va >= QUASAR_VA_END)
		return DRM_QUASAR_STATUS_MMU_FAULT;
	/* A root that is not a page address cannot name a table. */
	if (ctx->root & ~QUASAR_PTE_ADDR_MASK)
		return DRM_QUASAR_STATUS_MMU_FAULT;

	if (fw->engine && fw->engine->tlb.tag[e] == fw_mmu_tlb_tag(slot, vpn)) {
		pte = fw->engine->tlb.pte[e];
	} else {
		t0 = fw_time_now_xfer(fw);
		st = fw_mmu_walk(fw, slot, ctx->root, va, &pte);
		fw_time_add(fw, mmu_ns, t0);
		if (st)
			return st;
	}
	if (write && !(pte & QUASAR_PTE_WRITE))
		return DRM_QUASAR_STATUS_MMU_PERM;

	*dma_addr = (pte & QUASAR_PTE_ADDR_MASK) | (va & FW_PAGE_OFFSET_MASK);
	*contig = QUASAR_PAGE_SIZE - (va & FW_PAGE_OFFSET_MASK);
	return DRM_QUASAR_STATUS_OK;
}

/*
 * The bytes from @dma (@n of them, up to @va's page end) extended over the
 * following pages of [va, va + len) while they translate to the next guest
 * addresses: one DMA instead of one per page. A page that does not
 * translate ends the run; the caller's next translation reports it.
 */
static uint64_t fw_mmu_run(const struct fw_device *fw, unsigned int slot, uint64_t va,
			   bool write, uint64_t dma, uint64_t n, uint64_t len)
{
	while (n < len && n < FW_MMU_RUN_MAX) {
		uint64_t next, contig;

		if (fw_mmu_translate(fw, slot, va + n, write, &next, &contig) ||
		    next != dma + n)
			break;
		n += contig;
	}
	return fw_min_u64(fw_min_u64(n, len), FW_MMU_RUN_MAX);
}

uint64_t fw_mmu_contig(const struct fw_device *fw, unsigned int slot, uint64_t va,
		       uint64_t len, uint64_t *dma_addr)
{
	uint64_t n, next, contig;

	if (fw_mmu_translate(fw, slot, va, false, dma_addr, &n))
		return 0;
	while (n < len) {
		if (fw_mmu_translate(fw, slot, va + n, false, &next, &contig) ||
		    next != *dma_addr + n)
			break;
		n += contig;
	}
	return fw_min_u64(n, len);
}

/*
 * A read's runs, gathered for one hal.dma_readv call: up to FW_MMU_SEGS
 * of them (3 KiB of stack; 512 KiB of an operand scattered page by page),
 * so that a device can spread a large operand over host threads.
 */
#define FW_MMU_SEGS		128

struct fw_mmu_gather {
	struct fw_dma_seg seg[FW_MMU_SEGS];
	uint32_t n;
};

static int fw_mmu_gather_flush(const struct fw_device *fw, struct fw_mmu_gather *g)
{
	uint64_t t0;
	int rc;

	if (!g->n)
		return 0;
	t0 = fw_time_now_xfer(fw);
	rc = fw->hal.dma_readv(fw->hal.opaque, g->seg, g->n);
	fw_time_add(fw, dma_ns, t0);
	g->n = 0;
	return rc;
}

/*
 * A read through the TLB with the runs gathered: the same runs, bytes and
 * faults as fw_mmu_xfer()'s loop, and every run before a faulting page
 * read before the fault is returned.
 */
static int fw_mmu_read_gather(const struct fw_device *fw, unsigned int slot,
			      uint64_t va, uint8_t *in, uint64_t len, uint64_t *fault_addr)
{
	struct fw_mmu_gather g;
	uint64_t done = 0;

	g.n = 0;
	if (fault_addr)
		*fault_addr = 0;
	while (done < len) {
		uint64_t cur = va + done, dma, contig;
		int st = fw_mmu_translate(fw, slot, cur, false, &dma, &contig);

		if (st) {
			if (fw_mmu_gather_flush(fw, &g))
				return DRM_QUASAR_STATUS_DMA_ERROR;
			if (fault_addr && st == DRM_QUASAR_STATUS_MMU_FAULT)
				*fault_addr = cur;
			return st;
		}
		g.seg[g.n].addr = dma;
		g.seg[g.n].buf = in + done;
		g.seg[g.n].len = (uint32_t)fw_mmu_run(fw, slot, cur, false, dma, contig,
						      len - done);
		done += g.seg[g.n].len;
		if (++g.n == FW_MMU_SEGS && fw_mmu_gather_flush(fw, &g))
			return DRM_QUASAR_STATUS_DMA_ERROR;
	}
	return fw_mmu_gather_flush(fw, &g) ? DRM_QUASAR_STATUS_DMA_ERROR : DRM_QUASAR_STATUS_OK;
}

/*
 * In runs of pages contiguous in guest memory (one page without an engine:
 * the TLB makes the look-ahead cheap). Exactly one of @in (a read into it)
 * and @out (a write from it) is set. Not atomic: pages before a faulting
 * one have already been transferred, as on real hardware.
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
		n = (uint32_t)(fw->engine ? fw_mmu_run(fw, slot, cur, write, dma, contig, len - done)
					  : fw_min_u64(contig, len - done));
		t0 = fw_time_now_xfer(fw);
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
	/* One page or less gains nothing from a gather. */
	if (fw->engine && fw->hal.dma_readv && len > QUASAR_PAGE_SIZE)
		return fw_mmu_read_gather(fw, slot, va, buf, len, fault_addr);
	return fw_mmu_xfer(fw, slot, va, buf, NULL, len, fault_addr);
}

int fw_mmu_write(const struct fw_device *fw, unsigned int slot, uint64_t va,
		 const void *buf, uint64_t len, uint64_t *fault_addr)
{
	return fw_mmu_xfer(fw, slot, va, NULL, buf, len, fault_addr);
}
