/* SPDX-License-Identifier: MIT */
/*
 * Quasar NPU command-stream ISA (docs/isa.md): job status codes, opcodes,
 * commands, tensor descriptors and data formats.
 *
 * This is the contract between whoever writes a command stream (libaccel,
 * tests, fuzzers) and whoever runs one (the device firmware, the in-process
 * firmware runner). It uses only fixed-width integer types, so the
 * freestanding firmware and the QEMU device build against it alone; the
 * ioctl header, drm/quasar_accel.h, includes it for user space and the
 * kernel.
 *
 * Stability rules: values are only ever appended; commands are
 * little-endian, 8-byte aligned and never change size within an ISA
 * version; a new version adds opcodes, never changes an old one.
 */
#ifndef _QUASAR_ISA_H_
#define _QUASAR_ISA_H_

#if defined(__KERNEL__)
#include <linux/types.h>
#else
#include <stdint.h>
#endif

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * enum drm_quasar_status - how a job ended, as reported by the device
 */
enum drm_quasar_status {
	/** @DRM_QUASAR_STATUS_OK: every command completed */
	DRM_QUASAR_STATUS_OK = 0,
	/** @DRM_QUASAR_STATUS_BAD_OPCODE: unknown or unsupported opcode */
	DRM_QUASAR_STATUS_BAD_OPCODE = 1,
	/** @DRM_QUASAR_STATUS_BAD_LENGTH: command length wrong or past the stream */
	DRM_QUASAR_STATUS_BAD_LENGTH = 2,
	/** @DRM_QUASAR_STATUS_BAD_ALIGN: address or size misaligned */
	DRM_QUASAR_STATUS_BAD_ALIGN = 3,
	/** @DRM_QUASAR_STATUS_BAD_RANGE: zero size or address arithmetic overflow */
	DRM_QUASAR_STATUS_BAD_RANGE = 4,
	/** @DRM_QUASAR_STATUS_MMU_FAULT: an address is not mapped in the context */
	DRM_QUASAR_STATUS_MMU_FAULT = 5,
	/** @DRM_QUASAR_STATUS_MMU_PERM: write to a read-only mapping */
	DRM_QUASAR_STATUS_MMU_PERM = 6,
	/** @DRM_QUASAR_STATUS_BAD_FLAGS: reserved flag or field not zero */
	DRM_QUASAR_STATUS_BAD_FLAGS = 7,
	/** @DRM_QUASAR_STATUS_OVERLAP: COPY source and destination overlap */
	DRM_QUASAR_STATUS_OVERLAP = 8,
	/** @DRM_QUASAR_STATUS_DMA_ERROR: host memory access failed */
	DRM_QUASAR_STATUS_DMA_ERROR = 9,
	/** @DRM_QUASAR_STATUS_BAD_CONTEXT: descriptor names an invalid context */
	DRM_QUASAR_STATUS_BAD_CONTEXT = 10,
	/** @DRM_QUASAR_STATUS_BAD_DESC: descriptor fields invalid */
	DRM_QUASAR_STATUS_BAD_DESC = 11,
	/** @DRM_QUASAR_STATUS_ABORTED: job aborted by a reset */
	DRM_QUASAR_STATUS_ABORTED = 12,
	/** @DRM_QUASAR_STATUS_BAD_VERSION: ISA_VERSION newer than the firmware's */
	DRM_QUASAR_STATUS_BAD_VERSION = 13,
	/** @DRM_QUASAR_STATUS_BAD_SHAPE: tensor dims/strides invalid or mismatched */
	DRM_QUASAR_STATUS_BAD_SHAPE = 14,
	/** @DRM_QUASAR_STATUS_BAD_FORMAT: format unknown or unsupported by the op */
	DRM_QUASAR_STATUS_BAD_FORMAT = 15,
	/** @DRM_QUASAR_STATUS_BAD_OPERAND: an op parameter or operand address invalid */
	DRM_QUASAR_STATUS_BAD_OPERAND = 16,
	/** @DRM_QUASAR_STATUS_BAD_INDEX: an embedding id not below the table's rows */
	DRM_QUASAR_STATUS_BAD_INDEX = 17,
	/** @DRM_QUASAR_STATUS_TOO_LARGE: the op's smallest tile does not fit the SRAM */
	DRM_QUASAR_STATUS_TOO_LARGE = 18,
};

