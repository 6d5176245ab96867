/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: FP32 matrix products for training and the FP32 reference.
 *
 * Every output is one sequential sum in k order, one rounding per multiply
 * and per add (the build forbids FMA contraction), whichever kernel path,
 * tile or thread computes it. So the FP32 reference gives the same bits on
 * every x86-64 machine and for every thread count.
 */
#ifndef MDL_FP32_MATMUL_H
#define MDL_FP32_MATMUL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mdl_thread_pool.h"

/*
 * C[i][j] = (acc ? C[i][j] : 0) + sum_k A[i][k] * B[k][j], row-major with
 * leading dimensions in elements. k may be 0 (C is then cleared or kept).
 */
void mdl_mm(uint32_t m, uint32_t n, uint32_t k, const float *a, size_t lda,
	    const float *b, size_t ldb, float *c, size_t ldc, bool acc);

/* The same with A stored transposed: A's element (i, k) is a[k * lda + i]. */
void mdl_mm_at(uint32_t m, uint32_t n, uint32_t k, const float *a, size_t lda,
	       const float *b, size_t ldb, float *c, size_t ldc, bool acc);

/* mdl_mm / mdl_mm_at with rows (or, for few rows, columns) spread over the pool. */
void mdl_mm_par(struct mdl_pool *p, uint32_t m, uint32_t n, uint32_t k, const float *a,
		size_t lda, const float *b, size_t ldb, float *c, size_t ldc, bool acc);
void mdl_mm_at_par(struct mdl_pool *p, uint32_t m, uint32_t n, uint32_t k, const float *a,
		   size_t lda, const float *b, size_t ldb, float *c, size_t ldc, bool acc);

/* dst[j][i] = src[i][j] for rows x cols of src. */
void mdl_transpose(const float *src, uint32_t rows, uint32_t cols, size_t lds, float *dst,
		   size_t ldd);

#endif /* MDL_FP32_MATMUL_H */
