// SPDX-License-Identifier: MIT
/*
 * Compression library: AWQ (Lin et al. 2023; mit-han-lab/llm-awq
 * auto_scale + auto_clip). Weights that meet large activations matter most;
 * scaling input channel j of W up by s_j (and the activation down by s_j)
 * gives them more of the quantizer's resolution.
 *
 *  1. a_j = mean |X_j| over the calibration rows.
 *  2. For alpha in {0, 1/grid, .., (grid-1)/grid}: s = max(a^alpha, 1e-4),
 *     normalized by sqrt(max s * min s); keep the alpha whose
 *     ||X W^T - (X/s) Q(W diag(s))^T||_F^2 is smallest. alpha = 0 is plain
 *     RTN, so on the calibration rows AWQ never loses to it.
 *  3. Clip (optional): per row and block, limit the block's values to
 *     +-r * max|w| for r = 1, 1 - 1/clip_grid, .. (r > clip_min) before the
 *     scale rule and keep the r with the smallest output error of that
 *     block alone.
 * Q is the device's RTN rule (compress_qtensor_builder) in the target
 * format; the loss is e^T (X^T X) e per row, from the calibration
 * statistics.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress_algo_priv.h"
#include "compress_axpy.h"

/*
 * The loss only ranks candidates, so it runs in float over the lower
 * triangle of X^T X (the Hessian-based algorithms keep double). Rows of W
 * are taken COMPRESS_AWQ_ROWS at a time so each row of the Gram matrix is
 * loaded once for all of them.
 */
#define COMPRESS_AWQ_ROWS 8

struct compress_awq {
	struct compress_qtensor_builder f;
	const float *w;
	uint32_t n, k;
	float *g;		/* X^T X (scaled), k x k */
	float *ws;		/* W diag(s), one row */
	float *deq;		/* decoded row */
	float *e, *v;		/* COMPRESS_AWQ_ROWS error rows and partial products */
};

/*
 * sum over rows r < rows of e_r^T G e_r, with e_r of length len at column c0
 * (G's diagonal block there), as sum_j e_j (G_jj e_j + 2 sum_{i>j} G_ij e_i).
 * e and v hold rows of stride k.
 */
static double compress_awq_quad(const struct compress_awq *a, const float *gm, uint32_t rows,
				uint32_t c0, uint32_t len)
{
	uint32_t i, j, r, k = a->k;
	double q = 0.0;

	for (r = 0; r < rows; r++)
		memset(a->v + (size_t)r * k, 0, (size_t)len * sizeof(*a->v));
	for (i = 1; i < len; i++) {
		const float *gi = gm + (size_t)(c0 + i) * k + c0;

		for (r = 0; r < rows; r++)
			compress_axpy_f(a->v + (size_t)r * k, gi, a->e[(size_t)r * k + i], i);
	}
	for (r = 0; r < rows; r++) {
		const float *e = a->e + (size_t)r * k, *v = a->v + (size_t)r * k;

		for (j = 0; j < len; j++)
			q += (double)e[j] * (2.0 * v[j] + (double)gm[(size_t)(c0 + j) * k + c0 + j] * e[j]);
	}
	return q;
}

/* Output error (squared, calibration rows) of W quantized with scales s. */
static double compress_awq_loss(struct compress_awq *a, const float *s)
{
	uint32_t r0, r, j, k = a->k, rows;
	double loss = 0.0;

	for (r0 = 0; r0 < a->n; r0 += rows) {
		rows = a->n - r0 < COMPRESS_AWQ_ROWS ? a->n - r0 : COMPRESS_AWQ_ROWS;
		for (r = 0; r < rows; r++) {
			const float *row = a->w + (size_t)(r0 + r) * k;
			float *e = a->e + (size_t)r * k;

			for (j = 0; j < k; j++)
				a->ws[j] = row[j] * s[j];
			compress_qtensor_builder_rtn_row(&a->f, r0 + r, a->ws, NULL, a->deq);
			for (j = 0; j < k; j++)
				e[j] = row[j] - a->deq[j] / s[j];
		}
		loss += compress_awq_quad(a, a->g, rows, 0, k);
	}
	return loss;
}

