// SPDX-License-Identifier: MIT
/*
 * The ISA's command validator (isa_validate.h): the header, every v0, v1
 * and v2 command's operands, tensor descriptors and packed weights, each check
 * in the order docs/isa.md gives, so that the first rule a command breaks
 * names the status the device reports.
 *
 * Spans are computed in 64 bits from values the rules bound first (dims
 * <= 2^16, strides < 2^32, elements <= 4 bytes), so no intermediate can
 * wrap; every final address + span is checked for wrap-around like every
 * v0 range.
 */
#include "dp_format.h"
#include "isa_validate.h"

#define ISA_ST(s)	DRM_QUASAR_STATUS_##s
#define ISA_HDR(f)	offsetof(struct drm_quasar_cmd_header, f)
#define ISA_FILL(f)	offsetof(struct drm_quasar_cmd_fill, f)
#define ISA_COPY(f)	offsetof(struct drm_quasar_cmd_copy, f)
#define ISA_WV(f)	offsetof(struct drm_quasar_cmd_write_value, f)
#define ISA_VER(f)	offsetof(struct drm_quasar_cmd_isa_version, f)
#define ISA_T(f)	offsetof(struct drm_quasar_tensor, f)
#define ISA_WP(f)	offsetof(struct drm_quasar_wparams, f)
#define ISA_GEMM(f)	offsetof(struct drm_quasar_cmd_gemm, f)
#define ISA_CONV(f)	offsetof(struct drm_quasar_cmd_conv2d, f)
#define ISA_NORM(f)	offsetof(struct drm_quasar_cmd_norm, f)
#define ISA_SMAX(f)	offsetof(struct drm_quasar_cmd_softmax, f)
#define ISA_ROPE(f)	offsetof(struct drm_quasar_cmd_rope, f)
#define ISA_ELT(f)	offsetof(struct drm_quasar_cmd_eltwise, f)
#define ISA_GATH(f)	offsetof(struct drm_quasar_cmd_gather, f)
#define ISA_CONVT(f)	offsetof(struct drm_quasar_cmd_convert, f)
#define ISA_MM(f)	offsetof(struct drm_quasar_cmd_matmul, f)
#define ISA_SMAX2(f)	offsetof(struct drm_quasar_cmd_softmax_v2, f)
#define ISA_ELT2(f)	offsetof(struct drm_quasar_cmd_eltwise_v2, f)

_Static_assert(sizeof(struct drm_quasar_cmd_header) == ISA_CMD_HDR_LEN, "ISA v0");
_Static_assert(sizeof(struct drm_quasar_tensor) == 48, "ISA v1 tensor");
_Static_assert(sizeof(struct drm_quasar_wparams) == 32, "ISA v1 wparams");
_Static_assert(sizeof(struct drm_quasar_cmd_conv2d) == ISA_CMD_MAX_LEN, "longest command");
_Static_assert(sizeof(struct drm_quasar_cmd_gemm) <= ISA_CMD_MAX_LEN, "longest command");
_Static_assert(DRM_QUASAR_DIM_MAX == 65536u, "the rules' text says 65536");
_Static_assert(sizeof(struct drm_quasar_cmd_matmul) == 168, "ISA v2 MATMUL");
_Static_assert(sizeof(struct drm_quasar_cmd_softmax_v2) == 112, "ISA v2 SOFTMAX");
_Static_assert(sizeof(struct drm_quasar_cmd_eltwise_v2) == 160, "ISA v2 ADD, MUL");
_Static_assert(DRM_QUASAR_ISA_VERSION == 2, "the rules' text says version 2");

/* Exact length of every opcode of the ISA (docs/isa.md sections 2 and 7). */
static const uint16_t isa_cmd_len[] = {
	[DRM_QUASAR_OP_NOP] = sizeof(struct drm_quasar_cmd_header),
	[DRM_QUASAR_OP_FILL] = sizeof(struct drm_quasar_cmd_fill),
	[DRM_QUASAR_OP_COPY] = sizeof(struct drm_quasar_cmd_copy),
	[DRM_QUASAR_OP_WRITE_VALUE] = sizeof(struct drm_quasar_cmd_write_value),
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
	[DRM_QUASAR_OP_MATMUL] = sizeof(struct drm_quasar_cmd_matmul),
};

#define ISA_NUM_OPS	(sizeof(isa_cmd_len) / sizeof(isa_cmd_len[0]))

/*
 * The second, longer form a v1 opcode has since v2 (docs/isa.md 11.1): the
 * v1 command with a flags word appended. 0: the opcode has one form.
 */
static const uint16_t isa_cmd_len_v2[ISA_NUM_OPS] = {
	[DRM_QUASAR_OP_SOFTMAX] = sizeof(struct drm_quasar_cmd_softmax_v2),
	[DRM_QUASAR_OP_ADD] = sizeof(struct drm_quasar_cmd_eltwise_v2),
	[DRM_QUASAR_OP_MUL] = sizeof(struct drm_quasar_cmd_eltwise_v2),
};

static uint16_t isa_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t isa_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t isa_le64(const uint8_t *p)
{
	return (uint64_t)isa_le32(p) | ((uint64_t)isa_le32(p + 4) << 32);
}

/* Every refusal goes through here: one line per rule at the call site. */
static enum drm_quasar_status isa_fail(struct isa_why *why, enum drm_quasar_status st,
				       const char *operand, const char *rule)
{
	if (why) {
		why->operand = operand;
		why->rule = rule;
	}
	return st;
}

