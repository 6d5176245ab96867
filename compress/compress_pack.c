// SPDX-License-Identifier: MIT
/* Compression library: device layout <-> plain row-major arrays. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compress_qtensor_priv.h"
#include "dp_layout.h"

int compress_plain_alloc(struct compress_plain *pl)
{
	struct dp_geom g;
	const struct dp_fmt_info *fi;
	int ret;

	if (!pl)
		return -EINVAL;
	ret = dp_geom_get(pl->fmt, pl->n, pl->k, pl->group, pl->flags, &g);
	if (ret)
		return ret;
	fi = dp_fmt_info(pl->fmt);
	pl->kstore = g.kstore;
	pl->blocks = g.blocks;
	pl->kmeta = fi->sparse ? g.kpad / 4 : 0;
	pl->codes = calloc((size_t)pl->n * g.kstore, sizeof(*pl->codes));
	pl->scales = fi->scale_bytes ? calloc((size_t)pl->n * g.blocks, sizeof(*pl->scales)) : NULL;
	pl->zeros = g.zero_bytes ? calloc((size_t)pl->n * g.blocks, 1) : NULL;
	pl->meta = pl->kmeta ? calloc((size_t)pl->n * pl->kmeta, 1) : NULL;
	if (!pl->codes || (fi->scale_bytes && !pl->scales) || (g.zero_bytes && !pl->zeros) ||
	    (pl->kmeta && !pl->meta)) {
		compress_plain_free(pl);
		return -ENOMEM;
	}
	return 0;
}

void compress_plain_free(struct compress_plain *pl)
{
	if (!pl)
		return;
	free(pl->codes);
	free(pl->scales);
	free(pl->zeros);
	free(pl->meta);
	pl->codes = NULL;
	pl->scales = NULL;
	pl->zeros = NULL;
	pl->meta = NULL;
}

static int compress_pack_row(const struct compress_plain *pl, struct compress_qtensor *qt,
			     uint32_t n)
{
	const struct dp_fmt_info *fi = dp_fmt_info(pl->fmt);
	const struct dp_geom *g = &qt->geom;
	uint32_t j, b, lim = fi->elem_bits == 16 ? 0xffff : fi->elem_bits == 8 ? 0xff : 15;

	for (j = 0; j < g->kstore; j++) {
		uint16_t c = pl->codes[(size_t)n * g->kstore + j];

		if (c > lim)
			return -EINVAL;
		if (fi->elem_bits == 16)
			((uint16_t *)qt->data)[dp_off16(g->kstore, n, j)] = c;
		else if (fi->elem_bits == 8)
			((uint8_t *)qt->data)[dp_off8(g->kstore, n, j)] = (uint8_t)c;
		else
			dp_put4(qt->data, g->kstore, n, j, (uint8_t)c);
	}
	for (b = 0; b < g->blocks && fi->scale_bytes; b++) {
		uint32_t s = pl->scales[(size_t)n * g->blocks + b];
		size_t i = dp_offscale(g->blocks, n, b);

		if (fi->scale_bytes == 4)
			((uint32_t *)qt->scales)[i] = s;
		else if (fi->scale_bytes == 2 && s <= 0xffff)
			((uint16_t *)qt->scales)[i] = (uint16_t)s;
		else if (fi->scale_bytes == 1 && s <= 0xff)
			((uint8_t *)qt->scales)[i] = (uint8_t)s;
		else
			return -EINVAL;
	}
	for (b = 0; b < g->blocks && qt->zeros; b++) {
		uint8_t z = pl->zeros[(size_t)n * g->blocks + b];

		if (z > 15)
			return -EINVAL;
		dp_put_zero(qt->zeros, g->blocks, n, b, z);
	}
	for (j = 0; j < pl->kmeta; j++) {
		uint8_t m = pl->meta[(size_t)n * pl->kmeta + j];

		if (m > 15)
			return -EINVAL;
		dp_put4(qt->meta, g->kpad / 4, n, j, m);
	}
	return 0;
}

int compress_pack(const struct compress_plain *pl, struct compress_qtensor **out)
{
	struct compress_qtensor *qt;
	uint32_t n;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!pl || !pl->codes)
		return -EINVAL;
	ret = compress_qtensor_alloc(pl->fmt, pl->n, pl->k, pl->group, pl->flags, &qt);
	if (ret)
		return ret;
	if (pl->kstore != qt->geom.kstore || pl->blocks != qt->geom.blocks ||
	    (dp_fmt_info(pl->fmt)->scale_bytes && !pl->scales) ||
	    (qt->zeros && !pl->zeros) || (qt->meta && !pl->meta)) {
		compress_qtensor_free(qt);
		return -EINVAL;
	}
	qt->wt.tensor_scale = pl->fmt == DP_W_NVFP4 ? pl->tensor_scale : 1.0f;
	for (n = 0; n < pl->n; n++) {
		ret = compress_pack_row(pl, qt, n);
		if (ret) {
			compress_qtensor_free(qt);
			return ret;
		}
	}
	*out = qt;
	return 0;
}

int compress_unpack(const struct compress_qtensor *qt, struct compress_plain *pl)
{
	const struct dp_fmt_info *fi;
	const struct dp_geom *g;
	uint32_t n, j, b;
	int ret;

	if (!qt || !pl)
		return -EINVAL;
	memset(pl, 0, sizeof(*pl));
	pl->fmt = qt->wt.fmt;
	pl->n = qt->wt.n;
	pl->k = qt->wt.k;
	pl->group = qt->wt.group;
	pl->flags = qt->wt.flags;
	pl->tensor_scale = qt->wt.tensor_scale;
	ret = compress_plain_alloc(pl);
	if (ret)
		return ret;
	fi = dp_fmt_info(pl->fmt);
	g = &qt->geom;
	for (n = 0; n < pl->n; n++) {
		for (j = 0; j < g->kstore; j++) {
			uint16_t *c = &pl->codes[(size_t)n * g->kstore + j];

			if (fi->elem_bits == 16)
				*c = ((const uint16_t *)qt->data)[dp_off16(g->kstore, n, j)];
			else if (fi->elem_bits == 8)
				*c = ((const uint8_t *)qt->data)[dp_off8(g->kstore, n, j)];
			else
				*c = dp_get4(qt->data, g->kstore, n, j);
		}
		for (b = 0; b < g->blocks && fi->scale_bytes; b++) {
			size_t i = dp_offscale(g->blocks, n, b);
			uint32_t *s = &pl->scales[(size_t)n * g->blocks + b];

			if (fi->scale_bytes == 4)
				*s = ((const uint32_t *)qt->scales)[i];
			else if (fi->scale_bytes == 2)
				*s = ((const uint16_t *)qt->scales)[i];
			else
				*s = ((const uint8_t *)qt->scales)[i];
		}
		for (b = 0; b < g->blocks && qt->zeros; b++)
			pl->zeros[(size_t)n * g->blocks + b] =
				dp_get_zero(qt->zeros, g->blocks, n, b);
		for (j = 0; j < pl->kmeta; j++)
			pl->meta[(size_t)n * pl->kmeta + j] = dp_get4(qt->meta, g->kpad / 4, n, j);
	}
	return 0;
}
