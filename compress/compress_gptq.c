// SPDX-License-Identifier: MIT
/*
 * Compression library: GPTQ (Frantar et al. 2022; IST-DASLab/gptq
 * fasterquant). H = 2 X^T X / m, damped by damp * mean(diag H); columns are
 * quantized in order with the device quantizer and each one's error is fed
 * to the columns after it through the upper Cholesky factor of H^-1
 * (compress_brain_surgeon.c).
 *
 * Group scales: without act-order, a group's scale is chosen when its first
 * column is reached, from the error-corrected weights of the whole group
 * (as the reference does; MX and NVFP4 blocks likewise). With act-order the
 * columns of a group are visited out of order, so every group's scale is
 * chosen up front from the unquantized weights ("static groups") and the
 * device layout, where groups are consecutive columns, stays valid.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress_algo_priv.h"
#include "compress_brain_surgeon.h"
#include "compress_linalg.h"

struct compress_gptq_diag {
	double d;
	uint32_t j;
};

/* diag(H) descending; ties keep column order so the result is reproducible */
static int compress_gptq_cmp(const void *a, const void *b)
{
	const struct compress_gptq_diag *x = a, *y = b;

	if (x->d != y->d)
		return x->d > y->d ? -1 : 1;
	return x->j < y->j ? -1 : x->j > y->j;
}

static int compress_gptq_order(double *h, double *wt, uint32_t n, uint32_t k, uint32_t *perm)
{
	struct compress_gptq_diag *dg = malloc((size_t)k * sizeof(*dg));
	double *tmp = malloc((size_t)k * (k > n ? k : n) * sizeof(*tmp));
	uint32_t a, b;

	if (!dg || !tmp) {
		free(dg);
		free(tmp);
		return -ENOMEM;
	}
	for (a = 0; a < k; a++)
		dg[a] = (struct compress_gptq_diag){ h[(size_t)a * k + a], a };
	qsort(dg, k, sizeof(*dg), compress_gptq_cmp);
	for (a = 0; a < k; a++)
		perm[a] = dg[a].j;
	for (a = 0; a < k; a++)
		for (b = 0; b < k; b++)
			tmp[(size_t)a * k + b] = h[(size_t)perm[a] * k + perm[b]];
	memcpy(h, tmp, (size_t)k * k * sizeof(*h));
	for (a = 0; a < k; a++)
		memcpy(tmp + (size_t)a * n, wt + (size_t)perm[a] * n, (size_t)n * sizeof(*tmp));
	memcpy(wt, tmp, (size_t)k * n * sizeof(*wt));
	free(tmp);
	free(dg);
	return 0;
}

/* Every block's parameters from the unquantized (dead-zeroed) weights. */
static void compress_gptq_static(struct compress_qtensor_builder *f, const double *wt)
{
	uint32_t n = f->n, k = f->k, blk = f->g.block, r, b, c, c1;

	for (r = 0; r < n; r++)
		for (b = 0; b * blk < k; b++) {
			c1 = (b + 1) * blk < k ? (b + 1) * blk : k;
			for (c = b * blk; c < c1; c++)
				f->tmp[c - b * blk] = (float)wt[(size_t)c * n + r];
			compress_qtensor_builder_scale(f, r, b, f->tmp, c1 - b * blk, 1.0f);
		}
}

/*
 * Shared by GPTQ and SparseGPT: the damped Hessian's inverse factor and the
 * column loop over W^T; @f is initialized, and finished here on success.
 */
/*
 * SparseGPT's scales for SP_INT8, whose one scale per row would otherwise
 * be chosen at the row's first column (compress_brain_surgeon_group), from
 * weights that none of the error feedback has reached yet. Pruning's
 * feedback grows the kept weights (they take over the pruned ones' work):
 * on the language model 80-97 % of each layer's rows then outgrew the
 * scale, up to 2.9x, and saturated, and the saturation error fed forward
 * cost +0.018 bits/byte where INT8's rounding costs nothing measurable
 * (docs/compression.md, "SparseGPT with INT8"). So a first pass prunes with
 * the same feedback unquantized, each row's scale is set from the values it
 * kept, and the joint pass quantizes with those scales preset (its masks
 * chosen again on the way). SP_INT4's groups (32 to 128 columns) keep the
 * scale chosen at the group's start, as GPTQ does: the first pass measured
 * worse there (sp-int4-g32 +0.3488 bits/byte against +0.3432).
 */
