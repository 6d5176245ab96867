/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: the value of one stored element, scale and index code,
 * read straight from the packed layout. The golden model and the producers'
 * unpackers use these; they are slow on purpose (one element at a time).
 */
#ifndef DP_ELEM_H
#define DP_ELEM_H

#include "dp_format.h"
#include "dp_layout.h"
#include "dp_num.h"

static inline uint32_t dp_code(const struct dp_wt *w, const struct dp_geom *g,
			       uint32_t n, uint32_t j)
{
	const struct dp_fmt_info *fi = dp_fmt_info(w->fmt);

	if (fi->elem_bits == 16)
		return ((const uint16_t *)w->data)[dp_off16(g->kstore, n, j)];
	if (fi->elem_bits == 8)
		return ((const uint8_t *)w->data)[dp_off8(g->kstore, n, j)];
	return dp_get4(w->data, g->kstore, n, j);
}

/* 2:4 index code of dense group q (4 dense elements) of row n. */
static inline uint32_t dp_meta_code(const struct dp_wt *w, const struct dp_geom *g,
				    uint32_t n, uint32_t q)
{
	return dp_get4(w->meta, g->kpad / 4, n, q);
}

/* Zero point of (n, b): stored value, or 8 for symmetric 4-bit formats. */
static inline int32_t dp_zero(const struct dp_wt *w, const struct dp_geom *g,
			      uint32_t n, uint32_t b)
{
	if (!(w->flags & DP_WT_ZERO))
		return 8;
	return dp_get_zero(w->zeros, g->blocks, n, b);
}

/* Element value on the BF16-activation path (before the block factor). */
static inline float dp_elem_f(const struct dp_wt *w, const struct dp_geom *g,
			      uint32_t n, uint32_t j, uint32_t b)
{
	uint32_t c = dp_code(w, g, n, j);

	switch (w->fmt) {
	case DP_W_BF16:
	case DP_W_SP_BF16:
		return dp_bf16_to_f32((uint16_t)c);
	case DP_W_INT8:
	case DP_W_SP_INT8:
	case DP_W_MXINT8:
		return (float)(int8_t)c;
	case DP_W_INT4:
	case DP_W_SP_INT4:
		return (float)((int32_t)c - dp_zero(w, g, n, b));
	case DP_W_MXFP8:
		return dp_e4m3_to_f32((uint8_t)c);
	default:	/* MXFP4, NVFP4 */
		return dp_e2m1_to_f32((uint8_t)c);
	}
}

/* Element value on the int8-activation path: an exact integer. */
static inline int32_t dp_elem_i(const struct dp_wt *w, const struct dp_geom *g,
				uint32_t n, uint32_t j, uint32_t b)
{
	static const int8_t e2m1x2[16] = { 0, 1, 2, 3, 4, 6, 8, 12,
					   0, -1, -2, -3, -4, -6, -8, -12 };
	uint32_t c = dp_code(w, g, n, j);

	switch (w->fmt) {
	case DP_W_INT8:
	case DP_W_SP_INT8:
	case DP_W_MXINT8:
		return (int8_t)c;
	case DP_W_INT4:
	case DP_W_SP_INT4:
		return (int32_t)c - dp_zero(w, g, n, b);
	default:	/* MXFP4, NVFP4: twice the E2M1 value */
		return e2m1x2[c & 15];
	}
}

/* Whether a block's partial sum is multiplied by a factor at all. */
static inline bool dp_has_factor(uint32_t fmt)
{
	return fmt != DP_W_BF16 && fmt != DP_W_SP_BF16;
}

/* Block factor (FP32) of (n, b); @a8 selects the int8-activation variant. */
static inline float dp_factor(const struct dp_wt *w, const struct dp_geom *g,
			      uint32_t n, uint32_t b, bool a8)
{
	size_t i = dp_offscale(g->blocks, n, b);

	switch (w->fmt) {
	case DP_W_INT8:
	case DP_W_SP_INT8:
		return ((const float *)w->scales)[i];
	case DP_W_INT4:
	case DP_W_SP_INT4:
		return dp_bf16_to_f32(((const uint16_t *)w->scales)[i]);
	case DP_W_MXINT8:
		return dp_e8m0_to_f32(((const uint8_t *)w->scales)[i]) * 0.015625f;
	case DP_W_MXFP8:
		return dp_e8m0_to_f32(((const uint8_t *)w->scales)[i]);
	case DP_W_MXFP4:
		return dp_e8m0_to_f32(((const uint8_t *)w->scales)[i]) * (a8 ? 0.5f : 1.0f);
	case DP_W_NVFP4:
		return dp_e4m3_to_f32(((const uint8_t *)w->scales)[i]) * (a8 ? 0.5f : 1.0f);
	default:
		return 1.0f;
	}
}

#endif /* DP_ELEM_H */
