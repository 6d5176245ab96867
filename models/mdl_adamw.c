// SPDX-License-Identifier: MIT
/* Quasar models: AdamW and gradient norm. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "mdl_adamw.h"
#include "mdl_util.h"

#define MDL_NORM_CHUNKS 256	/* fixed: the summation order must not follow the threads */

int mdl_adamw_init(struct mdl_adamw *o, size_t n, const uint8_t *decay, float wd)
{
	o->n = n;
	o->m = mdl_zalloc(n * sizeof(float));
	o->v = mdl_zalloc(n * sizeof(float));
	o->decay = decay;
	o->beta1 = 0.9f;
	o->beta2 = 0.95f;
	o->eps = 1e-8f;
	o->wd = wd;
	o->t = 0;
	if (!o->m || !o->v) {
		mdl_adamw_free(o);
		return -ENOMEM;
	}
	return 0;
}

void mdl_adamw_free(struct mdl_adamw *o)
{
	free(o->m);
	free(o->v);
	o->m = o->v = NULL;
}

struct mdl_norm_job {
	const float *g;
	size_t n;
	double part[MDL_NORM_CHUNKS];
};

static void mdl_norm_chunks(void *ctx, uint32_t c0, uint32_t c1)
{
	struct mdl_norm_job *j = ctx;
	uint32_t c;

	for (c = c0; c < c1; c++) {
		size_t a = j->n * c / MDL_NORM_CHUNKS, b = j->n * (c + 1) / MDL_NORM_CHUNKS, i;
		double s = 0;

		for (i = a; i < b; i++)
			s += (double)j->g[i] * j->g[i];
		j->part[c] = s;
	}
}

double mdl_grad_norm(struct mdl_pool *p, const float *g, size_t n)
{
	struct mdl_norm_job j;
	double s = 0;
	uint32_t c;

	j.g = g;
	j.n = n;
	mdl_par_for(p, MDL_NORM_CHUNKS, 1, mdl_norm_chunks, &j);
	for (c = 0; c < MDL_NORM_CHUNKS; c++)
		s += j.part[c];
	return sqrt(s);
}

struct mdl_adamw_job {
	struct mdl_adamw *o;
	float *p;
	const float *g;
	float lr, gscale, bc1, bc2;
};

static void mdl_adamw_range(void *ctx, uint32_t c0, uint32_t c1)
{
	const struct mdl_adamw_job *j = ctx;
	const struct mdl_adamw *o = j->o;
	size_t a = o->n * c0 / MDL_NORM_CHUNKS, b = o->n * c1 / MDL_NORM_CHUNKS, i;

	for (i = a; i < b; i++) {
		float g = j->g[i] * j->gscale;
		float m = o->m[i] = o->beta1 * o->m[i] + (1.0f - o->beta1) * g;
		float v = o->v[i] = o->beta2 * o->v[i] + (1.0f - o->beta2) * g * g;
		float mh = m / j->bc1, vh = v / j->bc2;

		if (o->decay[i])
			j->p[i] -= j->lr * o->wd * j->p[i];
		j->p[i] -= j->lr * mh / (sqrtf(vh) + o->eps);
	}
}

void mdl_adamw_step(struct mdl_adamw *o, struct mdl_pool *pool, float *p, const float *g,
		    float lr, float gscale)
{
	struct mdl_adamw_job j = { o, p, g, lr, gscale, 0, 0 };

	o->t++;
	j.bc1 = 1.0f - powf(o->beta1, (float)o->t);
	j.bc2 = 1.0f - powf(o->beta2, (float)o->t);
	mdl_par_for(pool, MDL_NORM_CHUNKS, 1, mdl_adamw_range, &j);
}
