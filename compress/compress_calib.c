// SPDX-License-Identifier: MIT
/*
 * Compression library: calibration statistics of a layer's input, streamed
 * batch by batch. Every algorithm needs only these: X^T X (GPTQ, SparseGPT,
 * AWQ's loss, Wanda's column norms), mean |x_j| (AWQ) and max |x_j|
 * (SmoothQuant), so a caller never has to keep all activations.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress_algo_priv.h"
#include "compress_axpy.h"

/*
 * Rows per pass over the Gram matrix: one row of it stays in L1 while this
 * many activation rows update it. Each entry still sums the rows in order,
 * so the result does not depend on this number or on the caller's batches.
 */
#define COMPRESS_CALIB_CHUNK 32

int compress_calib_new(uint32_t k, struct compress_calib **out)
{
	struct compress_calib *c;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (k == 0 || k > DP_DIM_MAX)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->k = k;
	c->gram = calloc((size_t)k * k, sizeof(*c->gram));
	c->abs_sum = calloc(k, sizeof(*c->abs_sum));
	c->abs_max = calloc(k, sizeof(*c->abs_max));
	if (!c->gram || !c->abs_sum || !c->abs_max) {
		compress_calib_free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void compress_calib_free(struct compress_calib *c)
{
	if (!c)
		return;
	free(c->gram);
	free(c->abs_sum);
	free(c->abs_max);
	free(c);
}

uint32_t compress_calib_k(const struct compress_calib *c)
{
	return c ? c->k : 0;
}

uint64_t compress_calib_rows(const struct compress_calib *c)
{
	return c ? c->rows : 0;
}

static void compress_calib_gram(struct compress_calib *c, const double *xr, uint32_t rows)
{
	uint32_t k = c->k, a, r;

	for (a = 0; a < k; a++) {
		double *g = c->gram + (size_t)a * k;

		for (r = 0; r < rows; r++) {
			const double *x = xr + (size_t)r * k;

			compress_axpy_d(g, x, x[a], a + 1);
		}
	}
}

int compress_calib_add(struct compress_calib *c, const float *x, uint32_t m, uint32_t ldx)
{
	uint32_t k, i, j, r0, rows;
	double *xr;

	if (!c || !x || m == 0 || ldx < c->k)
		return -EINVAL;
	k = c->k;
	/* reject the whole batch before any of it is counted */
	for (i = 0; i < m; i++)
		for (j = 0; j < k; j++)
			if (!isfinite(x[(size_t)i * ldx + j]))
				return -EINVAL;
	xr = malloc((size_t)COMPRESS_CALIB_CHUNK * k * sizeof(*xr));
	if (!xr)
		return -ENOMEM;
	for (r0 = 0; r0 < m; r0 += rows) {
		rows = m - r0 < COMPRESS_CALIB_CHUNK ? m - r0 : COMPRESS_CALIB_CHUNK;
		for (i = 0; i < rows; i++) {
			const float *src = x + (size_t)(r0 + i) * ldx;

			for (j = 0; j < k; j++) {
				float a = fabsf(src[j]);

				xr[(size_t)i * k + j] = src[j];
				c->abs_sum[j] += a;
				if (a > c->abs_max[j])
					c->abs_max[j] = a;
			}
		}
		compress_calib_gram(c, xr, rows);
	}
	c->rows += m;
	free(xr);
	return 0;
}

int compress_calib_hessian(const struct compress_calib *c, double **h)
{
	uint32_t k = c->k, a, b;
	double f = 2.0 / (double)c->rows, *m;

	m = malloc((size_t)k * k * sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (a = 0; a < k; a++)
		for (b = 0; b <= a; b++) {
			double v = f * c->gram[(size_t)a * k + b];

			m[(size_t)a * k + b] = v;
			m[(size_t)b * k + a] = v;
		}
	*h = m;
	return 0;
}

int compress_calib_from(const float *x, uint32_t m, uint32_t k, struct compress_calib **out)
{
	struct compress_calib *c;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!x || m == 0)
		return -EINVAL;
	ret = compress_calib_new(k, &c);
	if (ret)
		return ret;
	ret = compress_calib_add(c, x, m, k);
	if (ret) {
		compress_calib_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

int compress_algo_check(const float *w, uint32_t n, uint32_t k, const struct compress_calib *c,
			const struct compress_qparams *p, struct compress_qtensor **out)
{
	size_t i;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!w || !c || !p || n == 0 || k == 0 || n > DP_DIM_MAX || k > DP_DIM_MAX)
		return -EINVAL;
	if (c->k != k || c->rows == 0)
		return -EINVAL;
	for (i = 0; i < (size_t)n * k; i++)
		if (!isfinite(w[i]))
			return -EINVAL;
	return 0;
}
