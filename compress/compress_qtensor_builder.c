// SPDX-License-Identifier: MIT
/*
 * Compression library: a qtensor built value by value. The device
 * quantizer taken apart, so an algorithm can fix a block's scale first and
 * then quantize its values one at a time (GPTQ and SparseGPT change later
 * values after each one). The rules are docs/numerics.md "Scales", the ones
 * dp_quantize() applies: with the same values and clip 1, the builder gives
 * the same codes as compress_quantize() (tests/compress check this for
 * every format). Output goes to plain arrays; compress_pack makes the
 * device layout from them, so the result is a device checkpoint by
 * construction.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress_qtensor_builder.h"
#include "dp_num.h"
#include "dp_quant.h"

#define COMPRESS_E4M3_MIN	0.001953125f	/* 2^-9, smallest E4M3 subnormal */
#define COMPRESS_NVFP4_TS	2688.0f		/* 448 * 6 */

/* numerics.md "NVFP4": the tensor scale, as dp_quantize computes it */
static float compress_qtensor_builder_nvfp4_ts(const float *w, size_t len, bool one_level)
{
	float amax = 0.0f, ts;
	size_t i;

	if (one_level)
		return 1.0f;
	for (i = 0; i < len; i++)
		if (fabsf(w[i]) > amax)
			amax = fabsf(w[i]);
	ts = amax / COMPRESS_NVFP4_TS;
	if (!(ts >= 1.17549435e-38f && ts <= 3.40282347e38f))
		ts = 1.0f;
	return ts;
}

int compress_qtensor_builder_init(struct compress_qtensor_builder *f,
				  const struct compress_qparams *p, uint32_t n, uint32_t k,
				  const float *w)
{
	int ret;

	memset(f, 0, sizeof(*f));
	if (p->asym > 1 || p->nvfp4_1level > 1)
		return -EINVAL;
	if (p->nvfp4_1level && p->fmt != DP_W_NVFP4)
		return -ENOTSUP;
	f->pl.fmt = p->fmt;
	f->pl.n = n;
	f->pl.k = k;
	f->pl.group = p->group;
	f->pl.flags = p->asym ? DP_WT_ZERO : 0;
	ret = dp_geom_get(p->fmt, n, k, p->group, f->pl.flags, &f->g);
	if (ret)
		return ret;
	ret = compress_plain_alloc(&f->pl);
	if (ret)
		return ret;
	f->set = calloc((size_t)n * f->g.blocks, 1);
	f->tmp = malloc((size_t)f->g.block * sizeof(*f->tmp));
	if (!f->set || !f->tmp) {
		compress_qtensor_builder_free(f);
		return -ENOMEM;
	}
	f->fi = dp_fmt_info(p->fmt);
	f->fmt = p->fmt;
	f->n = n;
	f->k = k;
	f->ts = p->fmt == DP_W_NVFP4 ?
		compress_qtensor_builder_nvfp4_ts(w, (size_t)n * k, p->nvfp4_1level) : 1.0f;
	f->pl.tensor_scale = f->ts;
	return 0;
}

void compress_qtensor_builder_free(struct compress_qtensor_builder *f)
{
	compress_plain_free(&f->pl);
	free(f->set);
	free(f->tmp);
	f->set = NULL;
	f->tmp = NULL;
}

static uint32_t *compress_qtensor_builder_sc(struct compress_qtensor_builder *f, uint32_t r,
					     uint32_t b)
{
	return &f->pl.scales[(size_t)r * f->g.blocks + b];
}

