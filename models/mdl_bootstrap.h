/* SPDX-License-Identifier: MIT */
/*
 * Quasar models: paired bootstrap confidence intervals for a difference of
 * means (Efron's percentile interval). Each unit (a held-out window, a test
 * image) has a figure under the reference model (a) and under a variant
 * (b); the delta is mean(b - a), and resampling the units with replacement
 * keeps each unit's pair together, so what the two models share (a hard
 * window is hard for both) cancels instead of widening the interval.
 *
 * The interval is the (1 - level) / 2 and (1 + level) / 2 quantiles of
 * the resampled means, each the smallest resampled mean whose empirical
 * cumulative share reaches the probability (the inverse of the empirical
 * distribution function). A fixed seed makes it repeat exactly.
 */
#ifndef MDL_BOOTSTRAP_H
#define MDL_BOOTSTRAP_H

#include <stdint.h>

/* What accel-eval and the compression report use. */
#define MDL_BOOT_RESAMPLES 1000u
#define MDL_BOOT_SEED 1u
#define MDL_BOOT_LEVEL 0.95

/*
 * The paired percentile interval [*lo, *hi] of mean(b[i] - a[i]) over @n
 * units (a NULL: b holds the differences), from @resamples resamples drawn
 * with @seed. Returns 0, or -EINVAL (n or resamples 0, level outside
 * (0, 1)), -ENOMEM.
 */
int mdl_bootstrap_paired(const double *a, const double *b, uint32_t n, uint32_t resamples,
			 uint64_t seed, double level, double *lo, double *hi);

/* The index of the p-quantile among @count sorted values (inverse ECDF). */
uint32_t mdl_bootstrap_quantile_index(uint32_t count, double p);

#endif /* MDL_BOOTSTRAP_H */