/*
 * Command-stream ISA, version 0 (bring-up subset).
 *
 * A stream is a sequence of commands, each starting with a
 * &struct drm_quasar_cmd_header, packed back to back, 8-byte aligned. The
 * device runs them in order; a failing command ends the job with its index.
 */

/**
 * enum drm_quasar_opcode - command opcodes
 */
enum drm_quasar_opcode {
	/** @DRM_QUASAR_OP_NOP: do nothing; header only */
	DRM_QUASAR_OP_NOP = 0,
	/** @DRM_QUASAR_OP_FILL: &struct drm_quasar_cmd_fill */
	DRM_QUASAR_OP_FILL = 1,
	/** @DRM_QUASAR_OP_COPY: &struct drm_quasar_cmd_copy */
	DRM_QUASAR_OP_COPY = 2,
	/** @DRM_QUASAR_OP_WRITE_VALUE: &struct drm_quasar_cmd_write_value */
	DRM_QUASAR_OP_WRITE_VALUE = 3,
	/** @DRM_QUASAR_OP_ISA_VERSION: &struct drm_quasar_cmd_isa_version (v1) */
	DRM_QUASAR_OP_ISA_VERSION = 4,
	/** @DRM_QUASAR_OP_BARRIER: header only; orders the commands around it (v1) */
	DRM_QUASAR_OP_BARRIER = 5,
	/** @DRM_QUASAR_OP_GEMM: &struct drm_quasar_cmd_gemm (v1) */
	DRM_QUASAR_OP_GEMM = 6,
	/** @DRM_QUASAR_OP_RMSNORM: &struct drm_quasar_cmd_norm (v1) */
	DRM_QUASAR_OP_RMSNORM = 7,
	/** @DRM_QUASAR_OP_LAYERNORM: &struct drm_quasar_cmd_norm (v1) */
	DRM_QUASAR_OP_LAYERNORM = 8,
	/**
	 * @DRM_QUASAR_OP_SOFTMAX: &struct drm_quasar_cmd_softmax (v1), or
	 * &struct drm_quasar_cmd_softmax_v2 (v2; the length says which)
	 */
	DRM_QUASAR_OP_SOFTMAX = 9,
	/** @DRM_QUASAR_OP_ROPE: &struct drm_quasar_cmd_rope (v1) */
	DRM_QUASAR_OP_ROPE = 10,
	/**
	 * @DRM_QUASAR_OP_ADD: y = a + b, &struct drm_quasar_cmd_eltwise (v1)
	 * or &struct drm_quasar_cmd_eltwise_v2 (v2; the length says which)
	 */
	DRM_QUASAR_OP_ADD = 11,
	/** @DRM_QUASAR_OP_MUL: y = a * b, the same two forms as ADD */
	DRM_QUASAR_OP_MUL = 12,
	/** @DRM_QUASAR_OP_GATHER: &struct drm_quasar_cmd_gather (v1) */
	DRM_QUASAR_OP_GATHER = 13,
	/** @DRM_QUASAR_OP_CONVERT: &struct drm_quasar_cmd_convert (v1) */
	DRM_QUASAR_OP_CONVERT = 14,
	/** @DRM_QUASAR_OP_CONV2D: &struct drm_quasar_cmd_conv2d (v1) */
	DRM_QUASAR_OP_CONV2D = 15,
	/** @DRM_QUASAR_OP_MATMUL: &struct drm_quasar_cmd_matmul (v2) */
	DRM_QUASAR_OP_MATMUL = 16,
};

/**
 * struct drm_quasar_cmd_header - first 8 bytes of every command
 */
struct drm_quasar_cmd_header {
	/** @opcode: &enum drm_quasar_opcode */
	uint16_t opcode;
	/** @length: bytes of the whole command, header included; multiple of 8 */
	uint16_t length;
	/** @flags: must be 0 */
	uint32_t flags;
};

/**
 * struct drm_quasar_cmd_fill - fill @size bytes at @dst with a 32-bit pattern
 *
 * @dst and @size must be multiples of 4.
 */
