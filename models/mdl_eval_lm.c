// SPDX-License-Identifier: MIT
/* Quasar models: language-model metrics (bits per byte, KL, agreement). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dp_gemm.h"
#include "mdl_eval.h"
#include "mdl_lm_infer.h"
#include "mdl_util.h"

void mdl_lm_eval_opts_default(struct mdl_lm_eval_opts *o)
{
	*o = (struct mdl_lm_eval_opts){ .windows = 0, .batch = 16, .prompts = 64,
					.prompt_len = 64, .gen_len = 64,
					.window_bits = NULL };
}

uint32_t mdl_lm_eval_windows(const struct mdl_llama *m, const struct mdl_text *held,
			     const struct mdl_lm_eval_opts *o)
{
	uint32_t T = m->seq_len, nw = held->len > 1 ? (uint32_t)((held->len - 1) / T) : 0;

	return o->windows && o->windows < nw ? o->windows : nw;
}

void mdl_lm_ref_free(struct mdl_lm_ref *r)
{
	free(r->logp);
	free(r->top1);
	free(r->gen);
	memset(r, 0, sizeof(*r));
}

/* log-softmax of one row in double; returns the first index of the maximum */
static uint32_t mdl_logsoftmax(const float *lg, uint32_t v, double *out)
{
	double mx = lg[0], s = 0;
	uint32_t i, best = 0;

	for (i = 1; i < v; i++)
		if (lg[i] > mx) {
			mx = lg[i];
			best = i;
		}
	for (i = 0; i < v; i++)
		s += exp((double)lg[i] - mx);
	s = mx + log(s);
	for (i = 0; i < v; i++)
		out[i] = (double)lg[i] - s;
	return best;
}

static uint32_t mdl_argmax(const float *lg, uint32_t v)
{
	uint32_t i, best = 0;

	for (i = 1; i < v; i++)
		if (lg[i] > lg[best])
			best = i;
	return best;
}

struct mdl_score {
	double nll, kl;
	size_t agree, tokens;
	double *window_bits;	/* NULL, or [windows]: each window's bits per byte */
};

/* Where the forward passes run: the host path over @ls, or @fwd. */
struct mdl_pass {
	struct mdl_exec *ex;
	const struct mdl_linset *ls;
	const struct mdl_lm_fwd *fwd;
	struct mdl_lm_state *st;
};

static int mdl_pass_begin(struct mdl_pass *ps, const struct mdl_llama *m, uint32_t batch,
			  uint32_t chunk)
{
	if (ps->fwd)
		return batch <= ps->fwd->seqs ? 0 : -EINVAL;
	return mdl_lm_state_create(m, batch, chunk, &ps->st);
}

static int mdl_pass_forward(struct mdl_pass *ps, uint32_t nb, uint32_t pos, uint32_t t,
			    const uint32_t *tok, float *logits)
{
	if (ps->fwd)
		return ps->fwd->forward(ps->fwd->ctx, nb, pos, t, tok, logits);
	return mdl_lm_forward(ps->ex, ps->ls, ps->st, nb, pos, t, tok, logits);
}

static void mdl_pass_end(struct mdl_pass *ps)
{
	mdl_lm_state_free(ps->st);
	ps->st = NULL;
}