/*
 * True when [a, a + size) with size > 0 ends past 2^64, i.e. its last byte
 * is not addressable. A range ending exactly at 2^64 is fine.
 */
static bool isa_wraps(uint64_t a, uint64_t size)
{
	return size - 1 > UINT64_MAX - a;
}

static bool isa_fmt_plain(uint32_t format)
{
	return format == DRM_QUASAR_FORMAT_FP32 || format == DRM_QUASAR_FORMAT_BF16 ||
	       format == DRM_QUASAR_FORMAT_U32;
}

static bool isa_fmt_packed(uint32_t format)
{
	return format >= DRM_QUASAR_FORMAT_W_BF16 && format <= DRM_QUASAR_FORMAT_W_SP_INT4;
}

static bool isa_same_dims(const struct isa_tensor *a, const struct isa_tensor *b)
{
	for (uint32_t i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
		if (a->dims[i] != b->dims[i])
			return false;
	return true;
}

/* ---- tensor descriptors (docs/isa.md 6.3, 6.4) ---- */

/* A descriptor of any format: every rule of 6.3 but the op's format. */
static enum drm_quasar_status isa_tensor_get(const uint8_t *raw, const char *name,
					     struct isa_tensor *t, struct isa_why *why)
{
	uint64_t last = 0;
	uint32_t i;

	t->addr = isa_le64(raw + ISA_T(addr));
	t->format = isa_le32(raw + ISA_T(format));
	t->flags = isa_le32(raw + ISA_T(flags));
	t->esize = 0;
	t->rows = 1;
	t->span = 0;
	for (i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++) {
		t->dims[i] = isa_le32(raw + ISA_T(dims) + 4 * i);
		t->strides[i] = isa_le32(raw + ISA_T(strides) + 4 * i);
		if (!t->dims[i] || t->dims[i] > DRM_QUASAR_DIM_MAX)
			return isa_fail(why, ISA_ST(BAD_SHAPE), name,
					"every dims[i] must be 1..65536");
		if (i < DRM_QUASAR_TENSOR_DIMS - 1)
			t->rows *= t->dims[i];
	}
	if (!isa_fmt_plain(t->format) && !isa_fmt_packed(t->format))
		return isa_fail(why, ISA_ST(BAD_FORMAT), name,
				"format is not a tensor format of the ISA");
	if (isa_fmt_packed(t->format)) {
		if (t->dims[0] != 1 || t->dims[1] != 1)
			return isa_fail(why, ISA_ST(BAD_SHAPE), name,
					"packed weights are {1, 1, N, K}: dims[0..1] must be 1");
		for (i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
			if (t->strides[i])
				return isa_fail(why, ISA_ST(BAD_SHAPE), name,
						"packed weights are laid out: strides must be 0");
		if (t->flags & ~DRM_QUASAR_TENSOR_ZERO_POINTS)
			return isa_fail(why, ISA_ST(BAD_FLAGS), name,
					"flags other than ZERO_POINTS");
		return ISA_ST(OK);
	}
	if (t->flags)
		return isa_fail(why, ISA_ST(BAD_FLAGS), name, "flags must be 0 on a plain tensor");
	t->esize = t->format == DRM_QUASAR_FORMAT_BF16 ? 2 : 4;
	if (t->strides[3] != 1)
		return isa_fail(why, ISA_ST(BAD_SHAPE), name,
				"strides[3] must be 1 (rows are contiguous)");
	for (i = 0; i < DRM_QUASAR_TENSOR_DIMS - 1; i++)
		if (t->dims[i] > 1 &&
		    (uint64_t)t->strides[i] < (uint64_t)t->dims[i + 1] * t->strides[i + 1])
			return isa_fail(why, ISA_ST(BAD_SHAPE), name,
					"strides[i] < dims[i+1] * strides[i+1]: elements overlap");
	/* < 4 * 2^16 * 2^32 elements: cannot wrap. */
	for (i = 0; i < DRM_QUASAR_TENSOR_DIMS; i++)
		last += (uint64_t)(t->dims[i] - 1) * t->strides[i];
	t->span = (last + 1) * t->esize;
	if (t->addr % t->esize)
		return isa_fail(why, ISA_ST(BAD_ALIGN), name,
				"addr must be a multiple of the element size");
	if (isa_wraps(t->addr, t->span))
		return isa_fail(why, ISA_ST(BAD_RANGE), name, "its span wraps past 2^64");
	return ISA_ST(OK);
}

static const char *isa_plain_rule(uint32_t format)
{
	switch (format) {
	case DRM_QUASAR_FORMAT_FP32:
		return "format must be FP32";
	case DRM_QUASAR_FORMAT_BF16:
		return "format must be BF16";
	case DRM_QUASAR_FORMAT_U32:
		return "format must be U32";
	default:
		return "format must be plain (FP32, BF16 or U32)";
	}
}

/* A plain tensor, of @format unless it is 0. */
static enum drm_quasar_status isa_tensor_plain(const uint8_t *raw, uint32_t format,
					       const char *name, struct isa_tensor *t,
					       struct isa_why *why)
{
	enum drm_quasar_status st = isa_tensor_get(raw, name, t, why);

	if (st)
		return st;
	if (!isa_fmt_plain(t->format) || (format && t->format != format))
		return isa_fail(why, ISA_ST(BAD_FORMAT), name, isa_plain_rule(format));
	return ISA_ST(OK);
}

/* What a packed operand's fields are called in its command. */
struct isa_wnames {
	const char *t, *group, *tensor_scale, *scales, *zeros, *meta;
};

#define ISA_WNAMES(t, p) { t, p ".group", p ".tensor_scale", p ".scales", p ".zeros", p ".meta" }

static const struct isa_wnames isa_wn_w = ISA_WNAMES("w", "wp");
static const struct isa_wnames isa_wn_table = ISA_WNAMES("table", "tp");
static const struct isa_wnames isa_wn_src = ISA_WNAMES("src", "sp");

/* A buffer present exactly when the format has it, aligned, not wrapping. */
static enum drm_quasar_status isa_wbuf_check(uint64_t addr, uint64_t bytes, uint32_t align,
					     const char *name, struct isa_why *why)
{
	if (!bytes)
		return addr ? isa_fail(why, ISA_ST(BAD_OPERAND), name,
				       "must be 0: the format has no such buffer") : ISA_ST(OK);
	if (!addr)
		return isa_fail(why, ISA_ST(BAD_OPERAND), name,
				"must not be 0: the format has this buffer");
	if (addr % align)
		return isa_fail(why, ISA_ST(BAD_ALIGN), name,
				"must be a multiple of the format's scale size");
	if (isa_wraps(addr, bytes))
		return isa_fail(why, ISA_ST(BAD_RANGE), name, "the buffer wraps past 2^64");
	return ISA_ST(OK);
}

/* Packed weights at @raw and their struct drm_quasar_wparams at @wp. */
static enum drm_quasar_status isa_tensor_weights(const uint8_t *raw, const uint8_t *wp,
						 const struct isa_wnames *nm,
						 struct isa_weights *w, struct isa_why *why)
{
	const struct dp_fmt_info *fi;
	struct dp_geom g;
	enum drm_quasar_status st;

	st = isa_tensor_get(raw, nm->t, &w->t, why);
	if (st)
		return st;
	if (!isa_fmt_packed(w->t.format))
		return isa_fail(why, ISA_ST(BAD_FORMAT), nm->t,
				"format must be packed weights (W_*)");
	w->n = w->t.dims[2];
	w->k = w->t.dims[3];
	w->group = isa_le32(wp + ISA_WP(group));
	w->dpflags = (w->t.flags & DRM_QUASAR_TENSOR_ZERO_POINTS) ? DP_WT_ZERO : 0;
	w->scales = isa_le64(wp + ISA_WP(scales));
	w->zeros = isa_le64(wp + ISA_WP(zeros));
	w->meta = isa_le64(wp + ISA_WP(meta));
	w->tensor_scale = isa_le32(wp + ISA_WP(tensor_scale));
	/* DP_EINVAL: a group or flag the format does not take; DP_ENOTSUP: zeros. */
	if (dp_geom_get(w->t.format, w->n, w->k, w->group, w->dpflags, &g)) {
		if (w->dpflags && !dp_geom_get(w->t.format, w->n, w->k, w->group, 0, &g))
			return isa_fail(why, ISA_ST(BAD_FORMAT), nm->t,
					"ZERO_POINTS on a format without them (W_INT4, W_SP_INT4)");
		return isa_fail(why, ISA_ST(BAD_FORMAT), nm->group,
				"a block length the format does not take");
	}
	if (w->t.format != DRM_QUASAR_FORMAT_W_NVFP4 && w->tensor_scale)
		return isa_fail(why, ISA_ST(BAD_OPERAND), nm->tensor_scale,
				"must be 0 on formats other than W_NVFP4");
	fi = dp_fmt_info(w->t.format);
	w->sparse = fi->sparse;
	w->a8 = fi->a8;
	w->panels = g.panels;
	w->data_pp = g.data_bytes / g.panels;
	w->scale_pp = g.scale_bytes / g.panels;
	w->zero_pp = g.zero_bytes / g.panels;
	w->meta_pp = g.meta_bytes / g.panels;
	w->t.span = g.data_bytes;
	st = isa_wbuf_check(w->t.addr, g.data_bytes, 1, nm->t, why);
	if (!st)
		st = isa_wbuf_check(w->scales, g.scale_bytes,
				    fi->scale_bytes ? fi->scale_bytes : 1, nm->scales, why);
	if (!st)
		st = isa_wbuf_check(w->zeros, g.zero_bytes, 1, nm->zeros, why);
	if (!st)
		st = isa_wbuf_check(w->meta, g.meta_bytes, 1, nm->meta, why);
	return st;
}

/* ---- v0 and the control commands (docs/isa.md sections 2, 6.1) ---- */

static enum drm_quasar_status isa_check_fill(const uint8_t *cmd, struct isa_fill *f,
					     struct isa_why *why)
{
	f->dst = isa_le64(cmd + ISA_FILL(dst));
	f->size = isa_le32(cmd + ISA_FILL(size));
	f->value = isa_le32(cmd + ISA_FILL(value));
	if (!f->size)
		return isa_fail(why, ISA_ST(BAD_RANGE), "size", "must not be 0");
	if (f->dst & 3)
		return isa_fail(why, ISA_ST(BAD_ALIGN), "dst", "must be a multiple of 4");
	if (f->size & 3)
		return isa_fail(why, ISA_ST(BAD_ALIGN), "size", "must be a multiple of 4");
	if (isa_wraps(f->dst, f->size))
		return isa_fail(why, ISA_ST(BAD_RANGE), "dst", "dst + size wraps past 2^64");
	return ISA_ST(OK);
}

static enum drm_quasar_status isa_check_copy(const uint8_t *cmd, struct isa_copy *c,
					     struct isa_why *why)
{
	c->dst = isa_le64(cmd + ISA_COPY(dst));
	c->src = isa_le64(cmd + ISA_COPY(src));
	c->size = isa_le64(cmd + ISA_COPY(size));
	if (!c->size)
		return isa_fail(why, ISA_ST(BAD_RANGE), "size", "must not be 0");
	if (isa_wraps(c->dst, c->size))
		return isa_fail(why, ISA_ST(BAD_RANGE), "dst", "dst + size wraps past 2^64");
	if (isa_wraps(c->src, c->size))
		return isa_fail(why, ISA_ST(BAD_RANGE), "src", "src + size wraps past 2^64");
	/* Last bytes, not ends: a range may end exactly at 2^64. */
	if (c->src <= c->dst + (c->size - 1) && c->dst <= c->src + (c->size - 1))
		return isa_fail(why, ISA_ST(OVERLAP), "src", "the source overlaps dst");
	return ISA_ST(OK);
}

static enum drm_quasar_status isa_check_write_value(const uint8_t *cmd,
						    struct isa_write_value *wv,
						    struct isa_why *why)
{
	wv->addr = isa_le64(cmd + ISA_WV(addr));
	wv->value = isa_le64(cmd + ISA_WV(value));
	if (wv->addr & 7)
		return isa_fail(why, ISA_ST(BAD_ALIGN), "addr", "must be a multiple of 8");
	return ISA_ST(OK);
}

static enum drm_quasar_status isa_check_version(const uint8_t *cmd, struct isa_why *why)
{
	if (isa_le32(cmd + ISA_VER(reserved)))
		return isa_fail(why, ISA_ST(BAD_FLAGS), "reserved", "must be 0");
	if (isa_le32(cmd + ISA_VER(version)) > DRM_QUASAR_ISA_VERSION)
		return isa_fail(why, ISA_ST(BAD_VERSION), "version",
				"newer than the ISA's version, 2");
	return ISA_ST(OK);
}

/* ---- GEMM and CONV2D (docs/isa.md 7.1, 7.2) ---- */

/* x, w and y of either command: the same fields at different offsets. */
static enum drm_quasar_status isa_gemm_operands(const uint8_t *cmd, size_t x, size_t w,
						size_t wp, size_t y, struct isa_gemm *g,
						struct isa_why *why)
{
	enum drm_quasar_status st;

	st = isa_tensor_plain(cmd + x, DRM_QUASAR_FORMAT_BF16, "x", &g->x, why);
	if (!st)
		st = isa_tensor_weights(cmd + w, cmd + wp, &isa_wn_w, &g->w, why);
	if (!st)
		st = isa_tensor_plain(cmd + y, 0, "y", &g->y, why);
	return st;
}

/* The epilogue fields both commands share. */
static enum drm_quasar_status isa_gemm_epilogue(struct isa_gemm *g, uint32_t flags,
						struct isa_why *why)
{
	if (flags & ~DRM_QUASAR_GEMM_A8)
		return isa_fail(why, ISA_ST(BAD_FLAGS), "flags", "only GEMM_A8 may be set");
	if (g->act > DRM_QUASAR_ACT_SILU)
		return isa_fail(why, ISA_ST(BAD_OPERAND), "act",
				"not an activation (NONE, RELU, GELU, SILU)");
	g->a8 = flags & DRM_QUASAR_GEMM_A8;
	if (g->a8 && !g->w.a8)
		return isa_fail(why, ISA_ST(BAD_FORMAT), "flags",
				"GEMM_A8 with weights that have no int8 path");
	if (g->y.format != DRM_QUASAR_FORMAT_FP32 && g->y.format != DRM_QUASAR_FORMAT_BF16)
		return isa_fail(why, ISA_ST(BAD_FORMAT), "y", "format must be FP32 or BF16");
	if (g->y.dims[3] != g->w.n)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "y", "dims[3] must be the weights' N");
	if (g->bias % 4)
		return isa_fail(why, ISA_ST(BAD_ALIGN), "bias", "must be a multiple of 4");
	if (g->bias && isa_wraps(g->bias, (uint64_t)g->w.n * 4))
		return isa_fail(why, ISA_ST(BAD_RANGE), "bias", "N FP32 values wrap past 2^64");
	return ISA_ST(OK);
}

static enum drm_quasar_status isa_check_gemm(const uint8_t *cmd, struct isa_gemm *g,
					     struct isa_why *why)
{
	enum drm_quasar_status st;

	if (isa_le32(cmd + ISA_GEMM(reserved)))
		return isa_fail(why, ISA_ST(BAD_FLAGS), "reserved", "must be 0");
	st = isa_gemm_operands(cmd, ISA_GEMM(x), ISA_GEMM(w), ISA_GEMM(wp), ISA_GEMM(y), g,
			       why);
	if (st)
		return st;
	g->bias = isa_le64(cmd + ISA_GEMM(bias));
	g->residual = isa_le64(cmd + ISA_GEMM(residual));
	g->alpha = isa_le32(cmd + ISA_GEMM(alpha));
	g->act = isa_le32(cmd + ISA_GEMM(act));
	st = isa_gemm_epilogue(g, isa_le32(cmd + ISA_GEMM(flags)), why);
	if (st)
		return st;
	if (g->x.dims[3] != g->w.k)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "x", "dims[3] must be the weights' K");
	if (g->x.rows != g->y.rows)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "y", "must have as many rows as x (M)");
	if (g->x.rows > DRM_QUASAR_DIM_MAX)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "x", "more than 65536 rows (M)");
	if (g->residual % g->y.esize)
		return isa_fail(why, ISA_ST(BAD_ALIGN), "residual",
				"must be a multiple of y's element size");
	if (g->residual && isa_wraps(g->residual, g->y.span))
		return isa_fail(why, ISA_ST(BAD_RANGE), "residual", "y's span wraps past 2^64");
	g->m = (uint32_t)g->x.rows;
	return ISA_ST(OK);
}