struct drm_quasar_cmd_fill {
	/** @hdr: opcode DRM_QUASAR_OP_FILL, length 24 */
	struct drm_quasar_cmd_header hdr;
	/** @dst: device address */
	uint64_t dst;
	/** @size: bytes, > 0 */
	uint32_t size;
	/** @value: pattern, stored little-endian at every 4-byte step */
	uint32_t value;
};

/**
 * struct drm_quasar_cmd_copy - copy @size bytes from @src to @dst
 *
 * The ranges must not overlap.
 */
struct drm_quasar_cmd_copy {
	/** @hdr: opcode DRM_QUASAR_OP_COPY, length 32 */
	struct drm_quasar_cmd_header hdr;
	/** @dst: device address */
	uint64_t dst;
	/** @src: device address */
	uint64_t src;
	/** @size: bytes, > 0 */
	uint64_t size;
};

/**
 * struct drm_quasar_cmd_write_value - store a 64-bit value (a memory fence)
 *
 * Runs after every earlier command of the stream has completed; @addr must
 * be a multiple of 8.
 */
struct drm_quasar_cmd_write_value {
	/** @hdr: opcode DRM_QUASAR_OP_WRITE_VALUE, length 24 */
	struct drm_quasar_cmd_header hdr;
	/** @addr: device address */
	uint64_t addr;
	/** @value: the value stored */
	uint64_t value;
};

/**
 * enum drm_quasar_format - tensor data formats (bit numbers of @formats)
 */
enum drm_quasar_format {
	/** @DRM_QUASAR_FORMAT_U8: raw bytes (DMA commands) */
	DRM_QUASAR_FORMAT_U8 = 0,
	/** @DRM_QUASAR_FORMAT_FP32: IEEE binary32, plain */
	DRM_QUASAR_FORMAT_FP32 = 1,
	/** @DRM_QUASAR_FORMAT_BF16: bfloat16, plain */
	DRM_QUASAR_FORMAT_BF16 = 2,
	/** @DRM_QUASAR_FORMAT_U32: 32-bit unsigned integers (embedding ids) */
	DRM_QUASAR_FORMAT_U32 = 3,
	/*
	 * Packed weight formats (docs/numerics.md sections 2 and 7): an N x K
	 * matrix in the device's panel layout, with the buffers of
	 * &struct drm_quasar_wparams. Values 4..13 are the datapath's
	 * enum dp_wfmt plus 3.
	 */
	/** @DRM_QUASAR_FORMAT_W_BF16: dense BF16 weights */
	DRM_QUASAR_FORMAT_W_BF16 = 4,
	/** @DRM_QUASAR_FORMAT_W_INT8: int8, FP32 scale per output channel */
	DRM_QUASAR_FORMAT_W_INT8 = 5,
	/** @DRM_QUASAR_FORMAT_W_INT4: 4-bit, BF16 scale per group, optional zeros */
	DRM_QUASAR_FORMAT_W_INT4 = 6,
	/** @DRM_QUASAR_FORMAT_W_MXINT8: OCP MXINT8 */
	DRM_QUASAR_FORMAT_W_MXINT8 = 7,
	/** @DRM_QUASAR_FORMAT_W_MXFP8: OCP MXFP8 (E4M3) */
	DRM_QUASAR_FORMAT_W_MXFP8 = 8,
	/** @DRM_QUASAR_FORMAT_W_MXFP4: OCP MXFP4 (E2M1) */
	DRM_QUASAR_FORMAT_W_MXFP4 = 9,
	/** @DRM_QUASAR_FORMAT_W_NVFP4: NVFP4, E4M3 scale per 16 and a tensor scale */
	DRM_QUASAR_FORMAT_W_NVFP4 = 10,
	/** @DRM_QUASAR_FORMAT_W_SP_BF16: 2:4 sparse BF16 */
	DRM_QUASAR_FORMAT_W_SP_BF16 = 11,
	/** @DRM_QUASAR_FORMAT_W_SP_INT8: 2:4 sparse int8 */
	DRM_QUASAR_FORMAT_W_SP_INT8 = 12,
	/** @DRM_QUASAR_FORMAT_W_SP_INT4: 2:4 sparse 4-bit */
	DRM_QUASAR_FORMAT_W_SP_INT4 = 13,
};

