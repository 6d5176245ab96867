// SPDX-License-Identifier: MIT
/*
 * Tensor descriptors of ISA v1 (docs/isa.md section 6): decoding, the
 * shape/stride/format rules, overflow-safe byte spans, and the pre-check
 * that every byte an op will touch is mapped, so that a bad operand fails
 * its command before the command has written anything.
 *
 * Spans are computed in 64 bits from values the rules bound first (dims
 * <= 2^16, strides < 2^32, elements <= 4 bytes), so no intermediate can
 * wrap; the final address + span is checked like every v0 range.
 */
#include "dp_format.h"
#include "dp_num.h"
#include "fw_bytes.h"
#include "fw_cmd.h"
#include "fw_exec.h"

#define FW_T(f)		offsetof(struct drm_quasar_tensor, f)
#define FW_WP(f)	offsetof(struct drm_quasar_wparams, f)

_Static_assert(sizeof(struct drm_quasar_tensor) == 48, "ISA v1 tensor");
_Static_assert(sizeof(struct drm_quasar_wparams) == 32, "ISA v1 wparams");
_Static_assert(FW_COST_NUM_FMT == DRM_QUASAR_FORMAT_W_SP_INT4 + 1, "cost table");

bool fw_fmt_plain(uint32_t format)
{
	return format == DRM_QUASAR_FORMAT_FP32 || format == DRM_QUASAR_FORMAT_BF16 ||
	       format == DRM_QUASAR_FORMAT_U32;
}

bool fw_fmt_packed(uint32_t format)
{
	return format >= DRM_QUASAR_FORMAT_W_BF16 && format <= DRM_QUASAR_FORMAT_W_SP_INT4;
}