static int mdl_lm_score(struct mdl_pass *ps, const struct mdl_llama *m,
			const struct mdl_text *held, const struct mdl_lm_eval_opts *o, uint32_t nw,
			const struct mdl_lm_ref *ref, struct mdl_lm_ref *mk, struct mdl_score *sc)
{
	uint32_t T = m->seq_len, V = m->vocab, w0, b, i, v;
	uint32_t *tok;
	float *logits;
	double *lp;
	int ret;

	ret = mdl_pass_begin(ps, m, o->batch, T);
	if (ret)
		return ret;
	tok = malloc(sizeof(uint32_t) * o->batch * T);
	logits = malloc(sizeof(float) * (size_t)o->batch * T * V);
	lp = malloc(sizeof(double) * V);
	if (!tok || !logits || !lp) {
		ret = -ENOMEM;
		goto out;
	}
	for (w0 = 0; w0 < nw; w0 += o->batch) {
		uint32_t nb = nw - w0 < o->batch ? nw - w0 : o->batch;

		for (b = 0; b < nb; b++)
			for (i = 0; i < T; i++)
				tok[b * T + i] = held->bytes[(size_t)(w0 + b) * T + i];
		ret = mdl_pass_forward(ps, nb, 0, T, tok, logits);
		if (ret)
			goto out;
		for (b = 0; b < nb; b++) {
			double wnll = 0.0;

			for (i = 0; i < T; i++) {
				size_t pos = (size_t)(w0 + b) * T + i;
				uint32_t tgt = held->bytes[pos + 1];
				const float *lg = logits + ((size_t)b * T + i) * V;
				uint32_t top = mdl_logsoftmax(lg, V, lp);

				sc->nll -= lp[tgt];
				wnll -= lp[tgt];
				if (ref) {
					const float *rp = ref->logp + pos * V;
					double kl = 0;

					for (v = 0; v < V; v++)
						kl += exp(rp[v]) * (rp[v] - lp[v]);
					sc->kl += kl;
					sc->agree += top == ref->top1[pos];
				}
				if (mk) {
					for (v = 0; v < V; v++)
						mk->logp[pos * V + v] = (float)lp[v];
					mk->top1[pos] = top;
				}
				sc->tokens++;
			}
			if (sc->window_bits)
				sc->window_bits[w0 + b] = wnll / T / M_LN2;
		}
	}
out:
	free(tok);
	free(logits);
	free(lp);
	mdl_pass_end(ps);
	return ret;
}

/* Greedy continuation of o->prompts held-out prompts; gen[p][gen_len]. */
static int mdl_lm_generate(struct mdl_pass *ps, const struct mdl_llama *m,
			   const struct mdl_text *held, const struct mdl_lm_eval_opts *o,
			   uint32_t *gen)
{
	uint32_t P = o->prompts, L = o->prompt_len, G = o->gen_len, V = m->vocab, p, i, g;
	uint32_t *tok;
	float *logits;
	int ret;

	ret = mdl_pass_begin(ps, m, P, L);
	if (ret)
		return ret;
	tok = malloc(sizeof(uint32_t) * P * L);
	logits = malloc(sizeof(float) * (size_t)P * L * V);
	if (!tok || !logits) {
		ret = -ENOMEM;
		goto out;
	}
	for (p = 0; p < P; p++) {
		size_t off = (held->len - L - 1) * (size_t)p / P;

		for (i = 0; i < L; i++)
			tok[p * L + i] = held->bytes[off + i];
	}
	ret = mdl_pass_forward(ps, P, 0, L, tok, logits);
	for (g = 0; !ret && g < G; g++) {
		for (p = 0; p < P; p++) {
			/* after the prompt, row p * L + L - 1; after that, row p */
			const float *row = g == 0 ? logits + ((size_t)p * L + L - 1) * V :
						    logits + (size_t)p * V;

			gen[p * G + g] = tok[p] = mdl_argmax(row, V);
		}
		if (g + 1 < G)
			ret = mdl_pass_forward(ps, P, L + g, 1, tok, logits);
	}
out:
	free(tok);
	free(logits);
	mdl_pass_end(ps);
	return ret;
}

static int mdl_lm_eval_pass(struct mdl_pass *ps, const struct mdl_llama *m,
			    const struct mdl_text *held, const struct mdl_lm_eval_opts *o,
			    const struct mdl_lm_ref *ref, struct mdl_lm_ref *mk,
			    struct mdl_lm_figures *f, char *err, size_t errlen)
{
	uint32_t T = m->seq_len, V = m->vocab, nw, *gen = NULL, i;
	struct mdl_score sc = { .window_bits = o->window_bits };
	size_t ntok;
	int ret;

