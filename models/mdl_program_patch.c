// SPDX-License-Identifier: MIT
/*
 * Quasar models: a step's stream patched in place (mdl_program.h,
 * mdl_program_step_stream()).
 *
 * A language model's decode steps differ only in where they read and
 * write: the rows at the step's position (the K and V rows written, the
 * RoPE tables' rows), the rows and columns of every position so far (the
 * K and V caches read, the scores), the causal offsets, the token ids.
 * Building a stream runs libaccel's encoder, its checks and the stream's
 * hazard rules over every op (168 commands for the committed LM, most of
 * a millisecond per token in a TCG guest). So the first step of a shape
 * (its rows and sequence) is built, and its bytes are kept with a site for
 * every field that depends on the step; a later step of that shape
 * rewrites those fields only.
 *
 * Why that gives the bytes a build would give:
 *  - the encoders copy an operand into its command verbatim
 *    (libaccel/src/accel_encode.c), and a view's operand depends on the
 *    step through its flags MDL_VIEW_AT_POS, _CTX_ROWS and _CTX_COLS only
 *    once the rows and the sequence are fixed (mdl_view_operand()); the
 *    causal offsets are the step's position; an EMBED's COPYs, its rows
 *    and token ids. Each site is found in the built bytes by the layout of
 *    its command (uapi/drm/quasar_isa.h), and the sites are checked when
 *    they are recorded: patched for the step they were built for, the
 *    bytes must come out unchanged. A program with a step-dependent field
 *    the table below does not place (an ADD or MUL over such a view, whose
 *    encoding picks the one-row form by shape), or that fails the check,
 *    is built at every step instead.
 *  - what the stream's rules insert (ISA_VERSION, BARRIERs) depends on
 *    which ops' byte ranges overlap, and for these views that does not
 *    change with the position: a K or V row written at pos always lies
 *    within the rows 0..pos read after it, and the rest of the ranges are
 *    whole rows of step-independent tensors. The host test
 *    lm_device_patched_stream_is_the_built_one_at_every_position compares
 *    the two at every position of the context, and the equivalence tests
 *    compare every job's stream with one built from scratch.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_program.h"
#include "mdl_util.h"

enum mdl_site_kind {
	MDL_SITE_NONE,
	MDL_SITE_TENSOR,	/* a struct drm_quasar_tensor: the view's operand */
	MDL_SITE_ADDR,		/* a device address: the view's operand's */
	MDL_SITE_CAUSAL,	/* a causal offset: the step's position */
	MDL_SITE_COPY,		/* an EMBED row's COPY: its dst and src */
};

/* Views of an op, in the order of struct mdl_dev_op. */
enum { MDL_Y, MDL_A, MDL_B, MDL_C, MDL_D, MDL_VIEWS };

struct mdl_site {
	uint32_t at;		/* bytes into the stream */
	uint32_t op;		/* index into the program's ops */
	uint8_t kind;		/* enum mdl_site_kind */
	uint8_t view;		/* MDL_Y ..: the view the field carries */
	uint32_t row;		/* MDL_SITE_COPY: the step's row */
};

struct mdl_step_stream {
	uint8_t *buf;
	uint32_t size, cap;
	struct mdl_site *site;
	uint32_t nsite, cap_site;
	uint32_t rows, seq;	/* the shape it was built for */
	uint64_t base[MDL_REGIONS];
	bool patchable;
};

/* Where an op's view lies in its command: offset (0: nowhere) and kind. */
struct mdl_field {
	uint16_t at;
	uint8_t kind;
};

#define MDL_T(cmd, f) { offsetof(struct cmd, f), MDL_SITE_TENSOR }
#define MDL_AD(cmd, f) { offsetof(struct cmd, f), MDL_SITE_ADDR }