/*
 * Command-stream ISA, version 1 (docs/isa.md): tensor operations through
 * the datapath. Version 0 streams run unchanged; a stream using v1 should
 * begin with ISA_VERSION so that an older firmware refuses it up front.
 * Version 2 (at the end of this header) adds to it.
 */

/** DRM_QUASAR_ISA_VERSION: the ISA version this header describes (v2 below) */
#define DRM_QUASAR_ISA_VERSION		2

/** DRM_QUASAR_TENSOR_DIMS: dimensions of &struct drm_quasar_tensor */
#define DRM_QUASAR_TENSOR_DIMS		4

/** DRM_QUASAR_DIM_MAX: largest extent of any tensor dimension */
#define DRM_QUASAR_DIM_MAX		65536u

/** DRM_QUASAR_TENSOR_ZERO_POINTS: packed INT4/SP_INT4 weights carry zeros */
#define DRM_QUASAR_TENSOR_ZERO_POINTS	(1u << 0)

/** DRM_QUASAR_GEMM_A8: quantize activations to int8 per row (W8A8, W4A8) */
#define DRM_QUASAR_GEMM_A8		(1u << 0)

/**
 * enum drm_quasar_act - activation of a GEMM or CONV2D epilogue
 */
enum drm_quasar_act {
	/** @DRM_QUASAR_ACT_NONE: identity */
	DRM_QUASAR_ACT_NONE = 0,
	/** @DRM_QUASAR_ACT_RELU: max(x, +0) */
	DRM_QUASAR_ACT_RELU = 1,
	/** @DRM_QUASAR_ACT_GELU: GELU, tanh form */
	DRM_QUASAR_ACT_GELU = 2,
	/** @DRM_QUASAR_ACT_SILU: x * sigmoid(x) */
	DRM_QUASAR_ACT_SILU = 3,
};

/**
 * struct drm_quasar_tensor - a tensor operand (48 bytes)
 *
 * A plain tensor (FP32, BF16, U32) is a 4-D array: element (i0, i1, i2, i3)
 * lives at @addr + (i0 * strides[0] + i1 * strides[1] + i2 * strides[2] +
 * i3) * element size. A tensor of fewer dimensions sets the leading dims to
 * 1. Ops see it as rows = dims[0] * dims[1] * dims[2] rows of dims[3]
 * elements (CONV2D reads dims as N, H, W, C).
 *
 * A packed weight tensor (formats W_*) is an N x K matrix with dims
 * {1, 1, N, K}, strides all 0 (its layout is fixed), @addr pointing at the
 * element codes, and its other buffers in a &struct drm_quasar_wparams.
 */
struct drm_quasar_tensor {
	/** @addr: device address of element 0, aligned to the element size */
	uint64_t addr;
	/** @dims: extents, outermost first, each 1..DRM_QUASAR_DIM_MAX */
	uint32_t dims[DRM_QUASAR_TENSOR_DIMS];
	/**
	 * @strides: in elements, for dims 0..2; strides[3] must be 1 (rows
	 * are contiguous). strides[i] >= dims[i + 1] * strides[i + 1] when
	 * dims[i] > 1, so no two elements share an address.
	 */
	uint32_t strides[DRM_QUASAR_TENSOR_DIMS];
	/** @format: &enum drm_quasar_format */
	uint32_t format;
	/** @flags: DRM_QUASAR_TENSOR_ZERO_POINTS for packed INT4 formats, else 0 */
	uint32_t flags;
};

/**
 * struct drm_quasar_wparams - the other buffers of a packed weight tensor
 *
 * Each address is required exactly when the format has that buffer
 * (docs/isa.md, "Packed weights"), and must be 0 otherwise.
 */
struct drm_quasar_wparams {
	/** @scales: device address of the block factors */
	uint64_t scales;
	/** @zeros: device address of the 4-bit zero points */
	uint64_t zeros;
	/** @meta: device address of the 2:4 index codes */
	uint64_t meta;
	/** @group: INT4/SP_INT4: 32, 64 or 128; MX*: 0 or 32; NVFP4: 0 or 16; else 0 */
	uint32_t group;
	/** @tensor_scale: NVFP4 tensor scale as binary32 bits; 0 elsewhere */
	uint32_t tensor_scale;
};

/**
 * struct drm_quasar_cmd_isa_version - declares the ISA version a stream needs
 */
