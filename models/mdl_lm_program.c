// SPDX-License-Identifier: MIT
/* Quasar models: the language model's device program, its steps and runs. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compress_libaccel.h"
#include "mdl_lm_infer.h"
#include "mdl_lm_program.h"
#include "mdl_util.h"

/* Tensor ids of the plan. */
struct mdl_lm_plan {
	const struct mdl_llama *m;
	const struct mdl_linset *ls;
	struct mdl_program *p;
	uint32_t T;			/* rows of a step */
	uint32_t seqs;			/* KV cache slots */
	int x[2], xn, q, qr, k, sc, pr, att, h1, h3, hg, logits;
	int emb, cos, sin, cosk, sink;
	/* the scaled FP32 and BF16 GEMM inputs, by width: D and hidden */
	int xs[2], xb[2];
	uint32_t width[2];
	/* the BF16 operand last made: from which tensor, scaled by which layer's 1/s */
	int conv_src, conv_out;
	const struct mdl_lin *conv_lin;
};

static struct mdl_dev_view mdl_lm_rows(int id, uint32_t flags)
{
	return (struct mdl_dev_view){ .t = (uint32_t)id, .flags = flags };
}

static int mdl_lm_op(struct mdl_lm_plan *pl, uint32_t kind, struct mdl_dev_view y,
		     struct mdl_dev_view a, struct mdl_dev_view b, struct mdl_dev_view c,
		     struct mdl_dev_view d, uint32_t act, uint32_t flags, float scalar)
{
	struct mdl_dev_op op = {
		.kind = kind, .y = y, .a = a, .b = b, .c = c, .d = d, .act = act,
		.flags = flags, .scalar = scalar,
	};

	return mdl_program_op(pl->p, &op);
}

/* A batched activation tensor; its id or -errno. */
static int mdl_lm_act(struct mdl_lm_plan *pl, const char *name, uint32_t format, uint32_t cols)
{
	return mdl_program_tensor(pl->p, name, MDL_REGION_ACT, format, 0, cols, true);
}

/* FP32 constants of @rows x @cols; its id or -errno. */
static int mdl_lm_const(struct mdl_lm_plan *pl, const char *name, const float *v,
			uint32_t rows, uint32_t cols)
{
	return mdl_program_const(pl->p, name, v, rows, cols, false);
}

/* The width slot of the GEMM inputs k wide. */
static uint32_t mdl_lm_slot(const struct mdl_lm_plan *pl, uint32_t k)
{
	return k == pl->width[0] ? 0 : 1;
}

static bool mdl_lm_same_inv(const struct mdl_lin *a, const struct mdl_lin *b)
{
	if (!a->in_inv || !b->in_inv)
		return !a->in_inv && !b->in_inv;
	return a->k == b->k && !memcmp(a->in_inv, b->in_inv, sizeof(float) * a->k);
}

/*
 * The BF16 input of layer @id from the FP32 tensor @src: [MUL by its 1/s],
 * CONVERT; the operand made for the previous layer when it is the same
 * (q, k and v; w1 and w3). Its id, or -errno.
 */
static int mdl_lm_input(struct mdl_lm_plan *pl, uint32_t id, int src)
{
	const struct mdl_lin *l = &pl->ls->l[id];
	uint32_t s = mdl_lm_slot(pl, l->k);
	struct mdl_dev_view none = mdl_view_none();
	int x = src, ret;

	if (pl->conv_src == src && pl->conv_lin && mdl_lm_same_inv(pl->conv_lin, l))
		return pl->conv_out;
	if (l->in_inv) {
		char name[MDL_TENSOR_NAME];
		int row;

		snprintf(name, sizeof(name), "%s.in_inv", l->name);
		row = mdl_lm_const(pl, name, l->in_inv, 1, l->k);
		if (row < 0)
			return row;
		ret = mdl_lm_op(pl, MDL_DEV_MUL, mdl_view_all(pl->p, (uint32_t)pl->xs[s]),
				mdl_view_all(pl->p, (uint32_t)src), mdl_view_all(pl->p, (uint32_t)row),
				none, none, 0, 0, 0);
		if (ret)
			return ret;
		x = pl->xs[s];
	}
	ret = mdl_lm_op(pl, MDL_DEV_CONVERT, mdl_view_all(pl->p, (uint32_t)pl->xb[s]),
			mdl_view_all(pl->p, (uint32_t)x), none, none, none, 0, 0, 0);
	if (ret)
		return ret;
	pl->conv_src = src;
	pl->conv_lin = l;
	pl->conv_out = pl->xb[s];
	return pl->xb[s];
}

