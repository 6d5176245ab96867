// SPDX-License-Identifier: MIT
/*
 * Host-side checks of ISA v1 commands: the firmware's rules (docs/isa.md
 * 6.3-7.2; firmware/fw_tensor.c, fw_gemm.c, fw_ops.c) in the firmware's
 * order, so that a command refused here names the status the device would
 * have reported. Only what needs the device is left out: the MMU
 * pre-check, SRAM tiling (TOO_LARGE) and GATHER's ids. The host test
 * tests/libaccel/test_accel_check.c mutates valid commands at random and
 * requires the same verdict from this file and from the firmware.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "accel_enc.h"
#include "accel_ops.h"

#define ACCEL_ST(s) DRM_QUASAR_STATUS_##s

/* A decoded plain or packed descriptor (fw_tensor's fields). */
struct accel_tinfo {
	uint64_t rows;		/* dims[0] * dims[1] * dims[2] */
	uint32_t esize;		/* 0 for packed */
	uint64_t span;		/* bytes; 0 for packed */
};

struct accel_winfo {
	uint32_t n, k;
	bool a8;
	struct accel_wgeom g;
};

/* [a, a + size), size > 0, ends past 2^64 (fw_range_wraps()). */
static bool accel_wraps(uint64_t a, uint64_t size)
{
	return size - 1 > UINT64_MAX - a;
}

static bool accel_same_dims(const struct drm_quasar_tensor *a,
			    const struct drm_quasar_tensor *b)
{
	for (uint32_t i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
		if (a->dims[i] != b->dims[i])
			return false;
	return true;
}

/* fw_tensor_get(): the rules every descriptor obeys. */
static uint32_t accel_tensor_get(const struct drm_quasar_tensor *t, struct accel_tinfo *ti,
				 const char *what, struct accel_why *why)
{
	uint32_t i;

	ti->rows = 1;
	ti->esize = 0;
	ti->span = 0;
	for (i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++) {
		if (!t->dims[i] || t->dims[i] > DRM_QUASAR_DIM_MAX)
			return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
					     "%s: dims[%u] = %u, not in 1..%u", what, i,
					     t->dims[i], DRM_QUASAR_DIM_MAX);
		if (i < DRM_QUASAR_TENSOR_DIMS - 1)
			ti->rows *= t->dims[i];
	}
	if (!accel_fmt_plain(t->format) && !accel_fmt_packed(t->format))
		return accel_why_set(why, ACCEL_ST(BAD_FORMAT), "%s: format %u unknown",
				     what, t->format);
	if (accel_fmt_packed(t->format)) {
		if (t->dims[0] != 1 || t->dims[1] != 1)
			return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
					     "%s: packed weights are {1, 1, N, K}, dims[0..1] = %u, %u",
					     what, t->dims[0], t->dims[1]);
		for (i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
			if (t->strides[i])
				return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
						     "%s: packed weights have fixed layout, strides[%u] = %u (must be 0)",
						     what, i, t->strides[i]);
		if (t->flags & ~DRM_QUASAR_TENSOR_ZERO_POINTS)
			return accel_why_set(why, ACCEL_ST(BAD_FLAGS),
					     "%s: tensor flags 0x%x (only ZERO_POINTS)", what,
					     t->flags);
		return ACCEL_ST(OK);
	}
	if (t->flags)
		return accel_why_set(why, ACCEL_ST(BAD_FLAGS),
				     "%s: tensor flags 0x%x on a plain tensor", what, t->flags);
	ti->esize = accel_format_elem_size(t->format);
	if (t->strides[3] != 1)
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
				     "%s: strides[3] = %u (rows must be contiguous: 1)", what,
				     t->strides[3]);
	for (i = 0; i < DRM_QUASAR_TENSOR_DIMS - 1; i++)
		if (t->dims[i] > 1 &&
		    (uint64_t)t->strides[i] < (uint64_t)t->dims[i + 1] * t->strides[i + 1])
			return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
					     "%s: strides[%u] = %u < dims[%u] * strides[%u] = %llu (elements would overlap)",
					     what, i, t->strides[i], i + 1, i + 1,
					     (unsigned long long)t->dims[i + 1] * t->strides[i + 1]);
	ti->span = accel_span(t);
	if (t->addr % ti->esize)
		return accel_why_set(why, ACCEL_ST(BAD_ALIGN),
				     "%s: address 0x%llx not a multiple of the %u-byte element",
				     what, (unsigned long long)t->addr, ti->esize);
	if (accel_wraps(t->addr, ti->span))
		return accel_why_set(why, ACCEL_ST(BAD_RANGE),
				     "%s: 0x%llx + %llu bytes wraps past 2^64", what,
				     (unsigned long long)t->addr, (unsigned long long)ti->span);
	return ACCEL_ST(OK);
}

