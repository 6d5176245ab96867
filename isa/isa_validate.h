/* SPDX-License-Identifier: MIT */
/*
 * The command validator of the ISA (drm/quasar_isa.h, docs/isa.md): every
 * rule of one command that needs no device, checked in the order the
 * device checks it, and the command decoded. Written once and compiled by
 * who runs commands (the firmware, firmware/fw_cmd.c) and by who writes
 * them (libaccel's accel_check_cmd()), so that both give a command the
 * same enum drm_quasar_status.
 *
 * Left to the device: whether the booted image enabled an opcode and
 * whether a compute engine exists (BAD_OPCODE), the MMU (MMU_FAULT,
 * MMU_PERM, DMA_ERROR), the SRAM (TOO_LARGE), GATHER's ids (BAD_INDEX).
 *
 * Freestanding: the ISA header and the datapath's format geometry
 * (dp_geom_get()), so that a packed tensor's buffer sizes are the device's
 * by construction. No allocation, no libc calls. Commands are read byte by
 * byte as little-endian, at any alignment.
 */
#ifndef ISA_VALIDATE_H
#define ISA_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drm/quasar_isa.h"

/* The header, and the longest command of the ISA (CONV2D). */
#define ISA_CMD_HDR_LEN		8u
#define ISA_CMD_MAX_LEN		224u

/*
 * Why a command was refused, for messages without printf: @operand is the
 * field at fault as the ISA's structs spell it ("x", "wp.scales",
 * "hdr.length"), @rule the rule it broke. Both are static strings.
 */
struct isa_why {
	const char *operand;
	const char *rule;
};

/* A tensor descriptor, decoded and checked (docs/isa.md 6.3). */
struct isa_tensor {
	uint64_t addr;
	uint32_t dims[DRM_QUASAR_TENSOR_DIMS];
	uint32_t strides[DRM_QUASAR_TENSOR_DIMS];
	uint32_t format;
	uint32_t flags;
	uint32_t esize;		/* plain: bytes per element; packed: 0 */
	uint64_t rows;		/* dims[0] * dims[1] * dims[2] */
	uint64_t span;		/* plain: bytes from addr to the last element's end;
				 * packed: bytes of the element codes */
};

/*
 * Packed weights and their struct drm_quasar_wparams (docs/isa.md 6.4),
 * with the geometry of their buffers per 16-row panel (dp_geom_get()).
 */
struct isa_weights {
	struct isa_tensor t;
	uint32_t n, k, group;
	uint32_t dpflags;	/* the datapath's flags: DP_WT_ZERO or 0 */
	uint32_t tensor_scale;	/* binary32 bits (NVFP4), else 0 */
	uint64_t scales, zeros, meta;
	uint32_t panels;
	uint64_t data_pp, scale_pp, zero_pp, meta_pp;	/* bytes per panel */
	bool sparse;		/* 2:4: half the MACs execute */
	bool a8;		/* has an int8-activation path (GEMM_A8) */
};

struct isa_fill {
	uint64_t dst;
	uint32_t size;
	uint32_t value;
};

struct isa_copy {
	uint64_t dst, src, size;
};

struct isa_write_value {
	uint64_t addr, value;
};

/* GEMM and CONV2D: Y = epilogue(X * W^T), X CONV2D's im2col of x. */
struct isa_gemm {
	struct isa_tensor x;
	struct isa_weights w;
	struct isa_tensor y;
	uint64_t bias;		/* N FP32 values, or 0 */
	uint64_t residual;	/* shaped and strided like y, or 0 (GEMM only) */
	uint32_t alpha;		/* binary32 bits */
	uint32_t act;		/* enum drm_quasar_act */
	bool a8;		/* DRM_QUASAR_GEMM_A8 */
	uint32_t m;		/* rows of X and Y: GEMM's M, CONV2D's B * OH * OW */
	/* CONV2D only: the filter and the output's extents. */
	uint32_t kh, kw, stride, pad;
	uint32_t oh, ow;
};

