// SPDX-License-Identifier: MIT
/*
 * Quasar models: the paired bootstrap intervals accel-eval puts on every
 * delta (models/mdl_bootstrap.h), against independent computations: the
 * exact bootstrap distribution of a small sample (all n^n resamples
 * enumerated), the normal approximation on a large one, and what pairing
 * must cancel.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "mdl_bootstrap.h"
#include "mdl_rng.h"

static int mdlt_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/*
 * The exact bootstrap distribution of the mean of d[0..n-1]: every one of
 * the n^n ordered resamples, sorted, in @means (n^n entries).
 */
static void mdlt_exact_means(const double *d, uint32_t n, double *means)
{
	uint32_t total = 1, i, j, idx;

	for (i = 0; i < n; i++)
		total *= n;
	for (j = 0; j < total; j++) {
		double s = 0;

		for (idx = j, i = 0; i < n; i++, idx /= n)
			s += d[idx % n];
		means[j] = s / n;
	}
	qsort(means, total, sizeof(*means), mdlt_cmp);
}

/* Share of @means (sorted, @total) below @v, and at or below it. */
static void mdlt_cdf(const double *means, uint32_t total, double v, double *below, double *upto)
{
	uint32_t i, lt = 0, le = 0;

	for (i = 0; i < total; i++) {
		lt += means[i] < v;
		le += means[i] <= v;
	}
	*below = (double)lt / total;
	*upto = (double)le / total;
}

TEST(bootstrap_interval_is_the_exact_bootstrap_distributions_quantiles)
{
	/*
	 * A small sample whose bootstrap distribution has 5^5 = 3125 points;
	 * integers, so that every order of summation gives the same means, and
	 * spaced so that 0.025 and 0.975 fall 6 sd inside their quantiles' steps.
	 */
	static const double d[] = { -3.0, -2.0, -1.0, 0.0, 1.0 };
	const uint32_t n = 5, total = 3125, resamples = 20000;
	double *means = malloc(sizeof(double) * total), lo, hi, ex_lo, ex_hi, below, upto;
	/* the Monte Carlo share's standard deviation at p = 0.025 */
	double sd = sqrt(0.025 * 0.975 / resamples);

	ASSERT_NE(NULL, means);
	mdlt_exact_means(d, n, means);
	/* inverse ECDF: the smallest value whose cumulative share reaches p */
	ex_lo = means[(uint32_t)ceil(0.025 * total) - 1];
	ex_hi = means[(uint32_t)ceil(0.975 * total) - 1];
	/*
	 * The Monte Carlo quantile equals the exact one when p lies well inside
	 * the exact quantile's step of the distribution function (4 sd away
	 * from both ends): check that first, so that the test means something.
	 */
	mdlt_cdf(means, total, ex_lo, &below, &upto);
	ASSERT_LT(below + 4 * sd, 0.025);
	ASSERT_GT(upto - 4 * sd, 0.025);
	mdlt_cdf(means, total, ex_hi, &below, &upto);
	ASSERT_LT(below + 4 * sd, 0.975);
	ASSERT_GT(upto - 4 * sd, 0.975);
	ASSERT_EQ(0, mdl_bootstrap_paired(NULL, d, n, resamples, 1, 0.95, &lo, &hi));
	TH_LOG("exact [%g, %g], bootstrap of %u resamples [%g, %g]", ex_lo, ex_hi, resamples,
	       lo, hi);
	EXPECT_EQ(ex_lo, lo);
	EXPECT_EQ(ex_hi, hi);
	free(means);
}

