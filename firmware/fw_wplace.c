// SPDX-License-Identifier: MIT
/*
 * A weight tile placed for the kernels: each of its four arrays (codes,
 * scales, zero points, 2:4 metadata) read where it lies in guest memory
 * when its pages there are one run the HAL can hand out (hal.dma_map),
 * else copied into its SRAM region. Either way the bytes are counted as
 * staged (fw_sram.c): the model stages every operand through the SRAM
 * (docs/isa.md 7.3, docs/cost-model.md), the host's copy is not part of it,
 * so results and statistics are the same, bit for bit, whichever way a
 * byte arrives; struct fw_job_time.inplace_bytes counts what was not
 * copied.
 *
 * The tile becomes runs of whole panels in which every array comes from
 * one place (a kernel call each, fw_gemm.c): a panel's output columns
 * depend only on that panel, so splitting a call by panels changes no
 * result. An array whose panel is not one run of guest memory (scattered
 * pages, or a run shorter than struct fw_engine.inplace_min) is copied,
 * together with the panels after it up to the next one that is not; after
 * FW_WRUNS_MAX - 1 runs the rest of the tile is copied.
 *
 * The guest may write the weights while a kernel reads them only if it
 * also would while the DMA copied them: either way it gets what it raced
 * for, and the kernels use no weight byte as an address.
 */
#include "dp_format.h"
#include "fw_bytes.h"
#include "fw_exec.h"

#define FW_WARRAYS	4
#define FW_WPLACE_MIN	(256u << 10)	/* struct fw_engine.inplace_min */

struct fw_warray {
	uint64_t va;		/* of the tile's first panel */
	uint64_t pp;		/* bytes per panel; 0: the format has none */
	uint8_t *sram;		/* the tile's SRAM region */
	enum fw_cls cls;
	/* The current segment: panels [start, end) at ptr (start's bytes). */
	uint32_t start, end;
	const uint8_t *ptr;
};

static bool fw_wplace_on(const struct fw_xctx *x)
{
	return !x->e->stage_copy && x->fw->hal.dma_map && x->fw->hal.dma_unmap;
}

static uint64_t fw_max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Bytes from panel @p of @a worth reading in place if they are one run. */
static uint64_t fw_wplace_need(const struct fw_xctx *x, const struct fw_warray *a,
			       uint32_t p, uint32_t np)
{
	uint64_t min = x->e->inplace_min ? x->e->inplace_min : FW_WPLACE_MIN;

	return fw_max_u64(a->pp, fw_min_u64(min, (np - p) * a->pp));
}

/* Panels from @p (tile-relative, < @np) of @a that are one mappable run. */
static uint32_t fw_wplace_try(struct fw_xctx *x, struct fw_wtile *t,
			      struct fw_warray *a, uint32_t p, uint32_t np)
{
	const struct fw_hal *hal = &x->fw->hal;
	uint64_t dma, bytes;
	uint32_t k;
	const void *ptr;

	bytes = fw_mmu_contig(x->fw, x->slot, a->va + p * a->pp, (np - p) * a->pp, &dma);
	k = (uint32_t)(bytes / a->pp);
	if (!k || bytes < fw_wplace_need(x, a, p, np) || t->maps == FW_WMAPS_MAX)
		return 0;
	ptr = hal->dma_map(hal->opaque, dma, k * a->pp);
	if (!ptr)
		return 0;
	/* The SRAM region's alignment, which the kernels may count on. */
	if ((uintptr_t)ptr % FW_SRAM_ALIGN) {
		hal->dma_unmap(hal->opaque, ptr);
		return 0;
	}
	t->map[t->maps++] = ptr;
	a->ptr = ptr;
	return k;
}

/* The next segment of @a from @p; 0 or the copy's status. */
static int fw_wplace_segment(struct fw_xctx *x, struct fw_wtile *t, struct fw_warray *a,
			     uint32_t p, uint32_t np, bool copy_rest)
{
	uint32_t k = copy_rest ? 0 : fw_wplace_try(x, t, a, p, np), q;
	uint64_t bytes;

	a->start = p;
	if (k) {
		a->end = p + k;
		bytes = k * a->pp;
		fw_sram_count(x, bytes, a->cls);
		x->e->time.inplace_bytes += bytes;
		return DRM_QUASAR_STATUS_OK;
	}
	/* Copied, with what follows up to a panel that would not be. */
	for (q = p + 1; !copy_rest && q < np; q++) {
		uint64_t dma, need = fw_wplace_need(x, a, q, np);

		if (fw_mmu_contig(x->fw, x->slot, a->va + q * a->pp, need, &dma) == need)
			break;
	}
	a->end = copy_rest ? np : q;
	a->ptr = a->sram + p * a->pp;
	return fw_sram_in(x, a->va + p * a->pp, a->sram + p * a->pp,
			  (a->end - p) * a->pp, a->cls);
}

int fw_weights_place(struct fw_xctx *x, const struct isa_weights *w, uint32_t p0,
		     uint32_t np, void *data, void *scales, void *zeros, void *meta,
		     struct fw_wtile *t)
{
	struct fw_warray arr[FW_WARRAYS] = {
		{ .va = w->t.addr + p0 * w->data_pp, .pp = w->data_pp, .sram = data,
		  .cls = FW_CLS_WEIGHTS },
		{ .va = w->scales + p0 * w->scale_pp, .pp = w->scale_pp, .sram = scales,
		  .cls = FW_CLS_WMETA },
		{ .va = w->zeros + p0 * w->zero_pp, .pp = w->zero_pp, .sram = zeros,
		  .cls = FW_CLS_WMETA },
		{ .va = w->meta + p0 * w->meta_pp, .pp = w->meta_pp, .sram = meta,
		  .cls = FW_CLS_WMETA },
	};
	uint32_t p = 0;
	int st;

	t->n = 0;
	t->maps = 0;
	t->p0 = p0;
	if (!fw_wplace_on(x)) {
		st = fw_weights_stage(x, w, p0, np, data, scales, zeros, meta);
		t->run[0] = (struct fw_wrun){ 0, np, data, scales, zeros, meta };
		t->n = 1;
		return st;
	}
	while (p < np) {
		bool copy_rest = t->n == FW_WRUNS_MAX - 1;
		struct fw_wrun *r = &t->run[t->n];
		uint32_t end = np;

		for (int i = 0; i < FW_WARRAYS; i++) {
			struct fw_warray *a = &arr[i];

			if (!a->pp)
				continue;
			if (a->end <= p || copy_rest) {
				st = fw_wplace_segment(x, t, a, p, np, copy_rest);
				if (st) {
					fw_weights_release(x, t);
					return st;
				}
			}
			if (a->end < end)
				end = a->end;
		}
		r->p = p;
		r->np = end - p;
		r->data = arr[0].pp ? arr[0].ptr + (p - arr[0].start) * arr[0].pp : data;
		r->scales = arr[1].pp ? arr[1].ptr + (p - arr[1].start) * arr[1].pp : scales;
		r->zeros = arr[2].pp ? arr[2].ptr + (p - arr[2].start) * arr[2].pp : zeros;
		r->meta = arr[3].pp ? arr[3].ptr + (p - arr[3].start) * arr[3].pp : meta;
		t->n++;
		p = end;
	}
	return DRM_QUASAR_STATUS_OK;
}

void fw_weights_release(struct fw_xctx *x, struct fw_wtile *t)
{
	const struct fw_hal *hal = &x->fw->hal;

	while (t->maps)
		hal->dma_unmap(hal->opaque, t->map[--t->maps]);
}
