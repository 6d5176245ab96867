// SPDX-License-Identifier: MIT
/*
 * Compression library: how far a compressed layer's outputs are from the
 * original's on given activations, the objective every algorithm here
 * minimizes (on calibration rows) and the figure to judge it by (on other
 * rows). Reference outputs are X W^T in double.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress_algo.h"
#include "compress_axpy.h"
#include "dp_gemm.h"
#include "dp_num.h"

static int compress_output_error_args(const float *w, uint32_t n, uint32_t k, const float *x,
				      uint32_t m, const struct compress_qtensor *qt, const float *s,
				      double *rel)
{
	const struct dp_wt *wt = compress_qtensor_wt(qt);
	size_t i;

	if (!w || !x || !wt || !rel || m == 0 || wt->n != n || wt->k != k)
		return -EINVAL;
	for (i = 0; s && i < k; i++)
		if (!(s[i] > 0.0f) || !isfinite(s[i]))
			return -EINVAL;
	return 0;
}

/* X W^T, m x n in double; W transposed once so the inner loop is an axpy. */
static double *compress_output_error_ref(const float *w, uint32_t n, uint32_t k, const float *x,
					 uint32_t m)
{
	double *wt = malloc((size_t)k * n * sizeof(*wt)), *y = calloc((size_t)m * n, sizeof(*y));
	uint32_t i, j, r;

	if (!wt || !y) {
		free(wt);
		free(y);
		return NULL;
	}
	for (r = 0; r < n; r++)
		for (j = 0; j < k; j++)
			wt[(size_t)j * n + r] = w[(size_t)r * k + j];
	for (i = 0; i < m; i++) {
		double *yi = y + (size_t)i * n;

		for (j = 0; j < k; j++)
			compress_axpy_d(yi, wt + (size_t)j * n, x[(size_t)i * k + j], n);
	}
	free(wt);
	return y;
}

static double compress_output_error_rel(const double *ref, const double *y, size_t len)
{
	double num = 0.0, den = 0.0;
	size_t i;

	for (i = 0; i < len; i++) {
		num += (ref[i] - y[i]) * (ref[i] - y[i]);
		den += ref[i] * ref[i];
	}
	return den > 0.0 ? sqrt(num / den) : (num > 0.0 ? INFINITY : 0.0);
}

int compress_output_error(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
			  const struct compress_qtensor *qt, const float *s, double *rel)
{
	float *deq = NULL, *xs = NULL;
	double *ref = NULL, *yq = NULL;
	uint32_t i, j;
	int ret;

	ret = compress_output_error_args(w, n, k, x, m, qt, s, rel);
	if (ret)
		return ret;
	ret = -ENOMEM;
	deq = malloc((size_t)n * k * sizeof(*deq));
	xs = malloc((size_t)m * k * sizeof(*xs));
	if (!deq || !xs)
		goto out;
	ret = compress_qtensor_dequant(qt, deq, k);
	if (ret)
		goto out;
	for (i = 0; i < m; i++)
		for (j = 0; j < k; j++)
			xs[(size_t)i * k + j] = s ? x[(size_t)i * k + j] / s[j] : x[(size_t)i * k + j];
	ret = -ENOMEM;
	ref = compress_output_error_ref(w, n, k, x, m);
	yq = compress_output_error_ref(deq, n, k, xs, m);
	if (!ref || !yq)
		goto out;
	*rel = compress_output_error_rel(ref, yq, (size_t)m * n);
	ret = 0;
out:
	free(deq);
	free(xs);
	free(ref);
	free(yq);
	return ret;
}

int compress_output_error_a8(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
			     const struct compress_qtensor *qt, const float *s, double *rel)
{
	const struct dp_fmt_info *fi;
	uint16_t *xb = NULL;
	int8_t *qx = NULL;
	float *sx = NULL, *y = NULL;
	double *ref = NULL, *yq = NULL;
	struct dp_gemm g;
	uint32_t i, j;
	size_t len;
	int ret;

	ret = compress_output_error_args(w, n, k, x, m, qt, s, rel);
	if (ret)
		return ret;
	fi = dp_fmt_info(compress_qtensor_wt(qt)->fmt);
	if (!fi->a8)
		return -ENOTSUP;
	ret = -ENOMEM;
	xb = malloc((size_t)m * k * sizeof(*xb));
	qx = malloc((size_t)m * k);
	sx = malloc((size_t)m * sizeof(*sx));
	y = malloc((size_t)m * n * sizeof(*y));
	yq = malloc((size_t)m * n * sizeof(*yq));
	if (!xb || !qx || !sx || !y || !yq)
		goto out;
	/* the device's A8 input: BF16 rows, each quantized to int8 with its own scale */
	for (i = 0; i < m; i++) {
		for (j = 0; j < k; j++) {
			float v = x[(size_t)i * k + j];

			xb[(size_t)i * k + j] = dp_f32_to_bf16(s ? v / s[j] : v);
		}
		dp_act_quant_ref(xb + (size_t)i * k, k, qx + (size_t)i * k, sx + i);
	}
	g = (struct dp_gemm){ .w = compress_qtensor_wt(qt), .m = m, .afmt = DP_A_INT8, .qx = qx,
			      .sx = sx, .ldx = k, .alpha = 1.0f, .act = DP_ACT_NONE,
			      .ofmt = DP_O_FP32, .y = y, .ldy = n };
	ret = dp_gemm_ref(&g);
	if (ret)
		goto out;
	for (len = 0; len < (size_t)m * n; len++)
		yq[len] = y[len];
	ret = -ENOMEM;
	ref = compress_output_error_ref(w, n, k, x, m);
	if (!ref)
		goto out;
	*rel = compress_output_error_rel(ref, yq, (size_t)m * n);
	ret = 0;
out:
	free(xb);
	free(qx);
	free(sx);
	free(y);
	free(yq);
	free(ref);
	return ret;
}
