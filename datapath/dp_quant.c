// SPDX-License-Identifier: MIT
/* Quasar datapath: RTN quantization into every weight format. */
#include "dp_quant.h"
#include "dp_layout.h"
#include "dp_num.h"

#define DP_E4M3_MIN	0.001953125f	/* 2^-9, the smallest E4M3 subnormal */

struct dp_qctx {
	struct dp_wt *w;
	const struct dp_wt_buf *buf;
	const struct dp_geom *g;
	const struct dp_fmt_info *fi;
};

static void dp_zero_bytes(void *p, size_t len)
{
	uint8_t *b = p;

	while (len--)
		*b++ = 0;
}

static void dp_put_code(const struct dp_qctx *c, uint32_t n, uint32_t j, uint32_t v)
{
	if (c->fi->elem_bits == 16)
		((uint16_t *)c->buf->data)[dp_off16(c->g->kstore, n, j)] = (uint16_t)v;
	else if (c->fi->elem_bits == 8)
		((uint8_t *)c->buf->data)[dp_off8(c->g->kstore, n, j)] = (uint8_t)v;
	else
		dp_put4(c->buf->data, c->g->kstore, n, j, (uint8_t)v);
}

uint8_t dp_mx_scale(float amax, int emax)
{
	int se;

	if (!(amax <= 3.40282347e38f))
		return 0xff;	/* Inf or NaN in the block */
	/* a subnormal amax counts as it is; an all-zero block takes FP32's min normal */
	se = (amax > 0.0f ? dp_floor_log2(amax) : -126) - emax;
	if (se < -127)
		se = -127;
	return (uint8_t)(se + 127);
}

uint8_t dp_pick24(const float *x, uint32_t valid)
{
	uint32_t i0 = 4, i1 = 4, i;

	/* largest magnitude first; ties go to the lower index */
	for (i = 0; i < valid; i++)
		if (i0 == 4 || __builtin_fabsf(x[i]) > __builtin_fabsf(x[i0]))
			i0 = i;
	for (i = 0; i < valid; i++)
		if (i != i0 && (i1 == 4 || __builtin_fabsf(x[i]) > __builtin_fabsf(x[i1])))
			i1 = i;
	/* fewer than two real positions: fill with the lowest free ones */
	for (i = 0; i < 4 && (i0 == 4 || i1 == 4); i++) {
		if (i == i0 || i == i1)
			continue;
		if (i0 == 4)
			i0 = i;
		else
			i1 = i;
	}
	if (i0 > i1) {
		i = i0;
		i0 = i1;
		i1 = i;
	}
	return (uint8_t)(i0 | i1 << 2);
}

/* For 2:4 formats, choose and write the index codes of row n. */
static void dp_row_meta(const struct dp_qctx *c, const float *row, uint32_t n)
{
	uint32_t k = c->w->k, q;

	if (!c->fi->sparse)
		return;
	for (q = 0; q < c->g->kpad / 4; q++) {
		uint32_t valid = 4 * q >= k ? 0 : (k - 4 * q > 4 ? 4 : k - 4 * q);

		/* groups wholly past K keep code 0: both slots point past K */
		dp_put4(c->buf->meta, c->g->kpad / 4, n, q,
			valid ? dp_pick24(row + 4 * q, valid) : 0);
	}
}

/* Dense position (K index) of stored element j of row n. */
static uint32_t dp_pos(const struct dp_qctx *c, uint32_t n, uint32_t j)
{
	uint32_t code;

	if (!c->fi->sparse)
		return j;
	code = dp_get4(c->buf->meta, c->g->kpad / 4, n, j / 2);
	return 4 * (j / 2) + ((code >> (2 * (j & 1))) & 3);
}

static float dp_val(const struct dp_qctx *c, const float *row, uint32_t n, uint32_t j)
{
	uint32_t p = dp_pos(c, n, j);

	return p < c->w->k ? row[p] : 0.0f;
}

static void dp_scale_put(const struct dp_qctx *c, uint32_t n, uint32_t b, uint32_t v)
{
	size_t i = dp_offscale(c->g->blocks, n, b);

	if (c->fi->scale_bytes == 4)
		((uint32_t *)c->buf->scales)[i] = v;
	else if (c->fi->scale_bytes == 2)
		((uint16_t *)c->buf->scales)[i] = (uint16_t)v;
	else
		((uint8_t *)c->buf->scales)[i] = (uint8_t)v;
}