/* ADD and MUL have none: the one-row form of b is chosen by shape (mdl_program.c). */
static const struct mdl_field mdl_fields[MDL_DEV_OP_KINDS][MDL_VIEWS] = {
	[MDL_DEV_GEMM] = { MDL_T(drm_quasar_cmd_gemm, y), MDL_T(drm_quasar_cmd_gemm, x), { 0 },
			   MDL_AD(drm_quasar_cmd_gemm, bias),
			   MDL_AD(drm_quasar_cmd_gemm, residual) },
	[MDL_DEV_CONVERT] = { MDL_T(drm_quasar_cmd_convert, dst),
			      MDL_T(drm_quasar_cmd_convert, src) },
	[MDL_DEV_RMSNORM] = { MDL_T(drm_quasar_cmd_norm, y), MDL_T(drm_quasar_cmd_norm, x),
			      MDL_AD(drm_quasar_cmd_norm, gain) },
	[MDL_DEV_ROPE] = { MDL_T(drm_quasar_cmd_rope, y), MDL_T(drm_quasar_cmd_rope, x),
			   MDL_AD(drm_quasar_cmd_rope, cos), MDL_AD(drm_quasar_cmd_rope, sin) },
	[MDL_DEV_MATMUL] = { MDL_T(drm_quasar_cmd_matmul, y), MDL_T(drm_quasar_cmd_matmul, a),
			     MDL_T(drm_quasar_cmd_matmul, b) },
	[MDL_DEV_SOFTMAX] = { MDL_T(drm_quasar_cmd_softmax, y),
			      MDL_T(drm_quasar_cmd_softmax, x) },
};

/* The opcode each kind's command carries. */
static const uint16_t mdl_opcodes[MDL_DEV_OP_KINDS] = {
	[MDL_DEV_GEMM] = DRM_QUASAR_OP_GEMM, [MDL_DEV_MUL] = DRM_QUASAR_OP_MUL,
	[MDL_DEV_CONVERT] = DRM_QUASAR_OP_CONVERT, [MDL_DEV_ADD] = DRM_QUASAR_OP_ADD,
	[MDL_DEV_RMSNORM] = DRM_QUASAR_OP_RMSNORM, [MDL_DEV_ROPE] = DRM_QUASAR_OP_ROPE,
	[MDL_DEV_MATMUL] = DRM_QUASAR_OP_MATMUL, [MDL_DEV_SOFTMAX] = DRM_QUASAR_OP_SOFTMAX,
	[MDL_DEV_EMBED] = DRM_QUASAR_OP_COPY,
};

void mdl_step_stream_free(struct mdl_step_stream *ss)
{
	if (!ss)
		return;
	free(ss->buf);
	free(ss->site);
	free(ss);
}

static const struct mdl_dev_view *mdl_op_view(const struct mdl_dev_op *op, uint32_t v)
{
	const struct mdl_dev_view *views[MDL_VIEWS] = { &op->y, &op->a, &op->b, &op->c, &op->d };

	return views[v];
}

/* A view whose operand changes with the step once its rows and sequence are fixed. */
static bool mdl_view_moves(const struct mdl_dev_view *v)
{
	return v->t != MDL_NO_TENSOR &&
	       (v->flags & (MDL_VIEW_AT_POS | MDL_VIEW_CTX_ROWS | MDL_VIEW_CTX_COLS));
}

