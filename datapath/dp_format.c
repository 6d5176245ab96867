// SPDX-License-Identifier: MIT
/* Quasar datapath: format table and packed-tensor geometry. */
#include "dp_format.h"

static const struct dp_fmt_info dp_fmts[DP_W_COUNT] = {
	[DP_W_BF16]    = { "bf16",    16, 0, 0, 0, 0 },
	[DP_W_INT8]    = { "int8",     8, 0, 4, 1, 0 },
	[DP_W_INT4]    = { "int4",     4, 0, 2, 1, 0 },
	[DP_W_MXINT8]  = { "mxint8",   8, 0, 1, 1, 32 },
	[DP_W_MXFP8]   = { "mxfp8",    8, 0, 1, 0, 32 },
	[DP_W_MXFP4]   = { "mxfp4",    4, 0, 1, 1, 32 },
	[DP_W_NVFP4]   = { "nvfp4",    4, 0, 1, 1, 16 },
	[DP_W_SP_BF16] = { "sp_bf16", 16, 1, 0, 0, 0 },
	[DP_W_SP_INT8] = { "sp_int8",  8, 1, 4, 1, 0 },
	[DP_W_SP_INT4] = { "sp_int4",  4, 1, 2, 1, 0 },
};

const struct dp_fmt_info *dp_fmt_info(uint32_t fmt)
{
	if (fmt < DP_W_BF16 || fmt >= DP_W_COUNT)
		return NULL;
	return &dp_fmts[fmt];
}

static bool dp_is_grouped(uint32_t fmt)
{
	return fmt == DP_W_INT4 || fmt == DP_W_SP_INT4;
}

int dp_geom_get(uint32_t fmt, uint32_t n, uint32_t k, uint32_t group,
		uint32_t flags, struct dp_geom *g)
{
	const struct dp_fmt_info *fi = dp_fmt_info(fmt);
	uint32_t block, align;

	if (!fi)
		return DP_ENOTSUP;
	if (!g || n == 0 || k == 0 || n > DP_DIM_MAX || k > DP_DIM_MAX)
		return DP_EINVAL;
	if (dp_is_grouped(fmt)) {
		if (group != 32 && group != 64 && group != 128)
			return DP_EINVAL;
		block = group;
	} else {
		/* Fixed-block formats accept their own block or 0; others only 0. */
		if (group != 0 && group != fi->block)
			return DP_EINVAL;
		block = fi->block;
	}
	if (flags & ~DP_WT_ZERO)
		return DP_EINVAL;
	if ((flags & DP_WT_ZERO) && !dp_is_grouped(fmt))
		return DP_ENOTSUP;

	align = block > 32 ? block : 32;
	g->panels = (n + DP_PANEL - 1) / DP_PANEL;
	g->kpad = (k + align - 1) / align * align;
	g->kstore = fi->sparse ? g->kpad / 2 : g->kpad;
	g->block = block ? block : g->kpad;
	g->blocks = g->kpad / g->block;
	g->data_bytes = (size_t)g->panels * DP_PANEL * g->kstore * fi->elem_bits / 8;
	g->scale_bytes = fi->scale_bytes ?
		(size_t)g->panels * DP_PANEL * g->blocks * fi->scale_bytes : 0;
	g->zero_bytes = (flags & DP_WT_ZERO) ?
		(size_t)g->panels * DP_PANEL * g->blocks / 2 : 0;
	g->meta_bytes = fi->sparse ? (size_t)g->panels * DP_PANEL * (g->kpad / 4) / 2 : 0;
	return DP_OK;
}

int dp_wt_check(const struct dp_wt *w, struct dp_geom *g)
{
	int ret;

	if (!w || !g)
		return DP_EINVAL;
	ret = dp_geom_get(w->fmt, w->n, w->k, w->group, w->flags, g);
	if (ret)
		return ret;
	if (!w->data || (g->scale_bytes && !w->scales) ||
	    (g->zero_bytes && !w->zeros) || (g->meta_bytes && !w->meta))
		return DP_EINVAL;
	return DP_OK;
}
