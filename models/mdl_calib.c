// SPDX-License-Identifier: MIT
/* Quasar models: calibration capture through the linear-layer tap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_calib.h"
#include "mdl_lm_infer.h"
#include "mdl_rng.h"

void mdl_calib_free(struct mdl_calib_set *cs)
{
	uint32_t i;

	for (i = 0; cs->c && i < cs->count; i++)
		free(cs->c[i].x);
	free(cs->c);
	free(cs->order);
	memset(cs, 0, sizeof(*cs));
}

static int mdl_calib_init(struct mdl_calib_set *cs, const struct mdl_linset *ls,
			  uint32_t max_rows, uint32_t stop)
{
	uint32_t i;

	memset(cs, 0, sizeof(*cs));
	if (stop != MDL_CALIB_ALL && stop >= ls->count)
		return -EINVAL;
	cs->c = calloc(ls->count, sizeof(*cs->c));
	cs->order = calloc(ls->count, sizeof(*cs->order));
	if (!cs->c || !cs->order) {
		mdl_calib_free(cs);
		return -ENOMEM;
	}
	cs->count = ls->count;
	cs->max_rows = max_rows;
	cs->stop = stop;
	for (i = 0; i < ls->count; i++) {
		cs->c[i].k = ls->l[i].k;
		cs->c[i].x = malloc(sizeof(float) * max_rows * ls->l[i].k);
		if (!cs->c[i].x) {
			mdl_calib_free(cs);
			return -ENOMEM;
		}
	}
	return 0;
}

static int mdl_calib_tap(void *arg, uint32_t id, const struct mdl_lin *l, const float *x,
			 uint32_t m)
{
	struct mdl_calib_set *cs = arg;
	struct mdl_calib *c;
	uint32_t take;

	if (id >= cs->count || cs->c[id].k != l->k)
		return -EINVAL;
	c = &cs->c[id];
	if (c->rows == 0 && cs->seen < cs->count)
		cs->order[cs->seen++] = id;
	take = cs->max_rows - c->rows < m ? cs->max_rows - c->rows : m;
	memcpy(c->x + (size_t)c->rows * c->k, x, sizeof(float) * take * c->k);
	c->rows += take;
	/* the rest of this forward pass cannot change what was asked for */
	return id == cs->stop ? -ECANCELED : 0;
}

/* A forward pass ended by the tap at the stop layer is a complete one. */
static int mdl_calib_pass(const struct mdl_calib_set *cs, int ret)
{
	return ret == -ECANCELED && cs->stop != MDL_CALIB_ALL ? 0 : ret;
}

static int mdl_calib_lm_to(struct mdl_exec *ex, const struct mdl_llama *m,
			   const struct mdl_linset *ls, const struct mdl_text *train,
			   uint32_t nseq, uint64_t seed, uint32_t stop, struct mdl_calib_set *out)
{
	uint32_t T = m->seq_len, batch = 16, s0, b, i;
	struct mdl_lm_state *st = NULL;
	uint32_t *tok = NULL;
	float *logits = NULL;
	struct mdl_rng r;
	int ret;

	if (nseq == 0 || train->len < (size_t)T + 1)
		return -EINVAL;
	ret = mdl_calib_init(out, ls, nseq * T, stop);
	if (ret)
		return ret;
	ret = mdl_lm_state_create(m, batch, T, &st);
	tok = malloc(sizeof(uint32_t) * batch * T);
	logits = malloc(sizeof(float) * (size_t)batch * T * m->vocab);
	if (ret || !tok || !logits) {
		ret = ret ? ret : -ENOMEM;
		goto out;
	}
	mdl_rng_seed(&r, seed);
	mdl_exec_set_tap(ex, mdl_calib_tap, out);
	for (s0 = 0; s0 < nseq && !ret; s0 += batch) {
		uint32_t nb = nseq - s0 < batch ? nseq - s0 : batch;

		for (b = 0; b < nb; b++) {
			size_t off = mdl_rng_below(&r, (uint32_t)(train->len - T));

			for (i = 0; i < T; i++)
				tok[b * T + i] = train->bytes[off + i];
		}
		ret = mdl_calib_pass(out, mdl_lm_forward(ex, ls, st, nb, 0, T, tok, logits));
	}
	mdl_exec_set_tap(ex, NULL, NULL);
out:
	free(tok);
	free(logits);
	mdl_lm_state_free(st);
	if (ret)
		mdl_calib_free(out);
	return ret;
}

static int mdl_calib_cls_to(struct mdl_exec *ex, const struct mdl_cls *c,
			    const struct mdl_linset *ls, const struct mdl_images *train,
			    uint32_t n, uint64_t seed, uint32_t stop, struct mdl_calib_set *out)
{
	uint32_t *perm, i;
	uint8_t *px;
	float *logits;
	struct mdl_rng r;
	int ret;

	if (n == 0 || n > train->n)
		return -EINVAL;
	ret = mdl_calib_init(out, ls, n, stop);
	if (ret)
		return ret;
	perm = malloc(sizeof(uint32_t) * train->n);
	px = malloc((size_t)n * MDL_FMNIST_PIXELS);
	logits = malloc(sizeof(float) * n * MDL_FMNIST_CLASSES);
	if (!perm || !px || !logits) {
		ret = -ENOMEM;
		goto out;
	}
	/* partial Fisher-Yates: the first n entries are the sample */
	mdl_rng_seed(&r, seed);
	for (i = 0; i < train->n; i++)
		perm[i] = i;
	for (i = 0; i < n; i++) {
		uint32_t j = i + mdl_rng_below(&r, train->n - i), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
		memcpy(px + (size_t)i * MDL_FMNIST_PIXELS,
		       train->pixels + (size_t)perm[i] * MDL_FMNIST_PIXELS, MDL_FMNIST_PIXELS);
	}
	mdl_exec_set_tap(ex, mdl_calib_tap, out);
	ret = mdl_calib_pass(out, mdl_cls_forward(ex, ls, c, px, n, logits));
	mdl_exec_set_tap(ex, NULL, NULL);
out:
	free(perm);
	free(px);
	free(logits);
	if (ret)
		mdl_calib_free(out);
	return ret;
}

int mdl_calib_lm(struct mdl_exec *ex, const struct mdl_llama *m, const struct mdl_linset *ls,
		 const struct mdl_text *train, uint32_t nseq, uint64_t seed,
		 struct mdl_calib_set *out)
{
	return mdl_calib_lm_to(ex, m, ls, train, nseq, seed, MDL_CALIB_ALL, out);
}

int mdl_calib_cls(struct mdl_exec *ex, const struct mdl_cls *c, const struct mdl_linset *ls,
		  const struct mdl_images *train, uint32_t n, uint64_t seed,
		  struct mdl_calib_set *out)
{
	return mdl_calib_cls_to(ex, c, ls, train, n, seed, MDL_CALIB_ALL, out);
}

int mdl_calib_capture(const struct mdl_calib_src *src, const struct mdl_linset *ls,
		      uint32_t stop, struct mdl_calib_set *out)
{
	memset(out, 0, sizeof(*out));
	if (!src->lm == !src->cls || (src->lm && !src->text) || (src->cls && !src->images))
		return -EINVAL;
	if (src->lm)
		return mdl_calib_lm_to(src->ex, src->lm, ls, src->text, src->n, src->seed, stop,
				       out);
	return mdl_calib_cls_to(src->ex, src->cls, ls, src->images, src->n, src->seed, stop,
				out);
}
