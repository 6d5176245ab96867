/* SPDX-License-Identifier: MIT */
/*
 * Compression library, algorithms: what they share beyond compress_algo.h
 * (private to compress/): the calibration statistics' fields, the Hessian
 * built from them and the argument check (compress_calib.c), and GPTQ's
 * skeleton, which SparseGPT reuses (compress_gptq.c). Their other shared
 * pieces have headers of their own: compress_linalg.h,
 * compress_qtensor_builder.h, compress_brain_surgeon.h, compress_axpy.h.
 */
#ifndef COMPRESS_ALGO_PRIV_H
#define COMPRESS_ALGO_PRIV_H

#include <stdbool.h>

#include "compress_algo.h"
#include "compress_qtensor_builder.h"

struct compress_calib {
	uint32_t k;
	uint64_t rows;
	double *gram;		/* k x k, lower triangle: sum over rows of x x^T */
	double *abs_sum;	/* sum |x_j| */
	float *abs_max;		/* max |x_j| */
};

/* 2 X^T X / rows as a full symmetric k x k matrix (malloc'd). */
int compress_calib_hessian(const struct compress_calib *c, double **h);
/* Runs compress_calib_new + compress_calib_add over one X. */
int compress_calib_from(const float *x, uint32_t m, uint32_t k, struct compress_calib **out);
/* Shared argument check: w n x k finite, calibration of width k with rows. */
int compress_algo_check(const float *w, uint32_t n, uint32_t k, const struct compress_calib *c,
			const struct compress_qparams *p, struct compress_qtensor **out);

/*
 * GPTQ's skeleton, shared with SparseGPT (compress_gptq.c): Hessian from @c,
 * dead inputs dropped, optional act-order, damping, U, the column loop
 * (compress_brain_surgeon_run), and compress_qtensor_builder_finish() into
 * @out. @f is initialized by the caller.
 */
int compress_gptq_core(const float *w, const struct compress_calib *c, double damp,
		       uint32_t block, uint32_t act_order, uint32_t static_groups,
		       bool prune24, struct compress_qtensor_builder *f,
		       struct compress_qtensor **out);

#endif /* COMPRESS_ALGO_PRIV_H */
