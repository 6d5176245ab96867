// SPDX-License-Identifier: MIT
/* Quasar models: Llama forward/backward for training (FP32, deterministic). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_act_fakequant.h"
#include "mdl_fp32_matmul.h"
#include "mdl_lm_train.h"
#include "mdl_util.h"

struct mdl_lm_layer_acts {
	float *x;		/* layer input (residual stream) */
	float *xn1, *rs1;	/* attention RMSNorm output and 1/rms per row */
	float *q, *k, *v;	/* after RoPE (q, k) */
	float *p;		/* attention probabilities [batch][heads][t][t] */
	float *att;		/* heads' outputs, concatenated */
	float *xm;		/* residual after attention */
	float *xn2, *rs2;
	float *h1, *h3, *g;	/* w1 x, w3 x, silu(h1) * h3 */
};

/* ---- element-wise and row-wise kernels (each row is one task) ---- */

struct mdl_rows_job {
	struct mdl_lm_train *tr;
	const float *x, *gain, *rs, *dy, *res;
	float *y, *out, *dgain, *rs_out;
	const float *a, *b;
	float *da, *db;
	uint32_t d;
	int inverse;
};

static void mdl_rmsnorm_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	const struct mdl_rows_job *j = ctx;
	uint32_t r, i, d = j->d;

	for (r = r0; r < r1; r++) {
		const float *x = j->x + (size_t)r * d;
		float *y = j->y + (size_t)r * d, ss = 0, rs;

		for (i = 0; i < d; i++)
			ss += x[i] * x[i];
		rs = 1.0f / sqrtf(ss / (float)d + MDL_LLAMA_EPS);
		j->rs_out[r] = rs;
		for (i = 0; i < d; i++)
			y[i] = x[i] * rs * j->gain[i];
	}
}

/* out = res + d(rmsnorm)/dx . dy for each row */
static void mdl_rmsnorm_bwd_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	const struct mdl_rows_job *j = ctx;
	uint32_t r, i, d = j->d;

	for (r = r0; r < r1; r++) {
		const float *x = j->x + (size_t)r * d, *dy = j->dy + (size_t)r * d;
		const float *res = j->res + (size_t)r * d;
		float *out = j->out + (size_t)r * d, rs = j->rs[r], dot = 0, c;

		for (i = 0; i < d; i++)
			dot += dy[i] * j->gain[i] * x[i];
		c = rs * rs * rs / (float)d * dot;
		for (i = 0; i < d; i++)
			out[i] = res[i] + (rs * j->gain[i] * dy[i] - x[i] * c);
	}
}

/* dgain[i] += sum over rows of dy * x * rs (columns are the tasks) */
static void mdl_rmsnorm_dgain_cols(void *ctx, uint32_t c0, uint32_t c1)
{
	const struct mdl_rows_job *j = ctx;
	uint32_t n = j->tr->n, d = j->d, r, i;

	for (i = c0; i < c1; i++) {
		float s = j->dgain[i];

		for (r = 0; r < n; r++)
			s += j->dy[(size_t)r * d + i] * j->x[(size_t)r * d + i] * j->rs[r];
		j->dgain[i] = s;
	}
}

static void mdl_rmsnorm_fwd(struct mdl_lm_train *tr, const float *x, const float *gain,
			    float *rs, float *y)
{
	struct mdl_rows_job j = { .tr = tr, .x = x, .gain = gain, .rs_out = rs, .y = y,
				  .d = tr->m->dim };

	mdl_par_for(tr->pool, tr->n, 16, mdl_rmsnorm_rows, &j);
}

static void mdl_rmsnorm_bwd(struct mdl_lm_train *tr, const float *x, const float *gain,
			    const float *rs, const float *dy, const float *res, float *out,
			    float *dgain)
{
	struct mdl_rows_job j = { .tr = tr, .x = x, .gain = gain, .rs = rs, .dy = dy,
				  .res = res, .out = out, .dgain = dgain, .d = tr->m->dim };

	mdl_par_for(tr->pool, tr->m->dim, 8, mdl_rmsnorm_dgain_cols, &j);
	mdl_par_for(tr->pool, tr->n, 16, mdl_rmsnorm_bwd_rows, &j);
}

