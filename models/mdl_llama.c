// SPDX-License-Identifier: MIT
/* Quasar models: llama2.c checkpoint layout, reader and writer. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdl_llama.h"
#include "mdl_util.h"

/* Generous bounds: stories110M has dim 768, 12 layers, 32000 vocab, 1024 positions. */
#define MDL_LLAMA_DIM_MAX	16384
#define MDL_LLAMA_LAYERS_MAX	256
#define MDL_LLAMA_VOCAB_MAX	1000000
#define MDL_LLAMA_SEQ_MAX	65536

int mdl_llama_cfg_check(const struct mdl_llama_cfg *c, char *err, size_t errlen)
{
	int32_t v = c->vocab_size < 0 ? -c->vocab_size : c->vocab_size;

	if (c->dim <= 0 || c->dim > MDL_LLAMA_DIM_MAX || c->hidden_dim <= 0 ||
	    c->hidden_dim > 4 * MDL_LLAMA_DIM_MAX)
		return mdl_err(err, errlen, -EINVAL, "dim %d / hidden_dim %d out of range",
			       c->dim, c->hidden_dim);
	if (c->n_layers <= 0 || c->n_layers > MDL_LLAMA_LAYERS_MAX)
		return mdl_err(err, errlen, -EINVAL, "n_layers %d out of range", c->n_layers);
	if (c->n_heads <= 0 || c->dim % c->n_heads || (c->dim / c->n_heads) % 2)
		return mdl_err(err, errlen, -EINVAL,
			       "n_heads %d must divide dim %d into an even head size",
			       c->n_heads, c->dim);
	if (c->n_kv_heads <= 0 || c->n_heads % c->n_kv_heads)
		return mdl_err(err, errlen, -EINVAL, "n_kv_heads %d must divide n_heads %d",
			       c->n_kv_heads, c->n_heads);
	if (c->vocab_size == 0 || c->vocab_size == INT32_MIN || v > MDL_LLAMA_VOCAB_MAX)
		return mdl_err(err, errlen, -EINVAL, "vocab_size %d out of range", c->vocab_size);
	if (c->seq_len <= 0 || c->seq_len > MDL_LLAMA_SEQ_MAX)
		return mdl_err(err, errlen, -EINVAL, "seq_len %d out of range", c->seq_len);
	return 0;
}

size_t mdl_llama_cfg_params(const struct mdl_llama_cfg *c)
{
	size_t d = (size_t)c->dim, h = (size_t)c->hidden_dim, l = (size_t)c->n_layers;
	size_t v = (size_t)(c->vocab_size < 0 ? -c->vocab_size : c->vocab_size);
	size_t kv = d * (size_t)c->n_kv_heads / (size_t)c->n_heads;
	size_t n = v * d + l * (d + d * d + 2 * kv * d + d * d + d + 3 * h * d) + d;

	return c->vocab_size < 0 ? n + v * d : n;
}

void mdl_llama_map(const struct mdl_llama_cfg *c, float *p, struct mdl_llama_w *w)
{
	size_t d = (size_t)c->dim, h = (size_t)c->hidden_dim, l = (size_t)c->n_layers;
	size_t v = (size_t)(c->vocab_size < 0 ? -c->vocab_size : c->vocab_size);
	size_t kv = d * (size_t)c->n_kv_heads / (size_t)c->n_heads;

	w->tok_emb = p;		p += v * d;
	w->rms_att = p;		p += l * d;
	w->wq = p;		p += l * d * d;
	w->wk = p;		p += l * kv * d;
	w->wv = p;		p += l * kv * d;
	w->wo = p;		p += l * d * d;
	w->rms_ffn = p;		p += l * d;
	w->w1 = p;		p += l * h * d;
	w->w2 = p;		p += l * d * h;
	w->w3 = p;		p += l * h * d;
	w->rms_final = p;	p += d;
	w->wcls = c->vocab_size < 0 ? p : w->tok_emb;
}

int mdl_llama_alloc(const struct mdl_llama_cfg *c, struct mdl_llama **out, char *err,
		    size_t errlen)
{
	struct mdl_llama *m;
	int ret;

	*out = NULL;
	ret = mdl_llama_cfg_check(c, err, errlen);
	if (ret)
		return ret;
	m = calloc(1, sizeof(*m));
	if (!m)
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	m->cfg = *c;
	m->dim = (uint32_t)c->dim;
	m->hidden = (uint32_t)c->hidden_dim;
	m->layers = (uint32_t)c->n_layers;
	m->heads = (uint32_t)c->n_heads;
	m->kv_heads = (uint32_t)c->n_kv_heads;
	m->vocab = (uint32_t)(c->vocab_size < 0 ? -c->vocab_size : c->vocab_size);
	m->seq_len = (uint32_t)c->seq_len;
	m->head_size = m->dim / m->heads;
	m->kv_dim = m->head_size * m->kv_heads;
	m->tied = c->vocab_size > 0;
	m->n_params = mdl_llama_cfg_params(c);
	m->params = calloc(m->n_params, sizeof(float));
	if (!m->params) {
		size_t n = m->n_params;

		free(m);
		return mdl_err(err, errlen, -ENOMEM, "out of memory for %zu parameters", n);
	}
	mdl_llama_map(c, m->params, &m->w);
	*out = m;
	return 0;
}

