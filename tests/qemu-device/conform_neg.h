/* SPDX-License-Identifier: MIT */
/*
 * Malformed-command cases of the guest conformance suite (conform_neg.c):
 * one per validation class of docs/isa.md sections 6-8 and 11.
 */
#ifndef CONFORM_NEG_H
#define CONFORM_NEG_H

#include "conform_util.h"

/* Commands refused at validation, each with its documented status. */
enum cf_neg_kind {
	CF_NEG_A8_BF16,		/* GEMM_A8 on W_BF16: BAD_FORMAT */
	CF_NEG_ADD_BF16,	/* ADD of a BF16 tensor: BAD_FORMAT */
	CF_NEG_CONVERT_SAME,	/* CONVERT FP32 -> FP32: BAD_FORMAT */
	CF_NEG_RMSNORM_BIAS,	/* RMSNORM with a bias: BAD_OPERAND */
	CF_NEG_ACT,		/* GEMM activation past SILU: BAD_OPERAND */
	CF_NEG_TENSOR_SCALE,	/* tensor_scale on W_INT8: BAD_OPERAND */
	CF_NEG_OVERLAP_STRIDES,	/* rows closer than their length: BAD_SHAPE */
	CF_NEG_ROPE_ODD,	/* ROPE of an odd width: BAD_SHAPE */
	CF_NEG_MISALIGNED,	/* FP32 tensor at an odd half-word: BAD_ALIGN */
	CF_NEG_WRAPS,		/* tensor span past 2^64: BAD_RANGE */
	CF_NEG_RESERVED,	/* reserved field set: BAD_FLAGS */
	CF_NEG_SHORT,		/* GEMM 8 bytes short: BAD_LENGTH */
	CF_NEG_VERSION,		/* ISA_VERSION above the firmware's: BAD_VERSION */
	/* ISA v2 (docs/isa.md 11) */
	CF_NEG_MATMUL_SHAPE,	/* MATMUL whose y is not M x N: BAD_SHAPE */
	CF_NEG_MATMUL_FLAGS,	/* MATMUL flag bit 2: BAD_FLAGS */
	CF_NEG_SOFTMAX_LENGTH,	/* SOFTMAX of 120 bytes, neither form: BAD_LENGTH */
	CF_NEG_ROW_B_ROWS,	/* MUL ROW_B with a b of many rows: BAD_SHAPE */
};

/*
 * Each returns 0 when the device refused the command as documented, wrote
 * nothing for it, and ran the next job on the same queue correctly.
 */
int cf_neg_case(struct cf_env *e, enum cf_neg_kind kind);
/* A stream whose third command (index 2) is a bad GEMM, on @queue. */
int cf_neg_third_command(struct cf_env *e, uint32_t queue);
/* GATHER with an id past the table: BAD_INDEX, earlier rows written. */
int cf_neg_bad_index(struct cf_env *e);
/* A tile that cannot fit the default 4 MiB SRAM: TOO_LARGE. */
int cf_neg_too_large(struct cf_env *e);
/* A fault in a file of its own: nothing written, that file banned only. */
int cf_neg_mmu_fault(struct cf_env *e);

#endif /* CONFORM_NEG_H */