/* The output extents (OH, OW) of a convolution, within the ISA's limits. */
static enum drm_quasar_status isa_conv2d_out(struct isa_gemm *g, struct isa_why *why)
{
	uint64_t b = g->x.dims[0], h = g->x.dims[1], w = g->x.dims[2], cin = g->x.dims[3];
	uint64_t hp = h + 2 * (uint64_t)g->pad, wp = w + 2 * (uint64_t)g->pad;

	/* x's extents are 1..65536 already. */
	if (!g->kh)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "kh", "must be at least 1");
	if (!g->kw)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "kw", "must be at least 1");
	if (!g->stride)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "stride", "must be at least 1");
	if (g->pad > DRM_QUASAR_DIM_MAX)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "pad", "must be at most 65536");
	if (hp < g->kh)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "kh", "taller than the padded input");
	if (wp < g->kw)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "kw", "wider than the padded input");
	if ((uint64_t)g->kh * g->kw * cin > DRM_QUASAR_DIM_MAX)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "kh",
				"kh * kw * Cin must be at most 65536");
	g->oh = (uint32_t)((hp - g->kh) / g->stride + 1);
	g->ow = (uint32_t)((wp - g->kw) / g->stride + 1);
	if (b * g->oh * g->ow > DRM_QUASAR_DIM_MAX)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "y",
				"B * OH * OW must be at most 65536");
	return ISA_ST(OK);
}

