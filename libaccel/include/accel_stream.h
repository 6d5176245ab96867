/* SPDX-License-Identifier: MIT */
/*
 * libaccel without a device: ISA v1 command streams in host memory, over
 * operands at device addresses the caller chose.
 *
 * accel_ops.h builds a stream in a command buffer, from tensors that each
 * live in a BO of an open device. A program that lays device memory out
 * itself (a model's memory plan, models/mdl_program.h) and runs one stream
 * on more than one backend (the device, through accel_job_submit(); the
 * firmware in process, fwrun/) builds the stream here instead, from plain
 * operand descriptors. Every op goes through the encoder and the checks of
 * its accel_op_*() twin, and the stream follows the command buffer's rules
 * (ISA_VERSION 1 before the first op, a BARRIER before an op that reads or
 * writes what an earlier one since the last barrier wrote, or writes what
 * one read; docs/isa.md 6.2), so the same operands give the same bytes.
 *
 *	accel_stream_create(&s);
 *	accel_operand_plain(x_addr, DRM_QUASAR_FORMAT_BF16, 2, (uint32_t[]){ m, k }, &x);
 *	accel_weights_image(&w, host_copy);          the bytes to place at w_addr
 *	accel_operand_weights(&w, w_addr, &wo);
 *	accel_operand_plain(y_addr, DRM_QUASAR_FORMAT_FP32, 2, (uint32_t[]){ m, n }, &y);
 *	accel_stream_gemm(s, &y, &x, &wo, NULL);
 *	memcpy(cmd_bo_map, accel_stream_data(s), accel_stream_size(s));
 *
 * Errors: 0 or a negative errno; accel_stream_last_error() gives the text
 * of the stream's last failure (the operand helpers, which have no stream,
 * only return -EINVAL: the same rules as accel_tensor_create() and
 * accel_tensor_create_weights()). A refused op leaves the stream as it
 * was. Nothing here makes a system call or needs libdrm. Thread-safety: a
 * stream is used by one thread at a time; the helpers are pure.
 */
#ifndef ACCEL_STREAM_H
#define ACCEL_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include <drm/quasar_accel.h>

