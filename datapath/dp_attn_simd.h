/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: per-instruction-set entry points of attention's fast
 * operations (dp_attn_simd.c compiled once per ISA). Arguments are already
 * validated by dp_attn_fast.c, which is the only caller.
 */
#ifndef DP_ATTN_SIMD_H
#define DP_ATTN_SIMD_H

#include "dp_attn.h"

void dp_attn_matmul_avx2(const struct dp_matmul *p);
void dp_attn_matmul_avx512(const struct dp_matmul *p);

#endif /* DP_ATTN_SIMD_H */