void mdl_llama_free(struct mdl_llama *m)
{
	if (!m)
		return;
	free(m->params);
	free(m);
}

void mdl_llama_rope_cs(uint32_t head_size, uint32_t pos, uint32_t i, float *c, float *s)
{
	/* llama2.c: freq = theta^(-(2i) / head_size), angle = pos * freq */
	double freq = pow(MDL_LLAMA_ROPE_THETA, -(double)(2 * i) / (double)head_size);
	double a = (double)pos * freq;

	*c = (float)cos(a);
	*s = (float)sin(a);
}

int mdl_llama_load(const char *path, struct mdl_llama **out, char *err, size_t errlen)
{
	struct mdl_llama_cfg c;
	struct mdl_llama *m;
	size_t rope, before_rope, want;
	long size = -1;
	FILE *f;
	int ret;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f)
		return mdl_err(err, errlen, -errno, "%s: %s", path, strerror(errno));
	if (fread(&c, sizeof(c), 1, f) != 1) {
		fclose(f);
		return mdl_err(err, errlen, -EINVAL, "%s: shorter than the 28-byte header", path);
	}
	ret = mdl_llama_cfg_check(&c, err, errlen);
	if (ret) {
		char why[160];

		snprintf(why, sizeof(why), "%s", err);
		fclose(f);
		return mdl_err(err, errlen, ret, "%s: not a llama2.c checkpoint: %s", path, why);
	}
	rope = (size_t)c.seq_len * (size_t)(c.dim / c.n_heads);	/* real + imag */
	want = sizeof(c) + (mdl_llama_cfg_params(&c) + rope) * sizeof(float);
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, sizeof(c), SEEK_SET)) {
		fclose(f);
		return mdl_err(err, errlen, -EIO, "%s: cannot seek", path);
	}
	if ((size_t)size != want) {
		fclose(f);
		return mdl_err(err, errlen, -EINVAL,
			       "%s: %ld bytes, its header (dim %d, %d layers, vocab %d, seq %d) "
			       "needs %zu",
			       path, size, c.dim, c.n_layers, c.vocab_size, c.seq_len, want);
	}
	ret = mdl_llama_alloc(&c, &m, err, errlen);
	if (ret) {
		fclose(f);
		return ret;
	}
	/* everything up to rms_final, skip the RoPE tables, then wcls */
	before_rope = (size_t)(m->w.rms_final - m->params) + m->dim;
	if (fread(m->params, sizeof(float), before_rope, f) != before_rope ||
	    fseek(f, (long)(rope * sizeof(float)), SEEK_CUR) ||
	    (!m->tied && fread(m->w.wcls, sizeof(float), (size_t)m->vocab * m->dim, f) !=
			     (size_t)m->vocab * m->dim)) {
		fclose(f);
		mdl_llama_free(m);
		return mdl_err(err, errlen, -EIO, "%s: short read", path);
	}
	fclose(f);
	*out = m;
	return 0;
}

int mdl_llama_save(const struct mdl_llama *m, const char *path, char *err, size_t errlen)
{
	size_t before_rope = (size_t)(m->w.rms_final - m->params) + m->dim;
	uint32_t half = m->head_size / 2, pos, i;
	float *re, *im;
	FILE *f;
	int ok;

	re = malloc(sizeof(float) * m->seq_len * half);
	im = malloc(sizeof(float) * m->seq_len * half);
	if (!re || !im) {
		free(re);
		free(im);
		return mdl_err(err, errlen, -ENOMEM, "out of memory");
	}
	for (pos = 0; pos < m->seq_len; pos++)
		for (i = 0; i < half; i++)
			mdl_llama_rope_cs(m->head_size, pos, i, &re[pos * half + i],
					  &im[pos * half + i]);
	f = fopen(path, "wb");
	if (!f) {
		free(re);
		free(im);
		return mdl_err(err, errlen, -errno, "%s: %s", path, strerror(errno));
	}
	ok = fwrite(&m->cfg, sizeof(m->cfg), 1, f) == 1 &&
	     fwrite(m->params, sizeof(float), before_rope, f) == before_rope &&
	     fwrite(re, sizeof(float), (size_t)m->seq_len * half, f) == (size_t)m->seq_len * half &&
	     fwrite(im, sizeof(float), (size_t)m->seq_len * half, f) == (size_t)m->seq_len * half &&
	     (m->tied || fwrite(m->w.wcls, sizeof(float), (size_t)m->vocab * m->dim, f) ==
				 (size_t)m->vocab * m->dim);
	free(re);
	free(im);
	if (fclose(f) || !ok)
		return mdl_err(err, errlen, -EIO, "%s: write failed", path);
	return 0;
}
