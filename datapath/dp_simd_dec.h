/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: 16-lane decoders shared by the fast GEMM and the fast
 * operations (dp_gemm_simd.c, dp_ops_simd.c): element codes, block factors,
 * zero points, and the exp / tanh / BF16-rounding sequences of the golden
 * model (docs/numerics.md), lane for lane. Needs dp_simd_vec.h first.
 */
#ifndef DP_SIMD_DEC_H
#define DP_SIMD_DEC_H

#include "dp_simd_vec.h"
#include "dp_gemm_simd.h"
#include "dp_elem.h"
#include "dp_math.h"

struct dp_kc {
	const struct dp_gemm *g;
	const struct dp_wt *w;
	const struct dp_geom *geom;
	const struct dp_ws_view *v;
	uint32_t nb;		/* blocks that hold some k < K */
};

/*
 * Weights stream once from DRAM. A panel is a few 4 KiB pages, so the
 * hardware prefetchers, which stop at page boundaries, restart often;
 * a software prefetch a fixed distance ahead keeps the stream busy.
 */
#define DP_PREFETCH_AHEAD 1024
DP_AI void dp_prefetch(const uint8_t *p)
{
	_mm_prefetch((const char *)p + DP_PREFETCH_AHEAD, _MM_HINT_T0);
}

/* ---- element and factor decoding (16 output channels at a time) ---- */

DP_AI vf dp_v_bf16(vi h)
{
	return vf_bits(vi_slli(h, 16));
}

DP_AI vf dp_v_e8m0(vi e)
{
	vi bits = vi_slli(e, 23);

	bits = vi_blend(vi_eq(e, vi_zero()), bits, vi_set1(0x00400000));	/* 2^-127 */
	return vf_bits(vi_blend(vi_eq(e, vi_set1(0xff)), bits, vi_set1(0x7fc00000)));
}

/*
 * E4M3: normals by an integer exponent rebias, subnormals as m * 2^-9 (a
 * product of normal numbers), so the decode is exact under MXCSR.DAZ too
 * (the BF16-activation kernels decode inside their flush-to-zero window).
 */
DP_AI vf dp_v_e4m3(vi c)
{
	vi mag = vi_and(c, vi_set1(0x7f));
	vi nrm = vi_add(vi_slli(mag, 20), vi_set1(120 << 23));
	vf sub = vf_mul(vf_from_i(mag), vf_set1(0x1p-9f));
	vf v = vf_blend(vi_lt(mag, vi_set1(8)), vf_bits(nrm), sub);
	vi s = vi_slli(vi_and(c, vi_set1(0x80)), 24);

	v = vf_bits(vi_or(vi_bits(v), s));
	return vf_blend(vi_eq(mag, vi_set1(0x7f)), v, vf_bits(vi_or(s, vi_set1(0x7fc00000))));
}

DP_AI vf dp_v_e2m1_table(void)
{
	static const float t[16] = { 0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f,
				     -0.0f, -0.5f, -1.0f, -1.5f, -2.0f, -3.0f, -4.0f, -6.0f };
	return vf_load(t);
}

DP_AI vf dp_v_factor(const struct dp_kc *c, uint32_t p, uint32_t b, bool a8, const uint32_t fmt)
{
	size_t i = ((size_t)p * c->geom->blocks + b) * DP_PANEL;
	const uint8_t *s8 = (const uint8_t *)c->w->scales + i;

	switch (fmt) {
	case DP_W_INT8:
	case DP_W_SP_INT8:
		return vf_load((const float *)c->w->scales + i);
	case DP_W_INT4:
	case DP_W_SP_INT4:
		return dp_v_bf16(vi_u16x16((const uint16_t *)c->w->scales + i));
	case DP_W_MXINT8:
		return vf_mul(dp_v_e8m0(vi_u8x16(s8)), vf_set1(0.015625f));
	case DP_W_MXFP8:
		return dp_v_e8m0(vi_u8x16(s8));
	case DP_W_MXFP4:
		return vf_mul(dp_v_e8m0(vi_u8x16(s8)), vf_set1(a8 ? 0.5f : 1.0f));
	case DP_W_NVFP4:
		return vf_mul(dp_v_e4m3(vi_u8x16(s8)), vf_set1(a8 ? 0.5f : 1.0f));
	default:
		return vf_set1(1.0f);
	}
}

/* Zero points of 16 lanes (panel p, block b), or 8 when symmetric. */
DP_AI vi dp_v_zero(const struct dp_kc *c, uint32_t p, uint32_t b)
{
	__m128i z, nib = _mm_set1_epi8(15);
	uint8_t t[16];

	if (!(c->w->flags & DP_WT_ZERO))
		return vi_set1(8);
	/* 8 bytes, two lanes each (even lane in the low nibble): interleave the nibbles */
	z = _mm_loadl_epi64((const __m128i *)(c->w->zeros +
					       ((size_t)p * c->geom->blocks + b) * (DP_PANEL / 2)));
	z = _mm_unpacklo_epi8(_mm_and_si128(z, nib), _mm_and_si128(_mm_srli_epi16(z, 4), nib));
	_mm_storeu_si128((__m128i *)t, z);
	return vi_u8x16(t);
}