void compress_qtensor_builder_scale(struct compress_qtensor_builder *f, uint32_t r, uint32_t b,
				    const float *v, uint32_t cnt, float clip)
{
	float amax = 0.0f, mn = 0.0f, mx = 0.0f;
	bool nan = false;
	uint32_t i;

	for (i = 0; i < cnt; i++) {
		if (isnan(v[i]))
			nan = true;	/* an MX block holding a NaN gets the NaN scale */
		if (fabsf(v[i]) > amax)
			amax = fabsf(v[i]);
		if (v[i] < mn)
			mn = v[i];
		if (v[i] > mx)
			mx = v[i];
	}
	/* AWQ's clip: the block's values limited to +-clip * amax */
	if (clip != 1.0f) {
		amax *= clip;
		if (mn < -amax)
			mn = -amax;
		if (mx > amax)
			mx = amax;
	}
	f->set[(size_t)r * f->g.blocks + b] = 1;
	switch (f->fmt) {
	case DP_W_INT8:
	case DP_W_SP_INT8:
		*compress_qtensor_builder_sc(f, r, b) = dp_f2u(amax / 127.0f);
		break;
	case DP_W_INT4:
	case DP_W_SP_INT4: {
		bool asym = f->pl.flags & DP_WT_ZERO;
		uint16_t sb = dp_f32_to_bf16(asym ? (mx - mn) / 15.0f : amax / 7.0f);
		float s = dp_bf16_to_f32(sb);

		*compress_qtensor_builder_sc(f, r, b) = sb;
		if (asym)
			f->pl.zeros[(size_t)r * f->g.blocks + b] =
				(uint8_t)(s > 0.0f ? dp_quant_int(-mn / s, 0, 15) : 0);
		break;
	}
	case DP_W_MXINT8:
		*compress_qtensor_builder_sc(f, r, b) = dp_mx_scale(nan ? NAN : amax, 0);
		break;
	case DP_W_MXFP8:
		*compress_qtensor_builder_sc(f, r, b) = dp_mx_scale(nan ? NAN : amax, 8);
		break;
	case DP_W_MXFP4:
		*compress_qtensor_builder_sc(f, r, b) = dp_mx_scale(nan ? NAN : amax, 2);
		break;
	case DP_W_NVFP4: {
		float bs = (amax / 6.0f) / f->ts;

		if (!(bs >= COMPRESS_E4M3_MIN))
			bs = COMPRESS_E4M3_MIN;
		if (bs > 448.0f)
			bs = 448.0f;
		*compress_qtensor_builder_sc(f, r, b) = dp_f32_to_e4m3(bs);
		break;
	}
	default:	/* BF16, SP_BF16: no parameters */
		break;
	}
}

void compress_qtensor_builder_meta(struct compress_qtensor_builder *f, uint32_t r, uint32_t q,
				   uint8_t code)
{
	f->pl.meta[(size_t)r * f->pl.kmeta + q] = code;
}

static uint32_t compress_qtensor_builder_code(const struct compress_qtensor_builder *f,
					      uint32_t r, uint32_t q)
{
	return f->pl.meta[(size_t)r * f->pl.kmeta + q];
}

bool compress_qtensor_builder_kept(const struct compress_qtensor_builder *f, uint32_t r, uint32_t c)
{
	uint32_t code;

	if (!f->fi->sparse)
		return true;
	code = compress_qtensor_builder_code(f, r, c / 4);
	return (code & 3) == c % 4 || ((code >> 2) & 3) == c % 4;
}

/* Code of v in block b of row r, and (in *deq) the value the device decodes. */
static uint16_t compress_qtensor_builder_enc(const struct compress_qtensor_builder *f,
					     uint32_t r, uint32_t b, float v, float *deq)
{
	uint32_t sc = f->fi->scale_bytes ? f->pl.scales[(size_t)r * f->g.blocks + b] : 0;

	switch (f->fmt) {
	case DP_W_INT8:
	case DP_W_SP_INT8: {
		float s = dp_u2f(sc);
		int32_t q = s > 0.0f ? dp_quant_int(v / s, -127, 127) : 0;

		*deq = (float)q * s;
		return (uint8_t)q;
	}
	case DP_W_INT4:
	case DP_W_SP_INT4: {
		float s = dp_bf16_to_f32((uint16_t)sc);
		int32_t z = 8, q;

		if (f->pl.flags & DP_WT_ZERO)
			z = f->pl.zeros[(size_t)r * f->g.blocks + b];
		q = s > 0.0f ? dp_quant_int(dp_rne(v / s) + (float)z, 0, 15) : z;
		*deq = (float)(q - z) * s;
		return (uint16_t)q;
	}
	case DP_W_MXINT8:
	case DP_W_MXFP8:
	case DP_W_MXFP4: {
		float d = sc == 0xff ? 0.0f : dp_exp2i(127 - (int)sc), p = v * d, x;
		uint8_t q;

		x = dp_e8m0_to_f32((uint8_t)sc);
		if (f->fmt == DP_W_MXINT8) {
			q = (uint8_t)dp_quant_int(p * 64.0f, -127, 127);
			*deq = (float)(int8_t)q * (x * 0.015625f);
		} else if (f->fmt == DP_W_MXFP8) {
			q = dp_f32_to_e4m3(p);
			*deq = dp_e4m3_to_f32(q) * x;
		} else {
			q = dp_f32_to_e2m1(p);
			*deq = dp_e2m1_to_f32(q) * x;
		}
		return q;
	}
	case DP_W_NVFP4: {
		float bs = dp_e4m3_to_f32((uint8_t)sc);
		uint8_t q = dp_f32_to_e2m1(v / (f->ts * bs));

		*deq = (dp_e2m1_to_f32(q) * bs) * f->ts;
		return q;
	}
	default: {	/* BF16, SP_BF16 */
		uint16_t h = dp_f32_to_bf16(v);

		*deq = dp_bf16_to_f32(h);
		return h;
	}
	}
}

