// SPDX-License-Identifier: MIT
/* Guest conformance suite: packed weights from the compression library. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"
#include "conform_wt.h"

static bool cf_grouped(uint32_t dfmt)
{
	return dfmt == DP_W_INT4 || dfmt == DP_W_SP_INT4;
}

/* Host buffers for @w->g, zero-filled (+1: malloc(0) may give NULL). */
static int cf_weights_alloc(struct cf_weights *w)
{
	w->data = calloc(1, w->g.data_bytes + 1);
	w->scales = calloc(1, w->g.scale_bytes + 1);
	w->zeros = calloc(1, w->g.zero_bytes + 1);
	w->meta = calloc(1, w->g.meta_bytes + 1);
	return w->data && w->scales && w->zeros && w->meta ? 0 : -ENOMEM;
}

void cf_weights_free(struct cf_weights *w)
{
	free(w->data);
	free(w->scales);
	free(w->zeros);
	free(w->meta);
	memset(w, 0, sizeof(*w));
}

/* Points wt at the host buffers and uploads them for the device. */
static int cf_weights_upload(struct cf_env *e, struct cf_weights *w, uint32_t fmt)
{
	w->wt.data = w->data;
	w->wt.scales = w->g.scale_bytes ? w->scales : NULL;
	w->wt.zeros = w->g.zero_bytes ? w->zeros : NULL;
	w->wt.meta = w->g.meta_bytes ? w->meta : NULL;
	w->t = (struct drm_quasar_tensor){
		.dims = { 1, 1, w->wt.n, w->wt.k }, .format = fmt,
		.flags = (w->wt.flags & DP_WT_ZERO) ? DRM_QUASAR_TENSOR_ZERO_POINTS : 0,
	};
	w->t.addr = cf_upload(e, w->data, w->g.data_bytes);
	if (w->g.scale_bytes)
		w->wp.scales = cf_upload(e, w->scales, w->g.scale_bytes);
	if (w->g.zero_bytes)
		w->wp.zeros = cf_upload(e, w->zeros, w->g.zero_bytes);
	if (w->g.meta_bytes)
		w->wp.meta = cf_upload(e, w->meta, w->g.meta_bytes);
	w->wp.group = w->wt.group;
	if (w->wt.fmt == DP_W_NVFP4)
		w->wp.tensor_scale = cf_f2u(w->wt.tensor_scale);
	return e->err;
}

/* Quantizes random weights into host buffers only. */
static int cf_weights_quantize(struct cf_weights *w, uint32_t fmt, uint32_t n, uint32_t k,
			       uint32_t seed, const struct cf_wopts *o)
{
	static const struct cf_wopts none;
	struct compress_qparams p = { .fmt = cf_dp_fmt(fmt) };
	struct compress_qtensor *qt = NULL;
	const struct dp_wt *q;
	float *src;
	int err;

	if (!o)
		o = &none;
	memset(w, 0, sizeof(*w));
	if (cf_grouped(p.fmt)) {
		p.group = o->group ? o->group : 32;
		p.asym = o->zeros;
	}
	p.nvfp4_1level = p.fmt == DP_W_NVFP4 && o->nvfp4_1level;
	src = malloc((size_t)n * k * sizeof(float));
	if (!src)
		return -ENOMEM;
	/* Rows of different magnitudes, so that scales differ. */
	for (size_t i = 0; i < (size_t)n * k; i++)
		src[i] = cf_rand(&seed) * (1.0f + (float)(i / k % 7));
	err = compress_quantize(src, n, k, k, &p, &qt);
	free(src);
	if (err) {
		fprintf(stderr, "# compress_quantize(fmt %u, %ux%u): %s\n", p.fmt, n, k,
			compress_strerror(err));
		return err;
	}
	q = compress_qtensor_wt(qt);
	w->wt = *q;
	err = dp_geom_get(q->fmt, n, k, q->group, q->flags, &w->g);
	if (!err)
		err = cf_weights_alloc(w);
	if (!err) {
		memcpy(w->data, q->data, w->g.data_bytes);
		memcpy(w->scales, q->scales, w->g.scale_bytes);
		memcpy(w->zeros, q->zeros, w->g.zero_bytes);
		memcpy(w->meta, q->meta, w->g.meta_bytes);
	}
	compress_qtensor_free(qt);
	if (err)
		cf_weights_free(w);
	return err;
}