static void compress_awq_scales(const struct compress_calib *c, float alpha, float *s)
{
	uint32_t j, k = c->k;
	double mx = 0.0, mn = INFINITY, norm;

	for (j = 0; j < k; j++) {
		double a = pow(c->abs_sum[j] / (double)c->rows, alpha);

		s[j] = (float)(a > 1e-4 ? a : 1e-4);
		if (s[j] > mx)
			mx = s[j];
		if (s[j] < mn)
			mn = s[j];
	}
	norm = sqrt(mx * mn);
	for (j = 0; j < k; j++)
		s[j] = (float)(s[j] / norm);
}

/* Best clip ratio of every block of row r (scaled space, G' = S^-1 G S^-1). */
static void compress_awq_clip_row(struct compress_awq *a, const float *gs, uint32_t r,
				  const struct compress_awq_opts *o, float *clip)
{
	struct compress_qtensor_builder *f = &a->f;
	uint32_t blk = f->g.block, b, c, i;

	for (b = 0; b * blk < a->k; b++) {
		uint32_t c0 = b * blk, len = c0 + blk < a->k ? blk : a->k - c0;
		double best = INFINITY;

		clip[b] = 1.0f;
		for (i = 0; ; i++) {
			float ratio = 1.0f - (float)i / (float)o->clip_grid;
			double l;

			if (i > 0 && !(ratio > o->clip_min))
				break;
			compress_qtensor_builder_scale(f, r, b, a->ws + c0, len, ratio);
			for (c = 0; c < len; c++)
				a->e[c] = a->ws[c0 + c] -
					  compress_qtensor_builder_put(f, r, c0 + c, a->ws[c0 + c]);
			l = compress_awq_quad(a, gs, 1, c0, len);
			if (l < best) {
				best = l;
				clip[b] = ratio;
			}
		}
	}
}

static int compress_awq_clip(struct compress_awq *a, const float *s,
			     const struct compress_awq_opts *o, float *clip)
{
	uint32_t k = a->k, r, i, j, nb = a->f.g.blocks;
	float *gs = malloc((size_t)k * k * sizeof(*gs));

	if (!gs)
		return -ENOMEM;
	for (i = 0; i < k; i++)
		for (j = 0; j < k; j++)
			gs[(size_t)i * k + j] = (float)(a->g[(size_t)i * k + j] / ((double)s[i] * s[j]));
	for (r = 0; r < a->n; r++) {
		const float *row = a->w + (size_t)r * k;

		for (j = 0; j < k; j++)
			a->ws[j] = row[j] * s[j];
		compress_awq_clip_row(a, gs, r, o, clip + (size_t)r * nb);
	}
	free(gs);
	return 0;
}

/* Scale search (unless @search is false: s is given), clip search, quantization. */
static int compress_awq_run(struct compress_awq *a, const struct compress_calib *c,
			    const struct compress_awq_opts *o, float *s, bool search)
{
	uint32_t k = a->k, i, r, j, nb = a->f.g.blocks;
	float *cand = malloc((size_t)k * sizeof(*cand)), *clip = NULL;
	double best = INFINITY;
	int ret = -ENOMEM;

	if (!cand)
		return -ENOMEM;
	for (i = 0; search && i < o->grid; i++) {
		double l;

		compress_awq_scales(c, (float)i / (float)o->grid, cand);
		l = compress_awq_loss(a, cand);
		if (l < best || i == 0) {
			best = l;
			memcpy(s, cand, (size_t)k * sizeof(*s));
		}
	}
	if (o->clip) {
		clip = malloc((size_t)a->n * nb * sizeof(*clip));
		if (!clip)
			goto out;
		ret = compress_awq_clip(a, s, o, clip);
		if (ret)
			goto out;
	}
	for (r = 0; r < a->n; r++) {
		const float *row = a->w + (size_t)r * k;

		for (j = 0; j < k; j++)
			a->ws[j] = row[j] * s[j];
		compress_qtensor_builder_rtn_row(&a->f, r, a->ws,
						 clip ? clip + (size_t)r * nb : NULL, NULL);
	}
	ret = 0;
out:
	free(cand);
	free(clip);
	return ret;
}

