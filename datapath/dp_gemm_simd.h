/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: the per-instruction-set entry points of the fast GEMM
 * (dp_gemm_simd.c compiled once per ISA) and the workspace layout they
 * read. Called only by dp_gemm_fast.c, which has validated the arguments.
 */
#ifndef DP_GEMM_SIMD_H
#define DP_GEMM_SIMD_H

#include "dp_gemm.h"

/* Prepared activations: the layout inside the workspace (for the kernels). */
struct dp_ws_view {
	uint32_t kpad;		/* row stride, elements */
	uint32_t blocks;	/* qx block sums per row */
	/*
	 * A16: M x kpad/2 BF16 pairs, pair j = x[2j] << 16 | x[2j+1] (the
	 * high half first: VDPBF16PS adds its odd element's product first),
	 * positions past K are -0, which adds nothing to any sum.
	 */
	uint32_t *xp;
	int8_t *qx;		/* A8: M x kpad int8, zero padded; 2:4 formats: x ^ 0x80 */
	int32_t *bsum;		/* A8: M x blocks sums of qx per block */
};

void dp_ws_view_get(const struct dp_gemm *g, const struct dp_geom *geom, const void *ws,
		    struct dp_ws_view *v);

/* Per-ISA entry points (dp_gemm_simd.c compiled once per ISA). */
void dp_gemm_tile_avx2(const struct dp_gemm *g, const struct dp_geom *geom,
		       const struct dp_ws_view *v, uint32_t n0, uint32_t n1,
		       uint32_t m0, uint32_t m1);
void dp_gemm_tile_avx512(const struct dp_gemm *g, const struct dp_geom *geom,
			 const struct dp_ws_view *v, uint32_t n0, uint32_t n1,
			 uint32_t m0, uint32_t m1);
void dp_gemm_tile_avx512bf16(const struct dp_gemm *g, const struct dp_geom *geom,
			     const struct dp_ws_view *v, uint32_t n0, uint32_t n1,
			     uint32_t m0, uint32_t m1);
void dp_act_quant_avx2(const uint16_t *x, uint32_t k, int8_t *q, float *sx);
void dp_act_quant_avx512(const uint16_t *x, uint32_t k, int8_t *q, float *sx);

#endif /* DP_GEMM_SIMD_H */
