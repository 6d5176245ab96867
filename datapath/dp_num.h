/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: scalar number formats (docs/numerics.md, "Numbers").
 * Every conversion into a narrow format rounds to nearest, ties to even,
 * and saturates; these functions are the definition the SIMD code matches.
 */
#ifndef DP_NUM_H
#define DP_NUM_H

#include <stdint.h>

static inline uint32_t dp_f2u(float f)
{
	uint32_t u;

	__builtin_memcpy(&u, &f, 4);
	return u;
}

static inline float dp_u2f(uint32_t u)
{
	float f;

	__builtin_memcpy(&f, &u, 4);
	return f;
}

static inline float dp_bf16_to_f32(uint16_t h)
{
	return dp_u2f((uint32_t)h << 16);
}

/* RNE; NaN stays NaN (quietened), overflow rounds to Inf as IEEE does. */
static inline uint16_t dp_f32_to_bf16(float f)
{
	uint32_t u = dp_f2u(f);

	if ((u & 0x7fffffffu) > 0x7f800000u)
		return (uint16_t)((u >> 16) | 0x40);
	return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
}

/* Round to an integral value, ties to even (no libm: the 2^23 trick). */
static inline float dp_rne(float x)
{
	float a = __builtin_fabsf(x);

	if (!(a < 8388608.0f))
		return x;	/* already integral, or NaN */
	a = (a + 8388608.0f) - 8388608.0f;
	return __builtin_copysignf(a, x);
}

/* 2^e as a float for any int e: 0 below 2^-149, Inf above 2^127. */
float dp_exp2i(int e);

/* floor(log2(a)) for finite a > 0, subnormals included. */
int dp_floor_log2(float a);

float dp_e4m3_to_f32(uint8_t c);	/* 0x7F and 0xFF are NaN */
uint8_t dp_f32_to_e4m3(float f);	/* RNE, saturates to +-448, NaN -> 0x7F */
float dp_e2m1_to_f32(uint8_t c);	/* c in 0..15, bit 3 is the sign */
uint8_t dp_f32_to_e2m1(float f);	/* RNE, saturates to +-6, NaN -> 0 */
float dp_e8m0_to_f32(uint8_t e);	/* 2^(e-127), 0xFF is NaN */

/* Round a float to an int clamped to [lo, hi]; NaN gives 0. */
int32_t dp_quant_int(float v, int32_t lo, int32_t hi);

/*
 * One step of the BF16-activation dot product (docs/numerics.md §4), what
 * one half of a BF16 dot-product instruction (VDPBF16PS) does: subnormal
 * inputs read as zero of their sign, e * x + p rounded once (RNE), and a
 * result whose magnitude, rounded with an unbounded exponent, is below
 * 2^-126 flushed to zero of its sign. @e and @x must be BF16 values (at
 * most 8 significant bits each: the product is then exact in binary64).
 */
float dp_dot_step(float e, float x, float p);

#endif /* DP_NUM_H */
