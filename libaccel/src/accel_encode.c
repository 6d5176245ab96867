// SPDX-License-Identifier: MIT
/*
 * Encoders: one ISA v1 or v2 command from its operands. The command is checked
 * as the firmware would check it (accel_check_cmd()) first, so its status
 * is the device's; then what only the operands tell: the firmware takes a
 * bias, gain or table as a bare address, so its length, format and density
 * are checked here against the tensor that provides it.
 */
#include <stdio.h>
#include <string.h>

#include "accel_enc.h"
#include "accel_ops.h"

#define ACCEL_ST(s) DRM_QUASAR_STATUS_##s

static uint64_t accel_elems(const struct drm_quasar_tensor *t)
{
	uint64_t n = 1;

	for (uint32_t i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
		n *= t->dims[i];
	return n;
}

static uint64_t accel_addr(const struct accel_operand *o)
{
	return o ? o->t.addr : 0;
}

static struct drm_quasar_cmd_header accel_hdr(uint16_t op, size_t len)
{
	return (struct drm_quasar_cmd_header){ .opcode = op, .length = (uint16_t)len };
}

/* A vector operand: @need dense FP32 values. */
static uint32_t accel_vec_operand(const struct accel_operand *o, uint64_t need,
				  const char *what, struct accel_why *why)
{
	if (!o)
		return ACCEL_ST(OK);
	if (o->t.format != DRM_QUASAR_FORMAT_FP32)
		return accel_why_set(why, ACCEL_ST(BAD_FORMAT), "%s: must be FP32, is %s", what,
				     accel_format_name(o->t.format) ?
				     accel_format_name(o->t.format) : "unknown");
	if (!accel_dense(&o->t) || accel_elems(&o->t) != need)
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
				     "%s: must be %llu dense FP32 values, has %llu%s", what,
				     (unsigned long long)need,
				     (unsigned long long)accel_elems(&o->t),
				     accel_dense(&o->t) ? "" : " (strided)");
	return ACCEL_ST(OK);
}

/* The residual is read with y's extents and strides, in y's format. */
static uint32_t accel_residual_operand(const struct accel_operand *r,
				       const struct drm_quasar_tensor *y,
				       struct accel_why *why)
{
	if (!r)
		return ACCEL_ST(OK);
	if (r->t.format != y->format || memcmp(r->t.dims, y->dims, sizeof(y->dims)) ||
	    memcmp(r->t.strides, y->strides, sizeof(y->strides)))
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
				     "GEMM residual: must have y's format, extents and strides");
	return ACCEL_ST(OK);
}

uint32_t accel_enc_gemm(struct drm_quasar_cmd_gemm *c, const struct accel_operand *y,
			const struct accel_operand *x, const struct accel_operand *w,
			const struct accel_enc_epi *e, struct accel_why *why)
{
	uint32_t st;

	*c = (struct drm_quasar_cmd_gemm){
		.hdr = accel_hdr(DRM_QUASAR_OP_GEMM, sizeof(*c)),
		.x = x->t, .w = w->t, .wp = w->wp, .y = y->t,
		.bias = accel_addr(e->bias), .residual = accel_addr(e->residual),
		.alpha = accel_f2u(e->alpha), .act = e->act, .flags = e->flags,
	};
	st = accel_check_cmd(c, sizeof(*c), why);
	if (!st)
		st = accel_vec_operand(e->bias, w->t.dims[2], "GEMM bias", why);
	if (!st)
		st = accel_residual_operand(e->residual, &y->t, why);
	return st;
}

uint32_t accel_enc_conv2d(struct drm_quasar_cmd_conv2d *c, const struct accel_operand *y,
			  const struct accel_operand *x, const struct accel_operand *w,
			  uint32_t kh, uint32_t kw, uint32_t stride, uint32_t pad,
			  const struct accel_enc_epi *e, struct accel_why *why)
{
	uint32_t st;

	if (e->residual)
		return accel_why_set(why, ACCEL_ST(BAD_OPERAND), "CONV2D has no residual");
	*c = (struct drm_quasar_cmd_conv2d){
		.hdr = accel_hdr(DRM_QUASAR_OP_CONV2D, sizeof(*c)),
		.x = x->t, .w = w->t, .wp = w->wp, .y = y->t, .bias = accel_addr(e->bias),
		.kh = kh, .kw = kw, .stride = stride, .pad = pad,
		.alpha = accel_f2u(e->alpha), .act = e->act, .flags = e->flags,
	};
	st = accel_check_cmd(c, sizeof(*c), why);
	if (!st)
		st = accel_vec_operand(e->bias, w->t.dims[2], "CONV2D bias", why);
	return st;
}

uint32_t accel_enc_norm(struct drm_quasar_cmd_norm *c, uint16_t op,
			const struct accel_operand *y, const struct accel_operand *x,
			const struct accel_operand *gain, const struct accel_operand *bias,
			float eps, struct accel_why *why)
{
	const char *name = op == DRM_QUASAR_OP_LAYERNORM ? "LAYERNORM" : "RMSNORM";
	char what[24];
	uint32_t st;

	*c = (struct drm_quasar_cmd_norm){
		.hdr = accel_hdr(op, sizeof(*c)), .x = x->t, .y = y->t,
		.gain = accel_addr(gain), .bias = accel_addr(bias), .eps = accel_f2u(eps),
	};
	st = accel_check_cmd(c, sizeof(*c), why);
	snprintf(what, sizeof(what), "%s gain", name);
	if (!st)
		st = accel_vec_operand(gain, y->t.dims[3], what, why);
	snprintf(what, sizeof(what), "%s bias", name);
	if (!st)
		st = accel_vec_operand(bias, y->t.dims[3], what, why);
	return st;
}

