// SPDX-License-Identifier: MIT
/*
 * Quasar models: a device program's memory plan, its ops, and its stream
 * (mdl_program.h). The stream is libaccel's (accel_stream.h): this file
 * only turns planned tensors into operands at the regions' addresses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_program.h"
#include "mdl_util.h"

#define MDL_A64(x) (((x) + MDL_PROGRAM_ALIGN - 1) & ~(uint64_t)(MDL_PROGRAM_ALIGN - 1))

int mdl_program_init(struct mdl_program *p, uint32_t batch)
{
	memset(p, 0, sizeof(*p));
	if (batch == 0 || batch > DRM_QUASAR_DIM_MAX)
		return -EINVAL;
	p->batch = batch;
	p->input = -1;
	p->output = -1;
	return 0;
}

void mdl_program_free(struct mdl_program *p)
{
	free(p->weights);
	free(p->t);
	free(p->op);
	memset(p, 0, sizeof(*p));
}

uint64_t mdl_tensor_bytes(const struct mdl_dev_tensor *t, uint32_t rows)
{
	if (accel_format_is_packed(t->format))
		return t->bytes;
	return (uint64_t)(t->batched ? rows : t->rows) * t->cols *
	       accel_format_elem_size(t->format);
}

/* A new tensor record at the end of @region, @bytes long; its id or -errno. */
static int mdl_program_place(struct mdl_program *p, const char *name, uint32_t region,
			     uint64_t bytes)
{
	struct mdl_dev_tensor *t;

	if (region >= MDL_REGIONS || !bytes)
		return -EINVAL;
	if (p->nt == p->cap_t) {
		uint32_t cap = p->cap_t ? 2 * p->cap_t : 16;

		t = realloc(p->t, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		p->t = t;
		p->cap_t = cap;
	}
	if (region == MDL_REGION_WEIGHTS) {
		uint8_t *nw = realloc(p->weights, p->size[region] + MDL_A64(bytes));

		if (!nw)
			return -ENOMEM;
		memset(nw + p->size[region], 0, MDL_A64(bytes));
		p->weights = nw;
	}
	t = &p->t[p->nt];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->region = region;
	t->offset = p->size[region];
	t->bytes = bytes;
	p->size[region] += MDL_A64(bytes);
	return (int)p->nt++;
}

static int mdl_program_plain(struct mdl_program *p, const char *name, uint32_t region,
			     uint32_t format, uint32_t rows, uint32_t cols, bool batched)
{
	uint64_t esize = accel_format_elem_size(format);
	uint32_t r = batched ? p->batch : rows;
	int id;

	if (!esize || !r || !cols || r > DRM_QUASAR_DIM_MAX || cols > DRM_QUASAR_DIM_MAX)
		return -EINVAL;
	id = mdl_program_place(p, name, region, (uint64_t)r * cols * esize);
	if (id < 0)
		return id;
	p->t[id].format = format;
	p->t[id].rows = r;
	p->t[id].cols = cols;
	p->t[id].batched = batched;
	return id;
}

int mdl_program_tensor(struct mdl_program *p, const char *name, uint32_t region,
		       uint32_t format, uint32_t rows, uint32_t cols, bool batched)
{
	if (region == MDL_REGION_WEIGHTS)
		return -EINVAL;	/* its contents come with it: mdl_program_const() */
	return mdl_program_plain(p, name, region, format, rows, cols, batched);
}

int mdl_program_weights(struct mdl_program *p, const char *name, const struct accel_weights *w)
{
	uint64_t bytes = accel_weights_size(w);
	int id;

	if (!bytes)
		return -EINVAL;
	id = mdl_program_place(p, name, MDL_REGION_WEIGHTS, bytes);
	if (id < 0)
		return id;
	if (accel_weights_image(w, p->weights + p->t[id].offset))
		return -EINVAL;
	p->t[id].format = w->format;
	p->t[id].rows = w->n;
	p->t[id].cols = w->k;
	p->t[id].w = *w;
	p->t[id].w.data = p->t[id].w.scales = p->t[id].w.zeros = p->t[id].w.meta = NULL;
	return id;
}

int mdl_program_const(struct mdl_program *p, const char *name, const float *v, uint32_t rows,
		      uint32_t cols, bool batched)
{
	int id = mdl_program_plain(p, name, MDL_REGION_WEIGHTS, DRM_QUASAR_FORMAT_FP32, rows,
				   cols, batched);
	float *dst;

	if (id < 0)
		return id;
	dst = (float *)(p->weights + p->t[id].offset);
	for (uint32_t r = 0; r < p->t[id].rows; r++)
		memcpy(dst + (size_t)r * cols, batched ? v : v + (size_t)r * cols,
		       sizeof(float) * cols);
	return id;
}

static int mdl_program_op(struct mdl_program *p, const struct mdl_dev_op *op)
{
	if (op->y >= p->nt || op->a >= p->nt || (op->kind != MDL_DEV_CONVERT && op->b >= p->nt) ||
	    op->bias >= (int32_t)p->nt)
		return -EINVAL;
	if (p->nop == p->cap_op) {
		uint32_t cap = p->cap_op ? 2 * p->cap_op : 16;
		struct mdl_dev_op *no = realloc(p->op, cap * sizeof(*no));

		if (!no)
			return -ENOMEM;
		p->op = no;
		p->cap_op = cap;
	}
	p->op[p->nop++] = *op;
	return 0;
}

int mdl_program_gemm(struct mdl_program *p, uint32_t y, uint32_t x, uint32_t w, int32_t bias,
		     uint32_t act, uint32_t flags)
{
	struct mdl_dev_op op = { MDL_DEV_GEMM, y, x, w, bias, act, flags };

	return mdl_program_op(p, &op);
}

int mdl_program_mul(struct mdl_program *p, uint32_t y, uint32_t a, uint32_t b)
{
	struct mdl_dev_op op = { MDL_DEV_MUL, y, a, b, -1, 0, 0 };

	return mdl_program_op(p, &op);
}

int mdl_program_convert(struct mdl_program *p, uint32_t y, uint32_t x)
{
	struct mdl_dev_op op = { MDL_DEV_CONVERT, y, x, 0, -1, 0, 0 };

	return mdl_program_op(p, &op);
}

/* Tensor @id of @p as an operand of a run of @rows rows with the regions at @base. */
static int mdl_operand(const struct mdl_program *p, uint32_t id, const uint64_t *base,
		       uint32_t rows, struct accel_operand *o)
{
	const struct mdl_dev_tensor *t = &p->t[id];
	uint64_t addr = base[t->region] + t->offset;

	if (accel_format_is_packed(t->format))
		return accel_operand_weights(&t->w, addr, o);
	return accel_operand_plain(addr, t->format, 2,
				   (uint32_t[]){ t->batched ? rows : t->rows, t->cols }, o);
}

static const char *const mdl_op_names[] = {
	[MDL_DEV_GEMM] = "GEMM", [MDL_DEV_MUL] = "MUL", [MDL_DEV_CONVERT] = "CONVERT",
};

int mdl_program_stream(const struct mdl_program *p, const uint64_t base[MDL_REGIONS],
		       uint32_t rows, struct accel_stream *s, char *err, size_t errlen)
{
	struct accel_operand y, a, b, bias;
	uint32_t i;
	int ret;

	if (rows == 0 || rows > p->batch)
		return mdl_err(err, errlen, -EINVAL, "a run of %u rows (the plan has 1..%u)", rows,
			       p->batch);
	accel_stream_reset(s);
	for (i = 0; i < p->nop; i++) {
		const struct mdl_dev_op *op = &p->op[i];

		ret = mdl_operand(p, op->y, base, rows, &y) ||
		      mdl_operand(p, op->a, base, rows, &a) ||
		      (op->kind != MDL_DEV_CONVERT && mdl_operand(p, op->b, base, rows, &b)) ||
		      (op->bias >= 0 && mdl_operand(p, (uint32_t)op->bias, base, rows, &bias));
		if (ret)
			return mdl_err(err, errlen, -EINVAL,
				       "op %u (%s %s): a tensor has no operand", i,
				       mdl_op_names[op->kind], p->t[op->y].name);
		switch (op->kind) {
		case MDL_DEV_GEMM:
			ret = accel_stream_gemm(s, &y, &a, &b, &(struct accel_stream_epilogue){
				.alpha = 1.0f, .act = op->act, .flags = op->flags,
				.bias = op->bias >= 0 ? &bias : NULL });
			break;
		case MDL_DEV_MUL:
			ret = accel_stream_mul(s, &y, &a, &b);
			break;
		default:
			ret = accel_stream_convert(s, &y, &a);
			break;
		}
		if (ret)
			return mdl_err(err, errlen, ret, "op %u (%s %s): %s", i,
				       mdl_op_names[op->kind], p->t[op->y].name,
				       accel_stream_last_error(s));
	}
	return 0;
}