static void mdl_swiglu_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	const struct mdl_rows_job *j = ctx;
	size_t i, a = (size_t)r0 * j->d, b = (size_t)r1 * j->d;

	for (i = a; i < b; i++) {
		float h1 = j->a[i];

		j->y[i] = h1 / (1.0f + expf(-h1)) * j->b[i];
	}
}

static void mdl_swiglu_bwd_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	const struct mdl_rows_job *j = ctx;
	size_t i, a = (size_t)r0 * j->d, b = (size_t)r1 * j->d;

	for (i = a; i < b; i++) {
		float h1 = j->a[i], h3 = j->b[i], dg = j->dy[i];
		float sg = 1.0f / (1.0f + expf(-h1));

		j->db[i] = dg * h1 * sg;
		j->da[i] = dg * h3 * sg * (1.0f + h1 * (1.0f - sg));
	}
}

/* RoPE on q and k in place; @inverse rotates back (the backward pass). */
static void mdl_rope_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	const struct mdl_rows_job *j = ctx;
	const struct mdl_lm_train *tr = j->tr;
	uint32_t hs = tr->m->head_size, half = hs / 2, d = tr->m->dim, r, h, i;
	float sign = j->inverse ? -1.0f : 1.0f;

	for (r = r0; r < r1; r++) {
		const float *cs = tr->rope_c + (size_t)(r % tr->t) * half;
		const float *sn = tr->rope_s + (size_t)(r % tr->t) * half;
		float *vecs[2] = { j->y + (size_t)r * d, j->out + (size_t)r * d };
		int v;

		for (v = 0; v < 2; v++)
			for (h = 0; h < tr->m->heads; h++)
				for (i = 0; i < half; i++) {
					float *p = vecs[v] + h * hs + 2 * i;
					float x0 = p[0], x1 = p[1], c = cs[i], s = sign * sn[i];

					p[0] = x0 * c - x1 * s;
					p[1] = x0 * s + x1 * c;
				}
	}
}

static void mdl_rope(struct mdl_lm_train *tr, float *q, float *k, int inverse)
{
	struct mdl_rows_job j = { .tr = tr, .y = q, .out = k, .inverse = inverse };

	mdl_par_for(tr->pool, tr->n, 16, mdl_rope_rows, &j);
}

/* ---- linear layers ---- */

/* y[n][out] = x[n][in] * W^T, with wt = W^T stored [in][out] */
static void mdl_lin_fwd(struct mdl_lm_train *tr, const float *x, const float *wt,
			uint32_t in, uint32_t out, float *y)
{
	mdl_mm_par(tr->pool, tr->n, out, in, x, in, wt, out, y, out, false);
}

struct mdl_tr_job {
	const float *src;
	float *dst;
	uint32_t rows, cols;
};

static void mdl_transpose_cols(void *ctx, uint32_t c0, uint32_t c1)
{
	const struct mdl_tr_job *j = ctx;

	mdl_transpose(j->src + c0, j->rows, c1 - c0, j->cols, j->dst + (size_t)c0 * j->rows,
		      j->rows);
}

static void mdl_transpose_par(struct mdl_pool *p, const float *src, uint32_t rows,
			      uint32_t cols, float *dst)
{
	struct mdl_tr_job j = { src, dst, rows, cols };

	mdl_par_for(p, cols, 32, mdl_transpose_cols, &j);
}

/* dW[out][in] += dy^T x; dx[n][in] (+)= dy W */
static void mdl_lin_bwd(struct mdl_lm_train *tr, const float *x, const float *w,
			const float *dy, uint32_t in, uint32_t out, float *dw, float *dx,
			bool dx_acc)
{
	mdl_mm_at_par(tr->pool, out, in, tr->n, dy, out, x, in, dw, in, true);
	if (dx)
		mdl_mm_par(tr->pool, tr->n, in, out, dy, out, w, in, dx, in, dx_acc);
}

/* ---- attention: one (sequence, head) item per task ---- */

struct mdl_att_job {
	struct mdl_lm_train *tr;
	struct mdl_lm_layer_acts *a;
};

static size_t mdl_att_scratch_floats(const struct mdl_lm_train *tr)
{
	return (size_t)tr->m->head_size * tr->t + (size_t)tr->t * tr->t;
}

