/* SPDX-License-Identifier: MIT */
/*
 * Compression library: the Optimal Brain Surgeon column loop with error
 * feedback that GPTQ and SparseGPT share (compress_brain_surgeon.c has the
 * method); private to compress/.
 */
#ifndef COMPRESS_BRAIN_SURGEON_H
#define COMPRESS_BRAIN_SURGEON_H

#include <stdbool.h>
#include <stdint.h>

#include "compress_qtensor_builder.h"

struct compress_brain_surgeon {
	struct compress_qtensor_builder *qb;
	double *wt;		/* k x n working weights, row t = column perm[t] */
	const double *u;	/* k x k upper Cholesky factor of H^-1, same order */
	const uint32_t *perm;	/* processing position -> column; NULL = identity */
	uint32_t block;		/* lazy-update block (columns) */
	bool groups_preset;	/* every block's parameters already chosen */
	bool prune24;		/* choose 2:4 masks by w^2 / U_cc^2 on the way */
	/*
	 * A measuring pass (NULL: none): kept values are not quantized, and
	 * range[2 * (r * blocks + b)] gets the min and max of the values row r
	 * keeps in scale block b after their error feedback (the builder's
	 * masks are set, its parameters and codes are not).
	 */
	float *range;
};

int compress_brain_surgeon_run(const struct compress_brain_surgeon *o);

#endif /* COMPRESS_BRAIN_SURGEON_H */
