// SPDX-License-Identifier: MIT
/* Quasar datapath golden model: norms, softmax, RoPE, elementwise, gather, conv. */
#include "dp_ops.h"
#include "dp_elem.h"
#include "dp_math.h"

/*
 * Row sums are 16 interleaved partial sums, lane j taking i = j, j + 16, ...
 * in ascending order from +0, folded by halving (docs/numerics.md
 * "Operations"): the order a 16-lane vector follows, so the fast kernels
 * repeat it exactly.
 */
float dp_sum16_fold(float s[DP_SUM_LANES])
{
	uint32_t h, j;

	for (h = DP_SUM_LANES / 2; h >= 1; h /= 2)
		for (j = 0; j < h; j++)
			s[j] = s[j] + s[j + h];
	return s[0];
}

static void dp_sum16_clear(float s[DP_SUM_LANES])
{
	uint32_t j;

	for (j = 0; j < DP_SUM_LANES; j++)
		s[j] = 0.0f;
}

int dp_rmsnorm_ref(const float *x, const float *gain, uint32_t d, float eps, float *y)
{
	float s[DP_SUM_LANES], r;
	uint32_t i;

	if (!x || !gain || !y || d == 0)
		return DP_EINVAL;
	dp_sum16_clear(s);
	for (i = 0; i < d; i++)
		s[i % DP_SUM_LANES] = s[i % DP_SUM_LANES] + x[i] * x[i];
	r = 1.0f / dp_sqrtf(dp_sum16_fold(s) / (float)d + eps);
	for (i = 0; i < d; i++)
		y[i] = (x[i] * r) * gain[i];
	return DP_OK;
}

int dp_layernorm_ref(const float *x, const float *gain, const float *bias, uint32_t d,
		     float eps, float *y)
{
	float s[DP_SUM_LANES], mean, r;
	uint32_t i;

	if (!x || !gain || !bias || !y || d == 0)
		return DP_EINVAL;
	dp_sum16_clear(s);
	for (i = 0; i < d; i++)
		s[i % DP_SUM_LANES] = s[i % DP_SUM_LANES] + x[i];
	mean = dp_sum16_fold(s) / (float)d;
	dp_sum16_clear(s);
	for (i = 0; i < d; i++)
		s[i % DP_SUM_LANES] = s[i % DP_SUM_LANES] + (x[i] - mean) * (x[i] - mean);
	r = 1.0f / dp_sqrtf(dp_sum16_fold(s) / (float)d + eps);
	for (i = 0; i < d; i++)
		y[i] = ((x[i] - mean) * r) * gain[i] + bias[i];
	return DP_OK;
}

int dp_softmax_ref(const float *x, uint32_t d, float *y)
{
	float mx = x ? x[0] : 0.0f, s[DP_SUM_LANES], sum;
	uint32_t i;

	if (!x || !y || d == 0)
		return DP_EINVAL;
	for (i = 1; i < d; i++)
		if (x[i] > mx)
			mx = x[i];
	dp_sum16_clear(s);
	for (i = 0; i < d; i++) {
		y[i] = dp_expf(x[i] - mx);
		s[i % DP_SUM_LANES] = s[i % DP_SUM_LANES] + y[i];
	}
	sum = dp_sum16_fold(s);
	for (i = 0; i < d; i++)
		y[i] = y[i] / sum;
	return DP_OK;
}

int dp_rope_ref(const float *x, const float *cosv, const float *sinv, uint32_t d, float *y)
{
	uint32_t i;

	if (!x || !cosv || !sinv || !y || d == 0 || d % 2)
		return DP_EINVAL;
	for (i = 0; i < d / 2; i++) {
		float x0 = x[2 * i], x1 = x[2 * i + 1];

		y[2 * i] = x0 * cosv[i] - x1 * sinv[i];
		y[2 * i + 1] = x0 * sinv[i] + x1 * cosv[i];
	}
	return DP_OK;
}

int dp_add_ref(const float *a, const float *b, uint32_t len, float *y)
{
	uint32_t i;

	if (!a || !b || !y)
		return DP_EINVAL;
	for (i = 0; i < len; i++)
		y[i] = a[i] + b[i];
	return DP_OK;
}

int dp_mul_ref(const float *a, const float *b, uint32_t len, float *y)
{
	uint32_t i;

	if (!a || !b || !y)
		return DP_EINVAL;
	for (i = 0; i < len; i++)
		y[i] = a[i] * b[i];
	return DP_OK;
}

void dp_bf16_to_f32_ref(const uint16_t *x, uint32_t len, float *y)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		y[i] = dp_bf16_to_f32(x[i]);
}

void dp_f32_to_bf16_ref(const float *x, uint32_t len, uint16_t *y)
{
	uint32_t i;

	for (i = 0; i < len; i++)
		y[i] = dp_f32_to_bf16(x[i]);
}

static float dp_scaled_elem(const struct dp_wt *w, const struct dp_geom *g,
			    uint32_t n, uint32_t j, uint32_t b)
{
	float v = dp_elem_f(w, g, n, j, b);

	if (dp_has_factor(w->fmt))
		v = v * dp_factor(w, g, n, b, false);
	if (w->fmt == DP_W_NVFP4)
		v = v * w->tensor_scale;
	return v;
}