static void mdl_att_fwd_items(void *ctx, uint32_t i0, uint32_t i1)
{
	const struct mdl_att_job *j = ctx;
	const struct mdl_lm_train *tr = j->tr;
	uint32_t T = tr->t, hs = tr->m->head_size, d = tr->m->dim, it, t, s;
	float scale = 1.0f / sqrtf((float)hs);

	for (it = i0; it < i1; it++) {
		uint32_t b = it / tr->m->heads, h = it % tr->m->heads;
		size_t off = (size_t)b * T * d + h * hs;
		float *kt = tr->att_scratch + it * mdl_att_scratch_floats(tr);
		float *p = j->a->p + (size_t)it * T * T;

		mdl_transpose(j->a->k + off, T, hs, d, kt, T);
		mdl_mm(T, T, hs, j->a->q + off, d, kt, T, p, T, false);
		for (t = 0; t < T; t++) {
			float *row = p + (size_t)t * T, mx = -INFINITY, sum = 0;

			for (s = 0; s <= t; s++) {
				row[s] *= scale;
				if (row[s] > mx)
					mx = row[s];
			}
			for (s = 0; s <= t; s++) {
				row[s] = expf(row[s] - mx);
				sum += row[s];
			}
			for (s = 0; s <= t; s++)
				row[s] /= sum;
			for (; s < T; s++)
				row[s] = 0.0f;
		}
		mdl_mm(T, hs, T, p, T, j->a->v + off, d, j->a->att + off, d, false);
	}
}

static void mdl_att_bwd_items(void *ctx, uint32_t i0, uint32_t i1)
{
	const struct mdl_att_job *j = ctx;
	const struct mdl_lm_train *tr = j->tr;
	uint32_t T = tr->t, hs = tr->m->head_size, d = tr->m->dim, it, t, s;
	float scale = 1.0f / sqrtf((float)hs);

	for (it = i0; it < i1; it++) {
		uint32_t b = it / tr->m->heads, h = it % tr->m->heads;
		size_t off = (size_t)b * T * d + h * hs;
		float *vt = tr->att_scratch + it * mdl_att_scratch_floats(tr);
		float *dp = vt + (size_t)hs * T;
		const float *p = j->a->p + (size_t)it * T * T, *dout = tr->d_att + off;

		mdl_transpose(j->a->v + off, T, hs, d, vt, T);
		mdl_mm(T, T, hs, dout, d, vt, T, dp, T, false);
		mdl_mm_at(T, hs, T, p, T, dout, d, tr->d_v + off, d, false);
		for (t = 0; t < T; t++) {
			const float *pr = p + (size_t)t * T;
			float *dr = dp + (size_t)t * T, dot = 0;

			for (s = 0; s <= t; s++)
				dot += dr[s] * pr[s];
			for (s = 0; s <= t; s++)
				dr[s] = pr[s] * (dr[s] - dot) * scale;
			for (; s < T; s++)
				dr[s] = 0.0f;
		}
		mdl_mm(T, hs, T, dp, T, j->a->k + off, d, tr->d_q + off, d, false);
		mdl_mm_at(T, hs, T, dp, T, j->a->q + off, d, tr->d_k + off, d, false);
	}
}

/* ---- loss ---- */

static void mdl_loss_rows(void *ctx, uint32_t r0, uint32_t r1)
{
	struct mdl_lm_train *tr = ((struct mdl_rows_job *)ctx)->tr;
	uint32_t V = tr->m->vocab, r, i;
	float inv_n = 1.0f / (float)tr->n, sw = tr->soft ? tr->soft_w : 0.0f;

	for (r = r0; r < r1; r++) {
		float *lg = tr->logits + (size_t)r * V, mx = lg[0], sum = 0, lse;
		const float *pt = tr->soft ? tr->soft + (size_t)r * V : NULL;
		uint32_t y = tr->tgt ? tr->tgt[r] : 0;
		double kl = 0.0;

		for (i = 1; i < V; i++)
			if (lg[i] > mx)
				mx = lg[i];
		for (i = 0; i < V; i++)
			sum += expf(lg[i] - mx);
		if (!tr->tgt) {	/* teacher: probabilities only */
			for (i = 0; i < V; i++)
				lg[i] = expf(lg[i] - mx) / sum;
			tr->row_loss[r] = 0.0;
			continue;
		}
		lse = logf(sum) + mx;
		for (i = 0; pt && i < V; i++)
			if (pt[i] > 0.0f)
				kl += (double)pt[i] * ((double)logf(pt[i]) - (lg[i] - lse));
		tr->row_loss[r] = (1.0 - sw) * ((double)lse - lg[y]) + sw * kl;
		/* logits become d(mean loss)/d(logits): p - ((1 - w) onehot + w teacher) */
		for (i = 0; i < V; i++)
			lg[i] = (expf(lg[i] - mx) / sum - (pt ? sw * pt[i] : 0.0f)) * inv_n;
		lg[y] -= (1.0f - sw) * inv_n;
	}
}