/* One block (stored elements j0..j1-1) of row n. */
static void dp_quant_block(const struct dp_qctx *c, const float *row, uint32_t n,
			   uint32_t b, uint32_t j0, uint32_t j1, float ts)
{
	uint32_t j;
	float amax = 0.0f, mn = 0.0f, mx = 0.0f;
	bool nan = false;

	for (j = j0; j < j1; j++) {
		float v = dp_val(c, row, n, j);

		if (v != v)
			nan = true;	/* amax skips NaN; an MX block still sees it */
		if (__builtin_fabsf(v) > amax)
			amax = __builtin_fabsf(v);
		if (v < mn)
			mn = v;
		if (v > mx)
			mx = v;
	}

	switch (c->w->fmt) {
	case DP_W_BF16:
	case DP_W_SP_BF16:
		for (j = j0; j < j1; j++)
			dp_put_code(c, n, j, dp_f32_to_bf16(dp_val(c, row, n, j)));
		break;
	case DP_W_INT8:
	case DP_W_SP_INT8: {
		float s = amax / 127.0f;

		dp_scale_put(c, n, b, dp_f2u(s));
		for (j = j0; j < j1; j++) {
			float v = dp_val(c, row, n, j);

			dp_put_code(c, n, j, (uint8_t)(s > 0.0f ? dp_quant_int(v / s, -127, 127) : 0));
		}
		break;
	}
	case DP_W_INT4:
	case DP_W_SP_INT4: {
		bool asym = c->w->flags & DP_WT_ZERO;
		uint16_t sb = dp_f32_to_bf16(asym ? (mx - mn) / 15.0f : amax / 7.0f);
		float s = dp_bf16_to_f32(sb);
		int32_t z = 8;

		if (asym) {
			z = s > 0.0f ? dp_quant_int(-mn / s, 0, 15) : 0;
			dp_put_zero(c->buf->zeros, c->g->blocks, n, b, (uint8_t)z);
		}
		dp_scale_put(c, n, b, sb);
		for (j = j0; j < j1; j++) {
			float v = dp_val(c, row, n, j);
			int32_t q = z;

			if (s > 0.0f)
				q = dp_quant_int(dp_rne(v / s) + (float)z, 0, 15);
			dp_put_code(c, n, j, (uint32_t)q);
		}
		break;
	}
	case DP_W_MXINT8:
	case DP_W_MXFP8:
	case DP_W_MXFP4: {
		int emax = c->w->fmt == DP_W_MXINT8 ? 0 : c->w->fmt == DP_W_MXFP8 ? 8 : 2;
		uint8_t e = dp_mx_scale(nan ? __builtin_nanf("") : amax, emax);
		float d = e == 0xff ? 0.0f : dp_exp2i(127 - (int)e);

		dp_scale_put(c, n, b, e);
		for (j = j0; j < j1; j++) {
			float p = dp_val(c, row, n, j) * d;

			if (c->w->fmt == DP_W_MXINT8)
				dp_put_code(c, n, j, (uint8_t)dp_quant_int(p * 64.0f, -127, 127));
			else if (c->w->fmt == DP_W_MXFP8)
				dp_put_code(c, n, j, dp_f32_to_e4m3(p));
			else
				dp_put_code(c, n, j, dp_f32_to_e2m1(p));
		}
		break;
	}
	case DP_W_NVFP4: {
		float bs = (amax / 6.0f) / ts, denom;
		uint8_t s8;

		if (!(bs >= DP_E4M3_MIN))
			bs = DP_E4M3_MIN;
		if (bs > 448.0f)
			bs = 448.0f;
		s8 = dp_f32_to_e4m3(bs);
		denom = ts * dp_e4m3_to_f32(s8);
		dp_scale_put(c, n, b, s8);
		for (j = j0; j < j1; j++)
			dp_put_code(c, n, j, dp_f32_to_e2m1(dp_val(c, row, n, j) / denom));
		break;
	}
	}
}

static float dp_nvfp4_tensor_scale(const float *src, uint32_t lds, uint32_t n, uint32_t k,
				   uint32_t qflags)
{
	float amax = 0.0f, ts;
	uint32_t i, j;

	if (qflags & DP_Q_NVFP4_1LEVEL)
		return 1.0f;
	for (i = 0; i < n; i++)
		for (j = 0; j < k; j++)
			if (__builtin_fabsf(src[(size_t)i * lds + j]) > amax)
				amax = __builtin_fabsf(src[(size_t)i * lds + j]);
	ts = amax / 2688.0f;	/* 448 * 6: block scales then span all of E4M3 */
	if (!(ts >= 1.17549435e-38f && ts <= 3.40282347e38f))
		ts = 1.0f;
	return ts;
}

int dp_quantize(struct dp_wt *w, const struct dp_wt_buf *buf, const float *src,
		uint32_t lds, uint32_t qflags)
{
	struct dp_geom g;
	struct dp_qctx c;
	uint32_t n, b, per_block;
	float ts;
	int ret;

	if (!w || !buf || !src || !buf->data)
		return DP_EINVAL;
	ret = dp_geom_get(w->fmt, w->n, w->k, w->group, w->flags, &g);
	if (ret)
		return ret;
	if (lds < w->k || (qflags & ~DP_Q_NVFP4_1LEVEL) ||
	    (g.scale_bytes && !buf->scales) || (g.zero_bytes && !buf->zeros) ||
	    (g.meta_bytes && !buf->meta))
		return DP_EINVAL;
	c.w = w;
	c.buf = buf;
	c.g = &g;
	c.fi = dp_fmt_info(w->fmt);

	dp_zero_bytes(buf->data, g.data_bytes);
	if (g.scale_bytes)
		dp_zero_bytes(buf->scales, g.scale_bytes);
	if (g.zero_bytes)
		dp_zero_bytes(buf->zeros, g.zero_bytes);
	if (g.meta_bytes)
		dp_zero_bytes(buf->meta, g.meta_bytes);

	ts = w->fmt == DP_W_NVFP4 ? dp_nvfp4_tensor_scale(src, lds, w->n, w->k, qflags) : 1.0f;
	per_block = c.fi->sparse ? g.block / 2 : g.block;
	for (n = 0; n < w->n; n++) {
		const float *row = src + (size_t)n * lds;

		dp_row_meta(&c, row, n);
		for (b = 0; b < g.blocks; b++)
			dp_quant_block(&c, row, n, b, b * per_block, (b + 1) * per_block, ts);
	}
	w->data = buf->data;
	w->scales = g.scale_bytes ? buf->scales : NULL;
	w->zeros = g.zero_bytes ? buf->zeros : NULL;
	w->meta = g.meta_bytes ? buf->meta : NULL;
	w->tensor_scale = ts;
	return DP_OK;
}
