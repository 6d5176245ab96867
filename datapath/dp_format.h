/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: weight formats and their packed device layout.
 *
 * The normative description is docs/numerics.md; this header only names
 * things. A weight matrix is N output channels by K inputs (row n holds the
 * weights of output n). Rows are stored in panels of 16 interleaved rows so
 * that a 16-lane vector loads one element of 16 output channels at once:
 * kernels vectorise across output channels and every output keeps the
 * sequential K order that the specification fixes.
 *
 * Freestanding: no libc beyond <stdint.h>/<stddef.h>/<stdbool.h>.
 */
#ifndef DP_FORMAT_H
#define DP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drm/quasar_isa.h"

/* Negative errno values, spelled out so that freestanding code needs no errno.h. */
enum dp_err {
	DP_OK = 0,
	DP_EINVAL = -22,	/* bad shape, group, pointer or flag */
	DP_ENOTSUP = -95,	/* valid values, unsupported combination */
};

/*
 * Weight formats: the ISA's packed formats (drm/quasar_isa.h, enum
 * drm_quasar_format), under the datapath's short names. The numbering is
 * the ISA's, so a format travels from a command to the kernels unchanged.
 */
enum dp_wfmt {
	DP_W_BF16 = DRM_QUASAR_FORMAT_W_BF16,		/* dense BF16 */
	DP_W_INT8 = DRM_QUASAR_FORMAT_W_INT8,		/* int8, FP32 scale per output channel */
	DP_W_INT4 = DRM_QUASAR_FORMAT_W_INT4,		/* 4-bit codes, BF16 scale per group,
							 * optional 4-bit zero */
	DP_W_MXINT8 = DRM_QUASAR_FORMAT_W_MXINT8,	/* OCP MX: int8 * 2^-6, E8M0 scale per 32 */
	DP_W_MXFP8 = DRM_QUASAR_FORMAT_W_MXFP8,		/* OCP MX: E4M3, E8M0 scale per 32 */
	DP_W_MXFP4 = DRM_QUASAR_FORMAT_W_MXFP4,		/* OCP MX: E2M1, E8M0 scale per 32 */
	DP_W_NVFP4 = DRM_QUASAR_FORMAT_W_NVFP4,		/* E2M1, E4M3 scale per 16, FP32 tensor
							 * scale */
	DP_W_SP_BF16 = DRM_QUASAR_FORMAT_W_SP_BF16,	/* 2:4 sparse BF16 */
	DP_W_SP_INT8 = DRM_QUASAR_FORMAT_W_SP_INT8,	/* 2:4 sparse int8, FP32 scale per
							 * output channel */
	DP_W_SP_INT4 = DRM_QUASAR_FORMAT_W_SP_INT4,	/* 2:4 sparse 4-bit, BF16 scale per
							 * dense group */
	DP_W_COUNT		/* one past the last: loops run DP_W_BF16 .. DP_W_COUNT - 1 */
};

/* Activation formats of a GEMM. */
enum dp_afmt {
	DP_A_BF16 = 1,		/* BF16 activations, FP32 accumulation */
	DP_A_INT8 = 2,		/* int8 rows with an FP32 scale per row (dynamic) */
};

enum dp_ofmt {
	DP_O_FP32 = 1,
	DP_O_BF16 = 2,
};

/* Epilogue activations: the ISA's enum drm_quasar_act. */
enum dp_act {
	DP_ACT_NONE = DRM_QUASAR_ACT_NONE,
	DP_ACT_RELU = DRM_QUASAR_ACT_RELU,
	DP_ACT_GELU = DRM_QUASAR_ACT_GELU,	/* tanh form, docs/numerics.md */
	DP_ACT_SILU = DRM_QUASAR_ACT_SILU,
};

/* struct dp_wt.flags: the ISA's tensor flag */
#define DP_WT_ZERO	DRM_QUASAR_TENSOR_ZERO_POINTS	/* INT4/SP_INT4: per-group 4-bit zero points */

#define DP_PANEL	16		/* rows per interleaved panel */
#define DP_DIM_MAX	DRM_QUASAR_DIM_MAX	/* bound on M, N, K (keeps int32 sums exact) */

/*
 * A packed weight tensor (a view: the caller owns every buffer).
 * @group: block length along K: INT4/SP_INT4 32, 64 or 128; MX* 32; NVFP4 16;
 *	   0 for the formats without blocks (BF16, INT8, SP_BF16, SP_INT8).
 * @data:  element codes, panel-interleaved (dp_layout.h)
 * @scales: FP32 (INT8, SP_INT8), BF16 (INT4, SP_INT4), E8M0 (MX*), E4M3 (NVFP4)
 * @zeros: 4-bit zero points when DP_WT_ZERO, else NULL
 * @meta:  2:4 index codes (SP_*), else NULL
 * @tensor_scale: NVFP4 second-level scale (1.0 for single-level NVFP4)
 */
struct dp_wt {
	uint32_t fmt;
	uint32_t n;
	uint32_t k;
	uint32_t group;
	uint32_t flags;
	const void *data;
	const void *scales;
	const uint8_t *zeros;
	const uint8_t *meta;
	float tensor_scale;
};

/* Static properties of a format. */
struct dp_fmt_info {
	const char *name;
	uint8_t elem_bits;	/* bits per stored element code: 4, 8 or 16 */
	uint8_t sparse;		/* 2:4: stores K/2 elements and K/4 index codes */
	uint8_t scale_bytes;	/* bytes per stored scale, 0 when none */
	uint8_t a8;		/* may run with DP_A_INT8 activations */
	uint16_t block;		/* fixed block length, 0 = per row or per group */
};

const struct dp_fmt_info *dp_fmt_info(uint32_t fmt);

/* Geometry of a packed tensor: sizes in bytes of each buffer. */
struct dp_geom {
	uint32_t panels;	/* ceil(N / 16) */
	uint32_t kpad;		/* K rounded up to max(32, block) */
	uint32_t kstore;	/* stored elements per row: kpad, or kpad/2 if sparse */
	uint32_t blocks;	/* scale blocks per row */
	uint32_t block;		/* dense K per block (kpad when one block per row) */
	size_t data_bytes;
	size_t scale_bytes;
	size_t zero_bytes;
	size_t meta_bytes;
};

/*
 * Checks fmt/n/k/group/flags (not the pointers) and fills @g.
 * Returns DP_OK, DP_EINVAL for a bad shape/group/flag, DP_ENOTSUP for an
 * unknown format.
 */
int dp_geom_get(uint32_t fmt, uint32_t n, uint32_t k, uint32_t group,
		uint32_t flags, struct dp_geom *g);

/* dp_geom_get plus the presence of every buffer the format needs. */
int dp_wt_check(const struct dp_wt *w, struct dp_geom *g);

#endif /* DP_FORMAT_H */