/*
 * GEMM of layer @id: y = act(input W^T) [+ residual], where @y (and
 * @residual, -1 for none) are views; the input is made from @src.
 */
static int mdl_lm_gemm(struct mdl_lm_plan *pl, uint32_t id, int src, struct mdl_dev_view y,
		       int residual)
{
	const struct mdl_lin *l = &pl->ls->l[id];
	struct accel_weights w;
	char name[MDL_TENSOR_NAME];
	int x = mdl_lm_input(pl, id, src), w_id;

	if (x < 0)
		return x;
	if (compress_weights_from_qtensor(l->qt, &w))
		return -EINVAL;
	snprintf(name, sizeof(name), "%s.w", l->name);
	w_id = mdl_program_weights(pl->p, name, &w);
	if (w_id < 0)
		return w_id;
	return mdl_lm_op(pl, MDL_DEV_GEMM, y, mdl_view_all(pl->p, (uint32_t)x),
			 mdl_view_all(pl->p, (uint32_t)w_id), mdl_view_none(),
			 residual < 0 ? mdl_view_none() : mdl_view_all(pl->p, (uint32_t)residual),
			 l->act, l->afmt == DP_A_INT8 ? DRM_QUASAR_GEMM_A8 : 0, 0);
}

static int mdl_lm_rmsnorm(struct mdl_lm_plan *pl, const char *name, const float *gain, int src)
{
	int g = mdl_lm_const(pl, name, gain, 1, pl->m->dim);

	if (g < 0)
		return g;
	return mdl_lm_op(pl, MDL_DEV_RMSNORM, mdl_view_all(pl->p, (uint32_t)pl->xn),
			 mdl_view_all(pl->p, (uint32_t)src), mdl_view_all(pl->p, (uint32_t)g),
			 mdl_view_none(), mdl_view_none(), 0, 0, MDL_LLAMA_EPS);
}

/* A KV cache of layer @l: [seqs x seq_len][kv_dim] FP32, a slot per sequence. */
static int mdl_lm_cache(struct mdl_lm_plan *pl, uint32_t l, const char *what)
{
	const struct mdl_llama *m = pl->m;
	char name[MDL_TENSOR_NAME];
	int id;

	snprintf(name, sizeof(name), "l%u.%s_cache", l, what);
	id = mdl_program_tensor(pl->p, name, MDL_REGION_ACT, DRM_QUASAR_FORMAT_FP32,
				pl->seqs * m->seq_len, m->kv_dim, false);
	if (id >= 0)
		pl->p->t[id].seq_rows = m->seq_len;
	return id;
}

