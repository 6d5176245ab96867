// SPDX-License-Identifier: MIT
/* Quasar models: paired bootstrap percentile intervals (mdl_bootstrap.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "mdl_bootstrap.h"
#include "mdl_rng.h"

static int mdl_bootstrap_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

uint32_t mdl_bootstrap_quantile_index(uint32_t count, double p)
{
	/* smallest k with (k + 1) / count >= p; the epsilon keeps 0.025 * 1000 at 25 */
	double k = ceil(p * count - 1e-9);

	if (k < 1)
		return 0;
	return k > count ? count - 1 : (uint32_t)k - 1;
}

int mdl_bootstrap_paired(const double *a, const double *b, uint32_t n, uint32_t resamples,
			 uint64_t seed, double level, double *lo, double *hi)
{
	struct mdl_rng r;
	double *d, *mean;
	uint32_t s, i;

	if (n == 0 || resamples == 0 || !(level > 0.0 && level < 1.0))
		return -EINVAL;
	d = malloc(sizeof(*d) * n);
	mean = malloc(sizeof(*mean) * resamples);
	if (!d || !mean) {
		free(d);
		free(mean);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		d[i] = a ? b[i] - a[i] : b[i];
	mdl_rng_seed(&r, seed);
	for (s = 0; s < resamples; s++) {
		double sum = 0.0;

		for (i = 0; i < n; i++)
			sum += d[mdl_rng_below(&r, n)];
		mean[s] = sum / n;
	}
	qsort(mean, resamples, sizeof(*mean), mdl_bootstrap_cmp);
	*lo = mean[mdl_bootstrap_quantile_index(resamples, (1.0 - level) / 2)];
	*hi = mean[mdl_bootstrap_quantile_index(resamples, (1.0 + level) / 2)];
	free(d);
	free(mean);
	return 0;
}