static const char *accel_fmt_text(uint32_t format)
{
	const char *s = accel_format_name(format);

	return s ? s : "unknown";
}

/* fw_tensor_plain(): a plain tensor, of @format unless it is 0. */
static uint32_t accel_tensor_plain(const struct drm_quasar_tensor *t, uint32_t format,
				   struct accel_tinfo *ti, const char *what,
				   struct accel_why *why)
{
	uint32_t st = accel_tensor_get(t, ti, what, why);

	if (st)
		return st;
	if (!accel_fmt_plain(t->format) || (format && t->format != format))
		return accel_why_set(why, ACCEL_ST(BAD_FORMAT), "%s: format %s, must be %s",
				     what, accel_fmt_text(t->format),
				     format ? accel_fmt_text(format) : "plain (FP32, BF16, U32)");
	return ACCEL_ST(OK);
}

/* fw_wbuf_check(): a buffer present exactly when the format has it. */
static uint32_t accel_wbuf_check(uint64_t addr, uint64_t bytes, uint32_t align,
				 const char *what, const char *buf, struct accel_why *why)
{
	if (!bytes)
		return addr ? accel_why_set(why, ACCEL_ST(BAD_OPERAND),
					    "%s: the format has no %s buffer, address must be 0",
					    what, buf) : ACCEL_ST(OK);
	if (!addr)
		return accel_why_set(why, ACCEL_ST(BAD_OPERAND),
				     "%s: the format needs a %s buffer, address is 0", what, buf);
	if (addr % align)
		return accel_why_set(why, ACCEL_ST(BAD_ALIGN),
				     "%s: %s address 0x%llx not %u-byte aligned", what, buf,
				     (unsigned long long)addr, align);
	if (accel_wraps(addr, bytes))
		return accel_why_set(why, ACCEL_ST(BAD_RANGE), "%s: %s buffer wraps past 2^64",
				     what, buf);
	return ACCEL_ST(OK);
}

/* fw_tensor_weights(): a packed tensor and its other buffers. */
static uint32_t accel_tensor_weights(const struct drm_quasar_tensor *t,
				     const struct drm_quasar_wparams *wp,
				     struct accel_winfo *wi, const char *what,
				     struct accel_why *why)
{
	struct accel_tinfo ti;
	uint32_t st = accel_tensor_get(t, &ti, what, why);
	uint32_t sb;

	if (st)
		return st;
	if (!accel_fmt_packed(t->format))
		return accel_why_set(why, ACCEL_ST(BAD_FORMAT),
				     "%s: format %s, must be packed weights (W_*)", what,
				     accel_fmt_text(t->format));
	wi->n = t->dims[2];
	wi->k = t->dims[3];
	if (accel_wgeom_get(t->format, wi->n, wi->k, wp->group, t->flags, &wi->g))
		return accel_why_set(why, ACCEL_ST(BAD_FORMAT),
				     "%s: %s does not take group %u%s", what,
				     accel_fmt_text(t->format), wp->group,
				     (t->flags & DRM_QUASAR_TENSOR_ZERO_POINTS) ?
				     " with zero points (only W_INT4, W_SP_INT4 have them)" : "");
	if (t->format != DRM_QUASAR_FORMAT_W_NVFP4 && wp->tensor_scale)
		return accel_why_set(why, ACCEL_ST(BAD_OPERAND),
				     "%s: tensor_scale 0x%08x on %s (NVFP4 only)", what,
				     wp->tensor_scale, accel_fmt_text(t->format));
	wi->a8 = accel_wfmt_a8(t->format);
	sb = accel_wscale_bytes(t->format);
	st = accel_wbuf_check(t->addr, wi->g.data_bytes, 1, what, "element", why);
	if (!st)
		st = accel_wbuf_check(wp->scales, wi->g.scale_bytes, sb ? sb : 1, what, "scale",
				      why);
	if (!st)
		st = accel_wbuf_check(wp->zeros, wi->g.zero_bytes, 1, what, "zero-point", why);
	if (!st)
		st = accel_wbuf_check(wp->meta, wi->g.meta_bytes, 1, what, "2:4 index", why);
	return st;
}