struct drm_quasar_cmd_isa_version {
	/** @hdr: opcode DRM_QUASAR_OP_ISA_VERSION, length 16 */
	struct drm_quasar_cmd_header hdr;
	/** @version: ISA version, 0..DRM_QUASAR_ISA_VERSION */
	uint32_t version;
	/** @reserved: must be 0 */
	uint32_t reserved;
};

/**
 * struct drm_quasar_cmd_gemm - Y = epilogue(X * W^T)
 *
 * X is M x K (BF16 rows), W packed N x K, Y M x N (FP32 or BF16). The
 * epilogue is y = act(acc * alpha + bias[n]) + residual[m][n]
 * (docs/numerics.md section 4).
 */
struct drm_quasar_cmd_gemm {
	/** @hdr: opcode DRM_QUASAR_OP_GEMM, length 216 */
	struct drm_quasar_cmd_header hdr;
	/** @x: activations, BF16, rows = M, dims[3] = K */
	struct drm_quasar_tensor x;
	/** @w: packed weights {1, 1, N, K} */
	struct drm_quasar_tensor w;
	/** @wp: the weights' other buffers */
	struct drm_quasar_wparams wp;
	/** @y: output, FP32 or BF16, rows = M, dims[3] = N */
	struct drm_quasar_tensor y;
	/** @bias: device address of N FP32 values, or 0 */
	uint64_t bias;
	/** @residual: device address of a tensor shaped and strided like @y, or 0 */
	uint64_t residual;
	/** @alpha: output scale as binary32 bits */
	uint32_t alpha;
	/** @act: &enum drm_quasar_act */
	uint32_t act;
	/** @flags: DRM_QUASAR_GEMM_A8 or 0 */
	uint32_t flags;
	/** @reserved: must be 0 */
	uint32_t reserved;
};

/**
 * struct drm_quasar_cmd_norm - RMSNorm or LayerNorm of every row
 */
struct drm_quasar_cmd_norm {
	/** @hdr: opcode RMSNORM or LAYERNORM, length 128 */
	struct drm_quasar_cmd_header hdr;
	/** @x: input, FP32 */
	struct drm_quasar_tensor x;
	/** @y: output, FP32, same dims as @x */
	struct drm_quasar_tensor y;
	/** @gain: device address of dims[3] FP32 gains */
	uint64_t gain;
	/** @bias: LayerNorm: dims[3] FP32 biases; RMSNorm: must be 0 */
	uint64_t bias;
	/** @eps: binary32 bits */
	uint32_t eps;
	/** @reserved: must be 0 */
	uint32_t reserved;
};

/**
 * struct drm_quasar_cmd_softmax - softmax of every row
 */
struct drm_quasar_cmd_softmax {
	/** @hdr: opcode DRM_QUASAR_OP_SOFTMAX, length 104 */
	struct drm_quasar_cmd_header hdr;
	/** @x: input, FP32 */
	struct drm_quasar_tensor x;
	/** @y: output, FP32, same dims as @x */
	struct drm_quasar_tensor y;
};

/**
 * struct drm_quasar_cmd_rope - rotary embedding of adjacent pairs
 *
 * Row r of @x is rotated with the dims[3] / 2 cosines at @cos +
 * r * dims[3] / 2 * 4 and the sines likewise at @sin (dense FP32 tables).
 */
struct drm_quasar_cmd_rope {
	/** @hdr: opcode DRM_QUASAR_OP_ROPE, length 120 */
	struct drm_quasar_cmd_header hdr;
	/** @x: input, FP32, dims[3] even */
	struct drm_quasar_tensor x;
	/** @y: output, FP32, same dims as @x */
	struct drm_quasar_tensor y;
	/** @cos: device address of rows x dims[3] / 2 FP32 cosines */
	uint64_t cos;
	/** @sin: device address of rows x dims[3] / 2 FP32 sines */
	uint64_t sin;
};

/**
 * struct drm_quasar_cmd_eltwise - elementwise ADD or MUL, FP32
 */
struct drm_quasar_cmd_eltwise {
	/** @hdr: opcode ADD or MUL, length 152 */
	struct drm_quasar_cmd_header hdr;
	/** @a: first input */
	struct drm_quasar_tensor a;
	/** @b: second input, same dims */
	struct drm_quasar_tensor b;
	/** @y: output, same dims */
	struct drm_quasar_tensor y;
};

