// SPDX-License-Identifier: MIT
/*
 * Quasar datapath fast operations: argument checks (the golden model's,
 * with its error codes) and dispatch to the instruction set asked for.
 */
#include "dp_ops.h"
#include "dp_isa.h"
#include "dp_ops_simd.h"

/* DP_OK to run SIMD code, 1 to run the golden model, or an error. */
static int dp_ops_isa_pick(uint32_t isa)
{
	if (isa >= DP_ISA_COUNT)
		return DP_EINVAL;
	if (!dp_isa_ok(isa))
		return DP_ENOTSUP;
	return isa == DP_ISA_SCALAR ? 1 : DP_OK;
}

#define DP_OPS_CALL(isa, fn, ...)				\
	do {							\
		if ((isa) >= DP_ISA_AVX512)			\
			dp_ops_##fn##_avx512(__VA_ARGS__);	\
		else						\
			dp_ops_##fn##_avx2(__VA_ARGS__);	\
	} while (0)

int dp_rmsnorm_fast(const float *x, const float *gain, uint32_t d, float eps, float *y,
		    uint32_t isa)
{
	int ret = dp_ops_isa_pick(isa);

	if (ret)
		return ret < 0 ? ret : dp_rmsnorm_ref(x, gain, d, eps, y);
	if (!x || !gain || !y || d == 0)
		return DP_EINVAL;
	DP_OPS_CALL(isa, rmsnorm, x, gain, d, eps, y);
	return DP_OK;
}

int dp_layernorm_fast(const float *x, const float *gain, const float *bias, uint32_t d,
		      float eps, float *y, uint32_t isa)
{
	int ret = dp_ops_isa_pick(isa);

	if (ret)
		return ret < 0 ? ret : dp_layernorm_ref(x, gain, bias, d, eps, y);
	if (!x || !gain || !bias || !y || d == 0)
		return DP_EINVAL;
	DP_OPS_CALL(isa, layernorm, x, gain, bias, d, eps, y);
	return DP_OK;
}

int dp_softmax_fast(const float *x, uint32_t d, float *y, uint32_t isa)
{
	int ret = dp_ops_isa_pick(isa);

	if (ret)
		return ret < 0 ? ret : dp_softmax_ref(x, d, y);
	if (!x || !y || d == 0)
		return DP_EINVAL;
	DP_OPS_CALL(isa, softmax, x, d, y);
	return DP_OK;
}

int dp_rope_fast(const float *x, const float *cosv, const float *sinv, uint32_t d, float *y,
		 uint32_t isa)
{
	int ret = dp_ops_isa_pick(isa);

	if (ret)
		return ret < 0 ? ret : dp_rope_ref(x, cosv, sinv, d, y);
	if (!x || !cosv || !sinv || !y || d == 0 || d % 2)
		return DP_EINVAL;
	DP_OPS_CALL(isa, rope, x, cosv, sinv, d, y);
	return DP_OK;
}

int dp_add_fast(const float *a, const float *b, uint32_t len, float *y, uint32_t isa)
{
	int ret = dp_ops_isa_pick(isa);

	if (ret)
		return ret < 0 ? ret : dp_add_ref(a, b, len, y);
	if (!a || !b || !y)
		return DP_EINVAL;
	DP_OPS_CALL(isa, add, a, b, len, y);
	return DP_OK;
}

int dp_mul_fast(const float *a, const float *b, uint32_t len, float *y, uint32_t isa)
{
	int ret = dp_ops_isa_pick(isa);

	if (ret)
		return ret < 0 ? ret : dp_mul_ref(a, b, len, y);
	if (!a || !b || !y)
		return DP_EINVAL;
	DP_OPS_CALL(isa, mul, a, b, len, y);
	return DP_OK;
}

int dp_bf16_to_f32_fast(const uint16_t *x, uint32_t len, float *y, uint32_t isa)
{
	int ret = dp_ops_isa_pick(isa);

	if (ret < 0)
		return ret;
	if (!x || !y)
		return DP_EINVAL;
	if (ret)
		dp_bf16_to_f32_ref(x, len, y);
	else
		DP_OPS_CALL(isa, bf16_to_f32, x, len, y);
	return DP_OK;
}

int dp_f32_to_bf16_fast(const float *x, uint32_t len, uint16_t *y, uint32_t isa)
{
	int ret = dp_ops_isa_pick(isa);

	if (ret < 0)
		return ret;
	if (!x || !y)
		return DP_EINVAL;
	if (ret)
		dp_f32_to_bf16_ref(x, len, y);
	else
		DP_OPS_CALL(isa, f32_to_bf16, x, len, y);
	return DP_OK;
}

static int dp_dequant_any(const struct dp_wt *w, uint32_t n0, uint32_t n1, void *y,
			  uint32_t ldy, bool bf16, uint32_t isa)
{
	struct dp_geom g;
	int ret = dp_ops_isa_pick(isa);

	if (ret)
		return ret < 0 ? ret : bf16 ? dp_dequant_bf16_ref(w, n0, n1, y, ldy) :
					      dp_dequant_ref(w, n0, n1, y, ldy);
	ret = dp_wt_check(w, &g);
	if (ret)
		return ret;
	if (!y || n0 > n1 || n1 > w->n || ldy < w->k)
		return DP_EINVAL;
	DP_OPS_CALL(isa, dequant, w, &g, n0, n1, y, ldy, bf16);
	return DP_OK;
}

int dp_dequant_fast(const struct dp_wt *w, uint32_t n0, uint32_t n1, float *y, uint32_t ldy,
		    uint32_t isa)
{
	return dp_dequant_any(w, n0, n1, y, ldy, false, isa);
}

int dp_dequant_bf16_fast(const struct dp_wt *w, uint32_t n0, uint32_t n1, uint16_t *y,
			 uint32_t ldy, uint32_t isa)
{
	return dp_dequant_any(w, n0, n1, y, ldy, true, isa);
}

int dp_gather_fast(const struct dp_wt *w, const uint32_t *ids, uint32_t count, float *y,
		   uint32_t ldy, uint32_t isa)
{
	uint32_t i;
	int ret = dp_ops_isa_pick(isa);

	if (ret)
		return ret < 0 ? ret : dp_gather_ref(w, ids, count, y, ldy);
	if (!ids || !y || !w)
		return DP_EINVAL;
	for (i = 0; i < count; i++)
		if (ids[i] >= w->n)
			return DP_EINVAL;
	for (i = 0; i < count; i++) {
		ret = dp_dequant_fast(w, ids[i], ids[i] + 1, y + (size_t)i * ldy, ldy, isa);
		if (ret)
			return ret;
	}
	return DP_OK;
}
