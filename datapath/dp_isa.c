// SPDX-License-Identifier: MIT
/* Quasar datapath: which instruction sets this CPU and OS run. */
#include <cpuid.h>

#include "dp_isa.h"

static uint64_t dp_xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static uint32_t dp_isa_detect(void)
{
	uint32_t a, b, c, d, xcr;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX) ||
	    !(c & bit_FMA))
		return DP_ISA_SCALAR;
	xcr = (uint32_t)dp_xgetbv0();
	if ((xcr & 0x6) != 0x6)	/* OS saves XMM and YMM */
		return DP_ISA_SCALAR;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & bit_AVX2) || !(b & bit_BMI2))
		return DP_ISA_SCALAR;
	if ((xcr & 0xe6) == 0xe6 && (b & bit_AVX512F) && (b & bit_AVX512BW) &&
	    (b & bit_AVX512VL) && (b & bit_AVX512DQ) && (c & bit_AVX512VNNI)) {
		/* leaf 7 sub-leaf 1, EAX bit 5: AVX512_BF16 */
		if (__get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & (1u << 5)))
			return DP_ISA_AVX512BF16;
		return DP_ISA_AVX512;
	}
	return DP_ISA_AVX2;
}

uint32_t dp_isa_best(void)
{
	static int cached = -1;

	if (cached < 0)
		cached = (int)dp_isa_detect();
	return (uint32_t)cached;
}

bool dp_isa_ok(uint32_t isa)
{
	return isa <= dp_isa_best();
}

const char *dp_isa_name(uint32_t isa)
{
	static const char *const names[DP_ISA_COUNT] = { "scalar", "avx2", "avx512", "avx512bf16" };

	return isa < DP_ISA_COUNT ? names[isa] : "?";
}