TEST(bootstrap_interval_of_a_large_sample_is_the_normal_one)
{
	/* 400 units, the LM's held-out window count's order, the default 1000 resamples */
	const uint32_t n = 400;
	double *a = malloc(sizeof(double) * n), *b = malloc(sizeof(double) * n);
	double mean = 0, var = 0, half, lo, hi;
	struct mdl_rng r;
	uint32_t i;

	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	mdl_rng_seed(&r, 42);
	for (i = 0; i < n; i++) {
		a[i] = 2.0 + mdl_rng_normal(&r);
		b[i] = a[i] + 0.01 + 0.05 * mdl_rng_normal(&r);
		mean += b[i] - a[i];
	}
	mean /= n;
	for (i = 0; i < n; i++)
		var += (b[i] - a[i] - mean) * (b[i] - a[i] - mean);
	var /= n - 1;
	half = 1.959964 * sqrt(var / n);
	ASSERT_EQ(0, mdl_bootstrap_paired(a, b, n, MDL_BOOT_RESAMPLES, MDL_BOOT_SEED,
					  MDL_BOOT_LEVEL, &lo, &hi));
	TH_LOG("mean %.6f: normal [%.6f, %.6f], bootstrap [%.6f, %.6f]", mean, mean - half,
	       mean + half, lo, hi);
	/* the bootstrap's own Monte Carlo and skew noise: well within 15 % of the half width */
	EXPECT_LT(fabs(lo - (mean - half)), 0.15 * half);
	EXPECT_LT(fabs(hi - (mean + half)), 0.15 * half);
	free(a);
	free(b);
}

TEST(bootstrap_pairing_cancels_what_both_models_share)
{
	/* a variant exactly 0.25 worse on every unit: the interval has no width */
	double a[64], b[64], lo, hi;
	struct mdl_rng r;
	uint32_t i;

	mdl_rng_seed(&r, 3);
	for (i = 0; i < 64; i++) {
		a[i] = 10.0 * mdl_rng_unif(&r);
		b[i] = a[i] + 0.25;
	}
	ASSERT_EQ(0, mdl_bootstrap_paired(a, b, 64, 1000, 1, 0.95, &lo, &hi));
	EXPECT_LT(fabs(lo - 0.25), 1e-12);
	EXPECT_LT(fabs(hi - 0.25), 1e-12);
}

TEST(bootstrap_repeats_with_its_seed_and_refuses_bad_arguments)
{
	double d[] = { 0.5, -1.0, 2.0, 0.0, 0.25, 1.5 }, lo1, hi1, lo2, hi2, lo3, hi3;

	ASSERT_EQ(0, mdl_bootstrap_paired(NULL, d, 6, 1000, 9, 0.95, &lo1, &hi1));
	ASSERT_EQ(0, mdl_bootstrap_paired(NULL, d, 6, 1000, 9, 0.95, &lo2, &hi2));
	EXPECT_EQ(lo1, lo2);
	EXPECT_EQ(hi1, hi2);
	EXPECT_LE(lo1, hi1);
	/* a narrower level gives a nested interval */
	ASSERT_EQ(0, mdl_bootstrap_paired(NULL, d, 6, 1000, 9, 0.5, &lo3, &hi3));
	EXPECT_GE(lo3, lo1);
	EXPECT_LE(hi3, hi1);
	EXPECT_EQ(-EINVAL, mdl_bootstrap_paired(NULL, d, 0, 1000, 9, 0.95, &lo1, &hi1));
	EXPECT_EQ(-EINVAL, mdl_bootstrap_paired(NULL, d, 6, 0, 9, 0.95, &lo1, &hi1));
	EXPECT_EQ(-EINVAL, mdl_bootstrap_paired(NULL, d, 6, 1000, 9, 1.0, &lo1, &hi1));
	EXPECT_EQ(-EINVAL, mdl_bootstrap_paired(NULL, d, 6, 1000, 9, 0.0, &lo1, &hi1));
	/* the inverse ECDF's index: 1000 sorted values, p 0.025 -> the 25th (index 24) */
	EXPECT_EQ(24, mdl_bootstrap_quantile_index(1000, 0.025));
	EXPECT_EQ(974, mdl_bootstrap_quantile_index(1000, 0.975));
	EXPECT_EQ(0, mdl_bootstrap_quantile_index(1000, 0.0));
	EXPECT_EQ(999, mdl_bootstrap_quantile_index(1000, 1.0));
}

TEST_HARNESS_MAIN