/**
 * struct drm_quasar_cmd_gather - embedding lookup
 *
 * Row i of @y is the dequantized row ids[i] of @table (FP32).
 */
struct drm_quasar_cmd_gather {
	/** @hdr: opcode DRM_QUASAR_OP_GATHER, length 184 */
	struct drm_quasar_cmd_header hdr;
	/** @table: packed weights {1, 1, N, K} */
	struct drm_quasar_tensor table;
	/** @tp: the table's other buffers */
	struct drm_quasar_wparams tp;
	/** @ids: U32, {1, 1, 1, count} */
	struct drm_quasar_tensor ids;
	/** @y: FP32, rows = count, dims[3] = K */
	struct drm_quasar_tensor y;
};

/**
 * struct drm_quasar_cmd_convert - format conversion
 *
 * BF16 -> FP32, FP32 -> BF16 (plain, same dims), or packed weights -> FP32
 * or BF16 (dequantization; @dst rows = N, dims[3] = K).
 */
struct drm_quasar_cmd_convert {
	/** @hdr: opcode DRM_QUASAR_OP_CONVERT, length 136 */
	struct drm_quasar_cmd_header hdr;
	/** @src: input */
	struct drm_quasar_tensor src;
	/** @sp: packed @src's other buffers; all zero for a plain @src */
	struct drm_quasar_wparams sp;
	/** @dst: output */
	struct drm_quasar_tensor dst;
};

/**
 * struct drm_quasar_cmd_conv2d - 2-D convolution, NHWC, through the GEMM
 *
 * @x is {B, H, W, Cin} BF16; @w packed with N = Cout and K = kh * kw * Cin
 * ordered (kh, kw, cin); @y is {B, OH, OW, Cout}, FP32 or BF16, with
 * OH = (H + 2 pad - kh) / stride + 1 and OW likewise.
 */
struct drm_quasar_cmd_conv2d {
	/** @hdr: opcode DRM_QUASAR_OP_CONV2D, length 224 */
	struct drm_quasar_cmd_header hdr;
	/** @x: input, BF16 NHWC */
	struct drm_quasar_tensor x;
	/** @w: packed filter {1, 1, Cout, kh * kw * Cin} */
	struct drm_quasar_tensor w;
	/** @wp: the filter's other buffers */
	struct drm_quasar_wparams wp;
	/** @y: output NHWC */
	struct drm_quasar_tensor y;
	/** @bias: device address of Cout FP32 values, or 0 */
	uint64_t bias;
	/** @kh: filter height, >= 1 */
	uint32_t kh;
	/** @kw: filter width, >= 1 */
	uint32_t kw;
	/** @stride: >= 1, both directions */
	uint32_t stride;
	/** @pad: zero padding on every side */
	uint32_t pad;
	/** @alpha: output scale as binary32 bits */
	uint32_t alpha;
	/** @act: &enum drm_quasar_act */
	uint32_t act;
	/** @flags: DRM_QUASAR_GEMM_A8 or 0 */
	uint32_t flags;
	/** @reserved: must be 0 */
	uint32_t reserved;
};

/*
 * Command-stream ISA, version 2 (docs/isa.md section 11): what attention
 * over a KV cache needs. MATMUL multiplies two FP32 tensors (Q and the K
 * cache, the probabilities and the V cache); SOFTMAX and ADD/MUL gain a
 * longer form with a flags word (a causal mask; b broadcast as one row).
 * Every v1 command keeps its length and its meaning: a command's length
 * says which form it is, and a v2 form with flags 0 means what the v1
 * form means. A stream using v2 should begin with ISA_VERSION 2.
 */

/** DRM_QUASAR_MATMUL_TRANS_B: @b is {b0, b1, N, K}: Y = A x B^T (Q x K^T) */
#define DRM_QUASAR_MATMUL_TRANS_B	(1u << 0)
/** DRM_QUASAR_MATMUL_CAUSAL: row m sums k < min(K, causal_offset + m + 1) only */
#define DRM_QUASAR_MATMUL_CAUSAL	(1u << 1)

/** DRM_QUASAR_SOFTMAX_CAUSAL: row m covers min(D, causal_offset + m + 1) elements */
#define DRM_QUASAR_SOFTMAX_CAUSAL	(1u << 0)

