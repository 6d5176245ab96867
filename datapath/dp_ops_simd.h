/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: per-instruction-set entry points of the fast operations
 * (dp_ops_simd.c compiled once per ISA). Arguments are already validated by
 * dp_ops_fast.c, which is the only caller.
 */
#ifndef DP_OPS_SIMD_H
#define DP_OPS_SIMD_H

#include "dp_format.h"

#define DP_OPS_SIMD_DECL(isa)								\
void dp_ops_rmsnorm_##isa(const float *x, const float *gain, uint32_t d, float eps,	\
			  float *y);							\
void dp_ops_layernorm_##isa(const float *x, const float *gain, const float *bias,	\
			    uint32_t d, float eps, float *y);				\
void dp_ops_softmax_##isa(const float *x, uint32_t d, float *y);			\
void dp_ops_rope_##isa(const float *x, const float *cosv, const float *sinv,		\
		       uint32_t d, float *y);						\
void dp_ops_add_##isa(const float *a, const float *b, uint32_t len, float *y);		\
void dp_ops_mul_##isa(const float *a, const float *b, uint32_t len, float *y);		\
void dp_ops_bf16_to_f32_##isa(const uint16_t *x, uint32_t len, float *y);		\
void dp_ops_f32_to_bf16_##isa(const float *x, uint32_t len, uint16_t *y);		\
void dp_ops_dequant_##isa(const struct dp_wt *w, const struct dp_geom *g, uint32_t n0,	\
			  uint32_t n1, void *y, uint32_t ldy, bool bf16)

DP_OPS_SIMD_DECL(avx2);
DP_OPS_SIMD_DECL(avx512);

#endif /* DP_OPS_SIMD_H */