/* fw_gemm_epilogue(): the fields GEMM and CONV2D share. */
static uint32_t accel_check_epilogue(const char *op, const struct drm_quasar_tensor *y,
				     const struct accel_winfo *w, uint64_t bias,
				     uint32_t act, uint32_t flags, struct accel_why *why)
{
	if (flags & ~DRM_QUASAR_GEMM_A8)
		return accel_why_set(why, ACCEL_ST(BAD_FLAGS), "%s: flags 0x%x (only GEMM_A8)",
				     op, flags);
	if (act > DRM_QUASAR_ACT_SILU)
		return accel_why_set(why, ACCEL_ST(BAD_OPERAND),
				     "%s: activation %u unknown (NONE, RELU, GELU, SILU)", op, act);
	if ((flags & DRM_QUASAR_GEMM_A8) && !w->a8)
		return accel_why_set(why, ACCEL_ST(BAD_FORMAT),
				     "%s: GEMM_A8 with weights that have no int8 path", op);
	if (y->format != DRM_QUASAR_FORMAT_FP32 && y->format != DRM_QUASAR_FORMAT_BF16)
		return accel_why_set(why, ACCEL_ST(BAD_FORMAT), "%s y: format %s, must be FP32 or BF16",
				     op, accel_fmt_text(y->format));
	if (y->dims[3] != w->n)
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE), "%s: y has %u columns, weights N = %u",
				     op, y->dims[3], w->n);
	if (bias % 4)
		return accel_why_set(why, ACCEL_ST(BAD_ALIGN), "%s: bias address 0x%llx not 4-byte aligned",
				     op, (unsigned long long)bias);
	if (bias && accel_wraps(bias, (uint64_t)w->n * 4))
		return accel_why_set(why, ACCEL_ST(BAD_RANGE), "%s: bias wraps past 2^64", op);
	return ACCEL_ST(OK);
}

static uint32_t accel_check_gemm(const struct drm_quasar_cmd_gemm *c, struct accel_why *why)
{
	struct accel_tinfo x, y;
	struct accel_winfo w;
	uint32_t st, osz;

	if (c->reserved)
		return accel_why_set(why, ACCEL_ST(BAD_FLAGS), "GEMM: reserved = %u", c->reserved);
	st = accel_tensor_plain(&c->x, DRM_QUASAR_FORMAT_BF16, &x, "GEMM x", why);
	if (!st)
		st = accel_tensor_weights(&c->w, &c->wp, &w, "GEMM w", why);
	if (!st)
		st = accel_tensor_plain(&c->y, 0, &y, "GEMM y", why);
	if (!st)
		st = accel_check_epilogue("GEMM", &c->y, &w, c->bias, c->act, c->flags, why);
	if (st)
		return st;
	if (c->x.dims[3] != w.k)
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE), "GEMM: x has K = %u, weights K = %u",
				     c->x.dims[3], w.k);
	if (x.rows != y.rows || x.rows > DRM_QUASAR_DIM_MAX)
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
				     "GEMM: x has %llu rows, y %llu (M must match, at most %u)",
				     (unsigned long long)x.rows, (unsigned long long)y.rows,
				     DRM_QUASAR_DIM_MAX);
	osz = y.esize;
	if (c->residual % osz)
		return accel_why_set(why, ACCEL_ST(BAD_ALIGN),
				     "GEMM: residual address 0x%llx not %u-byte aligned",
				     (unsigned long long)c->residual, osz);
	if (c->residual && accel_wraps(c->residual, y.span))
		return accel_why_set(why, ACCEL_ST(BAD_RANGE), "GEMM: residual wraps past 2^64");
	return ACCEL_ST(OK);
}

