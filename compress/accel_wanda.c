// SPDX-License-Identifier: MIT
/*
 * libaccel compression: Wanda for 2:4 (Sun et al. 2023; locuslab/wanda).
 * Score |W_ij| * ||X_j||_2 (the weight times the norm of its input over the
 * calibration rows); of every 4 consecutive weights of a row keep the two
 * best scores (ties: lower index), no weight update. Kept weights are then
 * quantized by the device's RTN rule for the 2:4 format, scales over kept
 * values only.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "accel_algo_priv.h"
#include "dp_quant.h"

int accel_wanda24_calib(const float *w, uint32_t n, uint32_t k, const struct accel_calib *c,
			const struct accel_qparams *p, struct accel_qtensor **out)
{
	struct accel_qf f;
	uint32_t r, q, i;
	float *norm;
	int ret;

	ret = accel_algo_check(w, n, k, c, p, out);
	if (ret)
		return ret;
	ret = accel_qf_init(&f, p, n, k, w);
	if (ret)
		return ret;
	if (!f.fi->sparse) {
		accel_qf_free(&f);
		return -ENOTSUP;
	}
	norm = malloc((size_t)k * sizeof(*norm));
	if (!norm) {
		accel_qf_free(&f);
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
			accel_qf_meta(&f, r, q, dp_pick24(score, valid));
		}
		accel_qf_rtn_row(&f, r, row, NULL, NULL);
	}
	free(norm);
	return accel_qf_finish(&f, out);
}

int accel_wanda24(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
		  const struct accel_qparams *p, struct accel_qtensor **out)
{
	struct accel_calib *c;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ret = accel_calib_from(x, m, k, &c);
	if (ret)
		return ret;
	ret = accel_wanda24_calib(w, n, k, c, p, out);
	accel_calib_free(c);
	return ret;
}
