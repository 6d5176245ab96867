/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath golden model: the non-GEMM operations a transformer block
 * and a small CNN/MLP need. FP32 in and out unless stated; every reduction is
 * sequential in index order (docs/numerics.md "Operations").
 */
#ifndef DP_OPS_H
#define DP_OPS_H

#include "dp_format.h"
#include "dp_gemm.h"

/* Partial sums per row reduction (docs/numerics.md "Operations"). */
#define DP_SUM_LANES 16

/* Folds 16 partial sums in the specified order (s is overwritten). */
float dp_sum16_fold(float s[DP_SUM_LANES]);

int dp_rmsnorm_ref(const float *x, const float *gain, uint32_t d, float eps, float *y);
int dp_layernorm_ref(const float *x, const float *gain, const float *bias, uint32_t d,
		     float eps, float *y);
int dp_softmax_ref(const float *x, uint32_t d, float *y);
/* Rotates adjacent pairs (x[2i], x[2i+1]) by the angle whose cos/sin are given. */
int dp_rope_ref(const float *x, const float *cosv, const float *sinv, uint32_t d, float *y);
int dp_add_ref(const float *a, const float *b, uint32_t len, float *y);
int dp_mul_ref(const float *a, const float *b, uint32_t len, float *y);

/* Conversions: BF16 <-> FP32, and any packed weight tensor -> FP32 / BF16. */
void dp_bf16_to_f32_ref(const uint16_t *x, uint32_t len, float *y);
void dp_f32_to_bf16_ref(const float *x, uint32_t len, uint16_t *y);
/* Dequantizes rows n0..n1-1 of @w into y (row stride ldy floats). */
int dp_dequant_ref(const struct dp_wt *w, uint32_t n0, uint32_t n1, float *y, uint32_t ldy);
int dp_dequant_bf16_ref(const struct dp_wt *w, uint32_t n0, uint32_t n1, uint16_t *y,
			uint32_t ldy);
/* Embedding gather: row i of y = dequantized row ids[i] of the table @w. */
int dp_gather_ref(const struct dp_wt *w, const uint32_t *ids, uint32_t count, float *y,
		  uint32_t ldy);

/*
 * conv2d, NHWC, lowered to GEMM: weights are a dp_wt with N = Cout and
 * K = KH * KW * Cin ordered (kh, kw, cin). @col is the caller's im2col
 * buffer of (B * OH * OW) x K BF16; g describes the GEMM with g->x = col
 * (dp_conv2d_im2col fills it) and M = B * OH * OW.
 */
struct dp_conv2d {
	uint32_t b, h, w, cin;		/* input */
	uint32_t kh, kw, stride, pad;	/* filter; cout = weights' N */
};

int dp_conv2d_out(const struct dp_conv2d *c, uint32_t *oh, uint32_t *ow);
int dp_conv2d_im2col(const struct dp_conv2d *c, const uint16_t *x, uint16_t *col);

/*
 * Fast twins of the operations above (dp_ops_simd.c), bit-exact with them:
 * same arguments, same error codes, plus the instruction set to use
 * (enum dp_isa; DP_ISA_SCALAR runs the golden model, an ISA this CPU lacks
 * gives DP_ENOTSUP). Row-wise: the caller's threads split rows or tensors.
 */
int dp_rmsnorm_fast(const float *x, const float *gain, uint32_t d, float eps, float *y,
		    uint32_t isa);
int dp_layernorm_fast(const float *x, const float *gain, const float *bias, uint32_t d,
		      float eps, float *y, uint32_t isa);
int dp_softmax_fast(const float *x, uint32_t d, float *y, uint32_t isa);
int dp_rope_fast(const float *x, const float *cosv, const float *sinv, uint32_t d, float *y,
		 uint32_t isa);
int dp_add_fast(const float *a, const float *b, uint32_t len, float *y, uint32_t isa);
int dp_mul_fast(const float *a, const float *b, uint32_t len, float *y, uint32_t isa);
int dp_bf16_to_f32_fast(const uint16_t *x, uint32_t len, float *y, uint32_t isa);
int dp_f32_to_bf16_fast(const float *x, uint32_t len, uint16_t *y, uint32_t isa);
int dp_dequant_fast(const struct dp_wt *w, uint32_t n0, uint32_t n1, float *y, uint32_t ldy,
		    uint32_t isa);
int dp_dequant_bf16_fast(const struct dp_wt *w, uint32_t n0, uint32_t n1, uint16_t *y,
			 uint32_t ldy, uint32_t isa);
int dp_gather_fast(const struct dp_wt *w, const uint32_t *ids, uint32_t count, float *y,
		   uint32_t ldy, uint32_t isa);

#endif /* DP_OPS_H */
