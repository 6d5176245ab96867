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

int fw_sram_in(struct fw_xctx *x, uint64_t va, void *dst, uint64_t len,
	       enum fw_cls cls)
{
	struct fw_job_stats *s = &x->e->stats;
	int st;

	if (!len)
		return DRM_QUASAR_STATUS_OK;
	st = fw_mmu_read(x->fw, x->slot, va, dst, len, x->fault_addr);
	if (st)
		return st;
	if (cls == FW_CLS_WEIGHTS)
		s->rd_weights += len;
	else if (cls == FW_CLS_WMETA)
		s->rd_wmeta += len;
	else
		s->rd_act += len;
	x->t_dram += len;
	x->t_sram += len;
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
