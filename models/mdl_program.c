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

struct mdl_dev_view mdl_view_none(void)
{
	return (struct mdl_dev_view){ .t = MDL_NO_TENSOR };
}

struct mdl_dev_view mdl_view_all(const struct mdl_program *p, uint32_t id)
{
	const struct mdl_dev_tensor *t = id < p->nt ? &p->t[id] : NULL;

	return (struct mdl_dev_view){
		.t = id, .flags = t && t->batched ? MDL_VIEW_RUN_ROWS : 0,
		.rows = t ? t->rows : 0,
	};
}

static bool mdl_view_ok(const struct mdl_program *p, const struct mdl_dev_view *v, bool need)
{
	return v->t == MDL_NO_TENSOR ? !need : v->t < p->nt;
}

int mdl_program_op(struct mdl_program *p, const struct mdl_dev_op *op)
{
	/* operands each kind needs: a, b, c (d, the residual, is never required) */
	static const uint8_t need[MDL_DEV_OP_KINDS] = {
		[MDL_DEV_GEMM] = 3, [MDL_DEV_MUL] = 3, [MDL_DEV_CONVERT] = 1, [MDL_DEV_ADD] = 3,
		[MDL_DEV_RMSNORM] = 3, [MDL_DEV_ROPE] = 7, [MDL_DEV_MATMUL] = 3,
		[MDL_DEV_SOFTMAX] = 1, [MDL_DEV_EMBED] = 1,
	};

	if (op->kind >= MDL_DEV_OP_KINDS || !mdl_view_ok(p, &op->y, true) ||
	    !mdl_view_ok(p, &op->a, need[op->kind] & 1) ||
	    !mdl_view_ok(p, &op->b, need[op->kind] & 2) ||
	    !mdl_view_ok(p, &op->c, need[op->kind] & 4) || !mdl_view_ok(p, &op->d, false))
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

/* An op of @kind over whole tensors (-1 / MDL_NO_TENSOR: none). */
static int mdl_program_whole(struct mdl_program *p, uint32_t kind, uint32_t y, uint32_t a,
			     uint32_t b, int32_t c, uint32_t act, uint32_t flags)
{
	struct mdl_dev_op op = {
		.kind = kind, .y = mdl_view_all(p, y), .a = mdl_view_all(p, a),
		.b = b == MDL_NO_TENSOR ? mdl_view_none() : mdl_view_all(p, b),
		.c = c < 0 ? mdl_view_none() : mdl_view_all(p, (uint32_t)c),
		.d = mdl_view_none(), .act = act, .flags = flags,
	};

	if (y >= p->nt || a >= p->nt || (b != MDL_NO_TENSOR && b >= p->nt) ||
	    c >= (int32_t)p->nt)
		return -EINVAL;
	return mdl_program_op(p, &op);
}

int mdl_program_gemm(struct mdl_program *p, uint32_t y, uint32_t x, uint32_t w, int32_t bias,
		     uint32_t act, uint32_t flags)
{
	return mdl_program_whole(p, MDL_DEV_GEMM, y, x, w, bias, act, flags);
}

int mdl_program_mul(struct mdl_program *p, uint32_t y, uint32_t a, uint32_t b)
{
	return mdl_program_whole(p, MDL_DEV_MUL, y, a, b, -1, 0, 0);
}

int mdl_program_convert(struct mdl_program *p, uint32_t y, uint32_t x)
{
	return mdl_program_whole(p, MDL_DEV_CONVERT, y, x, MDL_NO_TENSOR, -1, 0, 0);
}

static const char *const mdl_op_names[MDL_DEV_OP_KINDS] = {
	[MDL_DEV_GEMM] = "GEMM", [MDL_DEV_MUL] = "MUL", [MDL_DEV_CONVERT] = "CONVERT",
	[MDL_DEV_ADD] = "ADD", [MDL_DEV_RMSNORM] = "RMSNORM", [MDL_DEV_ROPE] = "ROPE",
	[MDL_DEV_MATMUL] = "MATMUL", [MDL_DEV_SOFTMAX] = "SOFTMAX", [MDL_DEV_EMBED] = "EMBED",
};

const char *mdl_op_name(uint32_t kind)
{
	return kind < MDL_DEV_OP_KINDS ? mdl_op_names[kind] : "?";
}

int mdl_view_extent(const struct mdl_program *p, const struct mdl_dev_view *v,
		    const struct mdl_step *step, struct mdl_extent *e, char *why, size_t whylen)
{
	const struct mdl_dev_tensor *t = &p->t[v->t];
	uint64_t ctx = (uint64_t)step->pos + step->rows, seq0 = 0, end, seqs;
	uint32_t batch = v->batch > 1 ? v->batch : 1;

	if (t->seq_rows) {
		seqs = t->rows / t->seq_rows;
		if (step->seq >= seqs)
			return mdl_err(why, whylen, -EINVAL, "%s: sequence %u (it has slots for %llu)",
				       t->name, step->seq, (unsigned long long)seqs);
		seq0 = (uint64_t)step->seq * t->seq_rows;
	}
	e->row0 = v->row0 + (v->flags & MDL_VIEW_AT_POS ? step->pos : 0);
	e->rows = v->flags & MDL_VIEW_RUN_ROWS ? step->rows :
		  v->flags & MDL_VIEW_CTX_ROWS ? (uint32_t)(ctx > UINT32_MAX ? 0 : ctx) : v->rows;
	e->col0 = v->col0;
	e->cols = v->flags & MDL_VIEW_CTX_COLS ? (uint32_t)(ctx > UINT32_MAX ? 0 : ctx) :
		  v->cols ? v->cols : t->cols - (v->col0 < t->cols ? v->col0 : t->cols);
	if (!e->rows || !e->cols || ctx > UINT32_MAX)
		return mdl_err(why, whylen, -EINVAL, "%s: an empty view", t->name);
	/* the last row of the last matrix, inside the tensor's rows (or its slot) */
	end = e->row0 + (uint64_t)(batch - 1) * v->batch_rows + e->rows;
	if (end > (t->seq_rows ? t->seq_rows : (t->batched ? p->batch : t->rows)))
		return mdl_err(why, whylen, -EINVAL, "%s: rows %llu..%llu past its %u",
			       t->name, (unsigned long long)(end - e->rows),
			       (unsigned long long)end - 1,
			       t->seq_rows ? t->seq_rows : (t->batched ? p->batch : t->rows));
	if ((uint64_t)e->col0 + e->cols > t->cols)
		return mdl_err(why, whylen, -EINVAL, "%s: columns %u..%llu past its %u", t->name,
			       e->col0, (unsigned long long)e->col0 + e->cols - 1, t->cols);
	e->row0 += seq0;
	return 0;
}

int mdl_view_operand(const struct mdl_program *p, const struct mdl_dev_view *v,
		     const uint64_t *base, const struct mdl_step *step, struct accel_operand *o,
		     char *why, size_t whylen)
{
	const struct mdl_dev_tensor *t = &p->t[v->t];
	uint64_t addr = base[t->region] + t->offset, esize = accel_format_elem_size(t->format);
	uint32_t batch = v->batch > 1 ? v->batch : 1;
	struct mdl_extent e;
	int ret;

	if (accel_format_is_packed(t->format))
		return accel_operand_weights(&t->w, addr, o) ?
		       mdl_err(why, whylen, -EINVAL, "%s: no operand", t->name) : 0;
	ret = mdl_view_extent(p, v, step, &e, why, whylen);
	if (ret)
		return ret;
	if (accel_operand_plain(addr, t->format, 2, (uint32_t[]){ e.rows, e.cols }, o))
		return mdl_err(why, whylen, -EINVAL, "%s: no operand of %u x %u", t->name, e.rows,
			       e.cols);
	/* rows a tensor's pitch apart, matrices batch_rows rows apart */
	o->t.addr = addr + (e.row0 * t->cols + e.col0) * esize;
	o->t.dims[1] = batch;
	o->t.strides[2] = t->cols;
	o->t.strides[1] = batch > 1 ? v->batch_rows * t->cols : e.rows * t->cols;
	o->t.strides[0] = batch * o->t.strides[1];
	return 0;
}

/* The EMBED op: one COPY per row, from the table row its token names. */
static int mdl_stream_embed(const struct mdl_program *p, const struct mdl_dev_op *op,
			    const uint64_t *base, const struct mdl_step *step,
			    struct accel_stream *s, char *why, size_t whylen)
{
	const struct mdl_dev_tensor *tab = &p->t[op->a.t], *y = &p->t[op->y.t];
	uint64_t row = (uint64_t)y->cols * accel_format_elem_size(y->format);
	struct mdl_extent e;
	int ret;

	if (!step->tokens)
		return mdl_err(why, whylen, -EINVAL, "no token ids for the step");
	if (tab->cols != y->cols || tab->format != y->format || accel_format_is_packed(y->format))
		return mdl_err(why, whylen, -EINVAL, "table %s and %s differ in rows", tab->name,
			       y->name);
	ret = mdl_view_extent(p, &op->y, step, &e, why, whylen);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < e.rows; i++) {
		if (step->tokens[i] >= tab->rows)
			return mdl_err(why, whylen, -EINVAL,
				       "token %u at row %u is past the table's %u rows",
				       step->tokens[i], i, tab->rows);
		ret = accel_stream_copy(s, base[y->region] + y->offset + (e.row0 + i) * row,
					base[tab->region] + tab->offset + step->tokens[i] * row,
					row);
		if (ret)
			return mdl_err(why, whylen, ret, "%s", accel_stream_last_error(s));
	}
	return 0;
}