static enum drm_quasar_status isa_check_conv2d(const uint8_t *cmd, struct isa_gemm *g,
					       struct isa_why *why)
{
	enum drm_quasar_status st;

	if (isa_le32(cmd + ISA_CONV(reserved)))
		return isa_fail(why, ISA_ST(BAD_FLAGS), "reserved", "must be 0");
	st = isa_gemm_operands(cmd, ISA_CONV(x), ISA_CONV(w), ISA_CONV(wp), ISA_CONV(y), g,
			       why);
	if (st)
		return st;
	g->bias = isa_le64(cmd + ISA_CONV(bias));
	g->residual = 0;
	g->alpha = isa_le32(cmd + ISA_CONV(alpha));
	g->act = isa_le32(cmd + ISA_CONV(act));
	st = isa_gemm_epilogue(g, isa_le32(cmd + ISA_CONV(flags)), why);
	if (st)
		return st;
	g->kh = isa_le32(cmd + ISA_CONV(kh));
	g->kw = isa_le32(cmd + ISA_CONV(kw));
	g->stride = isa_le32(cmd + ISA_CONV(stride));
	g->pad = isa_le32(cmd + ISA_CONV(pad));
	st = isa_conv2d_out(g, why);
	if (st)
		return st;
	if ((uint64_t)g->kh * g->kw * g->x.dims[3] != g->w.k)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "w", "K must be kh * kw * Cin");
	if (g->y.dims[0] != g->x.dims[0] || g->y.dims[1] != g->oh || g->y.dims[2] != g->ow)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "y", "dims must be {B, OH, OW, N}");
	g->m = (uint32_t)g->y.rows;
	return ISA_ST(OK);
}