/* dp_conv2d_out(): output extents, with the datapath's limits. */
static bool accel_conv_out(const struct drm_quasar_cmd_conv2d *c, uint32_t *oh, uint32_t *ow)
{
	uint32_t b = c->x.dims[0], h = c->x.dims[1], w = c->x.dims[2], cin = c->x.dims[3];
	uint64_t hp, wp;

	if (!b || !h || !w || !cin || !c->kh || !c->kw || !c->stride ||
	    h > DRM_QUASAR_DIM_MAX || w > DRM_QUASAR_DIM_MAX || c->pad > DRM_QUASAR_DIM_MAX)
		return false;
	hp = (uint64_t)h + 2 * (uint64_t)c->pad;
	wp = (uint64_t)w + 2 * (uint64_t)c->pad;
	if (hp < c->kh || wp < c->kw || (uint64_t)c->kh * c->kw * cin > DRM_QUASAR_DIM_MAX)
		return false;
	*oh = (uint32_t)((hp - c->kh) / c->stride + 1);
	*ow = (uint32_t)((wp - c->kw) / c->stride + 1);
	return (uint64_t)b * *oh * *ow <= DRM_QUASAR_DIM_MAX;
}

static uint32_t accel_check_conv2d(const struct drm_quasar_cmd_conv2d *c,
				   struct accel_why *why)
{
	struct accel_tinfo x, y;
	struct accel_winfo w;
	uint32_t st, oh, ow;

	if (c->reserved)
		return accel_why_set(why, ACCEL_ST(BAD_FLAGS), "CONV2D: reserved = %u",
				     c->reserved);
	st = accel_tensor_plain(&c->x, DRM_QUASAR_FORMAT_BF16, &x, "CONV2D x", why);
	if (!st)
		st = accel_tensor_weights(&c->w, &c->wp, &w, "CONV2D w", why);
	if (!st)
		st = accel_tensor_plain(&c->y, 0, &y, "CONV2D y", why);
	if (!st)
		st = accel_check_epilogue("CONV2D", &c->y, &w, c->bias, c->act, c->flags, why);
	if (st)
		return st;
	if (!accel_conv_out(c, &oh, &ow))
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
				     "CONV2D: x {%u, %u, %u, %u} with a %ux%u filter, stride %u, pad %u: no valid output (kh*kw*Cin and B*OH*OW at most %u, stride >= 1)",
				     c->x.dims[0], c->x.dims[1], c->x.dims[2], c->x.dims[3],
				     c->kh, c->kw, c->stride, c->pad, DRM_QUASAR_DIM_MAX);
	if ((uint64_t)c->kh * c->kw * c->x.dims[3] != w.k)
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
				     "CONV2D: kh*kw*Cin = %llu, weights K = %u",
				     (unsigned long long)c->kh * c->kw * c->x.dims[3], w.k);
	if (c->y.dims[0] != c->x.dims[0] || c->y.dims[1] != oh || c->y.dims[2] != ow)
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
				     "CONV2D: y is {%u, %u, %u, .}, output is {%u, %u, %u, .}",
				     c->y.dims[0], c->y.dims[1], c->y.dims[2], c->x.dims[0], oh,
				     ow);
	return ACCEL_ST(OK);
}

/* An FP32 vector of @bytes at @addr: aligned and not wrapping. */
static uint32_t accel_check_vec(uint64_t addr, uint64_t bytes, const char *what,
				struct accel_why *why)
{
	if (addr % 4)
		return accel_why_set(why, ACCEL_ST(BAD_ALIGN), "%s: address 0x%llx not 4-byte aligned",
				     what, (unsigned long long)addr);
	if (accel_wraps(addr, bytes))
		return accel_why_set(why, ACCEL_ST(BAD_RANGE), "%s: %llu bytes wrap past 2^64",
				     what, (unsigned long long)bytes);
	return ACCEL_ST(OK);
}

