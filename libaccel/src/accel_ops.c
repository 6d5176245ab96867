// SPDX-License-Identifier: MIT
/*
 * The op builder: one call per compute op (ISA v1 and v2), from tensors to one
 * command. Each call checks that its tensors are there and on this
 * device, encodes and checks the command (accel_encode.c), refuses an
 * output that overlaps an input, and appends the command through one
 * call, accel_cmdbuf_append_op(), naming what it reads and writes: the
 * command buffer adds the ISA_VERSION and BARRIER the stream needs and
 * records the BOs (accel_cmdbuf.c; the rules are in accel_ops.h).
 */
#include <errno.h>

#include "accel_internal.h"

/* The tensors of one command: inputs (NULL entries skipped) and output. */
struct accel_op_args {
	const char *name;
	const struct accel_tensor *in[ACCEL_OP_MAX_IN];
	const char *in_name[ACCEL_OP_MAX_IN];
	const struct accel_tensor *out;
};

/* Required operands present and on this command buffer's device. */
static int accel_op_operands(struct accel_cmdbuf *cb, const struct accel_op_args *a,
			     uint32_t required)
{
	uint32_t i;

	if (!a->out)
		return accel_fail(cb->dev, -EINVAL, "%s: output tensor is NULL", a->name);
	if (a->out->dev != cb->dev)
		return accel_fail(cb->dev, -EINVAL, "%s: output tensor of another device",
				  a->name);
	for (i = 0; i < ACCEL_OP_MAX_IN; i++) {
		if (!a->in[i] && i < required)
			return accel_fail(cb->dev, -EINVAL, "%s: %s is NULL", a->name,
					  a->in_name[i]);
		if (a->in[i] && a->in[i]->dev != cb->dev)
			return accel_fail(cb->dev, -EINVAL, "%s: %s is a tensor of another device",
					  a->name, a->in_name[i]);
	}
	return 0;
}

/*
 * The encoder's verdict @st on @cmd: a refusal with the device status it
 * names, or an output sharing a byte with an input (undefined on the
 * device, docs/isa.md 6.2), or the command appended to the stream.
 */
static int accel_op_append(struct accel_cmdbuf *cb, const struct accel_op_args *a,
			   uint32_t st, const struct accel_why *why, const void *cmd, size_t len)
{
	uint64_t at;

	if (st)
		return accel_fail(cb->dev, -EINVAL,
				  "%s refused on the host: %s (device status %s)", a->name,
				  why->text, accel_status_name(st));
	for (uint32_t i = 0; i < ACCEL_OP_MAX_IN; i++)
		if (a->in[i] && accel_operand_overlap(&a->out->op, &a->in[i]->op, &at))
			return accel_fail(cb->dev, -EINVAL,
					  "%s: output overlaps %s at 0x%llx (undefined on the device)",
					  a->name, a->in_name[i], (unsigned long long)at);
	return accel_cmdbuf_append_op(cb, cmd, len, a->in, ACCEL_OP_MAX_IN, a->out);
}

static const struct accel_operand *accel_opnd(const struct accel_tensor *t)
{
	return t ? &t->op : NULL;
}

/* Epilogue from the public form; NULL: alpha 1 and nothing else. */
static struct accel_enc_epi accel_epi(const struct accel_epilogue *epi)
{
	if (!epi)
		return (struct accel_enc_epi){ .alpha = 1.0f };
	return (struct accel_enc_epi){
		.alpha = epi->alpha, .act = epi->act, .flags = epi->flags,
		.bias = accel_opnd(epi->bias), .residual = accel_opnd(epi->residual),
	};
}

int accel_op_gemm(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		  const struct accel_tensor *x, const struct accel_tensor *w,
		  const struct accel_epilogue *epi)
{
	struct accel_op_args a = {
		"GEMM", { x, w, epi ? epi->bias : NULL, epi ? epi->residual : NULL },
		{ "x", "w", "bias", "residual" }, y,
	};
	struct accel_enc_epi e = accel_epi(epi);
	struct drm_quasar_cmd_gemm c;
	struct accel_why why;
	uint32_t st;
	int err = accel_op_operands(cb, &a, 2);

	if (err)
		return err;
	st = accel_enc_gemm(&c, &y->op, &x->op, &w->op, &e, &why);
	return accel_op_append(cb, &a, st, &why, &c, sizeof(c));
}

