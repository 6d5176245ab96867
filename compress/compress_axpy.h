/* SPDX-License-Identifier: MIT */
/*
 * Compression library: y += a * x, the inner loop of every O(k^2)-per-row
 * step of the algorithms (Gram accumulation, error feedback, triangular
 * inverse, AWQ's loss, output error). The build's -O2 does not vectorize
 * these loops, so they are written with GCC vector types. Each element is
 * still the scalar expression y + a * x (a multiply, then an add): results
 * are the same bits as the plain loop.
 */
#ifndef COMPRESS_AXPY_H
#define COMPRESS_AXPY_H

#include <stdint.h>
#include <string.h>

typedef double compress_v4d __attribute__((vector_size(32)));
typedef float compress_v8f __attribute__((vector_size(32)));

static inline void compress_axpy_d(double *y, const double *x, double a, uint32_t n)
{
	compress_v4d av = { a, a, a, a }, xv, yv;
	uint32_t i = 0;

	for (; i + 4 <= n; i += 4) {
		memcpy(&xv, x + i, sizeof(xv));
		memcpy(&yv, y + i, sizeof(yv));
		yv += av * xv;
		memcpy(y + i, &yv, sizeof(yv));
	}
	for (; i < n; i++)
		y[i] += a * x[i];
}

static inline void compress_axpy_f(float *y, const float *x, float a, uint32_t n)
{
	compress_v8f av = { a, a, a, a, a, a, a, a }, xv, yv;
	uint32_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&xv, x + i, sizeof(xv));
		memcpy(&yv, y + i, sizeof(yv));
		yv += av * xv;
		memcpy(y + i, &yv, sizeof(yv));
	}
	for (; i < n; i++)
		y[i] += a * x[i];
}

#endif /* COMPRESS_AXPY_H */