/* ---- row operations (docs/isa.md 7.1, 7.2) ---- */

/* x and y FP32 with the same dims: norms, SOFTMAX, ROPE. */
static enum drm_quasar_status isa_rows_xy(const uint8_t *cmd, size_t x, size_t y,
					  struct isa_rows *r, struct isa_why *why)
{
	enum drm_quasar_status st;

	r->nin = 1;
	r->nvec = 0;
	r->ntab = 0;
	r->eps = 0;
	r->causal = false;
	r->causal_offset = 0;
	r->row_b = false;
	st = isa_tensor_plain(cmd + x, DRM_QUASAR_FORMAT_FP32, "x", &r->in[0], why);
	if (!st)
		st = isa_tensor_plain(cmd + y, DRM_QUASAR_FORMAT_FP32, "y", &r->y, why);
	if (st)
		return st;
	if (!isa_same_dims(&r->in[0], &r->y))
		return isa_fail(why, ISA_ST(BAD_SHAPE), "y", "dims must be x's");
	return ISA_ST(OK);
}

/* An FP32 vector or table of @bytes at @addr, required. */
static enum drm_quasar_status isa_fp32_buf(uint64_t addr, uint64_t bytes, const char *name,
					   struct isa_why *why)
{
	if (addr % 4)
		return isa_fail(why, ISA_ST(BAD_ALIGN), name, "must be a multiple of 4");
	if (isa_wraps(addr, bytes))
		return isa_fail(why, ISA_ST(BAD_RANGE), name, "its FP32 values wrap past 2^64");
	return ISA_ST(OK);
}

static enum drm_quasar_status isa_check_norm(const uint8_t *cmd, uint16_t op,
					     struct isa_rows *r, struct isa_why *why)
{
	static const char *const names[2] = { "gain", "bias" };
	bool ln = op == DRM_QUASAR_OP_LAYERNORM;
	enum drm_quasar_status st;

