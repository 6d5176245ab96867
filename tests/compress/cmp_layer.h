/* SPDX-License-Identifier: MIT */
/*
 * Compression-algorithm tests: a synthetic linear layer whose inputs look
 * like a transformer's (seeded, so every run sees the same numbers).
 *
 * Activations: x = t * (c .* (A^T z + noise) + mu). A low-rank part (z of
 * rank CMP_RANK through a fixed mixing matrix A) correlates the features,
 * as in real hidden states; per-channel scales c are log-normal, and a few
 * channels are outliers, 10-50x larger with a persistent mean (the
 * "massive activation" channels of LLMs that SmoothQuant and AWQ are
 * about); t is a per-token norm. Weights are Gaussian with per-row scales
 * and a 1% heavy tail. Calibration and held-out rows are independent draws
 * from the same distribution: algorithms fit the first, tests judge on the
 * second.
 */
#ifndef CMP_LAYER_H
#define CMP_LAYER_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "compress_algo.h"
#include "dp_test_util.h"

#define CMP_RANK	16

struct cmp_layer {
	uint32_t n, k, mc, me;
	float *w;		/* n x k */
	float *xc;		/* mc x k calibration rows */
	float *xe;		/* me x k held-out rows */
	uint32_t outliers;	/* number of outlier channels */
};

static inline double cmp_gauss(struct dpt_rng *r)
{
	double u1 = ((double)(dpt_next(r) >> 11) + 1.0) / 9007199254740993.0;
	double u2 = (double)(dpt_next(r) >> 11) / 9007199254740992.0;

	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static inline double cmp_unit(struct dpt_rng *r)
{
	return (double)(dpt_next(r) >> 11) / 9007199254740992.0;
}

struct cmp_actmodel {
	uint32_t k;
	double *a;		/* CMP_RANK x k */
	double *c, *mu;		/* k */
};

static inline void cmp_rows(const struct cmp_actmodel *am, struct dpt_rng *r, float *x,
			    uint32_t m)
{
	uint32_t i, j, f;
	double z[CMP_RANK];

	for (i = 0; i < m; i++) {
		double t = exp(0.3 * cmp_gauss(r));

		for (f = 0; f < CMP_RANK; f++)
			z[f] = cmp_gauss(r);
		for (j = 0; j < am->k; j++) {
			double v = 0.0;

			for (f = 0; f < CMP_RANK; f++)
				v += z[f] * am->a[(size_t)f * am->k + j];
			v = 0.8 * v / sqrt((double)CMP_RANK) + 0.6 * cmp_gauss(r);
			x[(size_t)i * am->k + j] = (float)(t * (am->c[j] * v + am->mu[j]));
		}
	}
}

static inline void cmp_layer_free(struct cmp_layer *l)
{
	free(l->w);
	free(l->xc);
	free(l->xe);
	l->w = l->xc = l->xe = NULL;
}

static inline int cmp_layer_make(struct cmp_layer *l, uint32_t n, uint32_t k, uint32_t mc,
				 uint32_t me, uint32_t outliers, uint32_t seed)
{
	struct dpt_rng r = { 0x9e3779b97f4a7c15ull * (seed + 1) };
	struct cmp_actmodel am = { .k = k };
	uint32_t i, j;

	l->n = n;
	l->k = k;
	l->mc = mc;
	l->me = me;
	l->outliers = outliers;
	l->w = malloc(sizeof(float) * n * k);
	l->xc = malloc(sizeof(float) * mc * k);
	l->xe = malloc(sizeof(float) * me * k);
	am.a = malloc(sizeof(double) * CMP_RANK * k);
	am.c = malloc(sizeof(double) * k);
	am.mu = malloc(sizeof(double) * k);
	if (!l->w || !l->xc || !l->xe || !am.a || !am.c || !am.mu) {
		cmp_layer_free(l);
		free(am.a);
		free(am.c);
		free(am.mu);
		return -1;
	}
	for (i = 0; i < CMP_RANK * k; i++)
		am.a[i] = cmp_gauss(&r);
	for (j = 0; j < k; j++) {
		am.c[j] = exp(0.5 * cmp_gauss(&r));
		am.mu[j] = 0.1 * cmp_gauss(&r);
	}
	for (i = 0; i < outliers; i++) {
		j = dpt_below(&r, k);
		am.c[j] *= 10.0 + 40.0 * cmp_unit(&r);
		am.mu[j] = (cmp_unit(&r) < 0.5 ? -1.0 : 1.0) * am.c[j];
	}
	for (i = 0; i < n; i++) {
		double rs = 0.05 * exp(0.25 * cmp_gauss(&r));

		for (j = 0; j < k; j++) {
			double v = cmp_gauss(&r) * rs;

			if (cmp_unit(&r) < 0.01)
				v *= 4.0;
			l->w[(size_t)i * k + j] = (float)v;
		}
	}
	cmp_rows(&am, &r, l->xc, mc);
	cmp_rows(&am, &r, l->xe, me);
	free(am.a);
	free(am.c);
	free(am.mu);
	return 0;
}

/* Held-out relative output error of a weight-only compressed layer. */
static inline double cmp_err(const struct cmp_layer *l, const struct compress_qtensor *qt,
			     const float *s)
{
	double e = -1.0;

	if (compress_output_error(l->w, l->n, l->k, l->xe, l->me, qt, s, &e))
		return -1.0;
	return e;
}

/* Every device buffer of two tensors equal (codes, scales, zeros, meta, ts). */
static inline int cmp_same_tensor(const struct compress_qtensor *a,
				  const struct compress_qtensor *b)
{
	const struct dp_wt *wa = compress_qtensor_wt(a), *wb = compress_qtensor_wt(b);
	struct dp_geom g, gb;

	if (dp_wt_check(wa, &g) || dp_wt_check(wb, &gb) || wa->fmt != wb->fmt ||
	    wa->n != wb->n || wa->k != wb->k || wa->group != wb->group || wa->flags != wb->flags)
		return 0;
	if (memcmp(wa->data, wb->data, g.data_bytes))
		return 0;
	if (g.scale_bytes && memcmp(wa->scales, wb->scales, g.scale_bytes))
		return 0;
	if (g.zero_bytes && memcmp(wa->zeros, wb->zeros, g.zero_bytes))
		return 0;
	if (g.meta_bytes && memcmp(wa->meta, wb->meta, g.meta_bytes))
		return 0;
	return dp_f2u(wa->tensor_scale) == dp_f2u(wb->tensor_scale);
}

/* compress_unpack then compress_pack gives back the same device bytes. */
static inline int cmp_round_trips(const struct compress_qtensor *qt)
{
	struct compress_plain pl;
	struct compress_qtensor *b;
	int same;

	if (compress_unpack(qt, &pl))
		return 0;
	if (compress_pack(&pl, &b)) {
		compress_plain_free(&pl);
		return 0;
	}
	same = cmp_same_tensor(qt, b);
	compress_plain_free(&pl);
	compress_qtensor_free(b);
	return same;
}

#endif /* CMP_LAYER_H */
