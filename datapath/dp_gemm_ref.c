// SPDX-License-Identifier: MIT
/*
 * Quasar datapath golden model: GEMM, read top to bottom beside
 * docs/numerics.md "GEMM". One output at a time, no cleverness: this file is
 * what the fast kernels and the device are compared against.
 */
#include "dp_gemm.h"
#include "dp_elem.h"
#include "dp_math.h"

int dp_gemm_check(const struct dp_gemm *g, struct dp_geom *geom)
{
	const struct dp_fmt_info *fi;
	int ret;

	if (!g || !geom)
		return DP_EINVAL;
	ret = dp_wt_check(g->w, geom);
	if (ret)
		return ret;
	fi = dp_fmt_info(g->w->fmt);
	if (g->m == 0 || g->m > DP_DIM_MAX || !g->y || g->ldy < g->w->n ||
	    g->ldx < g->w->k || g->act > DP_ACT_SILU)
		return DP_EINVAL;
	if (g->ofmt != DP_O_FP32 && g->ofmt != DP_O_BF16)
		return DP_EINVAL;
	if (g->afmt == DP_A_BF16) {
		if (!g->x)
			return DP_EINVAL;
	} else if (g->afmt == DP_A_INT8) {
		if (!g->qx || !g->sx)
			return DP_EINVAL;
		if (!fi->a8)
			return DP_ENOTSUP;
	} else {
		return DP_EINVAL;
	}
	return DP_OK;
}

/* Partial sum of block b on the BF16 path: sequential in K, one dot step each. */
static float dp_block_f(const struct dp_gemm *g, const struct dp_geom *geom,
			uint32_t m, uint32_t n, uint32_t b)
{
	const struct dp_wt *w = g->w;
	const uint16_t *x = g->x + (size_t)m * g->ldx;
	uint32_t k0 = b * geom->block, k1 = k0 + geom->block, k, q, s;
	float p = 0.0f;

	if (k1 > w->k)
		k1 = w->k;
	if (!dp_fmt_info(w->fmt)->sparse) {
		for (k = k0; k < k1; k++)
			p = dp_dot_step(dp_elem_f(w, geom, n, k, b), dp_bf16_to_f32(x[k]), p);
		return p;
	}
	/* 2:4: only kept elements contribute, kept slot 0 before slot 1 */
	for (q = k0 / 4; q * 4 < k1; q++) {
		uint32_t code = dp_meta_code(w, geom, n, q);

		for (s = 0; s < 2; s++) {
			k = 4 * q + ((code >> (2 * s)) & 3);
			if (k < w->k)
				p = dp_dot_step(dp_elem_f(w, geom, n, 2 * q + s, b),
						dp_bf16_to_f32(x[k]), p);
		}
	}
	return p;
}

/* Partial sum of block b on the int8 path: exact, in int32. */
static int32_t dp_block_i(const struct dp_gemm *g, const struct dp_geom *geom,
			  uint32_t m, uint32_t n, uint32_t b)
{
	const struct dp_wt *w = g->w;
	const int8_t *qx = g->qx + (size_t)m * g->ldx;
	uint32_t k0 = b * geom->block, k1 = k0 + geom->block, k, q, s;
	int32_t acc = 0;

	if (k1 > w->k)
		k1 = w->k;
	if (!dp_fmt_info(w->fmt)->sparse) {
		for (k = k0; k < k1; k++)
			acc += dp_elem_i(w, geom, n, k, b) * qx[k];
		return acc;
	}
	for (q = k0 / 4; q * 4 < k1; q++) {
		uint32_t code = dp_meta_code(w, geom, n, q);

		for (s = 0; s < 2; s++) {
			k = 4 * q + ((code >> (2 * s)) & 3);
			if (k < w->k)
				acc += dp_elem_i(w, geom, n, 2 * q + s, b) * qx[k];
		}
	}
	return acc;
}

float dp_epilogue_ref(const struct dp_gemm *g, uint32_t m, uint32_t n, float acc)
{
	float y = acc * g->alpha;

	if (g->bias)
		y = y + g->bias[n];
	y = dp_act_apply(g->act, y);
	if (g->res) {
		size_t i = (size_t)m * g->ldy + n;

		if (g->ofmt == DP_O_FP32)
			y = y + ((const float *)g->res)[i];
		else
			y = y + dp_bf16_to_f32(((const uint16_t *)g->res)[i]);
	}
	return y;
}

void dp_store_ref(const struct dp_gemm *g, uint32_t m, uint32_t n, float y)
{
	size_t i = (size_t)m * g->ldy + n;

	if (g->ofmt == DP_O_FP32)
		((float *)g->y)[i] = y;
	else
		((uint16_t *)g->y)[i] = dp_f32_to_bf16(y);
}

static void dp_gemm_ref_range(const struct dp_gemm *g, const struct dp_geom *geom,
			      uint32_t n0, uint32_t n1, uint32_t m0, uint32_t m1)
{
	uint32_t m, n, b, nb = (g->w->k + geom->block - 1) / geom->block;
	bool a8 = g->afmt == DP_A_INT8;

	for (m = m0; m < m1; m++) {
		for (n = n0; n < n1; n++) {
			float acc = 0.0f, c;

			for (b = 0; b < nb; b++) {
				if (a8)
					c = (float)dp_block_i(g, geom, m, n, b);
				else
					c = dp_block_f(g, geom, m, n, b);
				if (dp_has_factor(g->w->fmt))
					c = c * dp_factor(g->w, geom, n, b, a8);
				acc = acc + c;
			}
			if (a8)
				acc = acc * g->sx[m];
			if (g->w->fmt == DP_W_NVFP4)
				acc = acc * g->w->tensor_scale;
			dp_store_ref(g, m, n, dp_epilogue_ref(g, m, n, acc));
		}
	}
}

int dp_gemm_ref(const struct dp_gemm *g)
{
	struct dp_geom geom;
	int ret;

	ret = dp_gemm_check(g, &geom);
	if (ret)
		return ret;
	dp_gemm_ref_range(g, &geom, 0, g->w->n, 0, g->m);
	return DP_OK;
}

int dp_gemm_ref_tile(const struct dp_gemm *g, uint32_t n0, uint32_t n1, uint32_t m0,
		     uint32_t m1)
{
	struct dp_geom geom;
	int ret;

	ret = dp_gemm_check(g, &geom);
	if (ret)
		return ret;
	if (n0 > n1 || n1 > g->w->n || m0 > m1 || m1 > g->m)
		return DP_EINVAL;
	dp_gemm_ref_range(g, &geom, n0, n1, m0, m1);
	return DP_OK;
}

void dp_act_quant_ref(const uint16_t *x, uint32_t k, int8_t *q, float *sx)
{
	float amax = 0.0f, inv = 0.0f, c;
	uint32_t i;

	for (i = 0; i < k; i++) {
		float a = __builtin_fabsf(dp_bf16_to_f32(x[i]));

		if (a > amax)	/* false for NaN: NaN never sets the scale */
			amax = a;
	}
	/* a tiny row is scaled up first (exact), or 127 / amax would overflow */
	c = amax < DP_ACTQ_TINY ? DP_ACTQ_LIFT : 1.0f;
	if (amax > 0.0f)
		inv = 127.0f / (amax * c);
	for (i = 0; i < k; i++)
		q[i] = (int8_t)dp_quant_int((dp_bf16_to_f32(x[i]) * c) * inv, -127, 127);
	*sx = amax / 127.0f;
}