/** DRM_QUASAR_ELTWISE_ROW_B: @b is one row {1, 1, 1, D}, used for every row of @a */
#define DRM_QUASAR_ELTWISE_ROW_B	(1u << 0)

/**
 * struct drm_quasar_cmd_matmul - Y = alpha * (A x B), FP32, batched
 *
 * A is {b0, b1, M, K}, B is {b0, b1, K, N} (or {b0, b1, N, K} with
 * DRM_QUASAR_MATMUL_TRANS_B), Y is {b0, b1, M, N}; plain strided tensors,
 * so one head's Q, K and V can be column views of row-major
 * [position][dim] buffers. Each y[m][n] is a sequential FP32 sum in k
 * order from +0 of f32(a * b) terms, then f32(sum * alpha)
 * (docs/numerics.md section 6.1). With DRM_QUASAR_MATMUL_CAUSAL, m being
 * the row's index in dims[2], row m sums only k < min(K, @causal_offset +
 * m + 1): nothing past that limit is read.
 */
struct drm_quasar_cmd_matmul {
	/** @hdr: opcode DRM_QUASAR_OP_MATMUL, length 168 */
	struct drm_quasar_cmd_header hdr;
	/** @a: FP32 {b0, b1, M, K} */
	struct drm_quasar_tensor a;
	/** @b: FP32 {b0, b1, K, N}, or {b0, b1, N, K} with TRANS_B */
	struct drm_quasar_tensor b;
	/** @y: FP32 {b0, b1, M, N} */
	struct drm_quasar_tensor y;
	/** @alpha: output scale as binary32 bits */
	uint32_t alpha;
	/** @flags: DRM_QUASAR_MATMUL_TRANS_B, DRM_QUASAR_MATMUL_CAUSAL */
	uint32_t flags;
	/** @causal_offset: with CAUSAL, the position of row 0 (e.g. tokens cached); else 0 */
	uint32_t causal_offset;
	/** @reserved: must be 0 */
	uint32_t reserved;
};

/**
 * struct drm_quasar_cmd_softmax_v2 - softmax of every row, optionally causal
 *
 * &struct drm_quasar_cmd_softmax with two words appended. With
 * DRM_QUASAR_SOFTMAX_CAUSAL, row m (its index in dims[2]) is the v1
 * softmax of its first L = min(D, @causal_offset + m + 1) elements, and
 * its elements past L are written +0 (they are not read). Without it, the
 * v1 command exactly.
 */
struct drm_quasar_cmd_softmax_v2 {
	/** @hdr: opcode DRM_QUASAR_OP_SOFTMAX, length 112 */
	struct drm_quasar_cmd_header hdr;
	/** @x: input, FP32 */
	struct drm_quasar_tensor x;
	/** @y: output, FP32, same dims as @x */
	struct drm_quasar_tensor y;
	/** @flags: DRM_QUASAR_SOFTMAX_CAUSAL or 0 */
	uint32_t flags;
	/** @causal_offset: with CAUSAL, the position of row 0; else 0 */
	uint32_t causal_offset;
};

/**
 * struct drm_quasar_cmd_eltwise_v2 - elementwise ADD or MUL, FP32, b broadcast
 *
 * &struct drm_quasar_cmd_eltwise with two words appended. With
 * DRM_QUASAR_ELTWISE_ROW_B, @b is one row {1, 1, 1, D} and y[r][c] =
 * a[r][c] op b[c] (a scale or a bias per column); without it, the v1
 * command exactly.
 */
struct drm_quasar_cmd_eltwise_v2 {
	/** @hdr: opcode ADD or MUL, length 160 */
	struct drm_quasar_cmd_header hdr;
	/** @a: first input */
	struct drm_quasar_tensor a;
	/** @b: second input: @a's dims, or {1, 1, 1, D} with ROW_B */
	struct drm_quasar_tensor b;
	/** @y: output, @a's dims */
	struct drm_quasar_tensor y;
	/** @flags: DRM_QUASAR_ELTWISE_ROW_B or 0 */
	uint32_t flags;
	/** @reserved: must be 0 */
	uint32_t reserved;
};

#if defined(__cplusplus)
}
#endif

#endif /* _QUASAR_ISA_H_ */