static int mdl_stream_op(const struct mdl_program *p, const struct mdl_dev_op *op,
			 const uint64_t *base, const struct mdl_step *step,
			 struct accel_stream *s, char *why, size_t whylen)
{
	struct accel_operand y, a, b, c, d;
	int ret;

	if (op->kind == MDL_DEV_EMBED)
		return mdl_stream_embed(p, op, base, step, s, why, whylen);
	ret = mdl_view_operand(p, &op->y, base, step, &y, why, whylen);
	if (!ret)
		ret = mdl_view_operand(p, &op->a, base, step, &a, why, whylen);
	if (!ret && op->b.t != MDL_NO_TENSOR)
		ret = mdl_view_operand(p, &op->b, base, step, &b, why, whylen);
	if (!ret && op->c.t != MDL_NO_TENSOR)
		ret = mdl_view_operand(p, &op->c, base, step, &c, why, whylen);
	if (!ret && op->d.t != MDL_NO_TENSOR)
		ret = mdl_view_operand(p, &op->d, base, step, &d, why, whylen);
	if (ret)
		return ret;
	switch (op->kind) {
	case MDL_DEV_GEMM:
		ret = accel_stream_gemm(s, &y, &a, &b, &(struct accel_stream_epilogue){
			.alpha = 1.0f, .act = op->act, .flags = op->flags,
			.bias = op->c.t != MDL_NO_TENSOR ? &c : NULL,
			.residual = op->d.t != MDL_NO_TENSOR ? &d : NULL });
		break;
	case MDL_DEV_MUL:
	case MDL_DEV_ADD: {
		/* a b of one row against an a of more: the row for every row (ISA v2) */
		bool row = b.t.dims[0] * b.t.dims[1] * b.t.dims[2] == 1 &&
			   a.t.dims[0] * a.t.dims[1] * a.t.dims[2] > 1;

		if (op->kind == MDL_DEV_MUL)
			ret = row ? accel_stream_mul_row(s, &y, &a, &b) :
				    accel_stream_mul(s, &y, &a, &b);
		else
			ret = row ? accel_stream_add_row(s, &y, &a, &b) :
				    accel_stream_add(s, &y, &a, &b);
		break;
	}
	case MDL_DEV_CONVERT:
		ret = accel_stream_convert(s, &y, &a);
		break;
	case MDL_DEV_RMSNORM:
		ret = accel_stream_rmsnorm(s, &y, &a, &b, op->scalar);
		break;
	case MDL_DEV_ROPE:
		ret = accel_stream_rope(s, &y, &a, &b, &c);
		break;
	case MDL_DEV_MATMUL:
		ret = accel_stream_matmul(s, &y, &a, &b, op->scalar, op->flags,
					  op->flags & DRM_QUASAR_MATMUL_CAUSAL ? step->pos : 0);
		break;
	default:
		ret = op->flags & DRM_QUASAR_SOFTMAX_CAUSAL ?
		      accel_stream_softmax_causal(s, &y, &a, step->pos) :
		      accel_stream_softmax(s, &y, &a);
		break;
	}
	if (ret)
		return mdl_err(why, whylen, ret, "%s", accel_stream_last_error(s));
	return 0;
}

int mdl_program_stream_step(const struct mdl_program *p, const uint64_t base[MDL_REGIONS],
			    const struct mdl_step *step, struct accel_stream *s, char *err,
			    size_t errlen)
{
	char why[448];
	uint32_t i;
	int ret;

	if (step->rows == 0 || step->rows > p->batch)
		return mdl_err(err, errlen, -EINVAL, "a run of %u rows (the plan has 1..%u)",
			       step->rows, p->batch);
	accel_stream_reset(s);
	for (i = 0; i < p->nop; i++) {
		const struct mdl_dev_op *op = &p->op[i];

		ret = mdl_stream_op(p, op, base, step, s, why, sizeof(why));
		if (ret)
			return mdl_err(err, errlen, ret, "op %u (%s %s): %s", i,
				       mdl_op_names[op->kind], p->t[op->y.t].name, why);
	}
	return 0;
}

int mdl_program_stream(const struct mdl_program *p, const uint64_t base[MDL_REGIONS],
		       uint32_t rows, struct accel_stream *s, char *err, size_t errlen)
{
	struct mdl_step step = { .rows = rows };

	return mdl_program_stream_step(p, base, &step, s, err, errlen);
}
