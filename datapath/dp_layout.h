/* SPDX-License-Identifier: MIT */
/*
 * Quasar datapath: where element (n, j) of a packed tensor lives.
 *
 * Rows come in panels of 16 (p = n / 16, lane r = n % 16). Inside a panel
 * the unit of interleave is 32 bits per lane, which is what one lane of a
 * dot-product instruction consumes:
 *   16-bit elements: one element of each of the 16 rows, then the next j
 *   8-bit elements:  4 consecutive j of row r in bytes 4r..4r+3 of a 64-byte line
 *   4-bit elements:  8 consecutive j of row r in bytes 4r..4r+3 of a 64-byte
 *                    line: j%8 < 4 in the low nibble of byte j%4, else the high
 * Scales: one per (row, block) at [p][block][r]. Zero points and 2:4 index
 * codes are 4-bit: zeros two lanes per byte (even lane low), index codes use
 * the 4-bit element layout with kpad/4 codes per row.
 * See docs/numerics.md, "Packed layout".
 */
#ifndef DP_LAYOUT_H
#define DP_LAYOUT_H

#include "dp_format.h"

static inline size_t dp_off16(uint32_t kstore, uint32_t n, uint32_t j)
{
	return ((size_t)(n / DP_PANEL) * kstore + j) * DP_PANEL + n % DP_PANEL;
}

static inline size_t dp_off8(uint32_t kstore, uint32_t n, uint32_t j)
{
	return (size_t)(n / DP_PANEL) * kstore * DP_PANEL + (size_t)(j / 4) * 64 +
	       (n % DP_PANEL) * 4 + j % 4;
}

static inline size_t dp_off4(uint32_t kstore, uint32_t n, uint32_t j)
{
	return (size_t)(n / DP_PANEL) * kstore * (DP_PANEL / 2) + (size_t)(j / 8) * 64 +
	       (n % DP_PANEL) * 4 + j % 4;
}

static inline unsigned dp_shift4(uint32_t j)
{
	return (j & 4) ? 4 : 0;
}

static inline uint8_t dp_get4(const uint8_t *base, uint32_t kstore, uint32_t n, uint32_t j)
{
	return (base[dp_off4(kstore, n, j)] >> dp_shift4(j)) & 15;
}

static inline void dp_put4(uint8_t *base, uint32_t kstore, uint32_t n, uint32_t j, uint8_t v)
{
	uint8_t *b = &base[dp_off4(kstore, n, j)];
	unsigned s = dp_shift4(j);

	*b = (uint8_t)((*b & ~(15u << s)) | ((v & 15u) << s));
}

static inline size_t dp_offscale(uint32_t blocks, uint32_t n, uint32_t b)
{
	return ((size_t)(n / DP_PANEL) * blocks + b) * DP_PANEL + n % DP_PANEL;
}

static inline uint8_t dp_get_zero(const uint8_t *z, uint32_t blocks, uint32_t n, uint32_t b)
{
	size_t i = dp_offscale(blocks, n, b);

	return (z[i / 2] >> ((i & 1) * 4)) & 15;
}

static inline void dp_put_zero(uint8_t *z, uint32_t blocks, uint32_t n, uint32_t b, uint8_t v)
{
	size_t i = dp_offscale(blocks, n, b);
	unsigned s = (i & 1) * 4;

	z[i / 2] = (uint8_t)((z[i / 2] & ~(15u << s)) | ((v & 15u) << s));
}

#endif /* DP_LAYOUT_H */