static int compress_gptq_sparse_scales(struct compress_brain_surgeon *s)
{
	struct compress_qtensor_builder *f = s->qb;
	size_t nb = (size_t)f->n * f->g.blocks, i;
	struct compress_brain_surgeon m = *s;
	double *wt = malloc((size_t)f->k * f->n * sizeof(*wt));
	float *range = malloc(2 * nb * sizeof(*range));
	int ret = -ENOMEM;

	if (!wt || !range)
		goto out;
	memcpy(wt, s->wt, (size_t)f->k * f->n * sizeof(*wt));
	for (i = 0; i < nb; i++) {
		range[2 * i] = 0.0f;
		range[2 * i + 1] = 0.0f;
	}
	m.wt = wt;
	m.range = range;
	ret = compress_brain_surgeon_run(&m);
	if (ret)
		goto out;
	for (i = 0; i < nb; i++)
		compress_qtensor_builder_scale(f, (uint32_t)(i / f->g.blocks),
					       (uint32_t)(i % f->g.blocks), range + 2 * i, 2, 1.0f);
	s->groups_preset = true;
out:
	free(wt);
	free(range);
	return ret;
}

int compress_gptq_core(const float *w, const struct compress_calib *c, double damp,
		       uint32_t block, uint32_t act_order, uint32_t static_groups,
		       bool prune24, struct compress_qtensor_builder *f,
		       struct compress_qtensor **out)
{
	uint32_t n = f->n, k = f->k, i, r, *perm = NULL;
	double *h = NULL, *wt = NULL, mean = 0.0;
	struct compress_brain_surgeon surgeon;
	int ret;

	ret = compress_calib_hessian(c, &h);
	if (ret)
		return ret;
	wt = malloc((size_t)k * n * sizeof(*wt));
	perm = act_order ? malloc((size_t)k * sizeof(*perm)) : NULL;
	if (!wt || (act_order && !perm)) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < k; i++) {
		/* an input that never fired carries no information: drop its weights */
		bool dead = h[(size_t)i * k + i] == 0.0;

		if (dead)
			h[(size_t)i * k + i] = 1.0;
		for (r = 0; r < n; r++)
			wt[(size_t)i * n + r] = dead ? 0.0 : w[(size_t)r * k + i];
	}
	if (act_order || static_groups)
		compress_gptq_static(f, wt);
	if (act_order) {
		ret = compress_gptq_order(h, wt, n, k, perm);
		if (ret)
			goto out;
	}
	for (i = 0; i < k; i++)
		mean += h[(size_t)i * k + i];
	mean /= k;
	for (i = 0; i < k; i++)
		h[(size_t)i * k + i] += damp * mean;
	ret = compress_linalg_inv_chol_upper(h, k);
	if (ret)
		goto out;
	surgeon = (struct compress_brain_surgeon){ .qb = f, .wt = wt, .u = h, .perm = perm,
						   .block = block,
						   .groups_preset = act_order || static_groups,
						   .prune24 = prune24 };
	if (prune24 && f->fmt == DP_W_SP_INT8) {
		ret = compress_gptq_sparse_scales(&surgeon);
		if (ret)
			goto out;
	}
	ret = compress_brain_surgeon_run(&surgeon);
	if (!ret)
		ret = compress_qtensor_builder_finish(f, out);
out:
	free(h);
	free(wt);
	free(perm);
	return ret;
}

int compress_gptq_calib(const float *w, uint32_t n, uint32_t k, const struct compress_calib *c,
			const struct compress_qparams *p, const struct compress_gptq_opts *o,
			struct compress_qtensor **out)
{
	const struct compress_gptq_opts def = COMPRESS_GPTQ_OPTS_INIT;
	struct compress_qtensor_builder f;
	int ret;

	ret = compress_algo_check(w, n, k, c, p, out);
	if (ret)
		return ret;
	if (!o)
		o = &def;
	if (!(o->damp >= 0.0 && isfinite(o->damp)) || o->block == 0 || o->act_order > 1 ||
	    o->static_groups > 1)
		return -EINVAL;
	ret = compress_qtensor_builder_init(&f, p, n, k, w);
	if (ret)
		return ret;
	if (f.fi->sparse) {
		compress_qtensor_builder_free(&f);
		return -ENOTSUP;
	}
	ret = compress_gptq_core(w, c, o->damp, o->block, o->act_order, o->static_groups, false,
				 &f, out);
	if (ret)
		compress_qtensor_builder_free(&f);
	return ret;
}

int compress_gptq(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
		  const struct compress_qparams *p, const struct compress_gptq_opts *o,
		  struct compress_qtensor **out)
{
	struct compress_calib *c;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ret = compress_calib_from(x, m, k, &c);
	if (ret)
		return ret;
	ret = compress_gptq_calib(w, n, k, c, p, o, out);
	compress_calib_free(c);
	return ret;
}