/*
 * Row operations: row r of y from row r of each input (RMSNORM,
 * LAYERNORM, SOFTMAX, ROPE, ADD, MUL, CONVERT between plain formats);
 * with @row_b, ADD/MUL's b is one row used for every row.
 */
struct isa_rows {
	struct isa_tensor in[2];	/* x; ADD/MUL a and b; CONVERT src */
	uint32_t nin;
	struct isa_tensor y;		/* CONVERT dst */
	uint64_t vec[2];		/* gain, bias: dims[3] FP32 values each */
	uint32_t nvec;
	uint64_t tab[2];		/* ROPE cos, sin: rows x dims[3] / 2 FP32 */
	uint32_t ntab;
	uint32_t eps;			/* norms: binary32 bits */
	bool causal;			/* SOFTMAX_CAUSAL */
	uint32_t causal_offset;		/* row r's limit: min(D, offset + r % dims[2] + 1) */
	bool row_b;			/* ELTWISE_ROW_B: in[1] is {1, 1, 1, D} */
};

/* MATMUL: batch matrices y = alpha * (a x b), b transposed with @trans_b. */
struct isa_matmul {
	struct isa_tensor a, b, y;
	uint32_t alpha;			/* binary32 bits */
	bool trans_b;
	bool causal;
	uint32_t causal_offset;
	uint32_t m, n, k;
	uint64_t batch;			/* dims[0] * dims[1] */
};

struct isa_gather {
	struct isa_weights table;
	struct isa_tensor ids;
	struct isa_tensor y;
	uint64_t count;			/* ids, = rows of y */
};

/* CONVERT of packed weights: N rows of K, FP32 or BF16. */
struct isa_dequant {
	struct isa_weights src;
	struct isa_tensor dst;
};

/* Which member of struct isa_cmd's union a command decodes into. */
enum isa_form {
	ISA_FORM_NONE,		/* NOP, ISA_VERSION, BARRIER: nothing to run */
	ISA_FORM_FILL,
	ISA_FORM_COPY,
	ISA_FORM_WRITE_VALUE,
	ISA_FORM_GEMM,		/* GEMM, CONV2D */
	ISA_FORM_ROWS,
	ISA_FORM_GATHER,
	ISA_FORM_DEQUANT,	/* CONVERT of packed weights */
	ISA_FORM_MATMUL,
};

/* One command, decoded and checked. */
struct isa_cmd {
	uint16_t opcode;
	uint16_t length;
	enum isa_form form;
	union {
		struct isa_fill fill;
		struct isa_copy copy;
		struct isa_write_value write_value;
		struct isa_gemm gemm;
		struct isa_rows rows;
		struct isa_gather gather;
		struct isa_dequant dequant;
		struct isa_matmul matmul;
	};
};

/*
 * The header at @hdr, with @avail bytes of the stream from it
 * (docs/isa.md 1.2): fewer than 8, or an opcode the ISA does not have,
 * a length not exactly one of the opcode's or past @avail, flags not zero. Reads
 * the 8 header bytes only. Returns the status and, on success, the
 * command's length in *len; @why (may be NULL) is set on failure only.
 */
enum drm_quasar_status isa_check_header(const void *hdr, size_t avail, uint32_t *len,
					struct isa_why *why);

/*
 * The operands of the whole command at @cmd, whose header passed
 * isa_check_header(), in the device's order (docs/isa.md sections 2, 6, 7, 11);
 * on success the command decoded into @dec.
 */
enum drm_quasar_status isa_check_operands(const void *cmd, struct isa_cmd *dec,
					  struct isa_why *why);

/* isa_check_header(), then isa_check_operands(): one command of @avail bytes. */
enum drm_quasar_status isa_validate(const void *cmd, size_t avail, struct isa_cmd *dec,
				    struct isa_why *why);

#endif /* ISA_VALIDATE_H */