/* Layer @l's attention block: x[cur] -> x[!cur]. */
static int mdl_lm_attention(struct mdl_lm_plan *pl, uint32_t l, int cur)
{
	const struct mdl_llama *m = pl->m;
	const uint32_t hs = m->head_size, group = m->heads / m->kv_heads;
	/* binary32 1/sqrt(head_size): MATMUL multiplies by it (the host divides) */
	const float alpha = (float)(1.0 / sqrt((double)hs));
	const uint32_t run = MDL_VIEW_RUN_ROWS, at = MDL_VIEW_AT_POS | MDL_VIEW_RUN_ROWS;
	const uint32_t ctx = MDL_VIEW_RUN_ROWS | MDL_VIEW_CTX_COLS;
	struct mdl_dev_view none = mdl_view_none(), kv, q, sc;
	char name[MDL_TENSOR_NAME];
	int kc = mdl_lm_cache(pl, l, "k"), vc = mdl_lm_cache(pl, l, "v"), ret;
	uint32_t h;

	if (kc < 0 || vc < 0)
		return kc < 0 ? kc : vc;
	snprintf(name, sizeof(name), "l%u.rms_att", l);
	ret = mdl_lm_rmsnorm(pl, name, m->w.rms_att + (size_t)l * m->dim, pl->x[cur]);
	/* q, k, and v straight into the rows of the step's positions in the V cache */
	if (!ret)
		ret = mdl_lm_gemm(pl, mdl_lm_lin_id(l, MDL_LM_WQ), pl->xn,
				  mdl_lm_rows(pl->q, run), -1);
	if (!ret)
		ret = mdl_lm_gemm(pl, mdl_lm_lin_id(l, MDL_LM_WK), pl->xn,
				  mdl_lm_rows(pl->k, run), -1);
	if (!ret)
		ret = mdl_lm_gemm(pl, mdl_lm_lin_id(l, MDL_LM_WV), pl->xn,
				  mdl_lm_rows(vc, at), -1);
	/* RoPE with the tables' rows of the step's positions; k into the K cache */
	if (!ret)
		ret = mdl_lm_op(pl, MDL_DEV_ROPE, mdl_lm_rows(pl->qr, run), mdl_lm_rows(pl->q, run),
				mdl_lm_rows(pl->cos, at), mdl_lm_rows(pl->sin, at), none, 0, 0, 0);
	if (!ret)
		ret = mdl_lm_op(pl, MDL_DEV_ROPE, mdl_lm_rows(kc, at), mdl_lm_rows(pl->k, run),
				mdl_lm_rows(pl->cosk, at), mdl_lm_rows(pl->sink, at), none, 0, 0,
				0);
	/* scores of head h: rows h*T.., one column per position so far */
	for (h = 0; !ret && h < m->heads; h++) {
		q = (struct mdl_dev_view){ .t = (uint32_t)pl->qr, .flags = run, .col0 = h * hs,
					   .cols = hs };
		kv = (struct mdl_dev_view){ .t = (uint32_t)kc, .flags = MDL_VIEW_CTX_ROWS,
					    .col0 = h / group * hs, .cols = hs };
		sc = (struct mdl_dev_view){ .t = (uint32_t)pl->sc, .flags = ctx, .row0 = h * pl->T };
		ret = mdl_lm_op(pl, MDL_DEV_MATMUL, sc, q, kv, none, none, 0,
				DRM_QUASAR_MATMUL_TRANS_B, alpha);
	}
	/* the H heads' scores as one batch {1, H, t, pos + t}, causal at pos */
	sc = (struct mdl_dev_view){ .t = (uint32_t)pl->sc, .flags = ctx, .batch = m->heads,
				    .batch_rows = pl->T };
	q = sc;
	q.t = (uint32_t)pl->pr;
	if (!ret)
		ret = mdl_lm_op(pl, MDL_DEV_SOFTMAX, q, sc, none, none, none, 0,
				DRM_QUASAR_SOFTMAX_CAUSAL, 0);
	for (h = 0; !ret && h < m->heads; h++) {
		struct mdl_dev_view pr = { .t = (uint32_t)pl->pr, .flags = ctx, .row0 = h * pl->T };
		struct mdl_dev_view out = { .t = (uint32_t)pl->att, .flags = run, .col0 = h * hs,
					    .cols = hs };

		kv = (struct mdl_dev_view){ .t = (uint32_t)vc, .flags = MDL_VIEW_CTX_ROWS,
					    .col0 = h / group * hs, .cols = hs };
		ret = mdl_lm_op(pl, MDL_DEV_MATMUL, out, pr, kv, none, none, 0,
				DRM_QUASAR_MATMUL_CAUSAL, 1.0f);
	}
	if (!ret)
		ret = mdl_lm_gemm(pl, mdl_lm_lin_id(l, MDL_LM_WO), pl->att,
				  mdl_lm_rows(pl->x[!cur], run), pl->x[cur]);
	return ret;
}