/* Stored index of dense position c of row r (its 2:4 slot when sparse). */
static uint32_t compress_qtensor_builder_slot(const struct compress_qtensor_builder *f,
					      uint32_t r, uint32_t c)
{
	if (!f->fi->sparse)
		return c;
	return 2 * (c / 4) + ((compress_qtensor_builder_code(f, r, c / 4) & 3) == c % 4 ? 0 : 1);
}

float compress_qtensor_builder_put(struct compress_qtensor_builder *f, uint32_t r, uint32_t c,
				   float v)
{
	float deq;
	uint16_t code = compress_qtensor_builder_enc(f, r, c / f->g.block, v, &deq);

	f->pl.codes[(size_t)r * f->g.kstore + compress_qtensor_builder_slot(f, r, c)] = code;
	return deq;
}

void compress_qtensor_builder_rtn_row(struct compress_qtensor_builder *f, uint32_t r,
				      const float *row, const float *clip, float *deq)
{
	uint32_t blk = f->g.block, b, c, cnt;

	for (b = 0; b < f->g.blocks; b++) {
		uint32_t c0 = b * blk, c1 = c0 + blk < f->k ? c0 + blk : f->k;
		const float *vals = row + c0;

		if (c0 >= f->k)
			break;
		cnt = c1 - c0;
		/* 2:4 scales cover kept values only */
		if (f->fi->sparse) {
			cnt = 0;
			for (c = c0; c < c1; c++)
				if (compress_qtensor_builder_kept(f, r, c))
					f->tmp[cnt++] = row[c];
			vals = f->tmp;
		}
		compress_qtensor_builder_scale(f, r, b, vals, cnt, clip ? clip[b] : 1.0f);
		for (c = c0; c < c1; c++) {
			float d = 0.0f;

			if (compress_qtensor_builder_kept(f, r, c))
				d = compress_qtensor_builder_put(f, r, c, row[c]);
			if (deq)
				deq[c] = d;
		}
	}
}

int compress_qtensor_builder_finish(struct compress_qtensor_builder *f,
				    struct compress_qtensor **out)
{
	uint32_t r, b, j, per = f->fi->sparse ? f->g.block / 2 : f->g.block;
	float unused;
	int ret;

	for (r = 0; r < f->n; r++) {
		for (b = 0; b < f->g.blocks; b++)
			if (!f->set[(size_t)r * f->g.blocks + b])
				compress_qtensor_builder_scale(f, r, b, NULL, 0, 1.0f);
		/* padding (and 2:4 slots naming a position past K) holds the code of 0 */
		for (j = 0; j < f->g.kstore; j++) {
			uint32_t pos = j;

			if (f->fi->sparse) {
				uint32_t code = compress_qtensor_builder_code(f, r, j / 2);

				pos = 4 * (j / 2) + ((code >> (2 * (j & 1))) & 3);
			}
			if (pos >= f->k)
				f->pl.codes[(size_t)r * f->g.kstore + j] =
					compress_qtensor_builder_enc(f, r, j / per, 0.0f, &unused);
		}
	}
	ret = compress_pack(&f->pl, out);
	compress_qtensor_builder_free(f);
	return ret;
}
