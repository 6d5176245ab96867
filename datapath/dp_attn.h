/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: the operations attention adds to a transformer step
 * (docs/numerics.md section 6.1), FP32 in and out: the matrix product of
 * Q and the K cache (B transposed) and of the probabilities and the V
 * cache (causal), and the causal row softmax between them. Golden model in
 * dp_attn_ref.c; dp_attn_fast.c dispatches to dp_attn_simd.c, bit-exact
 * with it.
 */
#ifndef DP_ATTN_H
#define DP_ATTN_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_format.h"

/*
 * y = alpha * (A x B) of one M x N matrix. Row m of A is at a + m * lda
 * (K values); B is row-major K x N (row k at b + k * ldb) or, with
 * @trans_b, N x K (row n at b + n * ldb: element (k, n) is b[n * ldb + k]);
 * row m of y is at y + m * ldy. With @causal, row m sums only
 * k < min(K, causal_offset + m + 1), and nothing past that is read.
 * M, N, K are 1..DP_DIM_MAX; y must not overlap a or b.
 */
struct dp_matmul {
	const float *a;
	const float *b;
	float *y;
	uint32_t m, n, k;
	uint32_t lda, ldb, ldy;		/* row strides, in elements */
	float alpha;
	bool trans_b;
	bool causal;
	uint32_t causal_offset;
};

/* min(len, offset + r + 1), without overflow: the causal limit of row r. */
static inline uint32_t dp_causal_limit(uint32_t len, uint32_t offset, uint32_t r)
{
	uint64_t l = (uint64_t)offset + r + 1;

	return l < len ? (uint32_t)l : len;
}

/* DP_OK, or DP_EINVAL for a NULL pointer, a bad size or a short stride. */
int dp_matmul_check(const struct dp_matmul *p);
int dp_matmul_ref(const struct dp_matmul *p);

/*
 * Softmax of x[0 .. limit) as a row of that length (dp_softmax_ref),
 * y[limit .. d) = +0; x past the limit is never read. 1 <= limit <= d.
 */
int dp_softmax_causal_ref(const float *x, uint32_t d, uint32_t limit, float *y);

/*
 * Fast twins (enum dp_isa; DP_ISA_SCALAR runs the golden model, an ISA
 * this CPU lacks gives DP_ENOTSUP): same arguments, same error codes.
 */
int dp_matmul_fast(const struct dp_matmul *p, uint32_t isa);
int dp_softmax_causal_fast(const float *x, uint32_t d, uint32_t limit, float *y,
			   uint32_t isa);

#endif /* DP_ATTN_H */
