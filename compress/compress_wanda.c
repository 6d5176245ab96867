// SPDX-License-Identifier: MIT
/*
 * Compression library: Wanda for 2:4 (Sun et al. 2023; locuslab/wanda).
 * Score |W_ij| * ||X_j||_2 (the weight times the norm of its input over the
 * calibration rows); of every 4 consecutive weights of a row keep the two
 * best scores (ties: lower index), no weight update. Kept weights are then
 * quantized by the device's RTN rule for the 2:4 format, scales over kept
 * values only.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "compress_algo_priv.h"
#include "dp_quant.h"

int compress_wanda24_calib(const float *w, uint32_t n, uint32_t k, const struct compress_calib *c,
			   const struct compress_qparams *p, struct compress_qtensor **out)
{
	struct compress_qtensor_builder f;
	uint32_t r, q, i;
	float *norm;
	int ret;

	ret = compress_algo_check(w, n, k, c, p, out);
	if (ret)
		return ret;
	ret = compress_qtensor_builder_init(&f, p, n, k, w);
	if (ret)
		return ret;
	if (!f.fi->sparse) {
		compress_qtensor_builder_free(&f);
		return -ENOTSUP;
	}
	norm = malloc((size_t)k * sizeof(*norm));
	if (!norm) {
		compress_qtensor_builder_free(&f);
		return -ENOMEM;
	}
	for (i = 0; i < k; i++)
		norm[i] = (float)sqrt(c->gram[(size_t)i * k + i]);
	for (r = 0; r < n; r++) {
		const float *row = w + (size_t)r * k;

		for (q = 0; 4 * q < k; q++) {
			uint32_t valid = k - 4 * q < 4 ? k - 4 * q : 4;
			float score[4] = { 0 };

			for (i = 0; i < valid; i++)
				score[i] = fabsf(row[4 * q + i]) * norm[4 * q + i];
			compress_qtensor_builder_meta(&f, r, q, dp_pick24(score, valid));
		}
		compress_qtensor_builder_rtn_row(&f, r, row, NULL, NULL);
	}
	free(norm);
	return compress_qtensor_builder_finish(&f, out);
}

int compress_wanda24(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
		     const struct compress_qparams *p, struct compress_qtensor **out)
{
	struct compress_calib *c;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ret = compress_calib_from(x, m, k, &c);
	if (ret)
		return ret;
	ret = compress_wanda24_calib(w, n, k, c, p, out);
	compress_calib_free(c);
	return ret;
}
