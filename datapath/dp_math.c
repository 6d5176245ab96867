// SPDX-License-Identifier: MIT
/* Quasar datapath: exp, tanh, GELU, SiLU as exact operation sequences. */
#include "dp_math.h"
#include "dp_format.h"
#include "dp_num.h"

float dp_expf(float x)
{
	float n, r, p;
	int ni;

	if (x != x)
		return x;
	if (x >= DP_EXP_HI)
		return dp_u2f(0x7f800000u);
	if (x <= DP_EXP_LO)
		return 0.0f;
	n = dp_rne(x * DP_LOG2E);
	r = (x - n * DP_LN2_HI) - n * DP_LN2_LO;
	/* Taylor to degree 7 in Horner form; |r| <= 0.35 */
	p = 1.0f / 5040.0f;
	p = p * r + 1.0f / 720.0f;
	p = p * r + 1.0f / 120.0f;
	p = p * r + 1.0f / 24.0f;
	p = p * r + 1.0f / 6.0f;
	p = p * r + 0.5f;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	ni = (int)n;
	/* two steps: 2^n alone may be out of range while p * 2^n is not */
	return (p * dp_exp2i(ni / 2)) * dp_exp2i(ni - ni / 2);
}

float dp_tanhf(float x)
{
	float a = __builtin_fabsf(x);
	float t = dp_expf(-2.0f * a);
	float y = (1.0f - t) / (1.0f + t);

	return __builtin_copysignf(y, x);
}

float dp_gelu(float x)
{
	float x3 = (x * x) * x;
	float u = DP_GELU_C0 * (x + DP_GELU_C1 * x3);

	return (0.5f * x) * (1.0f + dp_tanhf(u));
}

float dp_silu(float x)
{
	return x / (1.0f + dp_expf(-x));
}

float dp_relu(float x)
{
	return x > 0.0f ? x : 0.0f;
}

float dp_sqrtf(float x)
{
	return __builtin_sqrtf(x);
}

float dp_act_apply(uint32_t act, float x)
{
	switch (act) {
	case DP_ACT_RELU:
		return dp_relu(x);
	case DP_ACT_GELU:
		return dp_gelu(x);
	case DP_ACT_SILU:
		return dp_silu(x);
	default:
		return x;
	}
}
