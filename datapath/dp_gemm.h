/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: GEMM with a fused epilogue, Y = epi(X * W^T).
 * X is M x K (BF16, or int8 rows with an FP32 scale each), W a packed
 * dp_wt of N x K, Y is M x N (FP32 or BF16). The exact arithmetic, including
 * the accumulation order, is docs/numerics.md "GEMM".
 */
#ifndef DP_GEMM_H
#define DP_GEMM_H

#include "dp_format.h"
#include "dp_isa.h"

/*
 * @x:   DP_A_BF16: row m at x + m * ldx, K elements
 * @qx, @sx: DP_A_INT8: row m at qx + m * ldx and its scale sx[m]
 *	 (produced by dp_act_quant_ref or its fast twin)
 * @bias: N floats or NULL; @res: M x N residual in @ofmt (stride ldy) or NULL
 */
struct dp_gemm {
	const struct dp_wt *w;
	uint32_t m;
	uint32_t afmt;
	const uint16_t *x;
	const int8_t *qx;
	const float *sx;
	uint32_t ldx;
	float alpha;
	const float *bias;
	uint32_t act;
	uint32_t ofmt;
	const void *res;
	void *y;
	uint32_t ldy;
};

/* Validates every field against the weights; fills @geom on success. */
int dp_gemm_check(const struct dp_gemm *g, struct dp_geom *geom);

/* Golden model: the specification executed one output at a time. */
int dp_gemm_ref(const struct dp_gemm *g);

/* Golden epilogue of one output (shared with the fast kernels' tails). */
float dp_epilogue_ref(const struct dp_gemm *g, uint32_t m, uint32_t n, float acc);

/* Store one output value in g->ofmt. */
void dp_store_ref(const struct dp_gemm *g, uint32_t m, uint32_t n, float y);

/*
 * Dynamic activation quantization of one row: sx = amax / 127,
 * q = clamp(rne((x * c) * (127 / (amax * c))), -127, 127), amax ignoring
 * NaN, c = DP_ACTQ_LIFT when amax < DP_ACTQ_TINY and 1 otherwise: scaling
 * by a power of two is exact for BF16 values and keeps 127 / amax finite
 * (docs/numerics.md §3).
 */
#define DP_ACTQ_TINY	0x1p-64f
#define DP_ACTQ_LIFT	0x1p64f
void dp_act_quant_ref(const uint16_t *x, uint32_t k, int8_t *q, float *sx);

/*
 * The fast GEMM, bit-exact with dp_gemm_ref(): size a workspace with
 * dp_gemm_ws_size(), fill it once with dp_gemm_prepare() (activations
 * converted/padded), then run dp_gemm_tile() on disjoint output tiles from
 * as many threads as the caller likes: the kernels never allocate, lock or
 * spawn. n0 must be a multiple of 16 (one weight panel) so tiles never
 * share a panel line. @isa is an enum dp_isa; DP_ISA_SCALAR runs the golden
 * model over the tile.
 */
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

#endif /* DP_GEMM_H */
