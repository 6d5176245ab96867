/* SPDX-License-Identifier: MIT */
/*
 * Compression library: a qtensor built value by value (private to
 * compress/). The device quantizer taken apart: an algorithm fixes a
 * block's parameters first, then quantizes its values one at a time into
 * plain arrays (struct compress_plain), and compress_pack() turns them into
 * a qtensor at the end. compress_qtensor_builder.c has the rules.
 */
#ifndef COMPRESS_QTENSOR_BUILDER_H
#define COMPRESS_QTENSOR_BUILDER_H

#include <stdbool.h>
#include <stdint.h>

#include "compress.h"

struct compress_qtensor_builder {
	struct compress_plain pl;
	const struct dp_fmt_info *fi;
	struct dp_geom g;
	uint32_t fmt, n, k;
	float ts;		/* NVFP4 tensor scale, else 1 */
	uint8_t *set;		/* n x blocks: parameters chosen */
	float *tmp;		/* one block of values (scratch) */
};

/* Checks @p for n x k; @w (n x k) gives NVFP4's tensor scale as the RTN does. */
int compress_qtensor_builder_init(struct compress_qtensor_builder *f,
				  const struct compress_qparams *p, uint32_t n, uint32_t k,
				  const float *w);
void compress_qtensor_builder_free(struct compress_qtensor_builder *f);
/*
 * Chooses the parameters (scale, zero) of block b of row r from the values
 * that block will store (kept values only for 2:4), by the datapath's rule
 * applied as if the values were limited to +-clip * amax (1 = the RTN rule).
 */
void compress_qtensor_builder_scale(struct compress_qtensor_builder *f, uint32_t r, uint32_t b,
				    const float *v, uint32_t cnt, float clip);
/* 2:4 index code (idx0 | idx1 << 2) of group q of row r. */
void compress_qtensor_builder_meta(struct compress_qtensor_builder *f, uint32_t r, uint32_t q,
				   uint8_t code);
bool compress_qtensor_builder_kept(const struct compress_qtensor_builder *f, uint32_t r,
				   uint32_t c);
/*
 * Quantizes v at dense position c (< k, kept) of row r with its block's
 * parameters, stores the code, and returns the value the device decodes.
 */
float compress_qtensor_builder_put(struct compress_qtensor_builder *f, uint32_t r, uint32_t c,
				   float v);
/* Parameters of untouched blocks, padding codes, then compress_pack; frees f. */
int compress_qtensor_builder_finish(struct compress_qtensor_builder *f,
				    struct compress_qtensor **out);
/*
 * RTN of row r (k values) with per-block clip ratios (NULL: 1): chooses each
 * block's parameters from its kept values, stores every kept value, and
 * writes the decoded row to @deq (k floats, 0 where pruned) if non-NULL.
 */
void compress_qtensor_builder_rtn_row(struct compress_qtensor_builder *f, uint32_t r,
				      const float *row, const float *clip, float *deq);

#endif /* COMPRESS_QTENSOR_BUILDER_H */