/* ---- the step ---- */

/* A8 QAT: a linear layer's input rows (n x k) as the device quantizes them, in place */
static void mdl_act_fq(struct mdl_lm_train *tr, float *x, uint32_t k)
{
	int ret;

	if (!tr->aq_a8)
		return;
	ret = mdl_actq_a8(tr->pool, x, tr->n, k, x);
	if (ret && !tr->fq_ret)
		tr->fq_ret = ret;
}

/* QAT: the forward weights of every linear layer, in mdl_lm_linset's order. */
static void mdl_fake_quant(struct mdl_lm_train *tr)
{
	const struct mdl_llama *m = tr->m;
	const struct mdl_llama_w *w = &m->w;
	struct mdl_llama_w *f = &tr->wf;
	uint32_t D = m->dim, H = m->hidden, l, i, id = 0;
	int ret = 0;

	for (l = 0; l < m->layers; l++) {
		size_t dd = (size_t)l * D * D, dh = (size_t)l * D * H;
		struct { const float *w; float *q; uint32_t n, k; } t[] = {
			{ w->wq + dd, f->wq + dd, D, D }, { w->wk + dd, f->wk + dd, D, D },
			{ w->wv + dd, f->wv + dd, D, D }, { w->wo + dd, f->wo + dd, D, D },
			{ w->w1 + dh, f->w1 + dh, H, D }, { w->w2 + dh, f->w2 + dh, D, H },
			{ w->w3 + dh, f->w3 + dh, H, D },
		};

		for (i = 0; i < 7 && !ret; i++)
			ret = tr->fq(tr->fq_arg, id++, t[i].w, t[i].n, t[i].k, t[i].q);
	}
	if (!ret)
		ret = tr->fq(tr->fq_arg, id, w->wcls, m->vocab, D, f->wcls);
	if (ret && !tr->fq_ret)
		tr->fq_ret = ret;
}

static void mdl_refresh_wt(struct mdl_lm_train *tr)
{
	const struct mdl_llama *m = tr->m;
	const struct mdl_llama_w *w = &tr->wf;
	uint32_t D = m->dim, H = m->hidden, l;

	if (tr->fq)
		mdl_fake_quant(tr);
	for (l = 0; l < m->layers; l++) {
		size_t dd = (size_t)l * D * D, dh = (size_t)l * D * H;

		mdl_transpose_par(tr->pool, w->wq + dd, D, D, tr->wtm.wq + dd);
		mdl_transpose_par(tr->pool, w->wk + dd, D, D, tr->wtm.wk + dd);
		mdl_transpose_par(tr->pool, w->wv + dd, D, D, tr->wtm.wv + dd);
		mdl_transpose_par(tr->pool, w->wo + dd, D, D, tr->wtm.wo + dd);
		mdl_transpose_par(tr->pool, w->w1 + dh, H, D, tr->wtm.w1 + dh);
		mdl_transpose_par(tr->pool, w->w2 + dh, D, H, tr->wtm.w2 + dh);
		mdl_transpose_par(tr->pool, w->w3 + dh, H, D, tr->wtm.w3 + dh);
	}
	mdl_transpose_par(tr->pool, w->wcls, m->vocab, D, tr->wtm.wcls);
}

int mdl_lm_train_set_fq(struct mdl_lm_train *tr, mdl_lm_fq_fn fn, void *arg)
{
	if (!fn) {
		tr->wf = tr->m->w;
		tr->fq = NULL;
		return 0;
	}
	if (tr->m->tied)
		return -ENOTSUP;	/* wcls is the embedding: it cannot be quantized alone */
	if (!tr->fq_buf) {
		tr->fq_buf = mdl_zalloc(tr->m->n_params * sizeof(float));
		if (!tr->fq_buf)
			return -ENOMEM;
	}
	/* the non-linear parameters stay m's; the linear ones come from fq_buf */
	mdl_llama_map(&tr->m->cfg, tr->fq_buf, &tr->wf);
	tr->wf.tok_emb = tr->m->w.tok_emb;
	tr->wf.rms_att = tr->m->w.rms_att;
	tr->wf.rms_ffn = tr->m->w.rms_ffn;
	tr->wf.rms_final = tr->m->w.rms_final;
	tr->fq = fn;
	tr->fq_arg = arg;
	tr->fq_ret = 0;
	return 0;
}

