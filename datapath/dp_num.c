// SPDX-License-Identifier: MIT
/* Quasar datapath: scalar number formats. Definitions in docs/numerics.md. */
#include "dp_num.h"

float dp_exp2i(int e)
{
	if (e > 127)
		return dp_u2f(0x7f800000u);
	if (e >= -126)
		return dp_u2f((uint32_t)(e + 127) << 23);
	if (e >= -149)
		return dp_u2f(1u << (e + 149));
	return 0.0f;
}

int dp_floor_log2(float a)
{
	uint32_t u = dp_f2u(a) & 0x7fffffffu;
	uint32_t e = u >> 23;

	if (e)
		return (int)e - 127;
	return (31 - __builtin_clz(u)) - 149;
}

float dp_e4m3_to_f32(uint8_t c)
{
	uint32_t mag = c & 0x7f, e = mag >> 3, m = mag & 7;
	float v;

	if (mag == 0x7f)
		return dp_u2f(0x7fc00000u | ((uint32_t)(c & 0x80) << 24));
	if (e == 0)
		v = (float)m * dp_exp2i(-9);
	else
		v = (float)(8 + m) * dp_exp2i((int)e - 10);
	return (c & 0x80) ? -v : v;
}

uint8_t dp_f32_to_e4m3(float f)
{
	uint32_t sign = (dp_f2u(f) >> 24) & 0x80;
	float a = __builtin_fabsf(f);
	uint32_t code;

	if (a != a)
		return 0x7f;
	if (a > 448.0f)
		a = 448.0f;
	if (a < 0.015625f) {	/* below 2^-6: subnormal, steps of 2^-9 */
		code = (uint32_t)dp_rne(a * 512.0f);
	} else {
		int e = dp_floor_log2(a);
		float mant = a * dp_exp2i(-e);

		/* a carry out of the mantissa moves into the exponent field */
		code = ((uint32_t)(e + 7) << 3) + (uint32_t)dp_rne((mant - 1.0f) * 8.0f);
	}
	return (uint8_t)(sign | code);
}

float dp_e2m1_to_f32(uint8_t c)
{
	static const float mag[8] = { 0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f };
	float v = mag[c & 7];

	return (c & 8) ? -v : v;
}

uint8_t dp_f32_to_e2m1(float f)
{
	uint32_t sign = (dp_f2u(f) >> 28) & 8;
	float a = __builtin_fabsf(f);
	uint32_t code;

	if (a != a)
		return 0;
	if (a > 6.0f)
		a = 6.0f;
	if (a < 1.0f) {
		code = (uint32_t)dp_rne(a * 2.0f);
	} else {
		int e = dp_floor_log2(a);
		float mant = a * dp_exp2i(-e);

		code = ((uint32_t)(e + 1) << 1) + (uint32_t)dp_rne((mant - 1.0f) * 2.0f);
	}
	return (uint8_t)(sign | code);
}

float dp_e8m0_to_f32(uint8_t e)
{
	if (e == 0xff)
		return dp_u2f(0x7fc00000u);
	return dp_exp2i((int)e - 127);
}

int32_t dp_quant_int(float v, int32_t lo, int32_t hi)
{
	if (v != v)
		return 0;
	if (v < (float)lo)
		return lo;
	if (v > (float)hi)
		return hi;
	return (int32_t)dp_rne(v);
}

static float dp_daz(float v)
{
	uint32_t u = dp_f2u(v);

	return (u & 0x7f800000u) ? v : dp_u2f(u & 0x80000000u);
}

float dp_dot_step(float e, float x, float p)
{
	/*
	 * Binary64 holds e * x exactly (16 significant bits). The sum needs
	 * more than 53 bits only when the smaller addend is below 2^-28 of the
	 * larger; then both it and the binary64 sum lie far from any binary32
	 * rounding boundary, so rounding twice (53 bits, then 24) equals
	 * rounding once. s is the exact result for the flush decision too.
	 */
	double s = (double)dp_daz(e) * (double)dp_daz(x) + (double)dp_daz(p);
	double a = __builtin_fabs(s);

	/* 2^-126 - 2^-151: the binary32 midpoint below 2^-126 rounds up to it */
	if (a < 0x1p-126 - 0x1p-151)
		return dp_u2f(__builtin_signbit(s) ? 0x80000000u : 0);
	return (float)s;
}
