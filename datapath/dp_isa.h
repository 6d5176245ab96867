/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: the instruction sets the fast kernels are built for, and
 * which of them this CPU runs. Every fast entry point takes one of these;
 * DP_ISA_SCALAR runs the golden model.
 */
#ifndef DP_ISA_H
#define DP_ISA_H

#include <stdbool.h>
#include <stdint.h>

enum dp_isa {
	DP_ISA_SCALAR = 0,
	DP_ISA_AVX2 = 1,	/* AVX2 + FMA */
	DP_ISA_AVX512 = 2,	/* AVX-512 F/BW/VL/DQ + VNNI */
	DP_ISA_AVX512BF16 = 3,	/* the above + AVX512_BF16 (VDPBF16PS) */
	DP_ISA_COUNT
};

/* Highest instruction set this CPU and OS support. */
uint32_t dp_isa_best(void);
bool dp_isa_ok(uint32_t isa);
const char *dp_isa_name(uint32_t isa);

#endif /* DP_ISA_H */
