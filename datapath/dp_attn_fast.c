// SPDX-License-Identifier: MIT
/*
 * Quasar datapath: attention's fast operations, argument checks (the
 * golden model's, with its error codes) and dispatch to the instruction
 * set asked for.
 */
#include "dp_attn.h"
#include "dp_attn_simd.h"
#include "dp_isa.h"
#include "dp_ops.h"

int dp_matmul_fast(const struct dp_matmul *p, uint32_t isa)
{
	int ret;

	if (isa >= DP_ISA_COUNT)
		return DP_EINVAL;
	if (!dp_isa_ok(isa))
		return DP_ENOTSUP;
	if (isa == DP_ISA_SCALAR)
		return dp_matmul_ref(p);
	ret = dp_matmul_check(p);
	if (ret)
		return ret;
	if (isa >= DP_ISA_AVX512)
		dp_attn_matmul_avx512(p);
	else
		dp_attn_matmul_avx2(p);
	return DP_OK;
}

/* The row softmax's own fast kernel over the first @limit elements. */
int dp_softmax_causal_fast(const float *x, uint32_t d, uint32_t limit, float *y,
			   uint32_t isa)
{
	uint32_t i;
	int ret;

	if (isa >= DP_ISA_COUNT)
		return DP_EINVAL;
	if (!dp_isa_ok(isa))
		return DP_ENOTSUP;
	if (!x || !y || limit == 0 || limit > d)
		return DP_EINVAL;
	ret = dp_softmax_fast(x, limit, y, isa);
	for (i = limit; i < d; i++)
		y[i] = 0.0f;
	return ret;
}