/* Layer @l's SwiGLU block: x[cur] -> x[!cur]. */
static int mdl_lm_ffn(struct mdl_lm_plan *pl, uint32_t l, int cur)
{
	const struct mdl_llama *m = pl->m;
	const uint32_t run = MDL_VIEW_RUN_ROWS;
	struct mdl_dev_view none = mdl_view_none();
	char name[MDL_TENSOR_NAME];
	int ret;

	snprintf(name, sizeof(name), "l%u.rms_ffn", l);
	ret = mdl_lm_rmsnorm(pl, name, m->w.rms_ffn + (size_t)l * m->dim, pl->x[cur]);
	if (!ret)	/* SiLU in w1's epilogue */
		ret = mdl_lm_gemm(pl, mdl_lm_lin_id(l, MDL_LM_W1), pl->xn,
				  mdl_lm_rows(pl->h1, run), -1);
	if (!ret)
		ret = mdl_lm_gemm(pl, mdl_lm_lin_id(l, MDL_LM_W3), pl->xn,
				  mdl_lm_rows(pl->h3, run), -1);
	if (!ret)
		ret = mdl_lm_op(pl, MDL_DEV_MUL, mdl_lm_rows(pl->hg, run), mdl_lm_rows(pl->h1, run),
				mdl_lm_rows(pl->h3, run), none, none, 0, 0, 0);
	if (!ret)
		ret = mdl_lm_gemm(pl, mdl_lm_lin_id(l, MDL_LM_W2), pl->hg,
				  mdl_lm_rows(pl->x[!cur], run), pl->x[cur]);
	return ret;
}

/* Every layer packed, of the model's shapes, with the activations the graph needs. */
static int mdl_lm_check(const struct mdl_llama *m, const struct mdl_linset *ls, char *err,
			size_t errlen)
{
	const uint32_t D = m->dim, KV = m->kv_dim, H = m->hidden;
	static const char *const acts[] = { "none", "ReLU", "GELU", "SiLU" };
	uint32_t i;

	if (ls->count != m->layers * MDL_LM_LIN_PER_LAYER + 1)
		return mdl_err(err, errlen, -EINVAL,
			       "%u linear layers for a %u-layer language model (it has %u)",
			       ls->count, m->layers, m->layers * MDL_LM_LIN_PER_LAYER + 1);
	for (i = 0; i < ls->count; i++) {
		const struct mdl_lin *l = &ls->l[i];
		uint32_t kind = i / MDL_LM_LIN_PER_LAYER < m->layers ? i % MDL_LM_LIN_PER_LAYER :
				MDL_LM_LIN_PER_LAYER;
		/* wq wk wv wo w1 w2 w3, then the classifier */
		const uint32_t n[] = { D, KV, KV, D, H, D, H, m->vocab };
		const uint32_t k[] = { D, D, D, D, D, H, D, D };
		uint32_t act = kind == MDL_LM_W1 ? DP_ACT_SILU : DP_ACT_NONE;

		if (!l->qt)
			return mdl_err(err, errlen, -EINVAL,
				       "layer %s is FP32: the device runs packed weights only",
				       l->name);
		if (l->n != n[kind] || l->k != k[kind])
			return mdl_err(err, errlen, -EINVAL,
				       "layer %s is %u x %u; the model's is %u x %u", l->name, l->n,
				       l->k, n[kind], k[kind]);
		if (l->act != act || l->bias)
			return mdl_err(err, errlen, -EINVAL,
				       "layer %s: activation %s%s; the model's is %s, no bias",
				       l->name, l->act < 4 ? acts[l->act] : "?",
				       l->bias ? " with a bias" : "", acts[act]);
	}
	return 0;
}