	memset(f, 0, sizeof(*f));
	if (V != 256)
		return mdl_err(err, errlen, -EINVAL,
			       "vocabulary of %u tokens: the evaluation text is bytes (256)", V);
	if (o->batch == 0 || (o->prompts && (o->prompt_len == 0 || o->gen_len == 0 ||
					     o->prompt_len + o->gen_len > T ||
					     held->len < (size_t)o->prompt_len + 2)))
		return mdl_err(err, errlen, -EINVAL,
			       "bad options: prompt %u + generated %u bytes must fit seq_len %u",
			       o->prompt_len, o->gen_len, T);
	nw = mdl_lm_eval_windows(m, held, o);
	if (nw == 0)
		return mdl_err(err, errlen, -EINVAL, "held-out text shorter than one window");
	ntok = (size_t)nw * T;
	if (ref && (ref->tokens != ntok || ref->vocab != V || ref->prompts != o->prompts ||
		    ref->gen_len != o->gen_len))
		return mdl_err(err, errlen, -EINVAL, "reference made with other options");
	if (mk) {
		memset(mk, 0, sizeof(*mk));
		mk->tokens = ntok;
		mk->vocab = V;
		mk->prompts = o->prompts;
		mk->gen_len = o->gen_len;
		mk->logp = malloc(sizeof(float) * ntok * V);
		mk->top1 = malloc(sizeof(uint32_t) * ntok);
		mk->gen = malloc(sizeof(uint32_t) * ((size_t)o->prompts * o->gen_len + 1));
		if (!mk->logp || !mk->top1 || !mk->gen) {
			mdl_lm_ref_free(mk);
			return mdl_err(err, errlen, -ENOMEM, "out of memory for the reference");
		}
	}
	ret = mdl_lm_score(ps, m, held, o, nw, ref, mk, &sc);
	if (!ret && o->prompts) {
		gen = mk ? mk->gen : malloc(sizeof(uint32_t) * o->prompts * o->gen_len);
		ret = gen ? mdl_lm_generate(ps, m, held, o, gen) : -ENOMEM;
	}
	if (ret) {
		if (!mk || gen != mk->gen)
			free(gen);
		if (mk)
			mdl_lm_ref_free(mk);
		return mdl_err(err, errlen, ret, "forward pass failed (%d)", ret);
	}
	f->tokens = sc.tokens;
	f->windows = nw;
	f->bits_per_byte = sc.nll / (double)sc.tokens / M_LN2;
	f->kl = ref ? sc.kl / (double)sc.tokens : 0;
	f->top1_agree = ref ? (double)sc.agree / (double)sc.tokens : 1;
	f->gen_agree = 1;
	if (ref && o->prompts) {
		size_t same = 0, n = (size_t)o->prompts * o->gen_len;

		for (i = 0; i < n; i++)
			same += gen[i] == ref->gen[i];
		f->gen_agree = (double)same / (double)n;
	}
	if (!mk)
		free(gen);
	return 0;
}

int mdl_lm_evaluate(struct mdl_exec *ex, const struct mdl_llama *m, const struct mdl_linset *ls,
		    const struct mdl_text *held, const struct mdl_lm_eval_opts *o,
		    const struct mdl_lm_ref *ref, struct mdl_lm_ref *mk,
		    struct mdl_lm_figures *f, char *err, size_t errlen)
{
	struct mdl_pass ps = { .ex = ex, .ls = ls };

	return mdl_lm_eval_pass(&ps, m, held, o, ref, mk, f, err, errlen);
}

int mdl_lm_evaluate_on(const struct mdl_lm_fwd *fwd, const struct mdl_llama *m,
		       const struct mdl_text *held, const struct mdl_lm_eval_opts *o,
		       const struct mdl_lm_ref *ref, struct mdl_lm_figures *f, char *err,
		       size_t errlen)
{
	struct mdl_pass ps = { .fwd = fwd };
	struct mdl_lm_eval_opts oo = *o;

	if (oo.batch > fwd->seqs)
		oo.batch = fwd->seqs;
	if (oo.prompts > fwd->seqs)
		return mdl_err(err, errlen, -EINVAL, "%u prompts at once; the forward pass takes %u",
			       oo.prompts, fwd->seqs);
	return mdl_lm_eval_pass(&ps, m, held, &oo, ref, NULL, f, err, errlen);
}

int mdl_lm_eval_fp32(const struct mdl_llama *m, struct mdl_pool *pool,
		     const struct mdl_text *held, struct mdl_lm_figures *f, char *err,
		     size_t errlen)
{
	struct mdl_lm_eval_opts o;
	struct mdl_linset ls;
	struct mdl_exec *ex;
	int ret;

	mdl_lm_eval_opts_default(&o);
	o.prompts = 0;
	ret = mdl_exec_create(pool, dp_isa_best(), &ex);
	if (ret)
		return mdl_err(err, errlen, ret, "cannot create the executor");
	ret = mdl_lm_linset(m, &ls);
	if (ret) {
		mdl_exec_free(ex);
		return mdl_err(err, errlen, ret, "out of memory");
	}
	ret = mdl_lm_evaluate(ex, m, &ls, held, &o, NULL, NULL, f, err, errlen);
	mdl_linset_free(&ls, 1);
	mdl_exec_free(ex);
	return ret;
}