uint32_t accel_enc_softmax(struct drm_quasar_cmd_softmax *c, const struct accel_operand *y,
			   const struct accel_operand *x, struct accel_why *why)
{
	*c = (struct drm_quasar_cmd_softmax){
		.hdr = accel_hdr(DRM_QUASAR_OP_SOFTMAX, sizeof(*c)), .x = x->t, .y = y->t,
	};
	return accel_check_cmd(c, sizeof(*c), why);
}

uint32_t accel_enc_rope(struct drm_quasar_cmd_rope *c, const struct accel_operand *y,
			const struct accel_operand *x, const struct accel_operand *cos,
			const struct accel_operand *sin, struct accel_why *why)
{
	uint64_t need;
	uint32_t st;

	*c = (struct drm_quasar_cmd_rope){
		.hdr = accel_hdr(DRM_QUASAR_OP_ROPE, sizeof(*c)), .x = x->t, .y = y->t,
		.cos = accel_addr(cos), .sin = accel_addr(sin),
	};
	st = accel_check_cmd(c, sizeof(*c), why);
	need = accel_elems(&y->t) / 2;
	if (!st)
		st = accel_vec_operand(cos, need, "ROPE cos", why);
	if (!st)
		st = accel_vec_operand(sin, need, "ROPE sin", why);
	return st;
}

uint32_t accel_enc_eltwise(struct drm_quasar_cmd_eltwise *c, uint16_t op,
			   const struct accel_operand *y, const struct accel_operand *a,
			   const struct accel_operand *b, struct accel_why *why)
{
	*c = (struct drm_quasar_cmd_eltwise){
		.hdr = accel_hdr(op, sizeof(*c)), .a = a->t, .b = b->t, .y = y->t,
	};
	return accel_check_cmd(c, sizeof(*c), why);
}

uint32_t accel_enc_gather(struct drm_quasar_cmd_gather *c, const struct accel_operand *y,
			  const struct accel_operand *table, const struct accel_operand *ids,
			  struct accel_why *why)
{
	*c = (struct drm_quasar_cmd_gather){
		.hdr = accel_hdr(DRM_QUASAR_OP_GATHER, sizeof(*c)),
		.table = table->t, .tp = table->wp, .ids = ids->t, .y = y->t,
	};
	return accel_check_cmd(c, sizeof(*c), why);
}

uint32_t accel_enc_convert(struct drm_quasar_cmd_convert *c, const struct accel_operand *dst,
			   const struct accel_operand *src, struct accel_why *why)
{
	*c = (struct drm_quasar_cmd_convert){
		.hdr = accel_hdr(DRM_QUASAR_OP_CONVERT, sizeof(*c)),
		.src = src->t, .sp = src->wp, .dst = dst->t,
	};
	return accel_check_cmd(c, sizeof(*c), why);
}

/* ---- ISA v2 (docs/isa.md 11) ---- */

uint32_t accel_enc_matmul(struct drm_quasar_cmd_matmul *c, const struct accel_operand *y,
			  const struct accel_operand *a, const struct accel_operand *b,
			  float alpha, uint32_t flags, uint32_t causal_offset,
			  struct accel_why *why)
{
	*c = (struct drm_quasar_cmd_matmul){
		.hdr = accel_hdr(DRM_QUASAR_OP_MATMUL, sizeof(*c)), .a = a->t, .b = b->t,
		.y = y->t, .alpha = accel_f2u(alpha), .flags = flags,
		.causal_offset = causal_offset,
	};
	return accel_check_cmd(c, sizeof(*c), why);
}

uint32_t accel_enc_softmax_v2(struct drm_quasar_cmd_softmax_v2 *c,
			      const struct accel_operand *y, const struct accel_operand *x,
			      uint32_t flags, uint32_t causal_offset, struct accel_why *why)
{
	*c = (struct drm_quasar_cmd_softmax_v2){
		.hdr = accel_hdr(DRM_QUASAR_OP_SOFTMAX, sizeof(*c)), .x = x->t, .y = y->t,
		.flags = flags, .causal_offset = causal_offset,
	};
	return accel_check_cmd(c, sizeof(*c), why);
}

uint32_t accel_enc_eltwise_v2(struct drm_quasar_cmd_eltwise_v2 *c, uint16_t op,
			      const struct accel_operand *y, const struct accel_operand *a,
			      const struct accel_operand *b, uint32_t flags,
			      struct accel_why *why)
{
	*c = (struct drm_quasar_cmd_eltwise_v2){
		.hdr = accel_hdr(op, sizeof(*c)), .a = a->t, .b = b->t, .y = y->t,
		.flags = flags,
	};
	return accel_check_cmd(c, sizeof(*c), why);
}
