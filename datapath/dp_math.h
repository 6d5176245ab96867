/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: the transcendental functions of the specification.
 * They are defined by these exact operation sequences (no libm), so the
 * fast kernels can reproduce them bit for bit; docs/numerics.md "Functions".
 */
#ifndef DP_MATH_H
#define DP_MATH_H

#include <stdint.h>

#define DP_EXP_HI	88.75f		/* exp(x) = +Inf at or above */
#define DP_EXP_LO	-104.0f		/* exp(x) = +0 at or below */
#define DP_LOG2E	1.44269502f
#define DP_LN2_HI	0.693145751953125f
#define DP_LN2_LO	1.42860677e-06f
#define DP_GELU_C0	0.797884583f	/* sqrt(2 / pi) */
#define DP_GELU_C1	0.044715f

float dp_expf(float x);
float dp_tanhf(float x);
float dp_gelu(float x);
float dp_silu(float x);
float dp_relu(float x);
float dp_sqrtf(float x);
/* Applies enum dp_act; an unknown value is the identity (validated earlier). */
float dp_act_apply(uint32_t act, float x);

#endif /* DP_MATH_H */