int cf_weights_new(struct cf_env *e, struct cf_weights *w, uint32_t fmt, uint32_t n,
		   uint32_t k, uint32_t seed, const struct cf_wopts *o)
{
	int err = cf_weights_quantize(w, fmt, n, k, seed, o);

	if (!err)
		err = cf_weights_upload(e, w, fmt);
	if (err)
		cf_weights_free(w);
	return err;
}

static uint8_t cf_e4m3_not_nan(uint8_t c)
{
	return (c & 0x7f) == 0x7f ? c ^ 1 : c;
}

/*
 * Changes a panel's element codes into other valid codes of the format:
 * 8- and 4-bit integer and E2M1 codes are all valid, so any byte will do;
 * BF16 keeps its sign and exponent (only mantissa bits flip, so values stay
 * finite and of the quantizer's magnitudes); E4M3 flips sign and low
 * mantissa bits and steps back from its NaN code.
 */
static void cf_perturb(uint32_t dfmt, uint8_t *p, size_t len, uint32_t *s)
{
	const struct dp_fmt_info *fi = dp_fmt_info(dfmt);

	for (size_t i = 0; i < len; i++) {
		uint8_t r;

		*s = *s * 1664525u + 1013904223u;
		r = (uint8_t)(*s >> 24);
		if (fi->elem_bits == 16)
			p[i] ^= (i % 2) ? 0 : (r & 0x7f);
		else if (dfmt == DP_W_MXFP8)
			p[i] = cf_e4m3_not_nan(p[i] ^ (r & 0x87));
		else
			p[i] ^= r;
	}
}

int cf_weights_big(struct cf_env *e, struct cf_weights *w, uint32_t fmt, uint32_t panels,
		   uint32_t k, uint32_t seed)
{
	enum { SEED_PANELS = 4 };
	const struct cf_wopts o = { .group = 128, .zeros = true };
	struct cf_weights s;
	uint32_t dfmt = cf_dp_fmt(fmt);
	size_t pp[4], sp[4];
	uint8_t *dst[4];
	const uint8_t *src[4];
	int err;

	/* K on the 128 grid: no padding codes, which perturbing would change. */
	if (k % 128 || panels < SEED_PANELS)
		return -EINVAL;
	err = cf_weights_quantize(&s, fmt, SEED_PANELS * DP_PANEL, k, seed, &o);
	if (err)
		return err;
	memset(w, 0, sizeof(*w));
	w->wt = s.wt;
	w->wt.n = panels * DP_PANEL;
	err = dp_geom_get(dfmt, w->wt.n, k, w->wt.group, w->wt.flags, &w->g);
	if (!err)
		err = cf_weights_alloc(w);
	if (err)
		goto out;
	sp[0] = s.g.data_bytes / SEED_PANELS;
	sp[1] = s.g.scale_bytes / SEED_PANELS;
	sp[2] = s.g.zero_bytes / SEED_PANELS;
	sp[3] = s.g.meta_bytes / SEED_PANELS;
	pp[0] = w->g.data_bytes / panels;
	pp[1] = w->g.scale_bytes / panels;
	pp[2] = w->g.zero_bytes / panels;
	pp[3] = w->g.meta_bytes / panels;
	if (memcmp(pp, sp, sizeof(pp))) {	/* panels are not self-contained */
		err = -EINVAL;
		goto out;
	}
	src[0] = s.data, src[1] = s.scales, src[2] = s.zeros, src[3] = s.meta;
	dst[0] = w->data, dst[1] = w->scales, dst[2] = w->zeros, dst[3] = w->meta;
	for (uint32_t p = 0; p < panels; p++) {
		for (int b = 0; b < 4; b++)
			memcpy(dst[b] + p * pp[b], src[b] + p % SEED_PANELS * pp[b], pp[b]);
		cf_perturb(dfmt, dst[0] + p * pp[0], pp[0], &seed);
	}
	err = cf_weights_upload(e, w, fmt);
out:
	cf_weights_free(&s);
	if (err)
		cf_weights_free(w);
	return err;
}