int accel_op_conv2d(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		    const struct accel_tensor *x, const struct accel_tensor *w,
		    const struct accel_conv2d *geom, const struct accel_epilogue *epi)
{
	struct accel_op_args a = {
		"CONV2D", { x, w, epi ? epi->bias : NULL, epi ? epi->residual : NULL },
		{ "x", "w", "bias", "residual" }, y,
	};
	struct accel_enc_epi e = accel_epi(epi);
	struct drm_quasar_cmd_conv2d c;
	struct accel_why why;
	uint32_t st;
	int err = accel_op_operands(cb, &a, 2);

	if (err)
		return err;
	if (!geom)
		return accel_fail(cb->dev, -EINVAL, "CONV2D: filter geometry is NULL");
	st = accel_enc_conv2d(&c, &y->op, &x->op, &w->op, geom->kh, geom->kw, geom->stride,
			      geom->pad, &e, &why);
	return accel_op_append(cb, &a, st, &why, &c, sizeof(c));
}

static int accel_op_norm(struct accel_cmdbuf *cb, uint16_t op, const struct accel_tensor *y,
			 const struct accel_tensor *x, const struct accel_tensor *gain,
			 const struct accel_tensor *bias, float eps)
{
	bool ln = op == DRM_QUASAR_OP_LAYERNORM;
	struct accel_op_args a = {
		ln ? "LAYERNORM" : "RMSNORM", { x, gain, bias }, { "x", "gain", "bias" }, y,
	};
	struct drm_quasar_cmd_norm c;
	struct accel_why why;
	uint32_t st;
	int err = accel_op_operands(cb, &a, ln ? 3 : 2);

	if (err)
		return err;
	st = accel_enc_norm(&c, op, &y->op, &x->op, accel_opnd(gain), accel_opnd(bias), eps,
			    &why);
	return accel_op_append(cb, &a, st, &why, &c, sizeof(c));
}

int accel_op_rmsnorm(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		     const struct accel_tensor *x, const struct accel_tensor *gain, float eps)
{
	return accel_op_norm(cb, DRM_QUASAR_OP_RMSNORM, y, x, gain, NULL, eps);
}

int accel_op_layernorm(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		       const struct accel_tensor *x, const struct accel_tensor *gain,
		       const struct accel_tensor *bias, float eps)
{
	return accel_op_norm(cb, DRM_QUASAR_OP_LAYERNORM, y, x, gain, bias, eps);
}

int accel_op_softmax(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		     const struct accel_tensor *x)
{
	struct accel_op_args a = { "SOFTMAX", { x }, { "x" }, y };
	struct drm_quasar_cmd_softmax c;
	struct accel_why why;
	uint32_t st;
	int err = accel_op_operands(cb, &a, 1);

	if (err)
		return err;
	st = accel_enc_softmax(&c, &y->op, &x->op, &why);
	return accel_op_append(cb, &a, st, &why, &c, sizeof(c));
}

int accel_op_rope(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		  const struct accel_tensor *x, const struct accel_tensor *cos,
		  const struct accel_tensor *sin)
{
	struct accel_op_args a = { "ROPE", { x, cos, sin }, { "x", "cos", "sin" }, y };
	struct drm_quasar_cmd_rope c;
	struct accel_why why;
	uint32_t st;
	int err = accel_op_operands(cb, &a, 3);

	if (err)
		return err;
	st = accel_enc_rope(&c, &y->op, &x->op, &cos->op, &sin->op, &why);
	return accel_op_append(cb, &a, st, &why, &c, sizeof(c));
}

static int accel_op_eltwise(struct accel_cmdbuf *cb, uint16_t op, const struct accel_tensor *y,
			    const struct accel_tensor *x0, const struct accel_tensor *x1)
{
	struct accel_op_args a = {
		op == DRM_QUASAR_OP_ADD ? "ADD" : "MUL", { x0, x1 }, { "a", "b" }, y,
	};
	struct drm_quasar_cmd_eltwise c;
	struct accel_why why;
	uint32_t st;
	int err = accel_op_operands(cb, &a, 2);

	if (err)
		return err;
	st = accel_enc_eltwise(&c, op, &y->op, &x0->op, &x1->op, &why);
	return accel_op_append(cb, &a, st, &why, &c, sizeof(c));
}