int fw_tensor_get(const uint8_t *raw, struct fw_tensor *t)
{
	uint64_t last = 0;

	t->addr = fw_le64(raw + FW_T(addr));
	t->format = fw_le32(raw + FW_T(format));
	t->flags = fw_le32(raw + FW_T(flags));
	t->rows = 1;
	for (uint32_t i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++) {
		t->dims[i] = fw_le32(raw + FW_T(dims) + 4 * i);
		t->strides[i] = fw_le32(raw + FW_T(strides) + 4 * i);
		if (!t->dims[i] || t->dims[i] > DRM_QUASAR_DIM_MAX)
			return DRM_QUASAR_STATUS_BAD_SHAPE;
		if (i < DRM_QUASAR_TENSOR_DIMS - 1)
			t->rows *= t->dims[i];
	}
	if (!fw_fmt_plain(t->format) && !fw_fmt_packed(t->format))
		return DRM_QUASAR_STATUS_BAD_FORMAT;
	if (fw_fmt_packed(t->format)) {
		t->esize = 0;
		t->span = 0;
		if (t->dims[0] != 1 || t->dims[1] != 1)
			return DRM_QUASAR_STATUS_BAD_SHAPE;
		for (uint32_t i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
			if (t->strides[i])
				return DRM_QUASAR_STATUS_BAD_SHAPE;
		if (t->flags & ~DRM_QUASAR_TENSOR_ZERO_POINTS)
			return DRM_QUASAR_STATUS_BAD_FLAGS;
		return DRM_QUASAR_STATUS_OK;
	}
	if (t->flags)
		return DRM_QUASAR_STATUS_BAD_FLAGS;
	t->esize = t->format == DRM_QUASAR_FORMAT_BF16 ? 2 : 4;
	if (t->strides[3] != 1)
		return DRM_QUASAR_STATUS_BAD_SHAPE;
	for (uint32_t i = 0; i < DRM_QUASAR_TENSOR_DIMS - 1; i++)
		if (t->dims[i] > 1 &&
		    (uint64_t)t->strides[i] < (uint64_t)t->dims[i + 1] * t->strides[i + 1])
			return DRM_QUASAR_STATUS_BAD_SHAPE;
	/* < 4 * 2^16 * 2^32 elements: cannot wrap. */
	for (uint32_t i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
		last += (uint64_t)(t->dims[i] - 1) * t->strides[i];
	t->span = (last + 1) * t->esize;
	if (t->addr % t->esize)
		return DRM_QUASAR_STATUS_BAD_ALIGN;
	if (fw_range_wraps(t->addr, t->span))
		return DRM_QUASAR_STATUS_BAD_RANGE;
	return DRM_QUASAR_STATUS_OK;
}

int fw_tensor_plain(const uint8_t *raw, uint32_t format, struct fw_tensor *t)
{
	int st = fw_tensor_get(raw, t);

	if (st)
		return st;
	if (!fw_fmt_plain(t->format) || (format && t->format != format))
		return DRM_QUASAR_STATUS_BAD_FORMAT;
	return DRM_QUASAR_STATUS_OK;
}

/* An optional buffer: present exactly when the format has it, aligned. */
static int fw_wbuf_check(uint64_t addr, uint64_t bytes, uint32_t align)
{
	if (!bytes)
		return addr ? DRM_QUASAR_STATUS_BAD_OPERAND : DRM_QUASAR_STATUS_OK;
	if (!addr)
		return DRM_QUASAR_STATUS_BAD_OPERAND;
	if (addr % align)
		return DRM_QUASAR_STATUS_BAD_ALIGN;
	if (fw_range_wraps(addr, bytes))
		return DRM_QUASAR_STATUS_BAD_RANGE;
	return DRM_QUASAR_STATUS_OK;
}

int fw_tensor_weights(const uint8_t *raw, const uint8_t *wp, struct fw_wtensor *w)
{
	const struct dp_fmt_info *fi;
	uint32_t ts_bits;
	struct dp_geom g;
	int st;

	st = fw_tensor_get(raw, &w->t);
	if (st)
		return st;
	if (!fw_fmt_packed(w->t.format))
		return DRM_QUASAR_STATUS_BAD_FORMAT;
	w->n = w->t.dims[2];
	w->k = w->t.dims[3];
	w->group = fw_le32(wp + FW_WP(group));
	w->dpflags = (w->t.flags & DRM_QUASAR_TENSOR_ZERO_POINTS) ? DP_WT_ZERO : 0;
	w->scales = fw_le64(wp + FW_WP(scales));
	w->zeros = fw_le64(wp + FW_WP(zeros));
	w->meta = fw_le64(wp + FW_WP(meta));
	ts_bits = fw_le32(wp + FW_WP(tensor_scale));
	w->tensor_scale = dp_u2f(ts_bits);
	/* DP_EINVAL: a group/flag the format does not take; DP_ENOTSUP: zeros. */
	if (dp_geom_get(w->t.format, w->n, w->k, w->group, w->dpflags, &g))
		return DRM_QUASAR_STATUS_BAD_FORMAT;
	if (w->t.format != DP_W_NVFP4 && ts_bits)
		return DRM_QUASAR_STATUS_BAD_OPERAND;
	fi = dp_fmt_info(w->t.format);
	w->sparse = fi->sparse;
	w->a8_ok = fi->a8;
	w->panels = g.panels;
	w->data_pp = g.data_bytes / g.panels;
	w->scale_pp = g.scale_bytes / g.panels;
	w->zero_pp = g.zero_bytes / g.panels;
	w->meta_pp = g.meta_bytes / g.panels;
	w->t.span = g.data_bytes;
	st = fw_wbuf_check(w->t.addr, g.data_bytes, 1);
	if (!st)
		st = fw_wbuf_check(w->scales, g.scale_bytes, fi->scale_bytes ? fi->scale_bytes : 1);
	if (!st)
		st = fw_wbuf_check(w->zeros, g.zero_bytes, 1);
	if (!st)
		st = fw_wbuf_check(w->meta, g.meta_bytes, 1);
	return st;
}

uint64_t fw_tensor_row(const struct fw_tensor *t, uint64_t r)
{
	uint64_t i2 = r % t->dims[2], i1 = r / t->dims[2] % t->dims[1];
	uint64_t i0 = r / t->dims[2] / t->dims[1];

	return t->addr + (i0 * t->strides[0] + i1 * t->strides[1] +
			  i2 * t->strides[2]) * t->esize;
}

bool fw_tensor_same_dims(const struct fw_tensor *a, const struct fw_tensor *b)
{
	for (uint32_t i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
		if (a->dims[i] != b->dims[i])
			return false;
	return true;
}

int fw_range_check(struct fw_xctx *x, uint64_t va, uint64_t len, bool write)
{
	uint64_t done = 0;

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
	return DRM_QUASAR_STATUS_OK;
}

int fw_tensor_check_access(struct fw_xctx *x, const struct fw_tensor *t, bool write)
{
	return fw_range_check(x, t->addr, t->span, write);
}

int fw_weights_check_access(struct fw_xctx *x, const struct fw_wtensor *w)
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

void fw_weights_view(const struct fw_wtensor *w, uint32_t p0, uint32_t np,
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
	view->tensor_scale = w->tensor_scale;
}

uint64_t fw_weights_sram(const struct fw_wtensor *w, uint32_t np)
{
	return fw_a64(np * w->data_pp) + fw_a64(np * w->scale_pp) +
	       fw_a64(np * w->zero_pp) + fw_a64(np * w->meta_pp);
}

int fw_weights_stage(struct fw_xctx *x, const struct fw_wtensor *w, uint32_t p0,
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
