// SPDX-License-Identifier: MIT
/*
 * Compression library: SmoothQuant (Xiao et al. 2023; mit-han-lab/
 * smoothquant smooth_lm). Per-token int8 activations lose the small
 * channels to a few outlier channels; dividing input channel j by
 *     s_j = max|X_j|^alpha / max_i |W_ij|^(1 - alpha)
 * (and multiplying W's column j by it) moves part of that range into the
 * weights, which are quantized per output channel and absorb it easily.
 * Then W diag(s) is quantized by the device's RTN rule. A channel that never
 * fired, or whose weights are all zero, keeps s_j = 1 (the reference would
 * divide by its 1e-5 clamp); otherwise s_j >= 1e-5 as the reference clamps.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "compress_algo_priv.h"

int compress_smoothquant_calib(const float *w, uint32_t n, uint32_t k,
			       const struct compress_calib *c, const struct compress_qparams *p,
			       const struct compress_smooth_opts *o, struct compress_qtensor **out,
			       float *s)
{
	const struct compress_smooth_opts def = COMPRESS_SMOOTH_OPTS_INIT;
	const struct dp_fmt_info *fi;
	uint32_t r, j;
	float *ws;
	int ret;

	ret = compress_algo_check(w, n, k, c, p, out);
	if (ret)
		return ret;
	if (!o)
		o = &def;
	if (!s || !(o->alpha >= 0.0f && o->alpha <= 1.0f))
		return -EINVAL;
	fi = dp_fmt_info(p->fmt);
	if (!fi)
		return -ENOTSUP;
	if (!fi->a8)
		return -ENOTSUP;	/* smoothing only pays with int8 activations */
	for (j = 0; j < k; j++) {
		double wmax = 0.0, amax = c->abs_max[j], v;

		for (r = 0; r < n; r++)
			if (fabs(w[(size_t)r * k + j]) > wmax)
				wmax = fabs(w[(size_t)r * k + j]);
		v = 1.0;
		if (amax > 0.0 && wmax > 0.0)
			v = pow(amax, o->alpha) / pow(wmax > 1e-5 ? wmax : 1e-5, 1.0 - o->alpha);
		s[j] = (float)(v > 1e-5 ? v : 1e-5);
	}
	ws = malloc((size_t)n * k * sizeof(*ws));
	if (!ws)
		return -ENOMEM;
	for (r = 0; r < n; r++)
		for (j = 0; j < k; j++)
			ws[(size_t)r * k + j] = w[(size_t)r * k + j] * s[j];
	ret = compress_quantize(ws, n, k, k, p, out);
	free(ws);
	return ret;
}

int compress_smoothquant(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
			 const struct compress_qparams *p, const struct compress_smooth_opts *o,
			 struct compress_qtensor **out, float *s)
{
	struct compress_calib *c;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ret = compress_calib_from(x, m, k, &c);
	if (ret)
		return ret;
	ret = compress_smoothquant_calib(w, n, k, c, p, o, out, s);
	compress_calib_free(c);
	return ret;
}