double mdl_lm_train_loss(struct mdl_lm_train *tr, const uint8_t *in, const uint8_t *tgt)
{
	struct mdl_llama *m = tr->m;
	const struct mdl_llama_w *w = &m->w;
	uint32_t D = m->dim, H = m->hidden, V = m->vocab, n = tr->n, items = tr->batch * m->heads;
	struct mdl_rows_job rj = { .tr = tr };
	double loss = 0;
	uint32_t l, r;

	tr->in = in;
	tr->tgt = tgt;
	mdl_refresh_wt(tr);

	for (r = 0; r < n; r++)
		memcpy(tr->acts[0].x + (size_t)r * D, w->tok_emb + (size_t)in[r] * D,
		       D * sizeof(float));
	for (l = 0; l < m->layers; l++) {
		struct mdl_lm_layer_acts *a = &tr->acts[l];
		float *x_next = l + 1 < m->layers ? tr->acts[l + 1].x : tr->x_final;
		size_t dd = (size_t)l * D * D, dh = (size_t)l * D * H;
		struct mdl_att_job aj = { tr, a };

		mdl_rmsnorm_fwd(tr, a->x, w->rms_att + (size_t)l * D, a->rs1, a->xn1);
		mdl_act_fq(tr, a->xn1, D);
		mdl_lin_fwd(tr, a->xn1, tr->wtm.wq + dd, D, D, a->q);
		mdl_lin_fwd(tr, a->xn1, tr->wtm.wk + dd, D, D, a->k);
		mdl_lin_fwd(tr, a->xn1, tr->wtm.wv + dd, D, D, a->v);
		mdl_rope(tr, a->q, a->k, 0);
		mdl_par_for(tr->pool, items, 1, mdl_att_fwd_items, &aj);
		mdl_act_fq(tr, a->att, D);
		mdl_lin_fwd(tr, a->att, tr->wtm.wo + dd, D, D, a->xm);
		for (r = 0; r < n * D; r++)
			a->xm[r] += a->x[r];
		mdl_rmsnorm_fwd(tr, a->xm, w->rms_ffn + (size_t)l * D, a->rs2, a->xn2);
		mdl_act_fq(tr, a->xn2, D);
		mdl_lin_fwd(tr, a->xn2, tr->wtm.w1 + dh, D, H, a->h1);
		mdl_lin_fwd(tr, a->xn2, tr->wtm.w3 + dh, D, H, a->h3);
		rj.a = a->h1;
		rj.b = a->h3;
		rj.y = a->g;
		rj.d = H;
		mdl_par_for(tr->pool, n, 16, mdl_swiglu_rows, &rj);
		mdl_act_fq(tr, a->g, H);
		mdl_lin_fwd(tr, a->g, tr->wtm.w2 + dh, H, D, x_next);
		for (r = 0; r < n * D; r++)
			x_next[r] += a->xm[r];
	}
	mdl_rmsnorm_fwd(tr, tr->x_final, w->rms_final, tr->rs_final, tr->xn_final);
	mdl_act_fq(tr, tr->xn_final, D);
	mdl_lin_fwd(tr, tr->xn_final, tr->wtm.wcls, D, V, tr->logits);
	mdl_par_for(tr->pool, n, 16, mdl_loss_rows, &rj);
	for (r = 0; r < n; r++)
		loss += tr->row_loss[r];
	return loss / n;
}

