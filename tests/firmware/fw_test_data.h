/* SPDX-License-Identifier: MIT */
/*
 * Deterministic test data for jobs on the in-process firmware runner
 * (fwrun/fwrun.h): pseudo-random activations and packed weights made by
 * the datapath's own quantizer.
 */
#ifndef FW_TEST_DATA_H
#define FW_TEST_DATA_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dp_format.h"
#include "dp_gemm.h"
#include "dp_num.h"
#include "dp_ops.h"
#include "dp_quant.h"
#include "fwrun.h"

static inline uint32_t v1_f2u(float f)
{
	return dp_f2u(f);
}

/* Deterministic pseudo-random values in [-1, 1). */
static inline float v1_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)(int32_t)(*s >> 8 & 0xffffff) / 8388608.0f - 1.0f;
}

/* Quantize random N x K weights into @fmt (an ISA W_* format) and upload. */
static inline int v1_weights(struct fwrun *r, struct fwrun_weights *w, uint32_t fmt,
			     uint32_t n, uint32_t k, uint32_t seed, bool zeros)
{
	float *src = malloc((size_t)n * k * sizeof(float));
	int ret;

	if (!src)
		return -1;
	for (size_t i = 0; i < (size_t)n * k; i++)
		src[i] = v1_rand(&seed) * (1.0f + (float)(i % 7));
	ret = fwrun_weights_quantize(r, w, fmt, n, k, src, zeros);
	free(src);
	return ret;
}

/* BF16 random activations. */
static inline void v1_rand_bf16(uint16_t *x, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		x[i] = dp_f32_to_bf16(v1_rand(&seed) * 3.0f);
}

static inline void v1_rand_f32(float *x, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		x[i] = v1_rand(&seed) * 3.0f;
}

#endif /* FW_TEST_DATA_H */