	if (isa_le32(cmd + ISA_NORM(reserved)))
		return isa_fail(why, ISA_ST(BAD_FLAGS), "reserved", "must be 0");
	st = isa_rows_xy(cmd, ISA_NORM(x), ISA_NORM(y), r, why);
	if (st)
		return st;
	r->vec[0] = isa_le64(cmd + ISA_NORM(gain));
	r->vec[1] = isa_le64(cmd + ISA_NORM(bias));
	r->nvec = ln ? 2 : 1;
	if (!r->vec[0])
		return isa_fail(why, ISA_ST(BAD_OPERAND), "gain", "must not be 0");
	if (ln && !r->vec[1])
		return isa_fail(why, ISA_ST(BAD_OPERAND), "bias", "LAYERNORM needs one");
	if (!ln && r->vec[1])
		return isa_fail(why, ISA_ST(BAD_OPERAND), "bias", "must be 0 for RMSNORM");
	for (uint32_t i = 0; i < r->nvec; i++) {
		st = isa_fp32_buf(r->vec[i], (uint64_t)r->y.dims[3] * 4, names[i], why);
		if (st)
			return st;
	}
	r->eps = isa_le32(cmd + ISA_NORM(eps));
	return ISA_ST(OK);
}

static enum drm_quasar_status isa_check_rope(const uint8_t *cmd, struct isa_rows *r,
					     struct isa_why *why)
{
	static const char *const names[2] = { "cos", "sin" };
	enum drm_quasar_status st;

	st = isa_rows_xy(cmd, ISA_ROPE(x), ISA_ROPE(y), r, why);
	if (st)
		return st;
	if (r->y.dims[3] % 2)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "x", "dims[3] must be even");
	r->tab[0] = isa_le64(cmd + ISA_ROPE(cos));
	r->tab[1] = isa_le64(cmd + ISA_ROPE(sin));
	r->ntab = 2;
	for (uint32_t i = 0; i < 2; i++) {
		if (!r->tab[i])
			return isa_fail(why, ISA_ST(BAD_OPERAND), names[i], "must not be 0");
		/* rows * D / 2 * 4 < 2^48 * 2^17: no wrap before the check. */
		st = isa_fp32_buf(r->tab[i], r->y.rows * (r->y.dims[3] / 2) * 4, names[i], why);
		if (st)
			return st;
	}
	return ISA_ST(OK);
}

/* SOFTMAX, both forms: the v2 form's flags first, then v1's rules. */
static enum drm_quasar_status isa_check_softmax(const uint8_t *cmd, uint16_t len,
						struct isa_rows *r, struct isa_why *why)
{
	uint32_t flags = 0, offset = 0;
	enum drm_quasar_status st;

	if (len == sizeof(struct drm_quasar_cmd_softmax_v2)) {
		flags = isa_le32(cmd + ISA_SMAX2(flags));
		offset = isa_le32(cmd + ISA_SMAX2(causal_offset));
		if (flags & ~DRM_QUASAR_SOFTMAX_CAUSAL)
			return isa_fail(why, ISA_ST(BAD_FLAGS), "flags", "only CAUSAL may be set");
		if (!(flags & DRM_QUASAR_SOFTMAX_CAUSAL) && offset)
			return isa_fail(why, ISA_ST(BAD_FLAGS), "causal_offset",
					"must be 0 without CAUSAL");
	}
	st = isa_rows_xy(cmd, ISA_SMAX(x), ISA_SMAX(y), r, why);
	r->causal = flags & DRM_QUASAR_SOFTMAX_CAUSAL;
	r->causal_offset = offset;
	return st;
}

/* ADD and MUL, both forms: the v2 form's flags and reserved word first. */
static enum drm_quasar_status isa_check_eltwise(const uint8_t *cmd, uint16_t len,
						struct isa_rows *r, struct isa_why *why)
{
	enum drm_quasar_status st;
	uint32_t flags = 0;

	if (len == sizeof(struct drm_quasar_cmd_eltwise_v2)) {
		flags = isa_le32(cmd + ISA_ELT2(flags));
		if (flags & ~DRM_QUASAR_ELTWISE_ROW_B)
			return isa_fail(why, ISA_ST(BAD_FLAGS), "flags", "only ROW_B may be set");
		if (isa_le32(cmd + ISA_ELT2(reserved)))
			return isa_fail(why, ISA_ST(BAD_FLAGS), "reserved", "must be 0");
	}
	r->nin = 2;
	r->nvec = 0;
	r->ntab = 0;
	r->eps = 0;
	r->causal = false;
	r->causal_offset = 0;
	r->row_b = flags & DRM_QUASAR_ELTWISE_ROW_B;
	st = isa_tensor_plain(cmd + ISA_ELT(a), DRM_QUASAR_FORMAT_FP32, "a", &r->in[0], why);
	if (!st)
		st = isa_tensor_plain(cmd + ISA_ELT(b), DRM_QUASAR_FORMAT_FP32, "b", &r->in[1],
				      why);
	if (!st)
		st = isa_tensor_plain(cmd + ISA_ELT(y), DRM_QUASAR_FORMAT_FP32, "y", &r->y, why);
	if (st)
		return st;
	if (!isa_same_dims(&r->in[0], &r->y))
		return isa_fail(why, ISA_ST(BAD_SHAPE), "y", "dims must be a's");
	if (r->row_b && (r->in[1].rows != 1 || r->in[1].dims[3] != r->y.dims[3]))
		return isa_fail(why, ISA_ST(BAD_SHAPE), "b",
				"with ROW_B must be one row {1, 1, 1, dims[3] of y}");
	if (!r->row_b && !isa_same_dims(&r->in[1], &r->y))
		return isa_fail(why, ISA_ST(BAD_SHAPE), "b", "dims must be y's");
	return ISA_ST(OK);
}

/* ---- MATMUL (docs/isa.md 11.2) ---- */