/* RoPE tables of @half pairs per row for every position (pair i as pair i mod hs/2). */
static int mdl_lm_rope_tables(struct mdl_lm_plan *pl, uint32_t half, int *cos_id, int *sin_id)
{
	const struct mdl_llama *m = pl->m;
	size_t n = (size_t)m->seq_len * half;
	float *c = malloc(sizeof(float) * n), *s = malloc(sizeof(float) * n);
	char name[MDL_TENSOR_NAME];
	int ret = 0;

	if (!c || !s) {
		ret = -ENOMEM;
		goto out;
	}
	for (uint32_t pos = 0; pos < m->seq_len; pos++)
		for (uint32_t i = 0; i < half; i++)
			mdl_llama_rope_cs(m->head_size, pos, i % (m->head_size / 2),
					  &c[(size_t)pos * half + i], &s[(size_t)pos * half + i]);
	snprintf(name, sizeof(name), "rope_cos_%u", half);
	*cos_id = mdl_lm_const(pl, name, c, m->seq_len, half);
	snprintf(name, sizeof(name), "rope_sin_%u", half);
	*sin_id = mdl_lm_const(pl, name, s, m->seq_len, half);
	if (*cos_id < 0 || *sin_id < 0)
		ret = *cos_id < 0 ? *cos_id : *sin_id;
out:
	free(c);
	free(s);
	return ret;
}

