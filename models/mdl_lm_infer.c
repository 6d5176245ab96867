// SPDX-License-Identifier: MIT
/* Quasar models: llama2.c forward pass over a linear-layer set, with a KV cache. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_ops.h"
#include "mdl_lm_infer.h"
#include "mdl_util.h"

struct mdl_lm_state {
	const struct mdl_llama *m;
	uint32_t batch, chunk;
	float *vc;			/* values, [layers][batch][seq_len][kv_dim] */
	float *kt;			/* keys, [layers][batch][kv_heads][head_size][seq_len] */
	float *x, *xn, *q, *k, *v, *qr, *kr, *att, *tmp;	/* [batch * chunk][dim] */
	float *h1, *h3, *hg;		/* [batch * chunk][hidden] */
	float *rope_c, *rope_s;		/* [seq_len][dim / 2] */
	float *scores, *probs;		/* [batch * heads][seq_len] */
};

int mdl_lm_linset(const struct mdl_llama *m, struct mdl_linset *ls)
{
	const struct mdl_llama_w *w = &m->w;
	size_t D = m->dim, H = m->hidden, KV = m->kv_dim;
	char name[MDL_LIN_NAME];
	uint32_t l;
	int ret = 0;

	memset(ls, 0, sizeof(*ls));
	for (l = 0; l < m->layers && ret >= 0; l++) {
		struct { const char *n; const float *p; uint32_t rows, cols; } t[] = {
			{ "wq", w->wq + l * D * D, (uint32_t)D, (uint32_t)D },
			{ "wk", w->wk + l * KV * D, (uint32_t)KV, (uint32_t)D },
			{ "wv", w->wv + l * KV * D, (uint32_t)KV, (uint32_t)D },
			{ "wo", w->wo + l * D * D, (uint32_t)D, (uint32_t)D },
			{ "w1", w->w1 + l * H * D, (uint32_t)H, (uint32_t)D },
			{ "w2", w->w2 + l * D * H, (uint32_t)D, (uint32_t)H },
			{ "w3", w->w3 + l * H * D, (uint32_t)H, (uint32_t)D },
		};
		uint32_t i;

		for (i = 0; i < MDL_LM_LIN_PER_LAYER && ret >= 0; i++) {
			snprintf(name, sizeof(name), "l%u.%s", l, t[i].n);
			/* SwiGLU's SiLU is w1's GEMM epilogue, as a device would fuse it */
			ret = mdl_linset_add(ls, name, t[i].p, t[i].rows, t[i].cols, NULL,
					     i == MDL_LM_W1 ? DP_ACT_SILU : DP_ACT_NONE);
		}
		/* q, k, v read one normed input; so do the FFN's gate w1 and up w3 */
		if (ret >= 0) {
			uint32_t b = l * MDL_LM_LIN_PER_LAYER;

			ret = mdl_linset_share_input(ls, b + MDL_LM_WK, b + MDL_LM_WQ);
			if (!ret)
				ret = mdl_linset_share_input(ls, b + MDL_LM_WV, b + MDL_LM_WQ);
			if (!ret)
				ret = mdl_linset_share_input(ls, b + MDL_LM_W3, b + MDL_LM_W1);
		}
	}
	if (ret >= 0)
		ret = mdl_linset_add(ls, "wcls", w->wcls, m->vocab, m->dim, NULL, DP_ACT_NONE);
	if (ret < 0) {
		mdl_linset_free(ls, 1);
		return ret;
	}
	return 0;
}

int mdl_lm_state_create(const struct mdl_llama *m, uint32_t batch, uint32_t chunk,
			struct mdl_lm_state **out)
{
	size_t rows = (size_t)batch * chunk, D = m->dim, half = D / 2;
	size_t cache = (size_t)m->layers * batch * m->seq_len * m->kv_dim;
	struct mdl_lm_state *st;
	uint32_t pos, i;

