// SPDX-License-Identifier: MIT
/* Compression library: error report of a packed tensor against its FP32 original. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "compress_qtensor_priv.h"

int compress_error_report(const struct compress_qtensor *qt, const float *orig, uint32_t ldo,
			  struct compress_qerr *r)
{
	double sig = 0.0, err = 0.0, mx = 0.0;
	uint32_t n, k;
	float *deq;
	int ret;

	if (!qt || !orig || !r || ldo < qt->wt.k)
		return -EINVAL;
	deq = malloc((size_t)qt->wt.n * qt->wt.k * sizeof(*deq));
	if (!deq)
		return -ENOMEM;
	ret = compress_qtensor_dequant(qt, deq, qt->wt.k);
	if (ret) {
		free(deq);
		return ret;
	}
	for (n = 0; n < qt->wt.n; n++) {
		for (k = 0; k < qt->wt.k; k++) {
			double x = orig[(size_t)n * ldo + k];
			double d = x - deq[(size_t)n * qt->wt.k + k];

			sig += x * x;
			err += d * d;
			if (fabs(d) > mx)
				mx = fabs(d);
		}
	}
	free(deq);
	r->rmse = sqrt(err / ((double)qt->wt.n * qt->wt.k));
	r->max_abs = mx;
	r->sqnr_db = err == 0.0 ? INFINITY : 10.0 * log10(sig / err);
	return 0;
}