/* The tensors every layer shares. */
static int mdl_lm_tensors(struct mdl_lm_plan *pl)
{
	const struct mdl_llama *m = pl->m;
	const uint32_t F = DRM_QUASAR_FORMAT_FP32, B = DRM_QUASAR_FORMAT_BF16;
	struct mdl_program *p = pl->p;
	int ret;

	pl->emb = mdl_lm_const(pl, "tok_emb", m->w.tok_emb, m->vocab, m->dim);
	if (pl->emb < 0)
		return pl->emb;
	ret = mdl_lm_rope_tables(pl, m->dim / 2, &pl->cos, &pl->sin);
	if (!ret && m->kv_dim != m->dim)
		ret = mdl_lm_rope_tables(pl, m->kv_dim / 2, &pl->cosk, &pl->sink);
	else if (!ret) {
		pl->cosk = pl->cos;
		pl->sink = pl->sin;
	}
	if (ret)
		return ret;
	pl->width[0] = m->dim;
	pl->width[1] = m->hidden;
	pl->x[0] = mdl_lm_act(pl, "x0", F, m->dim);
	pl->x[1] = mdl_lm_act(pl, "x1", F, m->dim);
	pl->xn = mdl_lm_act(pl, "xn", F, m->dim);
	pl->xs[0] = mdl_lm_act(pl, "xs", F, m->dim);
	pl->xb[0] = mdl_lm_act(pl, "xb", B, m->dim);
	pl->xs[1] = mdl_lm_act(pl, "hs", F, m->hidden);
	pl->xb[1] = mdl_lm_act(pl, "hb", B, m->hidden);
	pl->q = mdl_lm_act(pl, "q", F, m->dim);
	pl->qr = mdl_lm_act(pl, "q_rope", F, m->dim);
	pl->k = mdl_lm_act(pl, "k", F, m->kv_dim);
	pl->att = mdl_lm_act(pl, "att", F, m->dim);
	pl->h1 = mdl_lm_act(pl, "h1", F, m->hidden);
	pl->h3 = mdl_lm_act(pl, "h3", F, m->hidden);
	pl->hg = mdl_lm_act(pl, "hg", F, m->hidden);
	/* per head, T rows of one score per position: [H x T][seq_len] */
	pl->sc = mdl_program_tensor(p, "scores", MDL_REGION_ACT, F, m->heads * pl->T, m->seq_len,
				    false);
	pl->pr = mdl_program_tensor(p, "probs", MDL_REGION_ACT, F, m->heads * pl->T, m->seq_len,
				    false);
	pl->logits = mdl_program_tensor(p, "logits", MDL_REGION_OUTPUT, F, 0, m->vocab, true);
	{
		const int ids[] = { pl->x[0], pl->x[1], pl->xn, pl->xs[0], pl->xb[0], pl->xs[1],
				    pl->xb[1], pl->q, pl->qr, pl->k, pl->att, pl->h1, pl->h3,
				    pl->hg, pl->sc, pl->pr, pl->logits };

		for (uint32_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
			if (ids[i] < 0)
				return ids[i];
	}
	return 0;
}

int mdl_lm_program(const struct mdl_llama *m, const struct mdl_linset *ls, uint32_t rows,
		   uint32_t seqs, struct mdl_program *p, char *err, size_t errlen)
{
	struct mdl_lm_plan pl = { .m = m, .ls = ls, .p = p, .T = rows, .seqs = seqs,
				  .conv_src = -1 };
	uint32_t l;
	int ret, cur = 0;
	const char *what = "the shared tensors";

	ret = mdl_lm_check(m, ls, err, errlen);
	if (ret)
		return ret;
	if (rows == 0 || rows > m->seq_len || seqs == 0 ||
	    (uint64_t)seqs * m->seq_len > DRM_QUASAR_DIM_MAX ||
	    (uint64_t)m->heads * rows > DRM_QUASAR_DIM_MAX)
		return mdl_err(err, errlen, -EINVAL,
			       "steps of %u tokens (1..%u, the context) and %u sequences (1..%u)",
			       rows, m->seq_len, seqs, DRM_QUASAR_DIM_MAX / m->seq_len);
	ret = mdl_program_init(p, rows);
	if (ret)
		return mdl_err(err, errlen, ret, "steps of %u tokens", rows);
	ret = mdl_lm_tensors(&pl);
	if (!ret) {
		p->output = pl.logits;
		what = "the embedding";
		ret = mdl_lm_op(&pl, MDL_DEV_EMBED, mdl_lm_rows(pl.x[0], MDL_VIEW_RUN_ROWS),
				mdl_view_all(p, (uint32_t)pl.emb), mdl_view_none(), mdl_view_none(),
				mdl_view_none(), 0, 0, 0);
	}
	for (l = 0; l < m->layers && !ret; l++) {
		what = ls->l[mdl_lm_lin_id(l, MDL_LM_WQ)].name;
		ret = mdl_lm_attention(&pl, l, cur);
		cur = !cur;
		if (!ret)
			ret = mdl_lm_ffn(&pl, l, cur);
		cur = !cur;
	}
	if (!ret) {
		what = "the classifier";
		ret = mdl_lm_rmsnorm(&pl, "rms_final", m->w.rms_final, pl.x[cur]);
	}
	if (!ret)
		ret = mdl_lm_gemm(&pl, m->layers * MDL_LM_LIN_PER_LAYER, pl.xn,
				  mdl_lm_rows(pl.logits, MDL_VIEW_RUN_ROWS), -1);
	if (ret) {
		mdl_program_free(p);
		return mdl_err(err, errlen, ret, "planning %s: %s", what, strerror(-ret));
	}
	return 0;
}

int mdl_lm_device_step(struct mdl_loaded *l, const struct mdl_llama *m, uint32_t seq,
		       uint32_t pos, uint32_t t, const uint32_t *tokens, float *logits,
		       struct accel_job_stats *st, char *err, size_t errlen)
{
	struct mdl_step step = { .rows = t, .pos = pos, .seq = seq, .tokens = tokens };

	if (t == 0 || t > l->p->batch)
		return mdl_err(err, errlen, -EINVAL, "a step of %u tokens (the program takes 1..%u)",
			       t, l->p->batch);
	if ((uint64_t)pos + t > m->seq_len)
		return mdl_err(err, errlen, -EINVAL,
			       "positions %u..%llu: past the context of %u positions", pos,
			       (unsigned long long)pos + t - 1, m->seq_len);
	for (uint32_t i = 0; i < t; i++)
		if (tokens[i] >= m->vocab)
			return mdl_err(err, errlen, -EINVAL,
				       "token id %u at position %u: past the vocabulary of %u",
				       tokens[i], pos + i, m->vocab);
	return mdl_program_run_step(l, &step, NULL, logits, st, err, errlen);
}

static uint32_t mdl_lm_argmax(const float *lg, uint32_t v)
{
	uint32_t best = 0;

	for (uint32_t i = 1; i < v; i++)
		if (lg[i] > lg[best])
			best = i;
	return best;
}

/* The run's steps: the prompt, then one token each. */
static void mdl_lm_run_step(uint32_t j, uint32_t prompt, uint32_t *pos, uint32_t *t)
{
	*pos = j ? prompt + j - 1 : 0;
	*t = j ? 1 : prompt;
}

static int mdl_lm_run_check(const struct mdl_program *p, uint32_t n, uint32_t prompt,
			    char *err, size_t errlen)
{
	if (prompt == 0 || prompt > n || prompt > p->batch)
		return mdl_err(err, errlen, -EINVAL,
			       "a prompt of %u of %u tokens (1..%u, the program's steps)", prompt,
			       n, p->batch);
	return 0;
}

int mdl_lm_device_run(struct mdl_loaded *l, const struct mdl_llama *m, const uint32_t *tokens,
		      uint32_t n, uint32_t prompt, struct mdl_dev_figures *f, float *logits,
		      char *err, size_t errlen)
{
	const uint32_t V = m->vocab;
	float *y = malloc(sizeof(float) * l->p->batch * V);
	uint32_t j, jobs = n - prompt + 1, pos, t, i;
	int ret = mdl_lm_run_check(l->p, n, prompt, err, errlen);

	if (!ret && !y)
		ret = mdl_err(err, errlen, -ENOMEM, "out of memory");
	free(f->tokens);
	f->tokens = ret ? NULL : malloc(sizeof(uint32_t) * n);
	if (!ret && !f->tokens)
		ret = mdl_err(err, errlen, -ENOMEM, "out of memory");
	if (ret) {
		free(y);
		return ret;
	}
	memcpy(f->tokens, tokens, sizeof(uint32_t) * n);
	f->ntokens = n;
	f->prompt = prompt;
	f->batch = l->p->batch;
	f->items = 0;
	f->correct = 0;
	f->outputs_fnv64 = MDL_FNV64_INIT;
	f->stream_bytes = 0;
	f->stream_fnv64 = MDL_FNV64_INIT;
	memcpy(f->stream_base, l->base, sizeof(f->stream_base));
	for (j = 0; j < jobs && !ret; j++) {
		struct mdl_job_figures jf;

		mdl_lm_run_step(j, prompt, &pos, &t);
		jf = (struct mdl_job_figures){ .rows = t };
		ret = mdl_lm_device_step(l, m, 0, pos, t, tokens + pos, y, &jf.st, err, errlen);
		if (ret)
			break;
		f->stream_bytes += l->stream_size;
		f->stream_fnv64 = mdl_fnv64(f->stream_fnv64, l->stream, l->stream_size);
		jf.outputs_fnv64 = mdl_fnv64(MDL_FNV64_INIT, y, sizeof(float) * t * V);
		f->outputs_fnv64 = mdl_fnv64(f->outputs_fnv64, y, sizeof(float) * t * V);
		for (i = 0; i < t; i++)
			f->correct += pos + i + 1 < n &&
				      mdl_lm_argmax(y + (size_t)i * V, V) == tokens[pos + i + 1];
		f->items += t;
		if (logits)
			memcpy(logits + (size_t)pos * V, y, sizeof(float) * t * V);
		ret = mdl_dev_figures_add_job(f, &jf);
		if (ret)
			mdl_err(err, errlen, ret, "out of memory");
	}
	free(y);
	return ret;
}

int mdl_lm_device_streams(const struct mdl_program *p, const uint64_t base[MDL_REGIONS],
			  const uint32_t *tokens, uint32_t n, uint32_t prompt, uint32_t *bytes,
			  uint64_t *fnv64, char *err, size_t errlen)
{
	struct accel_stream *s;
	uint32_t j, pos, t;
	int ret = mdl_lm_run_check(p, n, prompt, err, errlen);

	if (ret)
		return ret;
	ret = accel_stream_create(&s);
	if (ret)
		return mdl_err(err, errlen, ret, "stream: out of memory");
	*bytes = 0;
	*fnv64 = MDL_FNV64_INIT;
	for (j = 0; j < n - prompt + 1 && !ret; j++) {
		struct mdl_step step;

		mdl_lm_run_step(j, prompt, &pos, &t);
		step = (struct mdl_step){ .rows = t, .pos = pos, .tokens = tokens + pos };
		ret = mdl_program_stream_step(p, base, &step, s, err, errlen);
		if (!ret) {
			*bytes += accel_stream_size(s);
			*fnv64 = mdl_fnv64(*fnv64, accel_stream_data(s), accel_stream_size(s));
		}
	}
	accel_stream_destroy(s);
	return ret;
}