static enum drm_quasar_status isa_check_matmul(const uint8_t *cmd, struct isa_matmul *mm,
					       struct isa_why *why)
{
	const uint32_t known = DRM_QUASAR_MATMUL_TRANS_B | DRM_QUASAR_MATMUL_CAUSAL;
	uint32_t flags = isa_le32(cmd + ISA_MM(flags)), kb, nb;
	enum drm_quasar_status st;

	mm->alpha = isa_le32(cmd + ISA_MM(alpha));
	mm->causal_offset = isa_le32(cmd + ISA_MM(causal_offset));
	mm->trans_b = flags & DRM_QUASAR_MATMUL_TRANS_B;
	mm->causal = flags & DRM_QUASAR_MATMUL_CAUSAL;
	if (isa_le32(cmd + ISA_MM(reserved)))
		return isa_fail(why, ISA_ST(BAD_FLAGS), "reserved", "must be 0");
	if (flags & ~known)
		return isa_fail(why, ISA_ST(BAD_FLAGS), "flags",
				"only TRANS_B and CAUSAL may be set");
	if (!mm->causal && mm->causal_offset)
		return isa_fail(why, ISA_ST(BAD_FLAGS), "causal_offset",
				"must be 0 without CAUSAL");
	st = isa_tensor_plain(cmd + ISA_MM(a), DRM_QUASAR_FORMAT_FP32, "a", &mm->a, why);
	if (!st)
		st = isa_tensor_plain(cmd + ISA_MM(b), DRM_QUASAR_FORMAT_FP32, "b", &mm->b, why);
	if (!st)
		st = isa_tensor_plain(cmd + ISA_MM(y), DRM_QUASAR_FORMAT_FP32, "y", &mm->y, why);
	if (st)
		return st;
	if (mm->a.dims[0] != mm->y.dims[0] || mm->a.dims[1] != mm->y.dims[1])
		return isa_fail(why, ISA_ST(BAD_SHAPE), "a", "dims[0..1] must be y's (the batch)");
	if (mm->b.dims[0] != mm->y.dims[0] || mm->b.dims[1] != mm->y.dims[1])
		return isa_fail(why, ISA_ST(BAD_SHAPE), "b", "dims[0..1] must be y's (the batch)");
	if (mm->a.dims[2] != mm->y.dims[2])
		return isa_fail(why, ISA_ST(BAD_SHAPE), "a", "dims[2] must be y's (M)");
	mm->m = mm->y.dims[2];
	mm->n = mm->y.dims[3];
	mm->k = mm->a.dims[3];
	kb = mm->trans_b ? mm->b.dims[3] : mm->b.dims[2];
	nb = mm->trans_b ? mm->b.dims[2] : mm->b.dims[3];
	if (kb != mm->k)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "b", mm->trans_b ?
				"with TRANS_B dims[3] must be a's dims[3] (K)" :
				"dims[2] must be a's dims[3] (K)");
	if (nb != mm->n)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "b", mm->trans_b ?
				"with TRANS_B dims[2] must be y's dims[3] (N)" :
				"dims[3] must be y's dims[3] (N)");
	mm->batch = (uint64_t)mm->y.dims[0] * mm->y.dims[1];
	return ISA_ST(OK);
}

/* ---- GATHER and CONVERT (docs/isa.md 7.1, 7.2) ---- */

static enum drm_quasar_status isa_check_gather(const uint8_t *cmd, struct isa_gather *g,
					       struct isa_why *why)
{
	enum drm_quasar_status st;

	st = isa_tensor_weights(cmd + ISA_GATH(table), cmd + ISA_GATH(tp), &isa_wn_table,
				&g->table, why);
	if (!st)
		st = isa_tensor_plain(cmd + ISA_GATH(ids), DRM_QUASAR_FORMAT_U32, "ids", &g->ids,
				      why);
	if (!st)
		st = isa_tensor_plain(cmd + ISA_GATH(y), DRM_QUASAR_FORMAT_FP32, "y", &g->y, why);
	if (st)
		return st;
	g->count = g->ids.rows * g->ids.dims[3];
	if (g->ids.rows != 1)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "ids", "must be one row {1, 1, 1, count}");
	if (g->y.rows != g->count)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "y", "must have one row per id");
	if (g->y.dims[3] != g->table.k)
		return isa_fail(why, ISA_ST(BAD_SHAPE), "y", "dims[3] must be the table's K");
	return ISA_ST(OK);
}

static enum drm_quasar_status isa_check_convert(const uint8_t *cmd, struct isa_cmd *dec,
						struct isa_why *why)
{
	struct isa_tensor src, dst;
	enum drm_quasar_status st;