#if defined(__cplusplus)
extern "C" {
#endif

#define ACCEL_API __attribute__((visibility("default")))

struct accel_weights;	/* accel_ops.h */
struct accel_stream;

/* ---- operands -------------------------------------------------------------- */

/* A tensor operand exactly as a command carries it. */
struct accel_operand {
	struct drm_quasar_tensor t;
	struct drm_quasar_wparams wp;	/* packed formats; zero for plain */
};

/*
 * A dense plain operand at device address @addr: @ndim (1..4) extents,
 * outermost first (fewer than four get leading ones), in a plain @format.
 */
ACCEL_API int accel_operand_plain(uint64_t addr, uint32_t format, uint32_t ndim,
				  const uint32_t *dims, struct accel_operand *o);

/*
 * Packed weights as one buffer, the layout accel_tensor_create_weights()
 * gives its BO: element codes at 0, then scales, zero points and 2:4
 * index codes, each 64-byte aligned. accel_weights_size() is its length
 * (0 for weights accel_tensor_create_weights() refuses);
 * accel_weights_image() writes it to @dst (that many bytes; a NULL buffer
 * of @w leaves zeros); accel_operand_weights() is the operand of the
 * buffer placed at @addr (64-byte aligned).
 */
ACCEL_API uint64_t accel_weights_size(const struct accel_weights *w);
ACCEL_API int accel_weights_image(const struct accel_weights *w, void *dst);
ACCEL_API int accel_operand_weights(const struct accel_weights *w, uint64_t addr,
				    struct accel_operand *o);

/* ---- streams --------------------------------------------------------------- */

ACCEL_API int accel_stream_create(struct accel_stream **out);
ACCEL_API void accel_stream_destroy(struct accel_stream *s);
/* Empties the stream: the next op declares the ISA version again. */
ACCEL_API void accel_stream_reset(struct accel_stream *s);

/* The commands, valid until the next append, reset or destroy. */
ACCEL_API const void *accel_stream_data(const struct accel_stream *s);
ACCEL_API uint32_t accel_stream_size(const struct accel_stream *s);
/* Commands in the stream, the ISA_VERSION and BARRIER it added included. */
ACCEL_API uint32_t accel_stream_count(const struct accel_stream *s);
ACCEL_API const char *accel_stream_last_error(const struct accel_stream *s);

/* accel_epilogue (accel_ops.h) over operands; NULL: alpha 1, nothing else. */
struct accel_stream_epilogue {
	float alpha;
	uint32_t act;		/* enum drm_quasar_act */
	uint32_t flags;		/* DRM_QUASAR_GEMM_A8 or 0 */
	const struct accel_operand *bias;
	const struct accel_operand *residual;
};

/*
 * One call per op, as accel_ops.h's (outputs first, the same
 * operand rules): 0, -EINVAL for an op the device would refuse or an
 * output overlapping an input (the last error names the rule and the
 * device status), -E2BIG past 4 GiB, -ENOMEM.
 */
ACCEL_API int accel_stream_gemm(struct accel_stream *s, const struct accel_operand *y,
				const struct accel_operand *x, const struct accel_operand *w,
				const struct accel_stream_epilogue *epi);
ACCEL_API int accel_stream_conv2d(struct accel_stream *s, const struct accel_operand *y,
				  const struct accel_operand *x, const struct accel_operand *w,
				  uint32_t kh, uint32_t kw, uint32_t stride, uint32_t pad,
				  const struct accel_stream_epilogue *epi);
ACCEL_API int accel_stream_rmsnorm(struct accel_stream *s, const struct accel_operand *y,
				   const struct accel_operand *x,
				   const struct accel_operand *gain, float eps);
ACCEL_API int accel_stream_layernorm(struct accel_stream *s, const struct accel_operand *y,
				     const struct accel_operand *x,
				     const struct accel_operand *gain,
				     const struct accel_operand *bias, float eps);
ACCEL_API int accel_stream_softmax(struct accel_stream *s, const struct accel_operand *y,
				   const struct accel_operand *x);
ACCEL_API int accel_stream_rope(struct accel_stream *s, const struct accel_operand *y,
				const struct accel_operand *x, const struct accel_operand *cos,
				const struct accel_operand *sin);
ACCEL_API int accel_stream_add(struct accel_stream *s, const struct accel_operand *y,
			       const struct accel_operand *a, const struct accel_operand *b);
ACCEL_API int accel_stream_mul(struct accel_stream *s, const struct accel_operand *y,
			       const struct accel_operand *a, const struct accel_operand *b);
ACCEL_API int accel_stream_gather(struct accel_stream *s, const struct accel_operand *y,
				  const struct accel_operand *table,
				  const struct accel_operand *ids);
ACCEL_API int accel_stream_convert(struct accel_stream *s, const struct accel_operand *dst,
				   const struct accel_operand *src);
/* ISA v2, as accel_ops.h's accel_op_matmul() and the calls after it. */
ACCEL_API int accel_stream_matmul(struct accel_stream *s, const struct accel_operand *y,
				  const struct accel_operand *a, const struct accel_operand *b,
				  float alpha, uint32_t flags, uint32_t causal_offset);
ACCEL_API int accel_stream_softmax_causal(struct accel_stream *s,
					  const struct accel_operand *y,
					  const struct accel_operand *x, uint32_t causal_offset);
ACCEL_API int accel_stream_add_row(struct accel_stream *s, const struct accel_operand *y,
				   const struct accel_operand *a, const struct accel_operand *b);
ACCEL_API int accel_stream_mul_row(struct accel_stream *s, const struct accel_operand *y,
				   const struct accel_operand *a, const struct accel_operand *b);
/*
 * v0's COPY of @size bytes from @src to @dst (device addresses), under
 * the stream's rules like every op here: the ISA_VERSION first, and a
 * BARRIER before it when it reads or writes what an earlier command since
 * the last barrier wrote, or writes what one read (unlike
 * accel_cmdbuf_copy(), which keeps a v0 stream v0). Refused (-EINVAL, the
 * device status named) for size 0, a range past 2^64 (BAD_RANGE) and
 * overlapping ranges (OVERLAP). A model's token embedding: one row of the
 * table, chosen by the token id, copied into the activations.
 */
ACCEL_API int accel_stream_copy(struct accel_stream *s, uint64_t dst, uint64_t src,
				uint64_t size);
/* An explicit ordering point (the stream adds the ones data needs). */
ACCEL_API int accel_stream_barrier(struct accel_stream *s);

#undef ACCEL_API

#if defined(__cplusplus)
}
#endif

#endif /* ACCEL_STREAM_H */
