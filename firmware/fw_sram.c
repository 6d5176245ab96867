// SPDX-License-Identifier: MIT
/*
 * The emulated SRAM: every operand of a compute command is staged into it
 * by DMA through the context's MMU before the datapath touches it, and
 * every result leaves it the same way. The buffer is the caller's; its size
 * is the modeled capacity, so a tile that does not fit is not computed from
 * guest memory directly but re-read, and the traffic the cost model charges
 * is the traffic done here, counted byte for byte as it happens.
 */
#include "fw_bytes.h"
#include "fw_cmd.h"
#include "fw_exec.h"
#include "fw_time.h"

void *fw_sram_alloc(struct fw_xctx *x, uint64_t bytes)
{
	uint64_t need = fw_a64(bytes);
	void *p;

	if (need > x->e->sram_size - x->sram_used)
		return 0;
	p = x->e->sram + x->sram_used;
	x->sram_used += need;
	return p;
}

bool fw_xctx_stopped(const struct fw_xctx *x)
{
	return fw_job_stopped(x->stop);
}

/* @len bytes staged in: their class, and the tile's DRAM and SRAM traffic. */
void fw_sram_count(struct fw_xctx *x, uint64_t len, enum fw_cls cls)
{
	struct fw_job_stats *s = &x->e->stats;

	if (cls == FW_CLS_WEIGHTS)
		s->rd_weights += len;
	else if (cls == FW_CLS_WMETA)
		s->rd_wmeta += len;
	else
		s->rd_act += len;
	x->t_dram += len;
	x->t_sram += len;
}

int fw_sram_in(struct fw_xctx *x, uint64_t va, void *dst, uint64_t len,
	       enum fw_cls cls)
{
	int st;

	if (!len)
		return DRM_QUASAR_STATUS_OK;
	st = fw_mmu_read(x->fw, x->slot, va, dst, len, x->fault_addr);
	if (st)
		return st;
	fw_sram_count(x, len, cls);
	return DRM_QUASAR_STATUS_OK;
}

/*
 * Strided rows through a one-page bounce buffer: the span from the first
 * row to the last in as few DMAs as its pages allow, each row then copied
 * out. Worth it while the gaps are small next to the rows: a DMA costs far
 * more than its bytes (a KV cache head's rows: 128 of every 512 bytes).
 */
#define FW_ROWS_BOUNCE		4096u
#define FW_ROWS_GAP_MAX		8u	/* stride / len up to which the span is read */

const void *fw_sram_map(struct fw_xctx *x, uint64_t va, uint64_t span)
{
	const struct fw_hal *hal = &x->fw->hal;
	uint64_t dma, t0;
	const void *p;

	if (x->e->stage_copy || !hal->dma_map || !hal->dma_unmap ||
	    fw_mmu_contig(x->fw, x->slot, va, span, &dma) < span)
		return 0;
	t0 = fw_time_now_xfer(x->fw);
	p = hal->dma_map(hal->opaque, dma, span);
	fw_time_add(x->fw, dma_ns, t0);
	return p;
}

void fw_sram_unmap(struct fw_xctx *x, const void *p)
{
	x->fw->hal.dma_unmap(x->fw->hal.opaque, p);
}

/*
 * The rows copied straight out of guest memory when their whole span is
 * one run of pages the HAL hands out (fw_sram_map(), as fw_wplace.c reads
 * weights): no DMA per bounce and no bounce copy, the same bytes and
 * counts. False when it is not (scattered pages, a page that does not
 * translate, stage-copy): the DMA path then reads, or faults, as before.
 */
static bool fw_sram_rows_mapped(struct fw_xctx *x, uint64_t va, uint64_t stride,
				uint64_t len, uint64_t rows, uint8_t *out, enum fw_cls cls)
{
	const uint8_t *p = fw_sram_map(x, va, (rows - 1) * stride + len);
	uint64_t t0;

	if (!p)
		return false;
	t0 = fw_time_now_xfer(x->fw);
	for (uint64_t i = 0; i < rows; i++)
		fw_memcpy(out + i * len, p + i * stride, len);
	fw_sram_unmap(x, p);
	fw_time_add(x->fw, dma_ns, t0);
	fw_sram_count(x, rows * len, cls);
	return true;
}

int fw_sram_in_rows(struct fw_xctx *x, uint64_t va, uint64_t stride, uint64_t len,
		    uint64_t rows, void *dst, enum fw_cls cls)
{
	uint8_t bounce[FW_ROWS_BOUNCE];
	uint8_t *out = dst;
	uint64_t r = 0;
	int st;

	if (stride == len)
		return fw_sram_in(x, va, dst, rows * len, cls);
	if (rows && stride > len && fw_sram_rows_mapped(x, va, stride, len, rows, out, cls))
		return DRM_QUASAR_STATUS_OK;
	if (stride < len || stride > FW_ROWS_GAP_MAX * len || len > FW_ROWS_BOUNCE) {
		for (; r < rows; r++) {
			st = fw_sram_in(x, va + r * stride, out + r * len, len, cls);
			if (st)
				return st;
		}
		return DRM_QUASAR_STATUS_OK;
	}
	while (r < rows) {
		uint64_t n = fw_min_u64(rows - r, (FW_ROWS_BOUNCE - len) / stride + 1);
		uint64_t span = (n - 1) * stride + len;

		/*
		 * The operand's pages were checked before the command ran; should
		 * one fail now, the rows one by one fault where fw_sram_in would.
		 */
		if (fw_mmu_read(x->fw, x->slot, va + r * stride, bounce, span, x->fault_addr)) {
			for (uint64_t i = 0; i < n; i++) {
				st = fw_sram_in(x, va + (r + i) * stride, out + (r + i) * len, len,
						cls);
				if (st)
					return st;
			}
		} else {
			for (uint64_t i = 0; i < n; i++)
				fw_memcpy(out + (r + i) * len, bounce + i * stride, len);
			fw_sram_count(x, n * len, cls);
		}
		r += n;
	}
	return DRM_QUASAR_STATUS_OK;
}

int fw_sram_out(struct fw_xctx *x, uint64_t va, const void *src, uint64_t len)
{
	int st;

	if (!len)
		return DRM_QUASAR_STATUS_OK;
	st = fw_mmu_write(x->fw, x->slot, va, src, len, x->fault_addr);
	if (st)
		return st;
	x->e->stats.wr_bytes += len;
	x->t_dram += len;
	x->t_sram += len;
	return DRM_QUASAR_STATUS_OK;
}
