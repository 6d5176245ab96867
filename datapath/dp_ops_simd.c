// SPDX-License-Identifier: MIT
/*
 * Quasar datapath fast operations, one source for AVX2 and AVX-512
 * (dp_simd_vec.h): norms, softmax, RoPE, elementwise, conversions, dequantization.
 *
 * Each output repeats the golden model's IEEE operations (dp_ops_ref.c).
 * Row sums are defined as 16 interleaved partial sums (docs/numerics.md
 * "Operations"), which is exactly one 16-lane vector accumulator here; lanes
 * past the end of a row add +0, which never changes a partial sum that
 * started at +0 (such a sum is never -0).
 */
#include "dp_simd_dec.h"
#include "dp_ops.h"
#include "dp_ops_simd.h"

#if defined(DP_ISA_avx512)
#define DP_K(name) name##_avx512
#else
#define DP_K(name) name##_avx2
#endif

/* Lanes below cnt (cnt <= 16). */
DP_AI vm dp_v_first(uint32_t cnt)
{
	static const int32_t iota[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

	return vi_lt(vi_load(iota), vi_set1((int32_t)cnt));
}

/* cnt (< 16) floats, zero beyond. */
DP_AI vf dp_v_loadn(const float *p, uint32_t cnt)
{
	float t[16] = { 0 };
	uint32_t i;

	for (i = 0; i < cnt; i++)
		t[i] = p[i];
	return vf_load(t);
}

DP_AI void dp_v_storen(float *p, vf v, uint32_t cnt)
{
	float t[16];
	uint32_t i;

	vf_store(t, v);
	for (i = 0; i < cnt; i++)
		p[i] = t[i];
}

DP_AI float dp_v_fold(vf s)
{
	float t[16];

	vf_store(t, s);
	return dp_sum16_fold(t);
}

/* sum16 of x_i^2 (lane j: i = j mod 16) */
static float dp_sumsq(const float *x, uint32_t d)
{
	vf s = vf_zero();
	uint32_t i;

	for (i = 0; i + 16 <= d; i += 16) {
		vf v = vf_load(x + i);

		s = vf_add(s, vf_mul(v, v));
	}
	if (i < d) {
		vf v = dp_v_loadn(x + i, d - i);

		s = vf_add(s, vf_mul(v, v));
	}
	return dp_v_fold(s);
}

void DP_K(dp_ops_rmsnorm)(const float *x, const float *gain, uint32_t d, float eps, float *y)
{
	float r = 1.0f / dp_sqrtf(dp_sumsq(x, d) / (float)d + eps);
	vf vr = vf_set1(r);
	uint32_t i;

	for (i = 0; i + 16 <= d; i += 16)
		vf_store(y + i, vf_mul(vf_mul(vf_load(x + i), vr), vf_load(gain + i)));
	if (i < d)
		dp_v_storen(y + i, vf_mul(vf_mul(dp_v_loadn(x + i, d - i), vr),
					  dp_v_loadn(gain + i, d - i)), d - i);
}

void DP_K(dp_ops_layernorm)(const float *x, const float *gain, const float *bias, uint32_t d,
			    float eps, float *y)
{
	vf s = vf_zero(), vm_, vr;
	float mean, r;
	uint32_t i;

	for (i = 0; i + 16 <= d; i += 16)
		s = vf_add(s, vf_load(x + i));
	if (i < d)
		s = vf_add(s, dp_v_loadn(x + i, d - i));
	mean = dp_v_fold(s) / (float)d;
	vm_ = vf_set1(mean);
	s = vf_zero();
	for (i = 0; i + 16 <= d; i += 16) {
		vf t = vf_sub(vf_load(x + i), vm_);

		s = vf_add(s, vf_mul(t, t));
	}
	if (i < d) {
		vf t = vf_sub(dp_v_loadn(x + i, d - i), vm_);

		/* lanes past the row add +0, not (0 - mean)^2 */
		s = vf_add(s, vf_blend(dp_v_first(d - i), vf_zero(), vf_mul(t, t)));
	}
	r = 1.0f / dp_sqrtf(dp_v_fold(s) / (float)d + eps);
	vr = vf_set1(r);
	for (i = 0; i + 16 <= d; i += 16)
		vf_store(y + i, vf_add(vf_mul(vf_mul(vf_sub(vf_load(x + i), vm_), vr),
					      vf_load(gain + i)), vf_load(bias + i)));
	if (i < d)
		dp_v_storen(y + i, vf_add(vf_mul(vf_mul(vf_sub(dp_v_loadn(x + i, d - i), vm_), vr),
						 dp_v_loadn(gain + i, d - i)),
					  dp_v_loadn(bias + i, d - i)), d - i);
}

/*
 * The maximum is exact in any order. NaN lanes are skipped here while the
 * golden model keeps a leading NaN; either way a NaN input makes the sum,
 * hence every output, NaN. A max of +0 or -0 gives the same exp(x - mx).
 */
void DP_K(dp_ops_softmax)(const float *x, uint32_t d, float *y)
{
	vf vmx = vf_set1(-__builtin_inff()), s = vf_zero(), inv;
	float mx;
	uint32_t i, j;

	for (i = 0; i + 16 <= d; i += 16)
		vmx = vf_max(vf_load(x + i), vmx);
	mx = vf_hmax(vmx);
	for (j = i; j < d; j++)
		if (x[j] > mx)
			mx = x[j];
	vmx = vf_set1(mx);
	for (i = 0; i + 16 <= d; i += 16) {
		vf e = dp_v_exp(vf_sub(vf_load(x + i), vmx));

		vf_store(y + i, e);
		s = vf_add(s, e);
	}
	if (i < d) {
		vf e = dp_v_exp(vf_sub(dp_v_loadn(x + i, d - i), vmx));

		e = vf_blend(dp_v_first(d - i), vf_zero(), e);
		dp_v_storen(y + i, e, d - i);
		s = vf_add(s, e);
	}
	inv = vf_set1(dp_v_fold(s));
	for (i = 0; i + 16 <= d; i += 16)
		vf_store(y + i, vf_div(vf_load(y + i), inv));
	if (i < d)
		dp_v_storen(y + i, vf_div(dp_v_loadn(y + i, d - i), inv), d - i);
}

/*
 * y0 = x0 c - x1 s and y1 = x0 s + x1 c as x * (c, c) + swap(x) * (-s, s):
 * a - b is a + (-b) exactly and IEEE addition commutes, so every lane
 * performs the golden model's two products and one sum.
 */
void DP_K(dp_ops_rope)(const float *x, const float *cosv, const float *sinv, uint32_t d,
		       float *y)
{
	float xs[16], cc[16], ss[16], xv[16];
	uint32_t i, j, cnt;

	for (i = 0; i < d; i += 16) {
		cnt = d - i < 16 ? d - i : 16;
		for (j = 0; j < 16; j += 2) {
			bool in = j < cnt;
			float c = in ? cosv[(i + j) / 2] : 0.0f, s = in ? sinv[(i + j) / 2] : 0.0f;

			xv[j] = in ? x[i + j] : 0.0f;
			xv[j + 1] = in ? x[i + j + 1] : 0.0f;
			xs[j] = xv[j + 1];
			xs[j + 1] = xv[j];
			cc[j] = c;
			cc[j + 1] = c;
			ss[j] = -s;
			ss[j + 1] = s;
		}
		dp_v_storen(y + i, vf_add(vf_mul(vf_load(xv), vf_load(cc)),
					  vf_mul(vf_load(xs), vf_load(ss))), cnt);
	}
}

void DP_K(dp_ops_add)(const float *a, const float *b, uint32_t len, float *y)
{
	uint32_t i;

	for (i = 0; i + 16 <= len; i += 16)
		vf_store(y + i, vf_add(vf_load(a + i), vf_load(b + i)));
	if (i < len)
		dp_v_storen(y + i, vf_add(dp_v_loadn(a + i, len - i), dp_v_loadn(b + i, len - i)),
			    len - i);
}

void DP_K(dp_ops_mul)(const float *a, const float *b, uint32_t len, float *y)
{
	uint32_t i;

	for (i = 0; i + 16 <= len; i += 16)
		vf_store(y + i, vf_mul(vf_load(a + i), vf_load(b + i)));
	if (i < len)
		dp_v_storen(y + i, vf_mul(dp_v_loadn(a + i, len - i), dp_v_loadn(b + i, len - i)),
			    len - i);
}

void DP_K(dp_ops_bf16_to_f32)(const uint16_t *x, uint32_t len, float *y)
{
	uint32_t i;

	for (i = 0; i + 16 <= len; i += 16)
		vf_store(y + i, dp_v_bf16(vi_u16x16(x + i)));
	for (; i < len; i++)
		y[i] = dp_bf16_to_f32(x[i]);
}

void DP_K(dp_ops_f32_to_bf16)(const float *x, uint32_t len, uint16_t *y)
{
	uint32_t i;

	for (i = 0; i + 16 <= len; i += 16)
		vi_store_u16(y + i, dp_v_to_bf16(vf_load(x + i)));
	for (; i < len; i++)
		y[i] = dp_f32_to_bf16(x[i]);
}

/* ---- dequantization: 16 rows of a panel by 16 consecutive k ---- */

/* Dense element k (16 lanes), times its block factor, as dp_scaled_elem(). */
DP_AI vf dp_v_dense_val(const struct dp_kc *c, uint32_t p, uint32_t k, vi zv, vf f,
			const uint32_t fmt)
{
	const uint8_t *data = c->w->data;
	const struct dp_geom *g = c->geom;
	vf e;

	if (fmt == DP_W_BF16)
		return dp_v_bf16(vi_u16x16((const uint16_t *)data + ((size_t)p * g->kstore + k) * 16));
	if (dp_fmt_info(fmt)->elem_bits == 8)
		e = dp_v_elem8(vi_load(data + (size_t)p * g->kstore * 16 + (size_t)(k / 4) * 64),
			       k % 4, fmt);
	else
		e = dp_v_elem4(vi_load(data + (size_t)p * g->kstore * 8 + (size_t)(k / 8) * 64),
			       k % 8, zv, dp_v_e2m1_table(), fmt);
	e = vf_mul(e, f);
	if (fmt == DP_W_NVFP4)
		e = vf_mul(e, vf_set1(c->w->tensor_scale));
	return e;
}

/* Dense position k of a 2:4 row: slot values at their index, both summed. */
DP_AI vf dp_v_sparse_val(const struct dp_kc *c, uint32_t p, uint32_t k, vi zv, vf f,
			 const uint32_t fmt)
{
	uint32_t q = k / 4;
	vi code = dp_v_meta(c, p, q), pos = vi_set1((int32_t)(k % 4));
	vf e0 = dp_v_sp_elem(c, p, 2 * q, zv, fmt), e1 = dp_v_sp_elem(c, p, 2 * q + 1, zv, fmt);
	vm m0 = vi_eq(vi_and(code, vi_set1(3)), pos);
	vm m1 = vi_eq(vi_and(vi_srli(code, 2), vi_set1(3)), pos);
	vf v;

	if (fmt != DP_W_SP_BF16) {
		e0 = vf_mul(e0, f);
		e1 = vf_mul(e1, f);
	}
	v = vf_blend(m0, vf_zero(), e0);
	return vf_blend(m1, v, vf_blend(m0, e1, vf_add(v, e1)));
}

/* Panel rows r0..r1-1; panel row r is output row p * 16 + r - n0. */
DP_AI void dp_dequant_panel(const struct dp_kc *c, uint32_t p, uint32_t r0, uint32_t r1,
			    uint32_t n0, void *y, uint32_t ldy, bool bf16, const uint32_t fmt)
{
	const struct dp_geom *g = c->geom;
	const bool sparse = dp_fmt_info(fmt)->sparse;
	uint32_t K = c->w->k, k0, kk, r, cnt;
	float tf[16][16];
	uint16_t th[16][16];

	for (k0 = 0; k0 < K; k0 += 16) {
		uint32_t b = k0 / g->block;	/* blocks are multiples of 16 */
		vi zv = (fmt == DP_W_INT4 || fmt == DP_W_SP_INT4) ? dp_v_zero(c, p, b) : vi_zero();
		vf f = dp_has_factor(fmt) ? dp_v_factor(c, p, b, false, fmt) : vf_set1(1.0f);

		cnt = K - k0 < 16 ? K - k0 : 16;
		for (kk = 0; kk < cnt; kk++) {
			vf v = sparse ? dp_v_sparse_val(c, p, k0 + kk, zv, f, fmt) :
					dp_v_dense_val(c, p, k0 + kk, zv, f, fmt);

			if (bf16)
				vi_store_u16(th[kk], dp_v_to_bf16(v));
			else
				vf_store(tf[kk], v);
		}
		for (r = r0; r < r1; r++) {
			size_t at = (size_t)(p * DP_PANEL + r - n0) * ldy + k0;

			for (kk = 0; kk < cnt; kk++) {
				if (bf16)
					((uint16_t *)y)[at + kk] = th[kk][r];
				else
					((float *)y)[at + kk] = tf[kk][r];
			}
		}
	}
}

#define DP_CASE_DQ(f) case f: dp_dequant_panel(&c, p, r0, r1, n0, y, ldy, bf16, f); break

/* Rows n0..n1-1 of w into y (row n at y + (n - n0) * ldy). */
void DP_K(dp_ops_dequant)(const struct dp_wt *w, const struct dp_geom *g, uint32_t n0,
			  uint32_t n1, void *y, uint32_t ldy, bool bf16)
{
	struct dp_kc c = { NULL, w, g, NULL, 0 };
	uint32_t p;

	for (p = n0 / DP_PANEL; p * DP_PANEL < n1; p++) {
		uint32_t r0 = p * DP_PANEL < n0 ? n0 % DP_PANEL : 0;
		uint32_t r1 = (p + 1) * DP_PANEL > n1 ? n1 - p * DP_PANEL : DP_PANEL;

		switch (w->fmt) {
		DP_CASE_DQ(DP_W_BF16);
		DP_CASE_DQ(DP_W_INT8);
		DP_CASE_DQ(DP_W_INT4);
		DP_CASE_DQ(DP_W_MXINT8);
		DP_CASE_DQ(DP_W_MXFP8);
		DP_CASE_DQ(DP_W_MXFP4);
		DP_CASE_DQ(DP_W_NVFP4);
		DP_CASE_DQ(DP_W_SP_BF16);
		DP_CASE_DQ(DP_W_SP_INT8);
		DP_CASE_DQ(DP_W_SP_INT4);
		}
	}
}
