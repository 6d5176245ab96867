// SPDX-License-Identifier: MIT
/*
 * Compression library: SparseGPT for 2:4 (Frantar & Alistarh 2023;
 * IST-DASLab/sparsegpt fasterprune with prunen=2, prunem=4). GPTQ's column
 * loop, where at every 4th column each row keeps the two of the next four
 * weights with the largest w^2 / [U]_cc^2 (U the upper Cholesky factor of
 * the damped H^-1) and prunes the others; pruned weights are 0, kept ones
 * are quantized with the device quantizer of the 2:4 format (SP_BF16: just
 * BF16), and both errors are fed forward. Masks are chosen with the weights
 * as corrected so far, which is the point: later columns compensate for the
 * earlier pruning.
 */
#include <errno.h>
#include <math.h>

#include "compress_algo_priv.h"

int compress_sparsegpt24_calib(const float *w, uint32_t n, uint32_t k,
			       const struct compress_calib *c, const struct compress_qparams *p,
			       const struct compress_sparsegpt_opts *o,
			       struct compress_qtensor **out)
{
	const struct compress_sparsegpt_opts def = COMPRESS_SPARSEGPT_OPTS_INIT;
	struct compress_qtensor_builder f;
	int ret;

	ret = compress_algo_check(w, n, k, c, p, out);
	if (ret)
		return ret;
	if (!o)
		o = &def;
	if (!(o->damp >= 0.0 && isfinite(o->damp)) || o->block == 0 || o->block % 4)
		return -EINVAL;
	ret = compress_qtensor_builder_init(&f, p, n, k, w);
	if (ret)
		return ret;
	if (!f.fi->sparse) {
		compress_qtensor_builder_free(&f);
		return -ENOTSUP;
	}
	ret = compress_gptq_core(w, c, o->damp, o->block, 0, 0, true, &f, out);
	if (ret)
		compress_qtensor_builder_free(&f);
	return ret;
}

int compress_sparsegpt24(const float *w, uint32_t n, uint32_t k, const float *x, uint32_t m,
			 const struct compress_qparams *p, const struct compress_sparsegpt_opts *o,
			 struct compress_qtensor **out)
{
	struct compress_calib *c;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	ret = compress_calib_from(x, m, k, &c);
	if (ret)
		return ret;
	ret = compress_sparsegpt24_calib(w, n, k, c, p, o, out);
	compress_calib_free(c);
	return ret;
}
