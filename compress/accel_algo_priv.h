/* SPDX-License-Identifier: MIT */
/*
 * libaccel compression algorithms: the pieces they share (private).
 *  - accel_calib.c:  calibration statistics and the Hessian 2 X^T X / m
 *  - accel_linalg.c: Cholesky and friends, double precision
 *  - accel_qf.c:     the device quantizer one block and one value at a time,
 *                    writing plain arrays that accel_pack turns into a qtensor
 *  - accel_obs.c:    the column loop with error feedback (GPTQ, SparseGPT)
 */
#ifndef ACCEL_ALGO_PRIV_H
#define ACCEL_ALGO_PRIV_H

#include <stdbool.h>

#include "accel_algo.h"

struct accel_calib {
	uint32_t k;
	uint64_t rows;
	double *gram;		/* k x k, lower triangle: sum over rows of x x^T */
	double *abs_sum;	/* sum |x_j| */
	float *abs_max;		/* max |x_j| */
};

/* 2 X^T X / rows as a full symmetric k x k matrix (malloc'd). */
int accel_calib_hessian(const struct accel_calib *c, double **h);
/* Runs accel_calib_new + accel_calib_add over one X. */
int accel_calib_from(const float *x, uint32_t m, uint32_t k, struct accel_calib **out);
/* Shared argument check: w n x k finite, calibration of width k with rows. */
int accel_algo_check(const float *w, uint32_t n, uint32_t k, const struct accel_calib *c,
		     const struct accel_qparams *p, struct accel_qtensor **out);

/* ---- linear algebra (row-major, n x n) ---- */

/* In place: a = L with a = L L^T (upper triangle zeroed); -EDOM if not SPD. */
int accel_la_chol(double *a, uint32_t n);
/* In place inverse of a lower-triangular matrix with a non-zero diagonal. */
int accel_la_trinv_lower(double *l, uint32_t n);
/* In place: SPD h becomes U, upper triangular with U^T U = h^-1; -EDOM if not SPD. */
int accel_la_inv_chol_upper(double *h, uint32_t n);

/* ---- the device quantizer, value by value ---- */

struct accel_qf {
	struct accel_plain pl;
	const struct dp_fmt_info *fi;
	struct dp_geom g;
	uint32_t fmt, n, k;
	float ts;		/* NVFP4 tensor scale, else 1 */
	uint8_t *set;		/* n x blocks: parameters chosen */
	float *tmp;		/* one block of values (scratch) */
};

/* Checks @p for n x k; @w (n x k) gives NVFP4's tensor scale as the RTN does. */
int accel_qf_init(struct accel_qf *f, const struct accel_qparams *p, uint32_t n,
		  uint32_t k, const float *w);
void accel_qf_free(struct accel_qf *f);
/*
 * Chooses the parameters (scale, zero) of block b of row r from the values
 * that block will store (kept values only for 2:4), by the datapath's rule
 * applied as if the values were limited to +-clip * amax (1 = the RTN rule).
 */
void accel_qf_scale(struct accel_qf *f, uint32_t r, uint32_t b, const float *v, uint32_t cnt,
		    float clip);
/* 2:4 index code (idx0 | idx1 << 2) of group q of row r. */
void accel_qf_meta(struct accel_qf *f, uint32_t r, uint32_t q, uint8_t code);
bool accel_qf_kept(const struct accel_qf *f, uint32_t r, uint32_t c);
/*
 * Quantizes v at dense position c (< k, kept) of row r with its block's
 * parameters, stores the code, and returns the value the device decodes.
 */
float accel_qf_put(struct accel_qf *f, uint32_t r, uint32_t c, float v);
/* Parameters of untouched blocks, padding codes, then accel_pack; frees f. */
int accel_qf_finish(struct accel_qf *f, struct accel_qtensor **out);
/*
 * RTN of row r (k values) with per-block clip ratios (NULL: 1): chooses each
 * block's parameters from its kept values, stores every kept value, and
 * writes the decoded row to @deq (k floats, 0 where pruned) if non-NULL.
 */
void accel_qf_rtn_row(struct accel_qf *f, uint32_t r, const float *row, const float *clip,
		      float *deq);

/* ---- the OBS column loop ---- */

struct accel_obs {
	struct accel_qf *qf;
	double *wt;		/* k x n working weights, row t = column perm[t] */
	const double *u;	/* k x k upper Cholesky factor of H^-1, same order */
	const uint32_t *perm;	/* processing position -> column; NULL = identity */
	uint32_t block;		/* lazy-update block (columns) */
	bool groups_preset;	/* every block's parameters already chosen */
	bool prune24;		/* choose 2:4 masks by w^2 / U_cc^2 on the way */
};

int accel_obs_run(const struct accel_obs *o);

/*
 * GPTQ's skeleton, shared with SparseGPT (accel_gptq.c): Hessian from @c,
 * dead inputs dropped, optional act-order, damping, U, the column loop, and
 * accel_qf_finish() into @out. @f is initialized by the caller.
 */
int accel_gptq_core(const float *w, const struct accel_calib *c, double damp,
		    uint32_t block, uint32_t act_order, uint32_t static_groups,
		    bool prune24, struct accel_qf *f, struct accel_qtensor **out);

#endif /* ACCEL_ALGO_PRIV_H */