/* Nibble i (0..7) of every lane of a 4-bit line (dp_layout.h order). */
DP_AI vi dp_v_nib(vi line, unsigned i)
{
	return vi_and(vi_srli(line, i < 4 ? 8 * i : 8 * (i - 4) + 4), vi_set1(15));
}

DP_AI vi dp_v_sbyte(vi line, unsigned i)
{
	return vi_srai(vi_slli(line, 24 - 8 * i), 24);
}

/* Element value (BF16 path) of byte/nibble i of a line, per format. */
DP_AI vf dp_v_elem8(vi line, unsigned i, const uint32_t fmt)
{
	if (fmt == DP_W_MXFP8)
		return dp_v_e4m3(vi_and(vi_srli(line, 8 * i), vi_set1(0xff)));
	return vf_from_i(dp_v_sbyte(line, i));
}

DP_AI vf dp_v_elem4(vi line, unsigned i, vi zv, vf e2m1, const uint32_t fmt)
{
	vi q = dp_v_nib(line, i);

	if (fmt == DP_W_INT4 || fmt == DP_W_SP_INT4)
		return vf_from_i(vi_sub(q, zv));
	return vf_lut16(q, e2m1);
}

/* ---- 2:4 sparse rows ---- */

/* Stored element j (0 or 1 of group q) of a 2:4 row, BF16-path value. */
DP_AI vf dp_v_sp_elem(const struct dp_kc *c, uint32_t p, uint32_t j, vi zv, const uint32_t fmt)
{
	const struct dp_geom *geom = c->geom;
	const uint8_t *data = c->w->data;

	if (fmt == DP_W_SP_BF16)
		return dp_v_bf16(vi_u16x16((const uint16_t *)data +
					   ((size_t)p * geom->kstore + j) * 16));
	if (fmt == DP_W_SP_INT8)
		return vf_from_i(dp_v_sbyte(vi_load(data + (size_t)p * geom->kstore * 16 +
						    (size_t)(j / 4) * 64), j % 4));
	return vf_from_i(vi_sub(dp_v_nib(vi_load(data + (size_t)p * geom->kstore * 8 +
						 (size_t)(j / 8) * 64), j % 8), zv));
}

DP_AI vi dp_v_meta(const struct dp_kc *c, uint32_t p, uint32_t q)
{
	uint32_t kmeta = c->geom->kpad / 4;

	return dp_v_nib(vi_load(c->w->meta + (size_t)p * kmeta * 8 + (size_t)(q / 8) * 64), q % 8);
}

/* ---- exp, tanh, BF16 rounding ---- */

DP_AI vf dp_v_exp(vf x)
{
	vf n = vf_rne(vf_mul(x, vf_set1(DP_LOG2E)));
	vf r = vf_sub(vf_sub(x, vf_mul(n, vf_set1(DP_LN2_HI))), vf_mul(n, vf_set1(DP_LN2_LO)));
	vf p = vf_set1(1.0f / 5040.0f);
	vi ni, h;

	p = vf_add(vf_mul(p, r), vf_set1(1.0f / 720.0f));
	p = vf_add(vf_mul(p, r), vf_set1(1.0f / 120.0f));
	p = vf_add(vf_mul(p, r), vf_set1(1.0f / 24.0f));
	p = vf_add(vf_mul(p, r), vf_set1(1.0f / 6.0f));
	p = vf_add(vf_mul(p, r), vf_set1(0.5f));
	p = vf_add(vf_mul(p, r), vf_set1(1.0f));
	p = vf_add(vf_mul(p, r), vf_set1(1.0f));
	ni = vi_from_f(n);
	/* n / 2 rounded toward zero, as C integer division */
	h = vi_srai(vi_add(ni, vi_srli(ni, 31)), 1);
	p = vf_mul(p, vf_bits(vi_slli(vi_add(h, vi_set1(127)), 23)));
	p = vf_mul(p, vf_bits(vi_slli(vi_add(vi_sub(ni, h), vi_set1(127)), 23)));
	p = vf_blend(vf_ge(x, vf_set1(DP_EXP_HI)), p, vf_bits(vi_set1(0x7f800000)));
	p = vf_blend(vf_le(x, vf_set1(DP_EXP_LO)), p, vf_zero());
	return vf_blend(vf_isnan(x), p, x);
}

DP_AI vf dp_v_tanh(vf x)
{
	vi sign = vi_and(vi_bits(x), vi_set1((int32_t)0x80000000u));
	vf a = vf_bits(vi_and(vi_bits(x), vi_set1(0x7fffffff)));
	vf t = dp_v_exp(vf_mul(vf_set1(-2.0f), a));
	vf y = vf_div(vf_sub(vf_set1(1.0f), t), vf_add(vf_set1(1.0f), t));

	return vf_bits(vi_or(vi_and(vi_bits(y), vi_set1(0x7fffffff)), sign));
}

DP_AI vi dp_v_to_bf16(vf y)
{
	vi u = vi_bits(y);
	vi rne = vi_srli(vi_add(vi_add(u, vi_set1(0x7fff)), vi_and(vi_srli(u, 16), vi_set1(1))), 16);
	vi nan = vi_or(vi_srli(u, 16), vi_set1(0x40));

	return vi_blend(vf_isnan(y), rne, nan);
}

#endif /* DP_SIMD_DEC_H */