	*out = NULL;
	if (batch == 0 || chunk == 0 || chunk > m->seq_len)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->m = m;
	st->batch = batch;
	st->chunk = chunk;
	st->vc = mdl_zalloc(cache * sizeof(float));
	st->kt = mdl_zalloc(cache * sizeof(float));
	{
		float **b[] = { &st->x, &st->xn, &st->q, &st->k, &st->v, &st->qr, &st->kr,
				&st->att, &st->tmp };

		for (i = 0; i < sizeof(b) / sizeof(b[0]); i++)
			*b[i] = mdl_zalloc(rows * D * sizeof(float));
	}
	st->h1 = mdl_zalloc(rows * m->hidden * sizeof(float));
	st->h3 = mdl_zalloc(rows * m->hidden * sizeof(float));
	st->hg = mdl_zalloc(rows * m->hidden * sizeof(float));
	st->rope_c = mdl_zalloc((size_t)m->seq_len * half * sizeof(float));
	st->rope_s = mdl_zalloc((size_t)m->seq_len * half * sizeof(float));
	st->scores = mdl_zalloc((size_t)batch * m->heads * m->seq_len * sizeof(float));
	st->probs = mdl_zalloc((size_t)batch * m->heads * m->seq_len * sizeof(float));
	if (!st->vc || !st->kt || !st->x || !st->xn || !st->q || !st->k || !st->v || !st->qr ||
	    !st->kr || !st->att || !st->tmp || !st->h1 || !st->h3 || !st->hg || !st->rope_c ||
	    !st->rope_s || !st->scores || !st->probs) {
		mdl_lm_state_free(st);
		return -ENOMEM;
	}
	/* pair i of a row rotates like pair i mod (head_size / 2) of its head */
	for (pos = 0; pos < m->seq_len; pos++)
		for (i = 0; i < half; i++)
			mdl_llama_rope_cs(m->head_size, pos, i % (m->head_size / 2),
					  &st->rope_c[pos * half + i], &st->rope_s[pos * half + i]);
	*out = st;
	return 0;
}

void mdl_lm_state_free(struct mdl_lm_state *st)
{
	if (!st)
		return;
	free(st->vc); free(st->kt); free(st->x); free(st->xn); free(st->q); free(st->k);
	free(st->v); free(st->qr); free(st->kr); free(st->att); free(st->tmp); free(st->h1);
	free(st->h3); free(st->hg); free(st->rope_c); free(st->rope_s); free(st->scores);
	free(st->probs);
	free(st);
}

struct mdl_fw_job {
	struct mdl_exec *ex;
	struct mdl_lm_state *st;
	uint32_t layer, nb, pos, t;
	const float *gain;
	const float *src;
	float *dst;
	int ret;
};

static float *mdl_cache_row(const struct mdl_lm_state *st, float *base, uint32_t l, uint32_t b,
			    uint32_t pos)
{
	const struct mdl_llama *m = st->m;

	return base + (((size_t)l * st->batch + b) * m->seq_len + pos) * m->kv_dim;
}

/* Column @pos of the transposed keys of head @h: stride seq_len per element. */
static float *mdl_kt_col(const struct mdl_lm_state *st, uint32_t l, uint32_t b, uint32_t h,
			 uint32_t pos)
{
	const struct mdl_llama *m = st->m;

	return st->kt + (((size_t)l * st->batch + b) * m->kv_heads + h) * m->head_size *
		m->seq_len + pos;
}

static void mdl_fw_fail(struct mdl_fw_job *j, int ret)
{
	if (ret)
		__atomic_store_n(&j->ret, ret, __ATOMIC_RELAXED);
}

static void mdl_rmsnorm_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	struct mdl_fw_job *j = ctx;
	uint32_t D = j->st->m->dim, r;

	for (r = r0; r < r1; r++)
		mdl_fw_fail(j, dp_rmsnorm_fast(j->src + (size_t)r * D, j->gain, D,
					       MDL_LLAMA_EPS, j->dst + (size_t)r * D,
					       mdl_exec_isa(j->ex)));
}