static int mdl_site_add(struct mdl_step_stream *ss, uint32_t at, uint32_t op, uint8_t kind,
			uint8_t view, uint32_t row)
{
	if (ss->nsite == ss->cap_site) {
		uint32_t cap = ss->cap_site ? 2 * ss->cap_site : 64;
		struct mdl_site *ns = realloc(ss->site, cap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		ss->site = ns;
		ss->cap_site = cap;
	}
	ss->site[ss->nsite++] = (struct mdl_site){ .at = at, .op = op, .kind = kind,
						   .view = view, .row = row };
	return 0;
}

/*
 * The next command at or after @at that an op made (the rules' ISA_VERSION
 * and BARRIERs skipped): its offset, opcode and length; -EINVAL past the end.
 */
static int mdl_cmd_next(const struct mdl_step_stream *ss, uint32_t *at, uint16_t *opcode,
			uint32_t *len)
{
	struct drm_quasar_cmd_header h;

	while ((uint64_t)*at + sizeof(h) <= ss->size) {
		memcpy(&h, ss->buf + *at, sizeof(h));
		if (h.length < sizeof(h) || (uint64_t)*at + h.length > ss->size)
			return -EINVAL;
		if (h.opcode != DRM_QUASAR_OP_ISA_VERSION && h.opcode != DRM_QUASAR_OP_BARRIER) {
			*opcode = h.opcode;
			*len = h.length;
			return 0;
		}
		*at += h.length;
	}
	return -EINVAL;
}

/* Op @i's sites, its commands starting at or after *@at (moved past them). */
static int mdl_sites_of_op(struct mdl_step_stream *ss, const struct mdl_program *p, uint32_t i,
			   uint32_t *at)
{
	const struct mdl_dev_op *op = &p->op[i];
	uint32_t cmds = op->kind == MDL_DEV_EMBED ? ss->rows : 1, len, v;
	uint16_t opcode;
	int ret;

	for (uint32_t c = 0; c < cmds; c++) {
		ret = mdl_cmd_next(ss, at, &opcode, &len);
		if (ret || opcode != mdl_opcodes[op->kind])
			return -EINVAL;
		if (op->kind == MDL_DEV_EMBED) {
			ret = mdl_site_add(ss, *at, i, MDL_SITE_COPY, MDL_Y, c);
		} else {
			for (v = 0, ret = 0; v < MDL_VIEWS && !ret; v++) {
				const struct mdl_field *f = &mdl_fields[op->kind][v];

				if (!mdl_view_moves(mdl_op_view(op, v)))
					continue;
				if (f->kind == MDL_SITE_NONE ||
				    f->at + (f->kind == MDL_SITE_TENSOR ?
					     sizeof(struct drm_quasar_tensor) : sizeof(uint64_t)) > len)
					return -EINVAL;
				ret = mdl_site_add(ss, *at + f->at, i, f->kind, (uint8_t)v, 0);
			}
			if (!ret && op->kind == MDL_DEV_MATMUL && (op->flags & DRM_QUASAR_MATMUL_CAUSAL))
				ret = len == sizeof(struct drm_quasar_cmd_matmul) ?
				      mdl_site_add(ss, *at + offsetof(struct drm_quasar_cmd_matmul,
								      causal_offset),
						   i, MDL_SITE_CAUSAL, 0, 0) : -EINVAL;
			if (!ret && op->kind == MDL_DEV_SOFTMAX &&
			    (op->flags & DRM_QUASAR_SOFTMAX_CAUSAL))
				ret = len == sizeof(struct drm_quasar_cmd_softmax_v2) ?
				      mdl_site_add(ss, *at + offsetof(struct drm_quasar_cmd_softmax_v2,
								      causal_offset),
						   i, MDL_SITE_CAUSAL, 0, 0) : -EINVAL;
		}
		if (ret)
			return ret;
		*at += len;
	}
	return 0;
}

/* One site rewritten for @step in @buf; errors (in @why) as a build's. */
static int mdl_site_patch(const struct mdl_step_stream *ss, const struct mdl_program *p,
			  const struct mdl_site *s, const struct mdl_step *step, uint8_t *buf,
			  char *why, size_t whylen)
{
	const struct mdl_dev_op *op = &p->op[s->op];
	struct accel_operand o;
	uint32_t pos = step->pos;
	int ret;

	switch (s->kind) {
	case MDL_SITE_TENSOR:
	case MDL_SITE_ADDR:
		ret = mdl_view_operand(p, mdl_op_view(op, s->view), ss->base, step, &o, why,
				       whylen);
		if (ret)
			return ret;
		if (s->kind == MDL_SITE_TENSOR)
			memcpy(buf + s->at, &o.t, sizeof(o.t));
		else
			memcpy(buf + s->at, &o.t.addr, sizeof(o.t.addr));
		return 0;
	case MDL_SITE_CAUSAL:
		memcpy(buf + s->at, &pos, sizeof(pos));
		return 0;
	default: {
		/* as mdl_program.c's EMBED: row i of y from the table row its token names */
		const struct mdl_dev_tensor *tab = &p->t[op->a.t], *y = &p->t[op->y.t];
		uint64_t row = (uint64_t)y->cols * accel_format_elem_size(y->format), dst, src;
		struct mdl_extent e;

		if (!step->tokens)
			return mdl_err(why, whylen, -EINVAL, "no token ids for the step");
		ret = mdl_view_extent(p, &op->y, step, &e, why, whylen);
		if (ret)
			return ret;
		if (step->tokens[s->row] >= tab->rows)
			return mdl_err(why, whylen, -EINVAL,
				       "token %u at row %u is past the table's %u rows",
				       step->tokens[s->row], s->row, tab->rows);
		dst = ss->base[y->region] + y->offset + (e.row0 + s->row) * row;
		src = ss->base[tab->region] + tab->offset + step->tokens[s->row] * row;
		memcpy(buf + s->at + offsetof(struct drm_quasar_cmd_copy, dst), &dst, sizeof(dst));
		memcpy(buf + s->at + offsetof(struct drm_quasar_cmd_copy, src), &src, sizeof(src));
		return 0;
	}
	}
}

/* Every site of @ss rewritten for @step; errors name the op as a build's do. */
static int mdl_step_stream_patch(const struct mdl_step_stream *ss, const struct mdl_program *p,
				 const struct mdl_step *step, uint8_t *buf, char *err,
				 size_t errlen)
{
	char why[448];

	for (uint32_t i = 0; i < ss->nsite; i++) {
		const struct mdl_site *s = &ss->site[i];
		int ret = mdl_site_patch(ss, p, s, step, buf, why, sizeof(why));

		if (ret)
			return mdl_err(err, errlen, ret, "op %u (%s %s): %s", s->op,
				       mdl_op_name(p->op[s->op].kind), p->t[p->op[s->op].y.t].name,
				       why);
	}
	return 0;
}

/*
 * @ss takes the stream just built in @l->s for @step, and its sites; it
 * is patchable when each is where the table says and the bytes patched
 * for @step itself are the bytes built. -ENOMEM only.
 */
static int mdl_step_stream_record(struct mdl_step_stream *ss, const struct mdl_loaded *l,
				  const struct mdl_step *step)
{
	uint32_t size = accel_stream_size(l->s), at = 0;
	uint8_t *check;
	char why[8];
	int ret = 0;

	ss->patchable = false;
	ss->nsite = 0;
	if (size > ss->cap) {
		uint8_t *nb = realloc(ss->buf, size);

		if (!nb)
			return -ENOMEM;
		ss->buf = nb;
		ss->cap = size;
	}
	memcpy(ss->buf, accel_stream_data(l->s), size);
	ss->size = size;
	ss->rows = step->rows;
	ss->seq = step->seq;
	memcpy(ss->base, l->base, sizeof(ss->base));
	for (uint32_t i = 0; i < l->p->nop && !ret; i++)
		ret = mdl_sites_of_op(ss, l->p, i, &at);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return 0;	/* built at every step */
	check = malloc(size);
	if (!check)
		return -ENOMEM;
	memcpy(check, ss->buf, size);
	ss->patchable = !mdl_step_stream_patch(ss, l->p, step, check, why, sizeof(why)) &&
			!memcmp(check, ss->buf, size);
	free(check);
	return 0;
}

int mdl_program_step_stream(struct mdl_loaded *l, const struct mdl_step *step, char *err,
			    size_t errlen)
{
	struct mdl_step_stream *ss = l->ss;
	int ret;

	if (step->rows == 0 || step->rows > l->p->batch)
		return mdl_err(err, errlen, -EINVAL, "a run of %u rows (the plan has 1..%u)",
			       step->rows, l->p->batch);
	if (ss && ss->patchable && ss->rows == step->rows && ss->seq == step->seq &&
	    !memcmp(ss->base, l->base, sizeof(ss->base))) {
		ret = mdl_step_stream_patch(ss, l->p, step, ss->buf, err, errlen);
		if (ret)
			return ret;
		l->stream = ss->buf;
		l->stream_size = ss->size;
		return 0;
	}
	l->rows = 0;	/* l->s is this step's stream from here on */
	ret = mdl_program_stream_step(l->p, l->base, step, l->s, err, errlen);
	if (ret)
		return ret;
	l->stream = accel_stream_data(l->s);
	l->stream_size = accel_stream_size(l->s);
	if (!ss) {
		ss = calloc(1, sizeof(*ss));
		if (!ss)
			return mdl_err(err, errlen, -ENOMEM, "step stream: out of memory");
		l->ss = ss;
	}
	ret = mdl_step_stream_record(ss, l, step);
	if (ret)
		return mdl_err(err, errlen, ret, "step stream: out of memory");
	return 0;
}
