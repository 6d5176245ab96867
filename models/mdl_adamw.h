/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: AdamW (Loshchilov & Hutter) over a flat parameter array,
 * with global-norm gradient clipping. Element-wise and reduced in a fixed
 * chunk order, so the update does not depend on the thread count.
 */
#ifndef MDL_ADAMW_H
#define MDL_ADAMW_H

#include <stddef.h>
#include <stdint.h>

#include "mdl_thread_pool.h"

struct mdl_adamw {
	size_t n;
	float *m, *v;
	const uint8_t *decay;	/* per parameter: 1 = apply weight decay */
	float beta1, beta2, eps, wd;
	uint64_t t;		/* steps taken */
};

int mdl_adamw_init(struct mdl_adamw *o, size_t n, const uint8_t *decay, float wd);
void mdl_adamw_free(struct mdl_adamw *o);

/* L2 norm of g (summed in fixed chunks, in double). */
double mdl_grad_norm(struct mdl_pool *p, const float *g, size_t n);

/*
 * One step at learning rate @lr; gradients are first scaled by @gscale
 * (clipping). Updates p in place.
 */
void mdl_adamw_step(struct mdl_adamw *o, struct mdl_pool *pool, float *p, const float *g,
		    float lr, float gscale);

#endif /* MDL_ADAMW_H */
