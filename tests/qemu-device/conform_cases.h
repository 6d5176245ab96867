/* SPDX-License-Identifier: MIT */
/*
 * The cases of the guest conformance suite, one function per shape family;
 * guest_conform_test.c names them <op>.<format>. Each builds its inputs, runs
 * the op on the device, computes the same op with the golden model and
 * compares bit for bit; 0 when equal (see conform_util.h for the rest).
 * @fmt is a uapi DRM_QUASAR_FORMAT_*.
 */
#ifndef CONFORM_CASES_H
#define CONFORM_CASES_H

#include "conform_util.h"

/* GEMM: strided 4-D X and Y, bias, alpha, activation and a residual. */
int cf_gemm_epilogue(struct cf_env *e, uint32_t fmt, bool a8, bool bf16_out);
/* GEMM with more activation rows than the SRAM holds: several row tiles. */
int cf_gemm_row_tiles(struct cf_env *e, uint32_t fmt, bool a8);
/* GEMM with more weight panels than the SRAM holds: several weight tiles. */
int cf_gemm_weight_tiles(struct cf_env *e, uint32_t fmt, bool a8);
/* GEMM with int8 activations from rows of tiny BF16 values (amax < 2^-64). */
int cf_gemm_tiny_rows(struct cf_env *e, uint32_t fmt);

/* CONV2D: strided NHWC input, two filter geometries, FP32 and BF16 out. */
int cf_conv_small(struct cf_env *e, uint32_t fmt, bool a8);
/* CONV2D whose im2col rows span several tiles. */
int cf_conv_tiles(struct cf_env *e, uint32_t fmt, bool a8);

/* RMSNORM, LAYERNORM, SOFTMAX, ROPE, ADD, MUL over strided 4-D tensors. */
int cf_rowop_small(struct cf_env *e, uint16_t op);
int cf_rowop_tiles(struct cf_env *e, uint16_t op);

/* CONVERT BF16 <-> FP32 with specials (Inf, NaN, -0, subnormals). */
int cf_convert_plain(struct cf_env *e, bool to_bf16, bool tiles);
/* CONVERT W_* -> FP32 and -> BF16: a strided small case and a tiled one. */
int cf_dequant_small(struct cf_env *e, uint32_t fmt);
int cf_dequant_tiles(struct cf_env *e, uint32_t fmt);

/* GATHER from a packed table: ids across panels, repeats, first, last. */
int cf_gather(struct cf_env *e, uint32_t fmt, bool big);

/* ISA v2 (conform_attn.c): MATMUL with DRM_QUASAR_MATMUL_* @flags. */
int cf_matmul(struct cf_env *e, uint32_t flags, bool tiles);
/* SOFTMAX's v2 form with CAUSAL. */
int cf_softmax_causal(struct cf_env *e, bool tiles);
/* ADD or MUL's v2 form with ROW_B. */
int cf_eltwise_row(struct cf_env *e, uint16_t op, bool tiles);

/* Formats bit mask helpers for cf_require(). */
#define CF_FMT(f)	(1u << (f))

#endif /* CONFORM_CASES_H */