/* Input and output FP32 with the same extents: norms, softmax, RoPE. */
static uint32_t accel_check_xy(const struct drm_quasar_tensor *x,
			       const struct drm_quasar_tensor *y, const char *op,
			       struct accel_tinfo *ti, struct accel_why *why)
{
	struct accel_tinfo xi;
	char wx[32], wy[32];
	uint32_t st;

	snprintf(wx, sizeof(wx), "%s x", op);
	snprintf(wy, sizeof(wy), "%s y", op);
	st = accel_tensor_plain(x, DRM_QUASAR_FORMAT_FP32, &xi, wx, why);
	if (!st)
		st = accel_tensor_plain(y, DRM_QUASAR_FORMAT_FP32, ti, wy, why);
	if (st)
		return st;
	if (!accel_same_dims(x, y))
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
				     "%s: x {%u, %u, %u, %u} and y {%u, %u, %u, %u} differ", op,
				     x->dims[0], x->dims[1], x->dims[2], x->dims[3], y->dims[0],
				     y->dims[1], y->dims[2], y->dims[3]);
	return ACCEL_ST(OK);
}

static uint32_t accel_check_norm(const struct drm_quasar_cmd_norm *c, struct accel_why *why)
{
	bool ln = c->hdr.opcode == DRM_QUASAR_OP_LAYERNORM;
	const char *op = ln ? "LAYERNORM" : "RMSNORM";
	uint64_t bytes = (uint64_t)c->y.dims[3] * 4;
	struct accel_tinfo y;
	uint32_t st;

	if (c->reserved)
		return accel_why_set(why, ACCEL_ST(BAD_FLAGS), "%s: reserved = %u", op, c->reserved);
	st = accel_check_xy(&c->x, &c->y, op, &y, why);
	if (st)
		return st;
	if (!c->gain)
		return accel_why_set(why, ACCEL_ST(BAD_OPERAND), "%s: gain is required", op);
	if (ln != (c->bias != 0))
		return accel_why_set(why, ACCEL_ST(BAD_OPERAND), "%s: bias %s", op,
				     ln ? "is required" : "must be 0 (LAYERNORM only)");
	st = accel_check_vec(c->gain, bytes, ln ? "LAYERNORM gain" : "RMSNORM gain", why);
	if (!st && ln)
		st = accel_check_vec(c->bias, bytes, "LAYERNORM bias", why);
	return st;
}

static uint32_t accel_check_rope(const struct drm_quasar_cmd_rope *c, struct accel_why *why)
{
	const uint64_t tabs[2] = { c->cos, c->sin };
	static const char *const names[2] = { "ROPE cos", "ROPE sin" };
	struct accel_tinfo y;
	uint32_t st = accel_check_xy(&c->x, &c->y, "ROPE", &y, why);

	if (st)
		return st;
	if (c->y.dims[3] % 2)
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE), "ROPE: %u columns, must be even",
				     c->y.dims[3]);
	for (uint32_t i = 0; i < 2; i++) {
		if (!tabs[i])
			return accel_why_set(why, ACCEL_ST(BAD_OPERAND), "%s is required", names[i]);
		st = accel_check_vec(tabs[i], y.rows * (c->y.dims[3] / 2) * 4, names[i], why);
		if (st)
			return st;
	}
	return ACCEL_ST(OK);
}

static uint32_t accel_check_eltwise(const struct drm_quasar_cmd_eltwise *c,
				    struct accel_why *why)
{
	const char *op = c->hdr.opcode == DRM_QUASAR_OP_ADD ? "ADD" : "MUL";
	struct accel_tinfo a, b, y;
	char wa[16], wb[16], wy[16];
	uint32_t st;