/*
 * Value of dense weight (n, k): element times block factor. A 2:4 position
 * that no slot names is +0; one named by both slots (a code the quantizers
 * never write) is slot 0 plus slot 1, the sum the GEMM computes.
 */
static float dp_weight_value(const struct dp_wt *w, const struct dp_geom *g,
			     uint32_t n, uint32_t k)
{
	uint32_t b = k / g->block, code, s;
	float v = 0.0f;
	bool hit = false;

	if (!dp_fmt_info(w->fmt)->sparse)
		return dp_scaled_elem(w, g, n, k, b);
	code = dp_meta_code(w, g, n, k / 4);
	for (s = 0; s < 2; s++) {
		if (((code >> (2 * s)) & 3) != k % 4)
			continue;
		v = hit ? v + dp_scaled_elem(w, g, n, 2 * (k / 4) + s, b) :
			  dp_scaled_elem(w, g, n, 2 * (k / 4) + s, b);
		hit = true;
	}
	return v;
}

int dp_dequant_ref(const struct dp_wt *w, uint32_t n0, uint32_t n1, float *y, uint32_t ldy)
{
	struct dp_geom g;
	uint32_t n, k;
	int ret;

	ret = dp_wt_check(w, &g);
	if (ret)
		return ret;
	if (!y || n0 > n1 || n1 > w->n || ldy < w->k)
		return DP_EINVAL;
	for (n = n0; n < n1; n++)
		for (k = 0; k < w->k; k++)
			y[(size_t)(n - n0) * ldy + k] = dp_weight_value(w, &g, n, k);
	return DP_OK;
}

int dp_dequant_bf16_ref(const struct dp_wt *w, uint32_t n0, uint32_t n1, uint16_t *y,
			uint32_t ldy)
{
	struct dp_geom g;
	uint32_t n, k;
	int ret;

	ret = dp_wt_check(w, &g);
	if (ret)
		return ret;
	if (!y || n0 > n1 || n1 > w->n || ldy < w->k)
		return DP_EINVAL;
	for (n = n0; n < n1; n++)
		for (k = 0; k < w->k; k++)
			y[(size_t)(n - n0) * ldy + k] = dp_f32_to_bf16(dp_weight_value(w, &g, n, k));
	return DP_OK;
}

int dp_gather_ref(const struct dp_wt *w, const uint32_t *ids, uint32_t count, float *y,
		  uint32_t ldy)
{
	uint32_t i;
	int ret;

	if (!ids || !y || !w)
		return DP_EINVAL;
	for (i = 0; i < count; i++)
		if (ids[i] >= w->n)
			return DP_EINVAL;
	for (i = 0; i < count; i++) {
		ret = dp_dequant_ref(w, ids[i], ids[i] + 1, y + (size_t)i * ldy, ldy);
		if (ret)
			return ret;
	}
	return DP_OK;
}

int dp_conv2d_out(const struct dp_conv2d *c, uint32_t *oh, uint32_t *ow)
{
	uint64_t hp, wp;

	if (!c || !oh || !ow || !c->b || !c->h || !c->w || !c->cin || !c->kh || !c->kw ||
	    !c->stride || c->h > DP_DIM_MAX || c->w > DP_DIM_MAX || c->pad > DP_DIM_MAX)
		return DP_EINVAL;
	hp = (uint64_t)c->h + 2 * c->pad;
	wp = (uint64_t)c->w + 2 * c->pad;
	if (hp < c->kh || wp < c->kw ||
	    (uint64_t)c->kh * c->kw * c->cin > DP_DIM_MAX)
		return DP_EINVAL;
	*oh = (uint32_t)((hp - c->kh) / c->stride + 1);
	*ow = (uint32_t)((wp - c->kw) / c->stride + 1);
	if ((uint64_t)c->b * *oh * *ow > DP_DIM_MAX)
		return DP_EINVAL;
	return DP_OK;
}

int dp_conv2d_im2col(const struct dp_conv2d *c, const uint16_t *x, uint16_t *col)
{
	uint32_t oh, ow, b, oy, ox, ky, kx, ci;
	size_t r = 0;
	int ret;

	ret = dp_conv2d_out(c, &oh, &ow);
	if (ret)
		return ret;
	if (!x || !col)
		return DP_EINVAL;
	for (b = 0; b < c->b; b++)
		for (oy = 0; oy < oh; oy++)
			for (ox = 0; ox < ow; ox++)
				for (ky = 0; ky < c->kh; ky++)
					for (kx = 0; kx < c->kw; kx++) {
						int64_t iy = (int64_t)oy * c->stride + ky - c->pad;
						int64_t ix = (int64_t)ox * c->stride + kx - c->pad;
						bool in = iy >= 0 && iy < c->h && ix >= 0 && ix < c->w;

						for (ci = 0; ci < c->cin; ci++)
							col[r++] = in ? x[(((size_t)b * c->h + iy) *
									   c->w + ix) * c->cin + ci] : 0;
					}
	return DP_OK;
}
