// SPDX-License-Identifier: MIT
/*
 * Compression library: the dense linear algebra GPTQ and SparseGPT need,
 * in double, row-major, single-threaded and in a fixed order so results are
 * reproducible. Loops are arranged so the innermost one walks a row
 * (contiguous) and carries no reduction, which the compiler vectorizes
 * without reassociating anything.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress_axpy.h"
#include "compress_linalg.h"

/*
 * A pivot this small relative to its diagonal entry means H is singular to
 * working precision: the factor would be rounding noise, so report -EDOM.
 */
#define COMPRESS_LINALG_PIVOT_MIN 1e-12

int compress_linalg_chol(double *a, uint32_t n)
{
	uint32_t i, j, p;

	/* Cholesky-Banachiewicz: row i of L from the rows above it */
	for (i = 0; i < n; i++) {
		double *ri = a + (size_t)i * n;

		for (j = 0; j <= i; j++) {
			const double *rj = a + (size_t)j * n;
			double s = ri[j], d = ri[j];

			for (p = 0; p < j; p++)
				s -= ri[p] * rj[p];
			if (j < i) {
				ri[j] = s / rj[j];
			} else {
				if (!(s > 0.0 && s > COMPRESS_LINALG_PIVOT_MIN * d) || !isfinite(s))
					return -EDOM;
				ri[i] = sqrt(s);
			}
		}
		for (j = i + 1; j < n; j++)
			ri[j] = 0.0;
	}
	return 0;
}

int compress_linalg_trinv_lower(double *l, uint32_t n)
{
	double *row = malloc((size_t)n * sizeof(*row));
	uint32_t i, j, p;

	if (!row)
		return -ENOMEM;
	/*
	 * Row i of X = L^-1 solves sum_p L[i][p] X[p][:] = e_i. Rows above i
	 * already hold X (overwritten in order), so accumulate into a scratch
	 * row and replace L[i][*] only once it has been read.
	 */
	for (i = 0; i < n; i++) {
		double *ri = l + (size_t)i * n, d = ri[i];

		memset(row, 0, (size_t)(i + 1) * sizeof(*row));
		for (p = 0; p < i; p++) {
			compress_axpy_d(row, l + (size_t)p * n, -ri[p], p + 1);
		}
		row[i] = 1.0;
		for (j = 0; j <= i; j++)
			ri[j] = row[j] / d;
	}
	free(row);
	return 0;
}

int compress_linalg_inv_chol_upper(double *h, uint32_t n)
{
	uint32_t i, j, p;
	double *t;
	int ret;

	ret = compress_linalg_chol(h, n);
	if (ret)
		return ret;
	ret = compress_linalg_trinv_lower(h, n);
	if (ret)
		return ret;
	/* H^-1 = L^-T L^-1: lower triangle by rank-1 updates, row p of L^-1 each */
	t = calloc((size_t)n * n, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (p = 0; p < n; p++) {
		const double *xp = h + (size_t)p * n;

		for (i = 0; i <= p; i++)
			compress_axpy_d(t + (size_t)i * n, xp, xp[i], i + 1);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			t[(size_t)j * n + i] = t[(size_t)i * n + j];
	ret = compress_linalg_chol(t, n);
	if (ret) {
		free(t);
		return ret;
	}
	/* H^-1 = L2 L2^T = U^T U with U = L2^T */
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			h[(size_t)i * n + j] = t[(size_t)j * n + i];
	free(t);
	return 0;
}