	snprintf(wa, sizeof(wa), "%s a", op);
	snprintf(wb, sizeof(wb), "%s b", op);
	snprintf(wy, sizeof(wy), "%s y", op);
	st = accel_tensor_plain(&c->a, DRM_QUASAR_FORMAT_FP32, &a, wa, why);
	if (!st)
		st = accel_tensor_plain(&c->b, DRM_QUASAR_FORMAT_FP32, &b, wb, why);
	if (!st)
		st = accel_tensor_plain(&c->y, DRM_QUASAR_FORMAT_FP32, &y, wy, why);
	if (st)
		return st;
	if (!accel_same_dims(&c->a, &c->y) || !accel_same_dims(&c->b, &c->y))
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
				     "%s: a, b and y must have the same extents", op);
	return ACCEL_ST(OK);
}

static uint32_t accel_check_gather(const struct drm_quasar_cmd_gather *c,
				   struct accel_why *why)
{
	struct accel_tinfo ids, y;
	struct accel_winfo w;
	uint64_t count;
	uint32_t st;

	st = accel_tensor_weights(&c->table, &c->tp, &w, "GATHER table", why);
	if (!st)
		st = accel_tensor_plain(&c->ids, DRM_QUASAR_FORMAT_U32, &ids, "GATHER ids", why);
	if (!st)
		st = accel_tensor_plain(&c->y, DRM_QUASAR_FORMAT_FP32, &y, "GATHER y", why);
	if (st)
		return st;
	count = ids.rows * c->ids.dims[3];
	if (ids.rows != 1)
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE), "GATHER: ids must be one row, has %llu",
				     (unsigned long long)ids.rows);
	if (y.rows != count || c->y.dims[3] != w.k)
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
				     "GATHER: y is %llu x %u, must be %llu ids x K = %u",
				     (unsigned long long)y.rows, c->y.dims[3],
				     (unsigned long long)count, w.k);
	return ACCEL_ST(OK);
}

static uint32_t accel_check_convert(const struct drm_quasar_cmd_convert *c,
				    struct accel_why *why)
{
	static const struct drm_quasar_wparams none;
	struct accel_tinfo src, dst;
	struct accel_winfo w;
	uint32_t st;

	st = accel_tensor_get(&c->src, &src, "CONVERT src", why);
	if (!st)
		st = accel_tensor_plain(&c->dst, 0, &dst, "CONVERT dst", why);
	if (st)
		return st;
	if (accel_fmt_packed(c->src.format)) {
		st = accel_tensor_weights(&c->src, &c->sp, &w, "CONVERT src", why);
		if (st)
			return st;
		if (c->dst.format == DRM_QUASAR_FORMAT_U32)
			return accel_why_set(why, ACCEL_ST(BAD_FORMAT),
					     "CONVERT: packed weights dequantize to FP32 or BF16, not U32");
		if (dst.rows != w.n || c->dst.dims[3] != w.k)
			return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
					     "CONVERT: dst is %llu x %u, weights N x K = %u x %u",
					     (unsigned long long)dst.rows, c->dst.dims[3], w.n, w.k);
		return ACCEL_ST(OK);
	}
	if (memcmp(&c->sp, &none, sizeof(none)))
		return accel_why_set(why, ACCEL_ST(BAD_OPERAND),
				     "CONVERT: a plain source has no weight buffers (sp must be 0)");
	if (!((c->src.format == DRM_QUASAR_FORMAT_BF16 && c->dst.format == DRM_QUASAR_FORMAT_FP32) ||
	      (c->src.format == DRM_QUASAR_FORMAT_FP32 && c->dst.format == DRM_QUASAR_FORMAT_BF16)))
		return accel_why_set(why, ACCEL_ST(BAD_FORMAT),
				     "CONVERT: %s -> %s (plain conversions: BF16 <-> FP32)",
				     accel_fmt_text(c->src.format), accel_fmt_text(c->dst.format));
	if (!accel_same_dims(&c->src, &c->dst))
		return accel_why_set(why, ACCEL_ST(BAD_SHAPE),
				     "CONVERT: src and dst must have the same extents");
	return ACCEL_ST(OK);
}

static uint32_t accel_check_isa_version(const struct drm_quasar_cmd_isa_version *c,
					struct accel_why *why)
{
	if (c->reserved)
		return accel_why_set(why, ACCEL_ST(BAD_FLAGS), "ISA_VERSION: reserved = %u",
				     c->reserved);
	if (c->version > DRM_QUASAR_ISA_VERSION)
		return accel_why_set(why, ACCEL_ST(BAD_VERSION),
				     "ISA_VERSION %u, this ISA is version %u", c->version,
				     DRM_QUASAR_ISA_VERSION);
	return ACCEL_ST(OK);
}

