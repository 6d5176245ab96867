// SPDX-License-Identifier: MIT
/*
 * Compression library: the column loop of GPTQ and SparseGPT (Optimal
 * Brain Surgeon with a fixed order, Frantar & Alistarh). With U the upper
 * Cholesky factor of H^-1, each column c in turn is quantized (and, for
 * SparseGPT, pruned) to q, and its error is spread over the columns not yet
 * done:  e = (w_c - q) / U_cc,  w_j -= e * U_cj  for j after c.
 * Updates inside a block of columns are immediate; the rest of the matrix
 * gets them once per block (the "lazy batch" of the reference code), which
 * is the same arithmetic grouped differently.
 *
 * The working weights are transposed (k x n) so that one column of W, the
 * unit every step works on, is contiguous.
 */
#include <errno.h>
#include <stdlib.h>

#include "compress_axpy.h"
#include "compress_brain_surgeon.h"
#include "dp_quant.h"

/* 2:4 index code of group starting at processing position t for row r. */
static uint8_t compress_brain_surgeon_pick(const struct compress_brain_surgeon *o, uint32_t t,
					   uint32_t r)
{
	const struct compress_qtensor_builder *f = o->qb;
	uint32_t n = f->n, k = f->k, valid = k - t < 4 ? k - t : 4, i;
	float score[4] = { 0 };

	/* SparseGPT's saliency: the loss of removing w alone, w^2 / [H^-1]_cc */
	for (i = 0; i < valid; i++) {
		double w = o->wt[(size_t)(t + i) * n + r], d = o->u[(size_t)(t + i) * k + t + i];

		score[i] = (float)(w * w / (d * d));
	}
	return dp_pick24(score, valid);
}

/*
 * Parameters of the block starting at column c (position t) from the
 * current, error-corrected weights. For 2:4 formats the block's later masks
 * are not chosen yet: the scale covers the values today's weights would
 * keep, which is exact for the first group of 4 and close for the others
 * (a value that outgrows it saturates and its error is fed forward).
 */
static void compress_brain_surgeon_group(const struct compress_brain_surgeon *o, uint32_t t)
{
	struct compress_qtensor_builder *f = o->qb;
	uint32_t n = f->n, k = f->k, blk = f->g.block, b = t / blk, r, i, cnt;
	uint32_t end = t + blk < k ? t + blk : k;

	for (r = 0; r < n; r++) {
		cnt = 0;
		for (i = t; i < end; i++) {
			if (o->prune24 && i % 4 == 0) {
				uint8_t code = compress_brain_surgeon_pick(o, i, r);
				uint32_t s;

				for (s = 0; s < 2; s++) {
					uint32_t pos = i + ((code >> (2 * s)) & 3);

					if (pos < end)
						f->tmp[cnt++] = (float)o->wt[(size_t)pos * n + r];
				}
			}
			if (!o->prune24)
				f->tmp[cnt++] = (float)o->wt[(size_t)i * n + r];
		}
		compress_qtensor_builder_scale(f, r, b, f->tmp, cnt, 1.0f);
	}
}

/* Quantize (or prune) column position t and feed its error to t+1..t1-1. */
static void compress_brain_surgeon_column(const struct compress_brain_surgeon *o, uint32_t t,
					  uint32_t t1, double *e)
{
	struct compress_qtensor_builder *f = o->qb;
	uint32_t n = f->n, k = f->k, c = o->perm ? o->perm[t] : t, r, j;
	const double *ut = o->u + (size_t)t * k;
	double *wc = o->wt + (size_t)t * n, d = ut[t];

	if (o->prune24 && c % 4 == 0)
		for (r = 0; r < n; r++)
			compress_qtensor_builder_meta(f, r, c / 4,
						      compress_brain_surgeon_pick(o, t, r));
	if (!o->groups_preset && !o->range && c % f->g.block == 0)
		compress_brain_surgeon_group(o, t);
	for (r = 0; r < n; r++) {
		double q = 0.0;

		if (compress_qtensor_builder_kept(f, r, c)) {
			if (o->range) {
				float *mm = o->range + 2 * ((size_t)r * f->g.blocks + c / f->g.block);

				q = wc[r];
				mm[0] = (float)q < mm[0] ? (float)q : mm[0];
				mm[1] = (float)q > mm[1] ? (float)q : mm[1];
			} else {
				q = compress_qtensor_builder_put(f, r, c, (float)wc[r]);
			}
		}
		e[r] = (wc[r] - q) / d;
	}
	for (j = t + 1; j < t1; j++)
		compress_axpy_d(o->wt + (size_t)j * n, e, -ut[j], n);
}

int compress_brain_surgeon_run(const struct compress_brain_surgeon *o)
{
	const struct compress_qtensor_builder *f = o->qb;
	uint32_t n = f->n, k = f->k, bs = o->block, t0, t1, t, j, i;
	double *err;

	/*
	 * act-order visits a group's columns out of order, so its scale must be
	 * fixed beforehand; a scale chosen on the way must not see columns that
	 * still wait for this block's lazy update, so groups may not straddle.
	 */
	if (bs == 0 || (o->perm && !o->groups_preset) || (o->prune24 && (o->perm || bs % 4)))
		return -EINVAL;
	if (!o->groups_preset && f->g.blocks > 1 && bs % f->g.block)
		return -EINVAL;
	if (bs > k)
		bs = k;		/* one block: the lazy update never runs */
	err = malloc((size_t)bs * n * sizeof(*err));
	if (!err)
		return -ENOMEM;
	for (t0 = 0; t0 < k; t0 = t1) {
		t1 = t0 + bs < k ? t0 + bs : k;
		for (t = t0; t < t1; t++)
			compress_brain_surgeon_column(o, t, t1, err + (size_t)(t - t0) * n);
		/* the block's errors reach the columns after it */
		for (j = t1; j < k; j++) {
			double *wj = o->wt + (size_t)j * n;

			for (i = 0; i < t1 - t0; i++) {
				double a = o->u[(size_t)(t0 + i) * k + j];

				if (a != 0.0)
					compress_axpy_d(wj, err + (size_t)i * n, -a, n);
			}
		}
	}
	free(err);
	return 0;
}
