/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: round-to-nearest quantization of FP32 weights into every
 * format, with the scale-selection rules of docs/numerics.md "Scales".
 * Freestanding and allocation-free: the caller provides the buffers sized by
 * dp_geom_get(). The compression library's producers and the device's
 * convert op both call this, so there is one definition of every rule.
 */
#ifndef DP_QUANT_H
#define DP_QUANT_H

#include "dp_format.h"

/* dp_quantize() qflags */
#define DP_Q_NVFP4_1LEVEL	(1u << 0)	/* NVFP4 without a tensor scale (1.0) */

struct dp_wt_buf {
	void *data;
	void *scales;
	uint8_t *zeros;
	uint8_t *meta;
};

/*
 * Quantizes src (N rows of K floats, row stride lds) into @buf and points
 * @w at it. w->fmt, n, k, group and flags must be set; the buffers must be
 * at least the dp_geom sizes (they are fully written, padding included).
 * 2:4 formats keep the two largest magnitudes of every group of 4.
 */
int dp_quantize(struct dp_wt *w, const struct dp_wt_buf *buf, const float *src,
		uint32_t lds, uint32_t qflags);

/*
 * E8M0 code of an MX block with largest magnitude @amax, element emax @emax:
 * 0xFF (NaN) when @amax is Inf or NaN, so pass NaN for a block holding one.
 */
uint8_t dp_mx_scale(float amax, int emax);

/* 2:4 choice for one group: returns the index code idx0 | idx1 << 2. */
uint8_t dp_pick24(const float *x, uint32_t valid);

#endif /* DP_QUANT_H */
