// SPDX-License-Identifier: MIT
/*
 * Tensor operands of ISA v1 as the engine reaches them, once the ISA's
 * validator (isa/isa_validate.c) has decoded and checked their descriptors
 * (docs/isa.md section 6): row addresses, the pre-check that every byte an
 * op will touch is mapped, so that a bad operand fails its command before
 * the command has written anything (6.5), and packed weights staged panel
 * by panel.
 */
#include "dp_format.h"
#include "dp_num.h"
#include "fw_bytes.h"
#include "fw_cmd.h"
#include "fw_exec.h"

_Static_assert(FW_COST_NUM_FMT == DRM_QUASAR_FORMAT_W_SP_INT4 + 1, "cost table");

uint64_t fw_tensor_row(const struct isa_tensor *t, uint64_t r)
{
	uint64_t i2 = r % t->dims[2], i1 = r / t->dims[2] % t->dims[1];
	uint64_t i0 = r / t->dims[2] / t->dims[1];

	return t->addr + (i0 * t->strides[0] + i1 * t->strides[1] +
			  i2 * t->strides[2]) * t->esize;
}

int fw_range_check(struct fw_xctx *x, uint64_t va, uint64_t len, bool write)
{
	uint64_t done = 0;

	if (fw_mmu_range_known(x->fw, x->slot, va, len, write))
		return fw_xctx_stopped(x) ? DRM_QUASAR_STATUS_ABORTED : DRM_QUASAR_STATUS_OK;
	while (done < len) {
		uint64_t dma, contig;
		int st;

		if (fw_xctx_stopped(x))
			return DRM_QUASAR_STATUS_ABORTED;
		st = fw_mmu_translate(x->fw, x->slot, va + done, write, &dma, &contig);
		if (st) {
			if (st == DRM_QUASAR_STATUS_MMU_FAULT || st == DRM_QUASAR_STATUS_MMU_PERM)
				*x->fault_addr = va + done;
			return st;
		}
		done += fw_min_u64(contig, len - done);
	}
	fw_mmu_range_note(x->fw, x->slot, va, len, write);
	return DRM_QUASAR_STATUS_OK;
}

int fw_tensor_check_access(struct fw_xctx *x, const struct isa_tensor *t, bool write)
{
	return fw_range_check(x, t->addr, t->span, write);
}

int fw_weights_check_access(struct fw_xctx *x, const struct isa_weights *w)
{
	uint64_t p = w->panels;
	int st;

	st = fw_range_check(x, w->t.addr, p * w->data_pp, false);
	if (!st)
		st = fw_range_check(x, w->scales, p * w->scale_pp, false);
	if (!st)
		st = fw_range_check(x, w->zeros, p * w->zero_pp, false);
	if (!st)
		st = fw_range_check(x, w->meta, p * w->meta_pp, false);
	return st;
}

void fw_weights_view(const struct isa_weights *w, uint32_t p0, uint32_t np,
		     const void *data, const void *scales, const void *zeros,
		     const void *meta, struct dp_wt *view)
{
	uint32_t n0 = p0 * DP_PANEL, n1 = (p0 + np) * DP_PANEL;

	view->fmt = w->t.format;
	view->n = (n1 < w->n ? n1 : w->n) - n0;
	view->k = w->k;
	view->group = w->group;
	view->flags = w->dpflags;
	view->data = data;
	view->scales = w->scale_pp ? scales : 0;
	view->zeros = w->zero_pp ? zeros : 0;
	view->meta = w->meta_pp ? meta : 0;
	view->tensor_scale = dp_u2f(w->tensor_scale);
}

uint64_t fw_weights_sram(const struct isa_weights *w, uint32_t np)
{
	return fw_a64(np * w->data_pp) + fw_a64(np * w->scale_pp) +
	       fw_a64(np * w->zero_pp) + fw_a64(np * w->meta_pp);
}

int fw_weights_stage(struct fw_xctx *x, const struct isa_weights *w, uint32_t p0,
		     uint32_t np, void *data, void *scales, void *zeros, void *meta)
{
	int st;

	st = fw_sram_in(x, w->t.addr + p0 * w->data_pp, data, np * w->data_pp,
			FW_CLS_WEIGHTS);
	if (!st)
		st = fw_sram_in(x, w->scales + p0 * w->scale_pp, scales, np * w->scale_pp,
				FW_CLS_WMETA);
	if (!st)
		st = fw_sram_in(x, w->zeros + p0 * w->zero_pp, zeros, np * w->zero_pp,
				FW_CLS_WMETA);
	if (!st)
		st = fw_sram_in(x, w->meta + p0 * w->meta_pp, meta, np * w->meta_pp,
				FW_CLS_WMETA);
	return st;
}