	st = isa_tensor_get(cmd + ISA_CONVT(src), "src", &src, why);
	if (!st)
		st = isa_tensor_plain(cmd + ISA_CONVT(dst), 0, "dst", &dst, why);
	if (st)
		return st;
	if (isa_fmt_packed(src.format)) {
		struct isa_dequant *d = &dec->dequant;

		dec->form = ISA_FORM_DEQUANT;
		st = isa_tensor_weights(cmd + ISA_CONVT(src), cmd + ISA_CONVT(sp), &isa_wn_src,
					&d->src, why);
		if (st)
			return st;
		d->dst = dst;
		if (dst.format == DRM_QUASAR_FORMAT_U32)
			return isa_fail(why, ISA_ST(BAD_FORMAT), "dst",
					"packed weights dequantize to FP32 or BF16");
		if (dst.rows != d->src.n || dst.dims[3] != d->src.k)
			return isa_fail(why, ISA_ST(BAD_SHAPE), "dst",
					"must be N rows of K, as the weights");
		return ISA_ST(OK);
	}
	for (uint32_t i = 0; i < sizeof(struct drm_quasar_wparams); i++)
		if (cmd[ISA_CONVT(sp) + i])
			return isa_fail(why, ISA_ST(BAD_OPERAND), "sp",
					"must be all 0 for a plain src");
	if (!((src.format == DRM_QUASAR_FORMAT_BF16 && dst.format == DRM_QUASAR_FORMAT_FP32) ||
	      (src.format == DRM_QUASAR_FORMAT_FP32 && dst.format == DRM_QUASAR_FORMAT_BF16)))
		return isa_fail(why, ISA_ST(BAD_FORMAT), "dst",
				"plain conversions are BF16 to FP32 and FP32 to BF16");
	if (!isa_same_dims(&src, &dst))
		return isa_fail(why, ISA_ST(BAD_SHAPE), "dst", "dims must be src's");
	dec->rows = (struct isa_rows){ .in = { src }, .nin = 1, .y = dst };
	return ISA_ST(OK);
}

/* ---- the entry points ---- */

enum drm_quasar_status isa_check_header(const void *hdr, size_t avail, uint32_t *len,
					struct isa_why *why)
{
	const uint8_t *h = hdr;
	uint16_t op, length;

	if (avail < ISA_CMD_HDR_LEN)
		return isa_fail(why, ISA_ST(BAD_LENGTH), "hdr",
				"fewer than 8 bytes left for a header");
	op = isa_le16(h + ISA_HDR(opcode));
	length = isa_le16(h + ISA_HDR(length));
	if (op >= ISA_NUM_OPS)
		return isa_fail(why, ISA_ST(BAD_OPCODE), "hdr.opcode", "not an opcode of the ISA");
	if (length != isa_cmd_len[op] && (!isa_cmd_len_v2[op] || length != isa_cmd_len_v2[op]))
		return isa_fail(why, ISA_ST(BAD_LENGTH), "hdr.length",
				"must be one of the opcode's command sizes exactly");
	if (length > avail)
		return isa_fail(why, ISA_ST(BAD_LENGTH), "hdr.length",
				"the command runs past the end of the stream");
	if (isa_le32(h + ISA_HDR(flags)))
		return isa_fail(why, ISA_ST(BAD_FLAGS), "hdr.flags", "must be 0");
	*len = length;
	return ISA_ST(OK);
}

enum drm_quasar_status isa_check_operands(const void *cmd, struct isa_cmd *dec,
					  struct isa_why *why)
{
	const uint8_t *c = cmd;

	dec->opcode = isa_le16(c + ISA_HDR(opcode));
	dec->length = isa_le16(c + ISA_HDR(length));
	dec->form = ISA_FORM_NONE;
	switch (dec->opcode) {
	case DRM_QUASAR_OP_FILL:
		dec->form = ISA_FORM_FILL;
		return isa_check_fill(c, &dec->fill, why);
	case DRM_QUASAR_OP_COPY:
		dec->form = ISA_FORM_COPY;
		return isa_check_copy(c, &dec->copy, why);
	case DRM_QUASAR_OP_WRITE_VALUE:
		dec->form = ISA_FORM_WRITE_VALUE;
		return isa_check_write_value(c, &dec->write_value, why);
	case DRM_QUASAR_OP_ISA_VERSION:
		return isa_check_version(c, why);
	case DRM_QUASAR_OP_GEMM:
		dec->form = ISA_FORM_GEMM;
		return isa_check_gemm(c, &dec->gemm, why);
	case DRM_QUASAR_OP_CONV2D:
		dec->form = ISA_FORM_GEMM;
		return isa_check_conv2d(c, &dec->gemm, why);
	case DRM_QUASAR_OP_RMSNORM:
	case DRM_QUASAR_OP_LAYERNORM:
		dec->form = ISA_FORM_ROWS;
		return isa_check_norm(c, dec->opcode, &dec->rows, why);
	case DRM_QUASAR_OP_SOFTMAX:
		dec->form = ISA_FORM_ROWS;
		return isa_check_softmax(c, dec->length, &dec->rows, why);
	case DRM_QUASAR_OP_ROPE:
		dec->form = ISA_FORM_ROWS;
		return isa_check_rope(c, &dec->rows, why);
	case DRM_QUASAR_OP_ADD:
	case DRM_QUASAR_OP_MUL:
		dec->form = ISA_FORM_ROWS;
		return isa_check_eltwise(c, dec->length, &dec->rows, why);
	case DRM_QUASAR_OP_MATMUL:
		dec->form = ISA_FORM_MATMUL;
		return isa_check_matmul(c, &dec->matmul, why);
	case DRM_QUASAR_OP_GATHER:
		dec->form = ISA_FORM_GATHER;
		return isa_check_gather(c, &dec->gather, why);
	case DRM_QUASAR_OP_CONVERT:
		dec->form = ISA_FORM_ROWS;
		return isa_check_convert(c, dec, why);
	case DRM_QUASAR_OP_NOP:
	case DRM_QUASAR_OP_BARRIER:	/* the header is the whole command */
		return ISA_ST(OK);
	default:
		return isa_fail(why, ISA_ST(BAD_OPCODE), "hdr.opcode", "not an opcode of the ISA");
	}
}

enum drm_quasar_status isa_validate(const void *cmd, size_t avail, struct isa_cmd *dec,
				    struct isa_why *why)
{
	uint32_t len;
	enum drm_quasar_status st = isa_check_header(cmd, avail, &len, why);

	return st ? st : isa_check_operands(cmd, dec, why);
}