static void mdl_lm_backward(struct mdl_lm_train *tr, const uint8_t *in)
{
	struct mdl_llama *m = tr->m;
	const struct mdl_llama_w *w = &m->w;
	uint32_t D = m->dim, H = m->hidden, V = m->vocab, n = tr->n, items = tr->batch * m->heads;
	struct mdl_rows_job rj = { .tr = tr };
	uint32_t l, r;

	/* tr->logits holds d loss / d logits */
	mdl_lin_bwd(tr, tr->xn_final, tr->wf.wcls, tr->logits, D, V, tr->g.wcls, tr->d_xn, false);
	memset(tr->d_tmp, 0, (size_t)n * D * sizeof(float));
	mdl_rmsnorm_bwd(tr, tr->x_final, w->rms_final, tr->rs_final, tr->d_xn, tr->d_tmp,
			tr->d_x, tr->g.rms_final);
	for (l = m->layers; l-- > 0;) {
		struct mdl_lm_layer_acts *a = &tr->acts[l];
		size_t dd = (size_t)l * D * D, dh = (size_t)l * D * H;
		struct mdl_att_job aj = { tr, a };

		/* feed-forward branch; d_x is d loss / d (layer output) */
		mdl_lin_bwd(tr, a->g, tr->wf.w2 + dh, tr->d_x, H, D, tr->g.w2 + dh, tr->d_g, false);
		rj.a = a->h1;
		rj.b = a->h3;
		rj.dy = tr->d_g;
		rj.da = tr->d_h1;
		rj.db = tr->d_h3;
		rj.d = H;
		mdl_par_for(tr->pool, n, 16, mdl_swiglu_bwd_rows, &rj);
		mdl_lin_bwd(tr, a->xn2, tr->wf.w1 + dh, tr->d_h1, D, H, tr->g.w1 + dh, tr->d_xn, false);
		mdl_lin_bwd(tr, a->xn2, tr->wf.w3 + dh, tr->d_h3, D, H, tr->g.w3 + dh, tr->d_xn, true);
		mdl_rmsnorm_bwd(tr, a->xm, w->rms_ffn + (size_t)l * D, a->rs2, tr->d_xn, tr->d_x,
				tr->d_xm, tr->g.rms_ffn + (size_t)l * D);
		/* attention branch */
		mdl_lin_bwd(tr, a->att, tr->wf.wo + dd, tr->d_xm, D, D, tr->g.wo + dd, tr->d_att,
			    false);
		mdl_par_for(tr->pool, items, 1, mdl_att_bwd_items, &aj);
		mdl_rope(tr, tr->d_q, tr->d_k, 1);
		mdl_lin_bwd(tr, a->xn1, tr->wf.wq + dd, tr->d_q, D, D, tr->g.wq + dd, tr->d_xn, false);
		mdl_lin_bwd(tr, a->xn1, tr->wf.wk + dd, tr->d_k, D, D, tr->g.wk + dd, tr->d_xn, true);
		mdl_lin_bwd(tr, a->xn1, tr->wf.wv + dd, tr->d_v, D, D, tr->g.wv + dd, tr->d_xn, true);
		mdl_rmsnorm_bwd(tr, a->x, w->rms_att + (size_t)l * D, a->rs1, tr->d_xn, tr->d_xm,
				tr->d_x, tr->g.rms_att + (size_t)l * D);
	}
	/* serial, in row order: rows sharing a token add up in a fixed order */
	for (r = 0; r < n; r++) {
		float *ge = tr->g.tok_emb + (size_t)in[r] * D;
		const float *dx = tr->d_x + (size_t)r * D;
		uint32_t i;

		for (i = 0; i < D; i++)
			ge[i] += dx[i];
	}
}

double mdl_lm_train_step(struct mdl_lm_train *tr, const uint8_t *in, const uint8_t *tgt)
{
	double loss = mdl_lm_train_loss(tr, in, tgt);

	memset(tr->grad, 0, tr->m->n_params * sizeof(float));
	mdl_lm_backward(tr, in);
	return loss;
}

/* ---- set-up ---- */