/* RoPE on q and k, then k and v into the cache */
static void mdl_rope_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	struct mdl_fw_job *j = ctx;
	struct mdl_lm_state *st = j->st;
	const struct mdl_llama *m = st->m;
	uint32_t D = m->dim, KV = m->kv_dim, half = D / 2, isa = mdl_exec_isa(j->ex), r;

	for (r = r0; r < r1; r++) {
		uint32_t b = r / j->t, p = j->pos + r % j->t;
		const float *c = st->rope_c + (size_t)p * half, *s = st->rope_s + (size_t)p * half;

		mdl_fw_fail(j, dp_rope_fast(st->q + (size_t)r * D, c, s, D, st->qr + (size_t)r * D,
					    isa));
		float *k = st->kr + (size_t)r * KV;
		uint32_t e;

		mdl_fw_fail(j, dp_rope_fast(st->k + (size_t)r * KV, c, s, KV, k, isa));
		memcpy(mdl_cache_row(st, st->vc, j->layer, b, p), st->v + (size_t)r * KV,
		       KV * sizeof(float));
		for (e = 0; e < KV; e++) {
			float *col = mdl_kt_col(st, j->layer, b, e / m->head_size, p);

			col[(size_t)(e % m->head_size) * m->seq_len] = k[e];
		}
	}
}

/* One task per (sequence, head): scores, softmax and the weighted sum of values. */
static void mdl_attn_items(void *ctx, uint32_t i0, uint32_t i1)
{
	struct mdl_fw_job *j = ctx;
	struct mdl_lm_state *st = j->st;
	const struct mdl_llama *m = st->m;
	uint32_t hs = m->head_size, D = m->dim, it, i, s, e;
	float div = sqrtf((float)hs);

	for (it = i0; it < i1; it++) {
		uint32_t b = it / m->heads, h = it % m->heads;
		uint32_t kvh = h / (m->heads / m->kv_heads);
		float *sc = st->scores + (size_t)it * m->seq_len;
		float *pr = st->probs + (size_t)it * m->seq_len;

		for (i = 0; i < j->t; i++) {
			uint32_t row = b * j->t + i, n = j->pos + i + 1;
			const float *q = st->qr + (size_t)row * D + h * hs;
			float *out = st->att + (size_t)row * D + h * hs;

			const float *kt = mdl_kt_col(st, j->layer, b, kvh, 0);

			/*
			 * q.k for every position s at once (lanes are positions);
			 * each score still sums its head_size products in order.
			 */
			memset(sc, 0, n * sizeof(float));
			for (e = 0; e < hs; e++) {
				const float *ke = kt + (size_t)e * m->seq_len;
				float qe = q[e];

				for (s = 0; s < n; s++)
					sc[s] += qe * ke[s];
			}
			for (s = 0; s < n; s++)
				sc[s] = sc[s] / div;
			mdl_fw_fail(j, dp_softmax_fast(sc, n, pr, mdl_exec_isa(j->ex)));
			memset(out, 0, hs * sizeof(float));
			for (s = 0; s < n; s++) {
				const float *v = mdl_cache_row(st, st->vc, j->layer, b, s) +
						 kvh * hs;

				for (e = 0; e < hs; e++)
					out[e] += pr[s] * v[e];
			}
		}
	}
}

/* dst += src over rows of width D */
static void mdl_add_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	struct mdl_fw_job *j = ctx;
	size_t D = j->st->m->dim;

	mdl_fw_fail(j, dp_add_fast(j->dst + r0 * D, j->src + r0 * D, (uint32_t)((r1 - r0) * D),
				   j->dst + r0 * D, mdl_exec_isa(j->ex)));
}

/* hg = h1 * h3, where h1 = silu(w1 x) already */
static void mdl_swiglu_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	struct mdl_fw_job *j = ctx;
	struct mdl_lm_state *st = j->st;
	size_t H = st->m->hidden;

	mdl_fw_fail(j, dp_mul_fast(st->h1 + r0 * H, st->h3 + r0 * H, (uint32_t)((r1 - r0) * H),
				   st->hg + r0 * H, mdl_exec_isa(j->ex)));
}