/* Exact length of each v1 opcode (docs/isa.md section 7). */
static const uint16_t accel_cmd_len[] = {
	[DRM_QUASAR_OP_ISA_VERSION] = sizeof(struct drm_quasar_cmd_isa_version),
	[DRM_QUASAR_OP_BARRIER] = sizeof(struct drm_quasar_cmd_header),
	[DRM_QUASAR_OP_GEMM] = sizeof(struct drm_quasar_cmd_gemm),
	[DRM_QUASAR_OP_RMSNORM] = sizeof(struct drm_quasar_cmd_norm),
	[DRM_QUASAR_OP_LAYERNORM] = sizeof(struct drm_quasar_cmd_norm),
	[DRM_QUASAR_OP_SOFTMAX] = sizeof(struct drm_quasar_cmd_softmax),
	[DRM_QUASAR_OP_ROPE] = sizeof(struct drm_quasar_cmd_rope),
	[DRM_QUASAR_OP_ADD] = sizeof(struct drm_quasar_cmd_eltwise),
	[DRM_QUASAR_OP_MUL] = sizeof(struct drm_quasar_cmd_eltwise),
	[DRM_QUASAR_OP_GATHER] = sizeof(struct drm_quasar_cmd_gather),
	[DRM_QUASAR_OP_CONVERT] = sizeof(struct drm_quasar_cmd_convert),
	[DRM_QUASAR_OP_CONV2D] = sizeof(struct drm_quasar_cmd_conv2d),
};

uint32_t accel_check_cmd(const void *cmd, size_t len, struct accel_why *why)
{
	const struct drm_quasar_cmd_header *h = cmd;
	uint16_t op;

	why->text[0] = '\0';
	if (len < sizeof(*h))
		return accel_why_set(why, ACCEL_ST(BAD_LENGTH), "%zu bytes: no header", len);
	op = h->opcode;
	if (op >= sizeof(accel_cmd_len) / sizeof(accel_cmd_len[0]) || !accel_cmd_len[op])
		return accel_why_set(why, ACCEL_ST(BAD_OPCODE), "opcode %u is not an ISA v1 op", op);
	if (h->length != accel_cmd_len[op] || h->length > len)
		return accel_why_set(why, ACCEL_ST(BAD_LENGTH), "%s: length %u, must be %u",
				     accel_op_name(op), h->length, accel_cmd_len[op]);
	if (h->flags)
		return accel_why_set(why, ACCEL_ST(BAD_FLAGS), "%s: header flags 0x%x",
				     accel_op_name(op), h->flags);
	switch (op) {
	case DRM_QUASAR_OP_ISA_VERSION:
		return accel_check_isa_version(cmd, why);
	case DRM_QUASAR_OP_GEMM:
		return accel_check_gemm(cmd, why);
	case DRM_QUASAR_OP_CONV2D:
		return accel_check_conv2d(cmd, why);
	case DRM_QUASAR_OP_RMSNORM:
	case DRM_QUASAR_OP_LAYERNORM:
		return accel_check_norm(cmd, why);
	case DRM_QUASAR_OP_SOFTMAX: {
		const struct drm_quasar_cmd_softmax *c = cmd;
		struct accel_tinfo y;

		return accel_check_xy(&c->x, &c->y, "SOFTMAX", &y, why);
	}
	case DRM_QUASAR_OP_ROPE:
		return accel_check_rope(cmd, why);
	case DRM_QUASAR_OP_ADD:
	case DRM_QUASAR_OP_MUL:
		return accel_check_eltwise(cmd, why);
	case DRM_QUASAR_OP_GATHER:
		return accel_check_gather(cmd, why);
	case DRM_QUASAR_OP_CONVERT:
		return accel_check_convert(cmd, why);
	default:	/* BARRIER: header only */
		return ACCEL_ST(OK);
	}
}