int mdl_lm_train_init(struct mdl_lm_train *tr, struct mdl_llama *m, struct mdl_pool *pool,
		      uint32_t batch, uint32_t t)
{
	size_t n = (size_t)batch * t, D = m->dim, H = m->hidden, T = t, half, items;
	uint32_t l, pos, i;
	float **bufs[64];
	size_t sizes[64];
	int nb = 0, k;

	memset(tr, 0, sizeof(*tr));
	if (m->kv_heads != m->heads || t == 0 || t > m->seq_len || batch == 0)
		return -EINVAL;
	tr->m = m;
	tr->pool = pool;
	tr->batch = batch;
	tr->t = t;
	tr->n = (uint32_t)n;
	half = m->head_size / 2;
	items = (size_t)batch * m->heads;
	tr->acts = calloc(m->layers, sizeof(*tr->acts));
	tr->row_loss = calloc(n, sizeof(double));
	if (!tr->acts || !tr->row_loss)
		goto nomem;
#define MDL_BUF(p, cnt) do { bufs[nb] = &(p); sizes[nb] = (cnt); nb++; } while (0)
	MDL_BUF(tr->grad, m->n_params);
	MDL_BUF(tr->wt, m->n_params);
	MDL_BUF(tr->x_final, n * D);
	MDL_BUF(tr->xn_final, n * D);
	MDL_BUF(tr->rs_final, n);
	MDL_BUF(tr->logits, n * m->vocab);
	MDL_BUF(tr->d_x, n * D);
	MDL_BUF(tr->d_xm, n * D);
	MDL_BUF(tr->d_xn, n * D);
	MDL_BUF(tr->d_q, n * D);
	MDL_BUF(tr->d_k, n * D);
	MDL_BUF(tr->d_v, n * D);
	MDL_BUF(tr->d_att, n * D);
	MDL_BUF(tr->d_tmp, n * D);
	MDL_BUF(tr->d_h1, n * H);
	MDL_BUF(tr->d_h3, n * H);
	MDL_BUF(tr->d_g, n * H);
	MDL_BUF(tr->att_scratch, items * mdl_att_scratch_floats(tr));
	MDL_BUF(tr->rope_c, T * half);
	MDL_BUF(tr->rope_s, T * half);
#undef MDL_BUF
	for (k = 0; k < nb; k++) {
		*bufs[k] = mdl_zalloc(sizes[k] * sizeof(float));
		if (!*bufs[k])
			goto nomem;
	}
	for (l = 0; l < m->layers; l++) {
		struct mdl_lm_layer_acts *a = &tr->acts[l];
		float **lb[] = { &a->x, &a->xn1, &a->q, &a->k, &a->v, &a->att, &a->xm, &a->xn2 };
		float **hb[] = { &a->h1, &a->h3, &a->g };

		for (k = 0; k < 8; k++)
			if (!(*lb[k] = mdl_zalloc(n * D * sizeof(float))))
				goto nomem;
		for (k = 0; k < 3; k++)
			if (!(*hb[k] = mdl_zalloc(n * H * sizeof(float))))
				goto nomem;
		a->rs1 = mdl_zalloc(n * sizeof(float));
		a->rs2 = mdl_zalloc(n * sizeof(float));
		a->p = mdl_zalloc(items * T * T * sizeof(float));
		if (!a->rs1 || !a->rs2 || !a->p)
			goto nomem;
	}
	mdl_llama_map(&m->cfg, tr->grad, &tr->g);
	mdl_llama_map(&m->cfg, tr->wt, &tr->wtm);
	tr->wf = m->w;
	/*
	 * Tied: the map points wcls at tok_emb's slot, which the forward never
	 * transposes otherwise, and V x D has room for the D x V transpose.
	 */
	for (pos = 0; pos < t; pos++)
		for (i = 0; i < half; i++)
			mdl_llama_rope_cs(m->head_size, pos, i, &tr->rope_c[pos * half + i],
					  &tr->rope_s[pos * half + i]);
	return 0;
nomem:
	mdl_lm_train_free(tr);
	return -ENOMEM;
}

void mdl_lm_train_free(struct mdl_lm_train *tr)
{
	uint32_t l;

	if (tr->acts && tr->m)
		for (l = 0; l < tr->m->layers; l++) {
			struct mdl_lm_layer_acts *a = &tr->acts[l];

			free(a->x); free(a->xn1); free(a->rs1); free(a->q); free(a->k);
			free(a->v); free(a->p); free(a->att); free(a->xm); free(a->xn2);
			free(a->rs2); free(a->h1); free(a->h3); free(a->g);
		}
	free(tr->acts);
	free(tr->row_loss);
	free(tr->grad); free(tr->wt); free(tr->x_final); free(tr->xn_final);
	free(tr->rs_final); free(tr->logits); free(tr->d_x); free(tr->d_xm); free(tr->d_xn);
	free(tr->d_q); free(tr->d_k); free(tr->d_v); free(tr->d_att); free(tr->d_tmp);
	free(tr->d_h1); free(tr->d_h3); free(tr->d_g); free(tr->att_scratch);
	free(tr->rope_c); free(tr->rope_s); free(tr->fq_buf);
	memset(tr, 0, sizeof(*tr));
}
