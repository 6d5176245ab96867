// SPDX-License-Identifier: MIT
/* Compression library: RTN into a 2:4 format with a caller-chosen mask. */
#include <errno.h>
#include <math.h>

#include "compress_algo.h"
#include "compress_qtensor_builder.h"

/* Index code of one group from its keep flags; -1 unless min(2, valid) are kept. */
static int compress_quantize_mask_code(const uint8_t *keep, uint32_t valid)
{
	uint32_t idx[2], cnt = 0, i;

	for (i = 0; i < valid; i++) {
		if (keep[i] > 1)
			return -1;
		if (keep[i]) {
			if (cnt == 2)
				return -1;
			idx[cnt++] = i;
		}
	}
	if (cnt != (valid < 2 ? valid : 2))
		return -1;
	/* a tail group with one position names the next one, past K (never read) */
	if (cnt == 1)
		idx[cnt++] = idx[0] + 1;
	return (int)(idx[0] | idx[1] << 2);
}

int compress_quantize_mask(const float *w, uint32_t n, uint32_t k, const uint8_t *mask,
			   const struct compress_qparams *p, struct compress_qtensor **out)
{
	struct compress_qtensor_builder f;
	uint32_t r, q;
	size_t i;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!w || !mask || !p || n == 0 || k == 0 || n > DP_DIM_MAX || k > DP_DIM_MAX)
		return -EINVAL;
	for (i = 0; i < (size_t)n * k; i++)
		if (!isfinite(w[i]))
			return -EINVAL;
	ret = compress_qtensor_builder_init(&f, p, n, k, w);
	if (ret)
		return ret;
	if (!f.fi->sparse) {
		compress_qtensor_builder_free(&f);
		return -ENOTSUP;
	}
	for (r = 0; r < n; r++) {
		for (q = 0; 4 * q < k; q++) {
			uint32_t valid = k - 4 * q < 4 ? k - 4 * q : 4;
			int code = compress_quantize_mask_code(mask + (size_t)r * k + 4 * q, valid);

			if (code < 0) {
				compress_qtensor_builder_free(&f);
				return -EINVAL;
			}
			compress_qtensor_builder_meta(&f, r, q, (uint8_t)code);
		}
		compress_qtensor_builder_rtn_row(&f, r, w + (size_t)r * k, NULL, NULL);
	}
	return compress_qtensor_builder_finish(&f, out);
}