int accel_op_add(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		 const struct accel_tensor *a, const struct accel_tensor *b)
{
	return accel_op_eltwise(cb, DRM_QUASAR_OP_ADD, y, a, b);
}

int accel_op_mul(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		 const struct accel_tensor *a, const struct accel_tensor *b)
{
	return accel_op_eltwise(cb, DRM_QUASAR_OP_MUL, y, a, b);
}

int accel_op_gather(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		    const struct accel_tensor *table, const struct accel_tensor *ids)
{
	struct accel_op_args a = { "GATHER", { table, ids }, { "table", "ids" }, y };
	struct drm_quasar_cmd_gather c;
	struct accel_why why;
	uint32_t st;
	int err = accel_op_operands(cb, &a, 2);

	if (err)
		return err;
	st = accel_enc_gather(&c, &y->op, &table->op, &ids->op, &why);
	return accel_op_append(cb, &a, st, &why, &c, sizeof(c));
}

int accel_op_convert(struct accel_cmdbuf *cb, const struct accel_tensor *dst,
		     const struct accel_tensor *src)
{
	struct accel_op_args a = { "CONVERT", { src }, { "src" }, dst };
	struct drm_quasar_cmd_convert c;
	struct accel_why why;
	uint32_t st;
	int err = accel_op_operands(cb, &a, 1);

	if (err)
		return err;
	st = accel_enc_convert(&c, &dst->op, &src->op, &why);
	return accel_op_append(cb, &a, st, &why, &c, sizeof(c));
}

/* ---- ISA v2 (docs/isa.md 11) ---- */

int accel_op_matmul(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		    const struct accel_tensor *a, const struct accel_tensor *b, float alpha,
		    uint32_t flags, uint32_t causal_offset)
{
	struct accel_op_args args = { "MATMUL", { a, b }, { "a", "b" }, y };
	struct drm_quasar_cmd_matmul c;
	struct accel_why why;
	uint32_t st;
	int err = accel_op_operands(cb, &args, 2);

	if (err)
		return err;
	st = accel_enc_matmul(&c, &y->op, &a->op, &b->op, alpha, flags, causal_offset, &why);
	return accel_op_append(cb, &args, st, &why, &c, sizeof(c));
}

int accel_op_softmax_causal(struct accel_cmdbuf *cb, const struct accel_tensor *y,
			    const struct accel_tensor *x, uint32_t causal_offset)
{
	struct accel_op_args a = { "SOFTMAX", { x }, { "x" }, y };
	struct drm_quasar_cmd_softmax_v2 c;
	struct accel_why why;
	uint32_t st;
	int err = accel_op_operands(cb, &a, 1);

	if (err)
		return err;
	st = accel_enc_softmax_v2(&c, &y->op, &x->op, DRM_QUASAR_SOFTMAX_CAUSAL, causal_offset,
				  &why);
	return accel_op_append(cb, &a, st, &why, &c, sizeof(c));
}

static int accel_op_eltwise_row(struct accel_cmdbuf *cb, uint16_t op,
				const struct accel_tensor *y, const struct accel_tensor *x0,
				const struct accel_tensor *row)
{
	struct accel_op_args a = {
		op == DRM_QUASAR_OP_ADD ? "ADD" : "MUL", { x0, row }, { "a", "b" }, y,
	};
	struct drm_quasar_cmd_eltwise_v2 c;
	struct accel_why why;
	uint32_t st;
	int err = accel_op_operands(cb, &a, 2);

	if (err)
		return err;
	st = accel_enc_eltwise_v2(&c, op, &y->op, &x0->op, &row->op, DRM_QUASAR_ELTWISE_ROW_B,
				  &why);
	return accel_op_append(cb, &a, st, &why, &c, sizeof(c));
}

int accel_op_add_row(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		     const struct accel_tensor *a, const struct accel_tensor *b)
{
	return accel_op_eltwise_row(cb, DRM_QUASAR_OP_ADD, y, a, b);
}

int accel_op_mul_row(struct accel_cmdbuf *cb, const struct accel_tensor *y,
		     const struct accel_tensor *a, const struct accel_tensor *b)
{
	return accel_op_eltwise_row(cb, DRM_QUASAR_OP_MUL, y, a, b);
}
