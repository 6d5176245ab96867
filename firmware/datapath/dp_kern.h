/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath fast kernels: SIMD GEMM bit-exact with dp_gemm_ref().
 *
 * Usage: size a workspace with dp_gemm_ws_size(), fill it once with
 * dp_gemm_prepare() (activations converted/padded), then run
 * dp_gemm_tile() on disjoint output tiles from as many threads as the caller
 * likes: the kernels never allocate, lock or spawn. n0 must be a multiple
 * of 16 (one weight panel) so tiles never share a panel line.
 * Instruction sets are chosen at run time (dp_isa_best()); DP_ISA_SCALAR runs
 * the golden model over the tile.
 */
#ifndef DP_KERN_H
#define DP_KERN_H

#include "dp_gemm.h"

enum dp_isa {
	DP_ISA_SCALAR = 0,
	DP_ISA_AVX2 = 1,	/* AVX2 + FMA */
	DP_ISA_AVX512 = 2,	/* AVX-512 F/BW/VL/DQ + VNNI */
	DP_ISA_COUNT
};

/* Highest instruction set this CPU and OS support. */
uint32_t dp_isa_best(void);
bool dp_isa_ok(uint32_t isa);
const char *dp_isa_name(uint32_t isa);

#define DP_WS_ALIGN	64

size_t dp_gemm_ws_size(const struct dp_gemm *g);
/* @ws must be DP_WS_ALIGN-aligned and at least dp_gemm_ws_size() bytes. */
int dp_gemm_prepare(const struct dp_gemm *g, void *ws, size_t ws_size);
int dp_gemm_tile(const struct dp_gemm *g, const void *ws, uint32_t isa,
		 uint32_t n0, uint32_t n1, uint32_t m0, uint32_t m1);

/* Golden model over one tile (the scalar "kernel"). */
int dp_gemm_ref_tile(const struct dp_gemm *g, uint32_t n0, uint32_t n1,
		     uint32_t m0, uint32_t m1);

/* Fast dynamic activation quantization, bit-exact with dp_act_quant_ref. */
void dp_act_quant_fast(const uint16_t *x, uint32_t k, int8_t *q, float *sx, uint32_t isa);

/* Prepared activations: the layout inside the workspace (for the kernels). */
struct dp_ws_view {
	uint32_t kpad;		/* row stride, elements */
	uint32_t blocks;	/* qx block sums per row */
	float *xf;		/* A16: M x kpad FP32, zero padded */
	int8_t *qx;		/* A8: M x kpad int8, zero padded */
	int32_t *bsum;		/* A8: M x blocks sums of qx per block */
	uint8_t *xsafe;		/* per row: every finite |x| < 2^118 (products exact) */
};

void dp_ws_view_get(const struct dp_gemm *g, const struct dp_geom *geom, const void *ws,
		    struct dp_ws_view *v);

/* Per-ISA entry points (dp_kern_simd.c compiled once per ISA). */
void dp_kern_tile_avx2(const struct dp_gemm *g, const struct dp_geom *geom,
		       const struct dp_ws_view *v, uint32_t n0, uint32_t n1,
		       uint32_t m0, uint32_t m1);
void dp_kern_tile_avx512(const struct dp_gemm *g, const struct dp_geom *geom,
			 const struct dp_ws_view *v, uint32_t n0, uint32_t n1,
			 uint32_t m0, uint32_t m1);
void dp_kern_actq_avx2(const uint16_t *x, uint32_t k, int8_t *q, float *sx);
void dp_kern_actq_avx512(const uint16_t *x, uint32_t k, int8_t *q, float *sx);

#endif /* DP_KERN_H */