static int mdl_lm_layer(struct mdl_exec *ex, const struct mdl_linset *ls, struct mdl_fw_job *j,
			uint32_t rows)
{
	struct mdl_lm_state *st = j->st;
	const struct mdl_llama *m = st->m;
	struct mdl_pool *pool = mdl_exec_pool(ex);
	uint32_t l = j->layer;
	int ret;

	j->src = st->x;
	j->dst = st->xn;
	j->gain = m->w.rms_att + (size_t)l * m->dim;
	mdl_par_for(pool, rows, 8, mdl_rmsnorm_rows, j);
	if ((ret = mdl_lin_run(ex, ls, mdl_lm_lin_id(l, MDL_LM_WQ), st->xn, rows, st->q)) ||
	    (ret = mdl_lin_run(ex, ls, mdl_lm_lin_id(l, MDL_LM_WK), st->xn, rows, st->k)) ||
	    (ret = mdl_lin_run(ex, ls, mdl_lm_lin_id(l, MDL_LM_WV), st->xn, rows, st->v)))
		return ret;
	mdl_par_for(pool, rows, 8, mdl_rope_rows, j);
	mdl_par_for(pool, j->nb * m->heads, 1, mdl_attn_items, j);
	if ((ret = mdl_lin_run(ex, ls, mdl_lm_lin_id(l, MDL_LM_WO), st->att, rows, st->tmp)))
		return ret;
	j->src = st->tmp;
	j->dst = st->x;
	mdl_par_for(pool, rows, 8, mdl_add_rows, j);

	j->src = st->x;
	j->dst = st->xn;
	j->gain = m->w.rms_ffn + (size_t)l * m->dim;
	mdl_par_for(pool, rows, 8, mdl_rmsnorm_rows, j);
	if ((ret = mdl_lin_run(ex, ls, mdl_lm_lin_id(l, MDL_LM_W1), st->xn, rows, st->h1)) ||
	    (ret = mdl_lin_run(ex, ls, mdl_lm_lin_id(l, MDL_LM_W3), st->xn, rows, st->h3)))
		return ret;
	mdl_par_for(pool, rows, 8, mdl_swiglu_rows, j);
	if ((ret = mdl_lin_run(ex, ls, mdl_lm_lin_id(l, MDL_LM_W2), st->hg, rows, st->tmp)))
		return ret;
	j->src = st->tmp;
	j->dst = st->x;
	mdl_par_for(pool, rows, 8, mdl_add_rows, j);
	return j->ret;
}

int mdl_lm_forward(struct mdl_exec *ex, const struct mdl_linset *ls, struct mdl_lm_state *st,
		   uint32_t nb, uint32_t pos, uint32_t t, const uint32_t *tokens, float *logits)
{
	const struct mdl_llama *m = st->m;
	struct mdl_fw_job j = { .ex = ex, .st = st, .nb = nb, .pos = pos, .t = t };
	uint32_t rows = nb * t, r;
	int ret;

	if (nb == 0 || nb > st->batch || t == 0 || t > st->chunk || pos + t > m->seq_len ||
	    ls->count != m->layers * MDL_LM_LIN_PER_LAYER + 1)
		return -EINVAL;
	for (r = 0; r < rows; r++) {
		if (tokens[r] >= m->vocab)
			return -EINVAL;
		memcpy(st->x + (size_t)r * m->dim, m->w.tok_emb + (size_t)tokens[r] * m->dim,
		       m->dim * sizeof(float));
	}
	for (j.layer = 0; j.layer < m->layers; j.layer++) {
		ret = mdl_lm_layer(ex, ls, &j, rows);
		if (ret)
			return ret;
	}
	j.src = st->x;
	j.dst = st->xn;
	j.gain = m->w.rms_final;
	mdl_par_for(mdl_exec_pool(ex), rows, 8, mdl_rmsnorm_rows, &j);
	if (j.ret)
		return j.ret;
	return mdl_lin_run(ex, ls, m->layers * MDL_LM_LIN_PER_LAYER, st->xn, rows, logits);
}