static int compress_awq_do(const float *w, uint32_t n, uint32_t k, const struct compress_calib *c,
			   const struct compress_qparams *p, const struct compress_awq_opts *o,
			   struct compress_qtensor **out, float *s, bool search)
{
	const struct compress_awq_opts def = COMPRESS_AWQ_OPTS_INIT;
	struct compress_awq a = { .w = w, .n = n, .k = k };
	double *h;
	size_t i;
	int ret;

	ret = compress_algo_check(w, n, k, c, p, out);
	if (ret)
		return ret;
	if (!o)
		o = &def;
	if (!s || o->grid == 0 || o->clip > 1 ||
	    (o->clip && (o->clip_grid == 0 || !(o->clip_min > 0.0f && o->clip_min < 1.0f))))
		return -EINVAL;
	for (i = 0; !search && i < k; i++)
		if (!(s[i] > 0.0f) || !isfinite(s[i]))
			return -EINVAL;
	ret = compress_qtensor_builder_init(&a.f, p, n, k, w);
	if (ret)
		return ret;
	if (a.f.fi->sparse) {
		compress_qtensor_builder_free(&a.f);
		return -ENOTSUP;
	}
	/* the loss's scale does not matter: 2 X^T X / m serves as well as X^T X */
	ret = compress_calib_hessian(c, &h);
	if (ret) {
		compress_qtensor_builder_free(&a.f);
		return ret;
	}
	a.g = malloc((size_t)k * k * sizeof(*a.g));
	for (i = 0; a.g && i < (size_t)k * k; i++)
		a.g[i] = (float)h[i];
	free(h);
	a.ws = malloc((size_t)k * sizeof(*a.ws));
	a.deq = malloc((size_t)k * sizeof(*a.deq));
	a.e = malloc((size_t)COMPRESS_AWQ_ROWS * k * sizeof(*a.e));
	a.v = malloc((size_t)COMPRESS_AWQ_ROWS * k * sizeof(*a.v));
	ret = -ENOMEM;
	if (a.g && a.ws && a.deq && a.e && a.v)
		ret = compress_awq_run(&a, c, o, s, search);
	if (!ret)
		ret = compress_qtensor_builder_finish(&a.f, out);
	compress_qtensor_builder_free(&a.f);
	free(a.g);
	free(a.ws);
	free(a.deq);
	free(a.e);
	free(a.v);
	return ret;
}

int compress_awq_calib(const float *w, uint32_t n, uint32_t k, const struct compress_calib *c,
		       const struct compress_qparams *p, const struct compress_awq_opts *o,
		       struct compress_qtensor **out, float *s)
{
	return compress_awq_do(w, n, k, c, p, o, out, s, true);
}

int compress_awq_apply_calib(const float *w, uint32_t n, uint32_t k, const struct compress_calib *c,
			     const struct compress_qparams *p, const struct compress_awq_opts *o,
			     const float *s, struct compress_qtensor **out)
{
	float *copy;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!s || k == 0)
		return -EINVAL;
	copy = malloc((size_t)k * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, s, (size_t)k * sizeof(*copy));
	ret = compress_awq_do(w, n, k, c, p, o, out, copy, false);
	free(copy);
	return ret;
}

int compress_awq_apply(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
		       const struct compress_qparams *p, const struct compress_awq_opts *o,
		       const float *s, struct compress_qtensor **out)
{
	struct compress_calib *c;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ret = compress_calib_from(x, m, k, &c);
	if (ret)
		return ret;
	ret = compress_awq_apply_calib(w, n, k, c, p, o, s, out);
	compress_calib_free(c);
	return ret;
}

int compress_awq(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
		 const struct compress_qparams *p, const struct compress_awq_opts *o,
		 struct compress_qtensor **out, float *s)
{
	struct compress_calib *c;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ret = compress_calib_from(x, m, k, &c);
	if (ret)
		return ret;
	ret = compress_awq_calib(w, n, k, c, p, o, out, s);
	compress_calib_free(c);
	return ret;
}
